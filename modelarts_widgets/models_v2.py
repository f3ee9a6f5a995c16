"""Frozen value objects for v2 (new-version) training jobs, and the v2 phase table.

A v2 job (``POST /v2/{project}/training-job-searches`` item, ``GET .../training-jobs/{id}``)
has a UUID string id, a ``kind`` (``job``, ``visualization_job``, ...) and a string ``phase``.
Parsing is tolerant: missing sub-objects read as empty, numbers may arrive as strings, phases
are matched case-insensitively, and unknown phases and kinds are kept as they came.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Optional

from modelarts_widgets.models import (
    StatusItem,
    StatusReading,
    as_str,
    read_fields,
    status_label,
)

__all__ = [
    "V2_ACTIVE_PHASES",
    "V2_KINDS",
    "V2_PHASES",
    "V2_TERMINAL_PHASES",
    "VISUALIZATION_KIND",
    "TrainingJobV2",
    "any_status_label",
    "phase_label",
]

#: The documented level-1 phases, with the label a badge shows.
V2_PHASES: dict[str, str] = {
    "Creating": "creating",
    "Pending": "pending",
    "Running": "running",
    "Failed": "failed",
    "Completed": "completed",
    "Terminating": "terminating",
    "Terminated": "terminated",
    "Abnormal": "abnormal",
}
#: Phases in which a job still runs, waits or changes: deleting them needs explicit consent.
V2_ACTIVE_PHASES: frozenset[str] = frozenset({"Creating", "Pending", "Running", "Terminating"})
#: Phases after which nothing more happens to the job.
V2_TERMINAL_PHASES: frozenset[str] = frozenset({"Failed", "Completed", "Terminated", "Abnormal"})
#: The documented kinds (others are kept as they come).
V2_KINDS: tuple[str, ...] = (
    "job",
    "edge_job",
    "mrs_job",
    "hetero_job",
    "autosearch_job",
    "diag_job",
    "visualization_job",
    "federated_pool_job",
)
#: The kind of a v2 visualization job.
VISUALIZATION_KIND = "visualization_job"

_BY_FOLDED = {name.casefold(): name for name in V2_PHASES}


def canonical_phase(value: Any) -> str:
    """A documented phase in its documented spelling, or the value as it came (``""`` if none)."""
    text = as_str(value).strip()
    return _BY_FOLDED.get(text.casefold(), text)


def phase_label(phase: str) -> str:
    """Human label for a phase; an unknown phase reads as itself, an empty one ``"unknown"``."""
    known = V2_PHASES.get(canonical_phase(phase))
    return known or (phase.strip() or "unknown")


def any_status_label(status: Any) -> str:
    """The label of a v1 status code (an int) or of a v2 phase (a string)."""
    if isinstance(status, int) and not isinstance(status, bool):
        return status_label(status)
    return phase_label(str(status))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class TrainingJobV2(StatusItem):
    """One v2 training job (any kind). ``key`` is the job id (a UUID string)."""

    generation: ClassVar[str] = "v2"
    _READING = StatusReading(phase_label, V2_ACTIVE_PHASES)

    job_id: str
    name: str = ""
    kind: str = "job"
    phase: str = ""
    secondary_phase: str = ""
    workspace_id: str = "0"
    create_time: Optional[int] = None  # epoch ms
    duration: Optional[int] = None  # ms
    start_time: Optional[int] = None  # epoch ms
    description: str = ""
    user_name: str = ""

    @property
    def key(self) -> str:
        """Selection key: the job id."""
        return self.job_id

    @property
    def job_name(self) -> str:
        """The name (same attribute name as the v1 models)."""
        return self.name

    @property
    def status(self) -> str:
        """The phase (what a list's status filter and badge read)."""
        return self.phase

    @property
    def is_visualization(self) -> bool:
        return self.kind == VISUALIZATION_KIND

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TrainingJobV2:
        """Parse a search item or a details answer; raises ``ValueError`` without an id."""
        meta = _mapping(data.get("metadata"))
        status = _mapping(data.get("status"))
        job_id = as_str(meta.get("id")).strip()
        if not job_id:
            raise ValueError("v2 training job without metadata.id")
        return cls(
            job_id=job_id,
            name=as_str(meta.get("name")),
            kind=as_str(data.get("kind")).strip() or "job",
            phase=canonical_phase(status.get("phase")),
            workspace_id=as_str(meta.get("workspace_id")).strip() or "0",
            **read_fields(meta, ints=("create_time",), strs=("description", "user_name")),
            **read_fields(status, ints=("duration", "start_time"), strs=("secondary_phase",)),
        )
