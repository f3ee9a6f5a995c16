"""Columns more than one list shows: when an item was created and how long it ran."""

from __future__ import annotations

from typing import Optional, Protocol, TypeVar

from modelarts_widgets.widgets._html import TIME_WIDTH, fmt_duration, text_html, time_html
from modelarts_widgets.widgets._view import Column

__all__ = ["created_column", "duration_column"]


class Timed(Protocol):
    """An item with a creation time (epoch ms) and a run time (ms)."""

    @property
    def create_time(self) -> Optional[int]: ...

    @property
    def duration(self) -> Optional[int]: ...


TimedT = TypeVar("TimedT", bound=Timed)


def _created(item: Timed) -> Optional[int]:
    return item.create_time


def _duration(item: Timed) -> Optional[int]:
    return item.duration


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
