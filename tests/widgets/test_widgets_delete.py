"""Confirm and delete through the widgets against the live emulator (faults, cancel, receipts)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from listpage import by_key, inactive, page
from sessions import fast_session

from modelarts_widgets.models import ACTIVE_STATUSES
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList


def test_delete_is_disabled_until_something_is_selected(make_widget: Any) -> None:
    w = make_widget(JobVersionList)
    assert page(w).delete.disabled
    with pytest.raises(ValueError, match="Nothing selected"):
        w.request_delete()
    w.select(keys=[w.items[0].key])
    assert not page(w).delete.disabled
    assert page(w).delete.description == "Delete 1…"


def test_cancel_at_confirmation_sends_nothing(make_widget: Any, emulator: Any) -> None:
    w = make_widget(JobVersionList)
    w.select(all_matching=True)
    page(w).delete.click()
    assert page(w).panel_open
    assert page(w).panel.layout.display is None
    assert "Delete 6 training job versions?" in page(w).panel_message.value
    page(w).cancel_button.click()
    assert not page(w).panel_open
    assert page(w).panel.layout.display == "none"
    assert w.status_message == "Delete cancelled; nothing was sent."
    assert w.n_selected == 9
    assert w.n_items == 9
    with pytest.raises(ValueError, match="No delete is pending"):
        w.confirm(typed_count=6)
    assert emulator.delete_calls == {}


def test_cancel_from_python_closes_the_confirmation(make_widget: Any, emulator: Any) -> None:
    w = make_widget(VisualizationJobList)
    w.select(all_matching=True)
    w.request_delete()
    w.cancel()
    assert not page(w).panel_open
    assert not w.busy
    assert w.n_selected == 4
    w.select(keys=[w.items[0].key])  # selection changes close a stale preview too
    assert emulator.delete_calls == {}


def test_typed_count_is_required_for_more_than_one(make_widget: Any, emulator: Any) -> None:
    w = make_widget(JobVersionList)
    two = inactive(w)[:2]
    w.select(keys=[v.key for v in two])
    w.request_delete()
    panel = page(w)
    assert panel.count.layout.display is None  # the count box is shown
    assert panel.confirm_button.disabled
    panel.count.value = "3"
    assert panel.confirm_button.disabled
    with pytest.raises(ValueError, match=r"Type the number of items to delete \(2\)"):
        w.confirm(typed_count=5)
    assert emulator.delete_calls == {}
    panel.count.value = "2"
    assert not panel.confirm_button.disabled
    panel.confirm_button.click()
    assert w.wait(30)
    assert sorted(emulator.delete_calls.values()) == [1, 1]
    assert w.n_items == 7
    assert w.status_message == "Deleted 2 of 2"
    assert 'data-done="true"' in page(w).status.value


def test_single_item_needs_no_typed_count(make_widget: Any) -> None:
    w = make_widget(VisualizationJobList)
    done = next(j for j in w.items if j.status == 10)
    w.select(keys=[done.key])
    plan = w.request_delete()
    assert plan is not None
    assert plan.required_count(False) is None
    assert page(w).count.layout.display == "none"
    assert w.confirm()
    assert w.wait(30)
    assert w.last_result[0]["state"] == "deleted"
    assert w.last_result[0]["job_id"] == done.key
    assert done.key not in {j.key for j in w.items}


def test_active_items_are_excluded_unless_included(make_widget: Any, emulator: Any) -> None:
    w = make_widget(JobVersionList)
    w.select(all_matching=True)
    plan = w.request_delete()
    assert plan is not None
    assert plan.n_active == 3
    msg = page(w).panel_message.value
    assert "Delete 6 training job versions?" in msg
    assert "Not deleted: 3 active items" in msg
    assert "active: running" in msg
    assert "active: queuing" in msg
    assert page(w).include_active.description == "include 3 active items"
    page(w).include_active.value = True
    assert "Delete 9 training job versions?" in page(w).panel_message.value
    assert w.confirm(typed_count=6)  # include_active=False again: the 3 active stay
    assert w.wait(30)
    assert len(emulator.delete_calls) == 6
    assert {v.status for v in w.items} <= ACTIVE_STATUSES
    assert w.n_items == 3
    assert w.n_selected == 3  # the held-back items stay selected


def test_mixed_outcomes_in_the_servers_words(
    make_widget: Any, emulator: Any, api: Any, wait_until: Any
) -> None:
    w = make_widget(JobVersionList, fast_session(), concurrency=2)
    versions = {v.key: v for v in w.items}
    canceling = next(v for v in versions.values() if v.status == 9)  # refused: ModelArts.0105
    ok, gone, throttled, broken = inactive(w)[:4]
    api.delete_job_version(*gone.key)  # deleted behind the widget's back -> not found
    emulator.throttle(1, retry_after=1, path=emulator.version_path(*throttled.key), method="DELETE")
    emulator.force_error(503, path=emulator.version_path(*broken.key), method="DELETE")
    keys = [ok.key, gone.key, throttled.key, broken.key, canceling.key]
    w.select(keys=keys)
    w.request_delete()
    assert w.confirm(typed_count=5, include_active=True)
    assert w.busy
    assert w.wait(30)
    assert not w.busy
    rec = by_key(w.last_result)
    assert rec[ok.key]["outcome"] == "deleted"
    assert rec[gone.key]["outcome"] == "already_gone"
    assert rec[gone.key]["http_status"] == 400  # documented: 400 ModelArts.2775
    assert rec[throttled.key]["outcome"] == "deleted"  # 429 was honoured and re-sent
    # a 5xx may or may not have deleted it: "unknown", re-checked (still listed), never re-sent
    assert rec[broken.key]["outcome"] == "unknown"
    assert rec[broken.key]["detail"] == "unknown — still listed"
    assert rec[broken.key]["http_status"] == 503
    assert rec[canceling.key]["outcome"] == "failed"
    assert rec[canceling.key]["error_code"] == "ModelArts.0105"
    assert "job status: 9" in rec[canceling.key]["error_msg"]
    assert rec[ok.key]["request_id"]
    assert rec[ok.key]["total_s"] is not None
    assert rec[ok.key]["job_id"] == ok.key[0]
    assert rec[ok.key]["version_id"] == ok.key[1]
    # failures stay listed with a badge saying why; the gone ones left the list
    assert {ok.key, gone.key, throttled.key}.isdisjoint(v.key for v in w.items)
    assert w.selected == [broken.key, canceling.key]
    w.set_filter(text=canceling.version_name)
    w.select(keys=[canceling.key])
    shown = page(w).cells[page(w).keys.index(canceling.key)].value
    assert "failed: ModelArts.0105" in shown
    assert "This job can&#x27;t be delete. job status: 9</div>" in shown  # on screen, not hover
    assert "1 already gone" in w.status_message
    assert "1 failed" in w.status_message
    assert "1 unknown" in w.status_message
    assert emulator.delete_calls[emulator.version_path(*throttled.key)] == 2
    assert emulator.delete_calls[emulator.version_path(*broken.key)] == 1


def test_retry_failed_reruns_only_failures(make_widget: Any, emulator: Any) -> None:
    w = make_widget(JobVersionList)
    runs: list[list[dict[str, Any]]] = []
    w.on_deleted(runs.append)
    a, b, c = inactive(w)[:3]
    emulator.force_error(500, path=emulator.version_path(*b.key), method="DELETE")
    w.select(keys=[a.key, b.key, c.key])
    w.request_delete()
    w.confirm(typed_count=3)
    assert w.wait(30)
    # the 500 leaves it open whether it was deleted: re-checked, still listed, so retried
    assert [r["outcome"] for r in w.last_result] == ["deleted", "unknown", "deleted"]
    assert w.selected == [b.key]
    assert w.retry_failed()
    assert w.wait(30)
    assert [(r["key"], r["outcome"]) for r in w.last_result] == [(list(b.key), "deleted")]
    assert len(runs) == 2
    assert runs[1] == w.last_result
    assert emulator.delete_calls[emulator.version_path(*a.key)] == 1
    assert emulator.delete_calls[emulator.version_path(*b.key)] == 2
    assert not w.retry_failed()  # nothing left
    w.on_deleted(runs.append, remove=True)


def _slow_run(w: Any, emulator: Any, n: int) -> None:
    """Confirm deleting ``n`` new visualization jobs whose deletes take 0.3 s each."""
    for i in range(n):
        emulator.add_visualization_job(f"slow-{i}", status=10)
    w.refresh()
    assert w.wait(60)
    emulator.add_latency(0.3, path=r".*/visualization-jobs/.+", method="DELETE")
    w.set_filter(text="slow-")
    w.select(all_matching=True)
    w.request_delete()
    w.confirm(typed_count=n)


def test_cancel_mid_run_stops_sending(make_widget: Any, emulator: Any, wait_until: Any) -> None:
    w = make_widget(VisualizationJobList, concurrency=1)
    _slow_run(w, emulator, 8)
    wait_until(lambda: len(emulator.delete_calls) >= 2, what="two deletes sent")
    page(w).cancel_run.click()
    assert w.wait(30)
    sent = len(emulator.delete_calls)
    states = [r["outcome"] for r in w.last_result]
    assert 2 <= sent < 8
    assert states.count("not_sent") == 8 - sent
    assert w.status_message.startswith(
        f"Cancelled after {sent} of 8: {sent} sent, {8 - sent} not sent"
    )
    assert all(n == 1 for n in emulator.delete_calls.values())
    assert w.n_selected == 8 - sent  # the not-sent ones stay selected


def test_second_confirm_while_busy_sends_nothing_twice(
    make_widget: Any, emulator: Any, wait_until: Any
) -> None:
    w = make_widget(JobVersionList)
    emulator.add_latency(0.2, path=r".*/versions/\d+$", method="DELETE")
    keys = [v.key for v in inactive(w)[:3]]
    w.select(keys=keys)
    w.request_delete()
    page(w).count.value = "3"
    page(w).confirm_button.click()
    assert w.busy
    assert page(w).delete.disabled
    assert not page(w).cancel_run.disabled
    page(w).confirm_button.click()  # a double click
    assert w.confirm(typed_count=3) is False  # and a second programmatic confirm
    assert w.request_delete() is None
    assert w.wait(30)
    assert sorted(emulator.delete_calls.values()) == [1, 1, 1]


def test_verified_gone_after_an_asynchronous_delete(
    make_widget: Any, emulator: Any, wait_until: Any
) -> None:
    emulator.delete_delay = None  # manual: items stay listed until advance()
    w = make_widget(VisualizationJobList)
    job = next(j for j in w.items if j.status == 10)
    w.select(keys=[job.key])
    w.request_delete()
    w.confirm()
    wait_until(lambda: 'data-state="accepted"' in (page(w).row_html(job.key) or ""))
    assert w.busy
    emulator.advance()
    assert w.wait(30)
    assert w.last_result[0]["outcome"] == "deleted"
    assert w.last_result[0]["detail"] == "gone"
    assert job.key not in {j.key for j in w.items}


def test_dependencies_are_named_in_the_confirmation(make_widget: Any) -> None:
    versions = make_widget(JobVersionList)
    versions.select(all_matching=True)
    versions.request_delete()
    assert "visualization job vis_job-1 reads this version&#x27;s output" in (
        page(versions).panel_message.value
    )
    vis = make_widget(VisualizationJobList)
    vis.select(all_matching=True)
    plan = vis.request_delete()
    assert plan is not None
    billing = [i.name for i in plan.items if "still billing" in i.notes]
    assert billing == [j.job_name for j in vis.items if j.status == 8]
    assert "still billing" in page(vis).panel_message.value


def test_listing_goes_on_while_the_dependency_check_awaits_its_answer(
    make_widget: Any, emulator: Any
) -> None:
    versions = make_widget(JobVersionList)
    versions.select(all_matching=True)
    selected = sorted(versions.selected)
    emulator.add_latency(3.0, path="visualization-jobs")  # the check lists visualization jobs
    plans: list[Any] = []
    check = threading.Thread(target=lambda: plans.append(versions.request_delete()))
    check.start()
    time.sleep(0.5)  # the check's request is under way
    versions.refresh()
    assert versions.wait(10)  # the listing's arrivals did not wait for the check
    assert check.is_alive()  # (which still awaits its answer)
    check.join(30)
    plan = plans[0]
    assert plan is not None
    assert sorted(i.key for i in plan.items) == selected
    assert "reads this version&#x27;s output" in page(versions).panel_message.value


def test_callback_errors_show_in_the_widget_and_are_logged(make_widget: Any, caplog: Any) -> None:
    w = make_widget(VisualizationJobList)

    def broken(records: list[dict[str, Any]]) -> None:
        raise RuntimeError("callback blew up")

    w.on_deleted(broken)
    w.select(keys=[next(j for j in w.items if j.status == 10).key])
    w.request_delete()
    with caplog.at_level(logging.ERROR, logger="modelarts_widgets.widgets"):
        w.confirm()
        assert w.wait(30)
    assert w.error == "RuntimeError: callback blew up"
    assert "callback blew up" in page(w).error.value
    assert any(r.exc_info for r in caplog.records if "broken" in r.getMessage())
    assert w.last_result[0]["outcome"] == "deleted"  # nothing lost


def test_a_callback_may_start_the_next_run_and_wait_covers_both(
    make_widget: Any, emulator: Any
) -> None:
    for name in ("first", "second"):
        emulator.add_visualization_job(name, status=10)
    w = make_widget(VisualizationJobList)
    first, second = (next(j for j in w.items if j.job_name == n) for n in ("first", "second"))
    runs: list[list[dict[str, Any]]] = []

    def next_run(records: list[dict[str, Any]]) -> None:
        runs.append(records)
        if len(runs) == 1:  # on the run's thread, after the first run settled
            w.select(keys=[second.key])
            w.request_delete()
            assert w.confirm()

    w.on_deleted(next_run)
    w.select(keys=[first.key])
    w.request_delete()
    assert w.confirm()
    assert w.wait(30)
    assert [[r["key"] for r in records] for records in runs] == [[first.key], [second.key]]
    assert not w.busy
    assert {first.key, second.key}.isdisjoint(j.key for j in w.items)


def test_close_mid_run_cancels_it_and_returns_when_its_threads_are_done(
    make_widget: Any, emulator: Any, wait_until: Any
) -> None:
    """``close()`` during a delete run: nothing more is sent (as Cancel), the delete in flight
    finishes, ``close()`` returns when the run's threads have ended, the callbacks get the run's
    records, and nothing is asked afterwards (no re-listing)."""
    before = set(threading.enumerate())
    w = make_widget(VisualizationJobList, concurrency=1)
    runs: list[list[dict[str, Any]]] = []
    w.on_deleted(runs.append)
    _slow_run(w, emulator, 6)
    wait_until(lambda: len(emulator.delete_calls) >= 1, what="the first delete sent")
    w.close()
    asked = sum(emulator.stats()["requests"].values())  # (the run's own re-check included)
    ours = [t for t in set(threading.enumerate()) - before if t.name.startswith("modelarts")]
    assert [t.name for t in ours] == []
    sent = len(emulator.delete_calls)
    assert 1 <= sent < 6  # one at a time, each 0.3 s: close() came while the first was out
    assert [[r["outcome"] for r in run].count("not_sent") for run in runs] == [6 - sent]
    time.sleep(0.3)  # a re-listing would have asked by now
    assert sum(emulator.stats()["requests"].values()) == asked
    assert len(emulator.delete_calls) == sent


def test_a_callback_may_close_the_list(make_widget: Any, emulator: Any) -> None:
    """``close()`` from an ``on_deleted`` callback (on the run's thread) closes the list."""
    w = make_widget(VisualizationJobList)
    closed: list[bool] = []

    def close_when_done(records: list[dict[str, Any]]) -> None:
        w.close()
        closed.append(w.comm is None)

    w.on_deleted(close_when_done)
    w.select(keys=[inactive(w)[0].key])
    w.request_delete()
    w.confirm()
    assert w.wait(30)
    assert closed == [True]
    assert w.error == ""
    assert len(emulator.delete_calls) == 1
