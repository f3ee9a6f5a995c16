"""``ProgressBar``: one core ``IntProgress`` and a text beside it, for long work in a list.

Used by the delete run ("7 / 12 · 5 deleted · 2 failed") and the background listing ("listed
87 of 200 jobs"). Two widget models plus their layout, whatever the total: the bar
is updated in place, never one widget per item. Hidden until :meth:`ProgressBar.show`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import ipywidgets as w

from modelarts_widgets.widgets._html import esc
from modelarts_widgets.widgets.table import WidgetFactory

__all__ = ["ProgressBar", "counts_text"]


def counts_text(counts: Mapping[str, int], order: Iterable[str] = ()) -> str:
    """``{"deleted": 5, "failed": 2}`` -> ``"5 deleted · 2 failed"`` (zeros left out; keys in
    ``order`` first, then the rest as given; ``_`` shown as a space)."""
    keys = list(dict.fromkeys([*order, *counts]))
    parts = [f"{counts[k]} {k.replace('_', ' ')}" for k in keys if counts.get(k)]
    return " · ".join(parts)


class ProgressBar:
    """A progress bar (``IntProgress``, ``done`` of ``total``) with a short text beside it."""

    def __init__(self, factory: WidgetFactory, css: str = "mw-progress") -> None:
        self.bar = factory.make(
            w.IntProgress,
            "progress-bar",
            f"{css}-bar",
            value=0,
            min=0,
            max=1,
            layout=factory.new(w.Layout, width="14em", margin="0 6px 0 0"),
        )
        self.label = factory.make(w.HTML, "html", f"{css}-text", value="")
        self.text = ""
        """The text shown beside the bar (plain)."""
        self.box = factory.make(
            w.HBox,
            "progress",
            css,
            children=[self.bar, self.label],
            layout=factory.new(w.Layout, display="none", align_items="center", margin="2px 0"),
        )

    @property
    def visible(self) -> bool:
        return bool(self.box.layout.display != "none")

    def show(self, done: int, total: int, text: str = "", *, numbers: bool = True) -> None:
        """Show ``done`` of ``total`` (clamped) and ``text`` (plain, escaped) beside it;
        ``numbers=False``: the text alone (it says the numbers itself)."""
        total = max(0, int(total))
        done = min(max(0, int(done)), total)
        if self.bar.max != max(total, 1):
            self.bar.max = max(total, 1)
        self.bar.value = done
        shown = (f"{done} / {total}" + (f" · {text}" if text else "")) if numbers else text
        self.text = shown
        self.label.value = f'<span class="mw-progress-label">{esc(shown)}</span>'
        if not self.visible:
            self.box.layout.display = ""

    def hide(self) -> None:
        if self.visible:
            self.box.layout.display = "none"

    def as_dict(self) -> dict[str, Any]:
        """What is shown (for tests and scripts): ``visible``, ``value``, ``max``, ``text``."""
        return {
            "visible": self.visible,
            "value": int(self.bar.value),
            "max": int(self.bar.max),
            "text": self.text,
        }
