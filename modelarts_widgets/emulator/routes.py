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


P = "/v1/{project_id}"
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
    _route("POST", "/v3/auth/tokens", h.post_tokens, "none"),
    _route("GET", "/v3/projects", h.get_projects, "iam"),
    _route("PUT", "/meta-data/latest/api/token", h.put_metadata_token, "none"),
    _route("GET", "/openstack/latest/securitykey", h.get_securitykey, "none"),
    _route("GET", "/tensorboard/{job_id}", h.tensorboard_page, "none"),
    _route("POST", "/_emulator/reset", h.control_reset, "none"),
    _route("POST", "/_emulator/seed", h.control_seed, "none"),
    _route("POST", "/_emulator/faults", h.control_set_faults, "none"),
    _route("DELETE", "/_emulator/faults", h.control_clear_faults, "none"),
    _route("POST", "/_emulator/advance", h.control_advance, "none"),
    _route("POST", "/_emulator/expire-tokens", h.control_expire_tokens, "none"),
    _route("GET", "/_emulator/stats", h.control_stats, "none"),
]


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
