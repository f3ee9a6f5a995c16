"""The bulk-delete engine: bounded concurrency, send-at-most-once, cancel, re-check until gone.

Contract (the widgets build on exactly this)::

    Outcome (str enum): QUEUED SENDING ACCEPTED DELETED ALREADY_GONE FAILED NOT_SENT UNKNOWN

    BulkDelete(items, delete_one, still_listed, *, concurrency=8, recheck=True,
               recheck_timeout=60.0, poll_interval=1.0, on_update=None, update_interval=0.1,
               on_done=None, delete_many=None, batchable=None, batch_size=100)
      .start()  .cancel()  .wait(timeout) -> bool  .done  .cancelled
      .outcomes -> {key: ItemOutcome}  (copies, input order)
      .counts() -> {state: n}  .summary() -> str  .failed_keys() -> [key]
    job_version_ops(api) / visualization_job_ops(api) -> DeleteOps(delete_one, still_listed)

Life of one item: ``queued`` -> ``sending`` -> one of

* ``accepted``      the server said ``is_success`` (deletes complete asynchronously);
* ``already_gone``  the server answered 404, or refused in another way and the item is no
  longer listed (see "Already gone" below);
* ``failed``        a refusal (4xx, or ``is_success: false`` with an error code); keeps the
  server's error_code / error_msg / status / request id. Also raised
  :class:`~modelarts_widgets.errors.APIError` or
  :class:`~modelarts_widgets.errors.ConfigurationError` (nothing was deleted);
* ``unknown``       no answer (:class:`~modelarts_widgets.errors.TransportError` or any other
  exception), a 5xx, or a 2xx that cannot be read: the DELETE may or may not have happened
  (the server's words are kept). It is **never re-sent**; the re-check phase looks it up.

A 401 (credentials refused, and the HTTP seam could not renew them) stops the run: every item
not yet sent becomes ``not_sent`` with a detail naming the credentials, and the summary says so.
A refusal's detail says what to check when there is a hint (403: permissions, project id).

Batch path (``delete_many``): a worker takes up to ``batch_size`` queued items for which
``batchable(key)`` is true (all, by default; asked when taken) and sends them in one
``delete_many`` call, which reports each key's answer through ``on_result`` (a batch refused
as a whole falls back to single deletes inside it, so every item still gets its own answer).
Items the call did not send because of a cancel or refused credentials become ``not_sent``;
items it lost (the exception's ``unanswered``, or all on another exception) are classified as
a ``delete_one`` failure would be. Non-batchable items go through ``delete_one``.

Already gone, without trusting status codes: services answer a delete of an id someone else
already removed as HTTP 404, or 400 ``ModelArts.2775`` / ``ModelArts.0104``, or otherwise. So
every refusal except a known business refusal (:data:`BUSINESS_REFUSALS`, 401/403/429, or one
with a hint: permissions, project) is re-checked once after the sends with ``still_listed``:
not listed -> ``already_gone`` (the server's words are kept); listed -> stays ``failed``. This
happens whether or not ``recheck`` is on; if the listing fails the items stay ``failed``.

``cancel()`` turns every item not yet sending into ``not_sent``; in-flight ones finish normally.

Re-check phase (``recheck=True``): ``still_listed(accepted + unknown keys)`` is polled every
``poll_interval`` seconds until no accepted key is listed or ``recheck_timeout`` passes (a cancel
ends it after the current poll). Keys no longer listed become ``deleted``; accepted keys still
listed stay ``accepted`` with detail ``"accepted, still listed after N s"``; unknown keys still
listed stay ``unknown`` with detail ``"unknown — still listed"``. An exception from
``still_listed`` is recorded in the items' detail and never raised.

When done, every item is in exactly one final state (accepted, deleted, already_gone, failed,
not_sent, unknown) and ``sum(counts().values()) == len(outcomes)``. Each key is sent at most
once per BulkDelete; duplicate input keys are dropped (first name wins).

``on_update`` receives ``{key: ItemOutcome copy}`` of the items changed since its last call, at
most once per ``update_interval`` seconds (coalesced), plus one final call when done (during
which ``done`` is already True). Then ``on_done()`` is called once, in the run's thread, and
``wait()`` returns after it. Exceptions from ``on_update`` and ``on_done`` are logged on
``modelarts_widgets.bulk`` and never stop the run.

Retry policy (:meth:`BulkDelete.failed_keys`): keys in ``failed`` (the server refused, so
nothing happened) plus ``unknown`` keys the re-check phase saw still listed.
Not ``not_sent`` (the user cancelled them) and not unverified ``unknown`` (it may be gone).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import Callable, Optional

from modelarts_widgets.bulk.outcome import STATES, ItemOutcome, Outcome
from modelarts_widgets.bulk.throttle import Coalescer
from modelarts_widgets.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    PermissionDeniedError,
    TransportError,
    hint_for,
)
from modelarts_widgets.models import DeleteResult

__all__ = ["BulkDelete", "DeleteMany"]

logger = logging.getLogger("modelarts_widgets.bulk")

#: ``delete_many(keys, on_result, should_stop) -> {key: result}``: one call for several keys
#: (a batch route with its fallbacks); ``on_result(key, result)`` as answers come,
#: ``should_stop()`` asked before each request. A raised exception with an ``unanswered``
#: attribute marks only those keys unknown.
DeleteMany = Callable[
    [list[Hashable], Callable[[Hashable, DeleteResult], None], Callable[[], object]],
    Mapping[Hashable, DeleteResult],
]

UNKNOWN_STILL_LISTED = "unknown — still listed"
_NO_ANSWER = "no answer — the delete may or may not have happened"
_UNSURE_ANSWER = "HTTP {status}: the delete may or may not have happened"
_AUTH_STOP = "the credentials were refused ({code}) and could not be renewed"


def _tally(items: Iterable[ItemOutcome]) -> dict[Outcome, int]:
    out = dict.fromkeys(STATES, 0)
    for item in items:
        out[item.state] += 1
    return out


#: Refusals that say why the item stays (it is not gone): never re-checked by listing.
BUSINESS_REFUSALS = frozenset({"ModelArts.0105"})
_GONE_DETAIL = "already gone: refused, and no longer listed"


def _known_refusal(status: Optional[int], error_code: Optional[str]) -> bool:
    """A refusal whose reason is known (so the item is not gone): business, auth, throttling."""
    return (
        error_code in BUSINESS_REFUSALS
        or status in (401, 403, 429)
        or bool(hint_for(status, error_code))
    )


def _unsure(status: Optional[int], error_code: Optional[str]) -> bool:
    """Whether a failed answer leaves open if the delete happened (a 5xx, an unreadable 2xx)."""
    code = status or 0
    return code >= 500 or (200 <= code < 300 and not error_code)


class BulkDelete:
    """Delete many items once each, with bounded concurrency; see the module docstring."""

    def __init__(
        self,
        items: Sequence[tuple[Hashable, str]],
        delete_one: Callable[[Hashable], DeleteResult],
        still_listed: Callable[[Collection[Hashable]], set[Hashable]],
        *,
        concurrency: int = 8,
        recheck: bool = True,
        recheck_timeout: float = 60.0,
        poll_interval: float = 1.0,
        on_update: Optional[Callable[[dict[Hashable, ItemOutcome]], None]] = None,
        update_interval: float = 0.1,
        on_done: Optional[Callable[[], None]] = None,
        delete_many: Optional[DeleteMany] = None,
        batchable: Optional[Callable[[Hashable], bool]] = None,
        batch_size: int = 100,
    ) -> None:
        if int(concurrency) < 1:
            raise ValueError("concurrency must be >= 1")
        if recheck_timeout < 0 or poll_interval < 0 or update_interval < 0:
            raise ValueError("recheck_timeout, poll_interval and update_interval must be >= 0")
        if int(batch_size) < 1:
            raise ValueError("batch_size must be >= 1")
        self._delete_one = delete_one
        self._delete_many = delete_many
        self._batchable = batchable or (lambda key: True)
        self._batch_size = int(batch_size)
        self._on_done = on_done
        self._still_listed = still_listed
        self._concurrency = int(concurrency)
        self._recheck = bool(recheck)
        self._recheck_timeout = float(recheck_timeout)
        self._poll_interval = float(poll_interval)
        self._lock = threading.Lock()
        self._cancel_event = threading.Event()
        self._stop_reason = ""  # set when refused credentials stop the run
        self._recheck_error = ""  # set while the re-check phase cannot look items up
        self._finished_event = threading.Event()
        self._finished = False
        self._started = False
        self._thread: Optional[threading.Thread] = None
        self._verified_listed: set[Hashable] = set()
        self._gone_check: set[Hashable] = set()  # refusals to re-check by listing
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
        counts = {state.value: n for state, n in self.counts().items() if n}
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
    def recheck(self) -> bool:
        return self._recheck

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
        self._thread = thread
        thread.start()

    def cancel(self) -> None:
        """Stop sending: items not yet sent become ``not_sent``; in-flight ones finish."""
        now = time.monotonic()
        with self._lock:
            self._cancel_event.set()
            for item in self._items.values():
                if item.state == Outcome.QUEUED:
                    item.state = Outcome.NOT_SENT
                    item.detail = "cancelled before sending"
                    item.finished_at = now
                    self._push(item)
            started = self._started
        if not started:
            self.start()  # finishes at once: nothing is left to send

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until done (and the final ``on_update`` returned); False on timeout."""
        return self._finished_event.wait(timeout)

    def join(self, timeout: Optional[float] = None) -> bool:
        """Block until every thread of the run has ended (``on_done`` included); False on
        timeout, and at once from the run's own thread (e.g. a callback in ``on_done``).
        True at once for a run never started."""
        thread = self._thread
        if thread is None:
            return True
        if thread is not threading.current_thread():
            thread.join(timeout)
        return not thread.is_alive()

    def counts(self) -> dict[Outcome, int]:
        """Number of items per state (every state present, zeros included)."""
        with self._lock:
            return _tally(self._items.values())

    def failed_keys(self) -> list[Hashable]:
        """Keys worth retrying: ``failed``, plus ``unknown`` ones verified still listed."""
        with self._lock:
            return [
                key
                for key in self._order
                if self._items[key].state == Outcome.FAILED
                or (self._items[key].state == Outcome.UNKNOWN and key in self._verified_listed)
            ]

    def summary(self) -> str:
        """One line, e.g. ``"Deleted 9 of 12 · 1 already gone · 2 failed (ModelArts.0105)"``."""
        snapshot = self.outcomes
        counts = _tally(snapshot.values())
        total = len(snapshot)
        parts: list[str] = []
        if self.cancelled:
            not_sent = counts[Outcome.NOT_SENT]
            sent = total - not_sent - counts[Outcome.QUEUED]
            head = f"Cancelled after {sent} of {total}: {sent} sent, {not_sent} not sent"
            parts.append(f"{counts[Outcome.DELETED]} deleted")
        elif not self.done:
            sent = total - counts[Outcome.QUEUED]
            head = f"Deleting… {sent} of {total} sent"
            parts.append(f"{counts[Outcome.DELETED]} deleted")
        elif self._recheck:
            head = f"Deleted {counts[Outcome.DELETED]} of {total}"
        else:
            head = f"Delete accepted for {counts[Outcome.ACCEPTED]} of {total} (not verified)"
        if counts[Outcome.ACCEPTED] and (self._recheck or self.cancelled or not self.done):
            still = ""
            if self._recheck and self.done:
                still = " (could not check)" if self._recheck_error else ", still listed"
            parts.append(f"{counts[Outcome.ACCEPTED]} accepted{still}")
        if counts[Outcome.ALREADY_GONE]:
            parts.append(f"{counts[Outcome.ALREADY_GONE]} already gone")
        if counts[Outcome.FAILED]:
            reasons: list[str] = []
            for item in snapshot.values():
                if item.state != Outcome.FAILED:
                    continue
                reason = item.error_code or (
                    f"HTTP {item.http_status}" if item.http_status else "error"
                )
                if reason not in reasons:
                    reasons.append(reason)
            shown = ", ".join(reasons[:3]) + (", …" if len(reasons) > 3 else "")
            parts.append(f"{counts[Outcome.FAILED]} failed ({shown})")
        if counts[Outcome.UNKNOWN]:
            parts.append(f"{counts[Outcome.UNKNOWN]} unknown")
        if counts[Outcome.SENDING]:
            parts.append(f"{counts[Outcome.SENDING]} in flight")
        if counts[Outcome.NOT_SENT] and not self.cancelled:
            why = f": {self._stop_reason}" if self._stop_reason else ""
            parts.append(f"{counts[Outcome.NOT_SENT]} not sent{why}")
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
            self._gone_phase()
            if self._recheck:
                self._recheck_phase()
        except BaseException:  # pragma: no cover - defensive: never leave waiters hanging
            logger.exception("bulk delete stopped unexpectedly")
        finally:
            self._finish()

    def _take(self) -> list[ItemOutcome]:
        """The next item to send, or (with ``delete_many``) up to ``batch_size`` batchable ones
        in input order; each is marked ``sending``. Empty when nothing is left."""
        taken: list[ItemOutcome] = []
        with self._lock:
            while self._next < len(self._order):
                item = self._items[self._order[self._next]]
                if self._cancel_event.is_set() or self._stop_reason or item.state != Outcome.QUEUED:
                    self._next += 1
                    continue
                batch = self._delete_many is not None and self._batchable(item.key)
                if taken and not batch:
                    break
                self._next += 1
                item.state = Outcome.SENDING
                item.sent_at = time.monotonic()
                self._push(item)
                taken.append(item)
                if not batch or len(taken) >= self._batch_size:
                    break
        return taken

    def _worker(self) -> None:
        while True:
            items = self._take()
            if not items:
                return
            if len(items) == 1 and not (
                self._delete_many is not None and self._batchable(items[0].key)
            ):
                self._send(items[0])
            else:
                self._send_many(items)

    def _send(self, item: ItemOutcome) -> None:
        result: Optional[DeleteResult] = None
        failure: Optional[BaseException] = None
        try:
            result = self._delete_one(item.key)
        except Exception as exc:
            failure = exc
        self._answer(item, result, failure)

    def _send_many(self, items: list[ItemOutcome]) -> None:
        """One ``delete_many`` call for ``items``; each answer is recorded as it comes."""
        assert self._delete_many is not None
        by_key = {item.key: item for item in items}
        answered: set[Hashable] = set()

        def on_result(key: Hashable, result: DeleteResult) -> None:
            item = by_key.get(key)
            if item is not None and key not in answered:
                answered.add(key)
                self._answer(item, result, None)

        failure: Optional[BaseException] = None
        try:
            results = self._delete_many(
                list(by_key), on_result, lambda: self._cancel_event.is_set() or self._stop_reason
            )
            for key, result in results.items():
                on_result(key, result)
        except Exception as exc:
            failure = exc
        unanswered = set(getattr(failure, "unanswered", ()))
        for key, item in by_key.items():
            if key in answered:
                continue
            if failure is not None and (key in unanswered or not unanswered):
                self._answer(item, None, failure)
            else:  # stopped (cancel or refused credentials) before its call was sent
                with self._lock:
                    item.state = Outcome.NOT_SENT
                    item.sent_at = None
                    item.detail = (
                        f"not sent: {self._stop_reason}"
                        if self._stop_reason
                        else "cancelled before sending"
                    )
                    item.finished_at = time.monotonic()
                    self._push(item)

    def _answer(
        self, item: ItemOutcome, result: Optional[DeleteResult], failure: Optional[BaseException]
    ) -> None:
        """Record the answer (or the failure) of one item's delete."""
        key = item.key
        now = time.monotonic()
        with self._lock:
            item.answered_at = now
            if result is not None:
                item.http_status = result.http_status
                item.request_id = result.request_id
                if result.is_success:
                    item.state = Outcome.ACCEPTED
                    item.detail = "accepted, waiting until gone" if self._recheck else "accepted"
                elif result.already_gone:
                    item.state = Outcome.ALREADY_GONE
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
                item.state = Outcome.FAILED
                item.error_msg = str(failure)
                item.detail = "not sent: invalid request"
            else:
                item.state = Outcome.UNKNOWN
                item.error_msg = str(failure) or type(failure).__name__
                item.detail = _NO_ANSWER
                if not isinstance(failure, TransportError):
                    logger.warning(
                        "delete of %r raised %s; treated as unknown",
                        key,
                        type(failure).__name__,
                    )
            if item.state not in (Outcome.ACCEPTED, Outcome.UNKNOWN) or not self._recheck:
                item.finished_at = now
            self._push(item)

    def _failed_answer(self, item: ItemOutcome) -> None:
        """Classify an answer that is not a success (caller holds the lock)."""
        if _unsure(item.http_status, item.error_code):
            item.state = Outcome.UNKNOWN
            item.detail = _UNSURE_ANSWER.format(status=item.http_status)
        else:
            item.state = Outcome.FAILED
            hint = hint_for(item.http_status, item.error_code)
            item.detail = f"refused by the server: {hint}" if hint else "refused by the server"
            if item.http_status == 401:
                self._stop(_AUTH_STOP.format(code=item.error_code or "HTTP 401"))
            if not _known_refusal(item.http_status, item.error_code):
                self._gone_check.add(item.key)

    def _gone_phase(self) -> None:
        """Refusals of unknown meaning: not listed any more -> ``already_gone``."""
        with self._lock:
            keys = {key for key in self._gone_check if self._items[key].state == Outcome.FAILED}
        if not keys or self._cancel_event.is_set():
            return
        try:
            listed = set(self._still_listed(set(keys)))
        except Exception as exc:
            logger.warning("re-check of refused deletes failed: %s: %s", type(exc).__name__, exc)
            return
        now = time.monotonic()
        with self._lock:
            for key in self._order:
                if key in keys and key not in listed:
                    item = self._items[key]
                    item.state = Outcome.ALREADY_GONE
                    item.detail = _GONE_DETAIL
                    item.finished_at = now
                    self._push(item)

    def _stop(self, reason: str) -> None:
        """Send nothing more: queued items become ``not_sent`` (caller holds the lock)."""
        if self._stop_reason:
            return
        self._stop_reason = reason
        logger.warning("bulk delete stopped: %s", reason)
        now = time.monotonic()
        for other in self._items.values():
            if other.state == Outcome.QUEUED:
                other.state = Outcome.NOT_SENT
                other.detail = f"not sent: {reason}"
                other.finished_at = now
                self._push(other)

    def _recheck_phase(self) -> None:
        started = time.monotonic()
        with self._lock:
            pending = {
                key
                for key, item in self._items.items()
                if item.state in (Outcome.ACCEPTED, Outcome.UNKNOWN)
            }
        last_error: Optional[str] = None
        while pending:
            try:
                listed = set(self._still_listed(set(pending))) & pending
            except Exception as exc:
                last_error = f"could not check whether still listed: {type(exc).__name__}: {exc}"
                logger.warning("re-check after delete failed: %s", last_error)
                with self._lock:
                    self._recheck_error = last_error
                    for key in pending:
                        self._items[key].detail = last_error
                        self._push(self._items[key])
                if isinstance(exc, (AuthenticationError, PermissionDeniedError)):
                    break  # asking again cannot succeed
            else:
                last_error = None
                with self._lock:
                    self._recheck_error = ""
                self._record_listed(pending, listed)
                pending = listed
            with self._lock:
                waiting = any(self._items[key].state == Outcome.ACCEPTED for key in pending)
            remaining = self._recheck_timeout - (time.monotonic() - started)
            if not waiting or remaining <= 0 or self._cancel_event.is_set():
                break
            if self._cancel_event.wait(min(self._poll_interval, remaining)):
                break
        elapsed = time.monotonic() - started
        with self._lock:
            for key in pending:
                item = self._items[key]
                if item.state == Outcome.ACCEPTED and last_error is None:
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
                    if item.state == Outcome.UNKNOWN:
                        self._verified_listed.add(key)
                        new_detail = UNKNOWN_STILL_LISTED
                    else:
                        new_detail = "accepted, waiting until gone"
                    if item.detail != new_detail:
                        item.detail = new_detail
                        self._push(item)
                    continue
                was_unknown = item.state == Outcome.UNKNOWN
                item.state = Outcome.DELETED
                item.detail = "gone after a request that got no answer" if was_unknown else "gone"
                item.finished_at = now
                self._verified_listed.discard(key)
                self._push(item)

    def _finish(self) -> None:
        now = time.monotonic()
        with self._lock:
            # Defensive: anything not final (a worker died) ends as not_sent / unknown.
            for item in self._items.values():
                if item.state == Outcome.QUEUED:
                    item.state = Outcome.NOT_SENT
                    item.detail = item.detail or "not sent"
                    item.finished_at = now
                    self._push(item)
                elif item.state == Outcome.SENDING:
                    item.state = Outcome.UNKNOWN
                    item.detail = _NO_ANSWER
                    item.finished_at = now
                    self._push(item)
            self._finished = True
        try:
            if self._coalescer is not None:
                self._coalescer.close(final_call=True)
            if self._on_done is not None:
                try:
                    self._on_done()
                except Exception:
                    logger.exception("on_done raised after the run finished")
        finally:
            self._finished_event.set()
