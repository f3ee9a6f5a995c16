"""Our own ModelArts v2 training-job client over :class:`HttpClient` (the one seam).

Wire (``reference/otc-api-ref/v2-training/`` and the official SDK's request models):
``POST /v2/{p}/training-job-searches`` (``offset``, ``limit`` ≤ 50, ``filters``, ``sort_by``,
``order``), ``GET`` / ``DELETE /v2/{p}/training-jobs/{id}`` (202, empty or ``""`` body) and
``POST /v2/{p}/training-jobs/batch-delete`` (≤ 100 jobs of one workspace, all or nothing).

Listing lists every job exactly once whichever way the service reads ``offset``: pages are
requested as documented (a page index); when the second page overlaps the first by more than
half, the service reads an item offset, and paging switches to advancing by items received
(remembered in :attr:`V2Client.offset_mode`). Items are de-duplicated by id.

Deleting many (:meth:`V2Client.delete_v2_jobs`) uses batch calls grouped by workspace; a batch
the service refuses (a 4xx: a job gone, mixed workspaces, a permission) is re-done as one
DELETE per job, so one bad id never fails the others; a service without the batch route
(404/405 "no such API") is remembered (:attr:`V2Client.batch_supported`) and single deletes are
used from then on. A batch with no answer or a 5xx is never re-sent (its outcome is unknown).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional

from modelarts_widgets.client import ids
from modelarts_widgets.client._http import HttpClient, HttpReply, OverHttp
from modelarts_widgets.client._options import (
    DeleteHooks,
    V2ListOptions,
    delete_hooks,
    v2_list_options,
)
from modelarts_widgets.client._paging import (
    Workspaces,
    in_workspaces,
    parse_one,
    parse_row,
    rows_in,
)
from modelarts_widgets.client._v2_delete import MAX_BATCH, DeleteRun, PartialDeleteError
from modelarts_widgets.errors import InvalidIdError
from modelarts_widgets.models import DeleteResult, error_code_of
from modelarts_widgets.models_v2 import TrainingJobV2

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "MAX_BATCH",
    "MAX_LIMIT",
    "PartialDeleteError",
    "V2Client",
    "v2_job_id",
]

logger = logging.getLogger("modelarts_widgets.client")

#: The search's largest page (``limit`` 1-50).
MAX_LIMIT = 50
#: Hard stop for auto-paging.
MAX_PAGES = 100_000
#: Error codes of a gateway that does not publish the API (the route is absent).
NO_SUCH_API_CODES = frozenset({"APIG.0101", "ModelArts.4204"})

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def v2_job_id(value: object) -> str:
    """A v2 job id (a UUID in practice): ``[A-Za-z0-9_-]{1,64}``, else :class:`InvalidIdError`."""
    if isinstance(value, str) and _ID.fullmatch(value.strip()):
        return value.strip()
    text = repr(value)
    shown = text if len(text) <= 40 else text[:39] + "…"
    raise InvalidIdError(f"invalid v2 training job id: {shown} (expected a UUID)")


def delete_result(reply: HttpReply) -> DeleteResult:
    """A v2 delete answer as a result: any 2xx is accepted (the body is empty or ``""``)."""
    if reply.ok and reply.body.get("is_success") is not False:
        return DeleteResult(True, http_status=reply.status, request_id=reply.request_id)
    if reply.malformed:
        return DeleteResult(
            False,
            error_msg=f"HTTP {reply.status}: the answer was not JSON ({reply.snippet!r})",
            http_status=reply.status,
            request_id=reply.request_id,
        )
    result = DeleteResult.from_api(reply.body, reply.status, reply.request_id)
    if not (result.error_code or result.error_msg):
        result = dataclasses.replace(result, error_msg=f"HTTP {reply.status}")
    return result


def _route_absent(reply: HttpReply) -> bool:
    """Whether a batch call's refusal says the service has no such API (not a job problem)."""
    if reply.status == 405:
        return True
    if reply.status != 404:
        return False
    code = error_code_of(reply.body) or ""
    return code in NO_SUCH_API_CODES or code.startswith("APIG.") or not code


def _filters(
    kinds: Optional[Sequence[str]], phases: Optional[Sequence[str]], name: Optional[str]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if kinds:
        out.append({"key": "kind", "operator": "in", "value": list(kinds)})
    if phases:
        out.append({"key": "phase", "operator": "in", "value": list(phases)})
    if name:
        out.append({"key": "name", "operator": "like", "value": [name]})
    return out


#: The ``Content-Type`` the official SDK sends with the v2 search and batch-delete bodies
#: (its generated code asks for ``charset=UTF-8``; its header helper lower-cases it).
JSON_UTF8 = "application/json;charset=utf-8"


class V2Client(OverHttp):
    """ModelArts v2 training jobs (every kind, visualization jobs included) over HTTP.

    ``workspace_ids``: the workspaces to list (default: ``GET /v1/{p}/workspaces`` when the
    service has it, else the default workspace ``"0"``); ``workspaces`` shares a REST client's
    answer instead (and its chosen workspace). ``max_workers`` bounds concurrent
    delete calls.
    """

    api_version = "v2"

    def __init__(
        self,
        http: HttpClient,
        project_id: str,
        *,
        workspace_ids: Optional[Sequence[str]] = None,
        max_workers: int = 8,
        workspaces: Optional[Workspaces] = None,
    ) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be >= 1")
        self._http = http
        self.project_id = ids.project_id(project_id)
        self.max_workers = max_workers
        self.workspaces = workspaces or Workspaces(list(workspace_ids or ()), self._workspaces_body)
        #: How the service reads the search ``offset``: None (not seen yet), "pages", "items".
        self.offset_mode: Optional[str] = None
        #: Whether the service has the batch-delete route: None (not tried yet), True, False.
        self.batch_supported: Optional[bool] = None
        self._known: dict[str, TrainingJobV2] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"V2Client(base_url={self._http.base_url!r}, project_id={self.project_id!r})"

    # --- raw JSON -------------------------------------------------------------------------

    def v2_search_page(
        self,
        *,
        offset: int = 0,
        limit: int = MAX_LIMIT,
        filters: Optional[Sequence[Mapping[str, Any]]] = None,
        sort_by: str = "create_time",
        order: str = "desc",
        workspace_id: str = "0",
    ) -> dict[str, Any]:
        """One ``POST …/training-job-searches`` answer as the API's dict.

        ``workspace_id`` is sent only when it is not the default ``"0"``.
        """
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be within [1, {MAX_LIMIT}]")
        if offset < 0:
            raise ValueError("offset must be >= 0")
        if order not in ("asc", "desc"):
            raise ValueError("order must be 'asc' or 'desc'")
        # the official SDK's field order (JobSearches), so the body is byte-identical to its own
        body: dict[str, Any] = {"offset": offset, "limit": limit, "sort_by": sort_by}
        body["order"] = order
        if workspace_id != "0":
            body["workspace_id"] = workspace_id
        if filters:
            body["filters"] = [dict(f) for f in filters]
        path = self._path("training-job-searches")
        return self._http.request("POST", path, json=body, content_type=JSON_UTF8).body

    def v2_job_body(self, job_id: str) -> dict[str, Any]:
        """``GET …/training-jobs/{id}`` as the API's dict."""
        jid = v2_job_id(job_id)
        return self._http.request("GET", self._path("training-jobs", jid)).body

    def _workspaces_body(self) -> dict[str, Any]:
        return self._http.request("GET", f"/v1/{self.project_id}/workspaces").body

    def workspace_ids(self) -> list[str]:
        """The workspaces to list: as given, else ``GET /v1/{p}/workspaces`` (asked once), else
        ``["0"]`` when the service does not offer that list."""
        return self.workspaces.ids()

    # --- listing --------------------------------------------------------------------------

    def iter_v2_jobs(self, **options: Unpack[V2ListOptions]) -> Iterator[TrainingJobV2]:
        """Every matching job (:class:`V2ListOptions`) of every workspace, each once
        (``exclude_kinds`` is applied here, not sent). Rows that cannot be read are skipped
        with a warning. An unknown keyword raises ``TypeError`` here, before any request."""
        return self._iter_matching(v2_list_options(options))

    def list_v2_jobs(self, **options: Unpack[V2ListOptions]) -> list[TrainingJobV2]:
        """:meth:`iter_v2_jobs` as a list."""
        return list(self.iter_v2_jobs(**options))

    def _iter_matching(self, query: V2ListOptions) -> Iterator[TrainingJobV2]:
        filters = _filters(query["kinds"], query["phases"], query["name"])
        chosen = query["workspace_ids"]
        workspaces = Workspaces(chosen, self._workspaces_body) if chosen else self.workspaces
        jobs = in_workspaces(
            workspaces,
            lambda ws: self._iter_workspace(filters, query["sort_by"], query["order"], ws),
        )
        yield from (job for job in jobs if job.kind not in query["exclude_kinds"])

    def _iter_workspace(
        self, filters: list[dict[str, Any]], sort_by: str, order: str, workspace: str
    ) -> Iterator[TrainingJobV2]:
        """One workspace's jobs, each once, under either reading of ``offset``."""
        offset = 0
        first_ids: set[str] = set()
        seen: set[str] = set()
        mode = self.offset_mode
        stale = 0
        for number in range(MAX_PAGES):
            body = self.v2_search_page(
                offset=offset,
                limit=MAX_LIMIT,
                filters=filters,
                sort_by=sort_by,
                order=order,
                workspace_id=workspace,
            )
            rows = rows_in(body, "items")
            jobs = [job for job in (parse_row(TrainingJobV2.from_api, r) for r in rows) if job]
            page_ids = {job.job_id for job in jobs}
            if number == 0:
                first_ids = page_ids
            elif number == 1 and mode is None:
                overlap = len(page_ids & first_ids)
                mode = "items" if page_ids and overlap * 2 > len(page_ids) else "pages"
                self.offset_mode = mode
                logger.debug("v2 search offset read as %s (overlap %d)", mode, overlap)
            fresh = [job for job in jobs if job.job_id not in seen]
            seen.update(page_ids)
            self._remember(fresh)
            yield from fresh
            if len(rows) < MAX_LIMIT:
                return
            stale = 0 if fresh else stale + 1
            if stale >= 2:
                logger.warning("v2 search keeps answering the same jobs; stopped paging")
                return
            offset = offset + len(rows) if mode == "items" else offset + 1

    def _remember(self, jobs: Iterable[TrainingJobV2]) -> None:
        with self._lock:
            for job in jobs:
                self._known[job.job_id] = job

    def known_job(self, job_id: str) -> Optional[TrainingJobV2]:
        """The job as this client last listed or fetched it (``None`` if never seen)."""
        with self._lock:
            return self._known.get(job_id)

    def get_v2_job(self, job_id: str) -> TrainingJobV2:
        """One job's details (also remembered for batch deletes)."""
        body = self.v2_job_body(job_id)
        job = parse_one(TrainingJobV2.from_api, body, "v2 training job")
        self._remember([job])
        return job

    # --- deletes --------------------------------------------------------------------------

    def delete_v2_job(self, job_id: str) -> DeleteResult:
        """``DELETE …/training-jobs/{id}``: every answer is a result (202 = accepted;
        ``ModelArts.2775`` = already gone); raises only :class:`TransportError` (no answer)."""
        jid = v2_job_id(job_id)
        reply = self._http.request_raw("DELETE", self._path("training-jobs", jid))
        result = delete_result(reply)
        logger.debug("DELETE v2 job -> %s (success=%s)", reply.status, result.is_success)
        return result

    def batch_delete_v2_jobs(self, jobs: Sequence[TrainingJobV2]) -> DeleteResult:
        """One ``POST …/batch-delete`` call (≤ 100 jobs, one workspace): the call's answer."""
        if not 1 <= len(jobs) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} jobs")
        if len({job.workspace_id for job in jobs}) > 1:
            raise ValueError("a batch holds jobs of one workspace")
        body = {
            "jobs": [{"kind": job.kind, "metadata": {"id": v2_job_id(job.job_id)}} for job in jobs]
        }
        reply = self._http.request_raw(
            "POST", self._path("training-jobs", "batch-delete"), json=body, content_type=JSON_UTF8
        )
        if _route_absent(reply):
            with self._lock:
                self.batch_supported = False
        elif reply.ok:
            with self._lock:
                self.batch_supported = True
        return delete_result(reply)

    def delete_v2_jobs(
        self, keys: Iterable[str], **hooks: Unpack[DeleteHooks]
    ) -> dict[str, DeleteResult]:
        """Delete many jobs, fastest way first; one :class:`DeleteResult` per job id.

        Batches of ≤ 100 per workspace; a refused batch -> one DELETE per job of it; no batch
        route -> single deletes (remembered). Ids never seen in a listing are looked up first
        (one GET each; a job that is gone gets its "not found" answer as its result).
        ``on_result(job_id, result)`` is called as answers come; ``should_stop()`` is asked
        before each call (jobs not sent then have no result). A 401 stops further calls.
        Raises :class:`PartialDeleteError` (with the answers that came) when calls got no
        answer, and :class:`InvalidIdError` before sending anything for a malformed id.
        """
        on_result, should_stop = delete_hooks(hooks)
        run = DeleteRun(self, [v2_job_id(k) for k in dict.fromkeys(keys)], on_result, should_stop)
        return run.execute()
