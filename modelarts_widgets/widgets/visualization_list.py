"""``VisualizationJobList``: the project's visualization (TensorBoard) jobs, v1 and v2, selectable.

One list of both generations: v1 visualization jobs (``/v1/{p}/visualization-jobs``) and v2
training jobs of kind ``visualization_job``; the "API" column says which a row is, and each
delete goes to its row's API (v2 ones batched). A generation the region lacks is empty with a
note; a generation that fails to list is noted while the other's jobs are still shown (with
nothing else to show, its error is the list's error).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from operator import attrgetter
from typing import Any, Callable, Optional, Union

from modelarts_widgets._kwargs import short_repr
from modelarts_widgets.bulk import (
    BatchOps,
    DeleteOps,
    v2_training_job_ops,
    visualization_job_ops,
)
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import BILLING_STATUSES, DeleteResult, VisualizationJob
from modelarts_widgets.models_v2 import TrainingJobV2
from modelarts_widgets.widgets._base import ResourceList
from modelarts_widgets.widgets._columns import (
    created_column,
    duration_column,
    name_column,
    status_column,
    text_column,
)
from modelarts_widgets.widgets._generations import (
    MIXED_STATUSES,
    any_status_badge_html,
    run_generation,
    visualization_jobs_v2,
)
from modelarts_widgets.widgets._html import link_html, short_url
from modelarts_widgets.widgets._streaming import Feed, ListingStopped, Progress
from modelarts_widgets.widgets._view import Column, Nouns
from modelarts_widgets.widgets.badges import generation_badge_html

__all__ = ["VisualizationJobList"]

logger = logging.getLogger("modelarts_widgets.widgets")

#: A row: a v1 visualization job or a v2 job of kind ``visualization_job``.
VisJob = Union[VisualizationJob, TrainingJobV2]


def _name(j: VisJob) -> str:
    return j.job_name or f"job {j.job_id}"


def _generation(j: VisJob) -> str:
    return "v2" if isinstance(j, TrainingJobV2) else "v1"


class VisualizationJobList(ResourceList[VisJob]):
    """Visualization jobs (v1 and v2) with confirmed delete; running ones are flagged
    "still billing". ``select(keys=[...])`` takes job ids of either generation.

    Options are every list's (:class:`ResourceList`; ranges in README "Widgets"); ``layout``
    and ``box_style`` pass on to the ``VBox``.
    """

    _nouns = Nouns("visualization job", "visualization jobs", short="job", short_plural="jobs")
    _css_class = "mw-vis-list"
    _search_placeholder = "search name, job id or train URL"
    _statuses = MIXED_STATUSES

    #: Keys of the v2 rows of the last listing (their deletes go to the v2 API).
    _v2_keys: frozenset[Hashable] = frozenset()

    def _columns(self) -> list[Column[VisJob]]:
        return [
            name_column(_name),
            Column(
                "api",
                "API",
                "3em",
                lambda j: generation_badge_html(_generation(j)),
                sort_key=_generation,
                min_width="3em",
            ),
            status_column(lambda j: any_status_badge_html(j.status), _label),
            created_column(),
            Column(
                "service_url",
                "service URL",
                "16em",
                lambda j: link_html(_service_url(j), short_url(_service_url(j))),
                min_width="13.5em",
                priority=3,
            ),
            duration_column(4),
            text_column(
                "train_url", "train URL", _train_url, width="14em", min_width="5em", priority=5
            ),
        ]

    def _checked_key(self, key: Any) -> Hashable:
        if isinstance(key, (VisualizationJob, TrainingJobV2)):
            return key.key
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            return str(key).strip()
        raise ValueError(
            "a visualization job key is its id (a string), a VisualizationJob or a v2 "
            f"TrainingJobV2, not "
            f"{short_repr(key)} ((job_id, version_id) keys belong to JobVersionList)"
        )

    def _search_text(self, item: VisJob) -> str:
        return f"{_name(item)} {item.job_id} {_train_url(item) or ''} {_generation(item)}"

    def _item_name(self, item: VisJob) -> str:
        return _name(item)

    def _ids(self, key: Hashable) -> dict[str, Any]:
        return {"job_id": key, "api": "v2" if key in self._v2_keys else "v1"}

    def _stream(self, client: ModelArtsApi, feed: Feed) -> None:
        """Both generations at once: the v2 jobs (what accounts made since mid-2023 have) do not
        wait for every v1 page, nor v1 for the v2 search. A generation that fails or is absent
        leaves a note; the other is still shown."""
        lock = threading.Lock()
        found = 0

        def put_all(load: Callable[[], Iterable[VisJob]]) -> None:
            nonlocal found
            for job in load():
                feed.put(job.key, [job])
                with lock:  # the count and its report in order, whichever thread lists
                    found += 1
                    feed.progress(Progress(found, found, "visualization jobs", total_known=False))

        def listed(
            what: str, load: Callable[[], Iterable[VisJob]]
        ) -> tuple[str, Optional[Exception]]:
            try:
                return run_generation(partial(put_all, load), what, None)[1], None
            except ListingStopped:
                raise
            except Exception as exc:  # the other generation is still shown
                logger.warning("listing %ss failed: %s", what, exc)
                return f"Could not list {what}s: {exc}", exc

        with ThreadPoolExecutor(1, thread_name_prefix="modelarts-widgets-listing-v2") as pool:
            v2 = pool.submit(listed, "v2 visualization job", lambda: self._v2_listed(client))
            results = [listed("v1 visualization job", client.iter_visualization_jobs), v2.result()]
        failures = [exc for _, exc in results if exc is not None]
        if failures and not found:  # nothing to hide: the error is the list's
            raise failures[0]
        self._list_note = " ".join(note for note, _ in results if note)

    def _v2_listed(self, client: ModelArtsApi) -> list[TrainingJobV2]:
        """The v2 visualization jobs; their keys are known as v2 before any row shows."""
        jobs = visualization_jobs_v2(client).list_items()
        self._v2_keys = frozenset(j.key for j in jobs)
        return jobs

    def _ops(self, client: ModelArtsApi) -> Union[DeleteOps, BatchOps]:
        """Each key to its generation's API: v1 one by one, v2 batched."""
        v2_keys = self._v2_keys
        v1 = visualization_job_ops(client)
        if not v2_keys:  # v1 rows only: no v2 provider needed (the official SDK has none)
            return v1
        v2 = v2_training_job_ops(visualization_jobs_v2(client))

        def delete_one(key: Hashable) -> DeleteResult:
            return (v2 if key in v2_keys else v1).delete_one(key)

        def still_listed(keys: Collection[Hashable]) -> set[Hashable]:
            old = [k for k in keys if k not in v2_keys]
            new = [k for k in keys if k in v2_keys]
            listed: set[Hashable] = set()
            if old:
                listed |= v1.still_listed(old)
            if new:
                listed |= v2.still_listed(new)
            return listed

        def batchable(key: Hashable) -> bool:
            return key in v2_keys and v2.batchable(key)

        return BatchOps(delete_one, still_listed, v2.delete_many, batchable, v2.batch_size)

    def _notes(
        self, client: ModelArtsApi, items: Sequence[VisJob]
    ) -> tuple[dict[Hashable, list[str]], list[str]]:
        notes: dict[Hashable, list[str]] = {j.key: ["still billing"] for j in items if _billing(j)}
        return notes, []


def _billing(j: VisJob) -> bool:
    if isinstance(j, TrainingJobV2):
        return j.phase == "Running"
    return j.status in BILLING_STATUSES


_label = attrgetter("status_label")


def _service_url(j: VisJob) -> str:
    return "" if isinstance(j, TrainingJobV2) else j.service_url


def _train_url(j: VisJob) -> Optional[str]:
    return None if isinstance(j, TrainingJobV2) else (j.train_url or None)
