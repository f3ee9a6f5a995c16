"""v2 (new-version) training jobs in the widgets, against the live emulator: TrainingJobList
listing and deleting with badges, the batch path and both fallbacks seen through the widget,
v2 error bodies on the badges, the mixed-generation VisualizationJobList, a region without v1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import pytest
from listpage import page

from modelarts_widgets.demo import emulator_env
from modelarts_widgets.emulator import EmulatorServer
from modelarts_widgets.models_v2 import VISUALIZATION_KIND, TrainingJobV2
from modelarts_widgets.widgets import JobVersionList, TrainingJobList, VisualizationJobList

BATCH = "POST /v2/{project_id}/training-jobs/batch-delete"
SINGLE = "DELETE /v2/{project_id}/training-jobs/{training_job_id}"
V1_VIS_DELETE = "DELETE /v1/{project_id}/visualization-jobs/{job_id}"


def calls(server: Any, route: str) -> int:
    return int(server.stats()["requests"].get(route, 0))


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., EmulatorServer]]:
    """Start an emulator with these options and point the environment at it."""
    servers: list[EmulatorServer] = []

    def run(**options: Any) -> EmulatorServer:
        options.setdefault(
            "seed",
            {"jobs": 2, "versions_per_job": 2, "visualization_jobs": 3, "v2_training_jobs": 24,
             "v2_visualization_jobs": 4},
        )  # fmt: skip
        options.setdefault("delete_delay", 0.0)
        server = EmulatorServer(**options)
        server.start()
        servers.append(server)
        for name, value in emulator_env(server).items():
            monkeypatch.setenv(name, value)
        return server

    yield run
    for server in servers:
        server.stop()


def _inactive_keys(w: Any, n: int) -> list[str]:
    keys = [j.key for j in w.items if not j.is_active][:n]
    assert len(keys) == n
    return keys


def _delete(w: Any, keys: list[str]) -> None:
    w.select(keys=keys)
    w.request_delete()
    assert w.confirm(typed_count=len(keys))
    assert w.wait(30)


def _states(w: Any) -> dict[Any, str]:
    return {tuple(r["key"]) if isinstance(r["key"], list) else r["key"]: r["outcome"]
            for r in w.last_result}  # fmt: skip


def test_lists_every_v2_job_but_visualization_jobs(start: Any, make_widget: Any) -> None:
    server = start()
    w = make_widget(TrainingJobList)
    expected = set(server.backend.v2.job_ids()) - set(server.backend.v2.job_ids(VISUALIZATION_KIND))
    assert {j.key for j in w.items} == expected
    assert w.n_items == 24
    assert all(isinstance(j, TrainingJobV2) and j.kind != VISUALIZATION_KIND for j in w.items)
    assert w.error == ""
    header = page(w).header.value
    for title in ("name", "status", "kind", "created", "duration", "outcome"):
        assert f">{title}<" in header
    assert ">workspace<" not in header  # one workspace listed: no workspace column
    first = w.visible_items[0]
    assert first.name in page(w).row_html(first.key)


def test_status_filter_reads_phases(start: Any, make_widget: Any) -> None:
    start()
    w = make_widget(TrainingJobList)
    running = [j for j in w.items if j.phase == "Running"]
    assert running
    w.set_filter(status="Running")
    assert w.n_matching == len(running)
    options = {v: k for k, v in page(w).status_filter.options}
    assert options["Running"] == f"running ({len(running)})"
    w.set_filter(status="failed")  # the group: Failed and Abnormal
    assert w.n_matching == sum(j.phase in ("Failed", "Abnormal") for j in w.items)
    w.set_filter(status="active")
    assert w.n_matching == sum(j.is_active for j in w.items) > 0
    with pytest.raises(ValueError, match="unknown status filter"):
        w.set_filter(status="Sleeping")


def test_delete_in_one_batch_with_badges_through_to_deleted(
    start: Any, make_widget: Any, wait_until: Any
) -> None:
    server = start(delete_delay=None)  # deletes stay pending until advance()
    w = make_widget(TrainingJobList)
    keys = _inactive_keys(w, 5)
    server.add_latency(0.3, path=r".*/batch-delete$", method="POST")
    w.select(keys=keys)
    plan = w.request_delete()
    assert plan is not None
    assert len(plan.chosen(False)) == 5
    assert w.confirm(typed_count=5)
    wait_until(lambda: 'data-state="sending"' in (page(w).row_html(keys[0]) or ""))
    wait_until(lambda: 'data-state="accepted"' in (page(w).row_html(keys[0]) or ""))
    assert w.busy
    server.backend.v2.advance()
    assert w.wait(30)
    assert _states(w) == dict.fromkeys(keys, "deleted")
    assert calls(server, BATCH) == 1
    assert calls(server, SINGLE) == 0
    assert all(r["job_id"] == r["key"] for r in w.last_result)
    assert not set(keys) & {j.key for j in w.items}
    assert w.status_message.startswith("Deleted 5 of 5")


def test_active_jobs_are_held_back(start: Any, make_widget: Any) -> None:
    start()
    w = make_widget(TrainingJobList)
    active = next(j for j in w.items if j.is_active)
    idle = _inactive_keys(w, 1)[0]
    w.select(keys=[active.key, idle])
    plan = w.request_delete()
    assert plan is not None
    assert plan.n_active == 1
    assert f"active: {active.status_label}" in page(w).panel_message.value
    assert w.confirm()
    assert w.wait(30)
    assert _states(w) == {idle: "deleted"}
    assert active.key in {j.key for j in w.items}


def test_refused_batch_falls_back_to_single_deletes_with_the_v2_error_on_the_badge(
    start: Any, make_widget: Any
) -> None:
    server = start()
    w = make_widget(TrainingJobList)
    ok1, refused, gone, ok2 = _inactive_keys(w, 4)
    server.backend.v2.refuse_delete(refused)  # 409 ModelArts.2878, in a batch or alone
    server.backend.v2.delete(gone)  # gone behind the widget's back
    _delete(w, [ok1, refused, gone, ok2])
    states = _states(w)
    assert states == {ok1: "deleted", refused: "failed", gone: "already_gone", ok2: "deleted"}
    assert calls(server, BATCH) == 1  # refused as a whole ...
    assert calls(server, SINGLE) == 4  # ... then one DELETE each
    record = next(r for r in w.last_result if r["key"] == refused)
    assert record["error_code"] == "ModelArts.2878"
    assert record["http_status"] == 409
    assert "JobStatusChanged" in record["error_msg"]
    shown = page(w).row_html(refused) or ""
    assert "failed: ModelArts.2878" in shown
    assert "JobStatusChanged: the job cannot be deleted now." in shown
    assert w.selected == [refused]  # the failure stays selected for a retry
    assert "1 failed (ModelArts.2878)" in w.status_message


def test_no_batch_route_means_single_deletes_remembered(start: Any, make_widget: Any) -> None:
    server = start(batch_delete=False)
    w = make_widget(TrainingJobList)
    first = _inactive_keys(w, 3)
    _delete(w, first)
    assert set(_states(w).values()) == {"deleted"}
    assert calls(server, BATCH) == 1  # tried once: 404 APIG.0101
    assert calls(server, SINGLE) == 3
    _delete(w, _inactive_keys(w, 2))
    assert set(_states(w).values()) == {"deleted"}
    assert calls(server, BATCH) == 1  # remembered: not tried again
    assert calls(server, SINGLE) == 5


def test_retry_failed_resends_only_the_refused_job(start: Any, make_widget: Any) -> None:
    server = start()
    w = make_widget(TrainingJobList)
    ok, refused = _inactive_keys(w, 2)
    server.backend.v2.refuse_delete(refused, status=403, error_code="ModelArts.0108")
    _delete(w, [ok, refused])
    assert _states(w) == {ok: "deleted", refused: "failed"}
    assert w.retry_failed()
    assert w.wait(30)
    assert _states(w) == {refused: "failed"}
    assert w.last_result[0]["error_code"] == "ModelArts.0108"


def test_visualization_list_shows_both_generations(start: Any, make_widget: Any) -> None:
    server = start()
    w = make_widget(VisualizationJobList)
    v2_ids = set(server.backend.v2.job_ids(VISUALIZATION_KIND))
    assert w.n_items == 3 + 4
    by_gen = {isinstance(j, TrainingJobV2) for j in w.items}
    assert by_gen == {True, False}
    assert ">API<" in page(w).header.value
    v2_job = next(j for j in w.items if isinstance(j, TrainingJobV2) and not j.is_active)
    v1_job = next(j for j in w.items if not isinstance(j, TrainingJobV2) and not j.is_active)
    w.set_filter(text=v2_job.name)
    assert 'data-state="gen-v2"' in (page(w).row_html(v2_job.key) or "")
    w.set_filter(text="")
    _delete(w, [v1_job.key, v2_job.key])
    assert _states(w) == {v1_job.key: "deleted", v2_job.key: "deleted"}
    assert {r["api"] for r in w.last_result} == {"v1", "v2"}
    assert calls(server, V1_VIS_DELETE) == 1
    assert calls(server, BATCH) == 1
    assert v2_job.key not in server.backend.v2.job_ids()
    assert v2_job.key in v2_ids
    assert w.n_items == 5


def test_visualization_list_shows_v2_jobs_while_v1_is_still_listing(
    start: Any, make_widget: Any, wait_until: Any
) -> None:
    """The generations are listed side by side: v2 rows need not wait for every v1 page."""
    server = start()
    server.add_latency(3.0, path=r"/visualization-jobs$")  # v1 answers after 3 s
    w = make_widget(VisualizationJobList, listed=False)
    wait_until(lambda: w.n_items == 4, what="the 4 v2 visualization jobs", timeout=2.5)
    assert w.loading  # v1 is still under way
    assert all(isinstance(j, TrainingJobV2) for j in w.items)
    assert w.wait(60)
    assert w.n_items == 3 + 4
    assert w.status_message == "Listed 7 visualization jobs."


def test_region_without_v1(start: Any, make_widget: Any) -> None:
    start(v1_training=False)
    versions = make_widget(JobVersionList)
    assert versions.error == ""
    assert versions.n_items == 0
    assert "no v1 (old-version) training job API" in versions.status_message
    assert "This account has 24 new-version (v2) training jobs: use TrainingJobList()." in (
        versions.status_message
    )
    vis = make_widget(VisualizationJobList)
    assert vis.error == ""
    assert vis.n_items == 4
    assert all(isinstance(j, TrainingJobV2) for j in vis.items)
    assert "no v1 visualization job API" in vis.status_message
    jobs = make_widget(TrainingJobList)
    assert jobs.n_items == 24
    assert jobs.status_message == "Listed 24 training jobs."


def test_empty_v1_account_names_training_job_list(start: Any, make_widget: Any) -> None:
    start(seed={"jobs": 0, "v2_training_jobs": 1})
    versions = make_widget(JobVersionList)
    assert versions.status_message == (
        "Listed 0 training job versions. "
        "This account has 1 new-version (v2) training job: use TrainingJobList()."
    )


def test_a_failing_generation_does_not_hide_the_other(start: Any, make_widget: Any) -> None:
    server = start()
    server.force_error(403, path=r".*/training-job-searches$", method="POST", count=5)
    vis = make_widget(VisualizationJobList)
    assert vis.error == ""
    assert vis.n_items == 3
    assert "Could not list v2 visualization jobs" in vis.status_message


def test_the_official_sdk_provider_says_v2_needs_aksk(make_widget: Any) -> None:
    from modelarts_widgets.client import OfficialSdkApi

    w = make_widget(TrainingJobList, client=OfficialSdkApi(object()))
    assert w.n_items == 0
    assert w.error.startswith("Could not list training jobs:")
    assert "AK/SK" in w.error


def test_training_job_list_refuses_unknown_keywords_and_wrong_keys(
    start: Any, make_widget: Any
) -> None:
    start()
    with pytest.raises(TypeError, match="recheck"):
        TrainingJobList(verify=False)
    w = make_widget(TrainingJobList)
    good = w.items[0].key
    with pytest.raises(ValueError, match="training job key"):
        w.select(keys=[good, (1, 2)])
    assert w.n_selected == 0
    assert w.select(keys=[good, "not-a-listed-id"]) == 1
    assert w.selected == [good]


def test_jobs_of_several_workspaces_batched_per_workspace(start: Any, make_widget: Any) -> None:
    server = start(seed={"workspaces": 2, "v2_training_jobs": 4})
    other = next(w for w in server.backend.workspace_ids() if w != "0")
    extra = [server.add_v2_job(f"other-ws-{n}", workspace_id=other) for n in range(3)]
    w = make_widget(TrainingJobList)
    assert ">workspace<" in page(w).header.value  # several workspaces listed
    assert {j.workspace_id for j in w.items if j.key in extra} == {other}
    keys = [*_inactive_keys(w, 2), *extra]
    assert len({j.workspace_id for j in w.items if j.key in keys}) == 2
    _delete(w, keys)
    assert set(_states(w).values()) == {"deleted"}
    assert calls(server, BATCH) == 2  # one batch per workspace
    assert calls(server, SINGLE) == 0
