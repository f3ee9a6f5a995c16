"""Fixtures for the auth tests: a scriptable stub HTTP server on 127.0.0.1 and secret scanning."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

import pytest

Reply = tuple[int, dict[str, str], Any]
Script = Callable[[str, str, dict[str, str]], Reply]


@dataclass
class StubServer:
    """Answers every request with ``script(method, path, headers)``; records what it saw."""

    script: Script
    calls: list[tuple[str, str]] = field(default_factory=list)
    base_url: str = ""


@pytest.fixture
def stub_server() -> Iterator[Callable[[Script], StubServer]]:
    servers: list[ThreadingHTTPServer] = []

    def start(script: Script) -> StubServer:
        stub = StubServer(script)

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                stub.calls.append((self.command, self.path))
                status, headers, body = stub.script(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        stub.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        return stub

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def assert_no_secret(text: str, secrets: list[Optional[str]]) -> None:
    """Fail if any of ``secrets`` (ignoring None/empty) occurs in ``text``."""
    for secret in secrets:
        if secret:
            assert secret not in text, "a secret leaked"


@pytest.fixture
def no_secret() -> Callable[[str, list[Optional[str]]], None]:
    return assert_no_secret
