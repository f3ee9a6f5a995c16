"""Lists that appear at once and fill in while they load, against the live emulator with latency.

Version listings are slowed in the emulator (the job list is not), so a test can look at the
widget while versions are still arriving; every check waits on a condition, never on time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any, Callable

import pytest

from modelarts_widgets.widgets import JobVersionList, VisualizationJobList

VERSIONS = r"/training-jobs/\d+/versions$"
#: Thread names of a listing run (its thread, its version workers, its coalescer).
LISTING_THREADS = ("modelarts-widgets-listing", "modelarts-widgets-versions")


def listing_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(LISTING_THREADS)]


@pytest.fixture
def slow(emulator_env: Any) -> Any:
    """12 jobs x 3 versions, 5 visualization jobs; each versions request takes 0.3 s."""
    emulator_env.seed(jobs=12, versions_per_job=3, visualization_jobs=5)
    emulator_env.add_latency(0.3, path=VERSIONS)
    return emulator_env


def test_constructor_returns_before_the_listing_ends(slow: Any, make_widget: Any) -> None:
    w = make_widget(JobVersionList, listed=False)
    assert w.loading  # versions take 0.3 s each: nothing can be listed yet
    assert w.n_items == 0
    assert w.status_message == "Loading training job versions…"
    assert w.wait(60)
    assert not w.loading
    assert w.n_items == 36
    assert w.status_message == "Listed 36 training job versions."
    assert w.error == ""


def test_rows_appear_in_steps_placeholders_first(
    slow: Any, make_widget: Any, wait_until: Callable[..., None]
) -> None:
    seen: list[int] = []
    w = make_widget(JobVersionList, listed=False, list_workers=2, page_size=5)
    w.observe(lambda change: seen.append(change["new"]), names="n_items")
    # the job list answers first: one row per job (its latest version) before any version
    wait_until(lambda: len(w.visible_items) == 5, what="the first page from the job list")
    first_page = w.visible_items
    if w.n_items == 0:  # still no version listed: these rows are placeholders
        w.select(keys=[v.key for v in first_page])
        assert w.n_selected == 0  # a placeholder is not listed yet, so it cannot be selected
    assert w.wait(60)
    assert seen == sorted(seen)
    assert len(set(seen)) >= 3, f"rows arrived in one step: {seen}"
    assert seen[-1] == 36
    assert len({v.key for v in w.items}) == 36
    assert all(v.version_name for v in w.items)  # every placeholder was replaced


def test_selection_filter_and_page_survive_arrivals(
    slow: Any, make_widget: Any, wait_until: Callable[..., None]
) -> None:
    w = make_widget(JobVersionList, listed=False, list_workers=1, page_size=2)
    wait_until(lambda: w.n_items >= 6, what="two jobs listed")
    assert w.loading
    w.set_filter(text="V0001")  # the first version of every job
    wait_until(lambda: w.n_pages >= 2, what="two pages of first versions")
    w.go_to_page(2)
    picked = w.visible_items[0].key
    w.select(keys=[picked])
    assert w.loading
    assert w.wait(60)
    assert w.page == 2
    assert w.selected == [picked]
    assert w.n_matching == 12
    assert all(v.version_name == "V0001" for v in w.visible_items)


def test_select_all_while_loading_takes_only_what_is_listed(
    slow: Any, make_widget: Any, wait_until: Callable[..., None]
) -> None:
    w = make_widget(JobVersionList, listed=False, list_workers=1)
    wait_until(lambda: w.n_items >= 3, what="one job listed")
    w.select(all_matching=True)
    listed = {v.key for v in w.items}
    assert set(w.selected) <= listed
    assert w.n_selected == len(w.selected) >= 3
    plan = w.request_delete()
    assert plan is not None
    assert {item.key for item in plan.items} == set(w.selected)
    w.cancel()
    assert w.wait(60)
    assert w.n_items == 36
    assert w.n_selected == len(plan.items)  # arrivals did not add to the selection


def test_a_listing_error_midway_keeps_the_rows(
    emulator_env: Any, make_widget: Any, api: Any
) -> None:
    emulator_env.seed(jobs=12, versions_per_job=3)
    jobs = [j.job_id for j in api.iter_training_jobs()]
    emulator_env.force_error(500, count=20, path=rf"/training-jobs/{jobs[6]}/versions$")
    w = make_widget(JobVersionList, list_workers=1)  # jobs in list order, one at a time
    assert not w.loading
    assert w.n_items == 18  # the six jobs before the failing one
    assert {v.job_id for v in w.items} == set(jobs[:6])
    assert "Could not list training job versions" in w.error
    assert "500" in w.error or "Internal server error" in w.error
    assert "Refresh" in w.error
    emulator_env.clear_faults()
    w.refresh()
    assert w.wait(60)
    assert w.n_items == 36
    assert w.error == ""


def test_close_during_a_listing_leaves_no_thread_running(
    slow: Any, make_widget: Any, wait_until: Callable[..., None]
) -> None:
    w = make_widget(JobVersionList, listed=False)
    wait_until(lambda: listing_threads(), what="the listing threads")
    assert w.loading
    w.close()
    assert listing_threads() == []


def test_close_while_both_generations_are_listed_leaves_no_thread_running(
    slow: Any, make_widget: Any, wait_until: Callable[..., None]
) -> None:
    slow.add_latency(0.5, path=r"/visualization-jobs$")
    slow.add_latency(0.5, path=r"/training-job-searches$")
    w = make_widget(VisualizationJobList, listed=False)
    wait_until(
        lambda: any(t.startswith("modelarts-widgets-listing-v2") for t in listing_threads()),
        what="the v2 listing thread beside the v1 one",
    )
    assert w.loading
    w.close()
    assert listing_threads() == []


def test_refresh_during_a_listing_starts_over_without_duplicates(
    slow: Any, make_widget: Any, wait_until: Callable[..., None]
) -> None:
    w = make_widget(JobVersionList, listed=False)
    wait_until(lambda: w.n_items >= 3, what="a first job listed")
    w.refresh()
    assert w.loading
    assert w.n_items >= 3  # rows already listed stay while the new listing runs
    assert w.wait(60)
    assert w.n_items == 36
    assert len({v.key for v in w.items}) == 36


def test_wait_returns_when_the_listing_is_done(slow: Any, make_widget: Any) -> None:
    w = make_widget(VisualizationJobList, listed=False)
    slow.add_latency(0.3, path=r"/visualization-jobs$")
    w.refresh()
    assert w.loading
    assert w.wait(60)
    assert not w.loading
    assert w.n_items == len(w.items) == 5
    assert w.status_message == f"Listed {w.n_items} visualization jobs."


def test_a_plain_script_lists_in_the_background(slow: Any) -> None:
    """No kernel: widget updates from the listing thread work, and the script exits."""
    script = (
        "import json\n"
        "from modelarts_widgets import JobVersionList\n"
        "w = JobVersionList()\n"
        "loading = w.loading\n"
        "w.wait(60)\n"
        "print(json.dumps([loading, w.loading, w.n_items, w.error]))\n"
        "w.close()\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [True, False, 36, ""]


def test_a_wait_reported_while_the_list_is_being_built_is_shown(
    emulator_env: Any, make_widget: Any, wait_until: Callable[..., None]
) -> None:
    """The listing starts before the widgets exist; a rate-limit wait it meets then is not lost."""
    from modelarts_widgets.session import Session

    go_on = threading.Event()
    waiting = threading.Event()

    def sleep(seconds: float) -> None:  # the HTTP client waits out Retry-After here
        waiting.set()
        go_on.wait(30)

    emulator_env.throttle(1, retry_after=1, path=r"/workspaces$")
    w = make_widget(JobVersionList, Session(sleep=sleep), listed=False)
    assert waiting.wait(30)  # the listing thread is held in its wait
    wait_until(lambda: "waiting 1 s (rate limited)" in w.status_message, what="the wait shown")
    assert w.loading
    go_on.set()
    assert w.wait(60)
    assert w.n_items == 9
    assert w.status_message == "Listed 9 training job versions."


def test_a_constructor_that_fails_after_the_listing_started_stops_it(slow: Any) -> None:
    from traitlets import TraitError

    with pytest.raises(TraitError):
        JobVersionList(layout=42)  # refused by the VBox, after the listing started
    assert listing_threads() == []


# ---- merging arrivals (no emulator) --------------------------------------------------------------


def _arrivals() -> Any:
    from modelarts_widgets.widgets._streaming import Arrivals

    return Arrivals(key_of=lambda r: r, group_of=lambda r: r[0])


def _batch(groups: Any = None, placeholders: Any = None) -> Any:
    from modelarts_widgets.widgets._streaming import Batch

    return Batch(groups or {}, placeholders or {}, None)


def test_placeholders_fill_only_groups_without_rows_and_give_way_to_listed_rows() -> None:
    a = _arrivals()
    rows = a.merge([("a", 1)], _batch(placeholders={"a": [("a", 9)], "b": [("b", 9)]}))
    assert rows == [("a", 1), ("b", 9)]  # "a" keeps its row from an earlier listing
    assert a.placeholders == {("b", 9)}
    rows = a.merge(rows, _batch(groups={"b": [("b", 1), ("b", 2)]}))
    assert rows == [("a", 1), ("b", 1), ("b", 2)]
    assert a.placeholders == set()
    rows = a.merge(rows, _batch(placeholders={"b": [("b", 9)]}))  # late: "b" is listed
    assert rows == [("a", 1), ("b", 1), ("b", 2)]


def test_the_end_of_a_listing_drops_placeholders_and_only_a_complete_one_drops_stale_rows() -> None:
    a = _arrivals()
    rows = a.merge(
        [("old", 1), ("b", 0)],
        _batch(groups={"b": [("b", 1)]}, placeholders={"c": [("c", 9)]}),
    )
    assert a.finish(rows, complete=False) == [("old", 1), ("b", 1)]  # an error keeps the rows
    a = _arrivals()
    rows = a.merge(
        [("old", 1), ("b", 0)],
        _batch(groups={"b": [("b", 1)]}, placeholders={"c": [("c", 9)]}),
    )
    assert a.finish(rows, complete=True) == [("b", 1)]  # "old" is gone from the server


def test_rows_keep_the_order_the_groups_were_announced_in() -> None:
    a = _arrivals()
    rows = a.merge(
        [],
        _batch(
            groups={"b": [("b", 1), ("b", 2)]},  # listed in the same batch as announced
            placeholders={"a": [("a", 9)], "b": [("b", 9)], "c": [("c", 9)]},
        ),
    )
    assert rows == [("a", 9), ("b", 1), ("b", 2), ("c", 9)]
    rows = a.merge(rows, _batch(groups={"c": [("c", 1)], "a": [("a", 1)]}))
    assert rows == [("a", 1), ("b", 1), ("b", 2), ("c", 1)]


def test_arrivals_are_applied_at_once_while_the_list_holds_less_than_a_page() -> None:
    """The leading edge of a listing: no gather and no interval before the first rows, and a
    second arrival within the interval still shows at once while the page is not full; once it
    is, arrivals are coalesced again (here: held by a long interval until the listing ends)."""
    from modelarts_widgets.widgets._streaming import Batch, ListingRun

    wait = 10.0  # bound for every wait; reached only when something is broken
    page = 2
    rows: list[str] = []
    batches: list[list[str]] = []
    applied = threading.Semaphore(0)
    errors: list[Any] = []

    def on_batch(pushed: dict[Any, Any]) -> None:
        got = [r for items in Batch.of(pushed).groups.values() for r in items]
        batches.append(got)
        rows.extend(got)
        applied.release()

    def produce(feed: Any) -> None:
        feed.put("a", ["a1"])
        assert applied.acquire(timeout=wait), "the first arrival waited (gather or interval)"
        feed.put("b", ["b1"])  # long before the interval is over: still applied at once
        assert applied.acquire(timeout=wait), "the second arrival waited for the interval"
        feed.put("c", ["c1"])  # the page is full: coalesced with what follows
        feed.put("d", ["d1"])

    run = ListingRun(
        produce,
        on_batch,
        errors.append,
        interval=wait * 10,
        eager=lambda: len(rows) < page,
    )
    run.start()
    assert run.done.wait(wait * 3)
    assert errors == [None]
    assert batches == [["a1"], ["b1"], ["c1", "d1"]]
