"""Type aliases and protocols shared across the package (one definition each).

``IdLike`` (a job / version / visualization id as the user gives it), ``Timeout`` (as
``requests`` takes it: one number or ``(connect, read)``) and ``ListItem`` (what a list widget
can show: the models in :mod:`modelarts_widgets.models` satisfy it: a key, a status, whether it
is active, its workspace).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol, Union

__all__ = ["IdLike", "ListItem", "Timeout"]

#: A training job, version or visualization job id: an int or its string form.
IdLike = Union[int, str]
#: Seconds, or ``(connect, read)`` seconds, as ``requests`` takes it.
Timeout = Union[float, tuple[float, float]]


class ListItem(Protocol):
    """An item a list widget shows: a selection ``key``, a ``status``, ``is_active``."""

    @property
    def key(self) -> Hashable: ...

    @property
    def status(self) -> Hashable:
        """A v1 status code (int) or a v2 phase (str)."""

    @property
    def is_active(self) -> bool: ...

    @property
    def workspace_id(self) -> str: ...
