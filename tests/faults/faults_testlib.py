"""Helpers shared by the fault-matrix tests (imported as a plain module: no package)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any, Optional

from listpage import page


def show(widget: Any, key: Any, text: str) -> str:
    """Filter the widget down to ``text`` and return the row of ``key``."""
    widget.set_filter(text=text)
    html = page(widget).row_html(key)
    assert html is not None, f"{key!r} is not shown for filter {text!r}"
    return html


SAFE_TAGS = frozenset(
    {"div", "span", "b", "i", "ul", "li", "a", "p", "br", "table", "thead", "tbody", "tr",
     "th", "td", "code", "small", "strong", "em",
     "style"}  # only the list's own column-layout block: class mw-grid-style (checked below)
)  # fmt: skip


class MarkupAudit(HTMLParser):
    """Collects tags, attributes and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str]] = []
        self.text: list[str] = []  # character data and attribute values
        self.data: list[str] = []  # character data only (what is on screen)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.tags.add(tag)
        if tag == "style":
            assert dict(attrs).get("class") == "mw-grid-style", attrs
        self.attrs.extend((k, v or "") for k, v in attrs)
        self.text.extend(v or "" for _, v in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.data.append(data)


def audit(html: str) -> MarkupAudit:
    """Parse ``html``; fail if it has a tag or attribute that server text could have injected."""
    parser = MarkupAudit()
    parser.feed(html)
    parser.close()
    assert parser.tags <= SAFE_TAGS, f"unexpected tags: {parser.tags - SAFE_TAGS}"
    for name, value in parser.attrs:
        assert not name.startswith("on"), f"event handler attribute {name}={value!r}"
        assert name in {"class", "style", "title", "data-key", "data-state", "data-kind",
                        "href", "target", "rel", "data-done", "data-cancelled"}, name  # fmt: skip
        if name == "href":
            assert value.startswith(("http://", "https://")), value
    return parser
