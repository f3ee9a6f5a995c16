"""Small inline HTML status badges: a text label (never colour alone) and a full-text tooltip.

Colours are fixed pairs (not theme variables), chosen so the text has a WCAG contrast of at
least 4.5:1 on its badge in light and dark themes alike and in exported HTML (a unit test
computes it). A label too long for its column ends in an ellipsis, whole in the tooltip.

Everything that may come from the server (codes, messages,
details, unknown state names) is escaped with ``html.escape(..., quote=True)``; long text is
shortened in the visible label and kept whole in the ``title`` tooltip.
"""

from __future__ import annotations

import re
from typing import Optional, Union

from modelarts_widgets.bulk import Outcome
from modelarts_widgets.models import (
    ACTIVE_STATUSES,
    COMPLETED_STATUSES,
    FAILED_STATUSES,
    RUNNING_STATUSES,
    status_label,
)
from modelarts_widgets.models_v2 import canonical_phase, phase_label
from modelarts_widgets.widgets._html import esc

__all__ = [
    "OUTCOME_LABELS",
    "PALETTE",
    "badge_html",
    "generation_badge_html",
    "phase_badge_html",
    "status_badge_html",
    "truncate",
]

#: Visible labels of the bulk-delete outcome states (``failed`` gets ``": <code>"`` appended).
OUTCOME_LABELS: dict[str, str] = {
    Outcome.QUEUED: "queued",
    Outcome.SENDING: "sending…",
    Outcome.ACCEPTED: "accepted",
    Outcome.DELETED: "deleted",
    Outcome.ALREADY_GONE: "already gone",
    Outcome.FAILED: "failed",
    Outcome.NOT_SENT: "not sent",
    Outcome.UNKNOWN: "unknown",
}

#: kind -> (background, text colour), as ``#rrggbb``.
PALETTE: dict[str, tuple[str, str]] = {
    "success": ("#1e7b34", "#ffffff"),
    "error": ("#c62828", "#ffffff"),
    "warn": ("#f9a825", "#1a1a1a"),
    "info": ("#0b63a8", "#ffffff"),
    "neutral": ("#e0e0e0", "#1a1a1a"),
}

_OUTCOME_KIND: dict[str, str] = {
    Outcome.QUEUED: "neutral",
    Outcome.SENDING: "info",
    Outcome.ACCEPTED: "info",
    Outcome.DELETED: "success",
    Outcome.ALREADY_GONE: "success",
    Outcome.FAILED: "error",
    Outcome.NOT_SENT: "neutral",
    Outcome.UNKNOWN: "warn",
}

MAX_LABEL = 48


def truncate(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` shortened to ``limit`` characters with a trailing ``…``."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(1, limit - 1)].rstrip() + "…"


def _esc(text: str) -> str:
    return esc(text)


def _css_token(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "", text.lower())[:32] or "other"


def _render(kind: str, state: str, label: str, tooltip: str) -> str:
    background, colour = PALETTE.get(kind, PALETTE["neutral"])
    style = (
        "display:inline-block;box-sizing:border-box;max-width:100%;padding:0 6px;"
        "border-radius:8px;font-size:85%;line-height:1.6;vertical-align:middle;white-space:nowrap;"
        f"overflow:hidden;text-overflow:ellipsis;background:{background};color:{colour}"
    )
    token = _css_token(state)
    return (
        f'<span class="maw-badge maw-badge-{token}" data-state="{_esc(state)}" data-kind="{kind}" '
        f'title="{_esc(tooltip)}" style="{style}">{_esc(label)}</span>'
    )


def badge_html(
    state_or_status: Union[str, int], *, detail: str = "", error_code: Optional[str] = None
) -> str:
    """A badge for a bulk-delete outcome state (or, given an int, a job status code).

    The label is the state's text (``"failed: ModelArts.0105"`` for failures); the tooltip
    carries label, code and ``detail`` (the server's full message goes there).
    """
    if isinstance(state_or_status, int) and not isinstance(state_or_status, bool):
        return status_badge_html(state_or_status)
    state = str(state_or_status)
    label = OUTCOME_LABELS.get(state, state.replace("_", " ") or "unknown")
    if state == Outcome.FAILED and error_code:
        label = f"failed: {error_code}"
    tip_parts = [label]
    if error_code and error_code not in label:
        tip_parts.append(error_code)
    if detail and detail not in tip_parts:
        tip_parts.append(detail)
    kind = _OUTCOME_KIND.get(state, "neutral")
    return _render(kind, state, truncate(label), "\n".join(tip_parts))


def status_badge_html(status_code: int) -> str:
    """A badge for a job status code (running/queued: info/warn, failed: error, done: success)."""
    code = int(status_code)
    label = status_label(code)
    if code in COMPLETED_STATUSES:
        kind = "success"
    elif code in FAILED_STATUSES:
        kind = "error"
    elif code in RUNNING_STATUSES:
        kind = "info"
    elif code in ACTIVE_STATUSES:
        kind = "warn"
    else:
        kind = "neutral"
    return _render(kind, f"status-{code}", label, f"status {code}: {label}")


#: Badge kind of each documented v2 phase (others: neutral).
_PHASE_KIND: dict[str, str] = {
    "Completed": "success",
    "Failed": "error",
    "Abnormal": "error",
    "Running": "info",
    "Creating": "warn",
    "Pending": "warn",
    "Terminating": "warn",
    "Terminated": "neutral",
}


def phase_badge_html(phase: str) -> str:
    """A badge for a v2 job phase (an unknown phase shows as it came, neutral)."""
    label = phase_label(phase)
    kind = _PHASE_KIND.get(canonical_phase(phase), "neutral")
    return _render(kind, f"phase-{phase}", label, f"phase {phase or 'unknown'}: {label}")


def generation_badge_html(generation: str) -> str:
    """A small badge saying which API generation a row comes from (``v1`` / ``v2``)."""
    tip = "new-version (v2) training API" if generation == "v2" else "old-version (v1) API"
    return _render("neutral", f"gen-{generation}", generation, tip)
