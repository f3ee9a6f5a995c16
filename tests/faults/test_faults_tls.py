"""TLS certificates are verified by default; turning that off is explicit and warns."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sessions import http_of

from modelarts_widgets.session import Session
from modelarts_widgets.widgets import VisualizationJobList

PROJECT = "0123456789abcdef0123456789abcdef"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            {
                "is_success": True,
                "job_total_count": 1,
                "jobs": [{"job_id": 4242, "job_name": "over-tls", "status": 10}],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def self_signed_https(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate; yields its base URL."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _session(url: str, **kwargs: Any) -> Session:
    return Session(
        access_key="TLSTESTAK",
        secret_key="tls-test-sk",
        project_id=PROJECT,
        modelarts_endpoint=url,
        **kwargs,
    )


def test_tls_verification_is_on_by_default(self_signed_https: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the default path warns about nothing
        session = _session(self_signed_https)
    http = http_of(session)
    assert http.verify is True
    # on: the CA bundle the environment names (as requests does), else the default one
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    assert http._session.verify == (bundle or True)
    w = VisualizationJobList(session)
    try:
        assert w.wait(60)
        assert w.n_items == 0
        assert w.error.startswith("Could not list visualization jobs")
        assert "SSL" in w.error or "certificate" in w.error.lower()
    finally:
        w.close()


def test_turning_tls_verification_off_is_explicit_and_warns(self_signed_https: str) -> None:
    with pytest.warns(UserWarning, match="TLS certificate verification is off"):
        session = _session(self_signed_https, verify=False)
    http = http_of(session)
    assert http.verify is False
    assert http._session.verify is False  # also for anything using the requests session
    w = VisualizationJobList(session)
    try:
        assert w.wait(60)
        assert w.error == ""
        assert [j.job_name for j in w.items] == ["over-tls"]
    finally:
        w.close()
