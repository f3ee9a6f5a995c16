"""Coalesce frequent updates into at most one callback per interval.

The Jupyter server rate-limits comm messages, so a bulk operation that changes hundreds of rows
must not update the UI once per change. :class:`Coalescer` keeps the latest value per key and
hands the changed ones to ``callback`` from one background thread: the first push is delivered
at once, later ones at most once per ``interval`` seconds. ``close()`` stops the thread and makes
one last call with whatever is pending. Calls never overlap and arrive in order; an exception in
``callback`` is logged (logger ``modelarts_widgets.bulk``) and never propagates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable
from typing import Callable, Generic, Optional, TypeVar

__all__ = ["Coalescer"]

logger = logging.getLogger("modelarts_widgets.bulk")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Coalescer(Generic[K, V]):
    """Deliver ``{key: latest value}`` batches to ``callback`` at most once per ``interval``.

    Thread-safe: ``push`` may be called from any thread and never runs the callback itself.
    """

    def __init__(self, callback: Callable[[dict[K, V]], None], interval: float = 0.1) -> None:
        if interval < 0:
            raise ValueError("interval must be >= 0")
        self._callback = callback
        self._interval = float(interval)
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
            self._wake.wait()
            if self._stop.is_set():
                return
            self._wake.clear()
            self._deliver(always=False)
            # Rate bound: wait one interval before the next batch (woken early only by close).
            if self._stop.wait(self._interval):
                return

    def _deliver(self, *, always: bool) -> None:
        with self._call_lock:
            with self._lock:
                batch, self._pending = self._pending, {}
            if not batch and not always:
                return
            self.calls += 1
            try:
                self._callback(batch)
            except Exception:
                logger.exception("update callback raised; the operation continues")
