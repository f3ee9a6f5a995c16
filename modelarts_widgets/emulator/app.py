"""The request pipeline: stats -> faults -> route -> authentication -> handler -> error body.

Control endpoints (``/_emulator/``) skip faults, statistics and authentication.
"""

from __future__ import annotations

import ipaddress
import itertools
import logging
import threading
import uuid
from typing import Any

from . import routes
from .config import ApiError, unknown_api_error, with_error_field
from .faults import Decision
from .handlers import Context, Request, Response, authenticate

logger = logging.getLogger("modelarts_widgets.emulator")

PROXY_ERROR_PAGE = (
    "<html><head><title>{status} Bad Gateway</title></head><body>"
    "<center><h1>{status} Bad Gateway</h1></center><hr><center>nginx</center>"
    "</body></html>"
)
MALFORMED_BODY = '{"is_success": true, "jobs": [{"job_id": 1, "job_na'


class Application:
    """Turns a :class:`Request` into a :class:`Response`; thread-safe (state is in ``ctx``)."""

    def __init__(self, ctx: Context, stopping: threading.Event) -> None:
        self.ctx = ctx
        self.stopping = stopping
        self._failures = itertools.count()  # for the alternating error field

    def dispatch(self, request: Request) -> Response:
        request.request_id = request.request_id or str(uuid.uuid4())
        response = self._dispatch(request)
        response.headers.setdefault("X-Request-Id", request.request_id)
        return response

    def _dispatch(self, request: Request) -> Response:
        route, args, path_known = routes.match(request.method, request.path)
        control = request.path.startswith(routes.CONTROL_PREFIX)
        if control and not _is_loopback(request.client_host):
            return Response(
                403, {"error_code": "ModelArts.0108", "error_msg": "Control is loopback-only."}
            )
        if not control:
            backend = self.ctx.backend
            if backend.config.proxy_rewrites or self.ctx.faults.proxy_rewrites:
                proxy_rewrite(request)
            backend.record_request(request.method, route.template if route else "<unmatched>")
            if request.method.upper() == "DELETE":
                backend.record_delete(request.path)
            decision = self.ctx.faults.decide(request.method, request.path)
            if decision.delay > 0:
                self.stopping.wait(decision.delay)
            if decision.kind is not None:
                return self._fault(decision)
        try:
            if route is None:
                status = 405 if path_known else 404
                return Response(
                    status,
                    {
                        "error_code": "ModelArts.0104" if status == 404 else "ModelArts.0101",
                        "error_msg": f"No route for {request.method} {request.path}.",
                    },
                )
            if routes.unpublished(route, self.ctx.backend.config):
                raise unknown_api_error()
            if route.auth != "none":
                project = args.get("project_id") if route.auth == "project" else None
                authenticate(self.ctx.backend, request, project)
            return route.handler(self.ctx, request, args)
        except ApiError as exc:
            return Response(exc.status, self._error_body(exc.body), dict(exc.headers))
        except Exception:
            logger.exception("emulator handler failed: %s %s", request.method, request.path)
            return Response(
                500, {"error_code": "ModelArts.0001", "error_msg": "Internal emulator error."}
            )

    def _error_body(self, body: Any) -> Any:
        """A v1 failure with its message under the configured field name."""
        field = self.ctx.backend.config.error_field
        if field == "alternate":
            field = ("error_msg", "error_message")[next(self._failures) % 2]
        return with_error_field(body, field) if isinstance(body, dict) else body

    @staticmethod
    def _fault(decision: Decision) -> Response:
        if decision.kind == "drop":
            return Response(drop=True)
        if decision.kind == "html":
            page = PROXY_ERROR_PAGE.format(status=decision.status)
            return Response(decision.status, page, content_type="text/html")
        if decision.kind == "malformed":
            return Response(decision.status, MALFORMED_BODY)
        headers: dict[str, str] = {}
        if decision.kind == "throttle" and decision.retry_after is not None:
            headers["Retry-After"] = _seconds(decision.retry_after)
        body: Any = decision.body
        return Response(decision.status, body, headers)


def proxy_rewrite(request: Request) -> None:
    """Change hop-by-hop / negotiable headers as a proxy or load balancer may."""
    request.headers["connection"] = "close"
    request.headers["accept-encoding"] = "identity"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
