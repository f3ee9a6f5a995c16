"""The reusable progress bar (one IntProgress and a label, updated in place); the delete run's
progress bar and the confirmation panel in place of the rows."""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from listpage import page

from modelarts_widgets.models import ACTIVE_STATUSES
from modelarts_widgets.widgets import JobVersionList
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


def _table_hidden(w: Any) -> list[bool]:
    return [
        page(w).find(css).layout.display == "none" for css in ("mw-header", "mw-rows", "mw-pager")
    ]


def test_the_confirmation_takes_the_place_of_the_rows_while_open(
    make_widget: Any, registry: dict[str, Any]
) -> None:
    w = make_widget(JobVersionList)
    assert not page(w).has("mw-confirm-panel")  # made the first time it opens
    assert _table_hidden(w) == [False, False, False]
    w.select(all_matching=True)
    page(w).delete.click()
    assert page(w).panel_open
    children = list(w.children)
    assert children.index(page(w).panel) < children.index(page(w).header)  # where rows are
    assert _table_hidden(w) == [True, True, True]
    page(w).cancel_button.click()
    assert _table_hidden(w) == [False, False, False]
    models = len(registry)
    page(w).delete.click()
    assert page(w).panel_open
    page(w).cancel_button.click()
    assert list(w.children) == children  # from then on only shown / hidden, never rebuilt
    assert len(registry) == models


def test_a_delete_run_shows_one_progress_bar_with_counts_by_outcome(
    make_widget: Any, emulator: Any, registry: dict[str, Any]
) -> None:
    emulator.delete_delay = 0.3  # deleted items stay listed a moment: "accepted" is not done
    w = make_widget(JobVersionList, concurrency=2)
    keys = [v.key for v in w.items if v.status not in ACTIVE_STATUSES][:5]
    assert not page(w).has("mw-delete-progress")  # made when a run first shows it
    w.select(keys=keys[4:])
    w.request_delete()
    w.confirm(typed_count=1)
    assert w.wait(30)
    keys = keys[:4]
    bar = page(w).find("mw-delete-progress-bar")
    label = page(w).find("mw-delete-progress-text")
    box = page(w).find("mw-delete-progress")
    assert box.layout.display == "none"
    seen: list[tuple[int, int, str]] = []
    label.observe(lambda _c: seen.append((bar.value, bar.max, label.value)), names="value")
    before = len(registry)
    w.select(keys=keys)
    w.request_delete()
    w.confirm(typed_count=len(keys))
    assert w.wait(30)
    assert len(registry) == before  # updated in place: no widget per item or per update
    assert seen, "the progress bar was never shown"
    assert all(total == len(keys) for _, total, _ in seen)
    values = [done for done, _, _ in seen]
    assert values == sorted(values)  # never goes back
    assert any("sending" in text or "accepted" in text for _, _, text in seen[:-1])
    assert seen[-1][:2] == (4, 4)  # the end is shown before the bar goes
    assert "4 / 4 · 4 deleted" in seen[-1][2]
    assert box.layout.display == "none"  # gone when the run is over; the status line stays
    assert "Deleted 4 of 4" in w.status_message


def test_a_listing_shows_its_own_progress_bar_and_hides_it_at_the_end(
    make_widget: Any, emulator_env: Any, registry: dict[str, Any]
) -> None:
    emulator_env.seed(jobs=8, versions_per_job=2)
    emulator_env.add_latency(0.2, path=r"/training-jobs/\d+/versions$")
    versions = make_widget(JobVersionList, listed=False, list_workers=1)
    made = set(registry)
    p = page(versions)
    bar, box = p.find("mw-listing-progress-bar"), p.find("mw-listing-progress")
    assert isinstance(bar, w.IntProgress)
    assert box.layout.display != "none"  # shown from the start
    assert not p.has("mw-delete-progress")  # the delete run has its own, made when it runs
    texts: list[str] = []
    p.find("mw-listing-progress-text").observe(lambda c: texts.append(c["new"]), names="value")
    assert versions.wait(60)
    assert box.layout.display == "none"
    assert any("listed" in t and "of 8 jobs" in t for t in texts), texts
    # updated in place while listing: the only widgets made since are the rows' (made when
    # the first rows arrive) and the style their checkboxes share (ipywidgets 8:
    # CheckboxStyle, 7: DescriptionStyle)
    added = [registry[k] for k in set(registry) - made]
    row_classes = {"mw-row", "mw-row-check", "mw-row-cells"}
    rows = [x for x in added if row_classes & set(getattr(x, "_dom_classes", ()))]
    assert rows
    others = [type(x).__name__ for x in added if x not in rows]
    assert len(others) <= 1, added
    assert all(name.endswith("Style") for name in others), added
