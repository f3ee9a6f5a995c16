"""How a list widget reaches the API: a given client, a session's client, or a new Session().

The session object is kept privately (never in a trait), so no credential reaches widget state.
The client's HTTP events (waits for a rate limit or a retry) are handed to ``on_event``.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from modelarts_widgets.client import HttpEvent
from modelarts_widgets.client.base import ModelArtsApi

__all__ = ["Connection", "client_of"]

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


class Connection:
    """Creates the client on first use (retried on the next call after a failure)."""

    def __init__(
        self,
        session: Any,
        client: Optional[ModelArtsApi],
        on_event: Callable[[HttpEvent], None],
    ) -> None:
        self._session = session
        self.client: Optional[ModelArtsApi] = client
        self._on_event = on_event
        self._listening: Any = None

    def get(self) -> ModelArtsApi:
        """The client; raises what ``Session()`` raises (e.g. CredentialsNotFoundError)."""
        if self.client is None:
            if self._session is None:
                from modelarts_widgets.session import Session

                self._session = Session()
            self.client = client_of(self._session)
        self._listen(self.client)
        return self.client

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
