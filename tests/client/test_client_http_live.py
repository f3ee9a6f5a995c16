"""The HTTP seam against the live emulator: retries, 429, errors, malformed bodies, refresh."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.signer import AkSkAuth
from modelarts_widgets.client import HttpClient, HttpEvent, RestClient, RetryPolicy
from modelarts_widgets.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
)

LIST = "/training-jobs$"


class RefreshingAuth(AkSkAuth):
    """AK/SK auth whose refresh always reports new credentials, and counts calls."""

    refreshes = 0

    def refresh(self) -> bool:
        self.refreshes += 1
        return True


def make_client(
    emulator: Any, auth: Any = None, *, timeout: Any = (5.0, 30.0), **retry: Any
) -> RestClient:
    """A REST client on ``emulator``; ``retry`` are :class:`RetryPolicy` fields (backoff 10 ms)."""
    if auth is None:
        creds = Credentials(emulator.config.access_key, emulator.config.secret_key)
        auth = AkSkAuth(StaticCredentialSource(creds), emulator.config.project_id)
    policy = RetryPolicy(**{"backoff_base": 0.01, **retry})
    http = HttpClient(emulator.base_url, auth, timeout=timeout, retry=policy)
    return RestClient(http, emulator.config.project_id)


@pytest.fixture
def events() -> list[HttpEvent]:
    return []


@pytest.fixture
def api(emulator: Any, events: list[HttpEvent]) -> Any:
    client = make_client(emulator)
    client.add_event_listener(events.append)
    yield client
    client.close()


def list_calls(emulator: Any) -> int:
    return int(emulator.stats()["requests"].get("GET /v1/{project_id}/training-jobs", 0))


def some_version(api: RestClient, emulator: Any) -> Any:
    version = api.list_all_job_versions()[0]
    emulator.backend.set_version_status(version.job_id, version.version_id, 10)
    return version


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_get_is_retried_after_5xx(
    api: RestClient, emulator: Any, events: list[HttpEvent], status: int
) -> None:
    emulator.force_error(status, count=2, path=LIST)
    assert len(list(api.iter_training_jobs())) == 3
    assert list_calls(emulator) == 3
    assert [(e.kind, e.attempt, e.reason) for e in events] == [
        ("retry", 1, f"HTTP {status}"),
        ("retry", 2, f"HTTP {status}"),
    ]
    assert all(e.method == "GET" and e.path.endswith("/training-jobs") for e in events)
    assert all(0.0 < e.wait_s <= 0.02 for e in events)


def test_get_gives_up_after_max_retries(emulator: Any, events: list[HttpEvent]) -> None:
    api = make_client(emulator, max_retries=2)
    api.add_event_listener(events.append)
    emulator.force_error(503, count=5, path=LIST)
    with pytest.raises(ServerError) as info:
        list(api.iter_training_jobs())
    assert list_calls(emulator) == 3
    assert len(events) == 2
    err = info.value
    assert err.status_code == 503
    assert err.error_code == "APIG.0202"
    assert err.error_msg == "Service unavailable (injected fault)."
    assert err.request_id
    assert err.request_id in str(err)


def test_delete_is_not_resent_after_5xx(api: RestClient, emulator: Any) -> None:
    version = some_version(api, emulator)
    path = emulator.version_path(version.job_id, version.version_id)
    emulator.force_error(500, path=path + "$", method="DELETE")
    result = api.delete_job_version(version.job_id, version.version_id)
    assert not result.is_success
    assert result.http_status == 500
    assert result.error_code == "ModelArts.0001"
    assert emulator.delete_calls == {path: 1}
    assert version.key in {v.key for v in api.list_all_job_versions()}


def test_delete_is_not_resent_after_a_dropped_connection(api: RestClient, emulator: Any) -> None:
    version = some_version(api, emulator)
    path = emulator.version_path(version.job_id, version.version_id)
    emulator.force_error(kind="drop", path=path + "$", method="DELETE")
    with pytest.raises(TransportError) as info:
        api.delete_job_version(version.job_id, version.version_id)
    assert info.value.method == "DELETE"
    assert emulator.delete_calls == {path: 1}


def test_post_is_not_resent_after_5xx(api: RestClient, emulator: Any) -> None:
    emulator.force_error(502, path="/visualization-jobs$", method="POST")
    with pytest.raises(ServerError):
        api.create_visualization_job(job_name="x", train_url="/b/")
    assert emulator.stats()["requests"]["POST /v1/{project_id}/visualization-jobs"] == 1


def test_get_is_retried_after_a_dropped_connection(
    api: RestClient, emulator: Any, events: list[HttpEvent]
) -> None:
    emulator.force_error(kind="drop", path=LIST)
    assert len(list(api.iter_training_jobs())) == 3
    assert [(e.kind, e.reason) for e in events] == [("retry", "connection error")]


def test_dropped_connection_without_retries_is_a_transport_error(emulator: Any) -> None:
    api = make_client(emulator, max_retries=0)
    emulator.force_error(kind="drop", path=LIST)
    with pytest.raises(TransportError) as info:
        list(api.iter_training_jobs())
    assert not isinstance(info.value, RequestTimeoutError)


def test_unreachable_server_is_a_transport_error(emulator: Any) -> None:
    api = make_client(emulator, max_retries=1)
    emulator.stop()
    with pytest.raises(TransportError):
        list(api.iter_training_jobs())


def test_slow_answer_is_a_timeout(emulator: Any) -> None:
    api = make_client(emulator, max_retries=0, timeout=(2.0, 0.2))
    emulator.add_latency(1.0, path=LIST)
    with pytest.raises(RequestTimeoutError) as info:
        list(api.iter_training_jobs())
    assert info.value.method == "GET"


def test_429_with_retry_after_is_honoured(
    api: RestClient, emulator: Any, events: list[HttpEvent]
) -> None:
    emulator.throttle(retry_after=0.05, path=LIST)
    assert len(list(api.iter_training_jobs())) == 3
    assert len(events) == 1
    event = events[0]
    assert (event.kind, event.wait_s, event.attempt) == ("rate_limited", 0.05, 1)
    assert event.describe() == "waiting 0.1 s (rate limited)"


def test_429_without_retry_after_backs_off(
    api: RestClient, emulator: Any, events: list[HttpEvent]
) -> None:
    emulator.throttle(count=2, retry_after=None, path=LIST)
    assert len(list(api.iter_training_jobs())) == 3
    assert [e.kind for e in events] == ["rate_limited", "rate_limited"]
    assert 0.005 <= events[0].wait_s <= 0.01
    assert 0.01 <= events[1].wait_s <= 0.02


def test_retry_after_is_capped(emulator: Any, events: list[HttpEvent]) -> None:
    api = make_client(emulator, max_retry_after=0.05)
    api.add_event_listener(events.append)
    emulator.throttle(retry_after=3600, path=LIST)
    assert len(list(api.iter_training_jobs())) == 3
    assert events[0].wait_s == 0.05


def test_throttled_delete_is_resent(api: RestClient, emulator: Any) -> None:
    version = some_version(api, emulator)
    path = emulator.version_path(version.job_id, version.version_id)
    emulator.throttle(retry_after=0.01, path=path + "$", method="DELETE")
    assert api.delete_job_version(version.job_id, version.version_id).is_success
    assert emulator.delete_calls == {path: 2}


def test_throttled_delete_after_retries_is_a_429_result(emulator: Any) -> None:
    api = make_client(emulator, max_rate_limit_retries=1)
    version = some_version(api, emulator)
    path = emulator.version_path(version.job_id, version.version_id)
    emulator.throttle(count=5, retry_after=0.01, path=path + "$", method="DELETE")
    result = api.delete_job_version(version.job_id, version.version_id)
    assert not result.is_success
    assert result.http_status == 429
    assert result.error_code == "APIG.0308"
    assert emulator.delete_calls == {path: 2}


def test_throttled_get_after_retries_raises_rate_limit_error(emulator: Any) -> None:
    api = make_client(emulator, max_rate_limit_wait=1.0)  # one 2 s wait would pass the budget
    emulator.throttle(retry_after=2, path=LIST)
    with pytest.raises(RateLimitError) as info:
        list(api.iter_training_jobs())
    assert info.value.retry_after == 2.0
    assert info.value.error_code == "APIG.0308"


def test_delete_at_the_rate_limit_outlasts_max_retries(emulator: Any) -> None:
    """Five 429s in a row exceed max_retries=3 but not the rate-limit budget: sent once more."""
    api = make_client(emulator, max_retries=3)
    version = some_version(api, emulator)
    path = emulator.version_path(version.job_id, version.version_id)
    emulator.throttle(count=5, retry_after=0.01, path=path + "$", method="DELETE")
    result = api.delete_job_version(version.job_id, version.version_id)
    assert result.is_success
    assert emulator.delete_calls == {path: 6}  # five throttled (not processed) + one accepted


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, APIError),
        (500, ServerError),
    ],
)
def test_error_mapping_by_status(emulator: Any, status: int, cls: type[APIError]) -> None:
    api = make_client(emulator, max_retries=0)
    emulator.force_error(
        status, body={"error_code": "ModelArts.9999", "error_message": "msg"}, path=LIST
    )
    with pytest.raises(cls) as info:
        list(api.iter_training_jobs())
    err = info.value
    assert type(err) is cls
    assert (err.status_code, err.error_code, err.error_msg) == (status, "ModelArts.9999", "msg")
    assert err.request_id
    assert emulator.config.secret_key not in str(err)


def test_real_auth_failures_are_mapped(emulator: Any) -> None:
    creds = Credentials(emulator.config.access_key, "wrong-secret")
    auth = AkSkAuth(StaticCredentialSource(creds), emulator.config.project_id)
    api = make_client(emulator, auth=auth)
    with pytest.raises(AuthenticationError) as info:
        list(api.iter_training_jobs())
    assert info.value.error_code == "APIG.0301"
    assert "wrong-secret" not in str(info.value)
    other = make_client(emulator)
    other_project = RestClient(other.http, "f" * 32)
    with pytest.raises(PermissionDeniedError) as denied:
        list(other_project.iter_training_jobs())
    assert denied.value.error_code == "ModelArts.0210"


@pytest.mark.parametrize(("kind", "status"), [("html", 502), ("malformed", 200)])
def test_non_json_bodies_are_malformed_responses(emulator: Any, kind: str, status: int) -> None:
    api = make_client(emulator, max_retries=0)
    emulator.force_error(kind=kind, path=LIST)
    with pytest.raises(MalformedResponseError) as info:
        list(api.iter_training_jobs())
    err = info.value
    assert err.status_code == status
    text = str(err)
    assert f"HTTP {status}" in text
    assert "<" not in text
    assert len(text) < 400
    assert "Authorization" not in text
    assert emulator.config.access_key not in text


def test_html_page_on_get_is_retried_as_a_5xx(api: RestClient, emulator: Any) -> None:
    emulator.force_error(kind="html", path=LIST)
    assert len(list(api.iter_training_jobs())) == 3


def test_html_page_on_delete_is_a_failure_result(api: RestClient, emulator: Any) -> None:
    version = some_version(api, emulator)
    emulator.force_error(kind="html", method="DELETE")
    result = api.delete_job_version(version.job_id, version.version_id)
    assert not result.is_success
    assert result.http_status == 502
    assert "Bad Gateway" in (result.error_msg or "")


def test_expired_credentials_refresh_once_and_resend(
    emulator: Any, events: list[HttpEvent]
) -> None:
    creds = Credentials(emulator.config.access_key, emulator.config.secret_key)
    auth = RefreshingAuth(StaticCredentialSource(creds), emulator.config.project_id)
    api = make_client(emulator, auth=auth)
    api.add_event_listener(events.append)
    expired = {"error_code": "ModelArts.0202", "error_msg": "Token expired."}
    emulator.force_error(401, body=expired, path=LIST)
    assert len(list(api.iter_training_jobs())) == 3
    assert auth.refreshes == 1
    assert [e.kind for e in events] == ["refreshed"]

    emulator.force_error(401, body=expired, count=2, path=LIST)
    with pytest.raises(AuthenticationError):
        list(api.iter_training_jobs())
    assert auth.refreshes == 2  # once per request, never twice


def test_expired_credentials_refresh_also_for_delete(emulator: Any) -> None:
    creds = Credentials(emulator.config.access_key, emulator.config.secret_key)
    auth = RefreshingAuth(StaticCredentialSource(creds), emulator.config.project_id)
    api = make_client(emulator, auth=auth)
    version = some_version(api, emulator)
    body = {"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information: "
            "the security token expired"}  # fmt: skip
    emulator.force_error(401, body=body, method="DELETE")
    assert api.delete_job_version(version.job_id, version.version_id).is_success
    assert auth.refreshes == 1


def test_non_expiry_401_is_not_refreshed(emulator: Any) -> None:
    creds = Credentials(emulator.config.access_key, emulator.config.secret_key)
    auth = RefreshingAuth(StaticCredentialSource(creds), emulator.config.project_id)
    api = make_client(emulator, auth=auth)
    emulator.force_error(401, body={"error_code": "ModelArts.0203"}, path=LIST)
    with pytest.raises(AuthenticationError):
        list(api.iter_training_jobs())
    assert auth.refreshes == 0


def test_listener_removal_and_failing_listener(api: RestClient, emulator: Any) -> None:
    seen: list[HttpEvent] = []

    def broken(event: HttpEvent) -> None:
        raise RuntimeError("listener bug")

    api.add_event_listener(broken)
    api.add_event_listener(seen.append)
    emulator.force_error(503, path=LIST)
    assert len(list(api.iter_training_jobs())) == 3
    assert len(seen) == 1
    api.remove_event_listener(seen.append)
    api.remove_event_listener(broken)
    emulator.force_error(503, path=LIST)
    list(api.iter_training_jobs())
    assert len(seen) == 1


def test_debug_log_names_request_but_no_secret(
    api: RestClient, emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="modelarts_widgets.http")
    list(api.iter_training_jobs(search_content="image"))
    lines = [r.getMessage() for r in caplog.records if r.name == "modelarts_widgets.http"]
    cfg = emulator.config
    assert any(f"GET /v1/{cfg.project_id}/training-jobs -> 200" in line for line in lines)
    assert any("request id" in line and " ms)" in line for line in lines)
    text = "\n".join(lines)
    for secret in (cfg.secret_key, cfg.access_key, "Authorization", "image"):
        assert secret not in text


def test_expired_iam_token_is_renewed_end_to_end(emulator: Any) -> None:
    from modelarts_widgets.session import Session

    session = Session(
        username=emulator.config.username,
        password=emulator.config.password,
        account=emulator.config.domain,
        region_name=emulator.config.region,
        iam_endpoint=emulator.base_url,
        modelarts_endpoint=emulator.base_url,
    )
    api = session.client
    seen: list[HttpEvent] = []
    api.add_event_listener(seen.append)  # type: ignore[attr-defined]
    assert len(list(api.iter_training_jobs())) == 3
    emulator.expire_tokens()
    assert len(list(api.iter_training_jobs())) == 3
    assert [e.kind for e in seen] == ["refreshed"]


def test_expired_fixed_temporary_credentials_fail_cleanly(emulator: Any) -> None:
    from modelarts_widgets.session import Session

    cred = emulator.issue_temporary_credential()["credential"]
    session = Session(
        access_key=cred["access"],
        secret_key=cred["secret"],
        security_token=cred["securitytoken"],
        project_id=emulator.config.project_id,
        region_name=emulator.config.region,
        modelarts_endpoint=emulator.base_url,
    )
    assert len(list(session.client.iter_training_jobs())) == 3
    emulator.expire_tokens()
    with pytest.raises(AuthenticationError) as info:
        list(session.client.iter_training_jobs())
    assert info.value.error_code == "APIG.0301"
    for secret in (cred["secret"], cred["securitytoken"]):
        assert secret not in str(info.value)


def test_as_many_requests_at_once_as_a_list_may_send_keep_their_connections(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A delete run (up to 32 at once) beside a listing (up to 16 + 2) shares one session: its
    connections go back to the pool to be used again, with no "Connection pool is full,
    discarding connection" warning (a notebook shows it; over TLS each one is a new handshake)."""
    for n in range(24):
        emulator.add_training_job(f"many-{n}", versions=[{}])
    emulator.add_latency(0.2)
    caplog.set_level(logging.WARNING, logger="urllib3")
    client = make_client(emulator)
    versions = client.list_all_job_versions(max_workers=24)
    assert len({v.job_id for v in versions}) == 27  # the fixture's 3 jobs and the 24
    assert [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")] == []
