"""Sessions for tests: the real ``Session()``, with waits short enough for a test run.

``fast_session()`` keeps the HTTP client's retry and rate-limit policy as it is but gives it a
sleep of at most 20 ms (``Session(sleep=...)``), so no test waits out a real ``Retry-After``.
"""

from __future__ import annotations

import time
from typing import Any

from modelarts_widgets.session import Session

__all__ = ["fast_session", "http_of", "short_sleep"]


def short_sleep(seconds: float) -> None:
    """Wait at most 20 ms."""
    time.sleep(min(seconds, 0.02))


def fast_session(**kwargs: Any) -> Session:
    """``Session(**kwargs)`` whose HTTP client waits at most 20 ms (unless ``sleep=`` is given)."""
    kwargs.setdefault("sleep", short_sleep)
    return Session(**kwargs)


def http_of(session: Any) -> Any:
    """The ``HttpClient`` behind a session (our ``RestClient``'s seam)."""
    return session.client._http
