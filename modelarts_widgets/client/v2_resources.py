"""The v2 generation's :class:`~modelarts_widgets.client.base.ResourceKind`: training jobs.

:class:`V2TrainingJobs` (key ``job_id``) over any :class:`TrainingJobsV2Api` provider; its
``delete_many`` is the batch fast path. :func:`v2_provider` finds the v2 provider that goes
with a v1 one (our REST client -> a :class:`V2Client` on the same HTTP seam).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Hashable, Sequence
from typing import TYPE_CHECKING, Any, Optional

from modelarts_widgets.client._http import HttpClient
from modelarts_widgets.client._options import DeleteHooks
from modelarts_widgets.client.base import TrainingJobsV2Api
from modelarts_widgets.client.rest import RestClient
from modelarts_widgets.client.v2 import V2Client
from modelarts_widgets.errors import ConfigurationError
from modelarts_widgets.models import DeleteResult
from modelarts_widgets.models_v2 import VISUALIZATION_KIND, TrainingJobV2

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["V2TrainingJobs", "v2_provider"]


#: One V2Client per REST client, so listings and deletes share what the client learnt
#: (kinds and workspaces of listed jobs, the offset reading, whether batch delete exists).
_V2_CLIENTS: weakref.WeakKeyDictionary[Any, V2Client] = weakref.WeakKeyDictionary()
_V2_LOCK = threading.Lock()


def v2_provider(api: Any) -> TrainingJobsV2Api:
    """The v2 provider for ``api``: itself if it serves v2; the one :class:`V2Client` sharing a
    REST client's HTTP seam (the same object on every call); or the official-SDK provider's
    answer (it raises: v2 needs AK/SK)."""
    if isinstance(api, TrainingJobsV2Api):
        return api
    http = getattr(api, "http", None)
    project_id = getattr(api, "project_id", None)
    if isinstance(http, HttpClient) and isinstance(project_id, str):
        with _V2_LOCK:
            client = _V2_CLIENTS.get(api)
            if client is None:
                shared = api.workspaces if isinstance(api, RestClient) else None
                client = _V2_CLIENTS[api] = V2Client(http, project_id, workspaces=shared)
        return client
    factory = getattr(api, "v2_provider", None)
    if callable(factory):
        provider: TrainingJobsV2Api = factory()
        return provider
    raise ConfigurationError(f"{type(api).__name__} cannot reach the v2 training API")


class V2TrainingJobs:
    """v2 training jobs of some kinds: ``kinds`` (sent as a filter) minus ``exclude_kinds``.

    ``V2TrainingJobs(api, exclude_kinds={"visualization_job"})`` is what a training job list
    shows; ``V2TrainingJobs(api, kinds=["visualization_job"])`` the v2 visualization jobs.
    """

    noun = "training job"

    def __init__(
        self,
        api: TrainingJobsV2Api,
        *,
        kinds: Optional[Sequence[str]] = None,
        exclude_kinds: Collection[str] = (),
        workspace_ids: Optional[Sequence[str]] = None,
    ) -> None:
        self.api = api
        self.kinds = list(kinds) if kinds else None
        self.exclude_kinds = frozenset(exclude_kinds)
        self.workspace_ids = list(workspace_ids) if workspace_ids else None
        if self.kinds == [VISUALIZATION_KIND]:
            self.noun = "visualization job"

    def list_items(self) -> list[TrainingJobV2]:
        return list(
            self.api.iter_v2_jobs(
                kinds=self.kinds,
                exclude_kinds=self.exclude_kinds,
                workspace_ids=self.workspace_ids,
            )
        )

    def delete_one(self, key: Hashable) -> DeleteResult:
        return self.api.delete_v2_job(str(key))

    def delete_many(
        self, keys: Sequence[Hashable], **hooks: Unpack[DeleteHooks]
    ) -> dict[Hashable, DeleteResult]:
        """Batch delete with fallbacks (callbacks: :class:`DeleteHooks`); raises
        ``PartialDeleteError`` for calls not answered."""
        results = self.api.delete_v2_jobs([str(k) for k in keys], **hooks)
        out: dict[Hashable, DeleteResult] = {}
        out.update(results)
        return out

    def still_listed(self, keys: Collection[Hashable]) -> set[Hashable]:
        """One listing of every kind (a job being deleted is listed as Terminating)."""
        wanted = {str(key): key for key in keys}
        listed = self.api.iter_v2_jobs(workspace_ids=self.workspace_ids)
        return {wanted[job.job_id] for job in listed if job.job_id in wanted}
