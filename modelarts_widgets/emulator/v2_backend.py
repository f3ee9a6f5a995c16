"""Emulator state and rules for v2 training jobs (no HTTP).

Follows the vendor pages (``reference/otc-api-ref/v2-training/``) and the official SDK's
request models: ``POST /v2/{p}/training-job-searches`` (``offset``/``limit`` paging, filters,
sort), details, asynchronous delete and all-or-nothing batch delete. Errors are v2 bodies,
``{"error_code", "error_msg"}``, with the HTTP status of the vendor's error-code table.

Decisions where the docs are silent (documented in docs/emulator.md):

- ``offset`` is a page index by default (``config.v2_offset == "pages"``); ``"items"`` reads it
  as an item offset, the other reading seen in the wild.
- ``total`` is the number of jobs that match the search, ``count`` the number of items in this
  answer (the docs' example: ``total`` 5059, ``count`` 1 with ``limit`` 1).
- A search without ``workspace_id`` searches workspace ``"0"`` (the SDK's documented default).
- Kinds and phases are kept as given, never checked against a list: the vendor's page
  (``querying_a_training_job_list.rst``) names only kind ``job``, the SDK eight kinds
  (``reference/README.md``, "An item").
- A missing job answers 400 ``ModelArts.2775`` (TrainingJobNotFound), as in the error table.
- A deleted job stays listed in phase ``Terminating`` for ``delete_delay`` seconds (or until
  :meth:`V2Backend.advance` in manual mode), then it is gone; deleting it again meanwhile is
  accepted again.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional

from .config import ApiError, EmulatorConfig, Json, cloud_error

SORT_KEYS = ("create_time", "name", "duration", "phase", "kind")
MAX_LIMIT = 50
MAX_BATCH = 100
#: filter key -> operators it accepts
FILTER_OPERATORS: dict[str, tuple[str, ...]] = {
    "name": ("like",),
    "algorithm_name": ("like",),
    "phase": ("in", "not"),
    "kind": ("in", "not"),
    "user_id": ("in", "not"),
    "runtime_type": ("in", "not"),
    "create_time": ("between",),
}


def not_found(job_id: str) -> ApiError:
    return cloud_error(400, "ModelArts.2775", f"Training job not found. job_id: {job_id}")


def invalid(message: str, code: str = "ModelArts.2788") -> ApiError:
    return cloud_error(400, code, message)


def _int_field(body: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"InvalidParam: {name} must be an integer, got {value!r}.")
    if not low <= value <= high:
        raise invalid(
            f"ParamRangeError: {name} must be in [{low}, {high}], got {value}.", "ModelArts.2816"
        )
    return value


class V2Backend:
    """All v2 training jobs; shares the v1 backend's lock and clock."""

    def __init__(
        self, config: EmulatorConfig, clock: Callable[[], float], lock: threading.RLock
    ) -> None:
        self.config = config
        self._clock = clock
        self._lock = lock
        self._jobs: dict[str, Json] = {}
        self._pending: dict[str, Optional[float]] = {}
        self._stopping: dict[str, Optional[float]] = {}
        self._refusals: dict[str, ApiError] = {}
        self._counter = 0

    # ------------------------------------------------------------------ state
    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._pending.clear()
            self._stopping.clear()
            self._refusals.clear()
            self._counter = 0

    def add_job(
        self,
        name: str,
        *,
        kind: str = "job",
        phase: str = "Completed",
        secondary_phase: Optional[str] = None,
        workspace_id: str = "0",
        create_time: Optional[int] = None,
        duration: int = 0,
        description: str = "",
        job_id: Optional[str] = None,
    ) -> str:
        """Add a v2 job (no validation: unknown kinds/phases are kept); returns its id."""
        with self._lock:
            self._counter += 1
            jid = job_id or str(uuid.uuid5(uuid.NAMESPACE_OID, f"v2-{name}-{self._counter}"))
            if jid in self._jobs:
                raise ValueError(f"v2 training job {jid} already exists")
            created = create_time if create_time is not None else int(self._clock() * 1000)
            self._jobs[jid] = {
                "kind": kind,
                "metadata": {
                    "id": jid,
                    "name": name,
                    "workspace_id": workspace_id,
                    "description": description,
                    "create_time": created,
                    "user_name": self.config.username,
                    "annotations": {},
                },
                "status": {
                    "phase": phase,
                    "secondary_phase": secondary_phase or phase,
                    "duration": int(duration),
                    "start_time": created + 15_000 if phase not in ("Creating", "Pending") else 0,
                    "tasks": ["worker-0"],
                },
                "algorithm": {
                    "code_dir": f"obs://bucket/{name}/code/",
                    "boot_file": f"obs://bucket/{name}/code/train.py",
                    "engine": {
                        "engine_id": "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64",
                        "engine_name": "PyTorch",
                        "engine_version": "pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64",
                    },
                },
                "spec": {
                    "resource": {
                        "policy": "regular",
                        "flavor_id": "modelarts.vm.cpu.8u",
                        "node_count": 1,
                    }
                },
            }
            return jid

    def set_phase(self, job_id: str, phase: str, secondary_phase: Optional[str] = None) -> None:
        """Change a job's phase (tests, demos)."""
        with self._lock:
            status = self._job(job_id)["status"]
            status["phase"] = phase
            status["secondary_phase"] = secondary_phase or phase

    def refuse_delete(
        self,
        job_id: str,
        status: int = 409,
        error_code: str = "ModelArts.2878",
        error_msg: str = "JobStatusChanged: the job cannot be deleted now.",
    ) -> None:
        """From now on, deleting ``job_id`` (alone or in a batch) is refused with this answer."""
        with self._lock:
            self._job(job_id)
            self._refusals[job_id] = cloud_error(status, error_code, error_msg)

    def job_ids(self, kind: Optional[str] = None) -> list[str]:
        """Current job ids (pending deletes included), oldest first."""
        with self._lock:
            self._reap()
            jobs = sorted(
                self._jobs.values(),
                key=lambda j: (j["metadata"]["create_time"], j["metadata"]["id"]),
            )
            return [j["metadata"]["id"] for j in jobs if kind is None or j["kind"] == kind]

    def workspace_ids(self) -> list[str]:
        """``"0"`` plus every workspace a job lives in."""
        with self._lock:
            return sorted({"0"} | {j["metadata"]["workspace_id"] for j in self._jobs.values()})

    # ------------------------------------------------------------------ async deletion
    def _reap(self, everything: bool = False) -> int:
        """Finish the deletes and terminations that are due (all of them: ``everything``)."""
        now = self._clock()

        def due(when: Optional[float]) -> bool:
            return everything or (when is not None and when <= now)

        stopped = [j for j, when in self._stopping.items() if due(when)]
        for jid in stopped:
            self._stopping.pop(jid)
            if jid in self._jobs and jid not in self._pending:
                status = self._jobs[jid]["status"]
                status["phase"] = status["secondary_phase"] = "Terminated"
        gone = [j for j, when in self._pending.items() if due(when)]
        for jid in gone:
            self._pending.pop(jid)
            self._jobs.pop(jid, None)
            self._refusals.pop(jid, None)
        return len(stopped) + len(gone)

    def advance(self) -> int:
        """Complete every pending delete and termination now; returns how many."""
        with self._lock:
            return self._reap(everything=True)

    def pending_deletes(self) -> int:
        with self._lock:
            self._reap()
            return len(self._pending)

    def _schedule(self, jid: str) -> None:
        status = self._jobs[jid]["status"]
        status["phase"] = status["secondary_phase"] = "Terminating"
        delay = self.config.delete_delay
        if jid not in self._pending:
            self._pending[jid] = None if delay is None else self._clock() + delay

    # ------------------------------------------------------------------ reads
    def _job(self, job_id: str) -> Json:
        job = self._jobs.get(job_id)
        if job is None:
            raise not_found(job_id)
        return job

    def get(self, job_id: str) -> Json:
        """The body of ``GET /v2/{p}/training-jobs/{id}``."""
        with self._lock:
            self._reap()
            return copy.deepcopy(self._job(job_id))

    def search(self, body: Any) -> Json:
        """The body of ``POST /v2/{p}/training-job-searches``."""
        if not isinstance(body, Mapping):
            raise invalid(
                "InvalidJsonBody: the request body must be a JSON object.", "ModelArts.2787"
            )
        offset = _int_field(body, "offset", 0, 0, 2**31 - 1)
        limit = _int_field(body, "limit", 10, 1, MAX_LIMIT)
        sort_by = body.get("sort_by") or "create_time"
        if sort_by not in SORT_KEYS:
            raise invalid(f"UnsupportedSortBy: {sort_by!r}.", "ModelArts.2790")
        order = body.get("order") or "desc"
        if order not in ("asc", "desc"):
            raise invalid(f"InvalidParam: order must be asc or desc, got {order!r}.")
        group_by = body.get("group_by") or ""
        workspace = body.get("workspace_id")
        workspace = "0" if workspace in (None, "") else workspace
        if not isinstance(workspace, str) or not isinstance(group_by, str):
            raise invalid("InvalidParam: workspace_id and group_by must be strings.")
        tests = _filters(body.get("filters"), self.config.user_id)
        with self._lock:
            self._reap()
            matched = [
                job
                for job in self._jobs.values()
                if job["metadata"]["workspace_id"] == workspace and all(t(job) for t in tests)
            ]
            matched.sort(key=lambda j: j["metadata"]["id"])
            matched.sort(key=lambda j: _sort_value(j, sort_by), reverse=order == "desc")
            start = offset * limit if self.config.v2_offset == "pages" else offset
            items = copy.deepcopy(matched[start : start + limit])
        return {
            "total": len(matched),
            "count": len(items),
            "limit": limit,
            "offset": offset,
            "sort_by": sort_by,
            "order": order,
            "group_by": group_by,
            "workspace_id": workspace,
            "ai_project": "default-ai-project",
            "items": items,
        }

    def terminate(self, job_id: str, body: Any) -> Json:
        """``POST …/actions`` ``{"action_type": "terminate"}``: Creating/Pending/Running jobs go
        Terminating, then Terminated after ``delete_delay`` (or :meth:`advance`)."""
        action = body.get("action_type") if isinstance(body, Mapping) else None
        if action != "terminate":
            raise invalid(f"UnsupportedActionType: {action!r}.", "ModelArts.2812")
        with self._lock:
            self._reap()
            job = self._job(job_id)
            status = job["status"]
            if status["phase"] not in ("Creating", "Pending", "Running"):
                raise cloud_error(
                    409,
                    "ModelArts.2796",
                    f"NotAllowedToTerminate: the job is {status['phase']}.",
                )
            status["phase"] = status["secondary_phase"] = "Terminating"
            delay = self.config.delete_delay
            self._stopping[job_id] = None if delay is None else self._clock() + delay
            self._reap()
            return copy.deepcopy(job)

    # ------------------------------------------------------------------ deletes
    def delete(self, job_id: str) -> None:
        """Start deleting one job (accepted again while it is pending)."""
        with self._lock:
            self._reap()
            self._job(job_id)
            refusal = self._refusals.get(job_id)
            if refusal is not None:
                raise refusal
            self._schedule(job_id)
            self._reap()

    def batch_delete(self, body: Any) -> None:
        """All or nothing: ≤ 100 jobs, all existing, one workspace, none refused."""
        jobs = body.get("jobs") if isinstance(body, Mapping) else None
        if not isinstance(jobs, list) or not jobs:
            raise invalid("InvalidParam: jobs must be a non-empty list.")
        if len(jobs) > MAX_BATCH:
            raise invalid(
                f"ParamRangeError: at most {MAX_BATCH} jobs per batch, got {len(jobs)}.",
                "ModelArts.2816",
            )
        ids: list[str] = []
        for entry in jobs:
            meta = entry.get("metadata") if isinstance(entry, Mapping) else None
            jid = meta.get("id") if isinstance(meta, Mapping) else None
            kind = entry.get("kind") if isinstance(entry, Mapping) else None
            if (
                not isinstance(jid, str)
                or not jid
                or (kind is not None and not isinstance(kind, str))
            ):
                raise invalid("InvalidParam: every job needs kind and metadata.id strings.")
            ids.append(jid)
        with self._lock:
            self._reap()
            for jid in ids:
                self._job(jid)
            if len({self._jobs[j]["metadata"]["workspace_id"] for j in ids}) > 1:
                raise invalid("InvalidParam: all jobs of a batch must be in the same workspace.")
            for jid in ids:
                if jid in self._refusals:
                    raise self._refusals[jid]
            for jid in ids:
                self._schedule(jid)
            self._reap()

    def stats(self) -> Json:
        with self._lock:
            self._reap()
            return {"v2_training_jobs": len(self._jobs), "v2_pending_deletes": len(self._pending)}


def _sort_value(job: Json, key: str) -> tuple[int, Any]:
    if key == "kind":
        value = job["kind"]
    elif key in ("phase", "duration"):
        value = job["status"].get(key)
    else:
        value = job["metadata"].get(key)
    return (1, value.casefold()) if isinstance(value, str) else (0, value or 0)


def _filters(raw: Any, user_id: str) -> list[Callable[[Json], bool]]:
    """Validate the ``filters`` list; one predicate per filter that has values."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("InvalidParam: filters must be a list.")
    tests: list[Callable[[Json], bool]] = []
    for spec in raw:
        if not isinstance(spec, Mapping):
            raise invalid("InvalidParam: every filter must be an object.")
        key, operator, values = spec.get("key"), spec.get("operator"), spec.get("value", [])
        if key not in FILTER_OPERATORS:
            raise invalid(f"UnsupportedConditionKey: {key!r}.", "ModelArts.2807")
        if operator not in FILTER_OPERATORS[key]:
            raise invalid(
                f"UnsupportedConditionOperator: {operator!r} for {key}.", "ModelArts.2808"
            )
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise invalid(
                f"UnsupportedConditionValue: {key} needs a list of strings.", "ModelArts.2809"
            )
        test = _predicate(str(key), str(operator), values, user_id)
        if test is not None:
            tests.append(test)
    return tests


def _field(job: Json, key: str, user_id: str) -> str:
    if key == "kind":
        return str(job["kind"])
    if key == "phase":
        return str(job["status"]["phase"])
    if key == "name":
        return str(job["metadata"]["name"])
    if key == "algorithm_name":
        return str(job.get("algorithm", {}).get("name", ""))
    if key == "user_id":
        return user_id
    return ""  # runtime_type: no emulated job has one


def _predicate(
    key: str, operator: str, values: Sequence[str], user_id: str
) -> Optional[Callable[[Json], bool]]:
    if operator == "between":
        if len(values) != 2:
            raise invalid(
                "UnsupportedConditionValue: between needs [start, end].", "ModelArts.2809"
            )
        try:
            low, high = (int(v) if v.strip() else None for v in values)
        except ValueError:
            raise invalid(
                "UnsupportedConditionValue: create_time bounds are ms.", "ModelArts.2809"
            ) from None
        if low is None and high is None:
            return None

        def within(job: Json) -> bool:
            created = int(job["metadata"]["create_time"])
            return (low is None or created >= low) and (high is None or created <= high)

        return within
    wanted = [v for v in values if v != ""]
    if not wanted:
        return None
    if operator == "like":
        needles = [v.casefold() for v in wanted]
        return lambda job: any(n in _field(job, key, user_id).casefold() for n in needles)
    if operator == "in":
        return lambda job: _field(job, key, user_id) in wanted
    return lambda job: _field(job, key, user_id) not in wanted
