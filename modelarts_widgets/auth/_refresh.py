"""One refresh for threads that failed together, and a hold after a failed refresh.

Used by :class:`~modelarts_widgets.auth.signer.AkSkAuth` (credentials) and
:class:`~modelarts_widgets.auth.iam.TokenAuth` (IAM tokens).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Generic, Optional, TypeVar

__all__ = ["FAILED_REFRESH_HOLD_S", "RefreshGate"]

#: After a failed refresh, requests that used the same credentials do not try again for this
#: long (threads that failed together, a bulk delete's verify polls): a wrong password is tried
#: once, not once per request, which could lock the IAM user.
FAILED_REFRESH_HOLD_S = 60.0

U = TypeVar("U")


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
