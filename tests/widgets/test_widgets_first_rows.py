"""What gets the first rows on screen sooner: row widgets made when needed, the order of the first
requests, and the pace of batches after a slow first one.

The live tests slow the emulator's versions requests (the job list is not slowed) and wait on
conditions, never on time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from modelarts_widgets.models import JobVersion, TrainingJob
from modelarts_widgets.widgets import JobVersionList
from modelarts_widgets.widgets._streaming import Feed, ListingRun, stream_all_versions
from modelarts_widgets.widgets.table import RowPool, WidgetFactory

VERSIONS = r"/training-jobs/\d+/versions$"


# --- row widgets -------------------------------------------------------------------------------


@pytest.fixture
def factory() -> Iterator[WidgetFactory]:
    made = WidgetFactory()
    yield made
    for widget in made.created:
        widget.close()


def _rows(n: int) -> list[tuple[Any, str, bool]]:
    return [(f"k{i}", f"<b>{i}</b>", False) for i in range(n)]


def test_a_pool_makes_rows_when_a_page_first_needs_them(factory: WidgetFactory) -> None:
    pool = RowPool(factory, 5, lambda key, on: None)
    assert (pool.size, pool.made, pool.box.children) == (5, 0, ())
    pool.fill(_rows(2))
    assert pool.made == 2
    assert pool.keys == ["k0", "k1"]
    pool.fill(_rows(9))  # never more rows than the page size
    assert (pool.made, len(pool.box.children)) == (5, 5)
    pool.fill(_rows(1))  # rows made stay made (hidden), and are re-filled in place
    assert (pool.made, len(pool.box.children), pool.keys) == (5, 1, ["k0"])


def test_a_pool_reserves_rows_hidden_until_used_and_makes_none_once_closed(
    factory: WidgetFactory,
) -> None:
    pool = RowPool(factory, 6, lambda key, on: None)
    pool.fill(_rows(2), reserve=4)
    assert (pool.made, len(pool.box.children)) == (4, 2)
    pool.close()
    pool.fill(_rows(6))
    assert pool.made == 4  # a late redraw after close() makes no widget
    assert len(pool.box.children) == 4


def test_a_row_made_late_still_reports_its_ticks(factory: WidgetFactory) -> None:
    toggled: list[tuple[Any, bool]] = []
    pool = RowPool(factory, 3, lambda key, on: toggled.append((key, on)))
    pool.fill(_rows(1))
    pool.fill(_rows(3))
    pool.box.children[2].children[0].value = True  # the user ticks the third row
    assert toggled == [("k2", True)]


@pytest.fixture
def slow(emulator_env: Any) -> Any:
    """12 jobs x 3 versions; each versions request takes 0.3 s."""
    emulator_env.seed(jobs=12, versions_per_job=3, visualization_jobs=0)
    emulator_env.add_latency(0.3, path=VERSIONS)
    return emulator_env


def _row_checks(registry: dict[str, Any], before: set[str]) -> int:
    """Row checkboxes made since ``before`` (one per row)."""
    return sum(
        1
        for key in set(registry) - before
        if "mw-row-check" in getattr(registry[key], "_dom_classes", ())
    )


def test_a_list_makes_its_rows_while_its_first_answer_is_awaited(
    slow: Any,
    make_widget: Any,
    registry: dict[str, Any],
    wait_until: Callable[..., None],
) -> None:
    """The constructor builds no row; a thread of the listing makes them while the job list is
    awaited (here 1 s), so the first rows only fill them."""
    slow.add_latency(1.0, path=r"/training-jobs$")
    before = set(registry)
    w = make_widget(JobVersionList, listed=False, page_size=15)
    wait_until(lambda: _row_checks(registry, before) == 15, what="a page of rows made ahead")
    assert w.loading
    assert w.n_items == 0  # nothing listed yet: the rows were made ahead of it
    assert len(w.visible_items) == 0  # and none is shown
    wait_until(lambda: len(w.visible_items) == 12, what="one placeholder row per job")
    assert w.wait(60)
    assert len(w.visible_items) == 15
    assert _row_checks(registry, before) == 15  # re-filled in place, none added


def test_a_list_whose_first_answer_comes_at_once_makes_the_rest_on_its_first_rows(
    slow: Any, make_widget: Any, registry: dict[str, Any]
) -> None:
    before = set(registry)
    w = make_widget(JobVersionList, page_size=30)
    assert w.n_items == 36
    assert _row_checks(registry, before) == 30  # never more than a page, however made


# --- the order of the first requests -------------------------------------------------------------


class _Client:
    """``iter_training_jobs`` / ``list_job_versions`` of ``n`` jobs; records what it was asked."""

    def __init__(self, n: int) -> None:
        self.jobs = [
            TrainingJob(job_id=100 + i, job_name=f"job-{i}", version_id=i, status=10)
            for i in range(n)
        ]
        self.version_calls: list[int] = []
        self.lock = threading.Lock()

    def iter_training_jobs(self, per_page: int = 100) -> Iterator[TrainingJob]:
        return iter(self.jobs)

    def list_job_versions(self, job_id: int) -> list[JobVersion]:
        with self.lock:
            self.version_calls.append(job_id)
        return [JobVersion(job_id=job_id, version_id=job_id * 10, job_name="x", status=10)]


def test_a_job_list_that_fills_the_first_page_is_drawn_before_any_versions_request() -> None:
    client = _Client(30)
    calls_when_drawn: list[int] = []
    feed: Feed

    def push(key: Any, value: Any) -> None:
        if key[0] == "placeholders":

            def draw() -> None:  # the list draws them a little later, in another thread
                threading.Event().wait(0.05)
                calls_when_drawn.append(len(client.version_calls))
                feed.drawn()

            threading.Thread(target=draw).start()

    feed = Feed(push, threading.Event(), wanted=lambda: 20)
    assert stream_all_versions(client, feed, workers=4) == 30
    assert calls_when_drawn == [0]  # no versions request competed with drawing the first page
    assert len(client.version_calls) == 30


def test_a_job_list_too_short_for_a_page_sends_its_versions_requests_first() -> None:
    client = _Client(3)
    started_before_placeholders: list[bool] = []

    def push(key: Any, value: Any) -> None:
        if key[0] == "placeholders":
            # the versions requests are already under way (they were sent first): wait for them
            deadline = threading.Event()
            for _ in range(200):
                if len(client.version_calls) == 3:
                    break
                deadline.wait(0.01)
            started_before_placeholders.append(len(client.version_calls) == 3)

    feed = Feed(push, threading.Event(), wanted=lambda: 20)
    assert stream_all_versions(client, feed, workers=4) == 3
    assert started_before_placeholders == [True]


def test_versions_that_answer_before_their_jobs_are_shown_wait_for_them() -> None:
    client = _Client(3)
    pushed: list[str] = []

    def push(key: Any, value: Any) -> None:
        if key[0] == "placeholders":
            # the job list's rows are put late (this thread lost the interpreter): every
            # versions answer is in by now
            for _ in range(200):
                if len(client.version_calls) == 3:
                    break
                threading.Event().wait(0.01)
            threading.Event().wait(0.05)
        pushed.append(key[0])

    feed = Feed(push, threading.Event(), wanted=lambda: 20)
    assert stream_all_versions(client, feed, workers=4) == 3
    # the placeholders set the jobs' order in the list (Arrivals ranks groups as announced):
    # a job's versions put before them would put that job first
    assert [k for k in pushed if k != "progress"] == ["placeholders"] + ["group"] * 3


def test_a_list_keeps_the_job_lists_order_however_the_answers_race(
    emulator_env: Any, make_list: Any
) -> None:
    from modelarts_widgets.session import Session

    jobs = [j.job_id for j in Session().client.iter_training_jobs()]
    for _ in range(10):  # no latency: versions answers race the job list's rows
        w = make_list(JobVersionList, Session())
        assert list(dict.fromkeys(v.job_id for v in w.items)) == jobs


def test_the_wait_for_the_first_page_is_bounded_and_ends_when_the_listing_stops() -> None:
    stop = threading.Event()
    feed = Feed(lambda key, value: stop.set(), stop, wanted=lambda: 1)
    feed.put_placeholders({"g": ["row"]}, wait=30)  # nobody draws; the push stops the listing
    assert feed.stopped


# --- the pace of batches ---------------------------------------------------------------------


def test_one_slow_batch_does_not_slow_the_batches_after_it() -> None:
    run = ListingRun(lambda feed: None, lambda batch: None, lambda error: None, interval=0.1)
    run.pace(0.2)  # e.g. the first rows' widgets being made
    assert run.interval == pytest.approx(0.1)
    run.pace(0.001)
    assert run.interval == pytest.approx(0.1)
    run.pace(0.05)
    run.pace(0.06)  # two slow ones in a row: batches are spaced 10 x the shorter
    assert run.interval == pytest.approx(0.5)
