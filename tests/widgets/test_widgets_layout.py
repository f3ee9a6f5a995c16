"""Row layout: flex cells that fit a narrow notebook, failures readable without hovering."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from listpage import page

from modelarts_widgets.bulk import ItemOutcome, Outcome
from modelarts_widgets.widgets import JobVersionList, TrainingJobList, VisualizationJobList
from modelarts_widgets.widgets._html import MAX_MESSAGE, cells_html, message_html
from modelarts_widgets.widgets._list_view import OUTCOME_WIDTH, outcome_html

HOSTILE = "<img src=x onerror=alert(1)> "


class _Text(HTMLParser):
    """Visible text per element class (``class`` attribute -> concatenated character data)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.by_class: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        self.stack.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for css in self.stack:
            self.by_class[css] = self.by_class.get(css, "") + data


def _text(html: str) -> dict[str, str]:
    parser = _Text()
    parser.feed(html)
    return parser.by_class


def _em(length: str) -> float:
    assert length.endswith("em"), length
    return float(length[:-2])


@pytest.mark.parametrize("cls", [JobVersionList, TrainingJobList, VisualizationJobList])
def test_columns_fit_a_notebook_next_to_the_file_browser(
    make_widget: Any, emulator: Any, cls: Any
) -> None:
    """Preferred widths add up to at most ~900 px (13 px font); every cell may shrink."""
    emulator.seed(jobs=3, versions_per_job=3, visualization_jobs=4, v2_training_jobs=3)
    w = make_widget(cls)
    header = page(w).header.value
    widths = re.findall(r"flex:\d \d ([\d.]+em);min-width:([\d.]+em)", header)
    assert len(widths) == header.count('class="mw-cell"') > 1  # one per column + outcome
    assert widths[-1] == OUTCOME_WIDTH
    assert sum(_em(basis) for basis, _ in widths) + 2.2 <= 70  # + the checkbox column
    for basis, least in widths:
        assert _em(least) <= _em(basis)
    row = page(w).cells[0].value
    assert "display:flex" in row
    assert "min-width:0" in row
    assert not re.search(r"(?<![-\w])width:[\d.]+(em|px)", row)  # no fixed width
    assert "white-space:normal" in row.rsplit('class="mw-cell"', 1)[1]  # the outcome wraps


def test_failed_outcome_shows_the_whole_message_under_a_short_badge() -> None:
    message = HOSTILE * 3
    html = outcome_html(
        ItemOutcome(
            key=(1, 2),
            name="n",
            state=Outcome.FAILED,
            error_code="ModelArts.0105",
            error_msg=message,
            detail="refused by the server",
        )
    )
    text = _text(html)
    badge = next(v for k, v in text.items() if "maw-badge" in k)
    assert badge == "failed: ModelArts.0105"
    assert text["mw-outcome-msg"] == " ".join(message.split())
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "refused by the server" in html  # in the badge's tooltip


def test_long_messages_are_capped_on_screen_and_whole_in_the_tooltip() -> None:
    long = "word " * 400
    html = message_html(long)
    shown = _text(html)["mw-outcome-msg"]
    assert len(shown) <= MAX_MESSAGE
    assert shown.endswith("…")
    assert f'title="{long}"' in html
    assert "-webkit-line-clamp:3" in html


def test_other_outcomes_are_a_badge_only() -> None:
    for state in set(Outcome) - {Outcome.FAILED, Outcome.UNKNOWN}:
        html = outcome_html(ItemOutcome(key="k", name="n", state=state, detail="d"))
        assert "mw-outcome-msg" not in html
    unknown = outcome_html(
        ItemOutcome(key="k", name="n", state=Outcome.UNKNOWN, detail="no answer")
    )
    assert _text(unknown)["mw-outcome-msg"] == "no answer"


def test_cells_wrap_only_the_last_cell_when_asked() -> None:
    html = cells_html(["a", "b"], [("4em", "2em"), ("8em", "6em")], key="k", wrap_last=True)
    first, last = html.split('class="mw-cell"')[1:]
    assert "white-space:nowrap" in first
    assert "text-overflow:ellipsis" in first
    assert "flex:0 1 4em;min-width:2em" in first
    assert "white-space:normal" in last
    assert "flex:1 1 8em;min-width:6em" in last
    assert 'data-key="k"' in html
