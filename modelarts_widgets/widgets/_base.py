"""The shared list widget: pooled rows, listing, filter / sort / paging, selection, rendering.

Subclasses say what the items are (columns, how to list, delete and re-check them); this class
does everything the user sees, with the delete flow in :mod:`._delete_run`. Every button has a
method doing the same thing, so tests and scripts need no browser.
"""

from __future__ import annotations

import logging
import operator
import threading
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
from modelarts_widgets.widgets._html import (
    LEAD_PX,
    GridColumn,
    RowGrid,
    em,
    esc,
    message_html,
    snapshot_table,
)
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
#: The outcome column (badge + message): always shown, its text wraps.
OUTCOME_COLUMN = GridColumn("outcome", width=14, least=12.5, priority=0, wrap=True)


class ResourceList(StaticFallback, DeleteRunMixin, w.VBox, Generic[T]):  # type: ignore[misc]
    """Base of :class:`JobVersionList` and :class:`VisualizationJobList`."""

    busy = Bool(False, read_only=True, help="True while a delete run is in progress.")
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
    _search_placeholder = "search"

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
        columns = self._columns()
        self._state: ListState[T] = ListState(
            key_of=self._key_of,
            status_of=lambda item: int(getattr(item, "status", 0)),
            search_text_of=self._search_text,
            columns=columns,
            page_size=page_size,
            sort_column="created",
        )
        self._grid = RowGrid(
            [GridColumn(c.key, em(c.width), em(c.min_width), c.priority) for c in columns]
            + [OUTCOME_COLUMN]
        )
        self._factory = WidgetFactory()
        self._pool = RowPool(self._factory, page_size, self._guard(self._row_toggled), self._lock)
        self._controls = Controls(self._factory, self._search_placeholder)
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

    def _load(self, client: ModelArtsApi) -> list[T]:
        raise NotImplementedError

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
        """Everything listed by the last refresh (all pages, unfiltered)."""
        with self._lock:
            return list(self._state.items)

    @property
    def visible_items(self) -> list[T]:
        """The items on the current page, top to bottom."""
        with self._lock:
            return list(self._state.page_items())

    def refresh(self) -> None:
        """Re-list from the server (creating the session first if needed); errors show inline."""
        client = self._ensure_client()
        if client is None:
            return
        self._set_status(f"Loading {self._plural}…")
        try:
            items = self._load(client)
        except Exception as exc:
            logger.warning("listing %s failed: %s", self._plural, exc)
            self._set_error(f"Could not list {self._plural}: {exc}")
            self._set_status("")
            return
        except BaseException:  # KeyboardInterrupt (kernel interrupt): do not say "Loading…"
            self._set_status(f"Listing {self._plural} was interrupted; the list is unchanged.")
            raise
        with self._lock:
            self._state.set_items(items)
            self._set_error("")
            self._set_status(f"Listed {len(items)} {self._plural}.")
            self._render()

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
        row = self._grid.row_html(
            [f'<b title="{t}">{t}</b>' for t in titles], css="mw-header-cells"
        )
        return f'{self._grid.style_html()}<div style="padding-left:{LEAD_PX}px">{row}</div>'

    def _row_html(self, item: T) -> str:
        key = self._key_of(item)
        cells = [c.cell(item) for c in self._state.columns.values()]
        outcome = self._outcomes.get(key)
        cells.append("" if outcome is None else _outcome_html(outcome))
        return self._grid.row_html(cells, key=str(key))

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
        self.set_trait("n_items", len(st.items))
        self.set_trait("n_matching", len(st.matching()))
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
        n_sel, n_match = len(keys), len(st.matching())
        self.set_trait("n_selected", n_sel)
        hidden = sum(1 for k in keys if k in st.by_key and not st.matches(st.by_key[k]))
        note = f" ({hidden} hidden by the filter)" if hidden else ""
        c = self._controls
        if not st.items:
            c.selection_label.value = f"No {self._plural} listed."
        elif not n_match:
            c.selection_label.value = f"{n_sel} selected{note} · nothing matches the filter"
        else:
            c.selection_label.value = f"{n_sel} selected{note} · {n_match} match"
        c.select_all.description = f"select all {n_match}"
        self._render_buttons()

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
