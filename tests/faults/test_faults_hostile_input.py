"""Hostile names are rendered as text everywhere; hostile ids are rejected before any request."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from faults_testlib import audit
from listpage import by_key, page

from modelarts_widgets import sdk
from modelarts_widgets.errors import ConfigurationError
from modelarts_widgets.session import Session
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList
from modelarts_widgets.widgets._html import neutralize

SCRIPT = "<script>alert('x')</script>"
ATTR = "\"><img src=x onerror=alert(1)>'"
SINGLE = "' onmouseover='alert(1)' x='"
TAGS = "</span></div><iframe src=javascript:alert(1)></iframe>"
UNICODE = "模型训练 résumé 🚀 \u202egnp.exe e\u0301 \u200b"
CONTROL = "bell\x07 nul\x00 esc\x1b[31m cr\r lf\n tab\t del\x7f"
LONG = "L" * 5000 + "<b>tail</b>"
NAMES = [SCRIPT, ATTR, SINGLE, TAGS, UNICODE, CONTROL, LONG]


def _visible_text(markup: str) -> str:
    return "".join(audit(markup).text)


@pytest.fixture
def hostile(emulator_env: Any) -> Any:
    """One training job, version and visualization job per hostile name; deletes refused with
    the hostile name as the server's error message."""
    for i, name in enumerate(NAMES):
        job_id, (vid,) = emulator_env.add_training_job(
            name,
            versions=[{"version_name": f"V{i}{name}", "engine_name": name, "status": 10}],
        )
        emulator_env.add_visualization_job(name, status=10, train_url=f"/bucket/h{i}/")
        emulator_env.force_error(
            400,
            body={"error_code": f"X.{i}{name[:20]}", "error_msg": name},
            path=emulator_env.version_path(job_id, vid) + "$",
            method="DELETE",
        )
    return emulator_env


def _hostile_versions(w: Any) -> list[Any]:
    return [v for v in w.items if v.job_name in NAMES]


def test_hostile_names_render_as_text_in_table_confirmation_badges_and_repr(
    hostile: Any, make_list: Any
) -> None:
    w = make_list(JobVersionList, Session(), page_size=50)
    versions = _hostile_versions(w)
    assert len(versions) == len(NAMES)
    assert {v.job_name for v in versions} == set(NAMES)  # kept exactly, also control chars
    w.select(keys=[v.key for v in versions])
    w.request_delete()
    before = page(w).all_html()
    w.confirm(typed_count=len(NAMES))
    assert w.wait(30)
    rec = by_key(w.last_result)
    assert {rec[v.key]["error_msg"] for v in versions} == set(NAMES)  # raw words in the record
    after = page(w).all_html()
    for markup in (before, after):
        audit(markup)
        for bad in ("<script", "<iframe", "<img", "<b>tail"):
            assert bad not in markup
    text = _visible_text(before) + _visible_text(after)
    for name in (SCRIPT, ATTR, SINGLE, TAGS, UNICODE):
        assert neutralize(name) in text, name  # shown as the literal text
    for markup in (before, after):  # no hidden reordering or terminal escapes on screen
        for char in ("\u202e", "\x1b", "\x00", "\x07"):
            assert char not in markup
    assert "\ufffdgnp.exe" in text  # the override shows as a visible replacement mark
    assert "alert(1)" in text
    badge_titles = [v for k, v in audit(after).attrs if k == "title"]
    assert any(SCRIPT in t for t in badge_titles)  # tooltips carry the words as text
    bundle = w._repr_mimebundle_()
    audit(bundle["text/html"])
    assert "<script" not in bundle["text/html"]
    assert "<script" not in repr(w)
    assert "<script" not in bundle["text/plain"]


def test_hostile_names_render_as_text_in_the_visualization_list(
    hostile: Any, make_list: Any
) -> None:
    w = make_list(VisualizationJobList, Session(), page_size=50)
    w.select(keys=[j.key for j in w.items if j.job_name in NAMES])
    w.request_delete()
    markup = page(w).all_html()
    audit(markup)
    text = _visible_text(markup)
    for name in (SCRIPT, ATTR, SINGLE, TAGS, UNICODE):
        assert neutralize(name) in text
    assert "\u202e" not in markup
    assert "<script" not in markup
    assert "<iframe" not in markup


def test_hostile_service_url_is_not_a_link(emulator_env: Any, make_list: Any) -> None:
    body = {
        "is_success": True,
        "job_total_count": 2,
        "jobs": [
            {"job_id": 9101, "job_name": "js", "status": 10,
             "service_url": "javascript:alert(document.cookie)"},
            {"job_id": 9102, "job_name": "attr", "status": 10,
             "service_url": 'https://x.example/" onclick="alert(1)'},
        ],
    }  # fmt: skip
    emulator_env.force_error(200, body=body, path=r"/visualization-jobs$", method="GET")
    w = make_list(VisualizationJobList, Session())
    markup = page(w).all_html()
    audit(markup)  # hrefs only http(s), no event handler attributes
    assert 'href="javascript' not in markup
    assert "javascript:alert(document.cookie)" in _visible_text(markup)


def test_very_long_names_are_bounded_in_badges(hostile: Any, make_list: Any) -> None:
    w = make_list(JobVersionList, Session(), page_size=50)
    target = next(v for v in _hostile_versions(w) if v.job_name == LONG)
    w.select(keys=[target.key])
    w.request_delete()
    w.confirm()
    assert w.wait(30)
    w.set_filter(text=target.version_name[:30])
    cells = [str(c.value) for c in page(w).cells]
    row = next(c for c in cells if "failed:" in c)
    parsed = audit(row)
    badge_label = next(t for t in parsed.data if t.startswith("failed:"))
    assert len(badge_label) <= 60  # shortened in the label …
    assert any(LONG in t for t in parsed.text)  # … whole in the tooltip


BAD_TRAINING_IDS: list[Any] = [
    "1/2", "../1", "..", "1%2F2", "%2e%2e", "1/..", "1 2", "-1", "0", "1e3", "0x1f",
    "١٢٣", "12\n3", "", " ", "abc", "1;2", "1?x=1", "1#x", True, 3.5, None, [1], -5,
]  # fmt: skip
BAD_VIS_IDS: list[Any] = [
    "1/2", "../1", "..", "1%2F2", "%2e%2e", "a/..", "a b", "a.b", "", " ", "x" * 65,
    "é", "1;2", "1?x", "1#x", True, 3.5, None, -1, 0,
]  # fmt: skip


def _requests(emulator: Any) -> int:
    return sum(emulator.stats()["requests"].values())


@pytest.mark.parametrize("bad", BAD_TRAINING_IDS, ids=repr)
def test_hostile_training_ids_are_rejected_before_any_request(emulator_env: Any, bad: Any) -> None:
    client = Session().client
    before = _requests(emulator_env)
    for call in (
        lambda: client.delete_job_version(bad, 1),
        lambda: client.delete_job_version(1, bad),
        lambda: client.list_job_versions(bad),
        lambda: client.get_job_version(bad, 1),
        lambda: sdk.Estimator(sdk.Session(), job_id=bad, version_id=1).delete_job_version(),
        lambda: sdk.Estimator(sdk.Session(), job_id=1, version_id=bad).delete_job_version(),
    ):
        with pytest.raises((ConfigurationError, TypeError)):
            call()
    assert _requests(emulator_env) == before
    assert emulator_env.delete_calls == {}


@pytest.mark.parametrize("bad", BAD_VIS_IDS, ids=repr)
def test_hostile_visualization_ids_are_rejected_before_any_request(
    emulator_env: Any, bad: Any
) -> None:
    client = Session().client
    before = _requests(emulator_env)
    for call in (
        lambda: client.delete_visualization_job(bad),
        lambda: client.get_visualization_job(bad),
        lambda: sdk.VisualizationJob(sdk.Session(), bad).delete_visualization_job(),
    ):
        with pytest.raises((ConfigurationError, TypeError)):
            call()
    assert _requests(emulator_env) == before
    assert emulator_env.delete_calls == {}


def test_hostile_job_id_in_the_widget_is_rejected_before_any_request(
    emulator_env: Any, make_list: Any
) -> None:
    before = _requests(emulator_env)
    w = make_list(JobVersionList, Session(), job_id="1/../2")
    assert "invalid job id" in w.error
    assert _requests(emulator_env) == before


def test_hostile_ids_from_the_server_are_never_sent_back(emulator_env: Any, make_list: Any) -> None:
    body = {
        "is_success": True,
        "job_total_count": 3,
        "jobs": [
            {
                "job_id": "../../v1/other-project/visualization-jobs/1",
                "job_name": "a",
                "status": 10,
            },
            {"job_id": "1%2F..%2F2", "job_name": "b", "status": 10},
            {"job_id": "8991/..", "job_name": "c", "status": 10},
        ],
    }
    emulator_env.force_error(200, body=body, path=r"/visualization-jobs$", method="GET")
    w = make_list(VisualizationJobList, Session(), recheck=False)
    assert w.n_items == 3
    w.select(all_matching=True)
    w.request_delete()
    w.confirm(typed_count=3)
    assert w.wait(30)
    assert [r["outcome"] for r in w.last_result] == ["failed"] * 3
    assert all("invalid" in r["error_msg"] for r in w.last_result)
    assert emulator_env.delete_calls == {}
    assert not any(k.startswith("DELETE") for k in emulator_env.stats()["requests"])


def test_hostile_names_survive_json_state(hostile: Any, make_list: Any) -> None:
    w = make_list(JobVersionList, Session(), page_size=50)
    state = json.dumps([c.get_state() for c in page(w).cells], default=str)
    decoded = html.unescape(json.loads(state)[0]["value"]) if page(w).cells else ""
    assert "<script" not in state
    assert isinstance(decoded, str)
