"""The view of a list: its widgets (rows, controls, progress bar, confirmation panel), drawn.

:class:`ListView` draws :class:`~modelarts_widgets.widgets._view.ListState` into the row pool
and the controls, and publishes what it shows to the owning widget's read-only traits
(``n_items``, ``page``, ``selected``, ``status_message``, ``error``, ``busy``, ``loading``, …).
It is the :class:`~modelarts_widgets.widgets.controller.DeleteView` of the list's delete
controller and the :class:`~modelarts_widgets.widgets._listing.ListingView` of its listing. It
sends no request and holds no run state: outcomes come from ``outcome_of(key)``; rows still
being listed (placeholders) show "listing…" in the outcome column.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Callable, Generic, Optional, TypeVar

from modelarts_widgets._types import ListItem
from modelarts_widgets.bulk import ItemOutcome, Outcome
from modelarts_widgets.widgets._html import (
    LEAD_PX,
    GridColumn,
    RowGrid,
    em,
    esc,
    message_html,
    snapshot_table,
)
from modelarts_widgets.widgets._streaming import Progress
from modelarts_widgets.widgets._view import ALL_WORKSPACES, ListState
from modelarts_widgets.widgets.badges import badge_html
from modelarts_widgets.widgets.confirm import ConfirmPanel
from modelarts_widgets.widgets.progress import ProgressBar, counts_text
from modelarts_widgets.widgets.status import StatusLine
from modelarts_widgets.widgets.table import Controls, RowPool, WidgetFactory

__all__ = ["OUTCOME_COLUMN", "ListView", "outcome_html"]

T = TypeVar("T", bound=ListItem)
#: The outcome column (badge + message): always shown, its text wraps.
OUTCOME_COLUMN = GridColumn("outcome", width=16, least=12.5, priority=0, wrap=True)
#: The order of the counts beside the delete progress bar.
PROGRESS_ORDER = tuple(
    str(o)
    for o in (
        Outcome.DELETED,
        Outcome.ALREADY_GONE,
        Outcome.ACCEPTED,
        Outcome.SENDING,
        Outcome.FAILED,
        Outcome.UNKNOWN,
        Outcome.NOT_SENT,
    )
)
#: The outcome cell of a placeholder row (shown from the job list while versions load).
LISTING_HTML = '<span class="mw-listing" style="opacity:0.6">listing…</span>'


class ListView(Generic[T]):
    """The widgets of one list and the code that fills them (call with the list's lock held)."""

    def __init__(
        self,
        owner: Any,
        state: ListState[T],
        lock: Any,
        *,
        plural: str,
        search_placeholder: str = "search",
        outcome_of: Callable[[Hashable], Optional[ItemOutcome]],
        on_toggle: Callable[[Hashable, bool], None],
        on_confirm: Callable[[], None],
        on_cancel: Callable[[], None],
        relist: Callable[[], None],
        yield_while: Optional[Callable[[], bool]] = None,
    ) -> None:
        self._owner = owner  # the widget whose traits mirror what is shown
        self._state = state
        self._plural = plural
        self._outcome_of = outcome_of
        self._relist = relist
        self.syncing = False
        self._drew_rows = False  # whether a page with rows was drawn yet
        self.status = StatusLine(self._write_status)
        self._grids: dict[tuple[str, ...], RowGrid] = {}
        self.factory = WidgetFactory()
        # The list's listing thread is started before this frame is built: while it has not
        # heard back (``yield_while``), each model made here lets it run, so its first requests
        # (and the threads it starts for them) go out while the frame is built, not after it.
        # (Yielding for the first 10 ms only, the job list request reached the wire 16-49 ms
        # after the constructor began, on 2 cores. Yielding throughout, a fast first answer
        # was handled inside the build and made it longer.)
        if yield_while is not None:
            self.factory.yield_while = yield_while
        self.pool = RowPool(self.factory, state.page_size, on_toggle, lock)
        self.controls = Controls(self.factory, search_placeholder)
        self._on_confirm = on_confirm
        self._on_cancel = on_cancel
        # made the first time a delete needs them (most lists are looked at more than deleted
        # from): until then the list has 17 fewer widget models to build
        self._panel: Optional[ConfirmPanel] = None
        self._delete_progress: Optional[ProgressBar] = None
        self.listing_progress = ProgressBar(self.factory, "mw-listing-progress")
        self.controls.header.value = self._header_html()
        self.factory.stop_yielding()

    @property
    def children(self) -> list[Any]:
        """The list's children, top to bottom. The confirmation panel sits where the rows are:
        while it is open the header, rows and pager are hidden, so Confirm is on screen. The
        panel and the delete run's progress bar are there once made."""
        c = self.controls
        parts = [
            c.filter_bar,
            c.error,
            self.listing_progress.box,
            c.selection_bar,
            None if self._panel is None else self._panel.box,
            c.header,
            self.pool.box,
            c.pager,
            c.actions,
            None if self._delete_progress is None else self._delete_progress.box,
        ]
        return [part for part in parts if part is not None]

    @property
    def panel(self) -> ConfirmPanel:
        """The confirmation panel (made, and put in place, the first time it is asked for)."""
        if self._panel is None:
            self._panel = ConfirmPanel(
                self.factory, self._on_confirm, self._on_cancel, self._panel_toggled
            )
            self._owner.children = tuple(self.children)
        return self._panel

    @property
    def panel_open(self) -> bool:
        """Whether the confirmation panel is shown (False before it is first made)."""
        return self._panel is not None and self._panel.visible

    def close_panel(self) -> bool:
        """Hide the confirmation panel if it is open; whether it was."""
        if not self.panel_open:
            return False
        self.panel.hide()
        return True

    @property
    def delete_progress(self) -> ProgressBar:
        """The delete run's progress bar (made, and put in place, when a run first shows it)."""
        if self._delete_progress is None:
            self._delete_progress = ProgressBar(self.factory, "mw-delete-progress")
            self._owner.children = tuple(self.children)
        return self._delete_progress

    def _panel_toggled(self, visible: bool) -> None:
        display = "none" if visible else None
        for part in (self.controls.header, self.pool.box, self.controls.pager):
            if part.layout.display != display:
                part.layout.display = display

    @contextmanager
    def sync(self) -> Iterator[None]:
        """Programmatic widget updates inside this block do not echo back as user events."""
        before, self.syncing = self.syncing, True
        try:
            yield
        finally:
            self.syncing = before

    # --- drawing -------------------------------------------------------------------------------
    @property
    def grid(self) -> RowGrid:
        """The row grid of the visible columns (the workspace column only with several)."""
        columns = self._state.visible_columns()
        key = tuple(c.key for c in columns)
        grid = self._grids.get(key)
        if grid is None:
            grid = self._grids[key] = RowGrid(
                [GridColumn(c.key, em(c.width), em(c.min_width), c.priority) for c in columns]
                + [OUTCOME_COLUMN]
            )
        return grid

    def row_html(self, item: T) -> str:
        cells = [c.cell(item) for c in self._state.visible_columns()]
        outcome = self._outcome_of(item.key)
        if item.key in self._state.placeholders:
            cells.append(LISTING_HTML)
        else:
            cells.append("" if outcome is None else outcome_html(outcome))
        return self.grid.row_html(cells, key=str(item.key))

    def render(self) -> None:
        """Re-draw the page, the filter / sort controls, the pager and the selection."""
        st = self._state
        rows = [(i.key, self.row_html(i), i.key in st.selected) for i in st.page_items()]
        # the first rows drawn while listing make a page's worth: the next arrivals only fill
        first = bool(rows) and not self._drew_rows
        self.pool.fill(rows, reserve=st.page_size if first and self._owner.loading else 0)
        self._drew_rows = self._drew_rows or bool(rows)
        c = self.controls
        with self.sync():
            options = st.status_options()
            if list(c.status_filter.options) != options:
                c.status_filter.options = options
            c.status_filter.value = st.status
            spaces = st.workspaces()
            choices = [("all workspaces", ALL_WORKSPACES)] + [(ws, ws) for ws in spaces]
            if st.workspace not in (ALL_WORKSPACES, *spaces):
                choices.append((st.workspace, st.workspace))
            if list(c.workspace_filter.options) != choices:
                c.workspace_filter.options = choices
            c.workspace_filter.value = st.workspace
            c.workspace_filter.layout.display = None if len(spaces) > 1 else "none"
            header = self._header_html()
            if c.header.value != header:
                c.header.value = header
            c.sort.value = st.sort_column
            c.descending.value = st.descending
            c.descending.description = "desc" if st.descending else "asc"
            if c.search.value != st.text:
                c.search.value = st.text
        owner = self._owner
        owner.set_trait("n_items", st.n_listed)
        owner.set_trait("n_matching", st.n_matching_listed)
        owner.set_trait("page", st.page)
        owner.set_trait("n_pages", st.n_pages)
        c.page_label.value = f"page {st.page} of {st.n_pages}"
        c.prev.disabled = st.page <= 1
        c.next.disabled = st.page >= st.n_pages
        self.render_selection()

    def render_rows(self, keys: Iterable[Hashable]) -> None:
        """Re-draw the cells of the rows showing ``keys`` (rows not on the page are skipped)."""
        by_key = self._state.by_key
        for key in keys:
            item = by_key.get(key)
            if item is not None:
                self.pool.set_cells(key, self.row_html(item))

    def render_selection(self) -> None:
        st = self._state
        keys = list(st.selected)
        with self.sync():
            self._owner.selected = keys
        self.pool.set_checked(lambda k: k in st.selected)
        n_sel, n_match = len(keys), st.n_matching_listed
        loading = bool(self._owner.loading)
        so_far = f" of {st.n_listed} listed so far" if loading else ""
        self._owner.set_trait("n_selected", n_sel)
        hidden = sum(1 for k in keys if k in st.by_key and not st.matches(st.by_key[k]))
        note = f" ({hidden} hidden by the filter)" if hidden else ""
        c = self.controls
        if not st.items:
            c.selection_label.value = (
                f"Listing {self._plural}…" if loading else f"No {self._plural} listed."
            )
        elif not n_match:
            c.selection_label.value = f"{n_sel} selected{note} · nothing matches the filter{so_far}"
        else:
            c.selection_label.value = f"{n_sel} selected{note} · {n_match} match{so_far}"
        c.select_all.description = f"select all {n_match}" + (" so far" if loading else "")
        self.render_buttons()

    def selection_changed(self) -> None:
        """Re-draw the selection; an open confirmation no longer matches it, so it closes (unless
        a run is busy)."""
        if not self._owner.busy and self.close_panel():
            self.set_status("Selection changed: press Delete again to review.")
        self.render_selection()

    def render_buttons(self) -> None:
        c = self.controls
        busy = bool(self._owner.busy)
        n_sel = len(self._state.selected)
        c.delete.disabled = busy or n_sel == 0
        c.delete.description = f"Delete {n_sel}…" if n_sel else "Delete…"
        c.cancel_run.disabled = not busy
        c.clear.disabled = n_sel == 0

    # --- what the delete controller calls (DeleteView) -------------------------------------------
    def set_status(self, text: str, html: Optional[str] = None, *, progress: bool = False) -> None:
        """Show a status line (``html``, already safe, replaces the escaped ``text``)."""
        if progress:
            self.status.progress(text, html)
        else:
            self.status.say(text, html)

    def set_progress(self, done: int, total: int, counts: Mapping[str, int]) -> None:
        """The delete run's progress bar: ``done`` of ``total`` and the counts by outcome
        beside it; ``total`` 0 hides it."""
        if total <= 0:
            if self._delete_progress is not None:
                self._delete_progress.hide()
        else:
            self.delete_progress.show(done, total, counts_text(counts, PROGRESS_ORDER))

    def set_busy(self, busy: bool) -> None:
        self._owner.set_trait("busy", busy)
        self.render_buttons()

    def set_result(self, records: list[dict[str, Any]]) -> None:
        self._owner.set_trait("last_result", records)

    def refresh(self) -> None:
        self._relist()

    # --- what the listing calls (ListingView) ---------------------------------------------------
    def prepare_row(self) -> bool:
        """Make one row widget of the first page ahead of the first rows; False when done."""
        return self.pool.make_one()

    def set_loading(self, progress: Optional[Progress], loading: bool) -> None:
        """Publish ``loading``; the listing's bar shows ``progress`` ("listed 87 of 200 jobs")
        meanwhile and goes when the listing ends."""
        self._owner.set_trait("loading", loading)
        bar = self.listing_progress
        if not loading:
            bar.hide()
        elif progress is None:
            bar.show(0, 1, f"listing {self._plural}…", numbers=False)
        else:
            done, total, unit = progress.done, progress.total, progress.unit
            if progress.total_known:
                text = f"listed {done} of {total} {unit}"
            elif done >= total:
                text = f"listed {done} {unit}…"
            else:
                text = f"listed {done} of {total}+ {unit}"
            bar.show(done, total, text, numbers=False)

    def set_error(self, text: str) -> None:
        self._owner.set_trait("error", text)
        self.controls.error.value = (
            f'<div class="mw-error-text" style="color:var(--jp-error-color1,#d32f2f);'
            f'white-space:pre-wrap">{esc(text)}</div>'
            if text
            else ""
        )

    def snapshot_html(self, title: str) -> str:
        """The page as a plain HTML table (the static fallback)."""
        cols = self._state.visible_columns()
        rows = [[c.cell(i) for c in cols] for i in self._state.page_items()]
        return snapshot_table(title, [c.title for c in cols], rows)

    def close(self) -> None:
        """Stop the status line and close every widget made here."""
        self.status.close()
        self.pool.close()  # a late redraw (a delete run's) makes no new row
        for widget in self.factory.created:
            widget.close()

    def _write_status(self, text: str, html: str) -> None:
        """Write the status line (only :attr:`status`, the one writer, calls this)."""
        self._owner.set_trait("status_message", text)
        self.controls.status.value = html

    def _header_html(self) -> str:
        titles = [esc(c.title) for c in self._state.visible_columns()] + ["outcome"]
        row = self.grid.row_html([f'<b title="{t}">{t}</b>' for t in titles], css="mw-header-cells")
        return f'{self.grid.style_html()}<div style="padding-left:{LEAD_PX}px">{row}</div>'


def outcome_html(outcome: ItemOutcome) -> str:
    """The outcome cell: a short badge; for a failure the server's message below it, wrapped."""
    message = outcome.error_msg or ""
    tooltip = "\n".join(t for t in (message, outcome.detail) if t)
    badge = badge_html(outcome.state, detail=tooltip, error_code=outcome.error_code)
    if outcome.state not in (Outcome.FAILED, Outcome.UNKNOWN):
        return badge
    shown = message or outcome.detail
    return badge + message_html(shown) if shown else badge
