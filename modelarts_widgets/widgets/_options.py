"""What the list widgets' constructors accept, and the range of each number.

An unknown keyword is a ``TypeError`` naming the closest option (:mod:`modelarts_widgets._kwargs`);
only :data:`BOX_KEYWORDS` pass on to the ``ipywidgets.VBox``. A number out of range is a
``ValueError`` stating the range.
"""

from __future__ import annotations

from typing import Any

from modelarts_widgets._kwargs import check_float, check_int

__all__ = [
    "BOX_KEYWORDS",
    "MAX_CONCURRENCY",
    "MAX_LIST_WORKERS",
    "MAX_RECHECK_TIMEOUT",
    "POLL_INTERVAL_RANGE",
    "RENAMED",
    "check_list_workers",
    "check_run_options",
]

#: ipywidgets ``Box`` keywords a list passes on to its ``VBox`` (size/placement and the border).
BOX_KEYWORDS = ("layout", "box_style")

#: Keywords that changed name: old code fails loudly instead of changing meaning.
RENAMED = {
    "verify": (
        "'verify' was renamed: use recheck=True/False to re-check that deleted items are gone "
        "(TLS certificate checking is Session(verify=...))"
    ),
    "verify_timeout": "'verify_timeout' was renamed: use recheck_timeout=... (seconds)",
}

#: Most DELETE requests a list sends at once (ModelArts rate-limits each account).
MAX_CONCURRENCY = 32
#: Most jobs ``JobVersionList`` lists in parallel.
MAX_LIST_WORKERS = 16
#: Longest wait, in seconds, for deleted items to leave the listing.
MAX_RECHECK_TIMEOUT = 3600.0
#: Seconds between two re-checks of the listing (shortest, longest).
POLL_INTERVAL_RANGE = (0.01, 60.0)


def check_run_options(
    concurrency: Any, recheck: Any, recheck_timeout: Any, poll_interval: Any
) -> tuple[int, bool, float, float]:
    """The delete-run options, each checked against its range (ValueError otherwise)."""
    if not isinstance(recheck, bool):
        raise ValueError(f"recheck must be True or False, not {recheck!r}")
    return (
        check_int("concurrency", concurrency, 1, MAX_CONCURRENCY, "parallel DELETE requests"),
        recheck,
        check_float("recheck_timeout", recheck_timeout, 0, MAX_RECHECK_TIMEOUT),
        check_float("poll_interval", poll_interval, *POLL_INTERVAL_RANGE),
    )


def check_list_workers(list_workers: Any) -> int:
    """``list_workers`` (jobs listed in parallel) from 1 to :data:`MAX_LIST_WORKERS`."""
    return check_int("list_workers", list_workers, 1, MAX_LIST_WORKERS)
