"""The environment's proxy and CA-bundle settings: honoured, and read once per client.

``requests`` re-reads them on every request (scanning all of ``os.environ``); ``HttpClient``
reads them when it is made. These tests send real requests through a real forwarding proxy on
127.0.0.1 to the live emulator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.signer import AkSkAuth
from modelarts_widgets.client import HttpClient, RestClient, RetryPolicy

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


class _Proxy(ThreadingHTTPServer):
    """A forwarding HTTP proxy that remembers the request lines it was sent."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: _Proxy

    def log_message(self, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        direct = requests.Session()
        direct.trust_env = False  # the proxy itself goes straight to the target
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
        resp = direct.request(self.command, self.path, headers=headers, data=body, timeout=10)
        self.send_response(resp.status_code)
        for name, value in resp.headers.items():
            if name.lower() not in ("connection", "transfer-encoding", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.content)))
        self.end_headers()
        self.wfile.write(resp.content)

    do_GET = do_DELETE = do_POST = _forward


@pytest.fixture
def proxy() -> Iterator[_Proxy]:
    server = _Proxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def _client(emulator: Any, **kw: Any) -> RestClient:
    cfg = emulator.config
    creds = StaticCredentialSource(Credentials(cfg.access_key, cfg.secret_key))
    auth = AkSkAuth(creds, cfg.project_id)
    http = HttpClient(emulator.base_url, auth, retry=RetryPolicy(max_retries=0), **kw)
    return RestClient(http, cfg.project_id)


def test_a_proxy_from_the_environment_carries_the_signed_requests(
    emulator: Any, proxy: _Proxy, clean_env: pytest.MonkeyPatch
) -> None:
    emulator.seed(jobs=3, versions_per_job=1)
    clean_env.setenv("HTTP_PROXY", proxy.url)
    jobs = list(_client(emulator).iter_training_jobs())
    assert len(jobs) == 3  # the emulator accepted the signature the proxy passed on
    assert proxy.seen
    assert all(line.startswith(f"GET {emulator.base_url}/v1/") for line in proxy.seen)


def test_no_proxy_in_the_environment_sends_directly(
    emulator: Any, proxy: _Proxy, clean_env: pytest.MonkeyPatch
) -> None:
    emulator.seed(jobs=2, versions_per_job=1)
    clean_env.setenv("HTTP_PROXY", proxy.url)
    clean_env.setenv("NO_PROXY", "127.0.0.1")
    assert len(list(_client(emulator).iter_training_jobs())) == 2
    assert proxy.seen == []


def test_the_environment_is_read_when_the_client_is_made_not_per_request(
    emulator: Any, proxy: _Proxy, clean_env: pytest.MonkeyPatch
) -> None:
    emulator.seed(jobs=2, versions_per_job=1)
    direct = _client(emulator)
    clean_env.setenv("HTTP_PROXY", proxy.url)
    proxied = _client(emulator)
    clean_env.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    assert len(list(direct.iter_training_jobs())) == 2
    assert proxy.seen == []
    assert len(list(proxied.iter_training_jobs())) == 2
    assert proxy.seen


def test_a_ca_bundle_from_the_environment_is_used_when_verify_is_on(
    tmp_path: Any, clean_env: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    clean_env.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert HttpClient("https://127.0.0.1:9", None)._session.verify == str(bundle)
    assert HttpClient("https://127.0.0.1:9", None, verify=False)._session.verify is False
    own = tmp_path / "own.pem"
    assert HttpClient("https://127.0.0.1:9", None, verify=str(own))._session.verify == str(own)


def test_a_session_passed_in_keeps_its_own_environment_handling() -> None:
    given = requests.Session()
    HttpClient("http://127.0.0.1:9", None, session=given, verify=False)
    assert given.trust_env is True
    assert given.verify is False
