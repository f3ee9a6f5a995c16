"""The delete flow of a list widget: confirmation, background run, badges, receipt, callbacks.

:class:`DeleteRunMixin` is mixed into :class:`~modelarts_widgets.widgets._base.ResourceList`:
``request_delete()`` opens the confirmation panel, ``confirm()`` starts a
:class:`~modelarts_widgets.widgets.deleter.BulkDelete` in the background, its updates are applied
to the visible rows and the status line, and at the end the list is re-read, ``last_result``
(the receipt) is set and the ``on_deleted`` callbacks are called.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Hashable, Sequence
from typing import Any, Callable, Optional, Union

from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import DeleteResult
from modelarts_widgets.widgets._connection import Connection
from modelarts_widgets.widgets._html import esc
from modelarts_widgets.widgets._view import ListState
from modelarts_widgets.widgets.confirm import ConfirmPanel, DeletePlan, PlanItem
from modelarts_widgets.widgets.deleter import BulkDelete, ItemOutcome
from modelarts_widgets.widgets.receipt import summary_html
from modelarts_widgets.widgets.table import RowPool

__all__ = ["DeleteRunMixin", "Record"]

logger = logging.getLogger("modelarts_widgets.widgets")

Record = dict[str, Any]
#: Outcomes after which an item stays selected (so "Delete" again retries / continues); so do
#: "unknown" items the re-check saw still listed (``BulkDelete.failed_keys``).
_KEEP_SELECTED = frozenset({"failed", "not_sent"})


class DeleteRunMixin:
    """Delete methods of a list widget; the widget provides the parts declared below."""

    # --- provided by the widget ---------------------------------------------------------------
    _lock: threading.RLock
    _state: ListState[Any]
    _pool: RowPool
    _panel: ConfirmPanel
    _conn: Connection
    _noun: str
    _plural: str

    busy: bool  # a read-only trait of the widget
    set_trait: Callable[[str, Any], None]  # traitlets.HasTraits.set_trait

    def _start_listing(self, *, announce: bool) -> None:
        raise NotImplementedError

    def _key_of(self, item: Any) -> Hashable:
        raise NotImplementedError

    def _item_name(self, item: Any) -> str:
        raise NotImplementedError

    def _notes(
        self, client: ModelArtsApi, items: Sequence[Any]
    ) -> tuple[dict[Hashable, list[str]], list[str]]:
        raise NotImplementedError

    def _delete_one(self, client: ModelArtsApi, key: Hashable) -> DeleteResult:
        raise NotImplementedError

    def _still_listed(self, client: ModelArtsApi, keys: Collection[Hashable]) -> set[Hashable]:
        raise NotImplementedError

    def _ids(self, key: Hashable) -> dict[str, Any]:
        raise NotImplementedError

    def _ensure_client(self) -> Optional[ModelArtsApi]:
        raise NotImplementedError

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., None]:
        raise NotImplementedError

    def _row_html(self, item: Any) -> str:
        raise NotImplementedError

    def _render(self) -> None:
        raise NotImplementedError

    def _render_buttons(self) -> None:
        raise NotImplementedError

    def _set_status(self, text: str, html: Optional[str] = None) -> None:
        raise NotImplementedError

    def _set_error(self, text: str) -> None:
        raise NotImplementedError

    # --- state ------------------------------------------------------------------------------------
    def _init_delete_run(
        self, concurrency: int, verify: bool, verify_timeout: float, poll_interval: float
    ) -> None:
        self._concurrency = int(concurrency)
        self._verify = bool(verify)
        self._verify_timeout = float(verify_timeout)
        self._poll_interval = float(poll_interval)
        self._bulk: Optional[BulkDelete] = None
        self._outcomes: dict[Hashable, ItemOutcome] = {}
        self._deleted_callbacks: list[Callable[[list[Record]], Any]] = []
        self._idle = threading.Event()
        self._idle.set()

    # --- public API: delete ------------------------------------------------------------------
    def request_delete(self) -> Optional[DeletePlan]:
        """Open the confirmation panel for the selection (nothing is sent); returns the plan."""
        with self._lock:
            if self.busy:
                self._set_status("A delete is running; wait for it or cancel it first.")
                return None
            items = self._state.selected_items()
            if not items:
                raise ValueError(f"Nothing selected: select {self._plural} to delete first.")
            client = self._ensure_client()
            notes: dict[Hashable, list[str]] = {}
            extra: list[str] = []
            if client is not None:
                try:
                    notes, extra = self._notes(client, items)
                except Exception as exc:
                    logger.warning("dependency check failed: %s", exc)
                    extra = [f"Could not check what else depends on these {self._plural}: {exc}"]
            plan = DeletePlan(
                noun=self._noun,
                plural=self._plural,
                items=tuple(
                    PlanItem(
                        key=self._key_of(i),
                        name=self._item_name(i),
                        status=int(getattr(i, "status", 0)),
                        active=bool(getattr(i, "is_active", False)),
                        notes=tuple(notes.get(self._key_of(i), ())),
                    )
                    for i in items
                ),
                notes=tuple(extra),
            )
            self._panel.show(plan)
            self._set_status("Review the list below, then confirm.")
            self._render_buttons()
            return plan

    def confirm(
        self, typed_count: Union[int, str, None] = None, include_active: bool = False
    ) -> bool:
        """Start deleting what the open panel lists (as its Confirm button does).

        The arguments fill the panel's inputs. Returns False (and sends nothing) while a run is
        busy; raises ValueError when no delete is pending or the typed count is required and wrong.
        """
        with self._lock:
            if self.busy:
                logger.info("confirm ignored: a delete is already running")
                return False
            if not self._panel.visible:
                raise ValueError(
                    "No delete is pending: select items and call request_delete() first."
                )
            self._panel.set_inputs(typed_count, include_active)
            chosen = self._panel.chosen()
            self._start(chosen)
            return True

    def cancel(self) -> None:
        """Stop a running delete (items not yet sent stay), or close an open confirmation."""
        with self._lock:
            bulk = self._bulk
            if self.busy and bulk is not None:
                bulk.cancel()
                self._set_status("Cancelling: no further deletes will be sent…")
            elif self._panel.visible:
                self._close_panel()

    def retry_failed(self) -> bool:
        """Re-run only the items that failed in the last run (and are still listed).

        Those items were confirmed for the last run, so no new confirmation is asked; the
        failures stay selected after a run, so pressing Delete again also retries them.
        Returns False when busy or when nothing is left to retry.
        """
        with self._lock:
            bulk = self._bulk
            if self.busy or bulk is None:
                return False
            keys = [k for k in bulk.failed_keys() if k in self._state.by_key]
            if not keys:
                self._set_status("Nothing to retry.")
                return False
            items = [self._state.by_key[k] for k in keys]
            self._start(
                [
                    PlanItem(
                        self._key_of(i), self._item_name(i), int(getattr(i, "status", 0)), False
                    )
                    for i in items
                ]
            )
            return True

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until no delete runs (the list re-listed, callbacks called); False on timeout."""
        return self._idle.wait(timeout)

    def on_deleted(self, callback: Callable[[list[Record]], Any], remove: bool = False) -> None:
        """Call ``callback(records)`` after each delete run (``remove=True`` unregisters)."""
        if remove:
            if callback in self._deleted_callbacks:
                self._deleted_callbacks.remove(callback)
        elif callback not in self._deleted_callbacks:
            self._deleted_callbacks.append(callback)

    def _confirm_clicked(self) -> None:
        with self._lock:
            if self.busy or not self._panel.visible:
                return
            self._start(self._panel.chosen())

    def _close_panel(self) -> None:
        with self._lock:
            if self._panel.visible:
                self._panel.hide()
                self._set_status("Delete cancelled; nothing was sent.")
                self._render_buttons()

    # --- the run -----------------------------------------------------------------------------
    def _start(self, chosen: list[PlanItem]) -> None:
        client = self._conn.client
        if client is None:
            raise ValueError("Not connected: fix the error shown and refresh().")
        self.set_trait("busy", True)
        self._idle.clear()
        self._set_error("")
        self._panel.hide()
        self._outcomes = {}
        bulk = BulkDelete(
            [(p.key, p.name) for p in chosen],
            lambda key: self._delete_one(client, key),
            lambda keys: self._still_listed(client, keys),
            concurrency=self._concurrency,
            verify=self._verify,
            verify_timeout=self._verify_timeout,
            poll_interval=self._poll_interval,
            on_update=self._guard(self._on_update),
        )
        self._bulk = bulk
        self._outcomes = bulk.outcomes
        self._set_status(
            f"Deleting {len(chosen)} {self._plural if len(chosen) != 1 else self._noun}…"
        )
        self._render()
        bulk.start()
        threading.Thread(
            target=self._guard(self._watch),
            args=(bulk,),
            name="modelarts-widgets-watch",
            daemon=True,
        ).start()

    def _on_update(self, changed: dict[Hashable, ItemOutcome]) -> None:
        with self._lock:
            self._outcomes.update(changed)
            for key in changed:
                item = self._state.by_key.get(key)
                if item is not None:
                    self._pool.set_cells(key, self._row_html(item))
            bulk = self._bulk
            if bulk is not None and not bulk.done:
                text, html = bulk.summary(), summary_html(bulk)
                wait = self._conn.active_wait()
                if wait:
                    text = f"{text} · {wait}"
                    html = f'{html} <span class="mw-status-wait">· {esc(wait)}</span>'
                self._set_status(text, html)

    def _watch(self, bulk: BulkDelete) -> None:
        try:
            bulk.wait()
            self._finish(bulk)
        finally:
            with self._lock:
                if self.busy:
                    self.set_trait("busy", False)
                    self._render_buttons()
            self._idle.set()

    def _finish(self, bulk: BulkDelete) -> None:
        outcomes = bulk.outcomes
        records = [self._record(o) for o in outcomes.values()]
        summary = bulk.summary()
        retry = set(bulk.failed_keys())  # also "unknown" items seen still listed
        with self._lock:
            self._outcomes = dict(outcomes)
            keep = [
                k
                for k in self._state.selected
                if outcomes.get(k) is None or outcomes[k].state in _KEEP_SELECTED or k in retry
            ]
            self._state.set_selected(keep)
            self._state.remove(
                k for k, o in outcomes.items() if o.state in ("deleted", "already_gone")
            )
            self._render()
        self._start_listing(announce=False)  # wait() also waits for this listing
        with self._lock:
            self.set_trait("last_result", records)
            self.set_trait("busy", False)
            self._set_status(summary, summary_html(bulk))
            self._render()
        for callback in list(self._deleted_callbacks):
            self._guard(callback)(records)

    def _record(self, outcome: ItemOutcome) -> Record:
        record = outcome.as_record()
        record["outcome"] = record["state"]
        record.update(self._ids(outcome.key))
        return record
