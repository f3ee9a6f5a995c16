"""Session: every credential path makes a real authenticated call to the live emulator."""

from __future__ import annotations

import logging
import sys
import types
import warnings
from typing import Any, Callable, Optional

import pytest
import requests

from modelarts_widgets.auth.iam import PasswordTokenSource
from modelarts_widgets.errors import AuthenticationError, CredentialsNotFoundError
from modelarts_widgets.session import Session, in_modelarts_notebook


def _endpoints(emulator: Any) -> dict[str, str]:
    return {"modelarts_endpoint": emulator.base_url, "iam_endpoint": emulator.base_url}


def _list_jobs(session: Session) -> list[Any]:
    return list(session.client.iter_training_jobs())


def _secrets_of(emulator: Any, *extra: Optional[str]) -> list[Optional[str]]:
    cfg = emulator.config
    return [cfg.access_key, cfg.secret_key, cfg.password, *extra]


def _scan(session: Session, caplog: pytest.LogCaptureFixture, secrets: list[Optional[str]]) -> None:
    text = "\n".join(
        [
            repr(session),
            str(session),
            repr(session.auth),
            repr(session.client),
            repr(vars(session.client)) if hasattr(session.client, "__dict__") else "",
            caplog.text,
        ]
    )
    for secret in secrets:
        if secret:
            assert secret not in text, "a secret leaked into repr/str/logs"


@pytest.fixture(autouse=True)
def _no_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSTANCE_ID", raising=False)
    monkeypatch.delenv("PROJECT_ID", raising=False)


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def test_explicit_aksk(emulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    session = Session(
        access_key=emulator.config.access_key,
        secret_key=emulator.config.secret_key,
        project_id=emulator.config.project_id,
        **_endpoints(emulator),
    )
    assert (session.auth_method, session.credential_source) == ("aksk", "explicit")
    assert len(_list_jobs(session)) == 3
    assert "GET /v3/projects" not in emulator.stats()["requests"]
    _scan(session, caplog, _secrets_of(emulator))


def test_explicit_aksk_looks_up_the_project(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    session = Session(
        access_key=emulator.config.access_key,
        secret_key=emulator.config.secret_key,
        **_endpoints(emulator),
    )
    assert session.project_id == emulator.config.project_id
    assert emulator.stats()["requests"]["GET /v3/projects"] == 1
    assert len(_list_jobs(session)) == 3
    _scan(session, caplog, _secrets_of(emulator))


def test_temporary_aksk_with_security_token(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    temp = emulator.issue_temporary_credential()["credential"]
    session = Session(
        access_key=temp["access"],
        secret_key=temp["secret"],
        security_token=temp["securitytoken"],
        project_id=emulator.config.project_id,
        **_endpoints(emulator),
    )
    assert session.auth_method == "temporary-aksk"
    assert len(_list_jobs(session)) == 3
    _scan(session, caplog, [temp["access"], temp["secret"], temp["securitytoken"]])


def test_password_and_refresh_after_expiry(emulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    session = Session(
        username=emulator.config.username,
        password=emulator.config.password,
        account=emulator.config.domain,
        **_endpoints(emulator),
    )
    assert session.auth_method == "password"
    assert session.project_id == emulator.config.project_id  # from the token body, no lookup
    first_token = session.auth.source.get().value  # type: ignore[union-attr]
    assert len(_list_jobs(session)) == 3
    emulator.expire_tokens()
    events: list[Any] = []
    session.client.add_event_listener(events.append)  # type: ignore[attr-defined]
    assert len(_list_jobs(session)) == 3  # 401 ModelArts.0202 -> one re-auth -> resend
    stats = emulator.stats()["requests"]
    assert stats["POST /v3/auth/tokens"] == 2
    assert "GET /v3/projects" not in stats
    assert [e.kind for e in events] == ["refreshed"]
    second_token = session.auth.source.get().value  # type: ignore[union-attr]
    assert second_token != first_token
    _scan(session, caplog, _secrets_of(emulator, first_token, second_token))


def test_wrong_password_fails_at_construction_without_the_password(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(AuthenticationError) as info:
        Session(username=emulator.config.username, password="not-the-Pa55", **_endpoints(emulator))
    assert "not-the-Pa55" not in str(info.value) + repr(info.value) + caplog.text
    assert emulator.config.username in str(info.value)


def test_loopback_modelarts_endpoint_is_also_the_iam_endpoint(emulator: Any) -> None:
    session = Session(
        username=emulator.config.username,
        password=emulator.config.password,
        account=emulator.config.domain,
        modelarts_endpoint=emulator.base_url,
    )
    assert session.iam_endpoint == emulator.base_url
    assert len(_list_jobs(session)) == 3


def test_explicit_token(emulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    token = PasswordTokenSource(
        emulator.base_url,
        emulator.config.username,
        emulator.config.password,
        account=emulator.config.domain,
        project_name=emulator.config.region,
    ).get()
    session = Session(token=token.value, **_endpoints(emulator))
    assert session.auth_method == "token"
    assert session.project_id == emulator.config.project_id  # looked up with the token
    assert emulator.stats()["requests"]["GET /v3/projects"] == 1
    assert len(_list_jobs(session)) == 3
    emulator.expire_tokens()
    with pytest.raises(AuthenticationError):  # a fixed token cannot be renewed
        _list_jobs(session)
    _scan(session, caplog, _secrets_of(emulator, token.value))


def test_environment(emulator_env: Any, caplog: pytest.LogCaptureFixture) -> None:
    session = Session()
    assert (session.auth_method, session.credential_source) == ("aksk", "environment")
    assert session.modelarts_endpoint == emulator_env.base_url
    assert session.project_id == emulator_env.config.project_id
    assert len(_list_jobs(session)) == 3
    _scan(session, caplog, _secrets_of(emulator_env))


def test_environment_with_security_token(
    emulator_env: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    temp = emulator_env.issue_temporary_credential()["credential"]
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", temp["access"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", temp["secret"])
    monkeypatch.setenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", temp["securitytoken"])
    session = Session()
    assert session.auth_method == "temporary-aksk"
    assert len(_list_jobs(session)) == 3
    _scan(session, caplog, [temp["access"], temp["secret"], temp["securitytoken"]])


def test_arguments_win_over_environment(emulator_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", "wrong-env-secret")
    session = Session(
        access_key=emulator_env.config.access_key, secret_key=emulator_env.config.secret_key
    )
    assert session.credential_source == "explicit"
    assert len(_list_jobs(session)) == 3


# ---------------------------------------------------------------- official SDK stand-in


def _install_fake_modelarts(monkeypatch: pytest.MonkeyPatch, current: dict[str, Any]) -> list[Any]:
    """A fake ``modelarts`` package whose ``Session()`` copies ``current``; returns instances."""
    made: list[Any] = []

    class FakeOfficialSession:
        def __init__(self) -> None:
            self.__dict__.update(current)
            made.append(self)

    package = types.ModuleType("modelarts")
    package.__path__ = []  # a package
    session_module = types.ModuleType("modelarts.session")
    session_module.Session = FakeOfficialSession  # type: ignore[attr-defined]
    package.session = session_module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "modelarts", package)
    monkeypatch.setitem(sys.modules, "modelarts.session", session_module)
    return made


def _official_creds(credential: dict[str, str]) -> dict[str, str]:
    return {
        "access_key": credential["access"],
        "secret_key": credential["secret"],
        "security_token": credential["securitytoken"],
    }


def test_official_sdk_with_credentials(
    emulator: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    temp = emulator.issue_temporary_credential()["credential"]
    current = {
        **_official_creds(temp),
        "project_id": emulator.config.project_id,
        "region_name": "eu-de",
    }
    made = _install_fake_modelarts(monkeypatch, current)
    monkeypatch.setenv("MODELARTS_ENDPOINT", emulator.base_url)
    assert in_modelarts_notebook()
    session = Session()
    assert (session.auth_method, session.credential_source) == ("temporary-aksk", "modelarts-sdk")
    assert (session.project_id, session.region_name) == (emulator.config.project_id, "eu-de")
    assert len(_list_jobs(session)) == 3
    # Expiry: the emulator refuses the old temporary AK/SK -> a new official session is read.
    emulator.expire_tokens()
    fresh = emulator.issue_temporary_credential()["credential"]
    current.update(_official_creds(fresh))
    assert len(_list_jobs(session)) == 3
    assert len(made) == 2
    _scan(session, caplog, [temp["secret"], temp["securitytoken"], fresh["secret"]])


def test_official_sdk_without_credentials_uses_the_sdk(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _install_fake_modelarts(monkeypatch, {"project_id": "f" * 32, "region_name": "cn-north-4"})
    session = Session()
    assert session.auth_method == "modelarts-sdk"
    assert session.auth is None
    assert session.project_id == "f" * 32
    assert session.region_name == "cn-north-4"
    from modelarts_widgets.client.official import OfficialSdkApi

    assert isinstance(session.client, OfficialSdkApi)
    assert session.official_session is not None


# ---------------------------------------------------------------- metadata (notebooks only)


def test_metadata_in_a_notebook(
    emulator: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("MODELARTS_WIDGETS_NOTEBOOK", "1")
    monkeypatch.setenv("MODELARTS_WIDGETS_METADATA_URL", emulator.base_url)
    monkeypatch.setenv("MODELARTS_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("PROJECT_ID", emulator.config.project_id)
    session = Session()
    assert (session.auth_method, session.credential_source) == ("metadata", "metadata")
    assert session.project_id == emulator.config.project_id
    assert len(_list_jobs(session)) == 3
    first = session.auth.source.get()  # type: ignore[union-attr]
    emulator.expire_tokens()  # temporary credentials expire -> 401 -> fetched again -> resend
    assert len(_list_jobs(session)) == 3
    second = session.auth.source.get()  # type: ignore[union-attr]
    assert second != first
    assert emulator.stats()["requests"]["GET /openstack/latest/securitykey"] == 2
    _scan(
        session,
        caplog,
        [first.secret_key, first.security_token, second.secret_key, second.security_token],
    )


def test_metadata_project_lookup_via_iam(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELARTS_WIDGETS_NOTEBOOK", "1")
    monkeypatch.setenv("MODELARTS_WIDGETS_METADATA_URL", emulator.base_url)
    monkeypatch.setenv("MODELARTS_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.base_url)
    session = Session()
    assert session.project_id == emulator.config.project_id
    assert len(_list_jobs(session)) == 3


@pytest.mark.parametrize("notebook_flag", [None, "0"])
def test_metadata_never_contacted_outside_a_notebook(
    stub_server: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    notebook_flag: Optional[str],
) -> None:
    stub = stub_server(lambda m, p, h: (200, {}, {}))
    monkeypatch.setenv("MODELARTS_WIDGETS_METADATA_URL", stub.base_url)
    if notebook_flag is not None:
        monkeypatch.setenv("MODELARTS_WIDGETS_NOTEBOOK", notebook_flag)
    assert not in_modelarts_notebook()
    with pytest.raises(CredentialsNotFoundError) as info:
        Session(modelarts_endpoint=stub.base_url)
    assert stub.calls == []
    assert "metadata service not contacted" in str(info.value)


def test_metadata_failure_is_listed(stub_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    stub = stub_server(lambda m, p, h: (404, {}, {}))
    monkeypatch.setenv("MODELARTS_WIDGETS_NOTEBOOK", "1")
    monkeypatch.setenv("MODELARTS_WIDGETS_METADATA_URL", stub.base_url)
    with pytest.raises(CredentialsNotFoundError) as info:
        Session(modelarts_endpoint=stub.base_url)
    assert f"metadata service {stub.base_url} returned HTTP 404" in str(info.value)
    assert "official modelarts SDK: not importable" in str(info.value)


# ---------------------------------------------------------------- errors and odds


def test_no_credentials_message_lists_sources_and_what_to_set() -> None:
    with pytest.raises(CredentialsNotFoundError) as info:
        Session()
    text = str(info.value)
    for needle in (
        "Session(...) arguments: none given",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "HUAWEICLOUD_SDK_PROJECT_ID",
        "MODELARTS_REGION",
        "MODELARTS_ENDPOINT",
        "access_key=...",
        "secret_key=...",
        "username=...",
        "password=...",
        "token=...",
        "MODELARTS_WIDGETS_NOTEBOOK=1",
        "not in a ModelArts notebook",
    ):
        assert needle in text, needle
    assert len(info.value.tried) == 3


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"access_key": "AKONLY"}, "secret_key is missing"),
        ({"secret_key": "half-secret"}, "access_key is missing"),
        ({"security_token": "lonely-token"}, "access_key=... and secret_key"),
        ({"password": "lonely-pw"}, "no username"),
        ({"username": "someone"}, "no password"),
    ],
)
def test_half_given_arguments(kwargs: dict[str, str], needle: str) -> None:
    with pytest.raises(CredentialsNotFoundError) as info:
        Session(**kwargs)
    assert needle in str(info.value)
    for value in kwargs.values():
        if value not in ("someone", "AKONLY"):
            assert value not in str(info.value)


def test_half_set_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "ENVAK")
    with pytest.raises(CredentialsNotFoundError, match="HUAWEICLOUD_SDK_SK is not"):
        Session()


def test_region_and_endpoint_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # No network: explicit project id, real endpoints resolved from the table only.
    session = Session(access_key="AKLOCAL", secret_key="sk-local", project_id="p" * 32)
    assert session.region_name == "eu-de"
    assert session.modelarts_endpoint == "https://modelarts.eu-de.otc.t-systems.com"
    assert session.iam_endpoint == "https://iam.eu-de.otc.t-systems.com"
    monkeypatch.setenv("MODELARTS_REGION", "cn-north-4")
    session = Session(access_key="AKLOCAL", secret_key="sk-local", project_id="p" * 32)
    assert session.modelarts_endpoint == "https://modelarts.cn-north-4.myhuaweicloud.com"
    assert repr(session) == (
        "Session(modelarts_endpoint='https://modelarts.cn-north-4.myhuaweicloud.com', "
        "region_name='cn-north-4', project_id='" + "p" * 32 + "', auth_method='aksk')"
    )
    assert "sk-local" not in repr(session.auth)
    assert "AKLOCAL" not in repr(session.auth)


def test_unknown_region_needs_an_endpoint() -> None:
    with pytest.raises(Exception, match="modelarts_endpoint"):
        Session(access_key="AK", secret_key="SK", project_id="p", region_name="mars-1")


def test_verify_false_warns_once(emulator: Any) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        session = Session(
            access_key=emulator.config.access_key,
            secret_key=emulator.config.secret_key,
            project_id=emulator.config.project_id,
            verify=False,
            **_endpoints(emulator),
        )
        _list_jobs(session)
        _list_jobs(session)
    ours = [w for w in seen if "verification is off" in str(w.message)]
    assert len(ours) == 1
    assert ours[0].filename == __file__  # points at the caller


def test_wrong_secret_error_has_no_secret(emulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    session = Session(
        access_key=emulator.config.access_key,
        secret_key="definitely-wrong-sk",
        project_id=emulator.config.project_id,
        **_endpoints(emulator),
    )
    with pytest.raises(AuthenticationError) as info:
        _list_jobs(session)
    text = str(info.value) + repr(info.value) + caplog.text
    assert "definitely-wrong-sk" not in text
    assert emulator.config.access_key not in text


def test_requests_auth_object_is_usable_directly(emulator: Any) -> None:
    session = Session(
        access_key=emulator.config.access_key,
        secret_key=emulator.config.secret_key,
        project_id=emulator.config.project_id,
        **_endpoints(emulator),
    )
    resp = requests.get(
        f"{emulator.base_url}/v1/{emulator.config.project_id}/visualization-jobs",
        params={"search_content": "a b/ü", "per_page": 10},
        auth=session.auth,
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
