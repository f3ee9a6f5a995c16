"""``TrainingJobList``: the project's v2 (new-version) training jobs, selectable and deletable.

Every v2 training job except visualization jobs (those are in :class:`VisualizationJobList`).
Deletes go through the v2 batch route (up to 100 jobs per call) with single deletes as the
fallback, and every job still gets its own outcome badge.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from modelarts_widgets._kwargs import short_repr
from modelarts_widgets.bulk import BatchOps, v2_training_job_ops
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models_v2 import TrainingJobV2
from modelarts_widgets.widgets._base import ResourceList
from modelarts_widgets.widgets._generations import (
    V2_STATUSES,
    list_generation,
    training_jobs,
    v2_columns,
)
from modelarts_widgets.widgets._streaming import Feed
from modelarts_widgets.widgets._view import Column, Nouns

__all__ = ["TrainingJobList"]


class TrainingJobList(ResourceList[TrainingJobV2]):
    """v2 training jobs (all kinds but ``visualization_job``) with confirmed, batched delete.

    ``select(keys=[...])`` takes job ids (UUID strings). Statuses are v2 phases: the status
    filter takes ``"active"``, ``"finished"``, ``"failed"`` or a phase such as ``"Running"``.
    Jobs in Creating, Pending, Running or Terminating are held back unless included.

    Options are every list's (:class:`ResourceList`; ranges in README "Widgets"); ``layout``
    and ``box_style`` pass on to the ``VBox``.
    """

    _nouns = Nouns("training job", "training jobs", short="job", short_plural="jobs")
    _css_class = "mw-training-list"
    _statuses = V2_STATUSES

    def _ops(self, client: ModelArtsApi) -> BatchOps:
        return v2_training_job_ops(training_jobs(client))

    def _columns(self) -> list[Column[TrainingJobV2]]:
        return v2_columns()

    def _checked_key(self, key: Any) -> Hashable:
        if isinstance(key, TrainingJobV2):
            return key.key
        if isinstance(key, str):
            return key.strip()
        raise ValueError(
            f"a training job key is its id (a UUID string) or a TrainingJobV2, not "
            f"{short_repr(key)} (v1 jobs and versions belong to JobVersionList)"
        )

    def _search_text(self, item: TrainingJobV2) -> str:
        return f"{item.name} {item.job_id} {item.kind} {item.description}"

    def _item_name(self, item: TrainingJobV2) -> str:
        return item.name or item.job_id

    def _ids(self, key: Hashable) -> dict[str, Any]:
        return {"job_id": key}

    def _stream(self, client: ModelArtsApi, feed: Feed) -> None:
        items, self._list_note = list_generation(
            training_jobs(client).list_items, "v2 training job"
        )
        for job in items:  # one answer (the v2 search pages inside it): rows in one batch
            feed.put(job.key, [job])
