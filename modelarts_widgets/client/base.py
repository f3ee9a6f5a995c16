"""The provider contract: what every provider of ModelArts operations offers.

Two providers implement the v1 generation today: :class:`~modelarts_widgets.client.rest.RestClient`
(our HTTP client) and :class:`~modelarts_widgets.client.official.OfficialSdkApi` (the notebook's
official ``modelarts`` SDK). Widgets and :mod:`modelarts_widgets.sdk` depend on these protocols
only, never on ``requests``.

The contract has three layers:

- :class:`Provider`: what any provider has (project id, HTTP-wait listeners).
- One protocol per *resource family* of a generation, each with model-returning methods and the
  ``*_page`` / ``*_body`` methods returning the API's dicts unchanged (the SDK facade needs
  those): :class:`JobVersionsApi` and :class:`VisualizationJobsApi` (v1).
  :class:`ModelArtsApi` is the whole v1 generation.
- :class:`ResourceKind`: one kind of deletable resource as a list widget and the bulk engine see
  it (list, delete one, delete many, still listed). Each generation plugs in by offering one
  (:mod:`modelarts_widgets.client.resources` has the v1 kinds; a v2 provider adds training jobs,
  with ``delete_many`` as its batch delete).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, TypeVar, runtime_checkable

from modelarts_widgets._types import IdLike, Timeout
from modelarts_widgets.client._options import DeleteHooks, V2ListOptions, VersionOptions
from modelarts_widgets.client._paging import ListOptions
from modelarts_widgets.models import DeleteResult, JobVersion, TrainingJob, VisualizationJob
from modelarts_widgets.models_v2 import TrainingJobV2

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "DeleteHooks",
    "IdLike",
    "JobVersionsApi",
    "ListOptions",
    "ListsWorkspaces",
    "ModelArtsApi",
    "Provider",
    "ResourceKind",
    "Timeout",
    "TrainingJobsV2Api",
    "V2ListOptions",
    "VersionOptions",
    "VisualizationJobsApi",
]


ItemT = TypeVar("ItemT", covariant=True)


@runtime_checkable
class Provider(Protocol):
    """What every provider has, whatever generation of resources it serves."""

    project_id: str

    def add_event_listener(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(HttpEvent)`` before every wait (retry, rate limit, refresh)."""

    def remove_event_listener(self, callback: Callable[[Any], None]) -> None:
        """Stop calling ``callback``."""


@runtime_checkable
class JobVersionsApi(Provider, Protocol):
    """v1 training jobs and their versions (key ``(job_id, version_id)``, ints).

    List and get methods raise :class:`~modelarts_widgets.errors.APIError` subclasses (also for
    an answer with ``is_success: false``); an answer without its documented list raises
    :class:`~modelarts_widgets.errors.MalformedResponseError`. ``delete_*`` return a
    :class:`DeleteResult` for every answer the server gives and raise only for transport
    failures or misuse (:class:`~modelarts_widgets.errors.InvalidIdError`). A DELETE is never
    blindly re-sent.
    """

    def training_jobs_page(
        self,
        *,
        page: int = 1,
        **options: Unpack[ListOptions],
    ) -> dict[str, Any]:
        """One page of the training job list as the API's dict (``per_page`` 10 if not given)."""

    def job_versions_body(self, job_id: IdLike) -> dict[str, Any]:
        """All versions of one job as the API's dict."""

    def job_version_body(self, job_id: IdLike, version_id: IdLike) -> dict[str, Any]:
        """One version's details as the API's dict."""

    def iter_training_jobs(
        self,
        **options: Unpack[ListOptions],
    ) -> Iterator[TrainingJob]:
        """Every matching training job, fetching pages as needed (``per_page`` 100 if not
        given)."""

    def list_job_versions(self, job_id: IdLike) -> list[JobVersion]:
        """All versions of one job."""

    def list_all_job_versions(self, *, max_workers: int = 8) -> list[JobVersion]:
        """Every version of every job (a job gone in between contributes none)."""

    def get_job_version(self, job_id: IdLike, version_id: IdLike) -> JobVersion:
        """One version."""

    def delete_job_version(self, job_id: IdLike, version_id: IdLike) -> DeleteResult:
        """Delete one version; the server's answer as a result."""

    def create_job_version(self, job_id: IdLike, **options: Unpack[VersionOptions]) -> JobVersion:
        """Create a version of ``job_id`` (:class:`VersionOptions`: ``pre_version_id``,
        ``job_desc``, ``config``)."""


@runtime_checkable
class VisualizationJobsApi(Provider, Protocol):
    """v1 visualization jobs (key ``job_id``, a string). Errors as :class:`JobVersionsApi`."""

    def visualization_jobs_page(
        self,
        *,
        page: int = 1,
        **options: Unpack[ListOptions],
    ) -> dict[str, Any]:
        """One page of the visualization job list as the API's dict (``per_page`` 1-100)."""

    def visualization_job_body(self, job_id: IdLike) -> dict[str, Any]:
        """One visualization job's details as the API's dict."""

    def iter_visualization_jobs(
        self,
        **options: Unpack[ListOptions],
    ) -> Iterator[VisualizationJob]:
        """Every matching visualization job."""

    def get_visualization_job(self, job_id: IdLike) -> VisualizationJob:
        """One visualization job."""

    def delete_visualization_job(self, job_id: IdLike) -> DeleteResult:
        """Delete one visualization job; the server's answer as a result."""

    def create_visualization_job(
        self, *, job_name: str, train_url: str, job_desc: str = "", job_type: str = "tensorboard"
    ) -> VisualizationJob:
        """Create a visualization job reading ``train_url``."""


@runtime_checkable
class ModelArtsApi(JobVersionsApi, VisualizationJobsApi, Protocol):
    """The whole v1 generation: what :mod:`modelarts_widgets.sdk` and the v1 lists need."""


@runtime_checkable
class ListsWorkspaces(Protocol):
    """A provider whose lists cover workspaces (:class:`~.rest.RestClient`)."""

    def workspace_ids(self) -> list[str]:
        """The workspaces lists cover (the chosen one, or every one the service lists)."""

    @property
    def workspace_note(self) -> str:
        """Why lists cover only the default workspace, else ``""`` (for the status line)."""


@runtime_checkable
class ResourceKind(Protocol[ItemT]):
    """One kind of deletable resource of one generation, as lists and the bulk engine see it.

    Keys are the items' ``key`` (hashable, global: deletes need no workspace). ``delete_one``
    and ``still_listed`` have the shapes of the bulk engine's ``DeleteOne`` / ``StillListed``.
    """

    #: A short name for messages ("job version", "visualization job", "training job").
    noun: str

    def list_items(self) -> Sequence[ItemT]:
        """Every item the user can see (all workspaces unless one was chosen)."""

    def delete_one(self, key: Hashable) -> DeleteResult:
        """Delete one item; the server's answer as a result (never re-sent blindly)."""

    def delete_many(self, keys: Sequence[Hashable]) -> dict[Hashable, DeleteResult]:
        """Delete several items, one result per key (a batch route where the generation has one)."""

    def still_listed(self, keys: Collection[Hashable]) -> set[Hashable]:
        """The subset of ``keys`` the service still lists."""


@runtime_checkable
class TrainingJobsV2Api(Provider, Protocol):
    """v2 training jobs of every kind (key ``job_id``, a UUID string).

    List and get methods raise :class:`~modelarts_widgets.errors.APIError` subclasses.
    ``delete_v2_job`` returns a :class:`DeleteResult` for every answer (202 = accepted;
    ``ModelArts.2775`` / 404 = already gone) and raises only for transport failures or misuse.
    ``delete_v2_jobs`` is the batch fast path with its fallbacks (see
    :mod:`modelarts_widgets.client.v2`).
    """

    def v2_search_page(
        self,
        *,
        offset: int = 0,
        limit: int = 50,
        filters: Optional[Sequence[Mapping[str, Any]]] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        workspace_id: str = "0",
    ) -> dict[str, Any]:
        """One search answer as the API's dict."""

    def v2_job_body(self, job_id: str) -> dict[str, Any]:
        """One job's details as the API's dict."""

    def iter_v2_jobs(self, **options: Unpack[V2ListOptions]) -> Iterator[TrainingJobV2]:
        """Every matching job (:class:`V2ListOptions`), each once."""

    def get_v2_job(self, job_id: str) -> TrainingJobV2:
        """One job."""

    def delete_v2_job(self, job_id: str) -> DeleteResult:
        """Delete one job; the server's answer as a result."""

    def delete_v2_jobs(
        self, keys: Iterable[str], **hooks: Unpack[DeleteHooks]
    ) -> dict[str, DeleteResult]:
        """Delete many jobs (batches where offered), one result per job id (callbacks:
        :class:`DeleteHooks`)."""
