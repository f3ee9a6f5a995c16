"""Frozen value objects parsed from the ModelArts v1 JSON, and the job status table.

Parsing is tolerant (``modelarts-api.md`` §2.2, §9): ids and status arrive as int or numeric
string, timestamps may be missing, ``error_msg`` and ``error_message`` are both read, metric
lists may be JSON encoded inside a string. Unknown status codes are kept, never rejected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Optional

__all__ = [
    "ACTIVE_STATUSES",
    "BILLING_STATUSES",
    "COMPLETED_STATUSES",
    "DEFAULT_WORKSPACE",
    "FAILED_STATUSES",
    "FINISHED_STATUSES",
    "RUNNING_STATUSES",
    "TERMINAL_STATUSES",
    "DeleteResult",
    "JobStatus",
    "JobVersion",
    "TrainingJob",
    "VisualizationJob",
    "status_label",
]


#: The default workspace: what the v1 list APIs show when no ``workspace_id`` is sent.
DEFAULT_WORKSPACE = "0"


def workspace_of(data: Mapping[str, Any]) -> str:
    """The row's ``workspace_id`` (the default workspace when absent or empty)."""
    return as_str(data.get("workspace_id")).strip() or DEFAULT_WORKSPACE


class JobStatus(IntEnum):
    """Status codes shared by training jobs, versions and visualization jobs (§3.5)."""

    UNKNOWN = 0
    INIT = 1
    IMAGE_CREATING = 2
    IMAGE_FAILED = 3
    SUBMIT_TRYING = 4
    SUBMIT_FAILED = 5
    DELETE_FAILED = 6
    WAITING = 7
    RUNNING = 8
    KILLING = 9
    COMPLETED = 10
    FAILED = 11
    KILLED = 12
    CANCELED = 13
    LOST = 14
    SCALING = 15
    SUBMIT_MODEL_FAILED = 16
    DEPLOY_SERVICE_FAILED = 17
    CHECK_INIT = 18
    CHECK_RUNNING = 19
    CHECK_RUNNING_COMPLETED = 20
    CHECK_FAILED = 21
    MOUNT_FAILED = 22

    @property
    def label(self) -> str:
        return _LABELS[int(self)]


_LABELS: dict[int, str] = {
    0: "unknown",
    1: "initializing",
    2: "image being created",
    3: "image creation failed",
    4: "being submitted",
    5: "submission failed",
    6: "deletion failed",
    7: "queuing",
    8: "running",
    9: "being canceled",
    10: "completed",
    11: "run failed",
    12: "canceled successfully",
    13: "canceled",
    14: "lost",
    15: "scaling",
    16: "model submission failed",
    17: "service deployment failed",
    18: "review initializing",
    19: "being reviewed",
    20: "review completed",
    21: "review failed",
    22: "mount failed",
}

_S = JobStatus


def _codes(*statuses: JobStatus) -> frozenset[int]:
    """Plain int codes (so ``str()`` of a member is its number on every Python)."""
    return frozenset(int(s) for s in statuses)


#: Statuses in which a job still runs, waits or changes: deleting them needs explicit consent.
ACTIVE_STATUSES: frozenset[int] = _codes(
    _S.INIT, _S.IMAGE_CREATING, _S.SUBMIT_TRYING, _S.WAITING, _S.RUNNING, _S.KILLING,
    _S.SCALING, _S.CHECK_INIT, _S.CHECK_RUNNING,
)  # fmt: skip
#: Statuses after which nothing more happens to the job.
TERMINAL_STATUSES: frozenset[int] = _codes(*JobStatus) - ACTIVE_STATUSES - {int(_S.UNKNOWN)}
#: Terminal statuses that mean something went wrong.
FAILED_STATUSES: frozenset[int] = _codes(
    _S.IMAGE_FAILED, _S.SUBMIT_FAILED, _S.DELETE_FAILED, _S.FAILED, _S.LOST,
    _S.SUBMIT_MODEL_FAILED, _S.DEPLOY_SERVICE_FAILED, _S.CHECK_FAILED, _S.MOUNT_FAILED,
)  # fmt: skip
#: Terminal statuses that are not failures.
FINISHED_STATUSES: frozenset[int] = TERMINAL_STATUSES - FAILED_STATUSES
#: Finished with a result (shown as a success).
COMPLETED_STATUSES: frozenset[int] = _codes(_S.COMPLETED, _S.CHECK_RUNNING_COMPLETED)
#: Active and doing work (shown as running, not as waiting).
RUNNING_STATUSES: frozenset[int] = _codes(_S.RUNNING, _S.SCALING, _S.CHECK_RUNNING)
#: Statuses in which a visualization job holds resources (and is billed).
BILLING_STATUSES: frozenset[int] = _codes(_S.RUNNING)


def status_label(code: int) -> str:
    """Human label for a status code; unknown codes read ``"status N"``."""
    return _LABELS.get(int(code), f"status {int(code)}")


# --- tolerant field readers -------------------------------------------------------------------


def as_int(value: Any, default: Optional[int] = None) -> Optional[int]:
    """An int from an int, a float or a numeric string; ``default`` for anything else."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                return int(float(text))
            except ValueError:
                return default
    return default


def as_str(value: Any, default: str = "") -> str:
    """A string; ``None`` becomes ``default``, other scalars are formatted."""
    if value is None:
        return default
    return value if isinstance(value, str) else str(value)


def as_json_list(value: Any) -> tuple[Any, ...]:
    """A list given as a list or as a JSON-encoded string (``model_metric_list``)."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return ()
    if isinstance(value, list):
        return tuple(value)
    return ()


def read_fields(
    data: Mapping[str, Any], *, ints: tuple[str, ...] = (), strs: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The named fields of ``data`` read tolerantly: ``ints`` by :func:`as_int` (``None`` when
    missing), ``strs`` by :func:`as_str` (``""`` when missing); keys keep their names."""
    fields: dict[str, Any] = {name: as_int(data.get(name)) for name in ints}
    fields.update((name, as_str(data.get(name))) for name in strs)
    return fields


def error_message_of(body: Mapping[str, Any]) -> Optional[str]:
    """The server's error text under any of its names (§2.2)."""
    for key in ("error_msg", "error_message", "errorMsg", "message"):
        text = body.get(key)
        if isinstance(text, str) and text:
            return text
    return None


def error_code_of(body: Mapping[str, Any]) -> Optional[str]:
    """The server's error code under any of its names (§2.2)."""
    for key in ("error_code", "errorCode", "code"):
        code = body.get(key)
        if code is not None and code != "":
            return str(code)
    return None


# --- value objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusReading:
    """How a generation's ``status`` reads: its ``label`` and the statuses that are ``active``."""

    label: Callable[[Any], str]
    active: frozenset[Any]


class StatusItem:
    """Base of the value objects: ``status_label`` and ``is_active``, read from ``status`` by
    the class's :class:`StatusReading`."""

    _READING: ClassVar[StatusReading]

    if TYPE_CHECKING:

        @property
        def status(self) -> Any: ...

    @property
    def status_label(self) -> str:
        return self._READING.label(self.status)

    @property
    def is_active(self) -> bool:
        return self.status in self._READING.active


class _V1Status(StatusItem):
    """A v1 value object: its ``status`` is a code of :class:`JobStatus`."""

    _READING = StatusReading(status_label, ACTIVE_STATUSES)


@dataclass(frozen=True)
class TrainingJob(_V1Status):
    """One row of ``GET /v1/{project}/training-jobs``."""

    job_id: int
    job_name: str
    status: int = 0
    version_id: Optional[int] = None
    version_count: Optional[int] = None
    create_time: Optional[int] = None  # epoch ms
    duration: Optional[int] = None  # ms
    job_desc: str = ""
    workspace_id: str = DEFAULT_WORKSPACE

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TrainingJob:
        job_id = as_int(data.get("job_id"))
        if job_id is None:
            raise ValueError("training job without a numeric job_id")
        return cls(
            job_id=job_id,
            status=as_int(data.get("status"), 0) or 0,
            workspace_id=workspace_of(data),
            **read_fields(
                data,
                ints=("version_id", "version_count", "create_time", "duration"),
                strs=("job_name", "job_desc"),
            ),
        )


@dataclass(frozen=True)
class JobVersion(_V1Status):
    """One version of a training job (``…/training-jobs/{job_id}/versions``)."""

    job_id: int
    version_id: int
    version_name: str = ""
    job_name: str = ""
    status: int = 0
    pre_version_id: Optional[int] = None
    create_time: Optional[int] = None  # epoch ms
    duration: Optional[int] = None  # ms
    start_time: Optional[int] = None  # epoch ms
    engine_name: str = ""
    engine_version: str = ""
    train_url: str = ""
    log_url: str = ""
    data_url: str = ""
    model_metric_list: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    workspace_id: str = DEFAULT_WORKSPACE

    @property
    def key(self) -> tuple[int, int]:
        """Selection key: ``(job_id, version_id)``."""
        return (self.job_id, self.version_id)

    @classmethod
    def from_api(
        cls, data: Mapping[str, Any], job_id: Optional[int] = None, job_name: str = ""
    ) -> JobVersion:
        jid = as_int(data.get("job_id"), job_id)
        vid = as_int(data.get("version_id"))
        if jid is None or vid is None:
            raise ValueError("job version without numeric job_id/version_id")
        return cls(
            job_id=jid,
            version_id=vid,
            job_name=as_str(data.get("job_name"), job_name) or job_name,
            status=as_int(data.get("status"), 0) or 0,
            model_metric_list=as_json_list(data.get("model_metric_list")),
            workspace_id=workspace_of(data),
            **read_fields(
                data,
                ints=("pre_version_id", "create_time", "duration", "start_time"),
                strs=(
                    "version_name",
                    "engine_name",
                    "engine_version",
                    "train_url",
                    "log_url",
                    "data_url",
                ),
            ),
        )


@dataclass(frozen=True)
class VisualizationJob(_V1Status):
    """One row of ``GET /v1/{project}/visualization-jobs``. ``job_id`` is kept as a string."""

    job_id: str
    job_name: str
    status: int = 0
    create_time: Optional[int] = None  # epoch ms
    duration: Optional[int] = None  # ms
    job_desc: str = ""
    service_url: str = ""
    train_url: str = ""
    resource_id: str = ""
    workspace_id: str = DEFAULT_WORKSPACE

    @property
    def key(self) -> str:
        """Selection key: the job id as a string."""
        return self.job_id

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> VisualizationJob:
        raw_id = data.get("job_id")
        if raw_id is None or as_str(raw_id).strip() == "":
            raise ValueError("visualization job without job_id")
        return cls(
            job_id=as_str(raw_id).strip(),
            status=as_int(data.get("status"), 0) or 0,
            workspace_id=workspace_of(data),
            **read_fields(
                data,
                ints=("create_time", "duration"),
                strs=("job_name", "job_desc", "service_url", "train_url", "resource_id"),
            ),
        )


#: Error codes that mean "no such job" whatever the HTTP status (v2: TrainingJobNotFound).
NOT_FOUND_CODES: frozenset[str] = frozenset({"ModelArts.2775"})


@dataclass(frozen=True)
class DeleteResult:
    """Outcome of one delete call, in the server's words.

    ``is_success`` means the service *accepted* the delete (it completes asynchronously).
    :attr:`already_gone`: HTTP 404 (but not a gateway's "no such API", ``APIG.*``), or a
    "no such job" code that the vendor documents with another status (v2 ``ModelArts.2775``,
    HTTP 400).
    """

    is_success: bool
    error_code: Optional[str] = None
    error_msg: Optional[str] = None
    http_status: Optional[int] = None
    request_id: Optional[str] = None

    @property
    def already_gone(self) -> bool:
        if self.is_success:
            return False
        code = self.error_code or ""
        if code in NOT_FOUND_CODES:
            return True
        return self.http_status == 404 and not code.startswith("APIG.")

    def to_sdk_dict(self) -> dict[str, Any]:
        """The documented SDK return shape: ``is_success`` plus error fields on failure."""
        out: dict[str, Any] = {"is_success": self.is_success}
        if not self.is_success:
            out["error_code"] = self.error_code
            out["error_msg"] = self.error_msg
        return out

    @classmethod
    def from_api(
        cls,
        body: Mapping[str, Any],
        http_status: Optional[int] = None,
        request_id: Optional[str] = None,
    ) -> DeleteResult:
        ok_flag = body.get("is_success")
        ok_http = http_status is None or 200 <= http_status < 300
        is_success = ok_http and (ok_flag is None or ok_flag is True or ok_flag == "true")
        return cls(
            is_success=bool(is_success),
            error_code=None if is_success else error_code_of(body),
            error_msg=None if is_success else error_message_of(body),
            http_status=http_status,
            request_id=request_id or (as_str(body.get("request_id")) or None),
        )
