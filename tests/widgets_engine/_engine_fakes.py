"""A deterministic, thread-safe fake of one delete endpoint plus its listing (no sleeps)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection, Hashable
from typing import Callable, Optional, Union

from modelarts_widgets.models import DeleteResult

Behaviour = Union[DeleteResult, BaseException, Callable[[Hashable], DeleteResult]]

WAIT = 10.0  # bound for every wait in these tests; reached only when something is broken


class FakeService:
    """Counts calls and in-flight requests; ``gate`` (when given) holds every delete until set.

    ``behaviours[key]`` is a DeleteResult to return, an exception to raise, or a callable.
    Unlisted keys default to success. ``drop_after_delete`` keys are removed from the listing
    even though the call raises (a lost answer to a processed DELETE).
    """

    def __init__(
        self,
        keys: Collection[Hashable],
        behaviours: Optional[dict[Hashable, Behaviour]] = None,
        *,
        gate: Optional[threading.Event] = None,
        gone_after_polls: int = 0,
        drop_after_delete: Collection[Hashable] = (),
    ) -> None:
        self.cond = threading.Condition()
        self.calls: Counter[Hashable] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.listed = set(keys)
        self.behaviours = dict(behaviours or {})
        self.gate = gate
        self.gone_after_polls = gone_after_polls
        self.drop_after_delete = set(drop_after_delete)
        self.accepted: list[Hashable] = []  # accepted, removed from listing after N polls
        self.polls = 0
        self.poll_args: list[set[Hashable]] = []

    def delete_one(self, key: Hashable) -> DeleteResult:
        with self.cond:
            self.calls[key] += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.cond.notify_all()
        try:
            if self.gate is not None:
                assert self.gate.wait(WAIT), "gate never released"
            behaviour = self.behaviours.get(key, DeleteResult(True, http_status=200))
            with self.cond:
                if key in self.drop_after_delete:
                    self.listed.discard(key)
            if isinstance(behaviour, BaseException):
                raise behaviour
            result = behaviour(key) if callable(behaviour) else behaviour
            with self.cond:
                if result.is_success:
                    if self.gone_after_polls == 0:
                        self.listed.discard(key)
                    else:
                        self.accepted.append(key)
            return result
        finally:
            with self.cond:
                self.in_flight -= 1
                self.cond.notify_all()

    def still_listed(self, keys: Collection[Hashable]) -> set[Hashable]:
        with self.cond:
            self.polls += 1
            self.poll_args.append(set(keys))
            if self.gone_after_polls and self.polls >= self.gone_after_polls:
                self.listed.difference_update(self.accepted)
            return set(keys) & self.listed

    def wait_in_flight(self, n: int) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: self.in_flight == n, WAIT), self.in_flight
