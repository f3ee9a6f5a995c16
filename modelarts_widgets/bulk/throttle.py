"""Coalesce frequent updates into at most one callback per interval.

The Jupyter server rate-limits comm messages, so a bulk operation that changes hundreds of rows
must not update the UI once per change. :class:`Coalescer` keeps the latest value per key and
hands the changed ones to ``callback`` from one background thread: the first push is delivered
at once (or, with ``gather``, that many seconds later, with what else came meanwhile), later
ones at most once per ``interval`` seconds (settable while running). With ``eager``, a push made
while ``eager()`` is true is delivered at once, without the gather or the interval (the leading
edge, e.g. while a list does not show a full page yet); even then no window of
``WINDOW_CALLS`` intervals holds more than ``WINDOW_CALLS`` calls (10 a second at 0.1 s).
``close()`` stops the thread and makes one last call with whatever is pending. Calls never
overlap and arrive in order; an exception in ``callback`` is logged (logger
``modelarts_widgets.bulk``) and never propagates.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Hashable
from typing import Callable, Generic, Optional, TypeVar

__all__ = ["Coalescer"]

logger = logging.getLogger("modelarts_widgets.bulk")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: At most this many calls in any window of this many intervals (eager ones included).
WINDOW_CALLS = 10


class Coalescer(Generic[K, V]):
    """Deliver ``{key: latest value}`` batches to ``callback`` at most once per ``interval``.

    Thread-safe: ``push`` may be called from any thread and never runs the callback itself.
    """

    def __init__(
        self,
        callback: Callable[[dict[K, V]], None],
        interval: float = 0.1,
        gather: float = 0.0,
        eager: Optional[Callable[[], bool]] = None,
    ) -> None:
        if interval < 0 or gather < 0:
            raise ValueError("interval and gather must be >= 0")
        self._callback = callback
        self._interval = float(interval)
        self._gather = float(gather)  # after a quiet spell, wait this long for more pushes
        self._eager = eager  # while it says True, deliver at once (no gather, no interval)
        self._recent: deque[float] = deque(maxlen=WINDOW_CALLS)  # monotonic times of calls
        self._lock = threading.Lock()
        self._call_lock = threading.Lock()  # serialises callback invocations
        self._pending: dict[K, V] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._closed = False
        self.calls = 0
        """How many times ``callback`` has been called (for tests and diagnostics)."""

    @property
    def interval(self) -> float:
        """Seconds between two batches (may be changed while running; the next wait uses it)."""
        return self._interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("interval must be >= 0")
        self._interval = float(seconds)

    @property
    def closed(self) -> bool:
        return self._closed

    def push(self, key: K, value: V) -> None:
        """Record the latest ``value`` for ``key``; delivered with the next batch."""
        with self._lock:
            if self._closed:
                return
            self._pending[key] = value
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="modelarts-widgets-coalescer", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def flush(self) -> None:
        """Deliver what is pending now (no call when nothing is pending)."""
        self._deliver(always=False)

    def close(self, *, final_call: bool = False) -> None:
        """Stop the background thread and deliver what is pending.

        With ``final_call=True`` the callback is called once more even if nothing is pending
        (so a listener always hears about the end). Later pushes are ignored. Idempotent.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        self._stop.set()
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._deliver(always=final_call)

    def _run(self) -> None:
        while True:
            with self._lock:
                idle = not self._pending
            if idle:
                self._wake.wait()
            if self._stop.is_set():
                return
            self._wake.clear()
            if not self._is_eager() and self._gather and self._stop.wait(self._gather):
                return  # close() delivers what is pending
            if self._stop.wait(self._window_wait()):
                return
            self._deliver(always=False)
            if self._rest():
                return

    def _is_eager(self) -> bool:
        if self._eager is None:
            return False
        try:
            return bool(self._eager())
        except Exception:
            logger.exception("eager check raised; the batch is paced as usual")
            return False

    def _window_wait(self) -> float:
        """Seconds until one more call keeps every window within ``WINDOW_CALLS`` calls."""
        with self._lock:
            if len(self._recent) < WINDOW_CALLS:
                return 0.0
            oldest = self._recent[0]
        return max(0.0, oldest + WINDOW_CALLS * self._interval - time.monotonic())

    def _rest(self) -> bool:
        """Wait one interval after a call (the rate bound); True when stopped meanwhile.

        A push while ``eager()`` is true ends the wait early (it is delivered at once).
        """
        end = time.monotonic() + self._interval
        while True:
            left = end - time.monotonic()
            if left <= 0 or not self._wake.wait(left):
                return self._stop.is_set()
            if self._stop.is_set():
                return True
            if self._is_eager():
                return False
            self._wake.clear()  # pending stays pending: the loop delivers it after the interval

    def _deliver(self, *, always: bool) -> None:
        with self._call_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch and not always:
                return
            self.calls += 1
            with self._lock:
                self._recent.append(time.monotonic())
            try:
                self._callback(batch)
            except Exception:
                logger.exception("update callback raised; the operation continues")
