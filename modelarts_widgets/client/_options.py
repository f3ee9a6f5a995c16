"""Keyword sets that a provider protocol and its providers share, typed with ``Unpack``.

Each is a ``TypedDict`` (the names and types, written once) plus the function that gives the
absent ones their defaults and refuses unknown names: v2 listing (:class:`V2ListOptions`), a
v2 bulk delete's callbacks (:class:`DeleteHooks`) and a new v1 job version
(:class:`VersionOptions`, which :func:`new_version` turns into a checked :class:`NewVersion`).
The v1 list keywords are :class:`~modelarts_widgets.client._paging.ListOptions`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypedDict

from modelarts_widgets._types import IdLike
from modelarts_widgets.client import ids
from modelarts_widgets.client._paging import parse_one, refuse_unknown
from modelarts_widgets.models import DeleteResult, JobVersion

__all__ = [
    "DeleteHooks",
    "NewVersion",
    "OnResult",
    "V2ListOptions",
    "VersionOptions",
    "delete_hooks",
    "new_version",
    "v2_list_options",
]

#: ``on_result(job_id, result)``: called as each delete answer comes.
OnResult = Callable[[str, DeleteResult], None]


class V2ListOptions(TypedDict, total=False):
    """The keywords of a v2 job listing (``iter_v2_jobs``, ``list_v2_jobs``): ``kinds``,
    ``phases`` and ``name`` (a substring) are sent as search filters, ``exclude_kinds`` is
    applied to the answer; ``sort_by`` / ``order``; ``workspace_ids`` (default: every
    workspace listed). Absent ones take :func:`v2_list_options`' defaults."""

    kinds: Optional[Sequence[str]]
    exclude_kinds: Collection[str]
    phases: Optional[Sequence[str]]
    name: Optional[str]
    sort_by: str
    order: str
    workspace_ids: Optional[Sequence[str]]


def v2_list_options(options: V2ListOptions) -> V2ListOptions:
    """Every :class:`V2ListOptions` keyword, ``options`` over the defaults (no filter,
    ``create_time`` descending, every workspace); an unknown name raises ``TypeError``."""
    refuse_unknown(options, V2ListOptions.__annotations__)
    query: V2ListOptions = {
        "kinds": None,
        "exclude_kinds": (),
        "phases": None,
        "name": None,
        "sort_by": "create_time",
        "order": "desc",
        "workspace_ids": None,
    }
    query.update(options)
    return query


class DeleteHooks(TypedDict, total=False):
    """The keywords of a v2 bulk delete (``delete_v2_jobs``, ``V2TrainingJobs.delete_many``):
    ``on_result(job_id, result)`` as answers come; ``should_stop()``, asked before each call."""

    on_result: Optional[OnResult]
    should_stop: Optional[Callable[[], bool]]


def delete_hooks(hooks: DeleteHooks) -> tuple[Optional[OnResult], Callable[[], bool]]:
    """``(on_result, should_stop)`` from ``hooks`` (absent: no callback, never stop); an
    unknown name raises ``TypeError``."""
    refuse_unknown(hooks, DeleteHooks.__annotations__)
    return hooks.get("on_result"), hooks.get("should_stop") or (lambda: False)


class VersionOptions(TypedDict, total=False):
    """The keywords of ``create_job_version(job_id, ...)``: the version to start from
    (``pre_version_id``; absent: the service's choice), a description (``job_desc``) and the
    create-version ``config`` fields."""

    pre_version_id: Optional[IdLike]
    job_desc: str
    config: Optional[Mapping[str, object]]


@dataclass(frozen=True)
class NewVersion:
    """A v1 job version to create, ids checked (:func:`new_version`); ``config`` as given."""

    job_id: str
    pre_version_id: Optional[int]
    job_desc: str
    config: dict[str, Any]

    def fields(self) -> dict[str, Any]:
        """The create-version body's ``config``: ``config`` with ``pre_version_id`` if given."""
        fields = dict(self.config)
        if self.pre_version_id is not None:
            fields["pre_version_id"] = self.pre_version_id
        return fields

    def created(self, data: Mapping[str, Any]) -> JobVersion:
        """The created version from an answer's fields (of this job);
        :class:`~modelarts_widgets.errors.MalformedResponseError` if they cannot be read."""
        job_id = int(self.job_id)
        return parse_one(lambda d: JobVersion.from_api(d, job_id=job_id), data, "job version")


def new_version(job_id: IdLike, options: VersionOptions) -> NewVersion:
    """The version ``options`` ask for, of ``job_id``: a bad id raises
    :class:`~modelarts_widgets.errors.InvalidIdError`, an unknown name ``TypeError``."""
    refuse_unknown(options, VersionOptions.__annotations__)
    jid = ids.training_id(job_id, "job id")
    pre = options.get("pre_version_id")
    return NewVersion(
        job_id=jid,
        pre_version_id=None if pre is None else int(ids.training_id(pre, "pre_version_id")),
        job_desc=options.get("job_desc", ""),
        config=dict(options.get("config") or {}),
    )
