"""The delete engine: send each DELETE once, bounded concurrency, cancel, re-check until gone.

No ipywidgets here (a test proves it): the list widgets drive it through
:class:`~modelarts_widgets.widgets.controller.DeleteController`, scripts and tests use it
directly::

    from modelarts_widgets.bulk import BulkDelete, job_version_ops

    bulk = BulkDelete([(key, name), ...], *job_version_ops(session.client))
    bulk.start(); bulk.wait(); print(bulk.summary())

Modules: :mod:`.engine` (``BulkDelete``), :mod:`.outcome` (``Outcome``, ``ItemOutcome``),
:mod:`.ops` (what one delete / one re-check is, per kind of item), :mod:`.throttle`
(``Coalescer``: at most one update per interval).
"""

from __future__ import annotations

from modelarts_widgets.bulk.engine import BulkDelete
from modelarts_widgets.bulk.ops import (
    BatchOps,
    DeleteOps,
    job_version_ops,
    v2_training_job_ops,
    visualization_job_ops,
)
from modelarts_widgets.bulk.outcome import FINAL_STATES, RETRYABLE, STATES, ItemOutcome, Outcome
from modelarts_widgets.bulk.throttle import Coalescer

__all__ = [
    "FINAL_STATES",
    "RETRYABLE",
    "STATES",
    "BatchOps",
    "BulkDelete",
    "Coalescer",
    "DeleteOps",
    "ItemOutcome",
    "Outcome",
    "job_version_ops",
    "v2_training_job_ops",
    "visualization_job_ops",
]
