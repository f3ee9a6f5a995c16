"""Workspaces in the lists, and "already gone" in every not-found style, against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from listpage import page

from modelarts_widgets.models import ACTIVE_STATUSES
from modelarts_widgets.session import Session
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList

SEED = {"jobs": 6, "versions_per_job": 2, "visualization_jobs": 6, "workspaces": 3}


@pytest.fixture
def workspaces(emulator_env: Any) -> list[str]:
    """The emulator re-seeded with 3 workspaces (``"0"`` first); their ids."""
    reply = requests.post(emulator_env.base_url + "/_emulator/seed", json=SEED, timeout=10)
    assert reply.status_code == 200
    return list(emulator_env.backend.workspace_ids())


def test_every_workspace_is_listed_with_a_column_and_a_filter(
    make_widget: Any, workspaces: list[str]
) -> None:
    w = make_widget(VisualizationJobList)
    assert w.n_items == 6
    assert sorted({j.workspace_id for j in w.items}) == sorted(workspaces)
    p = page(w)
    assert "workspace" in p.header.value
    workspace_filter = p.find("mw-workspace-filter")
    assert workspace_filter.layout.display is None  # shown: several workspaces
    assert [value for _, value in workspace_filter.options] == ["all", *workspaces]
    chosen = workspaces[1]
    workspace_filter.value = chosen  # as a user picks it
    assert w.n_matching == 2
    assert {j.workspace_id for j in w.visible_items} == {chosen}
    w.set_filter(workspace="all")
    assert w.n_matching == 6
    versions = make_widget(JobVersionList)
    assert versions.n_items == 12
    assert {v.workspace_id for v in versions.items} == set(workspaces)


def test_a_workspace_chosen_by_the_session_or_the_widget(
    make_widget: Any, workspaces: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = workspaces[2]
    w = make_widget(VisualizationJobList, Session(workspace_id=chosen))
    assert {j.workspace_id for j in w.items} == {chosen}
    assert w.n_items == 2
    p = page(w)
    assert "workspace" not in p.header.value  # one workspace: no column, no filter
    assert p.find("mw-workspace-filter").layout.display == "none"
    # hiding the workspace filter hides nothing else (the status filter and sort stay)
    for css in ("mw-status-filter", "mw-sort", "mw-search"):
        assert p.find(css).layout.display != "none", css
    monkeypatch.setenv("MODELARTS_WORKSPACE_ID", workspaces[1])
    from_env = make_widget(JobVersionList)
    assert {v.workspace_id for v in from_env.items} == {workspaces[1]}
    monkeypatch.delenv("MODELARTS_WORKSPACE_ID")
    by_widget = make_widget(VisualizationJobList, workspace_id="0")
    assert [j.workspace_id for j in by_widget.items] == ["0", "0"]


def test_without_a_workspace_list_only_the_default_one_and_a_note(
    make_widget: Any, workspaces: list[str], emulator_env: Any
) -> None:
    emulator_env.config.workspace_list = False  # as on OTC
    w = make_widget(VisualizationJobList)
    assert {j.workspace_id for j in w.items} == {"0"}
    assert w.n_items == 2
    assert "default workspace only" in w.status_message
    assert "workspace" not in page(w).header.value


@pytest.mark.parametrize("style", ["404", "ModelArts.2775", "ModelArts.0104"])
def test_deleted_elsewhere_is_already_gone_in_every_not_found_style(
    make_widget: Any, emulator_env: Any, style: str
) -> None:
    emulator_env.config.not_found = style
    w = make_widget(JobVersionList)
    gone, kept = [v for v in w.items if v.status not in ACTIVE_STATUSES][:2]
    emulator_env.backend.set_version_status(*gone.key, 10)
    other = Session().client  # someone else deletes it first
    assert other.delete_job_version(*gone.key).is_success
    w.select(keys=[gone.key, kept.key])
    w.request_delete()
    assert w.confirm(typed_count=2)
    assert w.wait(30)
    records = {tuple(r["key"]): r for r in w.last_result}
    assert records[gone.key]["outcome"] == "already_gone"
    assert records[gone.key]["http_status"] == (404 if style == "404" else 400)
    assert records[kept.key]["outcome"] == "deleted"


def test_a_business_refusal_is_not_rechecked_as_gone(make_widget: Any, emulator_env: Any) -> None:
    w = make_widget(JobVersionList)
    target = next(v for v in w.items if v.status not in ACTIVE_STATUSES)
    emulator_env.backend.set_version_status(*target.key, 9)  # being canceled: refused 0105
    w.select(keys=[target.key])
    w.request_delete()
    assert w.confirm(include_active=True)
    assert w.wait(30)
    (record,) = w.last_result
    assert record["outcome"] == "failed"
    assert record["error_code"] == "ModelArts.0105"


def test_the_workspace_column_appears_when_a_second_workspace_arrives_mid_listing(
    make_widget: Any, workspaces: list[str], emulator_env: Any
) -> None:
    emulator_env.add_latency(0.5, path=r"/training-jobs$", method="GET")  # one workspace a time
    w = make_widget(JobVersionList, listed=False)
    p = page(w)
    shown: list[tuple[int, bool, bool]] = []  # (listed, workspace column, workspace filter)
    w.observe(
        lambda change: shown.append(
            (
                change["new"],
                "workspace" in p.header.value,
                p.find("mw-workspace-filter").layout.display != "none",
            )
        ),
        names="n_items",
    )
    assert w.loading
    assert w.wait(60)
    assert shown[-1] == (12, True, True)
    assert (0, False, False) not in shown  # n_items only grows from the first arrival
    listed, column, choice = shown[0]  # the first rows: workspace "0" alone
    assert listed > 0
    assert (column, choice) == (False, False), shown
    assert {v.workspace_id for v in w.items} == set(workspaces)


def test_a_chosen_workspace_keeps_other_workspaces_rows_out_while_listing(
    make_widget: Any, workspaces: list[str]
) -> None:
    chosen = workspaces[1]
    w = make_widget(JobVersionList, workspace_id=chosen, listed=False)
    seen: set[str] = set()
    w.observe(lambda _c: seen.update(v.workspace_id for v in w.visible_items), names="n_items")
    assert w.wait(60)
    assert seen <= {chosen}
    assert {v.workspace_id for v in w.items} == {chosen}
    assert w.n_items == 4
    assert "workspace" not in page(w).header.value
