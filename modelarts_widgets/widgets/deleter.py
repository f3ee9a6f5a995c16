"""The bulk-delete engine: bounded concurrency, send-at-most-once, cancel, verify until gone.

Contract (the widgets build on exactly this)::

    STATES = ("queued", "sending", "accepted", "deleted", "already_gone", "failed",
              "not_sent", "unknown")

    BulkDelete(items, delete_one, still_listed, *, concurrency=8, verify=True,
               verify_timeout=60.0, poll_interval=1.0, on_update=None, update_interval=0.1)
      .start()  .cancel()  .wait(timeout) -> bool  .done  .cancelled
      .outcomes -> {key: ItemOutcome}  (copies, input order)
      .counts() -> {state: n}  .summary() -> str  .failed_keys() -> [key]
    retry_failed(previous) -> [key]
    job_version_ops(api) / visualization_job_ops(api) -> (delete_one, still_listed)

Life of one item: ``queued`` -> ``sending`` -> one of

* ``accepted``      the server said ``is_success`` (deletes complete asynchronously);
* ``already_gone``  the server answered 404;
* ``failed``        a refusal (4xx, or ``is_success: false`` with an error code); keeps the
  server's error_code / error_msg / status / request id. Also raised
  :class:`~modelarts_widgets.errors.APIError` or
  :class:`~modelarts_widgets.errors.ConfigurationError` (nothing was deleted);
* ``unknown``       no answer (:class:`~modelarts_widgets.errors.TransportError` or any other
  exception), a 5xx, or a 2xx that cannot be read: the DELETE may or may not have happened
  (the server's words are kept). It is **never re-sent**; the verify phase looks it up.

A 401 (credentials refused, and the HTTP seam could not renew them) stops the run: every item
not yet sent becomes ``not_sent`` with a detail naming the credentials, and the summary says so.
A refusal's detail says what to check when there is a hint (403: permissions, project id).

``cancel()`` turns every item not yet sending into ``not_sent``; in-flight ones finish normally.

Verify phase (``verify=True``): ``still_listed(accepted + unknown keys)`` is polled every
``poll_interval`` seconds until no accepted key is listed or ``verify_timeout`` passes (a cancel
ends it after the current poll). Keys no longer listed become ``deleted``; accepted keys still
listed stay ``accepted`` with detail ``"accepted, still listed after N s"``; unknown keys still
listed stay ``unknown`` with detail ``"unknown — still listed"``. An exception from
``still_listed`` is recorded in the items' detail and never raised.

When done, every item is in exactly one final state (accepted, deleted, already_gone, failed,
not_sent, unknown) and ``sum(counts().values()) == len(outcomes)``. Each key is sent at most
once per BulkDelete; duplicate input keys are dropped (first name wins).

``on_update`` receives ``{key: ItemOutcome copy}`` of the items changed since its last call, at
most once per ``update_interval`` seconds (coalesced), plus one final call when done (during
which ``done`` is already True). ``wait()`` returns after that final call. Exceptions from
``on_update`` are logged on ``modelarts_widgets.widgets`` and never stop the run.

Retry policy (:meth:`BulkDelete.failed_keys`, :func:`retry_failed`): keys in ``failed`` (the
server refused, so nothing happened) plus ``unknown`` keys the verify phase saw still listed.
Not ``not_sent`` (the user cancelled them) and not unverified ``unknown`` (it may be gone).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, cast

from modelarts_widgets.client._http import hint_for
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    TransportError,
)
from modelarts_widgets.models import DeleteResult
from modelarts_widgets.widgets.throttle import Coalescer

__all__ = [
    "FINAL_STATES",
    "STATES",
    "BulkDelete",
    "ItemOutcome",
    "job_version_ops",
    "retry_failed",
    "visualization_job_ops",
]

logger = logging.getLogger("modelarts_widgets.widgets")

STATES = (
    "queued",
    "sending",
    "accepted",
    "deleted",
    "already_gone",
    "failed",
    "not_sent",
    "unknown",
)
#: States an item can end in.
FINAL_STATES = frozenset({"accepted", "deleted", "already_gone", "failed", "not_sent", "unknown"})

UNKNOWN_STILL_LISTED = "unknown — still listed"
_NO_ANSWER = "no answer — the delete may or may not have happened"
_UNSURE_ANSWER = "HTTP {status}: the delete may or may not have happened"
_AUTH_STOP = "the credentials were refused ({code}) and could not be renewed"


def _json_key(key: Hashable) -> Any:
    if isinstance(key, tuple):
        return [_json_key(part) for part in key]
    if isinstance(key, (str, int, float, bool)) or key is None:
        return key
    return str(key)


def _unsure(status: Optional[int], error_code: Optional[str]) -> bool:
    """Whether a failed answer leaves open if the delete happened (a 5xx, an unreadable 2xx)."""
    code = status or 0
    return code >= 500 or (200 <= code < 300 and not error_code)


def _span(start: Optional[float], end: Optional[float]) -> Optional[float]:
    if start is None or end is None:
        return None
    return round(max(0.0, end - start), 3)


@dataclass
class ItemOutcome:
    """What happened to one item. Copies are handed out; only the engine mutates its own."""

    key: Hashable
    name: str
    state: str = "queued"
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
            "state": self.state,
            "error_code": self.error_code,
            "error_msg": self.error_msg,
            "http_status": self.http_status,
            "request_id": self.request_id,
            "detail": self.detail,
            "wait_s": _span(self.queued_at, self.sent_at),
            "response_s": _span(self.sent_at, self.answered_at),
            "total_s": _span(self.queued_at, self.finished_at),
        }


class BulkDelete:
    """Delete many items once each, with bounded concurrency; see the module docstring."""

    def __init__(
        self,
        items: Sequence[tuple[Hashable, str]],
        delete_one: Callable[[Hashable], DeleteResult],
        still_listed: Callable[[Collection[Hashable]], set[Hashable]],
        *,
        concurrency: int = 8,
        verify: bool = True,
        verify_timeout: float = 60.0,
        poll_interval: float = 1.0,
        on_update: Optional[Callable[[dict[Hashable, ItemOutcome]], None]] = None,
        update_interval: float = 0.1,
    ) -> None:
        if int(concurrency) < 1:
            raise ValueError("concurrency must be >= 1")
        if verify_timeout < 0 or poll_interval < 0 or update_interval < 0:
            raise ValueError("verify_timeout, poll_interval and update_interval must be >= 0")
        self._delete_one = delete_one
        self._still_listed = still_listed
        self._concurrency = int(concurrency)
        self._verify = bool(verify)
        self._verify_timeout = float(verify_timeout)
        self._poll_interval = float(poll_interval)
        self._lock = threading.Lock()
        self._cancel_event = threading.Event()
        self._stop_reason = ""  # set when refused credentials stop the run
        self._verify_error = ""  # set while the verify phase cannot look items up
        self._finished_event = threading.Event()
        self._finished = False
        self._started = False
        self._verified_listed: set[Hashable] = set()
        self._coalescer: Optional[Coalescer[Hashable, ItemOutcome]] = (
            Coalescer(on_update, update_interval) if on_update is not None else None
        )
        now = time.monotonic()
        self._items: dict[Hashable, ItemOutcome] = {}
        for key, name in items:
            if key not in self._items:
                self._items[key] = ItemOutcome(key=key, name=str(name), queued_at=now)
        self._order: list[Hashable] = list(self._items)
        self._next = 0

    def __repr__(self) -> str:
        counts = {state: n for state, n in self.counts().items() if n}
        return f"BulkDelete({len(self._order)} items, done={self.done}, counts={counts})"

    # --- public API -----------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """True once every item is in a final state."""
        return self._finished

    @property
    def cancelled(self) -> bool:
        return self._cancel_event.is_set()

    @property
    def verify(self) -> bool:
        return self._verify

    @property
    def outcomes(self) -> dict[Hashable, ItemOutcome]:
        """Snapshot copies, in input order."""
        with self._lock:
            return {key: self._items[key].copy() for key in self._order}

    def start(self) -> None:
        """Run in a background thread and return at once; a second call does nothing."""
        with self._lock:
            if self._started:
                return
            self._started = True
        thread = threading.Thread(target=self._run, name="modelarts-widgets-delete", daemon=True)
        thread.start()

    def cancel(self) -> None:
        """Stop sending: items not yet sent become ``not_sent``; in-flight ones finish."""
        now = time.monotonic()
        with self._lock:
            self._cancel_event.set()
            for item in self._items.values():
                if item.state == "queued":
                    item.state = "not_sent"
                    item.detail = "cancelled before sending"
                    item.finished_at = now
                    self._push(item)
            started = self._started
        if not started:
            self.start()  # finishes at once: nothing is left to send

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until done (and the final ``on_update`` returned); False on timeout."""
        return self._finished_event.wait(timeout)

    def counts(self) -> dict[str, int]:
        """Number of items per state (every state present, zeros included)."""
        out = dict.fromkeys(STATES, 0)
        with self._lock:
            for item in self._items.values():
                out[item.state] = out.get(item.state, 0) + 1
        return out

    def failed_keys(self) -> list[Hashable]:
        """Keys worth retrying: ``failed``, plus ``unknown`` ones verified still listed."""
        with self._lock:
            return [
                key
                for key in self._order
                if self._items[key].state == "failed"
                or (self._items[key].state == "unknown" and key in self._verified_listed)
            ]

    def summary(self) -> str:
        """One line, e.g. ``"Deleted 9 of 12 · 1 already gone · 2 failed (ModelArts.0105)"``."""
        snapshot = self.outcomes
        counts = dict.fromkeys(STATES, 0)
        for item in snapshot.values():
            counts[item.state] += 1
        total = len(snapshot)
        parts: list[str] = []
        if self.cancelled:
            not_sent = counts["not_sent"]
            sent = total - not_sent - counts["queued"]
            head = f"Cancelled after {sent} of {total}: {sent} sent, {not_sent} not sent"
            parts.append(f"{counts['deleted']} deleted")
        elif not self.done:
            sent = total - counts["queued"]
            head = f"Deleting… {sent} of {total} sent"
            parts.append(f"{counts['deleted']} deleted")
        elif self._verify:
            head = f"Deleted {counts['deleted']} of {total}"
        else:
            head = f"Delete accepted for {counts['accepted']} of {total} (not verified)"
        if counts["accepted"] and (self._verify or self.cancelled or not self.done):
            still = ""
            if self._verify and self.done:
                still = " (could not check)" if self._verify_error else ", still listed"
            parts.append(f"{counts['accepted']} accepted{still}")
        if counts["already_gone"]:
            parts.append(f"{counts['already_gone']} already gone")
        if counts["failed"]:
            reasons: list[str] = []
            for item in snapshot.values():
                if item.state != "failed":
                    continue
                reason = item.error_code or (
                    f"HTTP {item.http_status}" if item.http_status else "error"
                )
                if reason not in reasons:
                    reasons.append(reason)
            shown = ", ".join(reasons[:3]) + (", …" if len(reasons) > 3 else "")
            parts.append(f"{counts['failed']} failed ({shown})")
        if counts["unknown"]:
            parts.append(f"{counts['unknown']} unknown")
        if counts["sending"]:
            parts.append(f"{counts['sending']} in flight")
        if counts["not_sent"] and not self.cancelled:
            why = f": {self._stop_reason}" if self._stop_reason else ""
            parts.append(f"{counts['not_sent']} not sent{why}")
        parts = [p for p in parts if not p.startswith("0 ")]
        return " · ".join([head, *parts])

    # --- the run ----------------------------------------------------------------------------

    def _push(self, item: ItemOutcome) -> None:
        """Queue a copy of ``item`` for ``on_update`` (caller holds the lock)."""
        if self._coalescer is not None:
            self._coalescer.push(item.key, item.copy())

    def _run(self) -> None:
        try:
            workers = [
                threading.Thread(
                    target=self._worker, name=f"modelarts-widgets-delete-{n}", daemon=True
                )
                for n in range(min(self._concurrency, max(1, len(self._order))))
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            if self._verify:
                self._verify_phase()
        except BaseException:  # pragma: no cover - defensive: never leave waiters hanging
            logger.exception("bulk delete stopped unexpectedly")
        finally:
            self._finish()

    def _take(self) -> Optional[ItemOutcome]:
        with self._lock:
            while self._next < len(self._order):
                item = self._items[self._order[self._next]]
                self._next += 1
                if self._cancel_event.is_set() or self._stop_reason or item.state != "queued":
                    continue
                item.state = "sending"
                item.sent_at = time.monotonic()
                self._push(item)
                return item
        return None

    def _worker(self) -> None:
        while True:
            item = self._take()
            if item is None:
                return
            self._send(item)

    def _send(self, item: ItemOutcome) -> None:
        key = item.key
        result: Optional[DeleteResult] = None
        failure: Optional[BaseException] = None
        try:
            result = self._delete_one(key)
        except Exception as exc:
            failure = exc
        now = time.monotonic()
        with self._lock:
            item.answered_at = now
            if result is not None:
                item.http_status = result.http_status
                item.request_id = result.request_id
                if result.is_success:
                    item.state = "accepted"
                    item.detail = "accepted, waiting until gone" if self._verify else "accepted"
                elif result.already_gone:
                    item.state = "already_gone"
                    item.error_code = result.error_code
                    item.error_msg = result.error_msg
                    item.detail = "already gone"
                else:
                    item.error_code = result.error_code
                    item.error_msg = result.error_msg
                    self._failed_answer(item)
            elif isinstance(failure, APIError):
                item.http_status = failure.status_code
                item.error_code = failure.error_code
                item.error_msg = failure.error_msg or str(failure)
                item.request_id = failure.request_id
                self._failed_answer(item)
            elif isinstance(failure, ConfigurationError):
                item.state = "failed"
                item.error_msg = str(failure)
                item.detail = "not sent: invalid request"
            else:
                item.state = "unknown"
                item.error_msg = str(failure) or type(failure).__name__
                item.detail = _NO_ANSWER
                if not isinstance(failure, TransportError):
                    logger.warning(
                        "delete of %r raised %s; treated as unknown",
                        key,
                        type(failure).__name__,
                    )
            if item.state not in ("accepted", "unknown") or not self._verify:
                item.finished_at = now
            self._push(item)

    def _failed_answer(self, item: ItemOutcome) -> None:
        """Classify an answer that is not a success (caller holds the lock)."""
        if _unsure(item.http_status, item.error_code):
            item.state = "unknown"
            item.detail = _UNSURE_ANSWER.format(status=item.http_status)
        else:
            item.state = "failed"
            hint = hint_for(item.http_status, item.error_code)
            item.detail = f"refused by the server: {hint}" if hint else "refused by the server"
            if item.http_status == 401:
                self._stop(_AUTH_STOP.format(code=item.error_code or "HTTP 401"))

    def _stop(self, reason: str) -> None:
        """Send nothing more: queued items become ``not_sent`` (caller holds the lock)."""
        if self._stop_reason:
            return
        self._stop_reason = reason
        logger.warning("bulk delete stopped: %s", reason)
        now = time.monotonic()
        for other in self._items.values():
            if other.state == "queued":
                other.state = "not_sent"
                other.detail = f"not sent: {reason}"
                other.finished_at = now
                self._push(other)

    def _verify_phase(self) -> None:
        started = time.monotonic()
        with self._lock:
            pending = {
                key for key, item in self._items.items() if item.state in ("accepted", "unknown")
            }
        last_error: Optional[str] = None
        while pending:
            try:
                listed = set(self._still_listed(set(pending))) & pending
            except Exception as exc:
                last_error = f"could not check whether still listed: {type(exc).__name__}: {exc}"
                logger.warning("verify after delete failed: %s", last_error)
                with self._lock:
                    self._verify_error = last_error
                    for key in pending:
                        self._items[key].detail = last_error
                        self._push(self._items[key])
                if isinstance(exc, (AuthenticationError, PermissionDeniedError)):
                    break  # asking again cannot succeed
            else:
                last_error = None
                with self._lock:
                    self._verify_error = ""
                self._record_listed(pending, listed)
                pending = listed
            with self._lock:
                waiting = any(self._items[key].state == "accepted" for key in pending)
            remaining = self._verify_timeout - (time.monotonic() - started)
            if not waiting or remaining <= 0 or self._cancel_event.is_set():
                break
            if self._cancel_event.wait(min(self._poll_interval, remaining)):
                break
        elapsed = time.monotonic() - started
        with self._lock:
            for key in pending:
                item = self._items[key]
                if item.state == "accepted" and last_error is None:
                    item.detail = f"accepted, still listed after {elapsed:.0f} s"
                item.finished_at = time.monotonic()
                self._push(item)

    def _record_listed(self, pending: set[Hashable], listed: set[Hashable]) -> None:
        """Mark keys no longer listed ``deleted``; note unknown keys still listed."""
        now = time.monotonic()
        with self._lock:
            for key in self._order:
                if key not in pending:
                    continue
                item = self._items[key]
                if key in listed:
                    if item.state == "unknown":
                        self._verified_listed.add(key)
                        new_detail = UNKNOWN_STILL_LISTED
                    else:
                        new_detail = "accepted, waiting until gone"
                    if item.detail != new_detail:
                        item.detail = new_detail
                        self._push(item)
                    continue
                was_unknown = item.state == "unknown"
                item.state = "deleted"
                item.detail = "gone after a request that got no answer" if was_unknown else "gone"
                item.finished_at = now
                self._verified_listed.discard(key)
                self._push(item)

    def _finish(self) -> None:
        now = time.monotonic()
        with self._lock:
            # Defensive: anything not final (a worker died) ends as not_sent / unknown.
            for item in self._items.values():
                if item.state == "queued":
                    item.state = "not_sent"
                    item.detail = item.detail or "not sent"
                    item.finished_at = now
                    self._push(item)
                elif item.state == "sending":
                    item.state = "unknown"
                    item.detail = _NO_ANSWER
                    item.finished_at = now
                    self._push(item)
            self._finished = True
        try:
            if self._coalescer is not None:
                self._coalescer.close(final_call=True)
        finally:
            self._finished_event.set()


def retry_failed(previous: BulkDelete) -> list[Hashable]:
    """Keys of ``previous`` worth sending again (see :meth:`BulkDelete.failed_keys`)."""
    return previous.failed_keys()


DeleteOne = Callable[[Hashable], DeleteResult]
StillListed = Callable[[Collection[Hashable]], "set[Hashable]"]


def job_version_ops(api: ModelArtsApi) -> tuple[DeleteOne, StillListed]:
    """``delete_one`` / ``still_listed`` for training job version keys ``(job_id, version_id)``.

    ``still_listed`` lists the versions of each job involved once; a job that is gone (404)
    lists nothing.
    """

    def delete_one(key: Hashable) -> DeleteResult:
        pair = cast("tuple[Any, Any]", key)
        return api.delete_job_version(pair[0], pair[1])

    def still_listed(keys: Collection[Hashable]) -> set[Hashable]:
        by_job: dict[Any, set[Hashable]] = {}
        for key in keys:
            by_job.setdefault(cast("tuple[Any, Any]", key)[0], set()).add(key)
        listed: set[Hashable] = set()
        for job_id, wanted in by_job.items():
            try:
                versions = api.list_job_versions(job_id)
            except NotFoundError:
                continue
            listed.update(v.key for v in versions if v.key in wanted)
        return listed

    return delete_one, still_listed


def visualization_job_ops(api: ModelArtsApi) -> tuple[DeleteOne, StillListed]:
    """``delete_one`` / ``still_listed`` for visualization job keys (job id strings)."""

    def delete_one(key: Hashable) -> DeleteResult:
        return api.delete_visualization_job(str(key))

    def still_listed(keys: Collection[Hashable]) -> set[Hashable]:
        wanted = {str(key): key for key in keys}
        return {wanted[job.job_id] for job in api.iter_visualization_jobs() if job.job_id in wanted}

    return delete_one, still_listed
