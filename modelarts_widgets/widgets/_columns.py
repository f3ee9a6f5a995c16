"""Columns more than one list shows (name, status, when an item was created, how long it ran)
and ``text_column``, the plain-text column the lists build the rest from."""

from __future__ import annotations

from typing import Any, Callable, Optional, Protocol, TypeVar

from modelarts_widgets.widgets._html import TIME_WIDTH, fmt_duration, text_html, time_html
from modelarts_widgets.widgets._view import Column

__all__ = ["created_column", "duration_column", "name_column", "status_column", "text_column"]


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


def text_column(
    key: str,
    title: str,
    text_of: Callable[[T], Optional[str]],
    *,
    width: str,
    min_width: str,
    priority: int,
    sort_key: Optional[Callable[[T], Any]] = None,
) -> Column[T]:
    """A column showing ``text_of(item)`` as plain text, sorted by it unless ``sort_key`` is
    given (None sorts last, so return None rather than "" for a missing value)."""
    return Column(
        key,
        title,
        width,
        lambda i: text_html(text_of(i)),
        text_of if sort_key is None else sort_key,
        min_width,
        priority,
    )


def name_column(name_of: Callable[[T], str], key: str = "name") -> Column[T]:
    """The wide first column, always shown: ``name_of(item)``, titled and keyed ``key``."""
    return text_column(key, key, name_of, width="24em", min_width="6em", priority=0)


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
