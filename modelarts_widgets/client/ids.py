"""Validate ids before they become URL path segments (no request is sent for a bad id)."""

from __future__ import annotations

import re

from modelarts_widgets.errors import InvalidIdError

__all__ = ["is_job_name", "project_id", "training_id", "visualization_id", "workspace_id"]


_DIGITS = re.compile(r"[0-9]{1,19}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_JOB_NAME = re.compile(r"[A-Za-z0-9_-]{1,20}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def training_id(value: object, what: str = "job id") -> str:
    """A training job / version id as a digit string; a positive int or a string of digits."""
    if isinstance(value, bool):
        raise InvalidIdError(f"invalid {what}: {_show(value)}")
    if isinstance(value, int):
        if value <= 0:
            raise InvalidIdError(f"invalid {what}: {_show(value)} (must be positive)")
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if _DIGITS.fullmatch(text) and int(text) > 0:
            return str(int(text))
    raise InvalidIdError(f"invalid {what}: {_show(value)} (expected a positive number)")


def visualization_id(value: object) -> str:
    """A visualization job id: digits or a conservative token ``[A-Za-z0-9_-]{1,64}``."""
    if isinstance(value, bool):
        raise InvalidIdError(f"invalid visualization job id: {_show(value)}")
    if isinstance(value, int):
        if value <= 0:
            raise InvalidIdError(f"invalid visualization job id: {_show(value)}")
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if _TOKEN.fullmatch(text):
            return text
    raise InvalidIdError(
        f"invalid visualization job id: {_show(value)} (expected digits or [A-Za-z0-9_-])"
    )


def project_id(value: object) -> str:
    """A project id: a conservative token (32 hex chars in practice)."""
    if isinstance(value, str) and _TOKEN.fullmatch(value.strip()):
        return value.strip()
    raise InvalidIdError(f"invalid project id: {_show(value)}")


def workspace_id(value: object) -> str:
    """A workspace id: ``"0"`` (the default workspace) or a conservative token."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _TOKEN.fullmatch(value.strip()):
        return value.strip()
    raise InvalidIdError(f"invalid workspace id: {_show(value)}")


def is_job_name(value: object) -> bool:
    """Whether ``value`` is a valid visualization job name (1-20 of ``[A-Za-z0-9_-]``)."""
    return isinstance(value, str) and _JOB_NAME.fullmatch(value) is not None
