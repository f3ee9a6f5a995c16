"""The v1 generation's :class:`~modelarts_widgets.client.base.ResourceKind` s.

:class:`JobVersions` (key ``(job_id, version_id)``) and :class:`VisualizationJobs` (key
``job_id``) over any provider of the v1 protocols; :func:`delete_each` is ``delete_many`` for a
generation without a batch route.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Any, Callable, Optional, cast

from modelarts_widgets._types import IdLike
from modelarts_widgets.client._paging import is_gone
from modelarts_widgets.client.base import JobVersionsApi, VisualizationJobsApi
from modelarts_widgets.errors import APIError
from modelarts_widgets.models import DeleteResult, JobVersion, VisualizationJob

__all__ = ["JobVersions", "VisualizationJobs", "delete_each"]


def delete_each(
    delete_one: Callable[[Hashable], DeleteResult], keys: Sequence[Hashable]
) -> dict[Hashable, DeleteResult]:
    """One ``delete_one`` per key, in order (a transport failure propagates)."""
    return {key: delete_one(key) for key in keys}


class JobVersions:
    """v1 training job versions: of one job (``job_id``) or of every job."""

    noun = "job version"

    def __init__(
        self, api: JobVersionsApi, *, job_id: Optional[IdLike] = None, max_workers: int = 8
    ) -> None:
        self.api = api
        self.job_id = job_id
        self.max_workers = max_workers

    def list_items(self) -> list[JobVersion]:
        if self.job_id is not None:
            return list(self.api.list_job_versions(self.job_id))
        return list(self.api.list_all_job_versions(max_workers=self.max_workers))

    def delete_one(self, key: Hashable) -> DeleteResult:
        job_id, version_id = cast("tuple[Any, Any]", key)
        return self.api.delete_job_version(job_id, version_id)

    def delete_many(self, keys: Sequence[Hashable]) -> dict[Hashable, DeleteResult]:
        return delete_each(self.delete_one, keys)

    def still_listed(self, keys: Collection[Hashable]) -> set[Hashable]:
        """Lists the versions of each job involved once; a job that is gone lists nothing."""
        by_job: dict[Any, set[Hashable]] = {}
        for key in keys:
            by_job.setdefault(cast("tuple[Any, Any]", key)[0], set()).add(key)
        listed: set[Hashable] = set()
        for job_id, wanted in by_job.items():
            try:
                versions = self.api.list_job_versions(job_id)
            except APIError as exc:
                if is_gone(exc):
                    continue
                raise
            listed.update(v.key for v in versions if v.key in wanted)
        return listed


class VisualizationJobs:
    """v1 visualization jobs."""

    noun = "visualization job"

    def __init__(self, api: VisualizationJobsApi) -> None:
        self.api = api

    def list_items(self) -> list[VisualizationJob]:
        return list(self.api.iter_visualization_jobs())

    def delete_one(self, key: Hashable) -> DeleteResult:
        return self.api.delete_visualization_job(str(key))

    def delete_many(self, keys: Sequence[Hashable]) -> dict[Hashable, DeleteResult]:
        return delete_each(self.delete_one, keys)

    def still_listed(self, keys: Collection[Hashable]) -> set[Hashable]:
        wanted = {str(key): key for key in keys}
        return {
            wanted[job.job_id] for job in self.api.iter_visualization_jobs() if job.job_id in wanted
        }
