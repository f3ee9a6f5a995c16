"""The operations every provider offers (our REST client, or the official SDK in a notebook).

Widgets and :mod:`modelarts_widgets.sdk` depend on this protocol only, never on ``requests``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional, Protocol, Union, runtime_checkable

from modelarts_widgets.models import DeleteResult, JobVersion, TrainingJob, VisualizationJob

__all__ = ["ModelArtsApi"]

IdLike = Union[int, str]


@runtime_checkable
class ModelArtsApi(Protocol):
    """List / get / delete / create for training job versions and visualization jobs.

    List and get methods raise :class:`~modelarts_widgets.errors.APIError` subclasses.
    ``delete_*`` return a :class:`DeleteResult` for every answer the server gives
    (including 404 -> ``already_gone``) and raise only for transport failures or misuse
    (:class:`~modelarts_widgets.errors.InvalidIdError`). A DELETE is never blindly re-sent.
    """

    project_id: str

    # training jobs and versions
    def iter_training_jobs(
        self,
        *,
        status: Optional[int] = None,
        search_content: Optional[str] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        per_page: int = 100,
    ) -> Iterator[TrainingJob]: ...

    def list_job_versions(self, job_id: IdLike) -> list[JobVersion]: ...

    def list_all_job_versions(self, *, max_workers: int = 8) -> list[JobVersion]: ...

    def get_job_version(self, job_id: IdLike, version_id: IdLike) -> JobVersion: ...

    def delete_job_version(self, job_id: IdLike, version_id: IdLike) -> DeleteResult: ...

    def create_job_version(
        self,
        job_id: IdLike,
        *,
        pre_version_id: Optional[IdLike] = None,
        job_desc: str = "",
        config: Optional[dict[str, object]] = None,
    ) -> JobVersion: ...

    # visualization jobs
    def iter_visualization_jobs(
        self,
        *,
        status: Optional[int] = None,
        search_content: Optional[str] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        per_page: int = 100,
    ) -> Iterator[VisualizationJob]: ...

    def get_visualization_job(self, job_id: IdLike) -> VisualizationJob: ...

    def delete_visualization_job(self, job_id: IdLike) -> DeleteResult: ...

    def create_visualization_job(
        self, *, job_name: str, train_url: str, job_desc: str = "", job_type: str = "tensorboard"
    ) -> VisualizationJob: ...
