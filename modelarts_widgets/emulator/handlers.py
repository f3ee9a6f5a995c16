"""HTTP <-> Python: parse a :class:`Request`, call the backend, build a :class:`Response`.

Handlers keep no state of their own; everything lives in the :class:`Context` they are given.
Authentication (token or AK/SK signature) is checked here before a route handler runs.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from . import signing
from .backend import Backend, ListQuery
from .config import ApiError, Json, bad_param, cloud_error, unknown_api_error
from .faults import Faults
from .identity import Principal


@dataclass
class Request:
    """One HTTP request as the handlers see it (header names lower-cased)."""

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    request_id: str = ""
    client_host: str = "127.0.0.1"

    @property
    def params(self) -> dict[str, str]:
        """Query parameters as received, only ``%XX`` decoded (the last value wins)."""
        return dict(signing.raw_query_pairs(self.query))

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise bad_param("The request body is not valid JSON.") from None


@dataclass
class Response:
    """What to send back; ``body`` is JSON-encoded unless it is ``str``/``bytes``."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    drop: bool = False

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass
class Context:
    """What handlers may touch: the backend, the faults and a re-seed callback."""

    backend: Backend
    faults: Faults
    reseed: Callable[[Optional[Mapping[str, Any]]], None]
    reset: Callable[[], None]


Handler = Callable[[Context, Request, dict[str, str]], Response]


def ok(body: Any, status: int = 200, headers: Optional[dict[str, str]] = None) -> Response:
    return Response(status, body, dict(headers or {}))


# ---------------------------------------------------------------------------- authentication
def apig_error(request: Request, detail: str) -> ApiError:
    """401 APIG.0301 with the gateway's wording."""
    return ApiError(
        401,
        {
            "error_code": "APIG.0301",
            "error_msg": f"Incorrect IAM authentication information: {detail}",
            "request_id": request.request_id,
        },
    )


def authenticate(backend: Backend, request: Request, url_project: Optional[str]) -> Principal:
    """Check ``X-Auth-Token`` or the AK/SK signature; ``url_project`` must match the caller's."""
    token = request.headers.get("x-auth-token")
    if token:
        principal = backend.identity.check_token(token)
        if url_project is not None:
            if principal.project_id is None:
                raise cloud_error(
                    401, "ModelArts.0212", "The token does not contain a project; use a "
                    "project-scoped token.",
                )  # fmt: skip
            _check_project(principal.project_id, url_project)
        return principal
    header = request.headers.get("authorization")
    if header:
        principal = _check_signature(backend, request, header)
        if url_project is not None:
            _check_project(principal.project_id or backend.config.project_id, url_project)
            _check_project(backend.config.project_id, url_project)
        return principal
    raise cloud_error(401, "ModelArts.0201", "The request has no token and no AK/SK signature.")


def _check_project(credential_project: str, url_project: str) -> None:
    if credential_project != url_project:
        raise cloud_error(
            403,
            "ModelArts.0210",
            f"The project id in the URL ({url_project}) does not match the project of the "
            "credentials.",
        )


def _check_signature(backend: Backend, request: Request, header: str) -> Principal:
    auth = signing.parse_authorization(header)
    if auth is None:
        raise apig_error(request, "the Authorization header is not SDK-HMAC-SHA256.")
    sdk_date = request.headers.get("x-sdk-date", "")
    stamp = signing.parse_sdk_date(sdk_date)
    if stamp is None or "x-sdk-date" not in auth.signed_headers:
        raise apig_error(request, "the X-Sdk-Date header is missing, unsigned or malformed.")
    skew = stamp - backend.clock()
    if abs(skew) > signing.MAX_SKEW_SECONDS:
        raise apig_error(
            request,
            f"the request time X-Sdk-Date differs from the server time by {abs(skew):.0f} s "
            "(more than 15 minutes); check the client clock.",
        )
    secret, temp = backend.identity.secret_for(auth.access_key)
    if secret is None:
        raise apig_error(request, "the access key does not exist.")
    if temp is not None:
        security_token = request.headers.get("x-security-token", "")
        if "x-security-token" not in auth.signed_headers or security_token != temp.security_token:
            raise apig_error(request, "a temporary access key needs its X-Security-Token (signed).")
        if temp.expires_at <= backend.clock():
            raise apig_error(request, "the security token expired.")
    if not signing.verify(
        secret,
        auth,
        request.method,
        request.path,
        request.query,
        request.headers,
        request.body,
    ):
        raise apig_error(request, "verify aksk signature fail.")
    return Principal(
        "temporary-aksk" if temp else "aksk", request.headers.get("x-project-id") or None
    )


# ---------------------------------------------------------------------------- helpers
def _int(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_param(f"Invalid {name}: {raw!r} is not an integer.") from None


def _id(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise bad_param(f"Invalid {name}: {raw!r} is not a number.") from None


def _statuses(params: Mapping[str, str]) -> Optional[list[int]]:
    raw = params.get("status")
    if raw is None or raw.strip() == "":
        return None
    try:
        return [int(s) for s in raw.split(",") if s.strip()]
    except ValueError:
        raise bad_param(f"Invalid status: {raw!r}.") from None


def _list_query(request: Request) -> ListQuery:
    p = request.params
    return ListQuery(
        page=_int(p, "page", 1),
        per_page=_int(p, "per_page", 10),
        sort_by=p.get("sortBy") or p.get("sort_by") or None,
        order=p.get("order") or "asc",
        search_content=p.get("search_content", ""),
        status=_statuses(p),
        workspace_id=p.get("workspace_id") or None,
    )


def _body_object(request: Request) -> Json:
    body = request.json()
    if not isinstance(body, dict):
        raise bad_param("The request body must be a JSON object.")
    return body


# ---------------------------------------------------------------------------- ModelArts v1
def list_training_jobs(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.list_training_jobs(_list_query(req)))


def delete_training_job(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.delete_training_job(_id(args["job_id"], "job_id")))


def list_versions(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    p = req.params
    return ok(
        ctx.backend.list_versions(
            _id(args["job_id"], "job_id"),
            page=_int(p, "page", 0),
            per_page=_int(p, "per_page", 10),
        )
    )


def create_version(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.create_version(_id(args["job_id"], "job_id"), _body_object(req)))


def get_version(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    job_id = _id(args["job_id"], "job_id")
    return ok(ctx.backend.get_version(job_id, _id(args["version_id"], "version_id")))


def delete_version(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    job_id = _id(args["job_id"], "job_id")
    return ok(ctx.backend.delete_version(job_id, _id(args["version_id"], "version_id")))


def list_workspaces(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    if not ctx.backend.config.workspace_list:
        raise unknown_api_error()
    return ok(ctx.backend.list_workspaces())


def list_visualization_jobs(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.list_visualization_jobs(_list_query(req)))


def get_visualization_job(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.get_visualization_job(args["job_id"]))


def delete_visualization_job(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.delete_visualization_job(args["job_id"]))


def create_visualization_job(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.create_visualization_job(_body_object(req)))


def tensorboard_page(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    job = ctx.backend.get_visualization_job(args["job_id"])
    title = html.escape(str(job["job_name"]))
    page = (
        f"<!doctype html><title>TensorBoard - {title}</title>"
        f"<h1>TensorBoard (emulated): {title}</h1>"
        f"<p>Reading {html.escape(str(job['train_url']))}</p>"
    )
    return Response(200, page, content_type="text/html; charset=utf-8")


# ---------------------------------------------------------------------------- IAM / metadata
def post_tokens(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    try:
        body = req.json()
    except ApiError:
        body = None
    token, payload = ctx.backend.identity.issue_token(body)
    return ok(payload, 201, {"X-Subject-Token": token})


def get_projects(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.identity.projects(req.params.get("name")))


def put_metadata_token(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    ttl = _int(req.headers, "x-metadata-token-ttl-seconds", 21600)
    token = ctx.backend.identity.issue_metadata_token(float(ttl))
    return Response(200, token, content_type="text/plain; charset=utf-8")


def get_securitykey(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    token = req.headers.get("x-metadata-token")
    if token is not None and not ctx.backend.identity.metadata_token_valid(token):
        raise cloud_error(401, "Metadata.0401", "The metadata session token is invalid.")
    return ok(ctx.backend.identity.issue_temporary_credential())


# ---------------------------------------------------------------------------- control
def control_reset(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    body = _body_object(req)
    ctx.reset()
    if body:
        ctx.reseed(body)
    return ok({"is_success": True, **ctx.backend.stats()})


def control_seed(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    try:
        ctx.reseed(_body_object(req))
    except (ValueError, TypeError) as exc:
        raise bad_param(str(exc)) from None
    return ok({"is_success": True, **ctx.backend.stats()})


def control_set_faults(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    try:
        ctx.faults.configure(_body_object(req))
    except (ValueError, TypeError, KeyError) as exc:
        raise bad_param(f"Invalid fault spec: {exc}") from None
    return ok({"is_success": True, "faults": ctx.faults.describe()})


def control_clear_faults(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    ctx.faults.clear()
    return ok({"is_success": True})


def control_advance(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok({"is_success": True, "completed": ctx.backend.advance()})


def control_expire_tokens(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    ctx.backend.expire_tokens()
    return ok({"is_success": True})


def control_stats(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok({**ctx.backend.stats(), "faults": ctx.faults.describe()})
