"""``VisualizationJobList``: the project's visualization (TensorBoard) jobs, selectable."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Optional

from modelarts_widgets._kwargs import refuse_unknown, short_repr
from modelarts_widgets.bulk import visualization_job_ops
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import BILLING_STATUSES, VisualizationJob
from modelarts_widgets.widgets._base import LIST_KEYWORDS, ResourceList
from modelarts_widgets.widgets._html import (
    TIME_WIDTH,
    fmt_duration,
    link_html,
    short_url,
    text_html,
    time_html,
)
from modelarts_widgets.widgets._options import RENAMED
from modelarts_widgets.widgets._streaming import Feed, Progress
from modelarts_widgets.widgets._view import Column
from modelarts_widgets.widgets.badges import status_badge_html

__all__ = ["VisualizationJobList"]


def _name(j: VisualizationJob) -> str:
    return j.job_name or f"job {j.job_id}"


class VisualizationJobList(ResourceList[VisualizationJob]):
    """Visualization jobs with confirmed delete; running ones are flagged "still billing".

    Options (ranges in README "Widgets"): ``page_size``, ``concurrency``, ``recheck``,
    ``recheck_timeout``, ``poll_interval``; ``layout`` and ``box_style`` pass on to the
    ``VBox``. Any other keyword is a ``TypeError`` naming the closest option.
    """

    _noun = "visualization job"
    _plural = "visualization jobs"
    _noun_short = "job"
    _plural_short = "jobs"
    _css_class = "mw-vis-list"
    _search_placeholder = "search name, job id or train URL"

    @refuse_unknown(extra=LIST_KEYWORDS, hints=RENAMED)
    def __init__(
        self,
        session: Any = None,
        *,
        page_size: int = 20,
        concurrency: int = 8,
        client: Optional[ModelArtsApi] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            session,
            ops=visualization_job_ops,
            page_size=page_size,
            concurrency=concurrency,
            client=client,
            **kwargs,
        )

    def _columns(self) -> list[Column[VisualizationJob]]:
        return [
            Column("name", "name", "24em", lambda j: text_html(_name(j)), _name, "6em", 0),
            Column(
                "status", "status", "9em", lambda j: status_badge_html(j.status), _label, "7em", 1
            ),
            Column(
                "created",
                "created",
                TIME_WIDTH,
                lambda j: time_html(j.create_time),
                _ct,
                TIME_WIDTH,
                2,
            ),
            Column(
                "service_url",
                "service URL",
                "16em",
                lambda j: link_html(j.service_url, short_url(j.service_url)),
                min_width="13.5em",
                priority=3,
            ),
            Column(
                "duration",
                "duration",
                "6.5em",
                lambda j: text_html(fmt_duration(j.duration)),
                _duration,
                "6.5em",
                4,
            ),
            Column(
                "train_url",
                "train URL",
                "14em",
                lambda j: text_html(j.train_url),
                _train_url,
                "5em",
                5,
            ),
        ]

    def _checked_key(self, key: Any) -> Hashable:
        if isinstance(key, VisualizationJob):
            return key.key
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            return str(key).strip()
        raise ValueError(
            "a visualization job key is its id (a string) or a VisualizationJob, not "
            f"{short_repr(key)} ((job_id, version_id) keys belong to JobVersionList)"
        )

    def _search_text(self, item: VisualizationJob) -> str:
        return f"{_name(item)} {item.job_id} {item.train_url}"

    def _item_name(self, item: VisualizationJob) -> str:
        return _name(item)

    def _ids(self, key: Hashable) -> dict[str, Any]:
        return {"job_id": key}

    def _stream(self, client: ModelArtsApi, feed: Feed) -> None:
        for done, job in enumerate(client.iter_visualization_jobs(), 1):
            feed.put(job.key, [job])
            feed.progress(Progress(done, done, "visualization jobs", total_known=False))

    def _notes(
        self, client: ModelArtsApi, items: Sequence[VisualizationJob]
    ) -> tuple[dict[Hashable, list[str]], list[str]]:
        notes: dict[Hashable, list[str]] = {
            j.key: ["still billing"] for j in items if j.status in BILLING_STATUSES
        }
        return notes, []


def _label(j: VisualizationJob) -> str:
    return j.status_label


def _ct(j: VisualizationJob) -> Optional[int]:
    return j.create_time


def _duration(j: VisualizationJob) -> Optional[int]:
    return j.duration


def _train_url(j: VisualizationJob) -> Optional[str]:
    return j.train_url or None
