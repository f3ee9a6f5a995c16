"""Half-failed runs, items gone elsewhere, Cancel and kernel interrupts: every item has its own
outcome, retries send only failures, and the receipt always adds up."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable

import pytest
from faults_testlib import show
from listpage import by_key, inactive, page

from modelarts_widgets.session import Session
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList


def _receipt_adds_up(w: Any, n: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in w.last_result:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    assert sum(counts.values()) == n == len({str(r["key"]) for r in w.last_result})
    return counts


def test_half_failed_bulk_delete_each_item_has_its_own_outcome(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(JobVersionList, Session())
    ok = inactive(w)[:3]
    refused = next(v for v in w.items if v.status == 9)  # the server refuses: ModelArts.0105
    bad = inactive(w)[3]
    emulator_env.force_error(
        400,
        body={"error_code": "ModelArts.0104", "error_msg": "Parameter error (injected)."},
        path=emulator_env.version_path(*bad.key) + "$",
        method="DELETE",
    )
    keys = [v.key for v in ok] + [refused.key, bad.key]
    w.select(keys=keys)
    w.request_delete()
    w.confirm(typed_count=5, include_active=True)
    assert w.wait(30)
    rec = by_key(w.last_result)
    assert [rec[k]["outcome"] for k in keys] == ["deleted"] * 3 + ["failed"] * 2
    assert rec[refused.key]["error_code"] == "ModelArts.0105"
    assert "job status: 9" in rec[refused.key]["error_msg"]
    assert rec[bad.key]["error_code"] == "ModelArts.0104"
    assert _receipt_adds_up(w, 5) == {"deleted": 3, "failed": 2}
    assert w.status_message == "Deleted 3 of 5 · 2 failed (ModelArts.0105, ModelArts.0104)"
    assert "failed: ModelArts.0105" in show(w, refused.key, refused.version_name)
    assert "failed: ModelArts.0104" in show(w, bad.key, bad.version_name)
    assert sorted(w.selected) == sorted([refused.key, bad.key])  # failures stay selected

    # retry: only the failures are sent again, each once
    assert w.retry_failed()
    assert w.wait(30)
    rec2 = by_key(w.last_result)
    assert set(rec2) == {refused.key, bad.key}
    assert rec2[bad.key]["outcome"] == "deleted"  # the injected error was one-off
    assert rec2[refused.key]["outcome"] == "failed"  # still canceling: refused again
    calls = emulator_env.delete_calls
    assert [calls[emulator_env.version_path(*v.key)] for v in ok] == [1, 1, 1]
    assert calls[emulator_env.version_path(*refused.key)] == 2
    assert calls[emulator_env.version_path(*bad.key)] == 2


def test_item_deleted_elsewhere_is_already_gone(emulator_env: Any, make_list: Any) -> None:
    w = make_list(VisualizationJobList, Session())
    gone, other = inactive(w)[:2]
    Session().client.delete_visualization_job(gone.key)  # someone else, after our listing
    assert gone.key in {j.key for j in w.items}
    w.select(keys=[gone.key, other.key])
    w.request_delete()
    w.confirm(typed_count=2)
    assert w.wait(30)
    rec = by_key(w.last_result)
    assert rec[gone.key]["outcome"] == "already_gone"
    assert rec[gone.key]["http_status"] == 400  # documented: 400 ModelArts.2775
    assert rec[other.key]["outcome"] == "deleted"
    assert "1 already gone" in w.status_message
    assert not w.retry_failed()  # nothing to retry
    assert {gone.key, other.key}.isdisjoint(j.key for j in w.items)


def test_job_deleted_elsewhere_makes_its_versions_already_gone(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(JobVersionList, Session())
    # a job the console can delete: none of its versions in a status the server refuses
    refused = emulator_env.config.refused_delete_statuses
    job_id = next(
        v.job_id
        for v in inactive(w)
        if not any(o.status in refused for o in w.items if o.job_id == v.job_id)
    )
    versions = [v for v in w.items if v.job_id == job_id]
    emulator_env.backend.delete_training_job(job_id)  # the whole job, from the console
    w.select(keys=[v.key for v in versions])
    w.request_delete()
    w.confirm(typed_count=len(versions), include_active=True)
    assert w.wait(30)
    assert {r["outcome"] for r in w.last_result} == {"already_gone"}
    assert w.error == ""
    assert not any(v.job_id == job_id for v in w.items)


def _slow_run(emulator_env: Any, make_list: Any, n: int = 8) -> Any:
    w = make_list(VisualizationJobList, Session(), concurrency=2)
    for i in range(n):
        emulator_env.add_visualization_job(f"slow-{i}", status=10)
    w.refresh()
    assert w.wait(60)
    emulator_env.add_latency(0.25, path=r"/visualization-jobs/\d+$", method="DELETE")
    w.set_filter(text="slow-")
    w.select(all_matching=True)
    w.request_delete()
    assert w.confirm(typed_count=n)
    return w


def _check_consistent_after_stop(w: Any, emulator_env: Any, n: int) -> None:
    counts = _receipt_adds_up(w, n)
    sent = n - counts.get("not_sent", 0)
    assert set(counts) <= {"deleted", "not_sent"}
    assert len(emulator_env.delete_calls) == sent
    assert set(emulator_env.delete_calls.values()) == {1}
    for r in w.last_result:
        path = emulator_env.visualization_path(r["key"])
        assert (path in emulator_env.delete_calls) == (r["outcome"] != "not_sent")
    assert w.status_message.startswith(f"Cancelled after {sent} of {n}: {sent} sent")
    assert f"{n - sent} not sent" in w.status_message
    listed = {j.key for j in w.items}
    for r in w.last_result:  # what the list shows agrees with the receipt
        assert (r["key"] in listed) == (r["outcome"] == "not_sent")
    not_sent = sorted(r["key"] for r in w.last_result if r["outcome"] == "not_sent")
    assert sorted(w.selected) == not_sent
    if not_sent:
        w.set_filter(text="slow-")
        row = show(w, not_sent[0], "slow-")
        assert row is not None
    assert not w.busy


def test_cancel_mid_run_receipt_is_consistent(
    emulator_env: Any, make_list: Any, wait_until: Callable[..., None]
) -> None:
    w = _slow_run(emulator_env, make_list)
    wait_until(lambda: len(emulator_env.delete_calls) >= 2, what="two deletes sent")
    w.cancel()
    assert w.wait(30)
    _check_consistent_after_stop(w, emulator_env, 8)
    assert 2 <= len(emulator_env.delete_calls) < 8


@contextmanager
def _interrupt_when(condition: Callable[[], bool]) -> Iterator[None]:
    """SIGINT this process (a kernel interrupt) once ``condition()`` holds, only inside the block.

    The signal is sent under a lock that the block's exit also takes, so it can never land
    after the block (where it would abort the whole pytest session); use it inside
    ``pytest.raises(KeyboardInterrupt)``.
    """
    lock = threading.Lock()
    armed = [True]

    def run() -> None:
        for _ in range(4000):
            with lock:
                if not armed[0]:
                    return
                if condition():
                    armed[0] = False
                    os.kill(os.getpid(), signal.SIGINT)
                    return
            threading.Event().wait(0.005)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        with lock:
            armed[0] = False
        thread.join(5)


def test_kernel_interrupt_while_waiting_keeps_the_run_honest(
    emulator_env: Any, make_list: Any
) -> None:
    w = _slow_run(emulator_env, make_list)
    with (
        pytest.raises(KeyboardInterrupt),
        _interrupt_when(lambda: len(emulator_env.delete_calls) >= 2),
    ):
        w.wait(30)  # the cell the user interrupts
    # the run is still going in the background and says so; Cancel still works
    assert w.busy
    assert not page(w).cancel_run.disabled
    w.cancel()
    assert w.wait(30)
    _check_consistent_after_stop(w, emulator_env, 8)


def test_kernel_interrupt_while_waiting_for_a_listing_leaves_it_running(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(VisualizationJobList, Session())
    emulator_env.add_latency(0.5, path=r"/visualization-jobs$", method="GET")
    requests_before = sum(emulator_env.stats()["requests"].values())
    listing_sent = lambda: sum(emulator_env.stats()["requests"].values()) > requests_before  # noqa: E731
    w.refresh()  # returns at once: the listing runs in the background
    with pytest.raises(KeyboardInterrupt), _interrupt_when(listing_sent):
        w.wait(60)  # the cell the user interrupts
    assert w.n_items == 4  # the previous listing is kept meanwhile
    assert w.wait(60)  # the interrupt stopped the waiting, not the listing
    assert not w.loading
    assert w.error == ""
    assert w.status_message == "Listed 4 visualization jobs."


def test_cancel_while_verifying_keeps_accepted_items_honest(
    emulator_env: Any, make_list: Any, wait_until: Callable[..., None]
) -> None:
    emulator_env.delete_delay = None  # accepted deletes finish only on advance()
    w = make_list(VisualizationJobList, Session(), recheck_timeout=30)
    keys = [j.key for j in inactive(w)[:2]]
    w.select(keys=keys)
    w.request_delete()
    w.confirm(typed_count=2)
    wait_until(lambda: len(emulator_env.delete_calls) == 2, what="both deletes sent")
    w.cancel()
    assert w.wait(30)
    rec = by_key(w.last_result)
    assert [rec[k]["outcome"] for k in keys] == ["accepted", "accepted"]  # not "deleted"
    assert "2 accepted" in w.status_message
    assert set(keys) <= {j.key for j in w.items}  # still listed, as the server says
    emulator_env.advance()
    w.refresh()
    assert w.wait(60)
    assert set(keys).isdisjoint(j.key for j in w.items)
