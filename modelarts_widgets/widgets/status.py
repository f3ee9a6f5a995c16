"""The status line of a list: its one writer, and how callback errors reach the user.

:class:`StatusLine` is the only thing that writes a list's status line. Messages (``say``), a
delete run's progress (``progress``) and the HTTP client's waits (``http_event``) all go through
one :class:`~modelarts_widgets.bulk.throttle.Coalescer`: a message is shown at once, progress at
most once per interval, and a wait (rate limit, retry) is shown at once, in place of a message
and appended to progress lines while it lasts (``"Deleting… 3 of 9 sent · waiting 2 s (rate
limited)"``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Optional

from modelarts_widgets.bulk.throttle import Coalescer
from modelarts_widgets.client import HttpEvent
from modelarts_widgets.widgets._html import esc

__all__ = ["EVENT_MIN_SHOWN", "StatusLine", "guarded"]

logger = logging.getLogger("modelarts_widgets.widgets")

#: Shortest time an HTTP event stays in the status line (a refresh has no wait of its own).
EVENT_MIN_SHOWN = 0.5

Line = tuple[str, Optional[str], bool]  # (text, safe html or None, is progress)


class StatusLine:
    """Compose and write the status line: ``write(text, html)`` is called with each new line."""

    def __init__(self, write: Callable[[str, str], None], interval: float = 0.1) -> None:
        self._write = write
        self._line: Line = ("", None, False)
        self._wait = ""
        self._wait_until = float("-inf")
        self._written: Optional[tuple[str, str]] = None
        self._showing_wait = False
        self._lock = threading.Lock()
        self._coalescer: Coalescer[str, Any] = Coalescer(self._apply, interval)

    def say(self, text: str, html: Optional[str] = None) -> None:
        """Show ``text`` now (``html``, already safe, replaces its escaped form on screen).

        A message ends the display of an earlier wait: it says what happened since.
        """
        self._coalescer.push("line", (text, html, False))
        self._coalescer.push("wait", ("", float("-inf")))
        self._coalescer.flush()

    def progress(self, text: str, html: Optional[str] = None) -> None:
        """Show ``text`` with the next coalesced update (at most one per interval)."""
        self._coalescer.push("line", (text, html, True))

    def http_event(self, event: HttpEvent) -> None:
        """Show an HTTP client's event (``describe()``): at once unless a wait is shown."""
        text = event.describe()
        shown = max(event.wait_s, EVENT_MIN_SHOWN)
        self._coalescer.push("wait", (text, time.monotonic() + shown))
        with self._lock:
            at_once = not (self._showing_wait and time.monotonic() < self._wait_until)
        if at_once:
            self._coalescer.flush()

    def flush(self) -> None:
        """Write what is pending now."""
        self._coalescer.flush()

    def close(self) -> None:
        self._coalescer.close()

    def _apply(self, batch: dict[str, Any]) -> None:
        with self._lock:
            if "line" in batch:
                self._line = batch["line"]
            if "wait" in batch:
                self._wait, self._wait_until = batch["wait"]
            text, html, progress = self._line
            self._showing_wait = bool(self._wait) and time.monotonic() < self._wait_until
            if self._showing_wait and progress:
                html = html if html is not None else _text_html(text)
                html = f'{html} <span class="mw-status-wait">· {esc(self._wait)}</span>'
                text = f"{text} · {self._wait}"
            elif self._showing_wait:
                text, html = self._wait, _text_html(self._wait)
            elif html is None:
                html = _text_html(text)
            if (text, html) == self._written:
                return
            self._written = (text, html)
        self._write(text, html)


def _text_html(text: str) -> str:
    return f'<span class="mw-status-text">{esc(text)}</span>'


def guarded(fn: Callable[..., Any], show_error: Callable[[str], None]) -> Callable[..., None]:
    """``fn`` wrapped: an exception is logged with its traceback and shown via ``show_error``."""

    def run(*args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:
            logger.exception("%s failed", getattr(fn, "__name__", "callback"))
            show_error(f"{type(exc).__name__}: {exc}")

    return run
