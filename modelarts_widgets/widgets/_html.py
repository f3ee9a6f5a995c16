"""HTML snippets for the list widgets: escaping, time/duration formats, links, row cells.

Every string that may come from the server passes through :func:`esc` (``html.escape`` with
``quote=True``) before it is put into markup; control and bidirectional-override characters
become a visible ``\ufffd`` first, so a name cannot hide or reorder the text around it.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence
from typing import Any, Optional
from urllib.parse import urlsplit

__all__ = [
    "cells_html",
    "esc",
    "fmt_duration",
    "fmt_time",
    "link_html",
    "message_html",
    "names_html",
    "neutralize",
    "snapshot_table",
]


#: C0/C1 controls (but tab and newline), bidi embeddings/overrides/isolates and direction marks.
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralize(text: str) -> str:
    """``text`` with control and bidi-override characters replaced by a visible U+FFFD."""
    return _UNSAFE_CHARS.sub("\ufffd", text)


def esc(value: Any) -> str:
    """``value`` as text, neutralized and escaped for HTML content and attribute values."""
    return html.escape(neutralize("" if value is None else str(value)), quote=True)


def fmt_time(epoch_ms: Optional[int]) -> str:
    """Local time ``YYYY-MM-DD HH:MM`` for epoch milliseconds; ``""`` when missing."""
    if epoch_ms is None or epoch_ms <= 0:
        return ""
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch_ms / 1000.0))
    except (OverflowError, OSError, ValueError):
        return ""


def fmt_duration(ms: Optional[int]) -> str:
    """A duration in milliseconds as ``"1h 02m"``, ``"5m 07s"`` or ``"42s"``."""
    if ms is None or ms < 0:
        return ""
    seconds = int(ms // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def link_html(url: str, text: Optional[str] = None) -> str:
    """A link opening in a new tab for http(s) URLs; other schemes are shown as plain text."""
    label = esc(text if text is not None else url)
    if not url:
        return ""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        return f'<span class="mw-url">{label}</span>'
    return (
        f'<a class="mw-link" href="{esc(url.strip())}" target="_blank" '
        f'rel="noopener noreferrer">{label}</a>'
    )


#: A cell: takes ``basis`` when there is room, shrinks to ``min`` (then ellipsis), one line.
_CELL = (
    "box-sizing:border-box;padding:0 6px;flex:0 1 {basis};min-width:{min};overflow:hidden;"
    "text-overflow:ellipsis;white-space:nowrap"
)
#: The last cell of a ``wrap_last`` row: grows into the free space and wraps its text.
_WRAP_CELL = (
    "box-sizing:border-box;padding:0 6px;flex:1 1 {basis};min-width:{min};"
    "white-space:normal;overflow-wrap:anywhere"
)
_ROW = "display:flex;flex-wrap:nowrap;align-items:flex-start;min-width:0;width:100%"


def cells_html(
    cells: Sequence[str],
    widths: Sequence[tuple[str, str]],
    *,
    css: str = "mw-cells",
    key: str = "",
    wrap_last: bool = False,
) -> str:
    """One flex row of cells. ``cells`` are already-safe HTML fragments, ``widths`` are
    ``(basis, min_width)`` CSS lengths; with ``wrap_last`` the last cell grows and wraps."""
    spans = []
    for n, (cell, (basis, least)) in enumerate(zip(cells, widths)):
        wrap = wrap_last and n == len(cells) - 1
        style = (_WRAP_CELL if wrap else _CELL).format(basis=basis, min=least)
        spans.append(f'<span class="mw-cell" style="{style}">{cell}</span>')
    data = f' data-key="{esc(key)}"' if key else ""
    return f'<div class="{css}"{data} style="{_ROW}">{"".join(spans)}</div>'


#: Longest server message shown under a badge (the whole text stays in the tooltip).
MAX_MESSAGE = 300
_MESSAGE = (
    "font-size:90%;line-height:1.35;margin:1px 0 3px;white-space:normal;overflow-wrap:anywhere;"
    "display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;overflow:hidden"
)


def message_html(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` escaped, under a badge: wraps, at most 3 lines / ``limit`` characters shown."""
    flat = " ".join(text.split())
    shown = flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
    return f'<div class="mw-outcome-msg" title="{esc(text)}" style="{_MESSAGE}">{esc(shown)}</div>'


def names_html(shown: Sequence[str], more: int = 0) -> str:
    """A bullet list of ``shown`` (safe HTML fragments), then ``"+N more"`` when ``more``."""
    items = "".join(f"<li>{n}</li>" for n in shown)
    extra = f'<li class="mw-more">+{more} more</li>' if more > 0 else ""
    return f'<ul class="mw-names" style="margin:2px 0 2px 1.2em;padding:0">{items}{extra}</ul>'


def snapshot_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A static HTML table (the no-widget fallback). ``headers`` plain text, ``rows`` safe HTML."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="modelarts-widgets mw-snapshot"><p>{esc(title)}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
