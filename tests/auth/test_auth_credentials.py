"""Credentials and credential sources (static, environment, official SDK, metadata)."""

from __future__ import annotations

import json
import logging
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
import requests

from modelarts_widgets.auth.credentials import (
    Credentials,
    CredentialSourceError,
    EnvironmentCredentialSource,
    MetadataCredentialSource,
    OfficialSdkCredentialSource,
    StaticCredentialSource,
    parse_timestamp,
)
from modelarts_widgets.auth.signer import AkSkAuth


def test_credentials_repr_masks_everything_but_four_ak_chars() -> None:
    creds = Credentials("AKIDEXAMPLE123", "very-secret-sk", "tok-en-value", 1700000000.0)
    for text in (repr(creds), str(creds), f"{creds}", repr([creds])):
        assert "AKID…" in text
        assert "AKIDEXAMPLE123" not in text
        assert "very-secret-sk" not in text
        assert "tok-en-value" not in text
    assert creds.is_temporary
    assert not Credentials("AK", "SK").is_temporary


def test_credentials_are_frozen_and_compare_by_value() -> None:
    creds = Credentials("AK", "SK")
    with pytest.raises(AttributeError):
        creds.access_key = "other"  # type: ignore[misc]
    assert creds == Credentials("AK", "SK")
    assert Credentials("AK", "SK", expires_at=time.time() + 10).expires_within(60)
    assert not Credentials("AK", "SK").expires_within(60)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05.123456Z", 1704164645.123456),
        ("2024-01-02T03:04:05Z", 1704164645.0),
        ("2024-01-02T03:04:05.1Z", 1704164645.1),
        ("2024-01-02T03:04:05.123456789Z", 1704164645.123456),
        ("2024-01-02T03:04:05+00:00", 1704164645.0),
        ("2024-01-02T11:04:05.5+08:00", 1704164645.5),
        (1704164645, 1704164645.0),
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_timestamp(text: Any, expected: Any) -> None:
    result = parse_timestamp(text)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def test_static_source_refresh_returns_the_same() -> None:
    creds = Credentials("AK", "SK")
    src = StaticCredentialSource(creds)
    assert src.get() is creds
    assert src.refresh() is creds
    auth = AkSkAuth(src)
    auth(requests.Request("GET", "http://127.0.0.1:9/x").prepare())
    assert auth.refresh() is False


def test_environment_source_reads_and_rereads() -> None:
    env = {"HUAWEICLOUD_SDK_AK": "AK1", "HUAWEICLOUD_SDK_SK": "SK1"}
    src = EnvironmentCredentialSource(env)
    assert src.available()
    assert src.get() == Credentials("AK1", "SK1")
    auth = AkSkAuth(src)
    auth(requests.Request("GET", "http://127.0.0.1:9/x").prepare())
    env["HUAWEICLOUD_SDK_SECURITY_TOKEN"] = "T"
    env["HUAWEICLOUD_SDK_AK"] = "AK2"
    assert auth.refresh() is True
    assert src.get() == Credentials("AK2", "SK1", "T")
    del env["HUAWEICLOUD_SDK_SK"]
    with pytest.raises(CredentialSourceError, match="HUAWEICLOUD_SDK_SK"):
        src.get()


def test_official_sdk_source_rereads_attributes_and_rebuilds_on_refresh() -> None:
    sessions = iter(
        [
            SimpleNamespace(access_key="AK2", secret_key="SK2", security_token="T2"),
        ]
    )
    first = SimpleNamespace(
        access_key="AK1", secret_key="SK1", project_id="p1", region_name="eu-de"
    )
    src = OfficialSdkCredentialSource(first, factory=lambda: next(sessions))
    assert src.available()
    assert src.get() == Credentials("AK1", "SK1")
    assert (src.project_id, src.region_name) == ("p1", "eu-de")
    first.access_key = "AK1b"  # rotated in place by the SDK
    assert src.get().access_key == "AK1b"
    assert src.refresh() == Credentials("AK2", "SK2", "T2")
    assert not OfficialSdkCredentialSource(SimpleNamespace(access_key="")).available()


def test_metadata_source_against_the_emulator(emulator: Any) -> None:
    src = MetadataCredentialSource(emulator.base_url)
    creds = src.get()
    assert creds.is_temporary
    assert creds.expires_at is not None
    assert creds.expires_at > time.time() + 600
    assert src.get() is creds  # cached while far from expiry
    fresh = src.refresh()
    assert fresh != creds
    requests_seen = emulator.stats()["requests"]
    assert requests_seen["PUT /meta-data/latest/api/token"] == 1
    assert requests_seen["GET /openstack/latest/securitykey"] == 2
    # The temporary credentials really authenticate against ModelArts.
    resp = requests.get(
        f"{emulator.base_url}/v1/{emulator.config.project_id}/training-jobs",
        auth=AkSkAuth(src, emulator.config.project_id),
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["is_success"] is True


def _securitykey(expires: str = "2099-01-01T00:00:00.000000Z") -> dict[str, Any]:
    return {
        "credential": {
            "access": "TMPAK",
            "secret": "tmp-secret",
            "securitytoken": "tmp-token",
            "expires_at": expires,
        }
    }


@pytest.mark.parametrize("token_status", [404, 405, 503])
def test_metadata_source_tolerates_no_token_service(stub_server: Any, token_status: int) -> None:
    def script(method: str, path: str, headers: dict[str, str]) -> Any:
        if method == "PUT":
            return token_status, {}, {"error": "no"}
        assert "x-metadata-token" not in headers
        return 200, {}, _securitykey()

    stub = stub_server(script)
    creds = MetadataCredentialSource(stub.base_url).get()
    assert creds == Credentials("TMPAK", "tmp-secret", "tmp-token", creds.expires_at)
    assert stub.calls == [
        ("PUT", "/meta-data/latest/api/token"),
        ("GET", "/openstack/latest/securitykey"),
    ]


def test_metadata_source_refetches_close_to_expiry(stub_server: Any) -> None:
    soon = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() + 60))

    def script(method: str, path: str, headers: dict[str, str]) -> Any:
        if method == "PUT":
            return 200, {}, b"md-token"
        assert headers["x-metadata-token"] == "md-token"
        return 200, {}, _securitykey(soon)

    stub = stub_server(script)
    src = MetadataCredentialSource(stub.base_url)
    src.get()
    src.get()  # expires within the 5-minute margin: fetched again
    assert stub.calls.count(("GET", "/openstack/latest/securitykey")) == 2
    assert stub.calls.count(("PUT", "/meta-data/latest/api/token")) == 1


def test_metadata_source_errors_name_no_secret(stub_server: Any) -> None:
    stub = stub_server(
        lambda m, p, h: (
            (200, {}, b"")
            if m == "PUT"
            else (403, {}, b"Please configure Cloud Service Agency first")
        )
    )
    with pytest.raises(CredentialSourceError, match=r"HTTP 403.*agency"):
        MetadataCredentialSource(stub.base_url).get()
    bad_json = stub_server(lambda m, p, h: (200, {}, b"not json"))
    with pytest.raises(CredentialSourceError, match="not JSON"):
        MetadataCredentialSource(bad_json.base_url).get()


def test_metadata_source_unreachable_is_a_clear_error() -> None:
    src = MetadataCredentialSource("http://127.0.0.1:9", timeout=1.0)  # nothing listens on 9
    with pytest.raises(CredentialSourceError, match="not reachable"):
        src.get()


def test_metadata_logs_never_show_secrets(
    stub_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    stub = stub_server(
        lambda m, p, h: (200, {}, b"tok") if m == "PUT" else (200, {}, _securitykey())
    )
    with caplog.at_level(logging.DEBUG):
        creds = MetadataCredentialSource(stub.base_url).get()
    text = caplog.text + json.dumps([repr(creds), str(creds)])
    assert "TMPA…" in text
    for secret in ("TMPAK", "tmp-secret", "tmp-token"):
        assert secret not in text.replace("TMPA…", "")


def test_threads_failing_together_fetch_metadata_once(emulator: Any) -> None:
    src = MetadataCredentialSource(emulator.base_url)
    auth = AkSkAuth(src, emulator.config.project_id)
    url = f"{emulator.base_url}/v1/{emulator.config.project_id}/training-jobs"
    assert requests.get(url, auth=auth, timeout=10).status_code == 200
    emulator.expire_tokens()
    barrier = threading.Barrier(5)
    results: list[tuple[int, bool, int]] = []

    def worker() -> None:
        first = requests.get(url, auth=auth, timeout=10).status_code
        barrier.wait(timeout=10)
        refreshed = auth.refresh()
        results.append((first, refreshed, requests.get(url, auth=auth, timeout=10).status_code))

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [(401, True, 200)] * 5
    assert emulator.stats()["requests"]["GET /openstack/latest/securitykey"] == 2
