"""HTML snippets for the list widgets: escaping, time/duration formats, links, row cells.

Every string that may come from the server passes through :func:`esc` (``html.escape`` with
``quote=True``) before it is put into markup; control and bidirectional-override characters
become a visible ``\ufffd`` first, so a name cannot hide or reorder the text around it.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

__all__ = [
    "LEAD_EM",
    "LEAD_PX",
    "ROOT_CLASS",
    "TIME_WIDTH",
    "GridColumn",
    "RowGrid",
    "em",
    "esc",
    "fmt_duration",
    "fmt_time",
    "link_html",
    "message_html",
    "names_html",
    "neutralize",
    "short_url",
    "snapshot_table",
    "text_html",
    "time_html",
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


def time_html(epoch_ms: Optional[int]) -> str:
    """A timestamp cell: ``YYYY-MM-DD HH:MM`` shown, seconds and UTC offset in the tooltip."""
    shown = fmt_time(epoch_ms)
    if not shown or epoch_ms is None:
        return ""
    full = time.strftime("%Y-%m-%d %H:%M:%S UTC%z", time.localtime(epoch_ms / 1000.0))
    return f'<span class="mw-time" title="{esc(full)}">{esc(shown)}</span>'


def text_html(value: Any) -> str:
    """Plain text for a one-line cell: escaped, and whole in the tooltip when cut."""
    text = esc(value)
    return f'<span title="{text}">{text}</span>' if text else ""


def short_url(url: str) -> str:
    """``https://host:port/a/b/tail?q`` -> ``host:port/…/tail`` (no user info, query or scheme)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url
    if not host:
        return url
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return host
    return f"{host}/{segments[-1]}" if len(segments) == 1 else f"{host}/…/{segments[-1]}"


def link_html(url: str, text: Optional[str] = None) -> str:
    """A link opening in a new tab for http(s) URLs, the whole URL in the tooltip; other
    schemes are shown as plain text."""
    label = esc(text if text is not None else url)
    if not url:
        return ""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ("http", "https"):
        return f'<span class="mw-url" title="{esc(url)}">{label}</span>'
    return (
        f'<a class="mw-link" href="{esc(url.strip())}" title="{esc(url.strip())}" '
        f'target="_blank" rel="noopener noreferrer">{label}</a>'
    )


#: Root CSS class of every list widget; also the name of its CSS size container.
ROOT_CLASS = "modelarts-widgets"
#: Width of a timestamp column: ``2025-01-25 10:41`` whole, with its padding.
TIME_WIDTH = "10.5em"
#: Width of the checkbox column in front of every row (the header is indented by it), in px:
#: the checkbox and the header have different font sizes in ipywidgets 7, so not in em.
LEAD_PX = 28
#: The same in em of a 13 px font, for the narrow-width thresholds.
LEAD_EM = 2.2
#: Text cells: one line, cut with an ellipsis (the whole value is in the cell's ``title``).
_CELL = (
    "box-sizing:border-box;padding:0 6px;min-width:0;overflow:hidden;text-overflow:ellipsis;"
    "white-space:nowrap"
)
#: The outcome cell: badge and message wrap inside it.
_WRAP_CELL = (
    "box-sizing:border-box;padding:0 6px;min-width:0;white-space:normal;overflow-wrap:anywhere"
)
#: A row: a grid whose own content never widens it (``contain``), as wide as its parent.
_ROW = "display:grid;align-items:start;min-width:0;width:100%;contain:inline-size"


@dataclass(frozen=True)
class GridColumn:
    """One column of a :class:`RowGrid`, widths in ``em`` of the widget's font.

    ``width`` > ``least``: the column takes ``least`` and a share of the free width in
    proportion to ``width``; ``width`` == ``least``: fixed. ``priority`` 0 is never hidden;
    at narrow widths higher numbers give way first. ``wrap``: the text wraps (outcome).
    """

    key: str
    width: float
    least: float
    priority: int = 1
    wrap: bool = False

    def track(self) -> str:
        if self.width <= self.least:
            return f"{_num(self.least)}em"
        return f"minmax({_num(self.least)}em,{_num(self.width)}fr)"


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def em(length: str) -> float:
    """``"9.5em"`` -> 9.5 (column widths are given in ``em``)."""
    text = length.strip()
    if not text.endswith("em") or text.endswith("rem"):
        raise ValueError(f"column widths are em lengths like '9.5em', not {length!r}")
    return float(text[:-2])


class RowGrid:
    """Header and rows as CSS grids sharing one column template, so every cell lines up.

    The template and the rules for narrow widths (CSS container queries on the widget root)
    live in one ``<style>`` block, :meth:`style_html`, scoped by a class named after the
    columns. Lower-priority columns are hidden as the widget narrows; below the width of the
    priority-0 columns the last column moves to its own line under the others.
    """

    def __init__(self, columns: Sequence[GridColumn]) -> None:
        if not columns:
            raise ValueError("a row grid needs at least one column")
        self.columns = tuple(columns)
        spec = ";".join(f"{c.key},{c.width},{c.least},{c.priority},{c.wrap}" for c in columns)
        self.css_class = "mw-g-" + hashlib.sha1(spec.encode()).hexdigest()[:10]  # noqa: S324

    def _template(self, shown: Sequence[GridColumn]) -> str:
        return " ".join(c.track() for c in shown)

    def steps(self) -> list[tuple[float, tuple[GridColumn, ...]]]:
        """``(max container width in em, columns still shown)`` for each narrowing step."""
        levels = sorted({c.priority for c in self.columns if c.priority > 0}, reverse=True)
        shown = self.columns
        out: list[tuple[float, tuple[GridColumn, ...]]] = []
        for level in levels:
            below = LEAD_EM + sum(c.least for c in shown) + 1.0  # 1em of slack
            shown = tuple(c for c in shown if c.priority < level)
            out.append((below, shown))
        out.append((LEAD_EM + sum(c.least for c in shown) + 1.0, shown))
        return out

    def style_html(self) -> str:
        """The ``<style>`` block for this grid (identical for every widget with these columns)."""
        g = f".{ROOT_CLASS} .{self.css_class}"
        last = self.columns[-1].key
        rules = [
            # ipywidgets 8 keeps min-width:auto on the HTML content: a row would be as wide
            # as its text. Let it shrink to the widget instead.
            f".{ROOT_CLASS} .widget-html-content{{min-width:0}}",
            f".{ROOT_CLASS}{{container:mwlist/inline-size}}",
            f"{g}{{grid-template-columns:{self._template(self.columns)}}}",
        ]
        steps = self.steps()
        for n, (below, shown) in enumerate(steps):
            keys = {c.key for c in shown}
            hidden = ",".join(f"{g}>.mw-col-{c.key}" for c in self.columns if c.key not in keys)
            body = []
            if n < len(steps) - 1:
                body.append(f"{g}{{grid-template-columns:{self._template(shown)}}}")
            else:  # the last column on its own line under the others
                rest = [c for c in shown if c.key != last] or list(shown)
                body.append(f"{g}{{grid-template-columns:{self._template(rest)}}}")
                body.append(f"{g}>.mw-col-{last}{{grid-column:1/-1}}")
            if hidden:
                body.append(f"{hidden}{{display:none}}")
            rules.append(f"@container mwlist (max-width:{_num(below)}em){{{''.join(body)}}}")
        return f'<style class="mw-grid-style">{"".join(rules)}</style>'

    def row_html(self, cells: Sequence[str], *, css: str = "mw-cells", key: str = "") -> str:
        """One row of already-safe HTML ``cells``, one per column, in column order."""
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        spans = []
        for cell, col in zip(cells, self.columns):
            style = _WRAP_CELL if col.wrap else _CELL
            spans.append(f'<div class="mw-cell mw-col-{esc(col.key)}" style="{style}">{cell}</div>')
        data = f' data-key="{esc(key)}"' if key else ""
        return f'<div class="{css} {self.css_class}"{data} style="{_ROW}">{"".join(spans)}</div>'


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
