"""What :class:`~modelarts_widgets.auth.signer.AkSkAuth` and
:class:`~modelarts_widgets.auth.iam.TokenAuth` share: their base :class:`SourceAuth` (one
refresh for threads that failed together, through a :class:`RefreshGate` that also holds off
after a failed refresh) and :class:`FixedSource` (a value given by the user, never renewed).
"""

from __future__ import annotations

import abc
import threading
import time
from typing import Callable, Generic, Optional, TypeVar

import requests.auth

__all__ = ["FAILED_REFRESH_HOLD_S", "FixedSource", "RefreshGate", "SourceAuth"]

#: After a failed refresh, requests that used the same credentials do not try again for this
#: long (threads that failed together, a bulk delete's verify polls): a wrong password is tried
#: once, not once per request, which could lock the IAM user.
FAILED_REFRESH_HOLD_S = 60.0

S = TypeVar("S")
T = TypeVar("T")
U = TypeVar("U")


class FixedSource(Generic[T]):
    """A source of a value the user gave: ``get()`` and ``refresh()`` both return it.

    Its repr names the class only, never the value (a secret).
    """

    name = "explicit"

    def __init__(self, value: T) -> None:
        self._value = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def get(self) -> T:
        return self._value

    def refresh(self) -> T:
        return self._value


class RefreshGate(Generic[U]):
    """Serialises refreshes; ``U`` is what a thread last used (credentials, a token value)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: Optional[tuple[Optional[U], float]] = None  # (used, when) of a failure

    def refresh(
        self, used: Optional[U], current: Callable[[], U], fetch: Callable[[], bool]
    ) -> bool:
        """True if the caller should resend.

        If another thread already replaced ``used`` (``current()`` differs), True without
        fetching. If a refresh for ``used`` failed less than :data:`FAILED_REFRESH_HOLD_S` ago,
        False. Else ``fetch()`` (its answer: did anything change); an exception from it is
        remembered for the hold and propagates.
        """
        with self._lock:
            if used is not None and current() != used:
                return True
            failed = self._failed
            if (
                failed is not None
                and failed[0] == used
                and time.monotonic() - failed[1] < FAILED_REFRESH_HOLD_S
            ):
                return False
            try:
                changed = fetch()
            except Exception:
                self._failed = (used, time.monotonic())
                raise
            self._failed = None
        return changed


class SourceAuth(requests.auth.AuthBase, Generic[S, U], abc.ABC):
    """A ``requests`` auth that sends what its ``source`` (``S``) holds: ``U``, credentials or
    a token value.

    Subclasses say what a request uses now (:meth:`_current`) and how to renew the source
    (:meth:`_renew`), and take what they send from :meth:`_use`, which notes it per thread.
    """

    def __init__(self, source: S) -> None:
        self.source = source
        self._used = threading.local()  # what this thread last sent
        self._gate: RefreshGate[U] = RefreshGate()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(source={self.source!r})"

    def refresh(self) -> bool:
        """Renew the source after an expiry 401; True if the caller should resend.

        Threads that failed together renew it once: a thread finding that another thread
        already replaced what it sent just resends (see :meth:`RefreshGate.refresh`).
        """
        used: Optional[U] = getattr(self._used, "value", None)
        return self._gate.refresh(used, self._current, lambda: self._renew(used))

    def _use(self) -> U:
        """What the source holds now, noted as what this thread sends."""
        value = self._current()
        self._used.value = value
        return value

    @abc.abstractmethod
    def _current(self) -> U:
        """What a request would use now."""

    @abc.abstractmethod
    def _renew(self, used: Optional[U]) -> bool:
        """Fetch again from the source; True if resending may now succeed."""
