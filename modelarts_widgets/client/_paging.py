"""Reading answers, shared by every provider so a fix lands once.

Paging (:func:`iter_pages`), rows of a list answer (:func:`rows_in`), parsing rows and objects
(:func:`parse_row`, :func:`parse_one`), a whole job list (:func:`iter_jobs`), a refusal inside a
successful answer (:func:`refusal`), one job's versions (:func:`versions_in_job`) and all versions
of all jobs (:func:`all_job_versions`).
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, Protocol, TypedDict, TypeVar, cast

from modelarts_widgets.errors import (
    APIError,
    AuthenticationError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
    error_for_status,
)
from modelarts_widgets.models import (
    DEFAULT_WORKSPACE,
    NOT_FOUND_CODES,
    JobVersion,
    TrainingJob,
    as_int,
    as_str,
    error_code_of,
    error_message_of,
)

__all__ = [
    "GONE_CODES",
    "MAX_PAGES",
    "ListOptions",
    "Workspaces",
    "all_job_versions",
    "in_workspaces",
    "is_gone",
    "iter_jobs",
    "iter_pages",
    "list_options",
    "parse_one",
    "parse_row",
    "refusal",
    "refuse_unknown",
    "rows_in",
    "unique_by",
    "versions_in_job",
]

logger = logging.getLogger("modelarts_widgets.client")

T = TypeVar("T")
J = TypeVar("J", bound="_Job")
W = TypeVar("W", bound="_InWorkspace")

#: Hard stop for auto-paging (the API's own page limit).
MAX_PAGES = 65535


class ListOptions(TypedDict, total=False):
    """The keywords of a v1 job list (``*_jobs_page`` and ``iter_*_jobs``): its filters and
    order; absent ones take :func:`list_options`' defaults."""

    status: Optional[int]
    search_content: Optional[str]
    sort_by: str
    order: str
    per_page: int


def list_options(options: Mapping[str, Any], per_page: int) -> dict[str, Any]:
    """Every :class:`ListOptions` keyword, ``options`` over the defaults (no status, no search,
    ``create_time`` descending, ``per_page``); an unknown name raises ``TypeError`` as an
    unknown keyword argument would."""
    refuse_unknown(options, ListOptions.__annotations__)
    query: dict[str, Any] = {
        "status": None,
        "search_content": None,
        "sort_by": "create_time",
        "order": "desc",
        "per_page": per_page,
    }
    query.update(options)
    return query


def refuse_unknown(options: Mapping[str, Any], known: Collection[str]) -> None:
    """``TypeError`` for a name in ``options`` not in ``known``, as an unknown keyword argument
    would raise (``options`` came as ``**options`` typed by a ``TypedDict``)."""
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(f"got an unexpected keyword argument {unknown[0]!r}")


def rows_in(body: Mapping[str, Any], key: str = "jobs") -> list[Mapping[str, Any]]:
    """The dict rows of ``body[key]``; an absent key or a non-list raises (the answer is not
    the documented list, and reading it as empty would hide that)."""
    rows = body.get(key)
    if rows is None:
        raise MalformedResponseError(f"the answer has no '{key}' list")
    if not isinstance(rows, list):
        raise MalformedResponseError(f"'{key}' in the answer is not a list")
    return [row for row in rows if isinstance(row, Mapping)]


def iter_pages(
    fetch: Callable[[int], Mapping[str, Any]],
    per_page: int,
    *,
    rows: Callable[[Mapping[str, Any]], list[Mapping[str, Any]]] = rows_in,
    total_key: str = "job_total_count",
) -> Iterator[Mapping[str, Any]]:
    """Rows of pages 1, 2, … until the total is reached or a page is empty (or short)."""
    seen = 0
    for page in range(1, MAX_PAGES + 1):
        body = fetch(page)
        found = rows(body)
        if not found:
            return
        yield from found
        seen += len(found)
        total = as_int(body.get(total_key))
        if total is not None:
            if seen >= total:
                return
        elif len(found) < per_page:
            return


def parse_row(parse: Callable[[Mapping[str, Any]], T], row: Mapping[str, Any]) -> Optional[T]:
    """A list row parsed, or ``None`` (skipped with a warning) if it cannot be read."""
    try:
        return parse(row)
    except (ValueError, TypeError) as exc:
        logger.warning("skipping a list row that cannot be parsed: %s", exc)
        return None


def parse_one(parse: Callable[[Mapping[str, Any]], T], data: Mapping[str, Any], what: str) -> T:
    """One object from an answer; :class:`MalformedResponseError` if it cannot be read."""
    try:
        return parse(data)
    except (ValueError, TypeError) as exc:
        raise MalformedResponseError(f"the {what} in the answer cannot be read: {exc}") from exc


def iter_jobs(
    fetch: Callable[[int], Mapping[str, Any]],
    parse: Callable[[Mapping[str, Any]], J],
    per_page: int,
) -> Iterator[J]:
    """Every job of a paged list (pages 1, 2, …), each ``job_id`` once, unreadable rows skipped."""
    rows = iter_pages(fetch, per_page)
    yield from unique_by((parse_row(parse, row) for row in rows), lambda job: job.job_id)


def refusal(
    body: Mapping[str, Any],
    what: str,
    *,
    status: Optional[int] = None,
    request_id: Optional[str] = None,
) -> Optional[APIError]:
    """The error an answer with ``is_success: false`` stands for (even with HTTP 2xx), or None."""
    if body.get("is_success") is not False and body.get("is_success") != "false":
        return None
    code = error_code_of(body)
    msg = error_message_of(body)
    detail = ": ".join(part for part in (code, msg) if part) or "is_success is false"
    cls = error_for_status(status) if status is not None and status >= 400 else APIError
    return cls(
        f"{what} failed: {detail}",
        status_code=status,
        error_code=code,
        error_msg=msg,
        request_id=request_id,
    )


def unique_by(items: Iterable[Optional[T]], key: Callable[[T], Hashable]) -> Iterator[T]:
    """The items that are not ``None``, each ``key`` only the first time it is seen."""
    seen: set[Hashable] = set()
    for item in items:
        if item is not None and key(item) not in seen:
            seen.add(key(item))
            yield item


class _Job(Protocol):
    @property
    def job_id(self) -> Hashable: ...


class _InWorkspace(_Job, Protocol):
    @property
    def workspace_id(self) -> str: ...


#: Codes that answer a read of an id the service does not know (any HTTP status): the
#: documented ``ModelArts.2775`` TrainingJobNotFound and ``ModelArts.0104`` (HTTP 400
#: "Parameter error", what older regions answer for an unknown id).
GONE_CODES = NOT_FOUND_CODES | {"ModelArts.0104"}


def is_gone(exc: APIError) -> bool:
    """Whether reading an id failed because the service does not know it (404, or a
    :data:`GONE_CODES` code, whatever the status)."""
    return exc.status_code == 404 or exc.error_code in GONE_CODES


#: Said once when the service lists no workspaces (OTC): only the default one is shown.
DEFAULT_ONLY_NOTE = (
    "Showing the default workspace only: this service does not list workspaces "
    "(choose one with workspace_id=... or MODELARTS_WORKSPACE_ID)."
)


class Workspaces:
    """The workspaces lists cover: the chosen ones, else every one the service lists.

    ``fetch`` is ``GET /v1/{project}/workspaces``; where the service does not offer it (any
    refusal but an authentication failure, a 5xx or a rate limit) only the default workspace
    ``"0"`` is listed and :attr:`note` says so (also when the answer is not a workspace
    list). Asked once; a second concurrent ask only repeats the GET.
    """

    def __init__(self, chosen: Sequence[str], fetch: Callable[[], Mapping[str, Any]]) -> None:
        self._chosen = list(chosen)
        self._fetch = fetch
        self._ids: Optional[list[str]] = None
        self.note = ""

    @property
    def known(self) -> bool:
        """Whether :meth:`ids` answers without a request (chosen, or asked before)."""
        return bool(self._chosen) or self._ids is not None

    def ids(self) -> list[str]:
        if self._chosen:
            return list(self._chosen)
        if self._ids is None:
            self._ids = self._ask()
        return list(self._ids)

    def _ask(self) -> list[str]:
        try:
            rows = rows_in(self._fetch(), "workspaces")
        except (AuthenticationError, ServerError, RateLimitError):
            raise
        except APIError as exc:  # not offered here (also: an answer that is not the list)
            logger.info("workspaces not listed (%s): default workspace only", exc.error_code)
            self.note = DEFAULT_ONLY_NOTE
            return [DEFAULT_WORKSPACE]
        found = [as_str(row.get("id")).strip() for row in rows if row.get("id")]
        return list(dict.fromkeys(found)) or [DEFAULT_WORKSPACE]


def in_workspaces(workspaces: Workspaces, jobs_in: Callable[[str], Iterable[W]]) -> Iterator[W]:
    """``jobs_in(ws)`` for each workspace, each job stamped with the workspace it was listed in
    and yielded once (job ids are global).

    When the workspaces are not known yet, they are asked while the default workspace's first
    page loads (so the first jobs come one round trip sooner); that page is used when the
    default workspace is among them, which then comes first.
    """
    seen: set[Hashable] = set()
    for ws, jobs in _each_workspace(workspaces, jobs_in):
        for job in jobs:
            if job.job_id not in seen:
                seen.add(job.job_id)
                if job.workspace_id != ws:
                    job = cast(W, dataclasses.replace(cast(Any, job), workspace_id=ws))
                yield job


def _each_workspace(
    workspaces: Workspaces, jobs_in: Callable[[str], Iterable[T]]
) -> Iterator[tuple[str, Iterable[T]]]:
    """``(ws, jobs_in(ws))`` for each workspace; see :func:`in_workspaces`."""
    if workspaces.known:
        yield from ((ws, jobs_in(ws)) for ws in workspaces.ids())
        return
    default = iter(jobs_in(DEFAULT_WORKSPACE))
    ahead: list[T] = []
    failed: Optional[Exception] = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="modelarts-workspaces") as pool:
        asked = pool.submit(workspaces.ids)
        try:
            ahead.extend(itertools.islice(default, 1))  # the default workspace's first page
        except Exception as exc:  # counts only if that workspace is listed
            failed = exc
        ids = asked.result()
    if DEFAULT_WORKSPACE in ids:
        if failed is not None:
            raise failed
        yield DEFAULT_WORKSPACE, itertools.chain(ahead, default)
    yield from ((ws, jobs_in(ws)) for ws in ids if ws != DEFAULT_WORKSPACE)


def versions_in_job(
    job: TrainingJob, versions_of: Callable[[TrainingJob], list[JobVersion]]
) -> list[JobVersion]:
    """``versions_of(job)``, each version with its job's workspace (and its job's name when it
    has none); ``[]`` when the job is gone meanwhile (:func:`is_gone`)."""
    try:
        versions = versions_of(job)
    except APIError as exc:
        if is_gone(exc):
            return []  # deleted between listing the jobs and asking for its versions
        raise
    return [
        dataclasses.replace(v, job_name=v.job_name or job.job_name, workspace_id=job.workspace_id)
        for v in versions
    ]


def all_job_versions(
    jobs: Callable[[], Iterable[TrainingJob]],
    versions_of: Callable[[TrainingJob], list[JobVersion]],
    *,
    max_workers: int,
    thread_name_prefix: str = "",
) -> list[JobVersion]:
    """Every version of every job: jobs in list order, each job's versions fetched concurrently.

    A version without a job name gets its job's; every version its job's workspace. A job
    gone between the two calls (:func:`is_gone`) contributes no versions.
    """
    if max_workers < 1:
        raise ValueError("max_workers must be >= 1")
    listed = list(jobs())
    if not listed:
        return []

    with ThreadPoolExecutor(
        max_workers=min(max_workers, len(listed)), thread_name_prefix=thread_name_prefix
    ) as pool:
        chunks = list(pool.map(lambda job: versions_in_job(job, versions_of), listed))
    return [version for chunk in chunks for version in chunk]
