"""``python -m modelarts_widgets.emulator``: first line is the URL, --help, clean SIGTERM/SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest
import requests
from emulator_testlib import get_token, signed

from modelarts_widgets.emulator import EmulatorConfig

PID = "abcdefabcdefabcdefabcdefabcdef12"


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "modelarts_widgets.emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_help_lists_every_option() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "modelarts_widgets.emulator", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    for option in (
        "--port", "--host", "--access-key", "--secret-key", "--project-id", "--region",
        "--username", "--password", "--domain", "--jobs", "--versions-per-job",
        "--visualization-jobs", "--delete-delay", "--latency", "--error-rate", "--rate-limit",
        "--retry-after", "--seed", "--token-ttl", "--temp-credential-ttl", "--refusal-status",
        "--workspaces", "--no-workspace-list", "--not-found", "--error-field",
        "--versions-page0", "--proxy-rewrites",
    ):  # fmt: skip
        assert option in out
    assert "demo-secret-key" not in out
    assert "demo-password" not in out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signal(sig: signal.Signals) -> None:
    proc = _start(
        "--port", "0", "--access-key", "CLIAK", "--secret-key", "cli-secret-value",
        "--project-id", PID, "--jobs", "4", "--versions-per-job", "2",
        "--visualization-jobs", "3", "--log-level", "DEBUG",
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().rstrip("\n")
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        assert port > 0
        config = EmulatorConfig(
            access_key="CLIAK", secret_key="cli-secret-value", project_id=PID, region="eu-de"
        )
        server = SimpleNamespace(port=port, base_url=url, config=config)
        reply = signed(server, "GET", f"/v1/{PID}/training-jobs")
        assert reply.status_code == 200
        assert reply.json()["job_total_count"] == 4
        stats = requests.get(url + "/_emulator/stats", timeout=10).json()
        assert stats["training_versions"] == 8
        assert stats["visualization_jobs"] == 3
        token = get_token(server)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "GET /v1/" in err  # debug logging is on ...
        for secret in ("cli-secret-value", "demo-password", token):
            assert secret not in out + err  # ... and never shows a secret
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_cli_defaults_match_the_python_server() -> None:
    """Every CLI default equals EmulatorServer's, so the CLI and the fixtures behave alike."""
    import dataclasses

    from modelarts_widgets.emulator.__main__ import build_parser

    args = vars(build_parser().parse_args([]))
    # EmulatorServer() is built from EmulatorConfig: its fields hold the server's defaults.
    server_defaults = {
        f.name: f.default
        for f in dataclasses.fields(EmulatorConfig)
        if f.default is not dataclasses.MISSING
    }
    shared = sorted(set(args) & set(server_defaults) - {"port", "seed"})
    assert "refusal_status" in shared
    for name in shared:
        assert args[name] == server_defaults[name], name


def test_wire_options_reach_the_server() -> None:
    proc = _start(
        "--port", "0", "--workspaces", "3", "--not-found", "404", "--error-field", "both",
        "--proxy-rewrites", "--jobs", "3", "--versions-per-job", "1",
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        port = int(url.rsplit(":", 1)[1])
        server = SimpleNamespace(base_url=url, port=port, config=EmulatorConfig())
        base = f"/v1/{server.config.project_id}"
        assert signed(server, "GET", f"{base}/workspaces").json()["total_count"] == 3
        gone = signed(server, "DELETE", f"{base}/visualization-jobs/4242")
        assert gone.status_code == 404
        assert gone.json()["error_msg"] == gone.json()["error_message"]
        rewritten = signed(
            server, "GET", f"{base}/training-jobs", extra_headers={"Connection": "x"}
        )
        assert rewritten.status_code == 401  # a signed Connection header did not survive
    finally:
        proc.terminate()
        proc.wait(30)
