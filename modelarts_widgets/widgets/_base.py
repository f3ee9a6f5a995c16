"""The shared list widget: pooled rows, listing, filter / sort / paging, selection, rendering.

Subclasses say what the items are (columns, how to list, delete and re-check them); this class
does everything the user sees, with the delete flow in :mod:`._delete_run`. Every button has a
method doing the same thing, so tests and scripts need no browser.
"""

from __future__ import annotations

import logging
import operator
import threading
import time
from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Callable, Generic, Optional, TypeVar

import ipywidgets as w
from traitlets import Bool, Dict, Int, List, Unicode, observe, validate

from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import DeleteResult
from modelarts_widgets.widgets._connection import Connection
from modelarts_widgets.widgets._delete_run import DeleteRunMixin
from modelarts_widgets.widgets._display import StaticFallback
from modelarts_widgets.widgets._html import cells_html, esc, message_html, snapshot_table
from modelarts_widgets.widgets._streaming import Arrivals, Batch, Feed, ListingRun, Progress
from modelarts_widgets.widgets._view import Column, ListState, StatusFilter
from modelarts_widgets.widgets.badges import badge_html
from modelarts_widgets.widgets.confirm import ConfirmPanel
from modelarts_widgets.widgets.deleter import ItemOutcome
from modelarts_widgets.widgets.table import Controls, RowPool, WidgetFactory

__all__ = ["MAX_PAGE_SIZE", "ResourceList"]

logger = logging.getLogger("modelarts_widgets.widgets")

T = TypeVar("T")
#: Largest ``page_size``: every row on a page costs widget models (see :mod:`.table`).
MAX_PAGE_SIZE = 100
#: The outcome column: (width when there is room, narrowest); it takes any free space.
OUTCOME_WIDTH = ("14em", "10em")


class ResourceList(StaticFallback, DeleteRunMixin, w.VBox, Generic[T]):  # type: ignore[misc]
    """Base of :class:`JobVersionList` and :class:`VisualizationJobList`."""

    busy = Bool(False, read_only=True, help="True while a delete run is in progress.")
    loading = Bool(False, read_only=True, help="True while a listing runs in the background.")
    error = Unicode("", read_only=True, help="The error shown in the widget ('' when none).")
    status_message = Unicode("", read_only=True, help="The status line shown in the widget.")
    n_items = Int(0, read_only=True, help="Number of items listed.")
    n_matching = Int(0, read_only=True, help="Number of items passing the filter.")
    n_selected = Int(0, read_only=True, help="Number of selected items (on any page).")
    page = Int(1, read_only=True, help="Current page, 1-based.")
    n_pages = Int(1, read_only=True, help="Number of pages of matching items.")
    selected: List[Any] = List(help="Keys of the selected items; set it to change the selection.")
    last_result = List(Dict(), read_only=True, help="One record per item of the last delete run.")

    #: Set by subclasses.
    _noun = "item"
    _plural = "items"
    _css_class = "mw-list"

    def __init__(
        self,
        session: Any = None,
        *,
        page_size: int = 20,
        concurrency: int = 8,
        client: Optional[ModelArtsApi] = None,
        verify: bool = True,
        verify_timeout: float = 60.0,
        poll_interval: float = 1.0,
        **kwargs: Any,
    ) -> None:
        page_size = _check_page_size(page_size)
        self._lock = threading.RLock()
        self._conn = Connection(session, client, self._set_status)
        self._init_delete_run(concurrency, verify, verify_timeout, poll_interval)
        self._syncing = False
        self._listing: Optional[ListingRun] = None
        self._listing_failed = False  # the error shown is the last listing's
        self._arrivals: Arrivals[T] = Arrivals(self._key_of, self._group_of)
        columns = self._columns()
        self._state: ListState[T] = ListState(
            key_of=self._key_of,
            status_of=lambda item: int(getattr(item, "status", 0)),
            search_text_of=self._search_text,
            columns=columns,
            page_size=page_size,
            sort_column="created",
        )
        self._state.placeholders = self._arrivals.placeholders
        self._widths = [(c.width, c.min_width) for c in columns] + [OUTCOME_WIDTH]
        self._factory = WidgetFactory()
        self._pool = RowPool(self._factory, page_size, self._guard(self._row_toggled), self._lock)
        self._controls = Controls(self._factory)
        self._progress = self._factory.make(
            w.IntProgress,
            "progress",
            "mw-progress",
            value=0,
            min=0,
            max=1,
            style={"description_width": "initial"},
        )
        self._progress.layout.display = "none"
        self._panel = ConfirmPanel(
            self._factory, self._guard(self._confirm_clicked), self._guard(self._close_panel)
        )
        self._wire()
        self._controls.header.value = self._header_html()
        c = self._controls
        super().__init__(
            children=[
                c.filter_bar,
                c.error,
                self._progress,
                c.selection_bar,
                c.header,
                self._pool.box,
                c.pager,
                c.actions,
                self._panel.box,
            ],
            **kwargs,
        )
        self.add_class("modelarts-widgets")
        self.add_class(self._css_class)
        self.refresh()

    # --- subclass hooks ------------------------------------------------------------------------
    def _columns(self) -> list[Column[T]]:
        raise NotImplementedError

    def _key_of(self, item: T) -> Hashable:
        key: Hashable = getattr(item, "key")  # noqa: B009 - the models' key property
        return key

    def _normalize_key(self, key: Any) -> Hashable:
        return key  # type: ignore[no-any-return]

    def _search_text(self, item: T) -> str:
        raise NotImplementedError

    def _item_name(self, item: T) -> str:
        raise NotImplementedError

    def _stream(self, client: ModelArtsApi, feed: Feed) -> None:
        """List into ``feed`` (see :mod:`._streaming`); runs in the listing thread."""
        raise NotImplementedError

    def _group_of(self, item: T) -> Hashable:
        """The group an item arrives in (a listing replaces a group's rows at once)."""
        return self._key_of(item)

    def _delete_one(self, client: ModelArtsApi, key: Hashable) -> DeleteResult:
        raise NotImplementedError

    def _still_listed(self, client: ModelArtsApi, keys: Collection[Hashable]) -> set[Hashable]:
        raise NotImplementedError

    def _notes(
        self, client: ModelArtsApi, items: Sequence[T]
    ) -> tuple[dict[Hashable, list[str]], list[str]]:
        """Per-key and global notes for the confirmation (what else is affected)."""
        return {}, []

    def _ids(self, key: Hashable) -> dict[str, Any]:
        return {}

    # --- public API: listing -----------------------------------------------------------------
    @property
    def items(self) -> list[T]:
        """Everything listed so far (all pages, unfiltered; see ``loading``)."""
        with self._lock:
            return list(self._state.listed())

    @property
    def visible_items(self) -> list[T]:
        """The items on the current page, top to bottom."""
        with self._lock:
            return list(self._state.page_items())

    def refresh(self) -> None:
        """Start listing in the background (stopping a listing under way) and return.

        Rows already shown stay until their fresh version arrives; ``wait()`` waits for the end.
        """
        self._start_listing(announce=True)

    def _start_listing(self, *, announce: bool) -> None:
        """A new background listing; ``announce`` False keeps the status line (after a delete)."""
        with self._lock:
            if self._listing is not None:
                self._listing.stop()
            run = ListingRun(
                self._produce,
                lambda batch: self._arrived(run, batch),
                lambda error: self._listing_ended(run, error, announce),
            )
            self._listing = run
            self._arrivals.seen.clear()
            self.set_trait("loading", True)
            self._show_progress(None)
            if announce:
                self._set_status(f"Loading {self._plural}…")
            run.start()

    def _produce(self, feed: Feed) -> None:
        try:
            client = self._conn.get()
        except Exception as exc:
            raise _ConnectError(exc) from exc
        self._stream(client, feed)

    def _arrived(self, run: ListingRun, batch: dict[Hashable, Any]) -> None:
        arrived = Batch.of(batch)
        with self._lock:
            if run is not self._listing:
                return  # a listing that was stopped: its late rows are not shown
            before = len(self._state.selected)
            if arrived.groups or arrived.placeholders:
                self._state.set_items(self._arrivals.merge(self._state.items, arrived))
            if arrived.progress is not None:
                self._show_progress(arrived.progress)
            self._render()
            if len(self._state.selected) != before:
                self._selection_changed()

    def _listing_ended(self, run: ListingRun, error: Optional[Exception], announce: bool) -> None:
        with self._lock:
            if run is not self._listing:
                return
            complete = error is None and not run.stopped
            self._state.set_items(self._arrivals.finish(self._state.items, complete=complete))
            self.set_trait("loading", False)
            self._show_progress(None)
            n = len(self._state.items)
            if isinstance(error, _ConnectError):
                logger.warning("could not create a ModelArts session: %s", error.cause)
                self._set_error(f"Could not connect to ModelArts: {error.cause}")
                self._set_status("")
            elif error is not None:
                logger.warning("listing %s failed: %s", self._plural, error)
                kept = f" The {n} listed are shown; press Refresh to try again." if n else ""
                self._set_error(f"Could not list {self._plural}: {error}.{kept}")
                if announce:  # after a delete, the status line keeps the run's summary
                    self._set_status(f"Listing stopped after {n} {self._plural}." if n else "")
            elif complete:
                if announce or self._listing_failed:
                    self._set_error("")  # a quiet re-list keeps e.g. a callback's error
                if announce:
                    self._set_status(f"Listed {n} {self._plural}.")
            self._listing_failed = error is not None
            self._render()

    def _show_progress(self, progress: Optional[Progress]) -> None:
        """The progress bar while listing ("listed 87 of 200 jobs"); hidden when not loading."""
        bar = self._progress
        if not self.loading:
            bar.layout.display = "none"
            return
        if progress is None:
            bar.value, bar.description = 0, f"listing {self._plural}…"
        else:
            done, total, unit = progress.done, progress.total, progress.unit
            bar.max = max(1, total)
            bar.value = min(done, bar.max)
            if progress.total_known:
                bar.description = f"listed {done} of {total} {unit}"
            elif done >= total:
                bar.description = f"listed {done} {unit}…"
            else:
                bar.description = f"listed {done} of {total}+ {unit}"
        bar.layout.display = None

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until no delete runs and no listing is under way; False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._idle.wait(left):
                return False
            run = self._listing
            if run is not None:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if not run.done.wait(left):
                    return False
            if self._idle.is_set() and run is self._listing:
                return True

    def set_filter(self, text: Optional[str] = None, status: Optional[StatusFilter] = None) -> None:
        """Filter by text (name/version/engine, case-insensitive) and/or status group/code."""
        with self._lock:
            self._state.set_filter(text=text, status=status)
            self._render()

    def sort(self, column: str, descending: Optional[bool] = None) -> None:
        """Sort by a column key or title; ``descending`` None keeps the direction."""
        with self._lock:
            self._state.set_sort(column, descending)
            self._render()

    def go_to_page(self, n: int) -> None:
        """Show page ``n`` (1-based, clamped)."""
        with self._lock:
            self._state.go_to_page(n)
            self._render()

    def next_page(self) -> None:
        self.go_to_page(self._state.page + 1)

    def prev_page(self) -> None:
        self.go_to_page(self._state.page - 1)

    # --- public API: selection ---------------------------------------------------------------
    def select(
        self,
        keys: Optional[Iterable[Any]] = None,
        *,
        all_matching: bool = False,
        page: bool = False,
    ) -> None:
        """Add ``keys``, every item passing the filter, and/or the visible page to the selection."""
        with self._lock:
            st = self._state
            if keys is not None:
                st.select(self._normalize_key(k) for k in keys)
            if all_matching:
                st.select(st.key_of(i) for i in st.matching())
            if page:
                st.select(self._pool.keys)
            self._selection_changed()

    def clear_selection(self) -> None:
        with self._lock:
            self._state.set_selected(())
            self._selection_changed()

    def close(self) -> None:
        """Close this widget and every widget it created; stop listening to the client."""
        # An __init__ that refused its arguments leaves some of these unset (Widget.__del__).
        conn: Optional[Connection] = self.__dict__.get("_conn")
        run: Optional[ListingRun] = self.__dict__.get("_listing")
        if run is not None:  # stop it and wait for its threads, so none outlives the widget
            run.stop()
            run.join()
        factory: Optional[WidgetFactory] = self.__dict__.get("_factory")
        if conn is not None:
            conn.close()
        for widget in factory.created if factory is not None else ():
            widget.close()
        layout = self.layout
        super().close()
        layout.close()

    # --- client ------------------------------------------------------------------------------
    def _ensure_client(self) -> Optional[ModelArtsApi]:
        """The API client, or None with the reason shown in the widget."""
        try:
            return self._conn.get()
        except Exception as exc:
            logger.warning("could not create a ModelArts session: %s", exc)
            self._set_error(f"Could not connect to ModelArts: {exc}")
            return None

    # --- widget events -----------------------------------------------------------------------
    def _guard(self, fn: Callable[..., Any]) -> Callable[..., None]:
        """Run ``fn``; an exception is logged with its traceback and shown in the widget."""

        def run(*args: Any) -> None:
            try:
                fn(*args)
            except Exception as exc:
                logger.exception("%s failed", getattr(fn, "__name__", "callback"))
                self._set_error(f"{type(exc).__name__}: {exc}")

        return run

    def _wire(self) -> None:
        c = self._controls
        c.search.observe(self._guard(lambda ch: self._from_controls()), names="value")
        c.status_filter.observe(self._guard(lambda ch: self._from_controls()), names="value")
        c.sort.observe(self._guard(lambda ch: self._from_controls()), names="value")
        c.descending.observe(self._guard(lambda ch: self._from_controls()), names="value")
        c.refresh.on_click(self._guard(lambda b: self.refresh()))
        c.select_page.on_click(self._guard(lambda b: self.select(page=True)))
        c.select_all.on_click(self._guard(lambda b: self.select(all_matching=True)))
        c.clear.on_click(self._guard(lambda b: self.clear_selection()))
        c.prev.on_click(self._guard(lambda b: self.prev_page()))
        c.next.on_click(self._guard(lambda b: self.next_page()))
        c.delete.on_click(self._guard(lambda b: self.request_delete()))
        c.cancel_run.on_click(self._guard(lambda b: self.cancel()))
        with self._sync():
            c.sort.options = [
                (col.title, col.key) for col in self._state.columns.values() if col.sort_key
            ]
            c.sort.value = self._state.sort_column
            c.descending.value = self._state.descending

    def _from_controls(self) -> None:
        c = self._controls
        with self._lock:
            if self._syncing:
                return
            self._state.set_filter(text=c.search.value, status=c.status_filter.value)
            self._state.set_sort(c.sort.value, bool(c.descending.value))
            self._render()

    def _row_toggled(self, key: Hashable, on: bool) -> None:
        with self._lock:
            self._state.select([key], on)
            self._selection_changed()

    @validate("selected")
    def _validate_selected(self, proposal: Any) -> list[Hashable]:
        keys = [self._normalize_key(k) for k in proposal["value"]]
        by_key = self._state.by_key
        return list(dict.fromkeys(k for k in keys if k in by_key))

    @observe("selected")
    def _selected_set(self, change: Any) -> None:
        with self._lock:
            if self._syncing:
                return
            self._state.set_selected(change["new"])
            self._selection_changed()

    def _selection_changed(self) -> None:
        if self._panel.visible and not self.busy:
            self._panel.hide()
            self._set_status("Selection changed: press Delete again to review.")
        self._render_selection()

    # --- rendering ---------------------------------------------------------------------------
    @contextmanager
    def _sync(self) -> Iterator[None]:
        """Programmatic widget updates inside this block do not echo back as user events."""
        before, self._syncing = self._syncing, True
        try:
            yield
        finally:
            self._syncing = before

    def _header_html(self) -> str:
        titles = [esc(c.title) for c in self._state.columns.values()] + ["outcome"]
        row = cells_html(
            [f"<b>{t}</b>" for t in titles], self._widths, css="mw-header-cells", wrap_last=True
        )
        return f'<div style="padding-left:2.2em">{row}</div>'

    def _row_html(self, item: T) -> str:
        key = self._key_of(item)
        cells = [c.cell(item) for c in self._state.columns.values()]
        outcome = self._outcomes.get(key)
        if key in self._state.placeholders:
            cells.append(_LISTING_HTML)
        else:
            cells.append("" if outcome is None else _outcome_html(outcome))
        return cells_html(cells, self._widths, key=str(key), wrap_last=True)

    def _render(self) -> None:
        st = self._state
        rows = [
            (st.key_of(i), self._row_html(i), st.key_of(i) in st.selected) for i in st.page_items()
        ]
        self._pool.fill(rows)
        c = self._controls
        with self._sync():
            options = st.status_options()
            if list(c.status_filter.options) != options:
                c.status_filter.options = options
            c.status_filter.value = st.status
            c.sort.value = st.sort_column
            c.descending.value = st.descending
            c.descending.description = "desc" if st.descending else "asc"
            if c.search.value != st.text:
                c.search.value = st.text
        self.set_trait("n_items", len(st.items) - len(st.placeholders))
        self.set_trait("n_matching", self._n_matching())
        self.set_trait("page", st.page)
        self.set_trait("n_pages", st.n_pages)
        c.page_label.value = f"page {st.page} of {st.n_pages}"
        c.prev.disabled = st.page <= 1
        c.next.disabled = st.page >= st.n_pages
        self._render_selection()

    def _render_selection(self) -> None:
        st = self._state
        keys = list(st.selected)
        with self._sync():
            self.selected = keys
        self._pool.set_checked(lambda k: k in st.selected)
        n_sel, n_match = len(keys), self._n_matching()
        so_far = f" of {len(st.listed())} listed so far" if self.loading else ""
        self.set_trait("n_selected", n_sel)
        hidden = sum(1 for k in keys if k in st.by_key and not st.matches(st.by_key[k]))
        note = f" ({hidden} hidden by the filter)" if hidden else ""
        c = self._controls
        if not st.items:
            c.selection_label.value = (
                f"Listing {self._plural}…" if self.loading else f"No {self._plural} listed."
            )
        elif not n_match:
            c.selection_label.value = f"{n_sel} selected{note} · nothing matches the filter{so_far}"
        else:
            c.selection_label.value = f"{n_sel} selected{note} · {n_match} match{so_far}"
        c.select_all.description = f"select all {n_match}" + (" so far" if self.loading else "")
        self._render_buttons()

    def _n_matching(self) -> int:
        st = self._state
        hits = st.matching()
        if not st.placeholders:
            return len(hits)
        return sum(1 for i in hits if st.key_of(i) not in st.placeholders)

    def _render_buttons(self) -> None:
        c = self._controls
        n_sel = len(self._state.selected)
        c.delete.disabled = self.busy or n_sel == 0
        c.delete.description = f"Delete {n_sel}…" if n_sel else "Delete…"
        c.cancel_run.disabled = not self.busy
        c.clear.disabled = n_sel == 0

    def _set_status(self, text: str, html: Optional[str] = None) -> None:
        """Set the status line; ``html`` (already safe) replaces the escaped ``text`` on screen."""
        self.set_trait("status_message", text)
        self._controls.status.value = (
            html if html is not None else f'<span class="mw-status-text">{esc(text)}</span>'
        )

    def _set_error(self, text: str) -> None:
        self.set_trait("error", text)
        self._controls.error.value = (
            f'<div class="mw-error-text" style="color:var(--jp-error-color1,#d32f2f);'
            f'white-space:pre-wrap">{esc(text)}</div>'
            if text
            else ""
        )

    # --- static fallback (see _display.StaticFallback) ----------------------------------------
    def _text_summary(self) -> str:
        return (
            f"{type(self).__name__}: {self.n_items} "
            f"{self._plural_short if self.n_items != 1 else self._noun_short}, "
            f"{self.n_selected} selected"
        )

    _noun_short = "item"
    _plural_short = "items"

    def _snapshot_html(self) -> str:
        with self._lock:
            cols = list(self._state.columns.values())
            rows = [[c.cell(i) for c in cols] for i in self._state.page_items()]
            title = self._text_summary()
            if self.error:
                title = f"{title} — {self.error}"
        return snapshot_table(title, [c.title for c in cols], rows)


_LISTING_HTML = '<span class="mw-listing" style="opacity:0.6">listing…</span>'


class _ConnectError(Exception):
    """The client could not be made (shown as "Could not connect", not "Could not list")."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _outcome_html(outcome: ItemOutcome) -> str:
    """The outcome cell: a short badge; for a failure the server's message below it, wrapped."""
    message = outcome.error_msg or ""
    tooltip = "\n".join(t for t in (message, outcome.detail) if t)
    badge = badge_html(outcome.state, detail=tooltip, error_code=outcome.error_code)
    if outcome.state not in ("failed", "unknown"):
        return badge
    shown = message or outcome.detail
    return badge + message_html(shown) if shown else badge


def _check_page_size(page_size: Any) -> int:
    """``page_size`` as an int from 1 to :data:`MAX_PAGE_SIZE`, or a ValueError saying so."""
    try:
        size = operator.index(page_size) if not isinstance(page_size, bool) else None
    except TypeError:
        size = None
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError(
            f"page_size must be a whole number from 1 to {MAX_PAGE_SIZE}, not {page_size!r}: "
            "each row on a page is a few widget models, so use the pager, the search box or "
            "the status filter to reach more items"
        )
    return size
