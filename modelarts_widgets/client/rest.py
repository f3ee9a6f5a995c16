"""Our own ModelArts v1 client: :class:`ModelArtsApi` over :class:`HttpClient`.

Besides the protocol's model-returning methods it offers ``*_page`` / ``*_body`` methods that
return the API's JSON dicts unchanged (used by :mod:`modelarts_widgets.sdk`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from typing import Any, Callable, Optional

from modelarts_widgets.client import ids
from modelarts_widgets.client._http import HttpClient, HttpEvent
from modelarts_widgets.client._paging import (
    all_job_versions,
    iter_jobs,
    iter_pages,
    list_query,
    parse_one,
    parse_row,
    refusal,
    rows_in,
    unique_by,
)
from modelarts_widgets.client.base import IdLike
from modelarts_widgets.errors import NotFoundError
from modelarts_widgets.models import (
    DeleteResult,
    JobVersion,
    TrainingJob,
    VisualizationJob,
    as_int,
)

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
    return params


class RestClient:
    """ModelArts v1 training job versions and visualization jobs over HTTP."""

    def __init__(self, http: HttpClient, project_id: str) -> None:
        self._http = http
        self.project_id = ids.project_id(project_id)

    def __repr__(self) -> str:
        return f"RestClient(base_url={self._http.base_url!r}, project_id={self.project_id!r})"

    @property
    def http(self) -> HttpClient:
        return self._http

    def add_event_listener(self, callback: Callable[[HttpEvent], None]) -> None:
        self._http.add_event_listener(callback)

    def remove_event_listener(self, callback: Callable[[HttpEvent], None]) -> None:
        self._http.remove_event_listener(callback)

    def close(self) -> None:
        self._http.close()

    # --- raw JSON ---------------------------------------------------------------------------

    def _path(self, *parts: str) -> str:
        return "/".join(("", "v1", self.project_id, *parts))

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Optional[Any] = None,
    ) -> dict[str, Any]:
        """A successful JSON body; ``is_success: false`` (even with HTTP 2xx) raises."""
        reply = self._http.request(method, path, params=params, json=json)
        error = refusal(
            reply.body, f"{method} {path}", status=reply.status, request_id=reply.request_id
        )
        if error is not None:
            raise error
        return reply.body

    def training_jobs_page(
        self,
        *,
        status: Optional[int] = None,
        search_content: Optional[str] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        per_page: int = 10,
        page: int = 1,
    ) -> dict[str, Any]:
        """One page of ``GET /v1/{project}/training-jobs`` as the API's dict."""
        if not 1 <= per_page <= 1000:
            raise ValueError("per_page must be within [1, 1000]")
        params = _list_params(
            status=status,
            search_content=search_content,
            sort_by=sort_by,
            order=order,
            per_page=per_page,
            page=page,
        )
        return self._call("GET", self._path("training-jobs"), params=params)

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
        status: Optional[int] = None,
        search_content: Optional[str] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        per_page: int = 10,
        page: int = 1,
    ) -> dict[str, Any]:
        """One page of ``GET /v1/{project}/visualization-jobs`` as the API's dict."""
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be within [1, {MAX_PER_PAGE}]")
        params = _list_params(
            status=status,
            search_content=search_content,
            sort_by=sort_by,
            order=order,
            per_page=per_page,
            page=page,
        )
        return self._call("GET", self._path("visualization-jobs"), params=params)

    def visualization_job_body(self, job_id: IdLike) -> dict[str, Any]:
        """``GET /v1/{project}/visualization-jobs/{job_id}`` as the API's dict."""
        vid = ids.visualization_id(job_id)
        return self._call("GET", self._path("visualization-jobs", vid))

    # --- training jobs and versions ---------------------------------------------------------

    def iter_training_jobs(
        self,
        *,
        status: Optional[int] = None,
        search_content: Optional[str] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        per_page: int = 100,
    ) -> Iterator[TrainingJob]:
        """Every matching training job, fetching pages as needed."""
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        query = list_query(status, search_content, sort_by, order, per_page)
        yield from iter_jobs(
            lambda page: self.training_jobs_page(page=page, **query), TrainingJob.from_api, per_page
        )

    def list_job_versions(self, job_id: IdLike) -> list[JobVersion]:
        """All versions of one job (``page=0``; falls back to paging if the server pages)."""
        jid = ids.training_id(job_id, "job id")
        body = self.job_versions_body(jid, page=0)
        rows = rows_in(body, "versions")
        total = as_int(body.get("version_count"))
        if total is not None and len(rows) < total and len(rows) > 0:
            rows = list(
                iter_pages(
                    lambda page: self.job_versions_body(jid, page=page, per_page=MAX_PER_PAGE),
                    MAX_PER_PAGE,
                    rows=lambda page_body: rows_in(page_body, "versions"),
                    total_key="version_count",
                )
            )
        job_name = body.get("job_name") if isinstance(body.get("job_name"), str) else ""
        versions = (
            parse_row(
                lambda data: JobVersion.from_api(data, job_id=int(jid), job_name=str(job_name)),
                row,
            )
            for row in rows
        )
        return list(unique_by(versions, lambda version: version.version_id))

    def list_all_job_versions(self, *, max_workers: int = 8) -> list[JobVersion]:
        """Every version of every job: jobs in list order, each job's versions fetched concurrently.

        A job deleted between the two calls (404) contributes no versions.
        """

        def versions_of(job: TrainingJob) -> list[JobVersion]:
            try:
                return self.list_job_versions(job.job_id)
            except NotFoundError:
                return []

        return all_job_versions(
            self.iter_training_jobs,
            versions_of,
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

    def create_job_version(
        self,
        job_id: IdLike,
        *,
        pre_version_id: Optional[IdLike] = None,
        job_desc: str = "",
        config: Optional[dict[str, object]] = None,
    ) -> JobVersion:
        """``POST …/training-jobs/{job_id}/versions`` with body ``{"job_desc", "config"}``."""
        jid = ids.training_id(job_id, "job id")
        fields: dict[str, Any] = dict(config or {})
        if pre_version_id is not None:
            fields["pre_version_id"] = int(ids.training_id(pre_version_id, "pre_version_id"))
        body = {"job_desc": job_desc, "config": fields}
        answer = self._call("POST", self._path("training-jobs", jid, "versions"), json=body)
        data = dict(answer)
        data.setdefault("pre_version_id", fields.get("pre_version_id"))
        data.setdefault("job_desc", job_desc)
        return parse_one(lambda d: JobVersion.from_api(d, job_id=int(jid)), data, "job version")

    # --- visualization jobs -------------------------------------------------------------------

    def iter_visualization_jobs(
        self,
        *,
        status: Optional[int] = None,
        search_content: Optional[str] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        per_page: int = 100,
    ) -> Iterator[VisualizationJob]:
        """Every matching visualization job (``per_page`` is kept ≤ 100)."""
        per_page = max(1, min(per_page, MAX_PER_PAGE))
        query = list_query(status, search_content, sort_by, order, per_page)
        yield from iter_jobs(
            lambda page: self.visualization_jobs_page(page=page, **query),
            VisualizationJob.from_api,
            per_page,
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
