"""A :class:`ModelArtsApi` provider backed by the official ``modelarts`` SDK (inside ModelArts).

It calls only the SDK's documented methods (``modelarts.estimator.Estimator`` and
``VisualizationJob``) and converts their dicts with ``models.*.from_api``. The SDK is imported
lazily, on first use.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional

from modelarts_widgets._types import IdLike
from modelarts_widgets.client import ids
from modelarts_widgets.client._options import VersionOptions, new_version
from modelarts_widgets.client._paging import (
    J,
    ListOptions,
    all_job_versions,
    iter_jobs,
    list_options,
    parse_one,
    parse_row,
    refusal,
    rows_in,
)
from modelarts_widgets.errors import ConfigurationError, MalformedResponseError, TransportError
from modelarts_widgets.models import (
    DeleteResult,
    JobVersion,
    TrainingJob,
    VisualizationJob,
    as_str,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["OfficialSdkApi"]

logger = logging.getLogger("modelarts_widgets.client")

_PER_PAGE = 100


def _estimator_module() -> Any:
    try:
        return importlib.import_module("modelarts.estimator")
    except ImportError as exc:
        raise ConfigurationError(
            "the official 'modelarts' SDK is not importable in this environment"
        ) from exc


def _check(answer: Any, what: str) -> dict[str, Any]:
    """The SDK's dict, or raise :class:`APIError` for ``is_success: false`` / a non-dict."""
    if not isinstance(answer, Mapping):
        raise MalformedResponseError(
            f"{what}: the SDK returned {type(answer).__name__}, not a dict"
        )
    body = dict(answer)
    error = refusal(body, what)
    if error is not None:
        raise error
    return body


def _sort_kw(func: Callable[..., Any], value: str) -> dict[str, str]:
    """``sortBy`` or ``sort_by``, whichever the SDK function declares (``sortBy`` by default)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return {"sortBy": value}
    if "sortBy" in params:
        return {"sortBy": value}
    if "sort_by" in params:
        return {"sort_by": value}
    return {"sortBy": value}


def _list_kw(func: Callable[..., Any], page: int, query: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of an SDK list call (``func``) besides ``modelarts_session``, from
    a :func:`list_options` query."""
    kw: dict[str, Any] = {"per_page": query["per_page"], "page": page, "order": query["order"]}
    kw.update(_sort_kw(func, query["sort_by"]))
    if query["status"] is not None:
        kw["status"] = int(query["status"])
    if query["search_content"]:
        kw["search_content"] = query["search_content"]
    return kw


#: Why the official-SDK provider cannot list or delete v2 training jobs, and what to do.
V2_NEEDS_AKSK = (
    "v2 (new-version) training jobs cannot be reached through the notebook's ModelArts SDK "
    "session, which exposes no AK/SK; pass access_key=/secret_key= (or set HUAWEICLOUD_SDK_AK "
    "and HUAWEICLOUD_SDK_SK) so the widgets call the v2 API directly"
)


class OfficialSdkApi:
    """ModelArts operations through an official ``modelarts.session.Session``."""

    def __init__(self, modelarts_session: Any) -> None:
        self._session = modelarts_session
        self.project_id = as_str(getattr(modelarts_session, "project_id", ""))

    def __repr__(self) -> str:
        return f"OfficialSdkApi(project_id={self.project_id!r})"

    # The official SDK has its own transport: there are no HTTP events to forward.
    def add_event_listener(self, callback: Callable[[Any], None]) -> None:
        """Accepted for interface parity; the official SDK reports no waits."""

    def remove_event_listener(self, callback: Callable[[Any], None]) -> None:
        """Accepted for interface parity."""

    def v2_provider(self) -> Any:
        """v2 training jobs are not reachable through the notebook SDK session: always raises
        :class:`ConfigurationError` saying to give AK/SK (never an empty list)."""
        raise ConfigurationError(V2_NEEDS_AKSK)

    def _sdk(self) -> Any:
        return _estimator_module()

    def _estimator(self, **kw: Any) -> Any:
        return self._sdk().Estimator(modelarts_session=self._session, **kw)

    def _vis(self, visualization_id: Optional[str] = None) -> Any:
        cls = self._sdk().VisualizationJob
        if visualization_id is None:
            return cls(modelarts_session=self._session)
        return cls(modelarts_session=self._session, visualization_id=visualization_id)

    # --- raw dicts (same names as RestClient's) --------------------------------------------

    def training_jobs_page(
        self,
        *,
        page: int = 1,
        **options: Unpack[ListOptions],
    ) -> dict[str, Any]:
        func = self._sdk().Estimator.get_job_list
        kw = _list_kw(func, page, list_options(options, per_page=10))
        return _check(func(modelarts_session=self._session, **kw), "get_job_list")

    def job_versions_body(self, job_id: IdLike) -> dict[str, Any]:
        jid = ids.training_id(job_id, "job id")
        return _check(self._estimator(job_id=jid).get_job_version_info(), "get_job_version_info")

    def job_version_body(self, job_id: IdLike, version_id: IdLike) -> dict[str, Any]:
        jid = ids.training_id(job_id, "job id")
        vid = ids.training_id(version_id, "version id")
        answer = self._estimator(job_id=jid, version_id=vid).get_job_info()
        return _check(answer, "job version")

    def visualization_jobs_page(
        self,
        *,
        page: int = 1,
        **options: Unpack[ListOptions],
    ) -> dict[str, Any]:
        func = self._sdk().VisualizationJob.get_visualization_job_list
        query = list_options(options, per_page=10)
        query["per_page"] = min(query["per_page"], _PER_PAGE)
        kw = _list_kw(func, page, query)
        return _check(func(modelarts_session=self._session, **kw), "get_visualization_job_list")

    def visualization_job_body(self, job_id: IdLike) -> dict[str, Any]:
        vid = ids.visualization_id(job_id)
        answer = self._vis(vid).get_visualization_job_info()
        return _check(answer, "visualization job")

    # --- ModelArtsApi ----------------------------------------------------------------------

    def iter_training_jobs(
        self,
        **options: Unpack[ListOptions],
    ) -> Iterator[TrainingJob]:
        return _every(self.training_jobs_page, TrainingJob.from_api, options)

    def list_job_versions(self, job_id: IdLike) -> list[JobVersion]:
        body = self.job_versions_body(job_id)
        jid = int(ids.training_id(job_id, "job id"))
        name = as_str(body.get("job_name"))
        versions = (
            parse_row(lambda data: JobVersion.from_api(data, job_id=jid, job_name=name), row)
            for row in rows_in(body, "versions")
        )
        return [version for version in versions if version is not None]

    def list_all_job_versions(self, *, max_workers: int = 8) -> list[JobVersion]:
        return all_job_versions(
            self.iter_training_jobs,
            lambda job: self.list_job_versions(job.job_id),
            max_workers=max_workers,
        )

    def get_job_version(self, job_id: IdLike, version_id: IdLike) -> JobVersion:
        body = self.job_version_body(job_id, version_id)
        body.setdefault("version_id", ids.training_id(version_id, "version id"))
        jid = int(ids.training_id(job_id, "job id"))
        return parse_one(lambda data: JobVersion.from_api(data, job_id=jid), body, "job version")

    def delete_job_version(self, job_id: IdLike, version_id: IdLike) -> DeleteResult:
        jid = ids.training_id(job_id, "job id")
        vid = ids.training_id(version_id, "version id")
        return _delete(
            lambda: self._estimator(job_id=jid, version_id=vid).delete_job_version(),
            "delete_job_version",
        )

    def create_job_version(self, job_id: IdLike, **options: Unpack[VersionOptions]) -> JobVersion:
        new = new_version(job_id, options)
        kw = dict(new.config)
        inputs = kw.pop("inputs", kw.pop("data_url", None))
        estimator = self._estimator(**kw)
        call: dict[str, Any] = {"job_id": new.job_id, "job_desc": new.job_desc, "wait": False}
        if new.pre_version_id is not None:
            call["pre_version_id"] = new.pre_version_id
        if inputs is not None:
            call["inputs"] = inputs
        created = estimator.create_job_version(**call)
        data = {
            "job_id": getattr(created, "job_id", new.job_id),
            "version_id": getattr(created, "version_id", None),
            "version_name": getattr(created, "version_name", ""),
            "status": getattr(created, "status", 0),
            "create_time": getattr(created, "create_time", None),
            "pre_version_id": new.pre_version_id,
        }
        return new.created(data)

    def iter_visualization_jobs(
        self,
        **options: Unpack[ListOptions],
    ) -> Iterator[VisualizationJob]:
        return _every(self.visualization_jobs_page, VisualizationJob.from_api, options)

    def get_visualization_job(self, job_id: IdLike) -> VisualizationJob:
        body = self.visualization_job_body(job_id)
        body.setdefault("job_id", ids.visualization_id(job_id))
        return parse_one(VisualizationJob.from_api, body, "visualization job")

    def delete_visualization_job(self, job_id: IdLike) -> DeleteResult:
        vid = ids.visualization_id(job_id)
        return _delete(
            lambda: self._vis(vid).delete_visualization_job(), "delete_visualization_job"
        )

    def create_visualization_job(
        self, *, job_name: str, train_url: str, job_desc: str = "", job_type: str = "tensorboard"
    ) -> VisualizationJob:
        created = self._vis().create_visualization_job(
            train_url=train_url, job_name=job_name, job_desc=job_desc
        )
        raw_id = getattr(created, "visualization_id", None) or getattr(created, "job_id", None)
        data = {
            "job_id": raw_id,
            "job_name": getattr(created, "job_name", job_name),
            "status": getattr(created, "status", 0),
            "create_time": getattr(created, "create_time", None),
            "job_desc": job_desc,
            "train_url": train_url,
        }
        return parse_one(VisualizationJob.from_api, data, "visualization job")


def _every(
    page_of: Callable[..., dict[str, Any]],
    parse: Callable[[Mapping[str, Any]], J],
    options: Mapping[str, Any],
) -> Iterator[J]:
    """Every job of a ``*_jobs_page`` list (``per_page`` 100 unless given, kept within 1-100)."""
    query = list_options(options, per_page=100)
    per_page = query["per_page"] = max(1, min(query["per_page"], _PER_PAGE))
    return iter_jobs(lambda page: page_of(page=page, **query), parse, per_page)


def _delete(call: Callable[[], Any], what: str) -> DeleteResult:
    """Run an SDK delete; its dict becomes a :class:`DeleteResult`.

    An exception from the SDK means we do not know whether the delete was processed:
    it becomes :class:`TransportError` (the caller must re-check), naming only its type.
    """
    try:
        answer = call()
    except Exception as exc:
        # ``from None``: the SDK's own message could quote request details.
        raise TransportError(f"{what}: the official SDK raised {type(exc).__name__}") from None
    if not isinstance(answer, Mapping):
        return DeleteResult(is_success=False, error_msg=f"{what}: unexpected SDK answer")
    return DeleteResult.from_api(answer)
