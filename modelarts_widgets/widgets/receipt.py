"""Receipts of a bulk delete: JSON-able rows (a widget's ``last_result``) and a summary line."""

from __future__ import annotations

from typing import Any

from modelarts_widgets.widgets._html import esc
from modelarts_widgets.widgets.deleter import BulkDelete

__all__ = ["receipt_records", "summary_html", "summary_text"]


def receipt_records(bulk: BulkDelete) -> list[dict[str, Any]]:
    """One :meth:`ItemOutcome.as_record` dict per item, in input order."""
    return [outcome.as_record() for outcome in bulk.outcomes.values()]


def summary_text(bulk: BulkDelete) -> str:
    """The plain-text summary line (:meth:`BulkDelete.summary`)."""
    return bulk.summary()


def summary_html(bulk: BulkDelete) -> str:
    """The summary line as escaped HTML; its element carries ``data-done`` / ``data-cancelled``."""
    kind = "done" if bulk.done else "running"
    counts = bulk.counts()
    if bulk.done and (counts["failed"] or counts["unknown"]):
        kind = "problems"
    return (
        f'<span class="maw-receipt maw-receipt-{kind}" '
        f'data-done="{str(bulk.done).lower()}" data-cancelled="{str(bulk.cancelled).lower()}">'
        f"{esc(bulk.summary())}</span>"
    )
