"""What a list shows, without widgets: items by key, text/status filter, sort, pages, selection.

Selection is a set of item keys, so refreshing, sorting, filtering and paging never re-target it.
Also the small values a list is described by (:class:`Column`, :class:`StatusScheme`,
:class:`Nouns`) and :class:`ListParts`, what the parts of one list share.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Generic, Optional, TypeVar, Union, cast

from modelarts_widgets.models import (
    ACTIVE_STATUSES,
    DEFAULT_WORKSPACE,
    FAILED_STATUSES,
    FINISHED_STATUSES,
    status_label,
)

__all__ = [
    "ALL_WORKSPACES",
    "V1_STATUSES",
    "WORKSPACE_COLUMN",
    "Column",
    "FilterChange",
    "ListParts",
    "ListState",
    "Nouns",
    "StatusFilter",
    "StatusScheme",
]

#: The workspace filter value that shows every workspace.
ALL_WORKSPACES = "all"
#: The key of the workspace column (shown only when items of several workspaces are listed).
WORKSPACE_COLUMN = "workspace"

T = TypeVar("T")
V_co = TypeVar("V_co", covariant=True)

#: ``"all"``, ``"active"``, ``"finished"``, ``"failed"`` or one status (a v1 code, a v2 phase).
StatusFilter = Union[str, int]


@dataclass(frozen=True)
class StatusScheme:
    """How a list reads its items' statuses: the filter groups and a status's label.

    ``groups`` maps ``active`` / ``finished`` / ``failed`` to status values (``all``: None);
    ``parse(text)`` turns typed text into a status value, or None when it is not one.
    """

    groups: Mapping[str, Optional[frozenset[Hashable]]]
    label: Callable[[Any], str]
    parse: Callable[[str], Optional[Hashable]]


def _parse_code(text: str) -> Optional[Hashable]:
    return int(text) if text.isdigit() else None


#: v1 jobs: int status codes.
V1_STATUSES = StatusScheme(
    {
        "all": None,
        "active": frozenset(ACTIVE_STATUSES),
        "finished": frozenset(FINISHED_STATUSES),
        "failed": frozenset(FAILED_STATUSES),
    },
    status_label,
    _parse_code,
)


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: ``cell`` returns safe (escaped) HTML, ``sort_key`` a comparable or None.

    ``min_width`` is the narrowest the column gets; ``width`` (``em``) is its share of the free
    width (equal to ``min_width``: fixed). ``priority`` 0: always shown; at narrow widths the
    columns with the highest ``priority`` give way first.
    """

    key: str
    title: str
    width: str
    cell: Callable[[T], str]
    sort_key: Optional[Callable[[T], Any]] = None
    min_width: str = "3em"
    priority: int = 1


@dataclass(frozen=True)
class Nouns:
    """What a list calls its items: ``noun`` / ``plural`` in its messages ("Deleting 3 training
    job versions…"), ``short`` / ``short_plural`` in its one-line summary ("12 versions")."""

    noun: str
    plural: str
    short: str
    short_plural: str

    def count(self, n: int, *, short: bool = False) -> str:
        """``n`` and the noun: "1 training job", "3 training jobs" (``short``: "3 jobs")."""
        if short:
            return f"{n} {self.short if n == 1 else self.short_plural}"
        return f"{n} {self.noun if n == 1 else self.plural}"


@dataclass(frozen=True)
class FilterChange:
    """A change of a list's filter: the text searched, a status group or status, a workspace
    (:data:`ALL_WORKSPACES`: every one); None keeps the current value."""

    text: Optional[str] = None
    status: Optional[StatusFilter] = None
    workspace: Optional[str] = None


def _sort_value(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


class ListState(Generic[T]):
    """Items, filter, sort, paging and selection of one list (pure Python, not thread-safe)."""

    def __init__(
        self,
        *,
        key_of: Callable[[T], Hashable],
        status_of: Callable[[T], Hashable],
        search_text_of: Callable[[T], str],
        columns: list[Column[T]],
        page_size: int,
        sort_column: str,
        descending: bool = True,
        workspace_of: Callable[[T], str] = lambda item: DEFAULT_WORKSPACE,
        statuses: StatusScheme = V1_STATUSES,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.key_of = key_of
        self.status_of = status_of
        self.statuses = statuses
        self.search_text_of = search_text_of
        self.workspace_of = workspace_of
        self.workspace = ALL_WORKSPACES
        self.columns = {c.key: c for c in columns}
        self.page_size = page_size
        self.items: list[T] = []
        self.by_key: dict[Hashable, T] = {}
        self.text = ""
        self.status: StatusFilter = "all"
        self.sort_column = sort_column
        self.descending = descending
        self.page = 1
        self.selected: dict[Hashable, None] = {}
        self.placeholders: set[Hashable] = set()
        """Keys of rows shown while their item is still being listed (never selectable)."""
        self._matching: Optional[list[T]] = None
        self._workspaces: list[str] = []
        self._n_matching_listed: Optional[int] = None

    # --- items -------------------------------------------------------------------------------
    def set_items(self, items: Iterable[T]) -> list[Hashable]:
        """Replace the items; returns the selected keys that vanished (now unselected)."""
        self.items = list(items)
        self.by_key = {self.key_of(i): i for i in self.items}
        self._workspaces = sorted(
            {self.workspace_of(i) for i in self.items},
            key=lambda ws: (ws != DEFAULT_WORKSPACE, ws),
        )
        gone = [k for k in self.selected if k not in self.by_key]
        for k in gone:
            del self.selected[k]
        self._changed()
        return gone

    def remove(self, keys: Iterable[Hashable]) -> None:
        drop = set(keys)
        self.set_items(i for i in self.items if self.key_of(i) not in drop)

    # --- filter / sort / pages -------------------------------------------------------------
    def set_filter(self, change: FilterChange) -> None:
        if change.workspace is not None:
            self.workspace = str(change.workspace)
        if change.text is not None:
            self.text = change.text
        if change.status is not None:
            self.status = self.normalize_status(change.status)
        self.page = 1
        self._changed()

    def normalize_status(self, status: StatusFilter) -> StatusFilter:
        if isinstance(status, bool):
            raise ValueError(f"not a status filter: {status!r}")
        if isinstance(status, int):
            return status
        text = str(status).strip()
        value = self.statuses.parse(text)
        if text in self.statuses.groups:
            return text
        if value == text and isinstance(value, str):  # a status spelled exactly ("Failed")
            return value
        if text.lower() in self.statuses.groups:
            return text.lower()
        if isinstance(value, (int, str)):
            return value
        raise ValueError(
            f"unknown status filter {status!r}: use all, active, finished, failed or a status code"
        )

    def set_sort(self, column: str, descending: Optional[bool] = None) -> None:
        col = self.column(column)
        self.sort_column = col.key
        if descending is not None:
            self.descending = bool(descending)
        self.page = 1
        self._changed()

    def column(self, name: str) -> Column[T]:
        if name in self.columns:
            return self.columns[name]
        for col in self.columns.values():
            if col.title.lower() == str(name).strip().lower():
                return col
        sortable = ", ".join(k for k, c in self.columns.items() if c.sort_key is not None)
        raise ValueError(f"unknown column {name!r}; sortable columns: {sortable}")

    def workspaces(self) -> list[str]:
        """The workspaces of the listed items, sorted (the default ``"0"`` first)."""
        return list(self._workspaces)

    def visible_columns(self) -> list[Column[T]]:
        """The columns to draw: the workspace column only with several workspaces listed."""
        several = len(self._workspaces) > 1
        return [c for c in self.columns.values() if several or c.key != WORKSPACE_COLUMN]

    def matches(self, item: T) -> bool:
        if self.workspace != ALL_WORKSPACES and self.workspace_of(item) != self.workspace:
            return False
        status = self.status_of(item)
        if self.status in self.statuses.groups:
            group = self.statuses.groups.get(str(self.status))
            if group is not None and status not in group:
                return False
        elif status != self.status:
            return False
        needle = self.text.strip().casefold()
        return not needle or needle in self.search_text_of(item).casefold()

    def matching(self) -> list[T]:
        """Items passing the filter, in sort order (cached until something changes)."""
        if self._matching is None:
            hits = [i for i in self.items if self.matches(i)]
            col = self.columns.get(self.sort_column)
            if col is not None and col.sort_key is not None:
                key = col.sort_key
                known = [(_sort_value(key(i)), n, i) for n, i in enumerate(hits)]
                missing = [t for t in known if t[0] is None]
                known = [t for t in known if t[0] is not None]
                known.sort(key=lambda t: t[0], reverse=self.descending)
                hits = [t[2] for t in known] + [t[2] for t in missing]
            self._matching = hits
        return self._matching

    @property
    def n_pages(self) -> int:
        return max(1, -(-len(self.matching()) // self.page_size))

    def go_to_page(self, page: int) -> None:
        self.page = min(max(1, int(page)), self.n_pages)

    def page_items(self) -> list[T]:
        self.go_to_page(self.page)
        start = (self.page - 1) * self.page_size
        return self.matching()[start : start + self.page_size]

    def status_counts(self) -> dict[Hashable, int]:
        counts: dict[Hashable, int] = {}
        for item in self.items:
            s = self.status_of(item)
            counts[s] = counts.get(s, 0) + 1
        return counts

    def status_options(self) -> list[tuple[str, StatusFilter]]:
        """Dropdown options: the groups, then each status present (and the current one)."""
        counts = self.status_counts()
        opts: list[tuple[str, StatusFilter]] = [
            ("all", "all"),
            ("active", "active"),
            ("finished", "finished"),
            ("failed", "failed"),
        ]
        codes = set(counts)
        if self.status not in self.statuses.groups:
            codes.add(self.status)
        for code in sorted(codes, key=lambda c: (isinstance(c, str), str(c).casefold(), str(c))):
            label = self.statuses.label(code)
            opts.append((f"{label} ({counts.get(code, 0)})", cast(StatusFilter, code)))
        return opts

    # --- selection -----------------------------------------------------------------------------
    def select(self, keys: Iterable[Hashable], on: bool = True) -> None:
        for k in keys:
            if on and self.selectable(k):
                self.selected[k] = None
            elif not on:
                self.selected.pop(k, None)

    def set_selected(self, keys: Iterable[Hashable]) -> None:
        self.selected = {k: None for k in keys if self.selectable(k)}

    def selectable(self, key: Hashable) -> bool:
        """Listed, and not a placeholder."""
        return key in self.by_key and key not in self.placeholders

    def listed(self) -> list[T]:
        """The items, without placeholder rows."""
        if not self.placeholders:
            return self.items
        return [i for i in self.items if self.key_of(i) not in self.placeholders]

    @property
    def n_listed(self) -> int:
        """How many items are listed (placeholder rows not counted)."""
        return len(self.items) - len(self.placeholders)

    @property
    def n_matching_listed(self) -> int:
        """How many listed items pass the filter (cached like :meth:`matching`)."""
        if self._n_matching_listed is None:
            hits, shown = self.matching(), self.placeholders
            self._n_matching_listed = (
                sum(1 for i in hits if self.key_of(i) not in shown) if shown else len(hits)
            )
        return self._n_matching_listed

    def selected_items(self) -> list[T]:
        return [self.by_key[k] for k in self.selected if k in self.by_key]

    def _changed(self) -> None:
        self._matching = None
        self._n_matching_listed = None
        self.go_to_page(self.page)


@dataclass(frozen=True)
class ListParts(Generic[T, V_co]):
    """What the parts of one list (its listing, its delete controller) share: the list's state,
    the lock guarding it, the view drawing it, and what its items are called."""

    state: ListState[T]
    lock: threading.RLock
    view: V_co
    nouns: Nouns
