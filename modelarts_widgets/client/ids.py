"""Validate ids before they become URL path segments (no request is sent for a bad id)."""

from __future__ import annotations

import re
from typing import Callable, Optional

from modelarts_widgets.errors import InvalidIdError

__all__ = ["is_job_name", "project_id", "training_id", "visualization_id", "workspace_id"]


_DIGITS = re.compile(r"[0-9]{1,19}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_JOB_NAME = re.compile(r"[A-Za-z0-9_-]{1,20}")


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _id(value: object, what: str, text_id: Callable[[str], Optional[str]], expected: str) -> str:
    """``value`` as a path segment: a positive int, or the form ``text_id`` gives a stripped
    string (``None``: refused); else :class:`InvalidIdError` naming ``what`` and ``expected``."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str):
        normal = text_id(value.strip())
        if normal is not None:
            return normal
    raise InvalidIdError(f"invalid {what}: {_show(value)} ({expected})")


def _positive_digits(text: str) -> Optional[str]:
    return str(int(text)) if _DIGITS.fullmatch(text) and int(text) > 0 else None


def _token(text: str) -> Optional[str]:
    return text if _TOKEN.fullmatch(text) else None


def training_id(value: object, what: str = "job id") -> str:
    """A training job / version id as a digit string; a positive int or a string of digits."""
    return _id(value, what, _positive_digits, "expected a positive number")


def visualization_id(value: object) -> str:
    """A visualization job id: digits or a conservative token ``[A-Za-z0-9_-]{1,64}``."""
    return _id(value, "visualization job id", _token, "expected digits or [A-Za-z0-9_-]")


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
