"""``EmulatorServer``: a threaded HTTP/1.1 server on 127.0.0.1 speaking the ModelArts v1 API."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import quote, urlsplit

from .._kwargs import refuse_unknown  # noqa: TID252 - not client side (see tests)
from .app import Application
from .backend import Backend
from .config import OPTIONS, EmulatorConfig
from .faults import Faults, RateLimit, Where
from .handlers import Context, Request
from .seed import SIZE_KEYS, SeedSizes, seed_from_sizes

if TYPE_CHECKING:
    from typing_extensions import Unpack

logger = logging.getLogger("modelarts_widgets.emulator")


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY every answer waits ~40 ms
    # for the client's delayed ACK (measured in benchmarks/bench_delete.py: 44 ms -> 1.2 ms)
    disable_nagle_algorithm = True
    server_version = "ModelArtsEmulator/0.1"
    timeout = 60
    server: _HttpServer

    def _handle(self) -> None:
        body = self._read_body()
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path or "/",
            query=split.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            client_host=str(self.client_address[0]),
        )
        response = self.server.app.dispatch(request)
        if response.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = response.encoded()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry paths and query strings only, never headers (no secrets).
        logger.debug("%s " + format, self.address_string(), *args)


class _HttpServer(ThreadingHTTPServer):
    """Tracks connection threads so :meth:`EmulatorServer.stop` can end them all."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Application) -> None:
        self.app = app
        self._conn_lock = threading.Lock()
        self._connections: dict[threading.Thread, socket.socket] = {}
        super().__init__(address, _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="emulator-conn",
            daemon=True,
        )
        with self._conn_lock:
            self._connections[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone before its answer (a stopped listing, a closed kernel, ``stop()``) is
        no error: one debug line. Anything else is logged with its traceback (socketserver
        would print it to stderr)."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError):
            logger.debug("client %s went away before its answer: %s", client_address[0], exc)
            return
        logger.error("serving %s failed", client_address[0], exc_info=True)

    def close_connections(self, timeout: float = 5.0) -> None:
        with self._conn_lock:
            items = list(self._connections.items())
        for _, sock in items:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread, _ in items:
            thread.join(timeout)


class EmulatorServer:
    """A local ModelArts + IAM + metadata emulator; use as a context manager.

    Built from one :class:`EmulatorConfig`: pass one (``EmulatorServer(config)``) and/or its
    fields as keywords (``EmulatorServer(seed={"jobs": 3}, delete_delay=None)``), which override
    the config's. An unknown keyword is a ``TypeError`` naming the closest option. The
    credentials it accepts are its config's: ``server.config.access_key``, ``.secret_key``,
    ``.project_id``, ``.region``, ``.username``, ``.password``, ``.domain``.
    ``seed`` is a sizes mapping (:class:`~.seed.SeedSizes`: ``{"jobs", "versions_per_job",
    ...}``) or ``None`` for no data.
    ``delete_delay=None`` means manual mode (deletes finish on :meth:`advance`).
    v2: ``v2_offset`` (``"pages"``/``"items"``), ``batch_delete=False`` and
    ``v1_training=False`` make the batch route or the v1 training routes answer as an unknown
    API (404 ``APIG.0101``).
    """

    @refuse_unknown(extra=OPTIONS)
    def __init__(self, config: Optional[EmulatorConfig] = None, **options: Any) -> None:
        if config is not None and not isinstance(config, EmulatorConfig):
            raise TypeError(
                f"EmulatorServer(config) takes an EmulatorConfig, not {type(config).__name__}; "
                "pass the options as keywords (EmulatorServer(port=0, seed={...}))"
            )
        base = config if config is not None else EmulatorConfig()
        self.config = dataclasses.replace(base, base_url="", **options)
        self._address = (self.config.host, self.config.port)
        self._rng_seed = self.config.rng_seed
        self._seed_sizes = self.config.seed
        self._backend = Backend(self.config)
        self.faults = Faults(self._rng_seed)
        self._stopping = threading.Event()
        ctx = Context(self._backend, self.faults, self._reseed, self.reset)
        self._app = Application(ctx, self._stopping)
        self._httpd: Optional[_HttpServer] = None
        self._thread: Optional[threading.Thread] = None
        seed_from_sizes(self._backend, self._seed_sizes, rng_seed=self._rng_seed)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EmulatorServer:
        """Bind and serve in a background thread (idempotent)."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HttpServer(self._address, self._app)
        self._httpd = httpd
        self.config.base_url = f"http://{self._address[0]}:{httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="emulator", daemon=True
        )
        self._thread.start()
        logger.info("ModelArts emulator listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join all threads (idempotent)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._httpd else "stopped"
        return f"<EmulatorServer {self.base_url} project={self.config.project_id} {state}>"

    # ------------------------------------------------------------------ address and settings
    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def backend(self) -> Backend:
        return self._backend

    @property
    def delete_delay(self) -> Optional[float]:
        return self.config.delete_delay

    @delete_delay.setter
    def delete_delay(self, value: Optional[float]) -> None:
        self.config.delete_delay = value

    # ------------------------------------------------------------------ data and state
    def _reseed(self, sizes: Optional[Mapping[str, Any]]) -> None:
        self._backend.clear_data()
        seed_from_sizes(self._backend, sizes, rng_seed=self._rng_seed)

    def reset(self) -> None:
        """Back to the construction-time seed; clears faults, tokens and counters."""
        self._backend.reset()
        self.faults.clear()
        seed_from_sizes(self._backend, self._seed_sizes, rng_seed=self._rng_seed)

    @refuse_unknown(extra=SIZE_KEYS)
    def seed(self, **sizes: Unpack[SeedSizes]) -> None:
        """Replace all jobs (v1 and v2) with a fresh deterministic seed of these sizes:
        ``jobs``, ``versions_per_job``, ``visualization_jobs``, ``workspaces``,
        ``v2_training_jobs``, ``v2_visualization_jobs`` (:class:`~.seed.SeedSizes`; absent
        ones take its defaults)."""
        self._reseed(sizes)

    def add_training_job(
        self, name: str, versions: Optional[Sequence[Mapping[str, Any]]] = None, **kwargs: Any
    ) -> tuple[int, list[int]]:
        """See :meth:`Backend.add_training_job`; returns ``(job_id, [version_id, ...])``."""
        return self._backend.add_training_job(name, versions, **kwargs)

    def add_visualization_job(self, name: str, **kwargs: Any) -> int:
        """See :meth:`Backend.add_visualization_job`; returns the new id."""
        return self._backend.add_visualization_job(name, **kwargs)

    def add_v2_job(self, name: str, **kwargs: Any) -> str:
        """Add a v2 training job; see :meth:`V2Backend.add_job`. Returns its id."""
        return self._backend.v2.add_job(name, **kwargs)

    def v2_job_path(self, job_id: str) -> str:
        """``/v2/{project_id}/training-jobs/{job_id}`` (the GET/DELETE path)."""
        return f"/v2/{self.config.project_id}/training-jobs/{quote(str(job_id), safe='')}"

    def advance(self) -> int:
        """Complete every pending deletion now (manual mode); returns how many."""
        return self._backend.advance()

    def expire_tokens(self) -> None:
        """Expire all IAM tokens and temporary credentials now."""
        self._backend.expire_tokens()

    def issue_temporary_credential(self) -> dict[str, Any]:
        """Like ``GET /openstack/latest/securitykey``: ``{"credential": {...}}``."""
        return self._backend.identity.issue_temporary_credential()

    def stats(self) -> dict[str, Any]:
        return {**self._backend.stats(), "faults": self.faults.describe()}

    @property
    def delete_calls(self) -> dict[str, int]:
        """DELETE requests received by path (see :meth:`version_path`)."""
        return self._backend.delete_calls

    def version_path(self, job_id: int, version_id: int) -> str:
        return f"/v1/{self.config.project_id}/training-jobs/{job_id}/versions/{version_id}"

    def visualization_path(self, job_id: Any) -> str:
        return f"/v1/{self.config.project_id}/visualization-jobs/{quote(str(job_id), safe='')}"

    # ------------------------------------------------------------------ faults
    # Each fault applies to the requests its ``path`` (a regex searched in the path) and
    # ``method`` keywords pick (:class:`~.faults.Where`); without them, to every request.
    def add_latency(self, seconds: float, **where: Unpack[Where]) -> None:
        """Delay matching requests by ``seconds``."""
        self.faults.add_latency(seconds, **where)

    def set_error_rate(
        self, rate: float, statuses: Sequence[int] = (500, 502, 503), **where: Unpack[Where]
    ) -> None:
        """Fail matching requests with probability ``rate`` (seeded by ``rng_seed``)."""
        self.faults.set_error_rate(rate, statuses, **where)

    def force_error(
        self,
        status: Optional[int] = None,
        *,
        count: int = 1,
        kind: str = "status",
        body: Optional[dict[str, Any]] = None,
        **where: Unpack[Where],
    ) -> None:
        """The next ``count`` matching requests fail: kind status/drop/html/malformed/throttle."""
        self.faults.force(kind, count, status, body, **where)

    def throttle(
        self, count: int = 1, *, retry_after: Optional[float] = 1, **where: Unpack[Where]
    ) -> None:
        """The next ``count`` matching requests get 429 APIG.0308 (+ ``Retry-After``)."""
        self.faults.force("throttle", count, 429, None, retry_after, **where)

    def set_rate_limit(self, rate: Optional[float], **options: Unpack[RateLimit]) -> None:
        """A token bucket of ``rate`` requests/second; ``None`` removes it. Keywords
        (:class:`~.faults.RateLimit`): ``burst`` (default ``max(1, rate)``), ``retry_after``
        (default 1 s; ``None`` sends no ``Retry-After``), ``path`` and ``method``."""
        self.faults.set_rate_limit(rate, **options)

    def configure_faults(self, spec: Mapping[str, Any]) -> None:
        """Apply a JSON fault spec (same as ``POST /_emulator/faults``)."""
        self.faults.configure(spec)

    def clear_faults(self) -> None:
        self.faults.clear()
