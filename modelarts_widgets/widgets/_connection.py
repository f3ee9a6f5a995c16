"""How a list widget reaches the API: a given client, a session's client, or a new Session().

The session object is kept privately (never in a trait), so no credential reaches widget state.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Optional

from modelarts_widgets.client.base import ModelArtsApi

__all__ = ["Connection", "client_of", "event_message"]

logger = logging.getLogger("modelarts_widgets.widgets")


def client_of(session: Any) -> ModelArtsApi:
    """The API client of a session (ours or the SDK facade), or ``session`` if it is one."""
    client = getattr(session, "client", None)
    if client is not None:
        return client  # type: ignore[no-any-return]
    if isinstance(session, ModelArtsApi):
        return session
    raise TypeError(
        f"{type(session).__name__} has no .client: pass modelarts_widgets.Session() "
        "(or leave session out to find credentials automatically)"
    )


def event_message(event: Any) -> Optional[str]:
    """Status-line text for an ``HttpEvent`` (a wait for a rate limit or retry), else None."""
    kind = getattr(event, "kind", "")
    wait_s = float(getattr(event, "wait_s", 0.0) or 0.0)
    reason = str(getattr(event, "reason", "") or "")
    if kind == "rate_limited":
        return f"waiting {wait_s:.0f} s (rate limited)"
    if kind == "retry":
        return f"retrying in {wait_s:.1f} s ({reason})" if reason else f"retrying in {wait_s:.1f} s"
    if kind == "refreshed":
        return "credentials refreshed"
    return None


#: Minimum seconds between two HTTP-event messages in the status line.
EVENT_INTERVAL = 0.2


class Connection:
    """Creates the client on first use (retried on the next call after a failure)."""

    def __init__(
        self,
        session: Any,
        client: Optional[ModelArtsApi],
        on_message: Callable[[str], None],
    ) -> None:
        self._session = session
        self.client: Optional[ModelArtsApi] = client
        self._on_message = on_message
        self._listening: Any = None
        self._last_text = ""
        self._last_at = float("-inf")
        self._wait_text = ""
        self._wait_until = float("-inf")
        self._event_lock = threading.Lock()

    def get(self) -> ModelArtsApi:
        """The client; raises what ``Session()`` raises (e.g. CredentialsNotFoundError)."""
        if self.client is None:
            if self._session is None:
                from modelarts_widgets.session import Session

                self._session = Session()
            self.client = client_of(self._session)
        self._listen(self.client)
        return self.client

    def _on_event(self, event: Any) -> None:
        """Show a wait in the status line: at most one per ``EVENT_INTERVAL``, a repeat per s.

        Events come from every delete worker at once (e.g. 8 workers hitting one rate limit);
        without this they would bypass the ≤10 updates/s coalescing of the delete run.
        """
        text = event_message(event)
        if not text:
            return
        with self._event_lock:
            now = time.monotonic()
            wait_s = float(getattr(event, "wait_s", 0.0) or 0.0)
            if wait_s > 0:
                self._wait_text, self._wait_until = text, now + wait_s
            since = now - self._last_at
            if since < EVENT_INTERVAL or (text == self._last_text and since < 1.0):
                return
            self._last_text, self._last_at = text, now
        self._on_message(text)

    def active_wait(self) -> Optional[str]:
        """The message of a retry/rate-limit wait still under way, else None.

        Progress updates of a delete run show it too, so a wait announced a moment before a
        progress update is not overwritten by it.
        """
        with self._event_lock:
            if time.monotonic() < self._wait_until:
                return self._wait_text
        return None

    def _listen(self, client: Any) -> None:
        if self._listening is client:
            return
        add = getattr(client, "add_event_listener", None)
        if callable(add):
            add(self._on_event)
            self._listening = client

    def close(self) -> None:
        """Stop listening to the client's events."""
        remove = getattr(self._listening, "remove_event_listener", None)
        if callable(remove):
            try:
                remove(self._on_event)
            except Exception:  # pragma: no cover - best effort on close
                logger.debug("remove_event_listener failed", exc_info=True)
        self._listening = None
