"""``JobVersionList``: every version of every training job (or of one job), selectable."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Optional, Union

from modelarts_widgets._kwargs import refuse_unknown, short_repr
from modelarts_widgets.bulk import DeleteOps, job_version_ops
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import JobVersion
from modelarts_widgets.widgets._base import LIST_KEYWORDS, ResourceList
from modelarts_widgets.widgets._columns import (
    created_column,
    duration_column,
    name_column,
    status_column,
    text_column,
)
from modelarts_widgets.widgets._generations import count_v2_training_jobs, run_generation
from modelarts_widgets.widgets._options import RENAMED, check_list_workers
from modelarts_widgets.widgets._streaming import Feed, stream_all_versions
from modelarts_widgets.widgets._view import Column, Nouns
from modelarts_widgets.widgets.badges import status_badge_html

__all__ = ["JobVersionList", "normalize_obs_path", "reads_output"]


def normalize_obs_path(path: str) -> str:
    """``obs://bucket/a//b`` / ``/bucket/a/b`` -> ``/bucket/a/b/`` (for prefix comparison)."""
    text = path.strip()
    for scheme in ("obs://", "s3://", "s3a://"):
        if text.lower().startswith(scheme):
            text = text[len(scheme) :]
            break
    parts = [p for p in text.split("/") if p]
    return "/" + "/".join(parts) + "/" if parts else ""


def reads_output(vis_train_url: str, version_train_url: str) -> bool:
    """True when one OBS path contains the other (the visualization job reads the output)."""
    return _nested(normalize_obs_path(vis_train_url), normalize_obs_path(version_train_url))


def _nested(a: str, b: str) -> bool:
    """Whether one normalised path contains the other."""
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _job_label(v: JobVersion) -> str:
    return v.job_name or f"job {v.job_id}"


def _version_label(v: JobVersion) -> str:
    return v.version_name or f"version {v.version_id}"


def _engine(v: JobVersion) -> str:
    return f"{v.engine_name} {v.engine_version}".strip()


class JobVersionList(ResourceList[JobVersion]):
    """Versions of all training jobs (``job_id=None``) or of one job, with confirmed delete.

    With neither ``session`` nor ``client``, a :class:`modelarts_widgets.session.Session` is
    created (credentials found automatically); a failure is shown inside the widget.

    Options are every list's (:class:`ResourceList`; ranges in README "Widgets") and
    ``list_workers`` (jobs whose versions are listed in parallel); ``layout`` and ``box_style``
    pass on to the ``VBox``.
    """

    _nouns = Nouns(
        "training job version", "training job versions", short="version", short_plural="versions"
    )
    _css_class = "mw-version-list"
    _search_placeholder = "search job, version or engine"

    @refuse_unknown(extra=LIST_KEYWORDS, hints=RENAMED)
    def __init__(
        self,
        session: Any = None,
        job_id: Union[int, str, None] = None,
        *,
        page_size: int = 20,
        concurrency: int = 8,
        client: Optional[ModelArtsApi] = None,
        list_workers: int = 4,
        **kwargs: Any,
    ) -> None:
        self._job_id = job_id
        self._list_workers = check_list_workers(list_workers)
        super().__init__(
            session,
            page_size=page_size,
            concurrency=concurrency,
            client=client,
            **kwargs,
        )

    def _ops(self, client: ModelArtsApi) -> DeleteOps:
        return job_version_ops(client)

    def _columns(self) -> list[Column[JobVersion]]:
        return [
            name_column(_job_label, "job"),
            text_column(
                "version",
                "version",
                _version_label,
                sort_key=_version_id,
                width="6em",
                min_width="5.5em",
                priority=0,
            ),
            status_column(lambda v: status_badge_html(v.status), _status_label),
            created_column(),
            duration_column(3),
            text_column(
                "engine", "engine", _engine_or_none, width="12em", min_width="5em", priority=4
            ),
        ]

    def _checked_key(self, key: Any) -> Hashable:
        if isinstance(key, JobVersion):
            return key.key
        if isinstance(key, (list, tuple)) and len(key) == 2:
            try:
                return (_id_part(key[0]), _id_part(key[1]))
            except (TypeError, ValueError):
                pass
        raise ValueError(
            "a training job version key is (job_id, version_id) or a JobVersion, "
            f"not {short_repr(key)}"
        )

    def _search_text(self, item: JobVersion) -> str:
        return " ".join((_job_label(item), _version_label(item), _engine(item)))

    def _item_name(self, item: JobVersion) -> str:
        return f"{_job_label(item)} / {_version_label(item)}"

    def _ids(self, key: Hashable) -> dict[str, Any]:
        if isinstance(key, tuple) and len(key) == 2:
            return {"job_id": key[0], "version_id": key[1]}
        return {}

    def _stream(self, client: ModelArtsApi, feed: Feed) -> None:
        if self._job_id is not None:
            feed.put(self._job_id, client.list_job_versions(self._job_id))
            return
        n_jobs, note = run_generation(
            lambda: stream_all_versions(client, feed, workers=self._list_workers),
            "v1 (old-version) training job",
            0,
        )
        self._list_note = note
        if not n_jobs:
            self._list_note = " ".join(filter(None, (note, _v2_hint(client))))

    def _group_of(self, item: JobVersion) -> Hashable:
        return item.job_id if self._job_id is None else self._job_id

    def _is_placeholder(self, item: JobVersion) -> bool:
        """True for a row shown from the job list while the job's versions load."""
        return item.key in self._state.placeholders

    def _notes(
        self, client: ModelArtsApi, items: Sequence[JobVersion]
    ) -> tuple[dict[Hashable, list[str]], list[str]]:
        paths = {v.key: normalize_obs_path(v.train_url) for v in items}
        if not any(paths.values()):
            return {}, []
        readers: dict[str, list[str]] = {}
        for vis in client.iter_visualization_jobs():
            readers.setdefault(normalize_obs_path(vis.train_url), []).append(
                vis.job_name or vis.job_id
            )
        notes: dict[Hashable, list[str]] = {}
        for key, path in paths.items():
            names = [n for vpath, ns in readers.items() if _nested(vpath, path) for n in ns]
            if names:
                notes[key] = [
                    f"visualization job {n} reads this version's output"
                    for n in dict.fromkeys(names)
                ]
        return notes, []


def _v2_hint(client: ModelArtsApi) -> str:
    """The one line an empty v1 list shows when the account has v2 training jobs."""
    n = count_v2_training_jobs(client)
    if not n:
        return ""
    jobs = "job" if n == 1 else "jobs"
    return f"This account has {n} new-version (v2) training {jobs}: use TrainingJobList()."


def _id_part(value: Any) -> int:
    """One id of a version key: an int, or a string of digits (a bool is not an id)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(value)
    return int(value)


def _version_id(v: JobVersion) -> int:
    return v.version_id


def _status_label(v: JobVersion) -> str:
    return v.status_label


def _engine_or_none(v: JobVersion) -> Optional[str]:
    return _engine(v) or None
