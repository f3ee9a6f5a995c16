"""A local ModelArts (v1 and v2 training) + IAM + metadata emulator: a real HTTP server on
127.0.0.1.

``EmulatorServer`` serves v1 training jobs/versions and visualization jobs and v2 training
jobs (search, details, delete, batch delete) with the documented JSON, checks AK/SK
signatures and IAM tokens, deletes asynchronously and injects faults. Imports nothing from
the client, auth or widgets packages: it shares only the wire format.
"""

from __future__ import annotations

from .backend import Backend, ListQuery
from .config import ApiError, EmulatorConfig
from .faults import Faults
from .seed import DEFAULT_SEED
from .server import EmulatorServer

__all__ = [
    "DEFAULT_SEED",
    "ApiError",
    "Backend",
    "EmulatorConfig",
    "EmulatorServer",
    "Faults",
    "ListQuery",
]
