"""Fault injection and the /_emulator/ control endpoints."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import requests
from emulator_testlib import signed, v1

from modelarts_widgets.emulator import EmulatorServer


def jobs(server: Any, **kw: Any) -> requests.Response:
    return signed(server, "GET", v1(server, "/training-jobs"), **kw)


def test_forced_status_then_recovers(emulator: Any) -> None:
    emulator.force_error(503, count=2, path="training-jobs$", method="GET")
    first, second, third = jobs(emulator), jobs(emulator), jobs(emulator)
    assert [first.status_code, second.status_code, third.status_code] == [503, 503, 200]
    assert first.json()["error_code"] == "APIG.0202"
    assert first.headers["X-Request-Id"]


def test_forced_fault_only_matches_path_and_method(emulator: Any) -> None:
    emulator.force_error(500, path="visualization-jobs", method="DELETE")
    assert jobs(emulator).status_code == 200
    vis = signed(emulator, "GET", v1(emulator, "/visualization-jobs")).json()["jobs"][0]
    reply = signed(emulator, "DELETE", emulator.visualization_path(vis["job_id"]))
    assert reply.status_code == 500
    assert emulator.delete_calls[emulator.visualization_path(vis["job_id"])] == 1


def test_forced_custom_body(emulator: Any) -> None:
    body = {"is_success": False, "error_code": "ModelArts.0108", "error_message": "denied"}
    emulator.force_error(403, body=body)
    reply = jobs(emulator)
    assert reply.status_code == 403
    assert reply.json() == body


def test_drop_closes_connection(emulator: Any) -> None:
    emulator.force_error(kind="drop")
    with pytest.raises(requests.ConnectionError):
        jobs(emulator)
    assert jobs(emulator).status_code == 200


def test_html_proxy_page(emulator: Any) -> None:
    emulator.force_error(kind="html")
    reply = jobs(emulator)
    assert reply.status_code == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "<html>" in reply.text


def test_malformed_200(emulator: Any) -> None:
    emulator.force_error(kind="malformed")
    reply = jobs(emulator)
    assert reply.status_code == 200
    with pytest.raises(ValueError):
        reply.json()


@pytest.mark.parametrize(("retry_after", "header"), [(2, "2"), (None, None)])
def test_throttle_next_n(emulator: Any, retry_after: Any, header: Any) -> None:
    emulator.throttle(1, retry_after=retry_after)
    reply = jobs(emulator)
    assert reply.status_code == 429
    assert reply.json()["error_code"] == "APIG.0308"
    assert reply.headers.get("Retry-After") == header
    assert jobs(emulator).status_code == 200


def test_token_bucket_rate_limit(emulator: Any) -> None:
    emulator.set_rate_limit(0.001, burst=2, retry_after=3)
    codes = [jobs(emulator).status_code for _ in range(4)]
    assert codes[:2] == [200, 200]
    assert codes[2:] == [429, 429]
    limited = jobs(emulator)
    assert limited.headers["Retry-After"] == "3"
    assert "ratelimit" in limited.json()["error_msg"]
    emulator.set_rate_limit(None)
    assert jobs(emulator).status_code == 200


def test_fault_keywords_are_checked(emulator: Any) -> None:
    with pytest.raises(TypeError, match="did you mean 'burst'"):
        emulator.set_rate_limit(5, bursst=2)
    with pytest.raises(TypeError, match="did you mean 'path'"):
        emulator.add_latency(0.1, pth="/versions")
    with pytest.raises(TypeError, match="did you mean 'method'"):
        emulator.throttle(1, methd="GET")
    assert emulator.stats()["faults"]["rate_limit"] is None
    assert emulator.stats()["faults"]["latency"] == []
    assert emulator.stats()["faults"]["force"] == []
    # a JSON spec's unknown keys are ignored, as before
    emulator.configure_faults({"rate_limit": {"rate": 5, "note": "x"}, "latency": [{"seconds": 0}]})
    assert emulator.stats()["faults"]["rate_limit"] == {"rate": 5.0, "burst": 5.0}


def test_error_rate_is_seeded_and_reproducible() -> None:
    def run() -> list[int]:
        with EmulatorServer(rng_seed=7) as server:
            server.set_error_rate(0.5, statuses=(500, 503))
            return [jobs(server).status_code for _ in range(20)]

    first = run()
    assert first == run()
    assert {200, 500, 503} >= set(first)
    assert 200 in first
    assert len(set(first)) > 1


def test_latency_rule_is_reported(emulator: Any) -> None:
    emulator.add_latency(0.05, path="visualization", method="GET")
    assert emulator.stats()["faults"]["latency"] == [
        {"seconds": 0.05, "path": "visualization", "method": "GET"}
    ]
    assert signed(emulator, "GET", v1(emulator, "/visualization-jobs")).status_code == 200


def test_control_endpoints(emulator: Any) -> None:
    base = emulator.base_url + "/_emulator"
    spec = {
        "force": [{"kind": "status", "status": 500, "count": 1, "path": "training-jobs"}],
        "latency": {"seconds": 0.01},
        "error_rate": {"rate": 0.0},
        "rate_limit": {"rate": 1000, "burst": 1000},
    }
    reply = requests.post(base + "/faults", json=spec, timeout=10)
    assert reply.status_code == 200
    assert reply.json()["faults"]["force"][0]["count"] == 1
    assert jobs(emulator).status_code == 500
    assert requests.delete(base + "/faults", timeout=10).json() == {"is_success": True}
    assert emulator.stats()["faults"]["latency"] == []
    bad = requests.post(base + "/faults", json={"force": [{"kind": "bogus"}]}, timeout=10)
    assert bad.status_code == 400

    seeded = requests.post(
        base + "/seed", json={"jobs": 5, "versions_per_job": 2, "visualization_jobs": 1},
        timeout=10,
    ).json()  # fmt: skip
    assert (seeded["training_jobs"], seeded["training_versions"]) == (5, 10)
    assert seeded["visualization_jobs"] == 1

    emulator.delete_delay = None
    job = jobs(emulator).json()["jobs"][0]
    path = emulator.version_path(job["job_id"], job["version_id"])
    signed(emulator, "DELETE", path)
    assert requests.post(base + "/advance", timeout=10).json()["completed"] == 1
    stats = requests.get(base + "/stats", timeout=10).json()
    assert stats["delete_calls"] == {path: 1}
    assert stats["requests"]["DELETE /v1/{project_id}/training-jobs/{job_id}/versions/{version_id}"]
    assert stats["training_versions"] == 9

    token_reply = requests.post(
        emulator.base_url + "/v3/auth/tokens",
        json={"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "demo-user", "password": "demo-password",
            "domain": {"name": "demo-domain"}}}}, "scope": {"project": {"name": "eu-de"}}}},
        timeout=10,
    )  # fmt: skip
    token = token_reply.headers["X-Subject-Token"]
    assert requests.post(base + "/expire-tokens", timeout=10).status_code == 200
    expired = requests.get(
        emulator.base_url + v1(emulator, "/training-jobs"),
        headers={"X-Auth-Token": token},
        timeout=10,
    )
    assert expired.status_code == 401

    reset = requests.post(base + "/reset", timeout=10).json()
    assert (reset["training_jobs"], reset["visualization_jobs"]) == (3, 4)
    assert reset["delete_calls"] == {}
    assert reset["requests"] == {}


def test_faults_never_touch_control_endpoints(emulator: Any) -> None:
    emulator.set_error_rate(1.0)
    assert requests.get(emulator.base_url + "/_emulator/stats", timeout=10).status_code == 200
    assert jobs(emulator).status_code in (500, 502, 503)


def test_stop_joins_threads_with_open_keepalive() -> None:
    import threading

    before = {t for t in threading.enumerate() if t.name.startswith("emulator")}
    server = EmulatorServer().start()
    session = requests.Session()
    assert signed(server, "GET", v1(server, "/training-jobs"), session=session).status_code == 200
    server.add_latency(30.0)
    waiter = threading.Thread(
        target=lambda: _swallow(lambda: signed(server, "GET", v1(server, "/x"))), daemon=True
    )
    waiter.start()
    server.stop()
    server.stop()  # idempotent
    waiter.join(10)
    session.close()
    after = {t for t in threading.enumerate() if t.name.startswith("emulator")}
    assert after <= before


def _swallow(fn: Any) -> None:
    with contextlib.suppress(requests.RequestException):
        fn()


def test_control_refused_from_non_loopback_client(emulator: Any) -> None:
    from modelarts_widgets.emulator.handlers import Request

    app = emulator._app
    remote = app.dispatch(Request("GET", "/_emulator/stats", client_host="192.0.2.10"))
    assert remote.status == 403
    assert remote.headers["X-Request-Id"]
    local = app.dispatch(Request("GET", "/_emulator/stats", client_host="::1"))
    assert local.status == 200
