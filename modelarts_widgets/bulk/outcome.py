"""What happened to one item of a bulk delete: the :class:`Outcome` states and the record.

``Outcome`` is a ``str`` enum, so receipts (``as_record()``), traits and comparisons with the
plain strings (``outcome == "deleted"``) keep working; ``str()`` and f-strings give the value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

__all__ = ["FINAL_STATES", "RETRYABLE", "STATES", "ItemOutcome", "Outcome"]


class Outcome(str, Enum):
    """The life of one item: ``QUEUED`` -> ``SENDING`` -> one of the final states."""

    QUEUED = "queued"
    SENDING = "sending"
    #: the server said ``is_success`` (deletes complete asynchronously)
    ACCEPTED = "accepted"
    #: accepted and no longer listed (re-checked), or gone after a request that got no answer
    DELETED = "deleted"
    #: the server answered 404
    ALREADY_GONE = "already_gone"
    #: refused (4xx, or ``is_success: false`` with an error code): nothing was deleted
    FAILED = "failed"
    #: cancelled, or stopped by refused credentials, before sending
    NOT_SENT = "not_sent"
    #: no answer, a 5xx or an unreadable 2xx: the delete may or may not have happened
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


#: Every state, in the order of an item's life (then the other final states).
STATES: tuple[Outcome, ...] = tuple(Outcome)
#: States an item can end in.
FINAL_STATES: frozenset[Outcome] = frozenset(STATES) - {Outcome.QUEUED, Outcome.SENDING}
#: Outcomes after which a list keeps the item selected, so "Delete" again retries / continues.
RETRYABLE: frozenset[Outcome] = frozenset({Outcome.FAILED, Outcome.NOT_SENT})


def _json_key(key: Hashable) -> Any:
    if isinstance(key, tuple):
        return [_json_key(part) for part in key]
    if isinstance(key, (str, int, float, bool)) or key is None:
        return key
    return str(key)


def _span(start: Optional[float], end: Optional[float]) -> Optional[float]:
    if start is None or end is None:
        return None
    return round(max(0.0, end - start), 3)


@dataclass
class ItemOutcome:
    """What happened to one item. Copies are handed out; only the engine mutates its own."""

    key: Hashable
    name: str
    state: Outcome = Outcome.QUEUED
    error_code: Optional[str] = None
    error_msg: Optional[str] = None
    http_status: Optional[int] = None
    request_id: Optional[str] = None
    detail: str = ""
    queued_at: float = 0.0
    sent_at: Optional[float] = None
    answered_at: Optional[float] = None
    finished_at: Optional[float] = None

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def copy(self) -> ItemOutcome:
        return dataclasses.replace(self)

    def as_record(self) -> dict[str, Any]:
        """A JSON-able receipt row; timings are seconds relative to queueing / sending."""
        return {
            "key": _json_key(self.key),
            "name": self.name,
            "state": str(self.state),
            "error_code": self.error_code,
            "error_msg": self.error_msg,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "detail": self.detail,
            "wait_s": _span(self.queued_at, self.sent_at),
            "response_s": _span(self.sent_at, self.answered_at),
            "total_s": _span(self.queued_at, self.finished_at),
        }
