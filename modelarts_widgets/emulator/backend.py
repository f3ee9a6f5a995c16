"""Emulator state and rules (no HTTP): jobs, versions, visualization jobs, deletes, stats.

Every public method takes the one lock, so the threaded server can call them concurrently.
Rule violations raise :class:`ApiError`, which carries the exact HTTP status and JSON body.

Deletes are asynchronous: a DELETE marks the item *pending*; it stays listed with its status
until ``delete_delay`` seconds pass (timed mode) or :meth:`Backend.advance` runs (manual mode,
``delete_delay=None``). Completing the deletion of a job's last version removes the job too
(the real service's behaviour is undocumented; an empty job is never shown by the console).
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .config import EmulatorConfig, Json, bad_param, not_found, v1_error
from .identity import Identity
from .v2_backend import V2Backend

#: What each list sorts by; the first is its default.
TRAINING_SORT_KEYS = (
    "job_name",
    "job_desc",
    "status",
    "duration",
    "version_count",
    "create_time",
    "engine_type",
    "job_id",
)
VISUALIZATION_SORT_KEYS = (
    "job_id",
    "job_name",
    "job_desc",
    "create_time",
    "status",
    "duration",
    "log_dir",
)
VIS_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")

ENGINES: tuple[tuple[int, str, str], ...] = (
    (1, "TensorFlow", "TF-2.1.0-python3.6"),
    (10, "PyTorch", "PyTorch-1.8.0-python3.7"),
    (2, "MXNet", "MXNet-1.2.1-python3.6"),
    (9, "XGBoost-Sklearn", "Scikit_Learn-0.18.1-python3.6"),
    (3, "Ray", "Ray-0.7.4-python3.6"),
)


@dataclass
class _State:
    jobs: dict[int, Json] = field(default_factory=dict)
    vis: dict[int, Json] = field(default_factory=dict)
    pending: dict[tuple[Any, ...], Optional[float]] = field(default_factory=dict)
    next_job_id: int = 182601
    next_version_id: int = 278801
    next_vis_id: int = 8991
    workspaces: dict[str, Json] = field(default_factory=lambda: {"0": _workspace("0", "default")})


def _workspace(workspace_id: str, name: str) -> Json:
    """A row of ``GET /v1/{project_id}/workspaces`` (Huawei Cloud's fields)."""
    return {
        "id": workspace_id,
        "name": name,
        "description": "",
        "owner": "demo-user",
        "create_time": 1_735_689_600_000,
        "update_time": 1_735_689_600_000,
        "enterprise_project_id": "0",
        "enterprise_project_name": "default",
        "auth_type": "PUBLIC",
        "status": "NORMAL",
        "status_info": "",
    }


@dataclass(frozen=True)
class ListQuery:
    """The query of a v1 job list (``GET /v1/{p}/training-jobs`` or ``.../visualization-jobs``).

    ``sort_by=None`` sorts by the list's default key; ``status=None`` keeps every status and
    ``workspace_id=None`` lists the default workspace ``"0"``.
    """

    page: int = 1
    per_page: int = 10
    sort_by: Optional[str] = None
    order: str = "asc"
    search_content: str = ""
    status: Optional[Sequence[int]] = None
    workspace_id: Optional[str] = None

    def check(self, sort_keys: tuple[str, ...]) -> str:
        """Refuse what the service refuses (400 ``ModelArts.0104``); the key to sort by."""
        _page_args(self.page, self.per_page)
        if self.page < 1:
            raise bad_param(f"page should be in [1,65535], got {self.page}")
        sort_by = self.sort_by or sort_keys[0]
        if sort_by not in sort_keys:
            raise bad_param(f"sortBy should be one of {', '.join(sort_keys)}, got {sort_by!r}")
        if self.order not in ("asc", "desc"):
            raise bad_param(f"order should be asc or desc, got {self.order!r}")
        if len(self.search_content) > 100:
            raise bad_param("The length of search_content should be in [0,100].")
        return sort_by


def _page_args(page: int, per_page: int) -> None:
    if not 1 <= per_page <= 1000:
        raise bad_param(f"per_page should be in [1,1000], got {per_page}")
    if not 0 <= page <= 65535:
        raise bad_param(f"page should be in [1,65535], got {page}")


def _sort_value(row: Json, key: str) -> tuple[Any, ...]:
    value = row.get(key)
    if isinstance(value, str):
        return (1, value.casefold())
    if value is None:
        return (0, 0)
    return (1, value)


def slug(name: str) -> str:
    """A job name as an OBS path segment."""
    return re.sub(r"[\s/]+", "-", name.strip().lower()) or "job"


class Backend:
    """All emulator state; thread-safe."""

    def __init__(self, config: Optional[EmulatorConfig] = None) -> None:
        self.config = config or EmulatorConfig()
        self.clock: Callable[[], float] = time.time
        self._lock = threading.RLock()
        self._state = _State()
        self.identity = Identity(self.config, lambda: self.clock())
        self._requests: Counter[str] = Counter()
        self._delete_calls: Counter[str] = Counter()
        #: v2 training jobs (same lock and clock)
        self.v2 = V2Backend(self.config, lambda: self.clock(), self._lock)

    # ------------------------------------------------------------------ state management
    def reset(self) -> None:
        """Forget all jobs, pending deletes, tokens and counters."""
        with self._lock:
            self._state = _State()
            self.v2.clear()
            self.identity.reset()
            self._requests.clear()
            self._delete_calls.clear()

    def clear_data(self) -> None:
        """Forget all jobs and pending deletes (keeps tokens and counters)."""
        with self._lock:
            self._state = _State()
            self.v2.clear()

    def add_training_job(
        self,
        name: str,
        versions: Optional[Sequence[Mapping[str, Any]]] = None,
        *,
        job_desc: str = "",
        create_time: Optional[int] = None,
        workspace_id: str = "0",
        job_id: Optional[int] = None,
    ) -> tuple[int, list[int]]:
        """Add a job; ``versions`` are field overrides, oldest first. ``(job_id, version_ids)``.

        ``job_id`` picks the id (e.g. the ids printed in the SDK docs); it must be free.
        """
        with self._lock:
            st = self._state
            if job_id is None:
                job_id = st.next_job_id
            elif int(job_id) in st.jobs:
                raise ValueError(f"training job {int(job_id)} already exists")
            job_id = int(job_id)
            st.next_job_id = max(st.next_job_id, job_id) + 1
            now_ms = int(self.clock() * 1000)
            job: Json = {
                "job_id": job_id,
                "job_name": name,
                "job_desc": job_desc,
                "create_time": create_time if create_time is not None else now_ms,
                "workspace_id": workspace_id,
                "versions": {},
            }
            st.jobs[job_id] = job
            ids = [self._new_version(job, dict(spec)) for spec in (versions or [{}])]
            return job_id, ids

    def _new_version(self, job: Json, spec: Json) -> int:
        st = self._state
        vid = int(spec.pop("version_id", st.next_version_id))
        st.next_version_id = max(st.next_version_id, vid) + 1
        versions: dict[int, Json] = job["versions"]
        numbers = [
            int(v["version_name"][1:])
            for v in versions.values()
            if re.fullmatch(r"V\d+", v["version_name"])
        ]
        number = max(numbers) + 1 if numbers else len(versions) + 1
        name = str(spec.get("version_name") or f"V{number:04d}")
        engine_type, engine_name, engine_version = ENGINES[job["job_id"] % len(ENGINES)]
        create_time = int(spec.get("create_time", job["create_time"] + 3_600_000 * (number - 1)))
        base = f"/bucket/{slug(job['job_name'])}/{name}"
        version: Json = {
            "version_id": vid,
            "version_name": name,
            "pre_version_id": max(versions) if versions else None,
            "engine_type": engine_type,
            "engine_name": engine_name,
            "engine_id": engine_type,
            "engine_version": engine_version,
            "status": 10,
            "app_url": f"/bucket/{slug(job['job_name'])}/code/",
            "boot_file_url": f"/bucket/{slug(job['job_name'])}/code/train.py",
            "create_time": create_time,
            "start_time": create_time + 30_000,
            "duration": 600_000,
            "parameter": [{"label": "learning_rate", "value": "0.01"}],
            "spec_id": 1,
            "spec_code": "modelarts.vm.cpu.8u",
            "core": "8",
            "cpu": "8",
            "gpu": False,
            "gpu_num": 0,
            "gpu_type": "",
            "worker_server_num": 1,
            "data_url": f"/bucket/{slug(job['job_name'])}/data/",
            "train_url": f"{base}/output/",
            "log_url": f"{base}/log/",
            "dataset_id": "",
            "dataset_version_id": "",
            "dataset_name": "",
            "dataset_version_name": "",
            "data_source": [{"type": "obs", "data_url": f"/bucket/{slug(job['job_name'])}/data/"}],
            "model_id": 0,
            "model_metric_list": json.dumps([{"metric": "accuracy", "value": 0.9}]),
            "system_metric_list": json.dumps({"cpuUsage": ["0"], "gpuUtil": ["0"]}),
            "user_image_url": "",
            "user_command": "",
            "resource_id": uuid.uuid5(uuid.NAMESPACE_OID, f"res{vid}").hex,
            "pool_id": "",
            "pool_name": "",
            "volumes": [],
            "nas_mount_path": "",
            "nas_share_addr": "",
            "nas_type": "nfs",
        }
        for key, value in spec.items():
            if key in ("model_metric_list", "system_metric_list") and not isinstance(value, str):
                value = json.dumps(value)
            version[key] = value
        versions[vid] = version
        return vid

    def add_visualization_job(
        self,
        name: str,
        *,
        status: int = 8,
        train_url: str = "/bucket/logs/",
        job_desc: str = "",
        job_type: str = "tensorboard",
        create_time: Optional[int] = None,
        duration: int = 0,
        workspace_id: str = "0",
        job_id: Optional[int] = None,
    ) -> int:
        """Add a visualization job (no validation of ``name``); returns its id."""
        with self._lock:
            st = self._state
            vid = int(job_id) if job_id is not None else st.next_vis_id
            st.next_vis_id = max(st.next_vis_id, vid) + 1
            st.vis[vid] = {
                "job_id": vid,
                "job_name": name,
                "job_desc": job_desc,
                "status": int(status),
                "create_time": create_time if create_time is not None else int(self.clock() * 1000),
                "duration": int(duration),
                "train_url": train_url,
                "job_type": job_type,
                "resource_id": uuid.uuid5(uuid.NAMESPACE_OID, f"vis{vid}").hex,
                "flavor": {"code": "modelarts.vm.cpu.2u"},
                "schedule": {"type": "stop", "time_unit": "HOURS", "duration": 1},
                "workspace_id": workspace_id,
            }
            return vid

    def add_workspace(self, name: str, workspace_id: Optional[str] = None) -> str:
        """Add a workspace; returns its id (32 hex characters unless given)."""
        with self._lock:
            wid = workspace_id or uuid.uuid5(uuid.NAMESPACE_OID, f"workspace {name}").hex
            self._state.workspaces[wid] = _workspace(wid, name)
            return wid

    def workspace_ids(self) -> list[str]:
        """The workspaces, default ``"0"`` first."""
        with self._lock:
            return list(self._state.workspaces)

    def list_workspaces(self) -> Json:
        """The body of ``GET /v1/{p}/workspaces``."""
        with self._lock:
            rows = [copy.deepcopy(ws) for ws in self._state.workspaces.values()]
        return {"total_count": len(rows), "count": len(rows), "workspaces": rows}

    def set_version_status(self, job_id: int, version_id: int, status: int) -> None:
        """Change a version's status (tests/demos)."""
        with self._lock:
            self._version(job_id, version_id)["status"] = int(status)

    def set_visualization_status(self, job_id: int, status: int) -> None:
        """Change a visualization job's status (tests/demos)."""
        with self._lock:
            self._vis(str(job_id))["status"] = int(status)

    def training_version_ids(self) -> list[tuple[int, int]]:
        """Every current ``(job_id, version_id)``, jobs and versions ascending."""
        with self._lock:
            self._reap()
            return [(j, v) for j in sorted(self._state.jobs) for v in sorted(self._versions(j))]

    def visualization_job_ids(self) -> list[int]:
        with self._lock:
            self._reap()
            return sorted(self._state.vis)

    # ------------------------------------------------------------------ async deletion
    def _reap(self) -> None:
        now = self.clock()
        due = [k for k, t in self._state.pending.items() if t is not None and t <= now]
        for key in due:
            self._complete(key)

    def _complete(self, key: tuple[Any, ...]) -> None:
        st = self._state
        st.pending.pop(key, None)
        if key[0] == "version":
            job = st.jobs.get(key[1])
            if job is not None:
                job["versions"].pop(key[2], None)
                if not job["versions"]:
                    st.jobs.pop(key[1], None)
        elif key[0] == "job":
            job = st.jobs.pop(key[1], None)
            for vid in job["versions"] if job else ():
                st.pending.pop(("version", key[1], vid), None)
        else:
            st.vis.pop(key[1], None)

    def _schedule(self, key: tuple[Any, ...]) -> None:
        delay = self.config.delete_delay
        self._state.pending[key] = None if delay is None else self.clock() + delay

    def advance(self) -> int:
        """Complete every pending deletion now; returns how many completed."""
        with self._lock:
            keys = list(self._state.pending)
            for key in keys:
                self._complete(key)
            return len(keys) + self.v2.advance()

    def pending_deletes(self) -> int:
        with self._lock:
            self._reap()
            return len(self._state.pending)

    def _refuse(self, status: int) -> None:
        if status in self.config.refused_delete_statuses:
            raise v1_error(
                self.config.refusal_status,
                "ModelArts.0105",
                f"This job can't be delete. job status: {status}",
            )

    # ------------------------------------------------------------------ training jobs
    def _job(self, job_id: int) -> Json:
        job = self._state.jobs.get(job_id)
        if job is None:
            raise not_found(self.config.not_found, "training job", job_id)
        return job

    def _versions(self, job_id: int) -> dict[int, Json]:
        versions: dict[int, Json] = self._job(job_id)["versions"]
        return versions

    def _version(self, job_id: int, version_id: int) -> Json:
        version = self._versions(job_id).get(version_id)
        if version is None:
            raise not_found(self.config.not_found, f"training job {job_id} version", version_id)
        return version

    def _job_row(self, job: Json) -> Json:
        versions: dict[int, Json] = job["versions"]
        latest = versions[max(versions)]
        return {
            "job_id": job["job_id"],
            "job_name": job["job_name"],
            "version_id": latest["version_id"],
            "status": latest["status"],
            "create_time": job["create_time"],
            "duration": latest["duration"],
            "job_desc": job["job_desc"],
            "version_count": len(versions),
            "engine_type": latest["engine_type"],
        }

    def list_training_jobs(self, query: Optional[ListQuery] = None) -> Json:
        """The body of ``GET /v1/{p}/training-jobs``."""
        q = query or ListQuery()
        sort_by = q.check(TRAINING_SORT_KEYS)
        with self._lock:
            self._reap()
            needle = q.search_content.casefold()
            rows = []
            for job in self._state.jobs.values():
                if needle and needle not in job["job_name"].casefold():
                    continue
                if job["workspace_id"] != (q.workspace_id or "0"):
                    continue
                row = self._job_row(job)
                if q.status is not None and row["status"] not in q.status:
                    continue
                rows.append(row)
            total = len(self._state.jobs)
        rows.sort(key=lambda r: (_sort_value(r, sort_by), r["job_id"]), reverse=q.order == "desc")
        start = (q.page - 1) * q.per_page
        jobs = rows[start : start + q.per_page]
        for row in jobs:
            row.pop("engine_type", None)
        return {
            "is_success": True,
            "quotas": 100,
            "job_total_count": len(rows),
            "job_count_limit": max(0, 1000 - total),
            "jobs": jobs,
        }

    def list_versions(self, job_id: int, *, page: int = 0, per_page: int = 10) -> Json:
        """The body of ``GET /v1/{p}/training-jobs/{job_id}/versions`` (newest first)."""
        _page_args(page, per_page)
        if page == 0 and self.config.versions_page0 == "first":
            page = 1
        with self._lock:
            self._reap()
            job = self._job(job_id)
            versions: dict[int, Json] = job["versions"]
            ids = sorted(versions, reverse=True)
            if page > 0:
                ids = ids[(page - 1) * per_page : page * per_page]
            return {
                "is_success": True,
                "job_id": job_id,
                "job_name": job["job_name"],
                "job_desc": job["job_desc"],
                "version_count": len(versions),
                "versions": [copy.deepcopy(versions[v]) for v in ids],
            }

    def get_version(self, job_id: int, version_id: int) -> Json:
        """The body of ``GET .../versions/{version_id}``."""
        with self._lock:
            self._reap()
            job = self._job(job_id)
            version = copy.deepcopy(self._version(job_id, version_id))
            return {
                "is_success": True,
                "job_id": job_id,
                "job_name": job["job_name"],
                "job_desc": job["job_desc"],
                **version,
            }

    def delete_version(self, job_id: int, version_id: int) -> Json:
        """Start deleting a version (idempotent while pending)."""
        with self._lock:
            self._reap()
            version = self._version(job_id, version_id)
            key = ("version", job_id, version_id)
            if key in self._state.pending or ("job", job_id) in self._state.pending:
                return {"is_success": True}
            self._refuse(version["status"])
            self._schedule(key)
            self._reap()
            return {"is_success": True}

    def delete_training_job(self, job_id: int) -> Json:
        """Start deleting a whole job (refused if any version is in a refused status)."""
        with self._lock:
            self._reap()
            job = self._job(job_id)
            key = ("job", job_id)
            if key in self._state.pending:
                return {"is_success": True}
            for version in job["versions"].values():
                self._refuse(version["status"])
            self._schedule(key)
            self._reap()
            return {"is_success": True}

    def create_version(self, job_id: int, body: Mapping[str, Any]) -> Json:
        """``POST .../versions``: body ``{"job_desc", "config": {...}}`` (or flat fields)."""
        config = body.get("config", body)
        if not isinstance(config, Mapping):
            raise bad_param("config must be an object")
        with self._lock:
            self._reap()
            job = self._job(job_id)
            versions: dict[int, Json] = job["versions"]
            pre = config.get("pre_version_id")
            if pre is not None:
                try:
                    pre_id = int(pre)
                except (TypeError, ValueError):
                    raise bad_param(f"Invalid pre_version_id: {pre!r}") from None
                if pre_id not in versions:
                    raise bad_param(f"pre_version_id {pre_id} does not belong to job {job_id}")
            else:
                pre_id = max(versions)
            allowed = (
                "app_url", "boot_file_url", "data_url", "train_url", "log_url", "engine_id",
                "spec_id", "worker_server_num", "parameter", "dataset_id", "dataset_version_id",
                "user_image_url", "user_command", "model_id", "pool_id",
            )  # fmt: skip
            spec: Json = {k: config[k] for k in allowed if config.get(k) is not None}
            if "inputs" in config:
                spec["data_url"] = config["inputs"]
            spec.update(
                pre_version_id=pre_id, status=1, duration=0, create_time=int(self.clock() * 1000)
            )
            spec["start_time"] = spec["create_time"]
            if body.get("job_desc") is not None:
                job["job_desc"] = str(body["job_desc"])
            vid = self._new_version(job, spec)
            v = versions[vid]
            return {
                "is_success": True,
                "job_id": job_id,
                "job_name": job["job_name"],
                "version_id": vid,
                "version_name": v["version_name"],
                "status": v["status"],
                "create_time": v["create_time"],
            }

    # ------------------------------------------------------------------ visualization jobs
    def _vis(self, job_id: str) -> Json:
        try:
            key = int(job_id)
        except ValueError:
            key = -1
        job = self._state.vis.get(key)
        if job is None:
            raise not_found(self.config.not_found, "visualization job", job_id)
        return job

    def _vis_row(self, job: Json) -> Json:
        row = {k: v for k, v in job.items() if k not in ("workspace_id", "flavor", "schedule")}
        row["service_url"] = f"{self.config.base_url}/tensorboard/{job['job_id']}"
        return row

    def list_visualization_jobs(self, query: Optional[ListQuery] = None) -> Json:
        """The body of ``GET /v1/{p}/visualization-jobs``."""
        q = query or ListQuery()
        sort_by = q.check(VISUALIZATION_SORT_KEYS)
        key = "train_url" if sort_by == "log_dir" else sort_by
        with self._lock:
            self._reap()
            needle = q.search_content.casefold()
            records = [
                job
                for job in self._state.vis.values()
                if (not needle or needle in job["job_name"].casefold())
                and (q.status is None or job["status"] in q.status)
                and job["workspace_id"] == (q.workspace_id or "0")
            ]
            records.sort(
                key=lambda r: (_sort_value(r, key), r["job_id"]), reverse=q.order == "desc"
            )
            start = (q.page - 1) * q.per_page
            rows = [self._vis_row(job) for job in records[start : start + q.per_page]]
            total = len(self._state.vis)
        return {
            "is_success": True,
            "quotas": 100,
            "job_total_count": len(records),
            "job_count_limit": max(0, 1000 - total),
            "jobs": copy.deepcopy(rows),
        }

    def get_visualization_job(self, job_id: str) -> Json:
        with self._lock:
            self._reap()
            job = self._vis(job_id)
            row = self._vis_row(job)
            row.update(flavor=dict(job["flavor"]), schedule=dict(job["schedule"]))
            return {"is_success": True, **copy.deepcopy(row)}

    def delete_visualization_job(self, job_id: str) -> Json:
        with self._lock:
            self._reap()
            job = self._vis(job_id)
            key = ("vis", job["job_id"])
            if key in self._state.pending:
                return {"is_success": True}
            self._refuse(job["status"])
            self._schedule(key)
            self._reap()
            return {"is_success": True}

    def create_visualization_job(self, body: Mapping[str, Any]) -> Json:
        name = body.get("job_name")
        if not isinstance(name, str) or not VIS_NAME_RE.match(name):
            raise bad_param(
                "job_name must be 1-20 characters: letters, digits, hyphens and underscores"
            )
        desc = body.get("job_desc", "") or ""
        if not isinstance(desc, str) or len(desc) > 256:
            raise bad_param("job_desc must be a string of at most 256 characters")
        train_url = body.get("train_url")
        if not isinstance(train_url, str) or not train_url:
            raise bad_param("train_url is required")
        job_type = body.get("job_type", "tensorboard") or "tensorboard"
        if job_type not in ("tensorboard", "mindinsight"):
            raise bad_param("job_type must be tensorboard or mindinsight")
        vid = self.add_visualization_job(
            name, status=7, train_url=train_url, job_desc=desc, job_type=job_type
        )
        with self._lock:
            job = self._state.vis[vid]
            if isinstance(body.get("flavor"), Mapping):
                job["flavor"] = dict(body["flavor"])
            if isinstance(body.get("schedule"), Mapping):
                job["schedule"] = dict(body["schedule"])
            return {
                "is_success": True,
                "job_id": str(vid),
                "status": str(job["status"]),
                "create_time": job["create_time"],
            }

    def expire_tokens(self) -> None:
        """Expire every IAM token and temporary credential now."""
        self.identity.expire_tokens()

    # ------------------------------------------------------------------ statistics
    def record_request(self, method: str, route: str) -> None:
        with self._lock:
            self._requests[f"{method} {route}"] += 1

    def record_delete(self, path: str) -> None:
        with self._lock:
            self._delete_calls[path.rstrip("/")] += 1

    @property
    def delete_calls(self) -> dict[str, int]:
        """DELETE requests received, by request path (including refused/faulted ones)."""
        with self._lock:
            return dict(self._delete_calls)

    def stats(self) -> Json:
        with self._lock:
            self._reap()
            return {
                "requests": dict(self._requests),
                "delete_calls": dict(self._delete_calls),
                "pending_deletes": len(self._state.pending),
                "training_jobs": len(self._state.jobs),
                "training_versions": sum(len(j["versions"]) for j in self._state.jobs.values()),
                "visualization_jobs": len(self._state.vis),
                **self.v2.stats(),
            }
