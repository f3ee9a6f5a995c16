"""The reusable progress bar: one IntProgress and a label, updated in place."""

from __future__ import annotations

import ipywidgets as w

from modelarts_widgets.widgets.progress import ProgressBar, counts_text
from modelarts_widgets.widgets.table import WidgetFactory


def test_counts_text_orders_and_skips_zeros() -> None:
    counts = {"failed": 2, "deleted": 5, "not_sent": 0, "already_gone": 1}
    assert counts_text(counts, order=("deleted",)) == "5 deleted · 2 failed · 1 already gone"
    assert counts_text({}) == ""


def test_progress_bar_is_hidden_until_shown_and_updates_in_place() -> None:
    factory = WidgetFactory()
    bar = ProgressBar(factory)
    try:
        assert bar.as_dict()["visible"] is False
        made = len(factory.created)
        bar.show(3, 12, "2 deleted · 1 failed <b>")
        bar.show(7, 12, "5 deleted · 2 failed <b>")
        assert len(factory.created) == made  # no new widget per update
        assert bar.as_dict() == {
            "visible": True,
            "value": 7,
            "max": 12,
            "text": "7 / 12 · 5 deleted · 2 failed <b>",
        }
        assert "&lt;b&gt;" in bar.label.value
        assert isinstance(bar.bar, w.IntProgress)
        bar.show(20, 12)  # clamped
        assert (bar.bar.value, bar.as_dict()["text"]) == (12, "12 / 12")
        bar.hide()
        assert bar.as_dict()["visible"] is False
    finally:
        for widget in factory.created:
            widget.close()
