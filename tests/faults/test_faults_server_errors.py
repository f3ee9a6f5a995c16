"""5xx, dropped connections and timeouts: lists retry then explain; deletes are never re-sent
blindly, and the item is re-checked so its badge says what is known."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest
from faults_testlib import show
from listpage import by_key, inactive, page
from sessions import fast_session, http_of

from modelarts_widgets.client._http import HttpEvent
from modelarts_widgets.errors import RequestTimeoutError, ServerError, TransportError
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
LIST = r"/visualization-jobs$"


def _events(session: Any) -> list[HttpEvent]:
    events: list[HttpEvent] = []
    http_of(session).add_event_listener(events.append)
    return events


def _processed_then(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[Any], None]:
    """Make the emulator carry out a DELETE of ``key`` *before* a fault replaces its answer
    (what a gateway that times out or drops after the backend acted looks like)."""
    backend = emulator.backend
    real = backend.record_delete
    targets: dict[str, Callable[[], Any]] = {}

    def record_delete(path: str) -> None:
        real(path)
        action = targets.pop(path.rstrip("/"), None)
        if action is not None:
            action()

    monkeypatch.setattr(backend, "record_delete", record_delete)

    def arm(key: Any) -> None:
        if isinstance(key, tuple):
            targets[emulator.version_path(*key)] = lambda: backend.delete_version(*key)
        else:
            targets[emulator.visualization_path(key)] = lambda: backend.delete_visualization_job(
                key
            )

    return arm


# --- lists ------------------------------------------------------------------------------------


def test_5xx_on_list_is_retried_with_backoff_then_lists(emulator_env: Any, make_list: Any) -> None:
    session = fast_session()
    events = _events(session)
    emulator_env.force_error(503, count=2, path=LIST, method="GET")
    w = make_list(VisualizationJobList, session)
    assert w.error == ""
    assert w.n_items == 4
    assert [(e.kind, e.attempt, e.reason) for e in events] == [
        ("retry", 1, "HTTP 503"),
        ("retry", 2, "HTTP 503"),
    ]
    assert events[1].wait_s > 0


def test_5xx_on_list_then_a_clear_error_with_the_request_id(
    emulator_env: Any, make_list: Any
) -> None:
    session = fast_session()
    events = _events(session)
    emulator_env.force_error(502, count=10, path=LIST, method="GET")
    w = make_list(VisualizationJobList, session)
    assert len(events) == http_of(session).retry.max_retries  # bounded
    assert w.error.startswith("Could not list visualization jobs")
    assert "HTTP 502" in w.error
    assert "APIG.0202" in w.error
    assert "Backend unavailable" in w.error  # the server's words
    assert re.search(rf"request id {UUID}", w.error), w.error
    assert "request id" in page(w).error.value  # shown, not only in the trait
    emulator_env.clear_faults()
    w.refresh()  # the widget is still usable
    assert w.wait(60)
    assert w.error == ""
    assert w.n_items == 4


def test_5xx_on_version_list_then_a_clear_error(emulator_env: Any, make_list: Any) -> None:
    session = fast_session()
    emulator_env.force_error(500, count=50, path=r"/versions$", method="GET")
    w = make_list(JobVersionList, session)
    assert w.error.startswith("Could not list training job versions")
    assert "HTTP 500" in w.error
    assert "ModelArts.0001" in w.error
    assert re.search(rf"request id {UUID}", w.error), w.error


def test_dropped_connection_on_list_is_retried_then_a_clear_error(
    emulator_env: Any, make_list: Any
) -> None:
    session = fast_session()
    events = _events(session)
    emulator_env.force_error(kind="drop", count=10, path=LIST, method="GET")
    w = make_list(VisualizationJobList, session)
    assert [e.reason for e in events] == ["connection error"] * http_of(session).retry.max_retries
    assert w.error.startswith("Could not list visualization jobs")
    assert "connection" in w.error
    with pytest.raises(TransportError):
        list(session.client.iter_visualization_jobs())


def test_dropped_connection_once_on_list_is_invisible(emulator_env: Any, make_list: Any) -> None:
    emulator_env.force_error(kind="drop", count=1, path=LIST, method="GET")
    w = make_list(VisualizationJobList, fast_session())
    assert w.error == ""
    assert w.n_items == 4


def test_read_timeout_on_list_is_retried_then_a_clear_error(
    emulator_env: Any, make_list: Any
) -> None:
    session = fast_session(timeout=(2.0, 0.2))
    events = _events(session)
    emulator_env.add_latency(5.0, path=LIST, method="GET")
    w = make_list(VisualizationJobList, session)
    assert [e.reason for e in events] == ["timeout"] * http_of(session).retry.max_retries
    assert w.error.startswith("Could not list visualization jobs")
    assert "timeout" in w.error
    with pytest.raises(RequestTimeoutError):
        list(session.client.iter_visualization_jobs())


def test_5xx_on_list_raises_server_error_at_the_client_level(emulator_env: Any) -> None:
    session = fast_session()
    emulator_env.force_error(503, count=10, path=LIST, method="GET")
    with pytest.raises(ServerError) as info:
        list(session.client.iter_visualization_jobs())
    err = info.value
    assert err.status_code == 503
    assert err.error_code == "APIG.0202"
    assert err.request_id
    assert err.request_id in str(err)


# --- deletes ----------------------------------------------------------------------------------


def _delete_one(w: Any, key: Any) -> dict[str, Any]:
    w.select(keys=[key])
    w.request_delete()
    assert w.confirm()
    assert w.wait(30)
    return by_key(w.last_result)[key]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_on_delete_is_not_resent_and_rechecked_still_listed(
    emulator_env: Any, make_list: Any, status: int
) -> None:
    w = make_list(JobVersionList, fast_session())
    target = inactive(w)[0]
    path = emulator_env.version_path(*target.key)
    emulator_env.force_error(status, count=5, path=path + "$", method="DELETE")
    rec = _delete_one(w, target.key)
    assert emulator_env.delete_calls == {path: 1}
    assert rec["outcome"] == "unknown"
    assert rec["detail"] == "unknown — still listed"
    assert rec["http_status"] == status
    assert rec["request_id"]
    row = show(w, target.key, target.version_name)
    assert 'data-state="unknown"' in row
    assert "unknown — still listed" in row


def test_5xx_after_the_server_deleted_is_rechecked_as_deleted(
    emulator_env: Any, make_list: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_list(JobVersionList, fast_session())
    target = inactive(w)[0]
    path = emulator_env.version_path(*target.key)
    _processed_then(emulator_env, monkeypatch)(target.key)
    emulator_env.force_error(504, path=path + "$", method="DELETE")
    rec = _delete_one(w, target.key)
    assert emulator_env.delete_calls == {path: 1}
    assert rec["outcome"] == "deleted"
    assert target.key not in {v.key for v in w.items}


def test_html_proxy_page_on_delete_is_not_resent_and_rechecked(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(VisualizationJobList, fast_session())
    target = next(j for j in w.items if j.status == 10)
    path = emulator_env.visualization_path(target.key)
    emulator_env.force_error(kind="html", status=502, path=path + "$", method="DELETE")
    rec = _delete_one(w, target.key)
    assert emulator_env.delete_calls == {path: 1}
    assert rec["outcome"] == "unknown"
    assert rec["detail"] == "unknown — still listed"
    assert "not JSON" in (rec["error_msg"] or "")
    assert "Bad Gateway" in rec["error_msg"]


def test_dropped_connection_on_delete_is_not_resent_and_rechecked(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(VisualizationJobList, fast_session())
    target = next(j for j in w.items if j.status == 10)
    path = emulator_env.visualization_path(target.key)
    emulator_env.force_error(kind="drop", count=1, path=path + "$", method="DELETE")
    rec = _delete_one(w, target.key)
    assert emulator_env.delete_calls == {path: 1}
    assert rec["outcome"] == "unknown"
    assert rec["detail"] == "unknown — still listed"
    row = show(w, target.key, target.job_name)
    assert "unknown — still listed" in row
    # a user retry after the re-check sends exactly one more DELETE
    assert w.retry_failed()
    assert w.wait(30)
    assert by_key(w.last_result)[target.key]["outcome"] == "deleted"
    assert emulator_env.delete_calls == {path: 2}


def test_dropped_connection_after_the_server_deleted_is_rechecked_as_deleted(
    emulator_env: Any, make_list: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_list(VisualizationJobList, fast_session())
    target = next(j for j in w.items if j.status == 10)
    path = emulator_env.visualization_path(target.key)
    _processed_then(emulator_env, monkeypatch)(target.key)
    emulator_env.force_error(kind="drop", path=path + "$", method="DELETE")
    rec = _delete_one(w, target.key)
    assert emulator_env.delete_calls == {path: 1}
    assert rec["outcome"] == "deleted"
    assert "no answer" in rec["detail"]
    assert not w.retry_failed()  # nothing to retry: it is gone


def test_timeout_on_delete_is_not_resent_and_rechecked(emulator_env: Any, make_list: Any) -> None:
    w = make_list(JobVersionList, fast_session(timeout=(2.0, 0.2)))
    target = inactive(w)[0]
    path = emulator_env.version_path(*target.key)
    emulator_env.add_latency(5.0, path=path + "$", method="DELETE")
    rec = _delete_one(w, target.key)
    assert emulator_env.delete_calls == {path: 1}
    assert rec["outcome"] == "unknown"
    assert rec["detail"] == "unknown — still listed"
    assert "timeout" in (rec["error_msg"] or "")
