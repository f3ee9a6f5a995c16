"""Our own ModelArts v1 client: :class:`ModelArtsApi` over :class:`HttpClient`.

Besides the protocol's model-returning methods it offers ``*_page`` / ``*_body`` methods that
return the API's JSON dicts unchanged (used by :mod:`modelarts_widgets.sdk`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional

from modelarts_widgets._types import IdLike
from modelarts_widgets.client import ids
from modelarts_widgets.client._http import HttpClient, OverHttp, RequestOptions
from modelarts_widgets.client._options import VersionOptions, new_version
from modelarts_widgets.client._paging import (
    ListOptions,
    W,
    Workspaces,
    all_job_versions,
    in_workspaces,
    is_gone,
    iter_jobs,
    iter_pages,
    list_options,
    parse_one,
    parse_row,
    refusal,
    rows_in,
    unique_by,
)
from modelarts_widgets.errors import BadRequestError
from modelarts_widgets.models import (
    DeleteResult,
    JobVersion,
    TrainingJob,
    VisualizationJob,
    as_int,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["RestClient"]

logger = logging.getLogger("modelarts_widgets.client")

#: Page-size limits: the SDK reference caps visualization lists at 100 (keep all lists ≤ 100).
MAX_PER_PAGE = 100


def _list_params(
    *,
    status: Optional[int],
    search_content: Optional[str],
    sort_by: str,
    order: str,
    per_page: int,
    page: int,
    workspace_id: Optional[str],
) -> dict[str, Any]:
    if order not in ("asc", "desc"):
        raise ValueError("order must be 'asc' or 'desc'")
    if page < 1:
        raise ValueError("page must be >= 1")
    params: dict[str, Any] = {
        "per_page": per_page,
        "page": page,
        "sortBy": sort_by,
        "order": order,
    }
    if status is not None:
        params["status"] = int(status)
    if search_content:
        if len(search_content) > 100:
            raise ValueError("search_content is limited to 100 characters")
        params["search_content"] = search_content
    if workspace_id is not None:
        params["workspace_id"] = ids.workspace_id(workspace_id)
    return params


class RestClient(OverHttp):
    """ModelArts v1 training job versions and visualization jobs over HTTP.

    ``workspace_id`` chooses one workspace; without it lists cover every workspace the service
    lists (``GET /v1/{project}/workspaces``), or only the default one where it lists none
    (:attr:`workspace_note` then says so).
    """

    api_version = "v1"

    def __init__(
        self, http: HttpClient, project_id: str, *, workspace_id: Optional[str] = None
    ) -> None:
        self._http = http
        self.project_id = ids.project_id(project_id)
        self.workspace_id = None if workspace_id is None else ids.workspace_id(workspace_id)
        chosen = [self.workspace_id] if self.workspace_id is not None else []
        self._workspaces = Workspaces(chosen, self.workspaces_body)

    def __repr__(self) -> str:
        return f"RestClient(base_url={self._http.base_url!r}, project_id={self.project_id!r})"

    @property
    def workspace_note(self) -> str:
        """Why lists cover only the default workspace (OTC), else ``""``."""
        return self._workspaces.note

    def workspace_ids(self) -> list[str]:
        """The workspaces lists cover (asked once per client)."""
        return self._workspaces.ids()

    @property
    def workspaces(self) -> Workspaces:
        """Which workspaces lists cover (shared with the v2 client of the same session)."""
        return self._workspaces

    # --- raw JSON ---------------------------------------------------------------------------

    def _call(self, method: str, path: str, **options: Unpack[RequestOptions]) -> dict[str, Any]:
        """A successful JSON body; ``is_success: false`` (even with HTTP 2xx) raises."""
        reply = self._http.request(method, path, **options)
        error = refusal(
            reply.body, f"{method} {path}", status=reply.status, request_id=reply.request_id
        )
        if error is not None:
            raise error
        return reply.body

    def training_jobs_page(
        self,
        *,
        page: int = 1,
        workspace_id: Optional[str] = None,
        **options: Unpack[ListOptions],
    ) -> dict[str, Any]:
        """One page of ``GET /v1/{project}/training-jobs`` as the API's dict."""
        return self._list_page("training-jobs", 1000, page, workspace_id, options)

    def _list_page(
        self,
        route: str,
        max_per_page: int,
        page: int,
        workspace_id: Optional[str],
        options: Mapping[str, Any],
    ) -> dict[str, Any]:
        """One page of ``GET /v1/{project}/{route}`` (``per_page`` 10 unless given, at most
        ``max_per_page``)."""
        query = list_options(options, per_page=10)
        if not 1 <= query["per_page"] <= max_per_page:
            raise ValueError(f"per_page must be within [1, {max_per_page}]")
        params = _list_params(page=page, workspace_id=workspace_id, **query)
        return self._call("GET", self._path(route), params=params)

    def job_versions_body(
        self, job_id: IdLike, *, page: int = 0, per_page: int = MAX_PER_PAGE
    ) -> dict[str, Any]:
        """``GET …/training-jobs/{job_id}/versions`` as the API's dict (``page=0``: all)."""
        jid = ids.training_id(job_id, "job id")
        params = {"page": page, "per_page": per_page}
        return self._call("GET", self._path("training-jobs", jid, "versions"), params=params)

    def job_version_body(self, job_id: IdLike, version_id: IdLike) -> dict[str, Any]:
        """``GET …/training-jobs/{job_id}/versions/{version_id}`` as the API's dict."""
        jid = ids.training_id(job_id, "job id")
        vid = ids.training_id(version_id, "version id")
        return self._call("GET", self._path("training-jobs", jid, "versions", vid))

    def visualization_jobs_page(
        self,
        *,
        page: int = 1,
        workspace_id: Optional[str] = None,
        **options: Unpack[ListOptions],
    ) -> dict[str, Any]:
        """One page of ``GET /v1/{project}/visualization-jobs`` as the API's dict."""
        return self._list_page("visualization-jobs", MAX_PER_PAGE, page, workspace_id, options)

    def workspaces_body(self) -> dict[str, Any]:
        """``GET /v1/{project}/workspaces`` as the API's dict (Huawei Cloud; not on OTC)."""
        return self._call("GET", self._path("workspaces"))

    def visualization_job_body(self, job_id: IdLike) -> dict[str, Any]:
        """``GET /v1/{project}/visualization-jobs/{job_id}`` as the API's dict."""
        vid = ids.visualization_id(job_id)
        return self._call("GET", self._path("visualization-jobs", vid))

    # --- training jobs and versions ---------------------------------------------------------

    def iter_training_jobs(
        self,
        **options: Unpack[ListOptions],
    ) -> Iterator[TrainingJob]:
        """Every matching training job (every workspace listed), fetching pages as needed."""
        query = list_options(options, per_page=100)
        return self._every(self.training_jobs_page, TrainingJob.from_api, query)

    def list_job_versions(self, job_id: IdLike) -> list[JobVersion]:
        """All versions of one job.

        Asks ``page=0`` (Huawei: "no paging"). Where the service reads that as page 1 (fewer
        rows than ``version_count``, or a full page and no count) or refuses it (HTTP 400 other
        than not-found), it pages from 1 instead.
        """
        jid = ids.training_id(job_id, "job id")
        bodies: list[dict[str, Any]] = []

        def page_of(page: int) -> dict[str, Any]:
            body = self.job_versions_body(jid, page=page, per_page=MAX_PER_PAGE)
            bodies.append(body)
            return body

        try:
            rows: Optional[list[Mapping[str, Any]]] = rows_in(page_of(0), "versions")
        except BadRequestError as exc:
            if is_gone(exc):
                raise
            rows = None  # page=0 refused: pages start at 1 here
        if rows is None or _truncated(rows, as_int(bodies[0].get("version_count"))):
            bodies.clear()
            rows = list(
                iter_pages(
                    page_of,
                    MAX_PER_PAGE,
                    rows=lambda page_body: rows_in(page_body, "versions"),
                    total_key="version_count",
                )
            )
        name = bodies[0].get("job_name") if bodies else ""
        job_name = name if isinstance(name, str) else ""
        versions = (
            parse_row(
                lambda data: JobVersion.from_api(data, job_id=int(jid), job_name=job_name), row
            )
            for row in rows
        )
        return list(unique_by(versions, lambda version: version.version_id))

    def list_all_job_versions(self, *, max_workers: int = 8) -> list[JobVersion]:
        """Every version of every job: jobs in list order, each job's versions fetched concurrently.

        A job deleted between the two calls (not found, see :func:`is_gone`) contributes no
        versions.
        """

        return all_job_versions(
            self.iter_training_jobs,
            lambda job: self.list_job_versions(job.job_id),
            max_workers=max_workers,
            thread_name_prefix="modelarts-versions",
        )

    def get_job_version(self, job_id: IdLike, version_id: IdLike) -> JobVersion:
        body = self.job_version_body(job_id, version_id)
        jid = int(ids.training_id(job_id, "job id"))
        data = dict(body)
        data.setdefault("version_id", ids.training_id(version_id, "version id"))
        return parse_one(lambda d: JobVersion.from_api(d, job_id=jid), data, "job version")

    def delete_job_version(self, job_id: IdLike, version_id: IdLike) -> DeleteResult:
        jid = ids.training_id(job_id, "job id")
        vid = ids.training_id(version_id, "version id")
        return self._delete(self._path("training-jobs", jid, "versions", vid))

    def create_job_version(self, job_id: IdLike, **options: Unpack[VersionOptions]) -> JobVersion:
        """``POST …/training-jobs/{job_id}/versions`` with body ``{"job_desc", "config"}``."""
        new = new_version(job_id, options)
        fields = new.fields()
        body = {"job_desc": new.job_desc, "config": fields}
        answer = self._call("POST", self._path("training-jobs", new.job_id, "versions"), json=body)
        data = dict(answer)
        data.setdefault("pre_version_id", fields.get("pre_version_id"))
        data.setdefault("job_desc", new.job_desc)
        return new.created(data)

    # --- visualization jobs -------------------------------------------------------------------

    def iter_visualization_jobs(
        self,
        **options: Unpack[ListOptions],
    ) -> Iterator[VisualizationJob]:
        """Every matching visualization job (``per_page`` is kept ≤ 100)."""
        query = list_options(options, per_page=100)
        return self._every(self.visualization_jobs_page, VisualizationJob.from_api, query)

    def _every(
        self,
        page_of: Callable[..., dict[str, Any]],
        parse: Callable[[Mapping[str, Any]], W],
        query: dict[str, Any],
    ) -> Iterator[W]:
        """Every job of a ``*_jobs_page`` list in every workspace listed (per_page ≤ 100)."""
        per_page = max(1, min(int(query.pop("per_page")), MAX_PER_PAGE))
        yield from in_workspaces(
            self._workspaces,
            lambda ws: iter_jobs(
                lambda page: page_of(page=page, per_page=per_page, workspace_id=ws, **query),
                parse,
                per_page,
            ),
        )

    def get_visualization_job(self, job_id: IdLike) -> VisualizationJob:
        body = self.visualization_job_body(job_id)
        data = dict(body)
        data.setdefault("job_id", ids.visualization_id(job_id))
        return parse_one(VisualizationJob.from_api, data, "visualization job")

    def delete_visualization_job(self, job_id: IdLike) -> DeleteResult:
        vid = ids.visualization_id(job_id)
        return self._delete(self._path("visualization-jobs", vid))

    def create_visualization_job(
        self, *, job_name: str, train_url: str, job_desc: str = "", job_type: str = "tensorboard"
    ) -> VisualizationJob:
        """``POST /v1/{project}/visualization-jobs`` (the answer's ids may be strings)."""
        if not ids.is_job_name(job_name):
            raise ValueError("job_name must be 1-20 characters of [A-Za-z0-9_-]")
        if not train_url:
            raise ValueError("train_url is required")
        if len(job_desc) > 256:
            raise ValueError("job_desc is limited to 256 characters")
        body = {
            "job_name": job_name,
            "job_desc": job_desc,
            "train_url": train_url,
            "job_type": job_type,
        }
        answer = self._call("POST", self._path("visualization-jobs"), json=body)
        data = dict(answer)
        for key, value in body.items():
            data.setdefault(key, value)
        return parse_one(VisualizationJob.from_api, data, "visualization job")

    # --- deletes --------------------------------------------------------------------------

    def _delete(self, path: str) -> DeleteResult:
        reply = self._http.request_raw("DELETE", path)
        if reply.malformed:
            return DeleteResult(
                is_success=False,
                error_msg=f"HTTP {reply.status}: the answer was not JSON ({reply.snippet!r})",
                http_status=reply.status,
                request_id=reply.request_id,
            )
        result = DeleteResult.from_api(reply.body, reply.status, reply.request_id)
        if not result.is_success and not (result.error_code or result.error_msg):
            result = dataclasses.replace(result, error_msg=f"HTTP {reply.status}")
        logger.debug("DELETE %s -> %s (success=%s)", path, reply.status, result.is_success)
        return result


def _truncated(rows: list[Mapping[str, Any]], total: Optional[int]) -> bool:
    """Whether a ``page=0`` answer holds only a first page of the versions."""
    if total is not None:
        return 0 < len(rows) < total
    return len(rows) >= MAX_PER_PAGE
