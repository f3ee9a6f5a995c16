"""IAM password tokens, TokenAuth refresh and project lookup (emulator + stub)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.iam import (
    FixedTokenSource,
    PasswordTokenSource,
    TokenAuth,
    lookup_project_id,
)
from modelarts_widgets.auth.signer import AkSkAuth
from modelarts_widgets.errors import AuthenticationError, ConfigurationError


def _source(emulator: Any, **kw: Any) -> PasswordTokenSource:
    cfg = emulator.config
    args: dict[str, Any] = {"account": cfg.domain, "project_name": cfg.region, **kw}
    return PasswordTokenSource(emulator.base_url, cfg.username, cfg.password, **args)


def test_password_token_is_project_scoped_and_cached(emulator: Any) -> None:
    src = _source(emulator)
    token = src.get()
    assert token.project_id == emulator.config.project_id
    assert token.project_name == emulator.config.region
    assert token.expires_at is not None
    assert src.get() is token
    assert token.value not in repr(token)
    assert token.value not in str(src)
    assert emulator.stats()["requests"]["POST /v3/auth/tokens"] == 1


def test_password_scope_by_project_id(emulator: Any) -> None:
    src = _source(emulator, project_name=None, project_id=emulator.config.project_id)
    assert src.get().project_id == emulator.config.project_id


def test_token_auth_refreshes_after_expiry(emulator: Any) -> None:
    auth = TokenAuth(_source(emulator))
    url = f"{emulator.base_url}/v1/{emulator.config.project_id}/training-jobs"
    assert requests.get(url, auth=auth, timeout=10).status_code == 200
    emulator.expire_tokens()
    expired = requests.get(url, auth=auth, timeout=10)
    assert expired.status_code == 401
    assert expired.json()["error_code"] == "ModelArts.0202"
    assert auth.refresh() is True
    assert requests.get(url, auth=auth, timeout=10).status_code == 200


def test_fixed_token_cannot_refresh(emulator: Any) -> None:
    value = _source(emulator).get().value
    auth = TokenAuth(FixedTokenSource(value))
    url = f"{emulator.base_url}/v1/{emulator.config.project_id}/training-jobs"
    assert requests.get(url, auth=auth, timeout=10).status_code == 200
    assert auth.refresh() is False
    assert value not in repr(auth)


def test_wrong_password_is_a_helpful_authentication_error(emulator: Any) -> None:
    wrong = "Wrong-Pa55word!"
    cfg = emulator.config
    src = PasswordTokenSource(
        emulator.base_url, cfg.username, wrong, account=cfg.domain, project_name="eu-de"
    )
    with pytest.raises(AuthenticationError) as info:
        src.get()
    text = str(info.value) + repr(info.value) + str(info.value.error_msg)
    assert wrong not in text
    assert info.value.status_code == 401
    assert "password" in text
    assert cfg.username in text
    assert "account" in text


def test_project_lookup_signed_and_with_token(emulator: Any) -> None:
    cfg = emulator.config
    aksk = AkSkAuth(StaticCredentialSource(Credentials(cfg.access_key, cfg.secret_key)))
    assert lookup_project_id(emulator.base_url, cfg.region, aksk) == cfg.project_id
    token = TokenAuth(_source(emulator))
    assert lookup_project_id(emulator.base_url, cfg.region, token) == cfg.project_id


def test_project_lookup_no_match_says_what_to_do(emulator: Any) -> None:
    cfg = emulator.config
    aksk = AkSkAuth(StaticCredentialSource(Credentials(cfg.access_key, cfg.secret_key)))
    with pytest.raises(ConfigurationError, match=r"no project named 'xx-nowhere-1'.*project_id"):
        lookup_project_id(emulator.base_url, "xx-nowhere-1", aksk)


def test_project_lookup_many_matches(stub_server: Any) -> None:
    stub = stub_server(
        lambda m, p, h: (200, {}, {"projects": [{"id": "a", "name": "r"}, {"id": "b"}]})
    )
    auth = TokenAuth(FixedTokenSource("fixed"))
    with pytest.raises(ConfigurationError, match="2 projects named 'r'"):
        lookup_project_id(stub.base_url, "r", auth)


def test_project_lookup_with_bad_credentials(emulator: Any) -> None:
    aksk = AkSkAuth(StaticCredentialSource(Credentials(emulator.config.access_key, "wrong-sk")))
    with pytest.raises(AuthenticationError, match="project_id"):
        lookup_project_id(emulator.base_url, emulator.config.region, aksk)


def test_threads_failing_together_reauthenticate_once(emulator: Any) -> None:
    auth = TokenAuth(_source(emulator))
    url = f"{emulator.base_url}/v1/{emulator.config.project_id}/training-jobs"
    assert requests.get(url, auth=auth, timeout=10).status_code == 200
    emulator.expire_tokens()
    barrier = threading.Barrier(6)
    results: list[tuple[int, bool, int]] = []

    def worker() -> None:
        first = requests.get(url, auth=auth, timeout=10).status_code
        barrier.wait(timeout=10)  # every thread has failed with the old token
        refreshed = auth.refresh()
        results.append((first, refreshed, requests.get(url, auth=auth, timeout=10).status_code))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [(401, True, 200)] * 6
    assert emulator.stats()["requests"]["POST /v3/auth/tokens"] == 2
