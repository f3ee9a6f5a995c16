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
    DEMO_PASSWORD,
    DEMO_SECRET_KEY,
    ERROR_FIELDS,
    NOT_FOUND_STYLES,
    VERSIONS_PAGE0,
    EmulatorConfig,
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


_DEFAULTS = EmulatorConfig()

#: Options that set the :class:`EmulatorConfig` field of the same name (``--token-ttl`` sets
#: ``token_ttl``), with their help; type and default come from the config's default.
_CONFIG_OPTIONS: tuple[tuple[str, str], ...] = (
    ("host", "address to bind (keep it loopback)"),
    ("port", "port; 0 picks a free one"),
    ("access_key", "accepted access key (AK)"),
    ("project_id", "project id"),
    ("region", "region = IAM project name"),
    ("username", "IAM user name"),
    ("domain", "IAM domain (account) name"),
    (
        "not_found",
        "answer to an unknown id: HTTP 400 ModelArts.2775 (documented), HTTP 400 "
        "ModelArts.0104, or HTTP 404",
    ),
    ("error_field", "name of the message field of v1 failures (alternate: one, then the other)"),
    ("versions_page0", "page=0 on the versions list: all versions (Huawei) or page 1"),
    (
        "v2_offset",
        "how the v2 search reads 'offset': a page index (as documented) or an item offset",
    ),
    ("token_ttl", "IAM token lifetime, s"),
    ("temp_credential_ttl", "lifetime of metadata temporary credentials, s"),
    ("refusal_status", "HTTP status of a ModelArts.0105 delete refusal"),
)
#: Options that size the seeded data (``seed={...}``), with their help; defaults from
#: :data:`DEFAULT_SEED` (one workspace where it names none).
_SEED_OPTIONS: tuple[tuple[str, str], ...] = (
    ("jobs", "seeded training jobs"),
    ("versions_per_job", "seeded versions per training job"),
    ("visualization_jobs", "seeded visualization jobs"),
    ("workspaces", "seeded workspaces: '0' (the default) and N-1 more; jobs are spread over them"),
    ("v2_training_jobs", "seeded v2 (new-version) training jobs"),
    ("v2_visualization_jobs", "seeded v2 jobs of kind visualization_job"),
)
_CHOICES: dict[str, Sequence[str]] = {
    "not_found": NOT_FOUND_STYLES,
    "error_field": ERROR_FIELDS,
    "versions_page0": VERSIONS_PAGE0,
    "v2_offset": ("pages", "items"),
}


def _flag(name: str) -> str:
    """The option of a field: ``token_ttl`` -> ``--token-ttl``."""
    return "--" + name.replace("_", "-")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m modelarts_widgets.emulator",
        description="Local ModelArts (v1 and v2 training) + IAM + metadata emulator "
        "(a real HTTP server). Prints the base URL as its first line and serves until interrupted.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    for name, help_text in _SEED_OPTIONS:
        p.add_argument(_flag(name), type=int, default=DEFAULT_SEED.get(name, 1), help=help_text)
    for name, help_text in _CONFIG_OPTIONS:
        default = getattr(_DEFAULTS, name)
        p.add_argument(
            _flag(name),
            type=type(default),
            default=default,
            choices=_CHOICES.get(name),
            help=help_text,
        )
    p.add_argument(
        "--secret-key",
        default=argparse.SUPPRESS,
        help="secret key (SK) for the AK (default: the documented demo key)",
    )
    p.add_argument(
        "--password", default=argparse.SUPPRESS, help="IAM password (default: the demo password)"
    )
    p.add_argument(
        "--no-workspace-list",
        action="store_true",
        help="GET /v1/{project_id}/workspaces answers as an unknown route (as on OTC)",
    )
    p.add_argument(
        "--proxy-rewrites",
        action="store_true",
        help="rewrite Connection / Accept-Encoding of every request, as a proxy may",
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
    p.add_argument(
        "--log-level", default="WARNING", help="logging level (secrets are never logged)"
    )
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr)
    server = EmulatorServer(
        secret_key=getattr(args, "secret_key", DEMO_SECRET_KEY),
        password=getattr(args, "password", DEMO_PASSWORD),
        seed={name: getattr(args, name) for name, _ in _SEED_OPTIONS},
        delete_delay=args.delete_delay,
        rng_seed=args.seed,
        batch_delete=args.batch_delete,
        v1_training=args.v1_training,
        proxy_rewrites=args.proxy_rewrites,
        workspace_list=not args.no_workspace_list,
        **{name: getattr(args, name) for name, _ in _CONFIG_OPTIONS},
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
