"""Columns more than one list shows: name, status, when an item was created, how long it ran."""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol, TypeVar

from modelarts_widgets.widgets._html import TIME_WIDTH, fmt_duration, text_html, time_html
from modelarts_widgets.widgets._view import Column

__all__ = ["created_column", "duration_column", "name_column", "status_column"]


class Timed(Protocol):
    """An item with a creation time (epoch ms) and a run time (ms)."""

    @property
    def create_time(self) -> Optional[int]: ...

    @property
    def duration(self) -> Optional[int]: ...


TimedT = TypeVar("TimedT", bound=Timed)
T = TypeVar("T")


def _created(item: Timed) -> Optional[int]:
    return item.create_time


def _duration(item: Timed) -> Optional[int]:
    return item.duration


def name_column(name_of: Callable[[T], str], key: str = "name") -> Column[T]:
    """The wide first column, always shown: ``name_of(item)``, titled and keyed ``key``."""
    return Column(key, key, "24em", lambda i: text_html(name_of(i)), name_of, "6em", 0)


def status_column(cell: Callable[[T], str], sort_key: Callable[[T], Any]) -> Column[T]:
    """The "status" column: ``cell(item)`` is its badge HTML, ``sort_key`` orders it."""
    return Column("status", "status", "9em", cell, sort_key, "7em", 1)


def created_column() -> Column[TimedT]:
    """The "created" column: local time, sorted by the epoch."""
    return Column(
        "created",
        "created",
        TIME_WIDTH,
        lambda i: time_html(i.create_time),
        _created,
        TIME_WIDTH,
        2,
    )


def duration_column(priority: int) -> Column[TimedT]:
    """The "duration" column (``1h 02m``), sorted by milliseconds; gives way at ``priority``."""
    return Column(
        "duration",
        "duration",
        "6.5em",
        lambda i: text_html(fmt_duration(i.duration)),
        _duration,
        "6.5em",
        priority,
    )
