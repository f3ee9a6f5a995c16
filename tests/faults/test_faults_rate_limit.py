"""HTTP 429 on lists and deletes: waited (bounded), shown to the user, nothing lost or doubled."""

from __future__ import annotations

import dataclasses
import time
from typing import Any, Optional

import pytest
from faults_testlib import show
from listpage import by_key, inactive
from sessions import fast_session, http_of, short_sleep

from modelarts_widgets.client._http import HttpEvent
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList

RETRY_AFTER = [pytest.param(1, id="retry-after-1s"), pytest.param(None, id="no-retry-after")]


def _watch_status(widget: Any) -> list[str]:
    seen: list[str] = []
    widget.observe(lambda ch: seen.append(ch["new"]), names="status_message")
    return seen


class StatusAtWaits:
    """The session's sleep (at most 20 ms): notes the widget's status line at the end of every
    wait of its HTTP client (what the user has been looking at while the client waited)."""

    def __init__(self) -> None:
        self.widget: Any = None
        self.at_end: list[str] = []

    def __call__(self, seconds: float) -> None:
        short_sleep(seconds)
        if self.widget is not None:
            self.at_end.append(self.widget.status_message)


def _events(session: Any) -> list[HttpEvent]:
    events: list[HttpEvent] = []
    http_of(session).add_event_listener(events.append)
    return events


@pytest.mark.parametrize("retry_after", RETRY_AFTER)
def test_429_on_list_waits_and_shows_it(
    emulator_env: Any, make_list: Any, retry_after: Optional[int]
) -> None:
    sleep = StatusAtWaits()
    session = fast_session(sleep=sleep)
    w = make_list(VisualizationJobList, session)
    seen = _watch_status(w)
    events = _events(session)
    sleep.widget = w
    emulator_env.throttle(1, retry_after=retry_after, path=r"/visualization-jobs$", method="GET")
    w.refresh()
    assert w.wait(60)
    assert w.error == ""
    assert w.n_items == 4
    assert [e.kind for e in events] == ["rate_limited"]
    if retry_after is not None:
        assert events[0].wait_s == pytest.approx(retry_after)
    assert events[0].wait_s <= http_of(session).retry.max_retry_after
    assert any("rate limited" in s and "waiting" in s for s in seen), seen
    assert sleep.at_end
    assert all("rate limited" in s for s in sleep.at_end), sleep.at_end


@pytest.mark.parametrize("retry_after", RETRY_AFTER)
def test_429_on_version_list_waits_and_lists_everything(
    emulator_env: Any, make_list: Any, retry_after: Optional[int]
) -> None:
    session = fast_session()
    emulator_env.throttle(2, retry_after=retry_after, path=r"/versions$", method="GET")
    w = make_list(JobVersionList, session)
    assert w.error == ""
    assert w.n_items == 9


@pytest.mark.parametrize("retry_after", RETRY_AFTER)
def test_429_on_delete_waits_and_sends_once(
    emulator_env: Any, make_list: Any, retry_after: Optional[int]
) -> None:
    sleep = StatusAtWaits()
    session = fast_session(sleep=sleep)
    w = make_list(JobVersionList, session)
    target = inactive(w)[0]
    path = emulator_env.version_path(*target.key)
    seen = _watch_status(w)
    events = _events(session)
    sleep.widget = w
    emulator_env.throttle(1, retry_after=retry_after, path=path + "$", method="DELETE")
    w.select(keys=[target.key])
    w.request_delete()
    assert w.confirm()
    assert w.wait(30)
    rec = by_key(w.last_result)[target.key]
    # "deleted" (not "already gone") proves the throttled request was not processed
    assert rec["outcome"] == "deleted"
    assert emulator_env.delete_calls == {path: 2}  # one throttled, one processed
    assert [(e.kind, e.method) for e in events] == [("rate_limited", "DELETE")]
    assert any("rate limited" in s for s in seen), seen
    assert sleep.at_end
    assert all("rate limited" in s for s in sleep.at_end), sleep.at_end
    assert target.key not in {v.key for v in w.items}


def test_429_on_delete_gives_up_after_the_bound_and_says_so(
    emulator_env: Any, make_list: Any
) -> None:
    session = fast_session()
    w = make_list(JobVersionList, session)
    http = http_of(session)
    http.retry = dataclasses.replace(http.retry, max_retry_after=0.05, max_rate_limit_retries=3)
    target = inactive(w)[0]
    path = emulator_env.version_path(*target.key)
    emulator_env.throttle(50, retry_after=0.01, path=path + "$", method="DELETE")
    w.select(keys=[target.key])
    w.request_delete()
    w.confirm()
    assert w.wait(30)
    rec = by_key(w.last_result)[target.key]
    assert rec["outcome"] == "failed"
    assert rec["http_status"] == 429
    assert rec["error_code"] == "APIG.0308"
    assert "throttling" in rec["error_msg"]
    # bounded by the 429 budget, none processed
    assert emulator_env.delete_calls[path] == 1 + http.retry.max_rate_limit_retries
    assert "1 failed (APIG.0308)" in w.status_message
    assert "failed: APIG.0308" in show(w, target.key, target.version_name)
    assert target.key in {v.key for v in w.items}  # still there, still selected for a retry
    assert w.selected == [target.key]


def test_rate_limited_bulk_delete_loses_nothing(emulator_env: Any, make_list: Any) -> None:
    session = fast_session(sleep=time.sleep)  # the token bucket refills in real time
    w = make_list(VisualizationJobList, session, concurrency=4)
    for n in range(12):
        emulator_env.add_visualization_job(f"bulk-{n}", status=10)
    w.refresh()
    assert w.wait(60)
    w.set_filter(text="bulk-")
    w.select(all_matching=True)
    keys = list(w.selected)
    seen = _watch_status(w)
    events = _events(session)
    emulator_env.set_rate_limit(
        20, burst=2, retry_after=0.2, path=r"/visualization-jobs/", method="DELETE"
    )
    throttled_finals: dict[str, int] = {}
    final: dict[str, str] = {}
    for _run in range(6):  # the first run, then "retry failed" until nothing is left
        if _run == 0:
            w.request_delete()
            w.confirm(typed_count=12)
        elif not w.retry_failed():
            break
        assert w.wait(60)
        for key, rec in by_key(w.last_result).items():
            assert rec["outcome"] in ("deleted", "failed"), rec
            if rec["outcome"] == "failed":  # only ever because the bound of 429s was reached
                assert rec["http_status"] == 429
                assert rec["error_code"] == "APIG.0308"
                throttled_finals[key] = throttled_finals.get(key, 0) + 1
            final[key] = rec["outcome"]
    assert final == dict.fromkeys(keys, "deleted")
    assert any("rate limited" in s for s in seen)
    assert {j.key for j in w.items}.isdisjoint(keys)
    # processed DELETEs per item = received - throttled (re-sent after an event, or final 429)
    resent = {}
    for e in events:
        if e.kind == "rate_limited":
            resent[e.path] = resent.get(e.path, 0) + 1
    for key in keys:
        path = emulator_env.visualization_path(key)
        processed = (
            emulator_env.delete_calls[path] - resent.get(path, 0) - throttled_finals.get(key, 0)
        )
        assert processed == 1, (key, emulator_env.delete_calls[path])
