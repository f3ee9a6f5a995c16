"""Token / temporary credential expiry in the middle of a bulk delete.

One refresh and the run continues; when the refresh fails, nothing more is sent: the item
that met the expiry fails with the auth error and the items not yet sent stay "not sent".
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from listpage import by_key

from modelarts_widgets.session import Session
from modelarts_widgets.widgets import VisualizationJobList

N = 10
IAM_TOKENS = "POST /v3/auth/tokens"
SECURITY_KEY = "GET /openstack/latest/securitykey"


def _on_nth_delete(
    emulator: Any, monkeypatch: pytest.MonkeyPatch, n: int, action: Callable[[], None]
) -> None:
    """Run ``action`` when the emulator receives its n-th DELETE (before it authenticates it)."""
    backend = emulator.backend
    real = backend.record_delete
    seen = [0]

    def record_delete(path: str) -> None:
        real(path)
        seen[0] += 1
        if seen[0] == n:
            action()

    monkeypatch.setattr(backend, "record_delete", record_delete)


def _password_session(emulator: Any) -> Session:
    return Session(
        username=emulator.config.username,
        password=emulator.config.password,
        account=emulator.config.domain,
        region_name=emulator.config.region,
        modelarts_endpoint=emulator.base_url,
        iam_endpoint=emulator.base_url,
    )


def _metadata_session(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Session:
    monkeypatch.setenv("MODELARTS_WIDGETS_NOTEBOOK", "1")
    monkeypatch.setenv("MODELARTS_WIDGETS_METADATA_URL", emulator.base_url)
    monkeypatch.setenv("MODELARTS_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", emulator.config.project_id)
    monkeypatch.setenv("MODELARTS_REGION", emulator.config.region)
    session = Session()
    assert session.auth_method == "metadata"
    return session


def _run_all(emulator: Any, make_list: Any, session: Session, concurrency: int) -> Any:
    w = make_list(VisualizationJobList, session, concurrency=concurrency)
    for n in range(N):
        emulator.add_visualization_job(f"expiry-{n}", status=10)
    w.refresh()
    assert w.wait(60)
    w.set_filter(text="expiry-")
    w.select(all_matching=True)
    w.request_delete()
    assert w.confirm(typed_count=N)
    assert w.wait(60)
    return w


def _requests(emulator: Any, route: str) -> int:
    return int(emulator.stats()["requests"].get(route, 0))


@pytest.mark.parametrize("concurrency", [1, 4])
def test_token_expiry_mid_bulk_delete_refreshes_once_and_continues(
    emulator: Any, make_list: Any, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    session = _password_session(emulator)
    assert _requests(emulator, IAM_TOKENS) == 1
    # with latency, `concurrency` DELETEs wait inside the emulator when the token expires:
    # all of them meet the expiry at once, and still only one refresh may happen
    emulator.add_latency(0.2, path=r"/visualization-jobs/\d+$", method="DELETE")
    _on_nth_delete(emulator, monkeypatch, concurrency, emulator.expire_tokens)
    w = _run_all(emulator, make_list, session, concurrency)
    assert [r["outcome"] for r in w.last_result] == ["deleted"] * N
    assert _requests(emulator, IAM_TOKENS) == 2  # exactly one refresh
    assert all(n <= 2 for n in emulator.delete_calls.values())  # a 401 was not processed
    assert w.status_message == f"Deleted {N} of {N}"


@pytest.mark.parametrize("concurrency", [1, 4])
def test_temporary_credential_expiry_mid_bulk_delete_refreshes_once_and_continues(
    emulator: Any, make_list: Any, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    session = _metadata_session(emulator, monkeypatch)
    before = _requests(emulator, SECURITY_KEY)
    emulator.add_latency(0.2, path=r"/visualization-jobs/\d+$", method="DELETE")
    _on_nth_delete(emulator, monkeypatch, concurrency, emulator.expire_tokens)
    w = _run_all(emulator, make_list, session, concurrency)
    assert [r["outcome"] for r in w.last_result] == ["deleted"] * N
    assert _requests(emulator, SECURITY_KEY) == before + 1  # exactly one refresh


def _assert_stopped(w: Any, emulator: Any, code: str) -> None:
    records = w.last_result
    states = [r["outcome"] for r in records]
    assert len(states) == N
    # sent before the expiry: accepted (verified gone, or not verifiable without credentials)
    assert set(states) <= {"deleted", "accepted", "failed", "not_sent"}, states
    assert "not_sent" in states
    for r in records:
        path = emulator.visualization_path(r["key"])
        if r["outcome"] == "failed":  # the requests that met the expiry
            assert r["http_status"] == 401
            assert r["error_code"] == code
        if r["outcome"] == "not_sent":
            assert path not in emulator.delete_calls
            assert "credentials" in r["detail"]
    n_not_sent = states.count("not_sent")
    assert f"{n_not_sent} not sent" in w.status_message
    assert "credentials" in w.status_message
    assert w.n_selected >= n_not_sent  # not-sent items stay selected for a later retry


@pytest.mark.parametrize("concurrency", [1, 4])
def test_refresh_fails_after_password_change_remaining_items_not_sent(
    emulator: Any, make_list: Any, monkeypatch: pytest.MonkeyPatch, concurrency: int
) -> None:
    session = _password_session(emulator)

    def change_password() -> None:
        emulator.backend.config.password = "changed-" + emulator.config.password
        emulator.expire_tokens()

    _on_nth_delete(emulator, monkeypatch, 3, change_password)
    w = _run_all(emulator, make_list, session, concurrency)
    _assert_stopped(w, emulator, "ModelArts.0202")
    if concurrency == 1:
        states = [r["outcome"].replace("accepted", "deleted") for r in w.last_result]
        assert states == ["deleted", "deleted", "failed"] + ["not_sent"] * (N - 3)
    assert _requests(emulator, IAM_TOKENS) == 2  # one failed refresh, no password hammering


def test_refresh_fails_when_metadata_fails_remaining_items_not_sent(
    emulator: Any, make_list: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = _metadata_session(emulator, monkeypatch)

    def break_metadata() -> None:
        emulator.force_error(500, count=100, path=r"/openstack/latest/securitykey")
        emulator.expire_tokens()

    _on_nth_delete(emulator, monkeypatch, 3, break_metadata)
    w = _run_all(emulator, make_list, session, 1)
    _assert_stopped(w, emulator, "APIG.0301")
    states = [r["outcome"].replace("accepted", "deleted") for r in w.last_result]
    assert states == ["deleted", "deleted", "failed"] + ["not_sent"] * (N - 3)
    by = by_key(w.last_result)
    failed = next(r for r in by.values() if r["outcome"] == "failed")
    assert "expired" in failed["error_msg"]


def test_a_failed_refresh_is_not_repeated_by_every_request(emulator: Any) -> None:
    from modelarts_widgets.errors import AuthenticationError

    session = _password_session(emulator)
    client = session.client
    emulator.backend.config.password = "changed-" + emulator.config.password
    emulator.expire_tokens()
    for _ in range(4):  # the user clicks refresh again and again
        with pytest.raises(AuthenticationError) as info:
            list(client.iter_visualization_jobs())
        assert info.value.error_code == "ModelArts.0202"
    assert _requests(emulator, IAM_TOKENS) == 2  # the login, then one failed refresh: no hammering
