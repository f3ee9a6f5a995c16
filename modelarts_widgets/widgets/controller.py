"""The delete controller of a list: one object owning a run (the bulk delete, outcomes, idle).

The list hands it the confirmed items; the controller starts a
:class:`~modelarts_widgets.bulk.BulkDelete` on the list's :class:`~modelarts_widgets.bulk.DeleteOps`
and talks back only through :class:`DeleteView` (re-draw rows and page, status, busy, result).
When the run is done (``on_done``, in the run's thread) it settles the selection, re-lists,
publishes the receipt and calls the ``on_deleted`` callbacks; then ``wait()`` returns.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Generic, Optional, Protocol, TypeVar, Union

from modelarts_widgets._types import ListItem
from modelarts_widgets.bulk import (
    RETRYABLE,
    BatchOps,
    BulkDelete,
    DeleteOps,
    ItemOutcome,
    Outcome,
)
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.widgets._view import ListParts
from modelarts_widgets.widgets.receipt import summary_html
from modelarts_widgets.widgets.status import guarded

__all__ = ["DeleteController", "DeleteView", "Record", "RunSettings"]

logger = logging.getLogger("modelarts_widgets.widgets")

T = TypeVar("T", bound=ListItem)
Record = dict[str, Any]
#: Outcomes that take an item off the list.
GONE = frozenset({Outcome.DELETED, Outcome.ALREADY_GONE})


class DeleteView(Protocol):
    """What the controller needs from the list it runs for."""

    def render(self) -> None:
        """Re-draw the page (rows, pager, selection, buttons)."""

    def render_rows(self, keys: Iterable[Hashable]) -> None:
        """Re-draw the cells of the rows showing ``keys`` (those not on the page are skipped)."""

    def set_status(self, text: str, html: Optional[str] = None, *, progress: bool = False) -> None:
        """Show a status line (``progress=True``: coalesced, at most a few per second)."""

    def set_error(self, text: str) -> None: ...

    def set_busy(self, busy: bool) -> None: ...

    def set_progress(self, done: int, total: int, counts: Mapping[str, int]) -> None:
        """Show ``done`` of ``total`` items and the counts by outcome; ``total`` 0 hides it."""

    def set_result(self, records: list[Record]) -> None:
        """Publish the receipt of the last run (one record per item)."""

    def refresh(self) -> None:
        """Re-list the items from the server."""


@dataclass(frozen=True)
class RunSettings:
    """How a run goes: parallel deletes, re-checking until gone (and for how long, how often)."""

    concurrency: int = 8
    recheck: bool = True
    recheck_timeout: float = 60.0
    poll_interval: float = 1.0


class DeleteController(Generic[T]):
    """Runs deletes for one list; the state of the current / last run lives here only."""

    def __init__(
        self,
        parts: ListParts[T, DeleteView],
        ops: Callable[[ModelArtsApi], Union[DeleteOps, BatchOps]],
        *,
        settings: RunSettings,
        ids: Callable[[Hashable], dict[str, Any]],
    ) -> None:
        self._parts = parts
        self._ops = ops
        self._settings = settings
        self._ids = ids
        self._bulk: Optional[BulkDelete] = None
        self._outcomes: dict[Hashable, ItemOutcome] = {}
        self._callbacks: list[Callable[[list[Record]], Any]] = []
        self._busy = False
        self._closed = False  # the list is closed: a run under way ends without drawing
        self._idle = threading.Event()
        self._idle.set()

    # --- what the list reads -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """True from ``start()`` until the run is done and the list re-listed."""
        return self._busy

    def outcome(self, key: Hashable) -> Optional[ItemOutcome]:
        """The latest outcome of ``key`` in the current / last run."""
        return self._outcomes.get(key)

    # --- actions ---------------------------------------------------------------------------------
    def start(self, client: ModelArtsApi, items: Sequence[tuple[Hashable, str]]) -> None:
        """Delete ``(key, name)`` items in the background (the caller checked ``busy``)."""
        ops = self._ops(client)
        s = self._settings
        batch = ops if isinstance(ops, BatchOps) else None
        bulk = BulkDelete(
            items,
            ops.delete_one,
            ops.still_listed,
            concurrency=s.concurrency,
            recheck=s.recheck,
            recheck_timeout=s.recheck_timeout,
            poll_interval=s.poll_interval,
            on_update=self._guard(self._on_update),
            on_done=lambda: self._finish(bulk),
            delete_many=batch.delete_many if batch else None,
            batchable=batch.batchable if batch else None,
            batch_size=batch.batch_size if batch else 100,
        )
        view = self._parts.view
        self._set_busy(True)
        self._idle.clear()
        view.set_error("")
        self._bulk = bulk
        self._outcomes = bulk.outcomes
        n = len(bulk.outcomes)
        view.set_status(f"Deleting {self._parts.nouns.count(n)}…")
        view.set_progress(0, n, {})
        view.render()
        bulk.start()

    def cancel(self) -> bool:
        """Stop sending (items not yet sent stay); False when no run is busy."""
        bulk = self._bulk
        if not self._busy or bulk is None:
            return False
        bulk.cancel()
        self._parts.view.set_status("Cancelling: no further deletes will be sent…")
        return True

    def retry_keys(self) -> list[tuple[Hashable, str]]:
        """``(key, name)`` of the last run's failures still listed (see ``failed_keys``)."""
        bulk = self._bulk
        if self._busy or bulk is None:
            return []
        names = {k: o.name for k, o in self._outcomes.items()}
        return [(k, names[k]) for k in bulk.failed_keys() if k in self._parts.state.by_key]

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until no run is busy (re-listed, callbacks called); False on timeout."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """The list is closing: cancel a run under way (as Cancel does: nothing more is sent,
        deletes in flight finish) and wait for its threads. Its records still reach the
        ``on_deleted`` callbacks; nothing is drawn or re-listed. Call without the list's lock."""
        self._closed = True
        bulk = self._bulk
        if bulk is None:
            return
        if not bulk.done:
            bulk.cancel()
        bulk.join()

    def on_deleted(self, callback: Callable[[list[Record]], Any], remove: bool = False) -> None:
        if remove:
            if callback in self._callbacks:
                self._callbacks.remove(callback)
        elif callback not in self._callbacks:
            self._callbacks.append(callback)

    # --- the run -----------------------------------------------------------------------------
    def _guard(self, fn: Callable[..., Any]) -> Callable[..., None]:
        return guarded(fn, self._parts.view.set_error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._parts.view.set_busy(busy)

    def _on_update(self, changed: dict[Hashable, ItemOutcome]) -> None:
        view = self._parts.view
        with self._parts.lock:
            if self._closed:
                return
            self._outcomes.update(changed)
            view.render_rows(changed)
            bulk = self._bulk
            if bulk is not None and not bulk.done:
                view.set_status(bulk.summary(), summary_html(bulk), progress=True)
            if self._busy:  # the last update too: the bar shows the end before it goes
                view.set_progress(*self._progress())

    def _progress(self) -> tuple[int, int, dict[str, int]]:
        """``(done, total, counts by outcome)``; with re-checking "accepted" is not done yet."""
        counts: dict[str, int] = {}
        for outcome in self._outcomes.values():
            counts[str(outcome.state)] = counts.get(str(outcome.state), 0) + 1
        pending = {str(Outcome.QUEUED), str(Outcome.SENDING)}
        if self._settings.recheck:
            pending.add(str(Outcome.ACCEPTED))
        done = sum(n for state, n in counts.items() if state not in pending)
        counts.pop(str(Outcome.QUEUED), None)
        return done, len(self._outcomes), counts

    def _finish(self, bulk: BulkDelete) -> None:
        try:
            self._guard(self._settle)(bulk)
        finally:
            with self._parts.lock:
                current = self._bulk is bulk  # an on_deleted callback may have started another
                if current:
                    self._parts.view.set_progress(0, 0, {})  # the status line keeps the receipt
                if current and self._busy:
                    self._set_busy(False)
            if current:
                self._idle.set()

    def _settle(self, bulk: BulkDelete) -> None:
        outcomes = bulk.outcomes
        records = [self._record(o) for o in outcomes.values()]
        retry = set(bulk.failed_keys())  # also "unknown" items seen still listed
        st, view = self._parts.state, self._parts.view
        if self._closed:  # the list is closed: the receipt and the callbacks only
            with self._parts.lock:
                self._outcomes = dict(outcomes)
                view.set_result(records)
            self._call_back(records)
            return
        with self._parts.lock:
            self._outcomes = dict(outcomes)
            keep = [
                k
                for k in st.selected
                if k not in outcomes or outcomes[k].state in RETRYABLE or k in retry
            ]
            st.set_selected(keep)
            st.remove(k for k, o in outcomes.items() if o.state in GONE)
            view.render()
        view.refresh()
        with self._parts.lock:
            view.set_result(records)
            self._set_busy(False)
            view.set_status(bulk.summary(), summary_html(bulk))
            view.render()
        self._call_back(records)

    def _call_back(self, records: list[Record]) -> None:
        for callback in list(self._callbacks):
            self._guard(callback)(records)

    def _record(self, outcome: ItemOutcome) -> Record:
        record = outcome.as_record()
        record["outcome"] = record["state"]
        record.update(self._ids(outcome.key))
        return record
