"""The shared list widget: a view, a listing step and a delete controller, behind one API.

:class:`ResourceList` composes three parts and holds no logic of theirs:

* :class:`~._list_view.ListView` — the widgets (rows, controls, confirmation panel) and drawing;
* :class:`~._listing.Listing` — lists in the background, merging rows in as they arrive;
* :class:`~.controller.DeleteController` — runs confirmed deletes through the
  :mod:`modelarts_widgets.bulk` engine on the list's :class:`~modelarts_widgets.bulk.DeleteOps`.

Subclasses say what the items are: columns, search text, names, how to list them, which
``DeleteOps`` delete them and what else a delete affects. Every button has a method doing the
same thing, so tests and scripts need no browser.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Callable, Generic, Optional, TypeVar, Union

import ipywidgets as w
from traitlets import Bool, Dict, Int, List, Unicode, observe, validate

from modelarts_widgets._kwargs import check_int, keyword_names, refuse_unknown
from modelarts_widgets._types import ListItem
from modelarts_widgets.bulk import BatchOps, DeleteOps
from modelarts_widgets.client import HttpEvent, ids
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.widgets._columns import text_column
from modelarts_widgets.widgets._connection import Connection
from modelarts_widgets.widgets._display import NEEDS_IPYTHON_DISPLAY, display_bundle, mimebundle
from modelarts_widgets.widgets._list_view import ListView
from modelarts_widgets.widgets._listing import Listing
from modelarts_widgets.widgets._model_ids import new_model_id
from modelarts_widgets.widgets._options import BOX_KEYWORDS, RENAMED, check_run_options
from modelarts_widgets.widgets._streaming import Feed
from modelarts_widgets.widgets._view import (
    V1_STATUSES,
    WORKSPACE_COLUMN,
    Column,
    FilterChange,
    ListParts,
    ListState,
    Nouns,
    StatusFilter,
    StatusScheme,
)
from modelarts_widgets.widgets.confirm import DeletePlan, PlanItem
from modelarts_widgets.widgets.controller import DeleteController, Record, RunSettings
from modelarts_widgets.widgets.status import guarded

__all__ = ["LIST_KEYWORDS", "MAX_PAGE_SIZE", "ResourceList"]

logger = logging.getLogger("modelarts_widgets.widgets")

T = TypeVar("T", bound=ListItem)
#: Largest ``page_size``: every row on a page costs widget models (see :mod:`.table`).
MAX_PAGE_SIZE = 100


class ResourceList(w.VBox, Generic[T]):
    """Base of :class:`JobVersionList`, :class:`TrainingJobList` and :class:`VisualizationJobList`.

    Options every list takes (ranges in README "Widgets"): ``page_size``, ``concurrency``,
    ``recheck``, ``recheck_timeout``, ``poll_interval``, ``workspace_id``; ``layout`` and
    ``box_style`` pass on to the ``VBox``. Any other keyword is a ``TypeError`` naming the
    closest option.
    """

    busy = Bool(False, read_only=True, help="True while a delete run is in progress.")
    loading = Bool(False, read_only=True, help="True while a listing runs in the background.")
    error = Unicode("", read_only=True, help="The error shown in the widget ('' when none).")
    status_message = Unicode("", read_only=True, help="The status line shown in the widget.")
    n_items = Int(0, read_only=True, help="Number of items listed.")
    n_matching = Int(0, read_only=True, help="Number of items passing the filter.")
    n_selected = Int(0, read_only=True, help="Number of selected items (on any page).")
    page = Int(1, read_only=True, help="Current page, 1-based.")
    n_pages = Int(1, read_only=True, help="Number of pages of matching items.")
    selected: List[Any] = List(help="Keys of the selected items; set it to change the selection.")
    last_result = List(Dict(), read_only=True, help="One record per item of the last delete run.")

    #: Set by subclasses: what the items are called, the CSS class.
    _nouns = Nouns("item", "items", short="item", short_plural="items")
    _css_class = "mw-list"
    _search_placeholder = "search"
    #: How the items' statuses read (v1 codes unless a subclass lists v2 jobs).
    _statuses: StatusScheme = V1_STATUSES
    #: One line ``_stream`` may leave for the status line (e.g. "this region has no v1 API").
    _list_note = ""

    @refuse_unknown(extra=BOX_KEYWORDS, hints=RENAMED)
    def __init__(
        self,
        session: Any = None,
        *,
        page_size: int = 20,
        concurrency: int = 8,
        client: Optional[ModelArtsApi] = None,
        recheck: bool = True,
        recheck_timeout: float = 60.0,
        poll_interval: float = 1.0,
        workspace_id: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        page_size = _check_page_size(page_size)
        run = RunSettings(*check_run_options(concurrency, recheck, recheck_timeout, poll_interval))
        #: The one workspace listed (None: every workspace the session lists).
        self.workspace_id = None if workspace_id is None else ids.workspace_id(workspace_id)
        self._lock = threading.RLock()
        self._state: ListState[T] = ListState(
            key_of=_key_of,
            status_of=_status_of,
            search_text_of=self._search_text,
            workspace_of=_workspace_of,
            columns=[*self._columns(), _workspace_column()],
            page_size=page_size,
            sort_column="created",
            statuses=self._statuses,
        )
        self._conn = Connection(session, client, self._http_event)
        self._listing: Listing[T] = Listing(
            ListParts(self._state, self._lock, None, self._nouns),  # the view comes in _build
            self._stream,
            self._conn.get,
            group_of=self._group_of,
            keep=None if self.workspace_id is None else self._in_workspace,
            listed_text=self._listed_text,
        )
        try:
            with self._lock:  # what the listing brings waits for this lock: for the widgets
                self._listing.start()  # its first requests go out while the widgets are built
                self._build(run, **kwargs)
        except BaseException:
            self._listing.close()  # (the lock is free again: the listing can end)
            raise

    def _build(self, run: RunSettings, **kwargs: Any) -> None:
        """The widgets, the delete controller, and the listing shown on them."""
        self._view: ListView[T] = ListView(
            self,
            self._state,
            self._lock,
            plural=self._nouns.plural,
            search_placeholder=self._search_placeholder,
            outcome_of=lambda key: self._deleter.outcome(key),
            on_toggle=self._guard(self._row_toggled),
            on_confirm=self._guard(self._confirm_clicked),
            on_cancel=self._guard(self._close_panel),
            relist=lambda: self._listing.start(announce=False),
            yield_while=lambda: self._listing.awaiting_first_answer,
        )
        self._deleter: DeleteController[T] = DeleteController(
            self._parts(),
            self._ops,
            settings=run,
            ids=self._ids,
        )
        self._wire()
        if "layout" not in kwargs:  # (else ipywidgets makes one, with a uuid4 model id)
            kwargs["layout"] = self._view.factory.new(w.Layout)
        super().__init__(children=self._view.children, model_id=new_model_id(), **kwargs)
        self.add_class("modelarts-widgets")
        self.add_class(self._css_class)
        self._listing.attach(self._view)
        self._built = True

    # --- subclass hooks ------------------------------------------------------------------------
    def _columns(self) -> list[Column[T]]:
        raise NotImplementedError

    def _ops(self, client: ModelArtsApi) -> Union[DeleteOps, BatchOps]:
        """The delete operations (delete one or a batch, still listed) for ``client``."""
        raise NotImplementedError

    def _checked_key(self, key: Any) -> Hashable:
        """``key`` as an item key, or a ValueError when it cannot be one (its shape is wrong)."""
        return key  # type: ignore[no-any-return]

    def _normalize_key(self, key: Any) -> Hashable:
        """``key`` as an item key when it can be one, else as given (then it matches nothing)."""
        try:
            return self._checked_key(key)
        except ValueError:
            return tuple(key) if isinstance(key, list) else key

    def _search_text(self, item: T) -> str:
        raise NotImplementedError

    def _item_name(self, item: T) -> str:
        raise NotImplementedError

    def _stream(self, client: ModelArtsApi, feed: Feed) -> None:
        """List into ``feed`` (see :mod:`._streaming`); runs in the listing's thread."""
        raise NotImplementedError

    def _group_of(self, item: T) -> Hashable:
        """The group an item arrives in (a listing replaces a group's rows at once)."""
        return item.key

    def _notes(
        self, client: ModelArtsApi, items: Sequence[T]
    ) -> tuple[dict[Hashable, list[str]], list[str]]:
        """Per-key and global notes for the confirmation (what else is affected)."""
        return {}, []

    def _ids(self, key: Hashable) -> dict[str, Any]:
        return {}

    def _listed_text(self, n: int, note: str = "") -> str:
        """The status line after a listing, with the note ``_stream`` left (e.g. an API absent)
        and ``note`` (e.g. the workspaces listed)."""
        listed = f"Listed {n} {self._nouns.plural}."
        return " ".join(filter(None, (listed, self._list_note, note)))

    # --- public API: listing -----------------------------------------------------------------
    @property
    def items(self) -> list[T]:
        """Everything listed so far (all pages, unfiltered; see ``loading``)."""
        with self._lock:
            return list(self._state.listed())

    @property
    def visible_items(self) -> list[T]:
        """The rows on the current page, top to bottom (while loading, also placeholders)."""
        with self._lock:
            return list(self._state.page_items())

    def refresh(self) -> None:
        """Start listing in the background (stopping a listing under way) and return.

        Rows already shown stay until their fresh copy arrives; ``wait()`` waits for the end.
        """
        self._listing.start(announce=True)

    def set_filter(
        self,
        text: Optional[str] = None,
        status: Optional[StatusFilter] = None,
        workspace: Optional[str] = None,
    ) -> None:
        """Filter by text (name/version/engine, case-insensitive), status group/code and/or
        workspace id (``"all"``: every workspace)."""
        with self._lock:
            self._state.set_filter(FilterChange(text, status, workspace))
            self._view.render()

    def sort(self, column: str, descending: Optional[bool] = None) -> None:
        """Sort by a column key or title; ``descending`` None keeps the direction."""
        with self._lock:
            self._state.set_sort(column, descending)
            self._view.render()

    def go_to_page(self, n: int) -> None:
        """Show page ``n`` (1-based, clamped)."""
        with self._lock:
            self._state.go_to_page(n)
            self._view.render()

    def next_page(self) -> None:
        self.go_to_page(self._state.page + 1)

    def prev_page(self) -> None:
        self.go_to_page(self._state.page - 1)

    # --- public API: selection ---------------------------------------------------------------
    def select(
        self,
        keys: Optional[Iterable[Any]] = None,
        *,
        all_matching: bool = False,
        page: bool = False,
    ) -> int:
        """Add ``keys``, every item passing the filter, and/or the visible page to the selection.

        Returns how many of ``keys`` are not listed (ignored; the status line says so too). A key
        of the wrong shape for this list is a ValueError, and then nothing is selected.
        """
        wanted = [self._checked_key(k) for k in keys] if keys is not None else []
        with self._lock:
            st = self._state
            ignored = sum(1 for k in wanted if k not in st.by_key)
            st.select(wanted)
            if all_matching:
                st.select(i.key for i in st.matching())
            if page:
                st.select(self._view.pool.keys)
            self._view.selection_changed()
            if ignored:
                self._view.set_status(
                    f"{ignored} of {len(wanted)} keys given to select() "
                    f"{'is' if ignored == 1 else 'are'} not listed and "
                    f"{'was' if ignored == 1 else 'were'} ignored."
                )
            return ignored

    def clear_selection(self) -> None:
        with self._lock:
            self._state.set_selected(())
            self._view.selection_changed()

    # --- public API: delete ------------------------------------------------------------------
    def request_delete(self) -> Optional[DeletePlan]:
        """Open the confirmation panel for the selection (nothing is sent); returns the plan.

        The plan is the selection when called. What else depends on it is checked without
        holding the list's lock (it may take requests), so listing goes on meanwhile.
        """
        with self._lock:
            if self._refuse_while_busy():
                return None
            items = self._state.selected_items()
            if not items:
                raise ValueError(f"Nothing selected: select {self._nouns.plural} to delete first.")
            client = self._ensure_client()
        notes, extra = self._checked_notes(client, items)
        with self._lock:
            if self._refuse_while_busy():  # a run started meanwhile (from another thread)
                return None
            plan = DeletePlan(
                noun=self._nouns.noun,
                plural=self._nouns.plural,
                items=tuple(
                    PlanItem(
                        key=i.key,
                        name=self._item_name(i),
                        status=i.status,
                        active=i.is_active,
                        notes=tuple(notes.get(i.key, ())),
                    )
                    for i in items
                ),
                notes=tuple(extra),
            )
            self._view.panel.show(plan)
            self._view.set_status("Review the list above, then confirm.")
            self._view.render_buttons()
            return plan

    def _refuse_while_busy(self) -> bool:
        """Whether a delete runs (then the status line says so); call with the lock held."""
        if self.busy:
            self._view.set_status("A delete is running; wait for it or cancel it first.")
        return self.busy

    def _checked_notes(
        self, client: Optional[ModelArtsApi], items: Sequence[T]
    ) -> tuple[dict[Hashable, list[str]], list[str]]:
        """:meth:`_notes`, or a global note saying why what depends on ``items`` is unknown."""
        if client is None:
            return {}, []
        try:
            return self._notes(client, items)
        except Exception as exc:
            logger.warning("dependency check failed: %s", exc)
            return {}, [f"Could not check what else depends on these {self._nouns.plural}: {exc}"]

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
            if not self._view.panel_open:
                raise ValueError(
                    "No delete is pending: select items and call request_delete() first."
                )
            panel = self._view.panel
            panel.set_inputs(typed_count, include_active)
            self._start([(p.key, p.name) for p in panel.chosen()])
            return True

    def cancel(self) -> None:
        """Stop a running delete (items not yet sent stay), or close an open confirmation."""
        with self._lock:
            if not self._deleter.cancel() and self._view.panel_open:
                self._close_panel()

    def retry_failed(self) -> bool:
        """Re-run only the items that failed in the last run (and are still listed).

        Those items were confirmed for the last run, so no new confirmation is asked; the
        failures stay selected after a run, so pressing Delete again also retries them.
        Returns False when busy or when nothing is left to retry.
        """
        with self._lock:
            if self.busy:
                return False
            items = self._deleter.retry_keys()
            if not items:
                self._view.set_status("Nothing to retry.")
                return False
            self._start(items)
            return True

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until no listing and no delete run is under way; False on timeout.

        A delete run ends with a re-listing, which this waits for too.
        """
        deadline = None if timeout is None else time.monotonic() + timeout

        def left() -> Optional[float]:
            return None if deadline is None else max(0.0, deadline - time.monotonic())

        while True:
            if not self._deleter.wait(left()) or not self._listing.wait(left()):
                return False
            if not self._deleter.busy and not self._listing.loading:
                return True

    def on_deleted(self, callback: Callable[[list[Record]], Any], remove: bool = False) -> None:
        """Call ``callback(records)`` after each delete run (``remove=True`` unregisters)."""
        self._deleter.on_deleted(callback, remove)

    def close(self) -> None:
        """Close this widget and every widget it created; stop listening to the client."""
        # An __init__ that refused its arguments leaves some of these unset (Widget.__del__).
        conn: Optional[Connection] = self.__dict__.get("_conn")
        view: Optional[ListView[T]] = self.__dict__.get("_view")
        listing: Optional[Listing[T]] = self.__dict__.get("_listing")
        deleter: Optional[DeleteController[T]] = self.__dict__.get("_deleter")
        if deleter is not None:  # cancels a run under way and waits for its threads
            deleter.close()
        if listing is not None:  # stops it (a re-listing after a run too), waits for its threads
            listing.close()
        if conn is not None:
            conn.close()
        if view is not None:
            view.close()
        layout = self.layout
        super().close()
        layout.close()

    # --- internals ---------------------------------------------------------------------------
    def _http_event(self, event: HttpEvent) -> None:
        """Show the client's waits (rate limit, retry) in the status line."""
        if not self.__dict__.get("_built", False):
            # the list is being built: it holds its lock until its view shows the listing (a
            # wait shown earlier would be overwritten by "Loading…")
            with self._lock:
                pass
        view: Optional[ListView[T]] = self.__dict__.get("_view")
        if view is not None:
            view.status.http_event(event)

    def _parts(self) -> ListParts[T, ListView[T]]:
        """What the listing and the delete controller share with this list."""
        return ListParts(self._state, self._lock, self._view, self._nouns)

    def _in_workspace(self, item: T) -> bool:
        """Whether ``item`` is in the one workspace this list shows (``workspace_id=``)."""
        return item.workspace_id == self.workspace_id

    def _ensure_client(self) -> Optional[ModelArtsApi]:
        """The API client, or None with the reason shown in the widget."""
        try:
            return self._conn.get()
        except Exception as exc:
            logger.warning("could not create a ModelArts session: %s", exc)
            self._view.set_error(f"Could not connect to ModelArts: {exc}")
            return None

    def _start(self, items: list[tuple[Hashable, str]]) -> None:
        client = self._conn.client
        if client is None:
            raise ValueError("Not connected: fix the error shown and refresh().")
        self._view.close_panel()
        self._deleter.start(client, items)

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., None]:
        """Run ``fn``; an exception is logged with its traceback and shown in the widget."""
        return guarded(fn, lambda text: self._view.set_error(text))

    def _wire(self) -> None:
        c = self._view.controls
        from_controls = self._guard(lambda _change: self._from_controls())
        for control in (c.search, c.status_filter, c.workspace_filter, c.sort, c.descending):
            control.observe(from_controls, names="value")
        c.refresh.on_click(self._guard(lambda b: self.refresh()))
        c.select_page.on_click(self._guard(lambda b: self.select(page=True)))
        c.select_all.on_click(self._guard(lambda b: self.select(all_matching=True)))
        c.clear.on_click(self._guard(lambda b: self.clear_selection()))
        c.prev.on_click(self._guard(lambda b: self.prev_page()))
        c.next.on_click(self._guard(lambda b: self.next_page()))
        c.delete.on_click(self._guard(lambda b: self.request_delete()))
        c.cancel_run.on_click(self._guard(lambda b: self.cancel()))
        with self._view.sync():
            c.sort.options = [
                (col.title, col.key) for col in self._state.columns.values() if col.sort_key
            ]
            c.sort.value = self._state.sort_column
            c.descending.value = self._state.descending

    def _from_controls(self) -> None:
        c = self._view.controls
        with self._lock:
            if self._view.syncing:
                return
            self._state.set_filter(
                FilterChange(c.search.value, c.status_filter.value, c.workspace_filter.value)
            )
            self._state.set_sort(c.sort.value, bool(c.descending.value))
            self._view.render()

    def _row_toggled(self, key: Hashable, on: bool) -> None:
        with self._lock:
            self._state.select([key], on)
            self._view.selection_changed()

    def _confirm_clicked(self) -> None:
        with self._lock:
            if self.busy or not self._view.panel_open:
                return
            self._start([(p.key, p.name) for p in self._view.panel.chosen()])

    def _close_panel(self) -> None:
        with self._lock:
            if self._view.close_panel():
                self._view.set_status("Delete cancelled; nothing was sent.")
                self._view.render_buttons()

    @validate("selected")
    def _validate_selected(self, proposal: Any) -> list[Hashable]:
        keys = [self._normalize_key(k) for k in proposal["value"]]
        return list(dict.fromkeys(k for k in keys if self._state.selectable(k)))

    @observe("selected")
    def _selected_set(self, change: Any) -> None:
        with self._lock:
            if self._view.syncing:
                return
            self._state.set_selected(change["new"])
            self._view.selection_changed()

    # --- static fallback: text/plain and text/html next to the widget view --------------------
    def _text_summary(self) -> str:
        return (
            f"{type(self).__name__}: {self._nouns.count(self.n_items, short=True)}, "
            f"{self.n_selected} selected"
        )

    def __repr__(self) -> str:
        return f"<{self._text_summary()}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            title = self._text_summary()
            if self.error:
                title = f"{title} — {self.error}"
            html = self._view.snapshot_html(title)
        return mimebundle(self._text_summary(), html, self._view_name, self._model_id)

    if NEEDS_IPYTHON_DISPLAY:  # ipywidgets 7: display goes through here

        def _ipython_display_(self, **kwargs: Any) -> None:
            display_bundle(self._repr_mimebundle_())
            if self._view_name is not None:
                self._handle_displayed(**kwargs)


def _key_of(item: ListItem) -> Hashable:
    return item.key


def _status_of(item: ListItem) -> Hashable:
    return item.status


def _check_page_size(page_size: Any) -> int:
    """``page_size`` as an int from 1 to :data:`MAX_PAGE_SIZE`, or a ValueError saying so."""
    return check_int(
        "page_size",
        page_size,
        1,
        MAX_PAGE_SIZE,
        "each row on a page is a few widget models, so use the pager, the search box or "
        "the status filter to reach more items",
    )


def _workspace_of(item: ListItem) -> str:
    return item.workspace_id


def _workspace_column() -> Column[Any]:
    """The workspace column (the list shows it only when several workspaces are listed)."""
    return text_column(
        WORKSPACE_COLUMN, "workspace", _workspace_of, width="9em", min_width="5em", priority=2
    )


#: The keywords every list takes plus the box pass-through ones.
LIST_KEYWORDS = (*keyword_names(ResourceList.__init__), *BOX_KEYWORDS)
