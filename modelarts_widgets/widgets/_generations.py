"""Two API generations in the lists: v2 status reading, v2 columns, absent-generation notes.

v1 ("old-version") training jobs and visualization jobs have int status codes; v2 training
jobs (visualization jobs included, ``kind: visualization_job``) have string phases. A region or
account may lack a generation: its routes answer 404 "API not found" (or the provider cannot
reach it at all); a list then shows that generation as empty with a one-line note, never an
error that hides the other generation.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from operator import attrgetter
from typing import Any, Callable, Optional, TypeVar, Union

from modelarts_widgets.client.v2 import NO_SUCH_API_CODES
from modelarts_widgets.client.v2_resources import V2TrainingJobs, v2_provider
from modelarts_widgets.errors import APIError
from modelarts_widgets.models_v2 import (
    V2_ACTIVE_PHASES,
    V2_PHASES,
    VISUALIZATION_KIND,
    TrainingJobV2,
    any_status_label,
    canonical_phase,
)
from modelarts_widgets.widgets._columns import (
    created_column,
    duration_column,
    name_column,
    status_column,
    text_column,
)
from modelarts_widgets.widgets._view import V1_STATUSES, Column, StatusScheme
from modelarts_widgets.widgets.badges import phase_badge_html, status_badge_html

__all__ = [
    "MIXED_STATUSES",
    "V2_STATUSES",
    "absent_note",
    "any_status_badge_html",
    "count_v2_training_jobs",
    "list_generation",
    "run_generation",
    "training_jobs",
    "v2_columns",
    "visualization_jobs_v2",
]

_V2_GROUPS: dict[str, Optional[frozenset[Hashable]]] = {
    "all": None,
    "active": frozenset(V2_ACTIVE_PHASES),
    "finished": frozenset({"Completed", "Terminated"}),
    "failed": frozenset({"Failed", "Abnormal"}),
}


def _parse_phase(text: str) -> Optional[Hashable]:
    phase = canonical_phase(text)
    return phase if phase in V2_PHASES else None


def _parse_any(text: str) -> Optional[Hashable]:
    return V1_STATUSES.parse(text) if text.isdigit() else _parse_phase(text)


#: v2 jobs: phases ("Running", …); ``set_filter(status="Running")`` or a group.
V2_STATUSES = StatusScheme(_V2_GROUPS, any_status_label, _parse_phase)


def _union(name: str) -> Optional[frozenset[Hashable]]:
    v1, v2 = V1_STATUSES.groups[name], _V2_GROUPS[name]
    return None if v1 is None or v2 is None else v1 | v2


#: Lists with rows of both generations: int codes and phases side by side.
MIXED_STATUSES = StatusScheme(
    {name: _union(name) for name in _V2_GROUPS}, any_status_label, _parse_any
)


def any_status_badge_html(status: Union[int, str]) -> str:
    """The status badge of a v1 code or a v2 phase."""
    if isinstance(status, int) and not isinstance(status, bool):
        return status_badge_html(status)
    return phase_badge_html(str(status))


def absent_note(exc: BaseException, what: str) -> Optional[str]:
    """A one-line note when ``exc`` says the service has no ``what`` API (else None): a
    404/405 whose error code says "no such API" (``APIG.*``, ``ModelArts.4204``, or none).

    A provider that cannot reach a generation at all (the official-SDK provider and v2: it needs
    AK/SK) is not "absent": its ``ConfigurationError`` says what to do and is shown.
    """
    if not isinstance(exc, APIError) or exc.status_code not in (404, 405):
        return None
    code = exc.error_code or ""
    if code and code not in NO_SUCH_API_CODES and not code.startswith("APIG."):
        return None
    return f"This region or account has no {what} API ({code or f'HTTP {exc.status_code}'})."


T = TypeVar("T")
R = TypeVar("R")


def run_generation(run: Callable[[], R], what: str, absent: R) -> tuple[R, str]:
    """``run()`` and ``""``; or ``absent`` and a one-line note when ``what`` is absent
    (:func:`absent_note`). Any other failure propagates."""
    try:
        return run(), ""
    except Exception as exc:
        note = absent_note(exc, what)
        if note is None:
            raise
        return absent, note


def list_generation(load: Callable[[], Sequence[T]], what: str) -> tuple[list[T], str]:
    """``load()``'s items and ``""``; or ``[]`` and a one-line note when ``what`` is absent."""
    return run_generation(lambda: list(load()), what, [])


def count_v2_training_jobs(client: Any) -> Optional[int]:
    """How many v2 training jobs (visualization jobs aside) the account has; None if unknown."""
    try:
        return len(training_jobs(client).list_items())
    except Exception:  # a hint only: never an error of the list asking
        return None


def training_jobs(client: Any) -> V2TrainingJobs:
    """The v2 training jobs a :class:`TrainingJobList` shows: every kind but visualization."""
    return V2TrainingJobs(v2_provider(client), exclude_kinds={VISUALIZATION_KIND})


def visualization_jobs_v2(client: Any) -> V2TrainingJobs:
    """The v2 jobs of kind ``visualization_job``."""
    return V2TrainingJobs(v2_provider(client), kinds=[VISUALIZATION_KIND])


def _name(j: TrainingJobV2) -> str:
    return j.name or j.job_id


_phase = attrgetter("status_label")
_kind = attrgetter("kind")


def v2_columns() -> list[Column[TrainingJobV2]]:
    """Name, status, kind, created, duration (the list adds workspace, shown with several
    workspaces, and the outcome)."""
    return [
        name_column(_name),
        status_column(lambda j: phase_badge_html(j.phase), _phase),
        text_column("kind", "kind", _kind, width="7em", min_width="5em", priority=3),
        created_column(),
        duration_column(4),
    ]
