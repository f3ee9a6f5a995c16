"""Coalescer: latest value per key, serialised calls, rate bound, final call, errors logged."""

from __future__ import annotations

import logging
import math
import threading
import time

import pytest
from _engine_fakes import WAIT

from modelarts_widgets.bulk import Coalescer
from modelarts_widgets.bulk.throttle import WINDOW_CALLS


def test_first_push_is_delivered_and_close_flushes_the_rest() -> None:
    got: list[dict[str, int]] = []
    first = threading.Event()

    def callback(batch: dict[str, int]) -> None:
        got.append(batch)
        first.set()

    coalescer: Coalescer[str, int] = Coalescer(callback, interval=WAIT * 10)
    coalescer.push("a", 1)
    assert first.wait(WAIT)
    coalescer.push("a", 2)  # held back by the long interval
    coalescer.push("b", 3)
    coalescer.push("a", 4)
    coalescer.close()
    assert got == [{"a": 1}, {"a": 4, "b": 3}]
    assert coalescer.calls == 2
    coalescer.push("c", 5)  # ignored after close
    coalescer.flush()
    assert coalescer.closed
    assert len(got) == 2


def test_close_with_final_call_calls_even_when_nothing_is_pending() -> None:
    got: list[dict[str, int]] = []
    coalescer: Coalescer[str, int] = Coalescer(got.append, interval=0.1)
    coalescer.close(final_call=True)
    coalescer.close(final_call=True)  # idempotent
    assert got == [{}]


def test_flush_delivers_now_and_skips_empty() -> None:
    got: list[dict[int, int]] = []
    coalescer: Coalescer[int, int] = Coalescer(got.append, interval=WAIT * 10)
    coalescer.flush()
    assert got == []
    coalescer.close()


def test_callback_errors_are_logged_and_later_batches_still_arrive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    got: list[dict[str, int]] = []

    def callback(batch: dict[str, int]) -> None:
        got.append(batch)
        if len(got) == 1:
            raise RuntimeError("listener bug")

    with caplog.at_level(logging.ERROR, logger="modelarts_widgets.bulk"):
        coalescer: Coalescer[str, int] = Coalescer(callback, interval=0)
        coalescer.push("a", 1)
        coalescer.close()  # joins the thread, so the first call has happened
        assert got[0] == {"a": 1}
    assert any("listener bug" in (r.exc_text or "") for r in caplog.records)


def test_many_threads_latest_values_and_call_count_bound() -> None:
    interval = 0.02
    lock = threading.Lock()
    active = 0
    overlapped = False
    latest: dict[tuple[int, int], int] = {}

    def callback(batch: dict[tuple[int, int], int]) -> None:
        nonlocal active, overlapped
        with lock:
            active += 1
            overlapped = overlapped or active > 1
        latest.update(batch)
        with lock:
            active -= 1

    coalescer: Coalescer[tuple[int, int], int] = Coalescer(callback, interval=interval)
    start = time.monotonic()

    def pusher(t: int) -> None:
        for i in range(2000):
            coalescer.push((t, i % 50), i)

    threads = [threading.Thread(target=pusher, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    coalescer.close()
    duration = time.monotonic() - start
    assert not overlapped
    assert latest == {(t, k): 1950 + k for t in range(4) for k in range(50)}
    # Behaviour bound on the number of calls (one per interval, plus the first and the last).
    assert 1 <= coalescer.calls <= math.ceil(duration / interval) + 2


def test_negative_interval_is_rejected() -> None:
    with pytest.raises(ValueError, match="interval"):
        Coalescer(lambda batch: None, interval=-1)


def test_gather_delivers_pushes_made_together_in_one_call() -> None:
    got: list[dict[str, int]] = []
    delivered = threading.Event()

    def callback(batch: dict[str, int]) -> None:
        got.append(batch)
        delivered.set()

    coalescer: Coalescer[str, int] = Coalescer(callback, interval=0.0, gather=0.5)
    coalescer.push("a", 1)
    coalescer.push("b", 2)  # within the gather window of the first push
    assert delivered.wait(WAIT)
    assert got[0] == {"a": 1, "b": 2}
    coalescer.close()
    with pytest.raises(ValueError, match="interval"):
        coalescer.interval = -1.0
    coalescer.interval = 0.5
    assert coalescer.interval == 0.5


def test_eager_pushes_skip_gather_and_interval_until_eager_says_no() -> None:
    """The leading edge: while ``eager()`` is true a push is delivered at once, even one that
    comes within the interval after the last call; afterwards pushes wait for the interval."""
    got: list[dict[str, int]] = []
    delivered = threading.Semaphore(0)

    def callback(batch: dict[str, int]) -> None:
        got.append(batch)
        delivered.release()

    # gather and interval far longer than WAIT: only the leading edge can deliver within WAIT
    coalescer: Coalescer[str, int] = Coalescer(
        callback, interval=WAIT * 10, gather=WAIT * 10, eager=lambda: len(got) < 2
    )
    coalescer.push("a", 1)  # the first arrival: no gather
    assert delivered.acquire(timeout=WAIT)
    coalescer.push("b", 2)  # within the interval after the first call: still at once
    assert delivered.acquire(timeout=WAIT)
    coalescer.push("c", 3)  # eager() is now False: held back by the interval
    coalescer.push("d", 4)
    assert got == [{"a": 1}, {"b": 2}]
    coalescer.close()
    assert got == [{"a": 1}, {"b": 2}, {"c": 3, "d": 4}]


def test_eager_pushes_still_keep_the_window_bound() -> None:
    """Never more than WINDOW_CALLS calls in WINDOW_CALLS intervals, eager or not."""
    got: list[dict[int, int]] = []
    delivered = threading.Semaphore(0)

    def callback(batch: dict[int, int]) -> None:
        got.append(batch)
        delivered.release()

    coalescer: Coalescer[int, int] = Coalescer(callback, interval=WAIT * 10, eager=lambda: True)
    for i in range(WINDOW_CALLS):
        coalescer.push(i, i)
        assert delivered.acquire(timeout=WAIT)
    coalescer.push(WINDOW_CALLS, 0)  # one call too many for the window: held back
    coalescer.push(WINDOW_CALLS + 1, 1)
    assert len(got) == WINDOW_CALLS
    coalescer.close()
    assert got[WINDOW_CALLS:] == [{WINDOW_CALLS: 0, WINDOW_CALLS + 1: 1}]


def test_a_failing_eager_check_paces_as_usual(caplog: pytest.LogCaptureFixture) -> None:
    got: list[dict[str, int]] = []
    delivered = threading.Event()

    def callback(batch: dict[str, int]) -> None:
        got.append(batch)
        delivered.set()

    def broken() -> bool:
        raise RuntimeError("eager bug")

    with caplog.at_level(logging.ERROR, logger="modelarts_widgets.bulk"):
        coalescer: Coalescer[str, int] = Coalescer(callback, interval=0.0, eager=broken)
        coalescer.push("a", 1)
        assert delivered.wait(WAIT)  # delivered by the thread, after asking eager()
        coalescer.close()
    assert got == [{"a": 1}]
    assert any("eager bug" in (r.exc_text or "") for r in caplog.records)
