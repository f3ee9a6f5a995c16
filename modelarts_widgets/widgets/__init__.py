"""The list widgets: JobVersionList, TrainingJobList and VisualizationJobList.

::

    from modelarts_widgets import JobVersionList, TrainingJobList, VisualizationJobList
    JobVersionList()                   # every version of every v1 (old-version) training job
    JobVersionList(job_id=1234)        # one job's versions
    TrainingJobList()                  # every v2 (new-version) training job
    VisualizationJobList()             # TensorBoard / MindInsight jobs, v1 and v2

With no ``session`` / ``client`` a :class:`~modelarts_widgets.session.Session` is created
(credentials found automatically); if that fails the reason is shown inside the widget and
``refresh()`` tries again.

What the user sees: a search box, a status filter (all / active / finished / failed / one
status), a sort column with asc/desc, a page of rows with a checkbox each, "select page",
"select all N" (every item matching the filter, on any page), a pager, Delete and Cancel.
Delete opens a confirmation panel listing what will go (first ten names, then "+N more");
active items are held back unless "include N active items" is ticked, deleting more than one
item needs the count typed in, and what else is affected is named ("visualization job X reads
this version's output", "still billing"). Confirm deletes in the background; each row gets an
outcome badge (queued, sending…, accepted, deleted, already gone, failed: <code>, not sent,
unknown); under a failed or unknown badge the server's message is shown in full (wrapped, up to
three lines; all of it in the tooltip). The list is re-read at the end and the summary line is
the receipt. Rows are flex boxes that shrink (ellipsis) to fit a narrow notebook.

Every button has a method: ``refresh()``, ``set_filter(text=, status=)``,
``sort(column, descending)``, ``next_page()`` / ``prev_page()`` / ``go_to_page(n)``,
``select(keys, all_matching=, page=)``, ``clear_selection()``, ``request_delete()``,
``confirm(typed_count=, include_active=)``, ``cancel()``, ``retry_failed()``, ``wait(timeout)``,
``on_deleted(callback, remove=False)``. State is in traits: ``busy``, ``error``,
``status_message``, ``n_items``, ``n_matching``, ``n_selected``, ``page`` (1-based),
``n_pages``, ``selected`` (item keys; settable), ``last_result`` (one record per item).

Cost is bounded: a fixed pool of ``page_size`` rows (3 widget models each, sharing layouts and
styles) is re-filled on paging, filtering and sorting, so 10 or 10,000 items cost the same
~110 widget models at the default page size. ``page_size`` is capped at ``MAX_PAGE_SIZE``
(100); a larger (or non-integer) value raises ValueError before any widget is made.
"""

from __future__ import annotations

from modelarts_widgets.widgets._base import MAX_PAGE_SIZE
from modelarts_widgets.widgets.training_list import TrainingJobList
from modelarts_widgets.widgets.version_list import JobVersionList
from modelarts_widgets.widgets.visualization_list import VisualizationJobList

__all__ = ["MAX_PAGE_SIZE", "JobVersionList", "TrainingJobList", "VisualizationJobList"]
