"""The delete preview: what will go (and what else depends on it), and the confirm panel.

Active items are listed but excluded unless the user ticks "include N active items"; deleting
more than one item requires typing the count. Nothing here sends a request.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import ipywidgets as w

from modelarts_widgets.models_v2 import any_status_label
from modelarts_widgets.widgets._html import esc, names_html
from modelarts_widgets.widgets.table import WidgetFactory

__all__ = ["ConfirmPanel", "DeletePlan", "PlanItem"]


@dataclass(frozen=True)
class PlanItem:
    """One selected item: plain-text ``name`` and ``notes`` (escaped when shown)."""

    key: Hashable
    name: str
    status: Hashable
    active: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeletePlan:
    """The selected items, split into what goes and what is held back."""

    noun: str
    plural: str
    items: tuple[PlanItem, ...]
    notes: tuple[str, ...] = ()

    @property
    def n_active(self) -> int:
        return sum(1 for i in self.items if i.active)

    def chosen(self, include_active: bool) -> list[PlanItem]:
        """The items a confirm would delete."""
        return [i for i in self.items if include_active or not i.active]

    def required_count(self, include_active: bool) -> Optional[int]:
        """The number the user must type, or None when one item (or none) goes."""
        n = len(self.chosen(include_active))
        return n if n > 1 else None

    def check(self, typed: Union[int, str, None], include_active: bool) -> list[PlanItem]:
        """The items to delete; ValueError if nothing goes or the typed count is wrong."""
        chosen = self.chosen(include_active)
        if not chosen:
            raise ValueError(
                f"Nothing to delete: all {len(self.items)} selected items are active; "
                "include active items to delete them."
            )
        need = self.required_count(include_active)
        if need is not None:
            text = "" if typed is None else str(typed).strip()
            if text != str(need):
                got = "nothing" if not text else repr(text)
                raise ValueError(
                    f"Type the number of items to delete ({need}) to confirm; got {got}."
                )
        return chosen

    def _label(self, n: int) -> str:
        return f"{n} {self.noun if n == 1 else self.plural}"

    def summary_html(self, include_active: bool) -> str:
        """The preview text, every name and note escaped."""
        chosen = self.chosen(include_active)
        held = [] if include_active else [i for i in self.items if i.active]
        parts = [
            f"<b>Delete {esc(self._label(len(chosen)))}?</b> "
            "This cannot be undone. Deletes are sent only when you confirm."
        ]
        if chosen:
            parts.append(_names(chosen))
        if held:
            parts.append(
                f'<div class="mw-excluded">Not deleted: {len(held)} active '
                f"{'item' if len(held) == 1 else 'items'} (tick "
                f"&ldquo;include {len(held)} active&rdquo; to delete them too):</div>"
            )
            parts.append(_names(held))
        parts.extend(f'<div class="mw-note">{esc(n)}</div>' for n in self.notes)
        need = self.required_count(include_active)
        if need is not None:
            parts.append(f'<div class="mw-type-hint">Type <b>{need}</b> to confirm.</div>')
        return "".join(parts)


#: How many names the preview lists before "+N more".
SHOWN_NAMES = 10


def _names(items: list[PlanItem]) -> str:
    return names_html([_entry(i) for i in items[:SHOWN_NAMES]], len(items) - SHOWN_NAMES)


def _entry(item: PlanItem) -> str:
    flags = []
    if item.active:
        flags.append(f"active: {any_status_label(item.status)}")
    flags.extend(item.notes)
    tail = "".join(f' <span class="mw-flag">&mdash; {esc(f)}</span>' for f in flags)
    return f"{esc(item.name)}{tail}"


class ConfirmPanel:
    """The confirmation panel inside a list widget; hidden until a plan is shown."""

    def __init__(
        self,
        factory: WidgetFactory,
        on_confirm: Callable[[], None],
        on_cancel: Callable[[], None],
        on_visible: Optional[Callable[[bool], None]] = None,
    ) -> None:
        f = factory
        self.plan: Optional[DeletePlan] = None
        self._on_confirm = on_confirm
        self._on_cancel = on_cancel
        self._on_visible = on_visible  # called with True / False as the panel opens / closes
        self.message = f.make(w.HTML, "html", "mw-confirm-message", value="")
        self._include_layout = f.new(w.Layout, display="none")
        self.include_active = f.make(
            w.Checkbox,
            "include",
            "mw-confirm-include-active",
            value=False,
            indent=False,
            description="include active items",
            layout=self._include_layout,
        )
        self._count_layout = f.new(w.Layout, width="14em", display="none")
        self.count = f.make(
            w.Text,
            "count",
            "mw-confirm-count",
            value="",
            placeholder="type the count",
            continuous_update=True,
            layout=self._count_layout,
        )
        self.confirm_button = f.make(
            w.Button, "button", "mw-confirm", description="Confirm delete", disabled=True
        )
        self.confirm_button.button_style = "danger"
        self.cancel_button = f.make(w.Button, "button", "mw-confirm-cancel", description="Cancel")
        self._layout = f.new(
            w.Layout, display="none", border="1px solid #d9534f", padding="6px", margin="4px 0"
        )
        buttons = f.make(
            w.HBox,
            "bar",
            "mw-confirm-buttons",
            children=[self.count, self.confirm_button, self.cancel_button],
        )
        self.box = f.new(w.VBox, [self.message, self.include_active, buttons], layout=self._layout)
        self.box.add_class("mw-confirm-panel")
        self.include_active.observe(lambda _c: self.update(), names="value")
        self.count.observe(lambda _c: self.update(), names="value")
        self.confirm_button.on_click(lambda _b: self._on_confirm())
        self.cancel_button.on_click(lambda _b: self._on_cancel())

    @property
    def visible(self) -> bool:
        return self.plan is not None

    def show(self, plan: DeletePlan) -> None:
        self.plan = plan
        self.include_active.value = False
        self.count.value = ""
        n_active = plan.n_active
        self.include_active.description = (
            f"include {n_active} active {'item' if n_active == 1 else 'items'}"
        )
        self._include_layout.display = None if n_active else "none"
        self.update()
        self._layout.display = None
        if self._on_visible is not None:
            self._on_visible(True)

    def hide(self) -> None:
        self.plan = None
        self._layout.display = "none"
        self.confirm_button.disabled = True
        if self._on_visible is not None:
            self._on_visible(False)

    def update(self) -> None:
        """Re-render the preview and enable Confirm only when the plan checks out."""
        plan = self.plan
        if plan is None:
            return
        include = bool(self.include_active.value)
        self.message.value = plan.summary_html(include)
        need = plan.required_count(include)
        self._count_layout.display = None if need is not None else "none"
        self.count.placeholder = f"type {need}" if need is not None else ""
        try:
            plan.check(self.count.value, include)
        except ValueError:
            self.confirm_button.disabled = True
        else:
            self.confirm_button.disabled = False

    def chosen(self) -> list[PlanItem]:
        """The items to delete now; ValueError as :meth:`DeletePlan.check`."""
        if self.plan is None:
            raise ValueError("No delete is pending: call request_delete() first.")
        return self.plan.check(self.count.value, bool(self.include_active.value))

    def set_inputs(self, typed_count: Any, include_active: bool) -> None:
        self.include_active.value = bool(include_active)
        if typed_count is not None:
            self.count.value = str(typed_count)
