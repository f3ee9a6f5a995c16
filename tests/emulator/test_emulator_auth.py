"""Authentication in the emulator: AK/SK signatures, IAM tokens, temporary credentials, metadata."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import requests
from emulator_testlib import get_token, password_body, signed, v1

from modelarts_widgets.emulator import EmulatorServer

OTHER_PROJECT = "f" * 32


def _sdk_date(offset_s: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() + offset_s))


def test_signed_request_accepted_with_and_without_project_header(emulator: Any) -> None:
    path = v1(emulator, "/training-jobs")
    assert signed(emulator, "GET", path, params={"search_content": "a b/c"}).status_code == 200
    assert signed(emulator, "GET", path, project_id=None).status_code == 200


def test_signed_post_with_body(emulator: Any) -> None:
    body = {"job_name": "signed_body", "train_url": "/b/"}
    reply = signed(emulator, "POST", v1(emulator, "/visualization-jobs"), body=body)
    assert reply.status_code == 200


def _assert_apig(reply: requests.Response, *words: str) -> None:
    assert reply.status_code == 401
    body = reply.json()
    assert body["error_code"] == "APIG.0301"
    assert body["error_msg"].startswith("Incorrect IAM authentication information")
    assert body["request_id"] == reply.headers["X-Request-Id"]
    for word in words:
        assert word in body["error_msg"]


def test_bad_signature_and_unknown_key(emulator: Any) -> None:
    path = v1(emulator, "/training-jobs")
    _assert_apig(signed(emulator, "GET", path, sk="wrong-secret"), "signature")
    _assert_apig(signed(emulator, "GET", path, ak="NOSUCHKEY"), "access key")


def test_tampered_query_fails_signature(emulator: Any) -> None:
    good = signed(emulator, "GET", v1(emulator, "/training-jobs"), params={"page": 1})
    request = good.request
    assert request.url is not None
    tampered = requests.get(
        request.url.replace("page=1", "page=2"), headers=dict(request.headers), timeout=10
    )
    _assert_apig(tampered, "signature")


def test_skewed_date_is_rejected_with_clock_message(emulator: Any) -> None:
    path = v1(emulator, "/training-jobs")
    _assert_apig(signed(emulator, "GET", path, sdk_date=_sdk_date(-16 * 60)), "clock")
    _assert_apig(signed(emulator, "GET", path, sdk_date=_sdk_date(16 * 60)), "time")
    assert signed(emulator, "GET", path, sdk_date=_sdk_date(-14 * 60)).status_code == 200


def test_wrong_project(emulator: Any) -> None:
    other = f"/v1/{OTHER_PROJECT}/training-jobs"
    for reply in (
        signed(emulator, "GET", other),
        signed(emulator, "GET", other, project_id=OTHER_PROJECT),
        signed(emulator, "GET", v1(emulator, "/training-jobs"), project_id=OTHER_PROJECT),
    ):
        assert reply.status_code == 403
        assert reply.json()["error_code"] == "ModelArts.0210"


def test_no_credentials(emulator: Any) -> None:
    reply = requests.get(emulator.base_url + v1(emulator, "/training-jobs"), timeout=10)
    assert reply.status_code == 401
    assert reply.json()["error_code"] == "ModelArts.0201"


def test_token_issue_shape_and_use(emulator: Any) -> None:
    reply = requests.post(
        emulator.base_url + "/v3/auth/tokens",
        json=password_body(project={"name": "eu-de"}),
        timeout=10,
    )
    assert reply.status_code == 201
    token = reply.headers["X-Subject-Token"]
    body = reply.json()["token"]
    assert body["project"]["id"] == emulator.config.project_id
    assert body["project"]["name"] == "eu-de"
    assert body["user"]["name"] == "demo-user"
    issued = datetime.strptime(body["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    expires = datetime.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert (expires - issued).total_seconds() == 86400
    assert token not in reply.text
    url = emulator.base_url + v1(emulator, "/visualization-jobs")
    assert requests.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code == 200
    by_id = requests.post(
        emulator.base_url + "/v3/auth/tokens",
        json=password_body(project={"id": emulator.config.project_id}),
        timeout=10,
    )
    assert by_id.status_code == 201


def test_token_wrong_password_is_keystone_401(emulator: Any) -> None:
    reply = requests.post(
        emulator.base_url + "/v3/auth/tokens",
        json=password_body(password="nope", project={"name": "eu-de"}),
        timeout=10,
    )
    assert reply.status_code == 401
    assert reply.json() == {
        "error": {
            "code": 401,
            "message": "The username or password is wrong.",
            "title": "Unauthorized",
        }
    }
    assert "X-Subject-Token" not in reply.headers


def test_token_unknown_expired_unscoped_and_wrong_project(emulator: Any) -> None:
    url = emulator.base_url + v1(emulator, "/training-jobs")
    unknown = requests.get(url, headers={"X-Auth-Token": "MIIbogus"}, timeout=10)
    assert unknown.status_code == 401
    assert unknown.json()["error_code"] == "ModelArts.0203"
    unscoped = requests.post(
        emulator.base_url + "/v3/auth/tokens", json=password_body(), timeout=10
    ).headers["X-Subject-Token"]
    reply = requests.get(url, headers={"X-Auth-Token": unscoped}, timeout=10)
    assert reply.status_code == 401
    assert reply.json()["error_code"] == "ModelArts.0212"
    token = get_token(emulator)
    other = f"{emulator.base_url}/v1/{OTHER_PROJECT}/training-jobs"
    reply = requests.get(other, headers={"X-Auth-Token": token}, timeout=10)
    assert reply.status_code == 403
    assert reply.json()["error_code"] == "ModelArts.0210"
    emulator.expire_tokens()
    expired = requests.get(url, headers={"X-Auth-Token": token}, timeout=10)
    assert expired.status_code == 401
    assert expired.json() == {"error_code": "ModelArts.0202", "error_msg": "Token expired."}


def test_token_ttl_configurable() -> None:
    with EmulatorServer(token_ttl=60) as server:
        reply = requests.post(
            server.base_url + "/v3/auth/tokens",
            json=password_body(project={"name": "eu-de"}),
            timeout=10,
        )
        body = reply.json()["token"]
        fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
        delta = datetime.strptime(body["expires_at"], fmt) - datetime.strptime(
            body["issued_at"], fmt
        )
        assert delta.total_seconds() == 60


def test_projects_lookup_by_token_and_aksk(emulator: Any) -> None:
    token = get_token(emulator)
    url = emulator.base_url + "/v3/projects"
    reply = requests.get(url, params={"name": "eu-de"}, headers={"X-Auth-Token": token}, timeout=10)
    assert reply.status_code == 200
    assert [(p["id"], p["name"]) for p in reply.json()["projects"]] == [
        (emulator.config.project_id, "eu-de")
    ]
    reply = signed(emulator, "GET", "/v3/projects", params={"name": "eu-de"}, project_id=None)
    assert reply.json()["projects"][0]["id"] == emulator.config.project_id
    none = signed(emulator, "GET", "/v3/projects", params={"name": "xx"}, project_id=None)
    assert none.json()["projects"] == []
    assert requests.get(url, params={"name": "eu-de"}, timeout=10).status_code == 401


def test_metadata_temporary_credentials(emulator: Any) -> None:
    token = requests.put(
        emulator.base_url + "/meta-data/latest/api/token",
        headers={"X-Metadata-Token-Ttl-Seconds": "21600"},
        timeout=10,
    )
    assert token.status_code == 200
    assert token.text
    reply = requests.get(
        emulator.base_url + "/openstack/latest/securitykey",
        headers={"X-Metadata-Token": token.text},
        timeout=10,
    )
    assert reply.status_code == 200
    cred = reply.json()["credential"]
    assert {"access", "secret", "securitytoken", "expires_at"} == set(cred)
    datetime.strptime(cred["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    path = v1(emulator, "/training-jobs")
    ok = signed(
        emulator, "GET", path, ak=cred["access"], sk=cred["secret"],
        security_token=cred["securitytoken"],
    )  # fmt: skip
    assert ok.status_code == 200
    missing = signed(emulator, "GET", path, ak=cred["access"], sk=cred["secret"])
    _assert_apig(missing, "X-Security-Token")
    wrong = signed(
        emulator, "GET", path, ak=cred["access"], sk=cred["secret"], security_token="nope"
    )
    _assert_apig(wrong, "X-Security-Token")
    emulator.expire_tokens()
    expired = signed(
        emulator, "GET", path, ak=cred["access"], sk=cred["secret"],
        security_token=cred["securitytoken"],
    )  # fmt: skip
    _assert_apig(expired, "security token expired")
    bad_meta = requests.get(
        emulator.base_url + "/openstack/latest/securitykey",
        headers={"X-Metadata-Token": "forged"},
        timeout=10,
    )
    assert bad_meta.status_code == 401


def test_temporary_credential_ttl() -> None:
    with EmulatorServer(temp_credential_ttl=120) as server:
        cred = server.issue_temporary_credential()["credential"]
        expires = datetime.strptime(cred["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        remaining = (expires - datetime.utcnow()).total_seconds()
        assert 0 < remaining <= 120


def test_repr_and_stats_hide_secrets() -> None:
    with EmulatorServer(secret_key="very-secret-sk", password="pw-secret") as server:
        token = get_token_for(server)
        signed(server, "GET", v1(server, "/training-jobs"))
        text = repr(server) + repr(server.stats())
        for secret in ("very-secret-sk", "pw-secret", token):
            assert secret not in text


def get_token_for(server: Any) -> str:
    body = password_body(password=server.config.password, project={"name": server.config.region})
    reply = requests.post(server.base_url + "/v3/auth/tokens", json=body, timeout=10)
    return reply.headers["X-Subject-Token"]
