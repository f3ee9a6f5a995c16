"""The listing step of a list: ask the provider for every item, say how it went.

Synchronous for now: :meth:`Listing.run` returns when the provider has answered. It reports
through two callbacks (status and error), so the list widget stays the only owner of its view.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Callable, Generic, Optional, TypeVar

from modelarts_widgets.client.base import ModelArtsApi

__all__ = ["Listing"]

logger = logging.getLogger("modelarts_widgets.widgets")

T = TypeVar("T")


class Listing(Generic[T]):
    """Lists items with ``load(client)``; failures become messages, never exceptions."""

    def __init__(
        self,
        load: Callable[[ModelArtsApi], Iterable[T]],
        plural: str,
        *,
        say: Callable[[str], None],
        show_error: Callable[[str], None],
    ) -> None:
        self._load = load
        self._plural = plural
        self._say = say
        self._show_error = show_error

    def run(self, client: ModelArtsApi) -> Optional[list[T]]:
        """Every item, or None when listing failed (the error is shown, the list unchanged)."""
        self._say(f"Loading {self._plural}…")
        try:
            return list(self._load(client))
        except Exception as exc:
            logger.warning("listing %s failed: %s", self._plural, exc)
            self._show_error(f"Could not list {self._plural}: {exc}")
            self._say("")
            return None
        except BaseException:  # KeyboardInterrupt (kernel interrupt): do not say "Loading…"
            self._say(f"Listing {self._plural} was interrupted; the list is unchanged.")
            raise
