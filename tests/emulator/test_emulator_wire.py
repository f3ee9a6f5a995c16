"""The emulator stops forgiving: raw-query signatures, proxy rewrites, not-found styles,
failure field names, workspaces and the two readings of ``page=0`` on versions."""

from __future__ import annotations

import logging
import socket
import struct
import time
from typing import Any

import pytest
import requests
from emulator_testlib import message_of, signed, v1

from modelarts_widgets.emulator import EmulatorServer
from modelarts_widgets.emulator.config import EmulatorConfig


def _resent(server: Any, reply: requests.Response, url: str) -> requests.Response:
    """The request behind ``reply`` re-sent (same headers, so same signature) to ``url``."""
    headers = dict(reply.request.headers)
    return requests.get(server.base_url + url, headers=headers, timeout=10)


def test_signature_is_checked_over_the_raw_query_with_plus_as_a_literal(emulator: Any) -> None:
    path = v1(emulator, "/training-jobs")
    ok = signed(emulator, "GET", path, params={"search_content": "image classifier"})
    assert ok.status_code == 200
    assert "search_content=image%20classifier" in (ok.request.url or "")
    assert [j["job_name"] for j in ok.json()["jobs"]] == ["image classifier"]
    # the same signature with the space sent as '+': a '+' is a plus here, so it no longer
    # matches what was signed (the real gateway may refuse it the same way)
    plus = _resent(emulator, ok, f"{path}?search_content=image+classifier")
    assert plus.status_code == 401
    assert plus.json()["error_code"] == "APIG.0301"
    # and a literal plus, sent as %2B, is a plus in the search
    emulator.add_training_job("c++ trainer", [{}])
    literal = signed(emulator, "GET", path, params={"search_content": "c++"})
    assert "search_content=c%2B%2B" in (literal.request.url or "")
    assert [j["job_name"] for j in literal.json()["jobs"]] == ["c++ trainer"]


@pytest.mark.parametrize("how", ["option", "fault"])
def test_proxy_rewrites_break_signatures_over_hop_by_hop_headers(how: str) -> None:
    with EmulatorServer(seed={"jobs": 1, "versions_per_job": 1}) as server:
        if how == "option":
            server.config.proxy_rewrites = True
        else:
            server.faults.configure({"proxy_rewrites": True})
        path = v1(server, "/training-jobs")
        old_style = {"Accept-Encoding": "gzip, deflate", "Connection": "keep-alive"}
        refused = signed(server, "GET", path, extra_headers=old_style)
        assert refused.status_code == 401
        assert "verify aksk signature fail" in refused.json()["error_msg"]
        assert signed(server, "GET", path).status_code == 200  # the official header set
        server.faults.clear()
        server.config.proxy_rewrites = False
        assert signed(server, "GET", path, extra_headers=old_style).status_code == 200


@pytest.mark.parametrize(
    ("style", "status", "code"),
    [("ModelArts.2775", 400, "ModelArts.2775"), ("ModelArts.0104", 400, "ModelArts.0104"),
     ("404", 404, "ModelArts.0104")],
)  # fmt: skip
def test_unknown_ids_in_every_not_found_style(
    emulator: Any, style: str, status: int, code: str
) -> None:
    emulator.config.not_found = style
    job_id, _ = emulator.add_training_job("one", [{}])
    for method, path in (
        ("DELETE", emulator.version_path(job_id, 1)),
        ("GET", v1(emulator, f"/training-jobs/{job_id}/versions/1")),
        ("GET", v1(emulator, "/training-jobs/1/versions")),
        ("DELETE", emulator.visualization_path("424242")),
    ):
        reply = signed(emulator, method, path)
        assert reply.status_code == status, (method, path)
        assert reply.json()["error_code"] == code
        assert reply.json()["is_success"] is False


def test_not_found_style_is_checked() -> None:
    with pytest.raises(ValueError, match="not_found must be one of"):
        EmulatorConfig(not_found="410")


def test_config_repr_leaves_out_the_secrets() -> None:
    text = repr(EmulatorServer(secret_key="sk-9f2c", password="pw-7a1e").config)
    assert "sk-9f2c" not in text
    assert "pw-7a1e" not in text
    assert "access_key='DEMOACCESSKEY'" in text


def test_failure_message_field_alternates_by_default(emulator: Any) -> None:
    fields = []
    for _ in range(4):
        body = signed(emulator, "DELETE", emulator.version_path(1, 2)).json()
        fields.append("error_msg" if "error_msg" in body else "error_message")
        assert message_of(body)
    assert fields == ["error_msg", "error_message", "error_msg", "error_message"]
    emulator.config.error_field = "both"
    body = signed(emulator, "DELETE", emulator.version_path(1, 2)).json()
    assert body["error_msg"] == body["error_message"]
    emulator.config.error_field = "error_message"
    body = signed(emulator, "DELETE", emulator.version_path(1, 2)).json()
    assert "error_msg" not in body
    assert body["error_message"]


def test_workspaces_are_listed_and_absent_means_the_default_one() -> None:
    seed = {"jobs": 6, "versions_per_job": 1, "visualization_jobs": 6, "workspaces": 3}
    with EmulatorServer(seed=seed) as server:
        listed = signed(server, "GET", v1(server, "/workspaces")).json()
        ids = [ws["id"] for ws in listed["workspaces"]]
        assert listed["total_count"] == 3
        assert ids[0] == "0"
        assert len(set(ids)) == 3
        seen: dict[str, set[int]] = {}
        for ws in ids:
            params = {"workspace_id": ws}
            body = signed(server, "GET", v1(server, "/training-jobs"), params=params).json()
            seen[ws] = {j["job_id"] for j in body["jobs"]}
            vis = signed(server, "GET", v1(server, "/visualization-jobs"), params=params).json()
            assert vis["job_total_count"] == 2
        assert [len(jobs) for jobs in seen.values()] == [2, 2, 2]
        default = signed(server, "GET", v1(server, "/training-jobs")).json()
        assert {j["job_id"] for j in default["jobs"]} == seen["0"]
        server.config.workspace_list = False
        missing = signed(server, "GET", v1(server, "/workspaces"))
        assert missing.status_code == 404
        assert missing.json()["error_code"] == "APIG.0101"


@pytest.mark.parametrize(("reading", "expected"), [("all", 12), ("first", 5)])
def test_versions_page0_readings(reading: str, expected: int) -> None:
    with EmulatorServer(seed={"jobs": 1, "versions_per_job": 12}) as server:
        server.config.versions_page0 = reading
        (job_id,) = {key[0] for key in server.backend.training_version_ids()}
        path = v1(server, f"/training-jobs/{job_id}/versions")
        body = signed(server, "GET", path, params={"page": 0, "per_page": 5}).json()
        assert body["version_count"] == 12
        assert len(body["versions"]) == expected


def test_a_client_gone_before_its_answer_is_logged_quietly_and_serving_goes_on(
    emulator: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A client that drops its connection while the emulator waits to answer (a stopped
    listing, Ctrl-C) is no error: no traceback on stderr, one debug line, the next answer comes."""
    emulator.add_latency(0.3)
    caplog.set_level(logging.DEBUG, logger="modelarts_widgets.emulator")
    sock = socket.create_connection(("127.0.0.1", emulator.port))
    sock.sendall(f"GET /v1/{emulator.config.project_id}/training-jobs HTTP/1.1\r\n".encode())
    sock.sendall(f"Host: 127.0.0.1:{emulator.port}\r\n\r\n".encode())
    # close with a reset (no graceful FIN), as a process that dies or a stopped thread does
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(
        "went away" in r.getMessage() for r in caplog.records
    ):
        time.sleep(0.05)
    gone = [r for r in caplog.records if "went away" in r.getMessage()]
    assert [r.levelno for r in gone] == [logging.DEBUG]
    emulator.clear_faults()
    assert signed(emulator, "GET", v1(emulator, "/training-jobs")).status_code == 200
    assert "Traceback" not in capfd.readouterr().err
