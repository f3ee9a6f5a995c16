"""A page object for the list widgets: what a user sees and clicks, reached through public API.

Tests never read a widget's private attributes. The parts of a list are found the way a browser
test finds them: by walking ``children`` and matching CSS classes (``get_state``), so a change
of how the widget is built inside breaks no test that is not about behaviour::

    from listpage import page

    p = page(w)
    p.delete.click(); p.count.value = "3"; p.confirm_button.click()
    p.row_html(key)            # the row showing ``key`` (None when not on the page)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

__all__ = ["ListPage", "by_key", "css_classes", "inactive", "page"]


def css_classes(widget: Any) -> tuple[str, ...]:
    """The CSS classes of ``widget`` as the front end gets them."""
    return tuple(widget.get_state("_dom_classes").get("_dom_classes", ()))


def _walk(widget: Any) -> Iterator[Any]:
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


class ListPage:
    """The controls, rows and confirmation panel of one list widget."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget

    def find(self, css: str) -> Any:
        """The first widget with CSS class ``css``; AssertionError if there is none."""
        for part in _walk(self.widget):
            if css in css_classes(part):
                return part
        raise AssertionError(f"no widget with CSS class {css!r} in {type(self.widget).__name__}")

    def has(self, css: str) -> bool:
        """Whether the list has a widget with CSS class ``css`` (some are made on first use)."""
        return any(css in css_classes(part) for part in _walk(self.widget))

    # --- toolbar, selection bar, pager, actions ------------------------------------------------
    search = property(lambda self: self.find("mw-search"))
    status_filter = property(lambda self: self.find("mw-status-filter"))
    sort = property(lambda self: self.find("mw-sort"))
    descending = property(lambda self: self.find("mw-sort-desc"))
    refresh = property(lambda self: self.find("mw-refresh"))
    select_page = property(lambda self: self.find("mw-select-page"))
    select_all = property(lambda self: self.find("mw-select-all"))
    clear = property(lambda self: self.find("mw-clear"))
    prev = property(lambda self: self.find("mw-prev"))
    next = property(lambda self: self.find("mw-next"))
    delete = property(lambda self: self.find("mw-delete"))
    cancel_run = property(lambda self: self.find("mw-cancel-run"))
    selection_label = property(lambda self: self.find("mw-selection"))
    page_label = property(lambda self: self.find("mw-page"))
    header = property(lambda self: self.find("mw-header"))
    status = property(lambda self: self.find("mw-status"))
    error = property(lambda self: self.find("mw-error"))

    # --- the confirmation panel ----------------------------------------------------------------
    panel = property(lambda self: self.find("mw-confirm-panel"))
    panel_message = property(lambda self: self.find("mw-confirm-message"))
    include_active = property(lambda self: self.find("mw-confirm-include-active"))
    count = property(lambda self: self.find("mw-confirm-count"))
    confirm_button = property(lambda self: self.find("mw-confirm"))
    cancel_button = property(lambda self: self.find("mw-confirm-cancel"))

    @property
    def panel_open(self) -> bool:
        """Whether the confirmation panel is shown (it is made the first time it opens)."""
        return self.has("mw-confirm-panel") and self.panel.layout.display != "none"

    # --- rows ------------------------------------------------------------------------------------
    @property
    def rows(self) -> list[Any]:
        """The rows shown, top to bottom (each an ``HBox([Checkbox, HTML])``)."""
        return list(self.find("mw-rows").children)

    @property
    def checks(self) -> list[Any]:
        return [row.children[0] for row in self.rows]

    @property
    def cells(self) -> list[Any]:
        return [row.children[1] for row in self.rows]

    @property
    def keys(self) -> list[Any]:
        """Keys of the rows shown, top to bottom."""
        return [item.key for item in self.widget.visible_items]

    def row_html(self, key: Any) -> Optional[str]:
        """The HTML of the row showing ``key`` (None when it is not on the page)."""
        keys = self.keys
        return str(self.cells[keys.index(key)].value) if key in keys else None

    def all_html(self) -> str:
        """Every HTML string the list shows, plus its static HTML representation."""
        parts = [c.value for c in self.cells]
        parts += [self.header.value, self.status.value, self.error.value]
        parts.append(self.selection_label.value)
        if self.has("mw-confirm-message"):
            parts.append(self.panel_message.value)
        parts.append(self.widget._repr_mimebundle_()["text/html"])
        return "\n".join(str(p) for p in parts)


def inactive(widget: Any) -> list[Any]:
    """The listed items that are not active (deletable without "include active")."""
    return [i for i in widget.items if not i.is_active]


def by_key(records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """``last_result`` rows by selection key (JSON lists turned back into tuples)."""
    return {tuple(r["key"]) if isinstance(r["key"], list) else r["key"]: r for r in records}


def page(widget: Any) -> ListPage:
    """The page object of a list widget."""
    return ListPage(widget)
