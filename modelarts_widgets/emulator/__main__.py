"""``python -m modelarts_widgets.emulator``: serve the emulator until SIGINT/SIGTERM.

The first stdout line is exactly the base URL (``http://127.0.0.1:PORT``), flushed at once.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Optional

from .config import (
    DEMO_ACCESS_KEY,
    DEMO_PASSWORD,
    DEMO_SECRET_KEY,
    ERROR_FIELDS,
    NOT_FOUND_STYLES,
    VERSIONS_PAGE0,
)
from .seed import DEFAULT_SEED
from .server import EmulatorServer


def _delay(value: str) -> Optional[float]:
    if value.strip().lower() in ("manual", "none"):
        return None
    seconds = float(value)
    if seconds < 0:
        raise argparse.ArgumentTypeError("delete delay must be >= 0 or 'manual'")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m modelarts_widgets.emulator",
        description="Local ModelArts (v1 and v2 training) + IAM + metadata emulator "
        "(a real HTTP server). Prints the base URL as its first line and serves until interrupted.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (keep it loopback)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    p.add_argument("--access-key", default=DEMO_ACCESS_KEY, help="accepted access key (AK)")
    p.add_argument(
        "--secret-key",
        default=argparse.SUPPRESS,
        help="secret key (SK) for the AK (default: the documented demo key)",
    )
    p.add_argument("--project-id", default="0123456789abcdef0123456789abcdef", help="project id")
    p.add_argument("--region", default="eu-de", help="region = IAM project name")
    p.add_argument("--username", default="demo-user", help="IAM user name")
    p.add_argument(
        "--password", default=argparse.SUPPRESS, help="IAM password (default: the demo password)"
    )
    p.add_argument("--domain", default="demo-domain", help="IAM domain (account) name")
    p.add_argument("--jobs", type=int, default=DEFAULT_SEED["jobs"], help="seeded training jobs")
    p.add_argument(
        "--versions-per-job",
        type=int,
        default=DEFAULT_SEED["versions_per_job"],
        help="seeded versions per training job",
    )
    p.add_argument(
        "--visualization-jobs",
        type=int,
        default=DEFAULT_SEED["visualization_jobs"],
        help="seeded visualization jobs",
    )
    p.add_argument(
        "--workspaces",
        type=int,
        default=1,
        help="seeded workspaces: '0' (the default) and N-1 more; jobs are spread over them",
    )
    p.add_argument(
        "--no-workspace-list",
        action="store_true",
        help="GET /v1/{project_id}/workspaces answers as an unknown route (as on OTC)",
    )
    p.add_argument(
        "--not-found",
        choices=NOT_FOUND_STYLES,
        default="ModelArts.2775",
        help="answer to an unknown id: HTTP 400 ModelArts.2775 (documented), HTTP 400 "
        "ModelArts.0104, or HTTP 404",
    )
    p.add_argument(
        "--error-field",
        choices=ERROR_FIELDS,
        default="alternate",
        help="name of the message field of v1 failures (alternate: one, then the other)",
    )
    p.add_argument(
        "--versions-page0",
        choices=VERSIONS_PAGE0,
        default="all",
        help="page=0 on the versions list: all versions (Huawei) or page 1",
    )
    p.add_argument(
        "--proxy-rewrites",
        action="store_true",
        help="rewrite Connection / Accept-Encoding of every request, as a proxy may",
    )
    p.add_argument(
        "--v2-training-jobs",
        type=int,
        default=DEFAULT_SEED["v2_training_jobs"],
        help="seeded v2 (new-version) training jobs",
    )
    p.add_argument(
        "--v2-visualization-jobs",
        type=int,
        default=DEFAULT_SEED["v2_visualization_jobs"],
        help="seeded v2 jobs of kind visualization_job",
    )
    p.add_argument(
        "--v2-offset",
        choices=("pages", "items"),
        default="pages",
        help="how the v2 search reads 'offset': a page index (as documented) or an item offset",
    )
    p.add_argument(
        "--no-batch-delete",
        dest="batch_delete",
        action="store_false",
        help="v2 batch delete answers as an unknown API (404 APIG.0101), like a region without it",
    )
    p.add_argument(
        "--no-v1",
        dest="v1_training",
        action="store_false",
        help="v1 training/visualization routes answer as an unknown API (a region without them)",
    )
    p.add_argument(
        "--delete-delay",
        type=_delay,
        default=0.0,
        help="seconds a deleted item stays listed; 'manual' = until POST /_emulator/advance",
    )
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    p.add_argument(
        "--error-rate", type=float, default=0.0, help="probability of a 500/502/503 answer"
    )
    p.add_argument(
        "--rate-limit", type=float, default=0.0, help="requests/second before 429 (0 = off)"
    )
    p.add_argument(
        "--retry-after", type=float, default=1.0, help="Retry-After seconds sent with 429"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed for faults and sample data")
    p.add_argument("--token-ttl", type=float, default=86400.0, help="IAM token lifetime, s")
    p.add_argument(
        "--temp-credential-ttl",
        type=float,
        default=3600.0,
        help="lifetime of metadata temporary credentials, s",
    )
    p.add_argument(
        "--refusal-status",
        type=int,
        default=200,
        help="HTTP status of a ModelArts.0105 delete refusal",
    )
    p.add_argument(
        "--log-level", default="WARNING", help="logging level (secrets are never logged)"
    )
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    server = EmulatorServer(
        port=args.port,
        host=args.host,
        access_key=args.access_key,
        secret_key=getattr(args, "secret_key", DEMO_SECRET_KEY),
        project_id=args.project_id,
        region=args.region,
        username=args.username,
        password=getattr(args, "password", DEMO_PASSWORD),
        domain=args.domain,
        seed={
            "jobs": args.jobs,
            "versions_per_job": args.versions_per_job,
            "visualization_jobs": args.visualization_jobs,
            "workspaces": args.workspaces,
            "v2_training_jobs": args.v2_training_jobs,
            "v2_visualization_jobs": args.v2_visualization_jobs,
        },
        delete_delay=args.delete_delay,
        rng_seed=args.seed,
        token_ttl=args.token_ttl,
        temp_credential_ttl=args.temp_credential_ttl,
        refusal_status=args.refusal_status,
        v2_offset=args.v2_offset,
        batch_delete=args.batch_delete,
        v1_training=args.v1_training,
        not_found=args.not_found,
        error_field=args.error_field,
        versions_page0=args.versions_page0,
        proxy_rewrites=args.proxy_rewrites,
        workspace_list=not args.no_workspace_list,
    )
    if args.latency > 0:
        server.add_latency(args.latency)
    if args.error_rate > 0:
        server.set_error_rate(args.error_rate)
    if args.rate_limit > 0:
        server.set_rate_limit(args.rate_limit, retry_after=args.retry_after)
    done = threading.Event()

    def _stop(signum: int, frame: Optional[FrameType]) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with server:
        sys.stdout.write(server.base_url + "\n")
        sys.stdout.flush()
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
