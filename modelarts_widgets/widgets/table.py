"""The table's widgets: a pool of row widgets and the toolbar / pager controls.

Cost is bounded (DESIGN decision 2): the pool holds at most ``page_size`` rows, each an
``HBox([Checkbox, HTML])``, made ahead of need or when a page first needs them, then re-filled
in place on paging, filtering and sorting. Rows share one ``Layout`` per role and one style per
widget class, so a row costs 3 widget models.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, Sequence
from typing import Any, Callable, Optional

import ipywidgets as w

from modelarts_widgets.widgets._html import LEAD_PX
from modelarts_widgets.widgets._model_ids import new_model_id

__all__ = ["Controls", "RowPool", "WidgetFactory"]


#: How a widget made while :attr:`WidgetFactory.yield_while` says so lets other threads run: a
#: real sleep (``time.sleep(0)`` does not hand the GIL over on 3.9).
YIELD_SLEEP_S = 0.0001


def _never() -> bool:
    return False


class WidgetFactory:
    """Builds core widgets that share one ``Layout`` per role and one style per class.

    Every model made here gets its id from :func:`new_model_id` (no system call per widget).
    """

    def __init__(self) -> None:
        self.yield_while: Callable[[], bool] = _never
        """While it says True, each model made lets other threads run (see ``ListView``)."""
        self._layouts: dict[str, Any] = {}
        self._styles: dict[type, Any] = {}
        self.created: list[Any] = []
        """Every widget and layout made here (closed together with the list widget)."""

    def stop_yielding(self) -> None:
        """Make models without letting other threads run in between (the default)."""
        self.yield_while = _never

    def new(self, cls: Any, *args: Any, **kw: Any) -> Any:
        """``cls(*args, **kw)`` with a model id of its own, closed with the rest."""
        widget = cls(*args, model_id=new_model_id(), **kw)
        self.created.append(widget)
        if self.yield_while():
            time.sleep(YIELD_SLEEP_S)
        return widget

    def layout(self, role: str, **kw: Any) -> Any:
        """The shared ``Layout`` for ``role`` (created with ``kw`` on first use)."""
        if role not in self._layouts:
            self._layouts[role] = self.new(w.Layout, **kw)
        return self._layouts[role]

    def make(self, cls: Any, role: str, *css: str, **kw: Any) -> Any:
        """A ``cls`` widget on the shared layout ``role``, with the shared style, CSS classes."""
        if "layout" not in kw:
            kw["layout"] = self.layout(role)
        style = self._style(cls)
        if style is not None:
            kw["style"] = style
        if css:
            # as a constructor argument: one comm message instead of one per add_class()
            kw["_dom_classes"] = tuple(kw.get("_dom_classes", ())) + tuple(css)
        return self.new(cls, **kw)

    def _style(self, cls: Any) -> Any:
        """The style all ``cls`` widgets share (made on first use), or None if they have none."""
        if cls not in self._styles:
            trait = cls.class_traits().get("style")
            klass = getattr(trait, "klass", None)
            self._styles[cls] = self.new(klass) if isinstance(klass, type) else None
        return self._styles[cls]


class RowPool:
    """Up to ``size`` rows re-filled in place; shows only as many as there are items on the page.

    None is made with the pool: rows are made ahead, one at a time (:meth:`make_one`, while a
    list awaits its first answer), or by :meth:`fill` when a page needs more than there are.
    """

    def __init__(
        self,
        factory: WidgetFactory,
        size: int,
        on_toggle: Callable[[Hashable, bool], None],
        lock: Optional[Any] = None,
    ) -> None:
        self._factory = factory
        self._size = size
        self._on_toggle = on_toggle
        self._lock = lock if lock is not None else threading.RLock()
        self._filling = False
        self._closed = False
        self._keys: list[Optional[Hashable]] = [None] * size
        self._checks: list[Any] = []
        self._cells: list[Any] = []
        self._rows: list[Any] = []
        lead = f"{LEAD_PX}px"
        factory.layout("row-check", width=lead, min_width=lead, margin="0")
        factory.layout("row-cells", flex="1 1 auto", margin="0", overflow="hidden", min_width="0")
        factory.layout("row", align_items="flex-start", margin="0", min_height="1.9em")
        self.box = factory.make(w.VBox, "rows", "mw-rows", children=[])

    def _grow(self, count: int) -> None:
        """Make rows until there are ``count`` (at most ``size``; none once closed)."""
        f = self._factory
        while len(self._rows) < min(count, self._size) and not self._closed:
            index = len(self._rows)
            check = f.make(w.Checkbox, "row-check", "mw-row-check", value=False, indent=False)
            cells = f.make(w.HTML, "row-cells", "mw-row-cells", value="")
            row = f.make(w.HBox, "row", "mw-row", children=[check, cells])
            check.observe(self._toggled(index), names="value")
            self._checks.append(check)
            self._cells.append(cells)
            self._rows.append(row)

    def make_one(self) -> bool:
        """Make one more row ahead of need (hidden); False when there are ``size`` already."""
        before = len(self._rows)
        self._grow(before + 1)
        return len(self._rows) > before

    def close(self) -> None:
        """Make no more rows (the caller closes the factory's widgets)."""
        self._closed = True

    def _toggled(self, index: int) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            with self._lock:  # a fill in another thread finishes first
                key = self._keys[index]
                if self._filling or key is None:
                    return
                self._on_toggle(key, bool(change["new"]))

        return handler

    @property
    def size(self) -> int:
        """The most rows shown at once (the page size)."""
        return self._size

    @property
    def made(self) -> int:
        """How many rows have widgets so far."""
        return len(self._rows)

    @property
    def keys(self) -> list[Hashable]:
        """Keys shown now, top to bottom."""
        return [k for k in self._keys if k is not None]

    def fill(self, rows: Sequence[tuple[Hashable, str, bool]], *, reserve: int = 0) -> None:
        """Show ``(key, cells_html, checked)`` rows; hide the rest of the pool.

        ``reserve``: make at least that many rows now (hidden until used), e.g. a page's worth
        while more rows are on their way, so that their arrival only fills rows.
        """
        self._grow(max(len(rows), reserve))
        self._filling = True
        try:
            for index in range(len(self._rows)):
                if index < len(rows):
                    key, html, checked = rows[index]
                    self._keys[index] = key
                    self._cells[index].value = html
                    self._checks[index].value = checked
                else:
                    self._keys[index] = None
                    self._checks[index].value = False
            shown = tuple(self._rows[: len(rows)])
            if tuple(self.box.children) != shown:
                self.box.children = shown
        finally:
            self._filling = False

    def set_checked(self, checked: Callable[[Hashable], bool]) -> None:
        """Re-tick the visible rows from ``checked(key)``."""
        self._filling = True
        try:
            for key, check in zip(self._keys, self._checks):
                if key is not None:
                    check.value = checked(key)
        finally:
            self._filling = False

    def set_cells(self, key: Hashable, html: str) -> bool:
        """Replace the cells of the row showing ``key``; False if it is not visible."""
        for index, shown in enumerate(self._keys):
            if shown == key:
                self._cells[index].value = html
                return True
        return False


class Controls:
    """Toolbar, selection bar, pager, action buttons and message areas (no behaviour)."""

    def __init__(self, factory: WidgetFactory, search_placeholder: str = "search") -> None:
        f = factory
        f.layout("button", width="auto")
        f.layout("html", margin="0 4px")
        f.layout("bar", flex_flow="row wrap", align_items="center")
        f.layout("search", width="16em")
        f.layout("dropdown", width="14em")
        self.search = f.make(
            w.Text,
            "search",
            "mw-search",
            value="",
            placeholder=search_placeholder,
            continuous_update=True,
        )
        self.status_filter = self._filter(f, "dropdown", "mw-status-filter", "status", "all")
        # its own layout (not the shared dropdown one): it is hidden until several workspaces
        # are listed, and hiding a shared layout would hide every dropdown with it
        f.layout("workspace-dropdown", width="14em", display="none")
        self.workspace_filter = self._filter(
            f, "workspace-dropdown", "mw-workspace-filter", "workspace", "all workspaces"
        )
        self.sort = f.make(
            w.Dropdown, "dropdown", "mw-sort", options=[("", "")], value="", description="sort"
        )
        self.descending = f.make(
            w.ToggleButton, "button", "mw-sort-desc", value=True, description="desc"
        )
        self.refresh = self._button(f, "refresh", "mw-refresh", "Refresh")
        self.select_page = self._button(f, "select page", "mw-select-page", "Select this page")
        self.select_all = self._button(f, "select all", "mw-select-all", "Select all matching")
        self.clear = self._button(f, "clear", "mw-clear", "Clear the selection")
        self.prev = self._button(f, "prev", "mw-prev", "Previous page")
        self.next = self._button(f, "next", "mw-next", "Next page")
        self.prev.icon = "chevron-left"
        self.next.icon = "chevron-right"
        self.delete = self._button(f, "Delete…", "mw-delete", "Delete the selected items")
        self.delete.button_style = "danger"
        self.delete.disabled = True
        self.cancel_run = self._button(f, "Cancel", "mw-cancel-run", "Stop sending deletes")
        self.cancel_run.disabled = True
        self.selection_label = f.make(w.HTML, "html", "mw-selection", value="")
        self.page_label = f.make(w.HTML, "html", "mw-page", value="")
        # header, rows and pager have layouts of their own: hidden while the panel is open
        f.layout("header", flex="1 1 auto", margin="0", overflow="hidden", min_width="0")
        self.header = f.make(w.HTML, "header", "mw-header", value="")
        self.status = f.make(w.HTML, "html", "mw-status", value="")
        self.error = f.make(w.HTML, "html", "mw-error", value="")
        self.filter_bar = f.make(
            w.HBox,
            "bar",
            "mw-toolbar",
            children=[
                self.search,
                self.status_filter,
                self.workspace_filter,
                self.sort,
                self.descending,
                self.refresh,
            ],
        )
        self.selection_bar = f.make(
            w.HBox,
            "bar",
            "mw-selection-bar",
            children=[self.selection_label, self.select_page, self.select_all, self.clear],
        )
        f.layout("pager", flex_flow="row wrap", align_items="center")
        self.pager = f.make(
            w.HBox, "pager", "mw-pager", children=[self.prev, self.page_label, self.next]
        )
        self.actions = f.make(
            w.HBox, "bar", "mw-actions", children=[self.delete, self.cancel_run, self.status]
        )

    @staticmethod
    def _filter(f: WidgetFactory, role: str, css: str, description: str, everything: str) -> Any:
        """A filter dropdown whose first option, ``everything``, has the value ``"all"``."""
        return f.make(
            w.Dropdown,
            role,
            css,
            options=[(everything, "all")],
            value="all",
            description=description,
        )

    @staticmethod
    def _button(f: WidgetFactory, label: str, css: str, tooltip: str) -> Any:
        return f.make(w.Button, "button", css, description=label, tooltip=tooltip)
