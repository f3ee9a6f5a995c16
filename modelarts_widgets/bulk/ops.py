"""How to delete one item and how to re-check what is still listed, per kind of item.

:class:`DeleteOps` is what :class:`~modelarts_widgets.bulk.engine.BulkDelete` runs on; the list
widgets and the tests both take theirs from :func:`job_version_ops` /
:func:`visualization_job_ops`, which are the provider contract's
:class:`~modelarts_widgets.client.base.ResourceKind` s (:mod:`modelarts_widgets.client.resources`),
so there is exactly one implementation of each.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Callable, NamedTuple

from modelarts_widgets.bulk.engine import DeleteMany
from modelarts_widgets.client.base import JobVersionsApi, VisualizationJobsApi
from modelarts_widgets.client.resources import JobVersions, VisualizationJobs
from modelarts_widgets.client.v2 import MAX_BATCH
from modelarts_widgets.client.v2_resources import V2TrainingJobs
from modelarts_widgets.models import DeleteResult

__all__ = [
    "BatchOps",
    "DeleteOne",
    "DeleteOps",
    "StillListed",
    "job_version_ops",
    "v2_training_job_ops",
    "visualization_job_ops",
]

DeleteOne = Callable[[Hashable], DeleteResult]
StillListed = Callable[[Collection[Hashable]], "set[Hashable]"]


class DeleteOps(NamedTuple):
    """``delete_one(key)`` sends one DELETE; ``still_listed(keys)`` returns those still listed."""

    delete_one: DeleteOne
    still_listed: StillListed


def job_version_ops(api: JobVersionsApi) -> DeleteOps:
    """Ops for training job version keys ``(job_id, version_id)``.

    ``still_listed`` lists the versions of each job involved once; a job that is gone (not
    found, in any of its styles) lists nothing.
    """
    kind = JobVersions(api)
    return DeleteOps(kind.delete_one, kind.still_listed)


def visualization_job_ops(api: VisualizationJobsApi) -> DeleteOps:
    """Ops for visualization job keys (job id strings)."""
    kind = VisualizationJobs(api)
    return DeleteOps(kind.delete_one, kind.still_listed)


class BatchOps(NamedTuple):
    """:class:`DeleteOps` plus a batch path (see :class:`~modelarts_widgets.bulk.BulkDelete`):
    ``delete_many`` for the keys ``batchable(key)`` accepts, up to ``batch_size`` per call."""

    delete_one: DeleteOne
    still_listed: StillListed
    delete_many: DeleteMany
    batchable: Callable[[Hashable], bool]
    batch_size: int = 100


def v2_training_job_ops(kind: V2TrainingJobs) -> BatchOps:
    """Ops for v2 training job keys (job ids): batch delete while the service offers it."""
    api = kind.api

    def delete_many(
        keys: list[Hashable],
        on_result: Callable[[Hashable, DeleteResult], None],
        should_stop: Callable[[], object],
    ) -> dict[Hashable, DeleteResult]:
        return kind.delete_many(keys, on_result=on_result, should_stop=lambda: bool(should_stop()))

    def batchable(key: Hashable) -> bool:
        return getattr(api, "batch_supported", None) is not False

    return BatchOps(kind.delete_one, kind.still_listed, delete_many, batchable, MAX_BATCH)
