"""Background listing, without widgets: a run in its own thread, arrivals merged in batches.

A *producer* lists through the client and reports to a :class:`Feed`: ``put(group, items)``
replaces one group of rows (for job versions a group is a job), ``put_placeholders`` shows rows
for groups not listed yet (what the job list says while the jobs' versions load), and
``progress`` counts. :class:`ListingRun` runs the producer in a daemon thread and hands the
arrivals on through the same :class:`~modelarts_widgets.bulk.throttle.Coalescer` as the delete
run (at most one :class:`Batch` per ``interval``, but at once while ``eager()`` says the list
does not show a page yet); :class:`Arrivals` merges a batch into the rows without touching the
others, and at the end drops what the listing did not see.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Generic, Optional, TypeVar, cast

from modelarts_widgets.bulk.throttle import Coalescer
from modelarts_widgets.client._paging import versions_in_job
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import JobVersion, TrainingJob

__all__ = [
    "Arrivals",
    "Batch",
    "Feed",
    "ListingRun",
    "ListingStopped",
    "Progress",
    "stream_all_versions",
]

logger = logging.getLogger("modelarts_widgets.widgets")

T = TypeVar("T")
#: Coalescer key of the progress counter (groups are keyed ``("group", g)``).
_PROGRESS = ("progress", None)
#: Training jobs per page of the job list (the API's largest page).
JOB_PAGE = 100
#: Batches are spaced at least this many times the time applying the last one took.
APPLY_SHARE = 10.0
#: Seconds the producer waits at most for a first page of placeholders to be drawn.
FIRST_PAGE_WAIT = 0.5
#: Seconds a batch waits for more after the first arrival: answers to requests sent together
#: (one per worker) come back a few ms apart and should fill the page in one update.
GATHER = 0.02


class ListingStopped(Exception):
    """Raised inside a producer when its listing was stopped (a new refresh, close)."""


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` units listed; ``total`` may still grow until ``total_known``."""

    done: int
    total: int
    unit: str
    total_known: bool = True


class Feed:
    """What a producer reports to; thread-safe (version workers call it concurrently)."""

    def __init__(
        self,
        push: Callable[[Hashable, Any], None],
        stop: threading.Event,
        wanted: Optional[Callable[[], int]] = None,
    ) -> None:
        self._raw_push = push
        self._stop = stop
        self._wanted = wanted
        self.pushed = False
        """True once anything was reported (a first answer has come)."""
        self._serial = 0
        self._draws = 0  # redraws of the list so far (see drawn())
        self._cond = threading.Condition()

    def _push(self, key: Hashable, value: Any) -> None:
        self.pushed = True
        self._raw_push(key, value)

    def rows_wanted(self) -> int:
        """How many more rows the list needs to fill its first page (0: it shows one)."""
        return 0 if self._wanted is None else max(0, self._wanted())

    def drawn(self) -> None:
        """Called by the list after each redraw with what was put so far."""
        with self._cond:
            self._draws += 1
            self._cond.notify_all()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        """Raise :class:`ListingStopped` if the listing was stopped."""
        if self._stop.is_set():
            raise ListingStopped

    def put(self, group: Hashable, items: Sequence[Any]) -> None:
        """Replace the rows of ``group`` by ``items`` (the group is listed)."""
        self.check()
        self._push(("group", group), list(items))

    def put_placeholders(
        self, groups: Mapping[Hashable, Sequence[Any]], *, wait: float = 0
    ) -> None:
        """Rows to show for groups not listed yet (ignored for a group that has rows).

        ``wait``: then wait up to that many seconds until the list has drawn them (or the
        listing stops), so that what the producer does next does not compete with the drawing.
        """
        self.check()
        with self._cond:
            self._serial += 1
            serial, draws = self._serial, self._draws
        self._push(("placeholders", serial), {g: list(items) for g, items in groups.items()})
        if wait > 0:
            with self._cond:
                self._cond.wait_for(lambda: self._draws > draws or self.stopped, wait)

    def progress(self, progress: Progress) -> None:
        self._push(_PROGRESS, progress)


@dataclass
class Batch:
    """One coalesced delivery: listed groups, placeholder groups, the latest progress."""

    groups: dict[Hashable, list[Any]]
    placeholders: dict[Hashable, list[Any]]
    progress: Optional[Progress]

    @classmethod
    def of(cls, pushed: Mapping[Hashable, Any]) -> Batch:
        groups: dict[Hashable, list[Any]] = {}
        placeholders: dict[Hashable, list[Any]] = {}
        for key, value in pushed.items():
            kind, name = cast(tuple[str, Hashable], key)
            if kind == "group":
                groups[name] = value
            elif kind == "placeholders":
                placeholders.update(value)
        progress = pushed.get(_PROGRESS)
        return cls(groups, placeholders, progress if isinstance(progress, Progress) else None)

    def only(self, keep: Callable[[Any], bool]) -> Batch:
        """This batch with only the rows ``keep`` accepts (a group left empty is listed empty)."""
        groups = {g: [i for i in items if keep(i)] for g, items in self.groups.items()}
        shown = {g: [i for i in items if keep(i)] for g, items in self.placeholders.items()}
        return Batch(groups, {g: items for g, items in shown.items() if items}, self.progress)


class Arrivals(Generic[T]):
    """Merges batches into a list of rows; remembers which rows are placeholders."""

    def __init__(self, key_of: Callable[[T], Hashable], group_of: Callable[[T], Hashable]) -> None:
        self._key_of = key_of
        self._group_of = group_of
        self.placeholders: set[Hashable] = set()
        """Keys of rows shown for a group whose items are not listed yet."""
        self.seen: set[Hashable] = set()
        """Groups this listing has listed."""
        self._rank: dict[Hashable, int] = {}  # this listing's order: as groups were announced

    def restart(self) -> None:
        """A new listing: nothing seen or ranked yet (the rows stay until it replaces them)."""
        self.seen.clear()
        self._rank.clear()

    def merge(self, rows: Iterable[T], batch: Batch) -> list[T]:
        """``rows`` with each group of ``batch`` replaced (the other rows stay as they are)."""
        rows = list(rows)
        self.seen.update(batch.groups)
        present = {self._group_of(r) for r in rows}
        shown = {
            g: items
            for g, items in batch.placeholders.items()
            if g not in present and g not in self.seen
        }
        replace = {**shown, **batch.groups}
        if not replace:
            return rows
        # a group's new rows take the place of its old ones, so the order stays the job list's
        out: list[T] = []
        placed: set[Hashable] = set()
        for row in rows:
            group = self._group_of(row)
            if group not in replace:
                out.append(row)
                continue
            self.placeholders.discard(self._key_of(row))
            if group not in placed:
                placed.add(group)
                out.extend(replace[group])
        for g in batch.placeholders:  # the order the producer lists groups in
            self._rank.setdefault(g, len(self._rank))
        for g in batch.groups:
            self._rank.setdefault(g, len(self._rank))
        new = sorted((g for g in replace if g not in placed), key=self._rank.__getitem__)
        out.extend(i for g in new for i in replace[g])
        self.placeholders |= {self._key_of(i) for items in shown.values() for i in items}
        return out

    def finish(self, rows: Iterable[T], *, complete: bool) -> list[T]:
        """The rows at the end: no placeholders; when ``complete``, only groups listed now, in
        the order this listing announced them (a group new since the last listing goes where
        the server lists it, not after the groups that were there before)."""
        out = [r for r in rows if self._key_of(r) not in self.placeholders]
        self.placeholders.clear()
        if complete:
            out = [r for r in out if self._group_of(r) in self.seen]
            last = len(self._rank)  # (every group listed was ranked; this is only a guard)
            out.sort(key=lambda r: self._rank.get(self._group_of(r), last))  # stable sort
        return out


class ListingRun:
    """One background listing: ``produce(feed)`` in a daemon thread, batches to ``on_batch``.

    ``on_end(error)`` is called once in the listing thread after the last batch; ``error`` is
    the producer's exception (None when it returned or was stopped). ``stop()`` asks the producer
    to stop; ``join()`` waits for every thread of the run (the coalescer's too).
    """

    def __init__(
        self,
        produce: Callable[[Feed], None],
        on_batch: Callable[[dict[Hashable, Any]], None],
        on_end: Callable[[Optional[Exception]], None],
        *,
        interval: float = 0.1,
        eager: Optional[Callable[[], bool]] = None,
        wanted: Optional[Callable[[], int]] = None,
    ) -> None:
        self._produce = produce
        self._on_end = on_end
        self._stop = threading.Event()
        self.done = threading.Event()
        """Set when the run is over (``on_end`` returned)."""
        self.note = ""
        """Said after "Listed N …" when the run completes (set by the producer's side)."""
        self.ending = False
        """True from the producer's end on: the last batch comes, then ``on_end``."""
        self._min_interval = interval
        self._last_apply = 0.0
        self._coalescer: Coalescer[Hashable, Any] = Coalescer(on_batch, interval, GATHER, eager)
        self.feed = Feed(self._coalescer.push, self._stop, wanted)
        self._thread = threading.Thread(
            target=self._run, name="modelarts-widgets-listing", daemon=True
        )

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def interval(self) -> float:
        """Seconds between two batches now (see :meth:`pace`)."""
        return self._coalescer.interval

    def pace(self, apply_s: float) -> None:
        """Space batches so that applying them takes at most a tenth of the time.

        Never more often than the ``interval`` given (at most 10 a second by default). A batch
        slows the pace only when the one before was as slow: a one-off cost (the first rows'
        widgets, a garbage collection) does not hold back the batches after it.
        """
        steady = min(apply_s, self._last_apply)
        self._last_apply = apply_s
        self._coalescer.interval = max(self._min_interval, APPLY_SHARE * steady)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for the run's threads to end; False on timeout."""
        if self._thread is not threading.current_thread() and self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        error: Optional[Exception] = None
        try:
            self._produce(self.feed)
        except ListingStopped:
            pass
        except Exception as exc:
            error = exc
        finally:
            self.ending = True
            try:
                self._coalescer.close()
                self._on_end(error)
            except Exception:
                logger.exception("ending a listing failed")
            finally:
                self.done.set()


# --- producers ---------------------------------------------------------------------------------


def placeholder_version(job: TrainingJob) -> Optional[JobVersion]:
    """The job's latest version as far as the job list tells (None when it does not say)."""
    if job.version_id is None:
        return None
    return JobVersion(
        job_id=job.job_id,
        version_id=job.version_id,
        job_name=job.job_name,
        status=job.status,
        create_time=job.create_time,
        duration=job.duration,
        workspace_id=job.workspace_id,
    )


def stream_all_versions(client: ModelArtsApi, feed: Feed, *, workers: int) -> int:
    """Every version of every job, first rows after one round trip; returns how many jobs.

    Job pages are read in order; each job is shown at once as its latest version (a placeholder
    from the job list), and its versions are fetched by ``workers`` threads in job-list order
    while later job pages load. With several workspaces (listed one after the other) a
    workspace's last, partial page shows when the next workspace's first job arrives. A job
    gone meanwhile (see :func:`~modelarts_widgets.client._paging.versions_in_job`) contributes
    nothing. The first failure stops the listing (nothing more is sent) and is raised.
    A job's versions are put only after its page's placeholders, however the answers race:
    the list keeps the jobs in the job list's order.
    """
    if workers < 1:
        raise ValueError("workers must be >= 1")
    lock = threading.Lock()
    abort = threading.Event()
    failures: list[Exception] = []
    counts = {"done": 0, "total": 0}
    paging = {"done": False}

    def report() -> None:
        with lock:
            progress = Progress(counts["done"], counts["total"], "jobs", paging["done"])
        feed.progress(progress)

    def versions_of(job: TrainingJob, announced: threading.Event) -> None:
        if abort.is_set() or feed.stopped:
            return
        try:
            named = versions_in_job(job, lambda j: client.list_job_versions(j.job_id))
        except Exception as exc:
            with lock:
                failures.append(exc)
            abort.set()
            return
        # the job list's rows of this page go first: they set the order the jobs are shown in
        announced.wait()
        try:
            feed.put(job.job_id, named)
        except ListingStopped:
            return
        with lock:
            counts["done"] += 1
        report()

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="modelarts-widgets-versions")
    page: list[TrainingJob] = []  # one page of jobs: shown together, then their versions fetched

    def flush() -> None:
        with lock:
            counts["total"] += len(page)
        shown = {job.job_id: [placeholder_version(job)] for job in page}
        rows: dict[Hashable, list[JobVersion]] = {
            g: [v for v in vs if v is not None] for g, vs in shown.items()
        }
        wanted = feed.rows_wanted()
        announced = threading.Event()  # set once the page's placeholders are put
        try:
            if wanted and sum(map(len, rows.values())) >= wanted:
                # the job list alone fills the first page: it is drawn before the versions
                # requests compete with the drawing for the interpreter
                feed.put_placeholders(rows, wait=FIRST_PAGE_WAIT)
                for job in page:
                    pool.submit(versions_of, job, announced)
            else:
                # the first page needs versions: their requests go out first, then the
                # placeholders are drawn while they are under way (an answer that comes
                # sooner waits for them, so that the jobs keep the job list's order)
                for job in page:
                    pool.submit(versions_of, job, announced)
                feed.put_placeholders(rows)
        finally:
            announced.set()
        page.clear()

    try:
        for job in client.iter_training_jobs(per_page=JOB_PAGE):
            if abort.is_set():
                break
            feed.check()
            if page and job.workspace_id != page[-1].workspace_id:
                flush()  # a workspace's jobs show before the next workspace's list answers
            page.append(job)
            if len(page) >= JOB_PAGE:
                flush()
        if page and not abort.is_set():
            flush()
        paging["done"] = True
        report()
    except BaseException:
        abort.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=abort.is_set() or feed.stopped)
    feed.check()
    if failures:
        raise failures[0]
    return counts["total"]
