"""Badges (text labels, theme colours, escaping, tooltips) and receipts."""

from __future__ import annotations

import html
import json
import re
import threading

import pytest
from _engine_fakes import WAIT, FakeService

from modelarts_widgets.bulk import STATES, BulkDelete
from modelarts_widgets.models import ACTIVE_STATUSES, TERMINAL_STATUSES, DeleteResult
from modelarts_widgets.widgets.badges import (
    OUTCOME_LABELS,
    PALETTE,
    badge_html,
    status_badge_html,
    truncate,
)
from modelarts_widgets.widgets.receipt import summary_html

EVIL = "<img src=x onerror=alert(1)>"
EXPECTED_LABELS = {
    "queued": "queued",
    "sending": "sending…",
    "accepted": "accepted",
    "deleted": "deleted",
    "already_gone": "already gone",
    "failed": "failed",
    "not_sent": "not sent",
    "unknown": "unknown",
}


def visible_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", fragment))


def title_of(fragment: str) -> str:
    match = re.search(r'title="([^"]*)"', fragment)
    assert match, fragment
    return html.unescape(match.group(1))


@pytest.mark.parametrize("state", STATES)
def test_every_state_has_a_text_label_and_a_colour(state: str) -> None:
    fragment = badge_html(state)
    assert visible_text(fragment) == EXPECTED_LABELS[state] == OUTCOME_LABELS[state]
    kind = re.search(r'data-kind="(\w+)"', fragment)
    assert kind
    background, colour = PALETTE[kind.group(1)]
    assert f"background:{background};color:{colour}" in fragment
    assert f'data-state="{state}"' in fragment


def test_colours_follow_meaning() -> None:
    # fixed colours (issue 13: theme colours gave 3.5:1 on "running"); see test_widgets_layout
    assert 'data-kind="success"' in badge_html("deleted")
    assert 'data-kind="error"' in badge_html("failed")
    assert 'data-kind="warn"' in badge_html("unknown")
    assert 'data-kind="info"' in badge_html("sending")
    assert 'data-kind="neutral"' in badge_html("not_sent")


def test_failed_label_carries_the_code_and_tooltip_the_full_message() -> None:
    message = "This job can't be delete. job status: 9 " + "x" * 200
    fragment = badge_html(
        "failed", error_code="ModelArts.0105", detail=f"{message}\nrefused by the server"
    )
    label = visible_text(fragment)
    assert label == "failed: ModelArts.0105"  # the message is shown under the badge, whole
    assert len(label) <= 48
    tooltip = title_of(fragment)
    assert message in tooltip
    assert "refused by the server" in tooltip


@pytest.mark.parametrize("field", ["detail", "error_code", "state"])
def test_server_text_is_escaped_everywhere(field: str) -> None:
    kwargs = {"detail": "", "error_code": None}
    state = "failed"
    if field == "state":
        state = EVIL
    else:
        kwargs[field] = EVIL + '" onmouseover="alert(2)'
    fragment = badge_html(state, **kwargs)  # type: ignore[arg-type]
    assert "<img" not in fragment
    assert 'onmouseover="' not in fragment
    assert "&lt;img src=x onerror=alert(1)&gt;" in fragment
    assert fragment.count("<span") == 1


def test_truncate() -> None:
    assert truncate("short") == "short"
    assert truncate("a  b\n c") == "a b c"
    assert truncate("x" * 100, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("code", sorted(ACTIVE_STATUSES | TERMINAL_STATUSES | {0, 99}))
def test_status_badges_have_text_and_meaningful_colours(code: int) -> None:
    fragment = status_badge_html(code)
    assert visible_text(fragment)
    assert str(code) in title_of(fragment)
    if code in (10, 20):
        assert 'data-kind="success"' in fragment
    elif code in (3, 5, 6, 11, 14, 16, 17, 21, 22):
        assert 'data-kind="error"' in fragment
    elif code in (8, 15, 19):
        assert 'data-kind="info"' in fragment
    elif code in ACTIVE_STATUSES:
        assert 'data-kind="warn"' in fragment
    assert badge_html(code) == fragment


def test_status_badge_labels() -> None:
    assert visible_text(status_badge_html(8)) == "running"
    assert visible_text(status_badge_html(11)) == "run failed"
    assert visible_text(status_badge_html(99)) == "status 99"


def test_receipt_records_and_escaped_summary() -> None:
    keys = [(1, 1), (1, 2)]
    refusal = DeleteResult(False, "ModelArts.0105", EVIL, http_status=200, request_id="r-1")
    fake = FakeService(keys, {(1, 2): DeleteResult(False, EVIL, EVIL, http_status=400)})
    fake.behaviours[(1, 1)] = refusal
    bulk = BulkDelete([((1, 1), EVIL), ((1, 2), "v2")], fake.delete_one, fake.still_listed)
    bulk.start()
    assert bulk.wait(WAIT)
    records = [o.as_record() for o in bulk.outcomes.values()]
    json.dumps(records)
    assert records[0]["key"] == [1, 1]
    assert records[0]["name"] == EVIL
    assert records[0]["error_code"] == "ModelArts.0105"
    assert records[0]["request_id"] == "r-1"
    assert EVIL in bulk.summary()
    rendered = summary_html(bulk)
    assert "<img" not in rendered
    assert 'data-done="true"' in rendered
    assert "maw-receipt-problems" in rendered


def test_summary_html_while_running() -> None:
    gate = threading.Event()
    fake = FakeService([1], gate=gate)
    bulk = BulkDelete([(1, "one")], fake.delete_one, fake.still_listed)
    bulk.start()
    fake.wait_in_flight(1)
    assert 'data-done="false"' in summary_html(bulk)
    assert bulk.summary() == "Deleting… 1 of 1 sent · 1 in flight"
    gate.set()
    assert bulk.wait(WAIT)
