"""Malformed answers (non-JSON, HTML from a proxy, missing or wrong fields): a clear error in
the widget, never a crash, and the widget keeps working."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from listpage import by_key, inactive, page
from sessions import fast_session

from modelarts_widgets.errors import APIError, MalformedResponseError
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList

LIST = r"/visualization-jobs$"


def _recovers(w: Any, emulator_env: Any, n: int) -> None:
    emulator_env.clear_faults()
    w.refresh()
    assert w.error == ""
    assert w.n_items == n


def test_non_json_list_answer_is_a_clear_error(emulator_env: Any, make_list: Any) -> None:
    emulator_env.force_error(kind="malformed", path=LIST, method="GET")
    w = make_list(VisualizationJobList, fast_session())
    assert w.error.startswith("Could not list visualization jobs")
    assert "HTTP 200" in w.error
    assert "not JSON" in w.error
    assert "request id" in w.error
    assert "not JSON" in page(w).error.value
    _recovers(w, emulator_env, 4)


def test_html_error_page_from_a_proxy_is_a_clear_error(emulator_env: Any, make_list: Any) -> None:
    emulator_env.force_error(kind="html", status=502, count=10, path=LIST, method="GET")
    w = make_list(VisualizationJobList, fast_session())
    assert "HTTP 502" in w.error
    assert "not JSON" in w.error
    assert "Bad Gateway" in w.error
    assert "<html" not in w.error
    assert "<center>" not in w.error
    _recovers(w, emulator_env, 4)


def test_html_error_page_on_version_listing_is_a_clear_error(
    emulator_env: Any, make_list: Any
) -> None:
    emulator_env.force_error(kind="html", status=504, count=50, path=r"/versions$", method="GET")
    w = make_list(JobVersionList, fast_session())
    assert w.error.startswith("Could not list training job versions")
    assert "HTTP 504" in w.error
    assert "not JSON" in w.error
    _recovers(w, emulator_env, 9)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"is_success": True}, id="no-jobs-field"),
        pytest.param(
            {"is_success": True, "jobs": "oops", "job_total_count": 1}, id="jobs-not-a-list"
        ),
    ],
)
def test_list_answer_missing_its_list_is_a_clear_error(
    emulator_env: Any, make_list: Any, body: dict[str, Any]
) -> None:
    emulator_env.force_error(200, body=body, path=LIST, method="GET")
    w = make_list(VisualizationJobList, fast_session())
    assert w.error.startswith("Could not list visualization jobs")
    assert "jobs" in w.error
    emulator_env.force_error(200, body=body, path=LIST, method="GET")
    client = fast_session().client
    with pytest.raises(MalformedResponseError):
        list(client.iter_visualization_jobs())
    _recovers(w, emulator_env, 4)


def test_is_success_false_with_http_200_is_an_error_in_the_servers_words(
    emulator_env: Any, make_list: Any
) -> None:
    body = {"is_success": False, "error_code": "ModelArts.0999", "error_msg": "Odd failure."}
    emulator_env.force_error(200, body=body, path=LIST, method="GET")
    w = make_list(VisualizationJobList, fast_session())
    assert "ModelArts.0999" in w.error
    assert "Odd failure." in w.error
    emulator_env.force_error(200, body=body, path=LIST, method="GET")
    with pytest.raises(APIError):
        list(fast_session().client.iter_visualization_jobs())


def test_rows_with_missing_fields_are_skipped_or_defaulted_not_fatal(
    emulator_env: Any, make_list: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = {
        "is_success": True,
        "job_total_count": 3,
        "jobs": [
            {"job_name": "no id at all", "status": 10},
            {"job_id": 7001},  # only an id: everything else defaults
            {"job_id": 7002, "job_name": "typed oddly", "status": "10", "create_time": "x"},
        ],
    }
    emulator_env.force_error(200, body=body, path=LIST, method="GET")
    with caplog.at_level(logging.WARNING):
        w = make_list(VisualizationJobList, fast_session())
    assert w.error == ""
    assert sorted(j.key for j in w.items) == ["7001", "7002"]
    assert any("skip" in r.getMessage().lower() for r in caplog.records)
    w.select(all_matching=True)
    assert w.request_delete() is not None  # the confirmation renders
    w.cancel()


def test_non_json_delete_answer_is_an_outcome_not_a_crash(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(JobVersionList, fast_session())
    a, b = inactive(w)[:2]
    emulator_env.force_error(
        kind="malformed", path=emulator_env.version_path(*a.key) + "$", method="DELETE"
    )
    w.select(keys=[a.key, b.key])
    w.request_delete()
    w.confirm(typed_count=2)
    assert w.wait(30)
    rec = by_key(w.last_result)
    assert rec[b.key]["outcome"] == "deleted"
    # a 200 we cannot read may or may not have deleted it: re-checked, said so
    assert rec[a.key]["outcome"] == "unknown"
    assert rec[a.key]["detail"] == "unknown — still listed"
    assert "not JSON" in rec[a.key]["error_msg"]
    assert emulator_env.delete_calls[emulator_env.version_path(*a.key)] == 1
    assert w.error == ""
