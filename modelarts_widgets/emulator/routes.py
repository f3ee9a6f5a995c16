"""The URL table: method + path template -> handler and the kind of authentication it needs.

``auth`` is ``"project"`` (token or AK/SK, and the URL's ``{project_id}`` must be the
caller's), ``"iam"`` (token or AK/SK, no project check) or ``"none"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import Pattern
from typing import Optional

from . import handlers as h
from . import v2_handlers as h2
from .config import EmulatorConfig

CONTROL_PREFIX = "/_emulator/"


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: h.Handler
    auth: str
    regex: Pattern[str]


def _compile(template: str) -> Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile(f"^{pattern}/?$")


def _route(method: str, template: str, handler: h.Handler, auth: str) -> Route:
    return Route(method, template, handler, auth, _compile(template))


def _control(method: str, name: str, handler: h.Handler) -> Route:
    """A control endpoint: under :data:`CONTROL_PREFIX`, so the application serves it to
    loopback clients only, without authentication, faults or statistics."""
    return _route(method, CONTROL_PREFIX + name, handler, "none")


P = "/v1/{project_id}"
P2 = "/v2/{project_id}"
#: v1 training-management routes: absent in a region served with ``v1_training=False``
V1_TRAINING_PREFIXES = (f"{P}/training-jobs", f"{P}/visualization-jobs")
BATCH_DELETE = f"{P2}/training-jobs/batch-delete"
ROUTES: list[Route] = [
    _route("GET", f"{P}/training-jobs", h.list_training_jobs, "project"),
    _route("DELETE", f"{P}/training-jobs/{{job_id}}", h.delete_training_job, "project"),
    _route("GET", f"{P}/training-jobs/{{job_id}}/versions", h.list_versions, "project"),
    _route("POST", f"{P}/training-jobs/{{job_id}}/versions", h.create_version, "project"),
    _route(
        "GET", f"{P}/training-jobs/{{job_id}}/versions/{{version_id}}", h.get_version, "project"
    ),
    _route(
        "DELETE",
        f"{P}/training-jobs/{{job_id}}/versions/{{version_id}}",
        h.delete_version,
        "project",
    ),
    _route("GET", f"{P}/workspaces", h.list_workspaces, "project"),
    _route("GET", f"{P}/visualization-jobs", h.list_visualization_jobs, "project"),
    _route("POST", f"{P}/visualization-jobs", h.create_visualization_job, "project"),
    _route("GET", f"{P}/visualization-jobs/{{job_id}}", h.get_visualization_job, "project"),
    _route("DELETE", f"{P}/visualization-jobs/{{job_id}}", h.delete_visualization_job, "project"),
    _route("POST", f"{P2}/training-job-searches", h2.search_training_jobs, "project"),
    _route("POST", BATCH_DELETE, h2.batch_delete_training_jobs, "project"),
    _route("GET", f"{P2}/training-jobs/{{training_job_id}}", h2.get_training_job, "project"),
    _route("DELETE", f"{P2}/training-jobs/{{training_job_id}}", h2.delete_training_job, "project"),
    _route(
        "POST",
        f"{P2}/training-jobs/{{training_job_id}}/actions",
        h2.terminate_training_job,
        "project",
    ),
    _route("POST", "/v3/auth/tokens", h.post_tokens, "none"),
    _route("GET", "/v3/projects", h.get_projects, "iam"),
    _route("PUT", "/meta-data/latest/api/token", h.put_metadata_token, "none"),
    _route("GET", "/openstack/latest/securitykey", h.get_securitykey, "none"),
    _route("GET", "/tensorboard/{job_id}", h.tensorboard_page, "none"),
    _control("POST", "reset", h.control_reset),
    _control("POST", "seed", h.control_seed),
    _control("POST", "faults", h.control_set_faults),
    _control("DELETE", "faults", h.control_clear_faults),
    _control("POST", "advance", h.control_advance),
    _control("POST", "expire-tokens", h.control_expire_tokens),
    _control("GET", "stats", h.control_stats),
]


def unpublished(route: Route, config: EmulatorConfig) -> bool:
    """Whether this region lacks the route: v1 training (``v1_training=False``) or the v2
    batch delete (``batch_delete=False``); the gateway then answers as for an unknown API."""
    if route.template.startswith(V1_TRAINING_PREFIXES):
        return not config.v1_training
    if route.template == BATCH_DELETE:
        return not config.batch_delete
    return False


def match(method: str, path: str) -> tuple[Optional[Route], dict[str, str], bool]:
    """``(route, path args, path_known)``; ``path_known`` with no route means 405."""
    path_known = False
    for route in ROUTES:
        found = route.regex.match(path)
        if found is None:
            continue
        if route.method == method.upper():
            return route, found.groupdict(), True
        path_known = True
    return None, {}, path_known
