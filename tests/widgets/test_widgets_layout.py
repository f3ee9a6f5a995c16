"""Row layout: one grid template for header and rows, columns that give way at narrow widths,
failures readable without hovering, badges readable and whole."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from listpage import page

from modelarts_widgets.bulk import ItemOutcome, Outcome
from modelarts_widgets.models_v2 import V2_PHASES
from modelarts_widgets.widgets import JobVersionList, TrainingJobList, VisualizationJobList
from modelarts_widgets.widgets._html import (
    LEAD_EM,
    MAX_MESSAGE,
    GridColumn,
    RowGrid,
    message_html,
    short_url,
    time_html,
)
from modelarts_widgets.widgets._list_view import OUTCOME_COLUMN, outcome_html
from modelarts_widgets.widgets.badges import (
    PALETTE,
    badge_html,
    generation_badge_html,
    phase_badge_html,
    status_badge_html,
)

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


def _template(style: str, scope: str) -> list[str]:
    """The top-level ``grid-template-columns`` of ``scope`` as a list of tracks."""
    top = style.split("@container", 1)[0]
    m = re.search(re.escape(scope) + r"\{grid-template-columns:([^}]*)\}", top)
    assert m, top
    return re.findall(r"minmax\([^)]*\)|\S+", m.group(1))


@pytest.mark.parametrize("cls", [JobVersionList, TrainingJobList, VisualizationJobList])
def test_header_and_rows_share_one_grid_that_gives_way_at_narrow_widths(
    make_widget: Any, emulator: Any, cls: Any
) -> None:
    emulator.seed(jobs=3, versions_per_job=3, visualization_jobs=4, v2_training_jobs=3)
    w = make_widget(cls)
    header = page(w).header.value
    row = page(w).cells[0].value
    grid = re.search(r'class="mw-header-cells (mw-g-[0-9a-f]+)"', header)
    assert grid, header
    scope = grid.group(1)
    assert f'class="mw-cells {scope}"' in row  # the same template for header and rows
    style = header.split("</style>", 1)[0]
    assert ".modelarts-widgets .widget-html-content{min-width:0}" in style  # ipywidgets 8
    assert "container:mwlist/inline-size" in style
    tracks = _template(style, f".{scope}")
    n_cells = row.count('class="mw-cell ')
    assert len(tracks) == n_cells == header.count('class="mw-cell ')
    assert "display:grid" in row
    assert "min-width:0" in row
    assert "contain:inline-size" in row
    assert "white-space:normal" in row.rsplit('class="mw-cell ', 1)[1]  # the outcome wraps
    # Narrowing steps: each hides columns, never a priority-0 one; the last puts the outcome
    # on its own line. Every step's threshold is below the previous one.
    steps = re.findall(
        r"@container mwlist \(max-width:([\d.]+)em\)\{(.*?)\}(?=@container|$)", style
    )
    assert len(steps) >= 3
    widths = [float(x) for x, _ in steps]
    assert widths == sorted(widths, reverse=True)
    assert widths[-1] * 13 <= 520  # the essential columns fit a 520 px widget at 13 px
    assert "mw-col-outcome{grid-column:1/-1}" in steps[-1][1]
    for _, body in steps:
        assert "mw-col-outcome{display:none" not in body
        assert not re.search(r"mw-col-(job|name|outcome)[,{][^}]*display:none", body)


def test_grid_steps_hide_the_highest_priority_first() -> None:
    grid = RowGrid(
        [
            GridColumn("name", 10, 6, 0),
            GridColumn("when", 10, 10, 2),
            GridColumn("extra", 8, 4, 3),
            OUTCOME_COLUMN,
        ]
    )
    steps = grid.steps()
    assert [[c.key for c in shown] for _, shown in steps] == [
        ["name", "when", "outcome"],
        ["name", "outcome"],
        ["name", "outcome"],
    ]
    full = LEAD_EM + 6 + 10 + 4 + OUTCOME_COLUMN.least + 1
    assert steps[0][0] == pytest.approx(full)
    assert grid.columns[1].track() == "10em"  # fixed
    assert grid.columns[0].track() == "minmax(6em,10fr)"
    with pytest.raises(ValueError, match="cells for"):
        grid.row_html(["only one"])


def test_timestamps_are_whole_and_the_full_value_is_in_the_tooltip() -> None:
    html = time_html(1_737_772_867_000)
    shown = _text(html)["mw-time"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", shown)
    title = re.search(r'title="([^"]*)"', html)
    assert title
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC[+-]\d{4}", title.group(1))
    assert title.group(1).startswith(shown)
    assert time_html(None) == ""


def test_service_urls_are_shown_short() -> None:
    assert short_url("http://127.0.0.1:8080/tensorboard/abc-123") == "127.0.0.1:8080/…/abc-123"
    assert short_url("https://u:p@host.example/x?token=1") == "host.example/x"
    assert short_url("https://host.example/") == "host.example"
    assert short_url("not a url") == "not a url"


@pytest.mark.parametrize(
    ("cls", "words"),
    [(JobVersionList, ("job", "version", "engine")), (VisualizationJobList, ("name", "URL"))],
)
def test_search_placeholders_say_what_is_searched(
    make_widget: Any, cls: Any, words: tuple[str, ...]
) -> None:
    w = make_widget(cls)
    for word in words:
        assert word in page(w).search.placeholder


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_wcag_examples() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def _every_badge() -> list[str]:
    states = ["queued", "sending", "accepted", "deleted", "already_gone", "failed"]
    states += ["not_sent", "unknown", "something_new"]
    badges = [badge_html(s) for s in states] + [status_badge_html(c) for c in range(-1, 24)]
    badges += [phase_badge_html(p) for p in (*V2_PHASES, "Sleeping", "")]
    return badges + [generation_badge_html(g) for g in ("v1", "v2")]


def test_every_badge_text_has_enough_contrast_in_light_and_dark() -> None:
    """Computed from the colours in each rendered badge's style. They are fixed pairs, no theme
    variables (asserted), so the light and dark themes (and exported HTML) give this ratio."""
    seen = set()
    for html in _every_badge():
        style = re.search(r'style="([^"]*)"', html)
        assert style, html
        decl = dict(d.split(":", 1) for d in style.group(1).split(";") if d)
        assert "var(" not in decl["background"] + decl["color"]  # not theme-dependent
        ratio = contrast(decl["background"], decl["color"])
        assert ratio >= 4.5, (html, round(ratio, 2))
        seen.add((decl["background"], decl["color"]))
    assert seen == set(PALETTE.values())


def test_badges_end_in_an_ellipsis_with_the_whole_label_in_the_tooltip() -> None:
    html = status_badge_html(12)
    assert "canceled successfully" in html
    for decl in (
        "max-width:100%",
        "overflow:hidden",
        "text-overflow:ellipsis",
        "white-space:nowrap",
    ):
        assert decl in html
    assert 'title="status 12: canceled successfully"' in html


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
