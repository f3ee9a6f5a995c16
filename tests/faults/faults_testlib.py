"""Helpers shared by the fault-matrix tests (imported as a plain module: no package)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any, Optional

from listpage import page

from modelarts_widgets.models import ACTIVE_STATUSES
from modelarts_widgets.session import Session


def fast_session(**kwargs: Any) -> Session:
    """``Session()`` whose HTTP client backs off in milliseconds (same policy, shorter waits)."""
    session = Session(**kwargs)
    http = session.client._http  # type: ignore[attr-defined]
    http.backoff_base = 0.02
    return session


def http_of(session: Any) -> Any:
    """The ``HttpClient`` behind a session (our ``RestClient``'s seam)."""
    return session.client._http


def by_key(records: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """``last_result`` rows by selection key (JSON lists turned back into tuples)."""
    return {tuple(r["key"]) if isinstance(r["key"], list) else r["key"]: r for r in records}


def inactive(widget: Any) -> list[Any]:
    return [i for i in widget.items if i.status not in ACTIVE_STATUSES]


def show(widget: Any, key: Any, text: str) -> str:
    """Filter the widget down to ``text`` and return the row of ``key``."""
    widget.set_filter(text=text)
    html = page(widget).row_html(key)
    assert html is not None, f"{key!r} is not shown for filter {text!r}"
    return html


SAFE_TAGS = frozenset(
    {"div", "span", "b", "i", "ul", "li", "a", "p", "br", "table", "thead", "tbody", "tr",
     "th", "td", "code", "small", "strong", "em"}
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
        assert name in {"class", "style", "title", "data-key", "data-state", "href",
                        "target", "rel", "data-done", "data-cancelled"}, name  # fmt: skip
        if name == "href":
            assert value.startswith(("http://", "https://")), value
    return parser
