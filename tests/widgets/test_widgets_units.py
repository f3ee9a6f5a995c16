"""The list widgets' pure parts: formats, escaping, filter/sort/paging state, delete plans."""

from __future__ import annotations

import time

import pytest

from modelarts_widgets.models import JobVersion
from modelarts_widgets.widgets._html import esc, fmt_duration, fmt_time, link_html
from modelarts_widgets.widgets._view import Column, FilterChange, ListState
from modelarts_widgets.widgets.confirm import DeletePlan, PlanItem
from modelarts_widgets.widgets.version_list import normalize_obs_path, reads_output


def test_durations_read_like_a_clock() -> None:
    assert fmt_duration(3_723_000) == "1h 02m"
    assert fmt_duration(307_000) == "5m 07s"
    assert fmt_duration(42_400) == "42s"
    assert fmt_duration(None) == ""


def test_timestamps_are_local_minutes() -> None:
    ms = 1_735_689_600_000
    assert fmt_time(ms) == time.strftime("%Y-%m-%d %H:%M", time.localtime(ms / 1000))
    assert fmt_time(None) == ""
    assert fmt_time(0) == ""


def test_links_are_escaped_and_only_for_http() -> None:
    html = link_html('https://x.test/a?b=1&c="2"')
    assert 'href="https://x.test/a?b=1&amp;c=&quot;2&quot;"' in html
    assert 'target="_blank"' in html
    assert 'rel="noopener noreferrer"' in html
    assert "<a" not in link_html("javascript:alert(1)")
    assert link_html("") == ""
    assert esc("<b a='1'>") == "&lt;b a=&#x27;1&#x27;&gt;"


def test_obs_paths_compare_by_normalised_prefix() -> None:
    assert normalize_obs_path("obs://bucket//job/V1") == "/bucket/job/V1/"
    assert normalize_obs_path(" /bucket/job/V1/ ") == "/bucket/job/V1/"
    assert reads_output("/bucket/job/V1/output/", "obs://bucket/job/V1/output")
    assert reads_output("/bucket/job/", "/bucket/job/V1/output/")  # reads every version
    assert not reads_output("/bucket/job/V10/", "/bucket/job/V1/")
    assert not reads_output("", "/bucket/")


def _state(n: int, page_size: int = 4) -> ListState[JobVersion]:
    columns = [
        Column("version", "version", "5em", lambda v: v.version_name, lambda v: v.version_id),
        Column("created", "created", "5em", lambda v: "", lambda v: v.create_time),
    ]
    state: ListState[JobVersion] = ListState(
        key_of=lambda v: v.key,
        status_of=lambda v: v.status,
        search_text_of=lambda v: v.version_name,
        columns=columns,
        page_size=page_size,
        sort_column="version",
        descending=False,
    )
    state.set_items(
        JobVersion(
            job_id=1,
            version_id=i,
            version_name=f"V{i:04d}",
            status=(8, 10, 11)[i % 3],
            create_time=None if i == 2 else i,
        )
        for i in range(n)
    )
    return state


def test_list_state_filters_sorts_and_pages() -> None:
    st = _state(10)
    assert st.n_pages == 3
    st.go_to_page(3)
    assert [v.version_id for v in st.page_items()] == [8, 9]
    st.set_filter(FilterChange(status="failed"))
    assert st.page == 1
    assert [v.version_id for v in st.matching()] == [2, 5, 8]
    st.set_filter(FilterChange(status="all", text="v000"))
    assert len(st.matching()) == 10
    st.set_sort("created", descending=True)
    assert [v.version_id for v in st.matching()][-1] == 2  # missing values sort last
    st.set_sort("created", descending=False)
    assert [v.version_id for v in st.matching()][-1] == 2


def test_list_state_selection_is_keyed_and_pruned() -> None:
    st = _state(6)
    st.select([(1, 1), (1, 4), (9, 9)])
    assert list(st.selected) == [(1, 1), (1, 4)]  # unknown keys are ignored
    gone = st.set_items(v for v in st.items if v.version_id != 4)
    assert gone == [(1, 4)]
    assert list(st.selected) == [(1, 1)]


def _plan(n_done: int, n_active: int) -> DeletePlan:
    items = [PlanItem(("d", i), f"done-{i}", 10, False) for i in range(n_done)]
    items += [PlanItem(("a", i), f"run-{i}", 8, True) for i in range(n_active)]
    return DeletePlan("thing", "things", tuple(items))


def test_plan_holds_back_active_items_and_needs_the_count() -> None:
    plan = _plan(12, 2)
    assert plan.required_count(False) == 12
    assert plan.required_count(True) == 14
    with pytest.raises(ValueError, match=r"\(12\).*got nothing"):
        plan.check(None, False)
    with pytest.raises(ValueError, match="got '14'"):
        plan.check("14", False)
    assert len(plan.check(" 12 ", False)) == 12
    assert len(plan.check(14, True)) == 14
    html = plan.summary_html(False)
    assert "Delete 12 things?" in html
    assert "+2 more" in html  # first ten names, then the rest counted
    assert "Not deleted: 2 active items" in html
    assert "run-1" in html


def test_plan_of_only_active_items_deletes_nothing_by_default() -> None:
    plan = _plan(0, 1)
    with pytest.raises(ValueError, match="all 1 selected items are active"):
        plan.check(None, False)
    assert plan.required_count(True) is None
    assert [i.name for i in plan.check(None, True)] == ["run-0"]


def test_http_events_reach_the_status_line_at_a_bounded_rate() -> None:
    """Eight workers hitting one rate limit at once make one status message, not eight;
    progress written during the wait keeps showing it; HTTP events and progress share one
    writer (the status line's coalescer)."""
    from modelarts_widgets.client import HttpEvent
    from modelarts_widgets.widgets.status import StatusLine

    shown: list[str] = []
    status = StatusLine(lambda text, html: shown.append(text), interval=60.0)
    limited = HttpEvent("rate_limited", "DELETE", "/v1/p/x", 30.0, 1, "rate limited")
    for _ in range(8):
        status.http_event(limited)
    status.flush()
    assert shown == ["waiting 30 s (rate limited)"]
    status.progress("Deleting… 3 of 9 sent")
    status.progress("Deleting… 4 of 9 sent")  # coalesced: only the latest is written
    status.flush()
    assert shown[1:] == ["Deleting… 4 of 9 sent · waiting 30 s (rate limited)"]
    status.say("Deleted 9 of 9")  # a message says what happened since: the wait is over
    assert shown[-1] == "Deleted 9 of 9"
    status.http_event(HttpEvent("retry", "GET", "/v1/p/x", 0.5, 1, "HTTP 503"))
    assert shown[-1] == "waiting 0.5 s (HTTP 503)"  # shown at once
    assert len(shown) == 4
    status.close()
