"""HTML snippets for the list widgets: escaping, time/duration formats, links, row cells.

Every string that may come from the server passes through :func:`esc` (``html.escape`` with
``quote=True``) before it is put into markup.
"""

from __future__ import annotations

import html
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
    "names_html",
    "snapshot_table",
]


def esc(value: Any) -> str:
    """``value`` as text, escaped for HTML content and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


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


_CELL = (
    "display:inline-block;box-sizing:border-box;padding:0 6px;overflow:hidden;"
    "text-overflow:ellipsis;white-space:nowrap;vertical-align:middle;width:{w}"
)


def cells_html(
    cells: Sequence[str], widths: Sequence[str], *, css: str = "mw-cells", key: str = ""
) -> str:
    """One row of fixed-width cells. ``cells`` are already-safe HTML fragments."""
    spans = "".join(
        f'<span class="mw-cell" style="{_CELL.format(w=w)}">{c}</span>'
        for c, w in zip(cells, widths)
    )
    data = f' data-key="{esc(key)}"' if key else ""
    return f'<div class="{css}"{data} style="white-space:nowrap">{spans}</div>'


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
