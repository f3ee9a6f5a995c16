"""HTTP <-> Python for the v2 training-job routes (state and rules live in ``v2_backend``)."""

from __future__ import annotations

import json
from typing import Any

from .handlers import Context, Request, Response, ok
from .v2_backend import invalid


def _body(request: Request) -> Any:
    if not request.body.strip():
        return {}
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid(
            "InvalidJsonBody: the request body is not valid JSON.", "ModelArts.2787"
        ) from None


def search_training_jobs(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.v2.search(_body(req)))


def get_training_job(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.v2.get(args["training_job_id"]))


def delete_training_job(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    ctx.backend.v2.delete(args["training_job_id"])
    return Response(202, b"")


def batch_delete_training_jobs(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    ctx.backend.v2.batch_delete(_body(req))
    return ok({})


def terminate_training_job(ctx: Context, req: Request, args: dict[str, str]) -> Response:
    return ok(ctx.backend.v2.terminate(args["training_job_id"], _body(req)), 202)
