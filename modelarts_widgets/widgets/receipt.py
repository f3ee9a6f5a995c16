"""The summary line of a bulk delete as HTML (the receipt rows are ``ItemOutcome.as_record()``)."""

from __future__ import annotations

from modelarts_widgets.bulk import BulkDelete, Outcome
from modelarts_widgets.widgets._html import esc

__all__ = ["summary_html"]


def summary_html(bulk: BulkDelete) -> str:
    """The summary line as escaped HTML; its element carries ``data-done`` / ``data-cancelled``."""
    kind = "done" if bulk.done else "running"
    counts = bulk.counts()
    if bulk.done and (counts[Outcome.FAILED] or counts[Outcome.UNKNOWN]):
        kind = "problems"
    return (
        f'<span class="maw-receipt maw-receipt-{kind}" '
        f'data-done="{str(bulk.done).lower()}" data-cancelled="{str(bulk.cancelled).lower()}">'
        f"{esc(bulk.summary())}</span>"
    )
