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

from modelarts_widgets.client.base import JobVersionsApi, VisualizationJobsApi
from modelarts_widgets.client.resources import JobVersions, VisualizationJobs
from modelarts_widgets.models import DeleteResult

__all__ = ["DeleteOne", "DeleteOps", "StillListed", "job_version_ops", "visualization_job_ops"]

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
