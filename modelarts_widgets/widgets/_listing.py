"""The listing step of a list: in the background, rows merged as they arrive, progress shown.

:class:`Listing` runs one :class:`~._streaming.ListingRun` at a time (a new ``start()`` stops the
one under way): the producer lists through the client in the run's thread, batches of arrivals
(at most ten a second; at once while the list holds less than a page) are merged into the list's
:class:`~._view.ListState` without touching page, filter, sort or selection, and the list is
told through :class:`ListingView`. At the end the placeholders go, a complete listing drops the
rows it no longer found, and the status line or the error says how it went (a failure keeps
every row listed so far).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Hashable
from typing import Any, Callable, Generic, Optional, Protocol, TypeVar

from modelarts_widgets.client.base import ListsWorkspaces, ModelArtsApi
from modelarts_widgets.widgets._streaming import Arrivals, Batch, Feed, ListingRun, Progress
from modelarts_widgets.widgets._view import ListParts

__all__ = ["Listing", "ListingView"]

logger = logging.getLogger("modelarts_widgets.widgets")

#: How long the thread making rows ahead sleeps after each row (a real sleep: see ``table.py``).
PREPARE_YIELD_S = 0.0001

T = TypeVar("T")


class ListingView(Protocol):
    """What a listing needs from the list it fills."""

    def render(self) -> None:
        """Re-draw the page (rows, pager, selection, buttons)."""

    def set_status(self, text: str, html: Optional[str] = None, *, progress: bool = False) -> None:
        """Show a status line."""

    def set_error(self, text: str) -> None: ...

    def set_loading(self, progress: Optional[Progress], loading: bool) -> None:
        """Publish ``loading`` and show ``progress`` on the bar (hidden when not loading)."""

    def selection_changed(self) -> None:
        """Re-draw the selection (listed items that were selected may be gone)."""

    def prepare_row(self) -> bool:
        """Make one row widget ahead of the first rows; False when there is none left to make."""


class _ConnectError(Exception):
    """The client could not be made (shown as "Could not connect", not "Could not list")."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


class Listing(Generic[T]):
    """Background listings of one list; call ``start`` / ``close`` without holding its lock."""

    def __init__(
        self,
        parts: ListParts[T, Optional[ListingView]],
        produce: Callable[[ModelArtsApi, Feed], None],
        connect: Callable[[], ModelArtsApi],
        *,
        group_of: Callable[[T], Hashable],
        listed_text: Callable[[int, str], str],
        keep: Optional[Callable[[T], bool]] = None,
    ) -> None:
        self._parts = parts  # its view may come later: see attach()
        self._announce = True  # whether the run under way says "Loading…" (once there is a view)
        self._produce = produce
        self._connect = connect
        self._keep = keep  # rows listed but not shown (e.g. of other workspaces) are dropped
        #: The status line at the end, from the count and the run's note ("Listed 12 jobs.").
        self._listed_text = listed_text
        self._arrivals: Arrivals[T] = Arrivals(parts.state.key_of, group_of)
        parts.state.placeholders = self._arrivals.placeholders  # one set, kept up to date here
        self._run: Optional[ListingRun] = None
        self._failed = False  # the error shown is the last listing's
        self._preparing: Optional[threading.Thread] = None

    @property
    def loading(self) -> bool:
        run = self._run
        return run is not None and not run.done.is_set()

    @property
    def awaiting_first_answer(self) -> bool:
        """Whether a listing is under way that has reported nothing yet (its first requests
        are being sent or awaited)."""
        run = self._run
        return run is not None and not run.done.is_set() and not run.feed.pushed

    def attach(self, view: ListingView) -> None:
        """Show listings on ``view`` from now on (a listing under way included).

        A list starts its first listing before its widgets exist, so that the first requests
        are under way while they are built; it holds its lock until it attaches the view, and
        arrivals wait for that lock.
        """
        with self._parts.lock:
            self._parts = dataclasses.replace(self._parts, view=view)
            if self.loading:
                self._show_start(view)
                self._start_preparing()

    def _start_preparing(self) -> None:
        """Make the first page's row widgets while the first answer is awaited, in a thread of
        its own that stops when anything arrives (the first redraw makes the rest)."""
        run = self._run
        if run is None or self._preparing is not None:
            return
        self._preparing = threading.Thread(
            target=self._prepare_rows,
            args=(run,),
            name="modelarts-widgets-listing-rows",
            daemon=True,
        )
        self._preparing.start()

    def _prepare_rows(self, run: ListingRun) -> None:
        while True:
            with self._parts.lock:  # (held by the constructor until the list is built)
                view = self._parts.view
                if view is None or run is not self._run or run.done.is_set():
                    return
                if run.stopped or run.feed.pushed or not view.prepare_row():
                    return
            # a real sleep hands the interpreter to a listing thread whose answer has come in
            time.sleep(PREPARE_YIELD_S)

    def start(self, *, announce: bool = True) -> None:
        """List in the background (stopping a listing under way) and return.

        ``announce`` False (the re-listing after a delete) leaves the status line to the run's
        receipt and keeps an error that is not a listing's.
        """
        with self._parts.lock:
            if self._run is not None:
                self._run.stop()
            run = ListingRun(
                lambda feed: self._list(feed, run),
                lambda batch: self._arrived(run, batch),
                lambda error: self._ended(run, error, announce),
                eager=self._filling,
                wanted=self._wanted,
            )
            self._run = run
            self._arrivals.restart()
            self._announce = announce
            if self._parts.view is not None:
                self._show_start(self._parts.view)
            run.start()

    def _show_start(self, view: ListingView) -> None:
        view.set_loading(None, True)
        if self._announce:
            view.set_status(f"Loading {self._parts.nouns.plural}…")

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until no listing is under way; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            run = self._run
            if run is None:
                return True
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not run.done.wait(left):
                return False
            if run is self._run:
                return True

    def close(self) -> None:
        """Stop a listing under way and wait for its threads (none outlives the list)."""
        run = self._run
        if run is not None:
            run.stop()
            run.join()
        preparing = self._preparing
        if preparing is not None and preparing is not threading.current_thread():
            preparing.join()

    def _wanted(self) -> int:
        """Rows the list lacks for a full first page."""
        st = self._parts.state
        return st.page_size - len(st.items)

    def _filling(self) -> bool:
        """True while the list holds less than a page: its next arrivals show at once."""
        return self._wanted() > 0

    # --- the run's thread --------------------------------------------------------------------
    def _list(self, feed: Feed, run: ListingRun) -> None:
        try:
            client = self._connect()
        except Exception as exc:
            raise _ConnectError(exc) from exc
        self._produce(client, feed)
        if isinstance(client, ListsWorkspaces):  # e.g. "Showing the default workspace only…"
            run.note = client.workspace_note

    def _arrived(self, run: ListingRun, pushed: dict[Hashable, Any]) -> None:
        batch = Batch.of(pushed)
        if self._keep is not None:
            batch = batch.only(self._keep)
        st = self._parts.state
        with self._parts.lock:
            view = self._parts.view
            if run is not self._run or view is None:
                return  # a listing that was stopped: its late rows are not shown
            started = time.perf_counter()
            before = len(st.selected)
            if batch.groups or batch.placeholders:
                st.set_items(self._arrivals.merge(st.items, batch))
            if batch.progress is not None:
                view.set_loading(batch.progress, True)
            if not run.ending:  # the end redraws anyway (_ended), right after the last batch
                view.render()
                run.feed.drawn()
            if len(st.selected) != before:
                view.selection_changed()  # a selected item is gone from the server
            run.pace(time.perf_counter() - started)  # big lists: fewer, larger batches

    def _ended(self, run: ListingRun, error: Optional[Exception], announce: bool) -> None:
        st, plural = self._parts.state, self._parts.nouns.plural
        with self._parts.lock:
            view = self._parts.view
            if run is not self._run or view is None:
                return
            complete = error is None and not run.stopped
            before = len(st.selected)
            st.set_items(self._arrivals.finish(st.items, complete=complete))
            view.set_loading(None, False)
            n = len(st.items)
            if isinstance(error, _ConnectError):
                logger.warning("could not create a ModelArts session: %s", error.cause)
                view.set_error(f"Could not connect to ModelArts: {error.cause}")
                if announce:
                    view.set_status("")
            elif error is not None:
                logger.warning("listing %s failed: %s", plural, error)
                kept = f" The {n} listed are shown; press Refresh to try again." if n else ""
                view.set_error(f"Could not list {plural}: {error}.{kept}")
                if announce:  # after a delete, the status line keeps the run's receipt
                    view.set_status(f"Listing stopped after {n} {plural}." if n else "")
            elif complete:
                if announce or self._failed:
                    view.set_error("")  # a quiet re-list keeps e.g. a callback's error
                if announce:
                    view.set_status(self._listed_text(n, run.note))
            self._failed = error is not None
            view.render()
            if len(st.selected) != before:
                view.selection_changed()
