"""``VisualizationJobList``: the project's visualization (TensorBoard) jobs, selectable."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Optional

from modelarts_widgets.bulk import visualization_job_ops
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import BILLING_STATUSES, VisualizationJob
from modelarts_widgets.widgets._base import ResourceList
from modelarts_widgets.widgets._html import esc, fmt_duration, fmt_time, link_html
from modelarts_widgets.widgets._view import Column
from modelarts_widgets.widgets.badges import status_badge_html

__all__ = ["VisualizationJobList"]


def _name(j: VisualizationJob) -> str:
    return j.job_name or f"job {j.job_id}"


class VisualizationJobList(ResourceList[VisualizationJob]):
    """Visualization jobs with confirmed delete; running ones are flagged "still billing"."""

    _noun = "visualization job"
    _plural = "visualization jobs"
    _noun_short = "job"
    _plural_short = "jobs"
    _css_class = "mw-vis-list"

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
            Column("name", "name", "10.5em", lambda j: esc(_name(j)), _name, "5em"),
            Column("status", "status", "9em", lambda j: status_badge_html(j.status), _label, "6em"),
            Column(
                "created", "created", "9.5em", lambda j: esc(fmt_time(j.create_time)), _ct, "5em"
            ),
            Column(
                "duration",
                "duration",
                "6em",
                lambda j: esc(fmt_duration(j.duration)),
                _duration,
                "6em",
            ),
            Column(
                "service_url",
                "service URL",
                "9.5em",
                lambda j: link_html(j.service_url),
                min_width="4em",
            ),
            Column("train_url", "train URL", "9em", lambda j: esc(j.train_url), _train_url, "4em"),
        ]

    def _normalize_key(self, key: Any) -> Hashable:
        if isinstance(key, VisualizationJob):
            return key.key
        return str(key).strip() if isinstance(key, (str, int)) else key

    def _search_text(self, item: VisualizationJob) -> str:
        return f"{_name(item)} {item.job_id} {item.train_url}"

    def _item_name(self, item: VisualizationJob) -> str:
        return _name(item)

    def _ids(self, key: Hashable) -> dict[str, Any]:
        return {"job_id": key}

    def _load(self, client: ModelArtsApi) -> list[VisualizationJob]:
        return list(client.iter_visualization_jobs())

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
