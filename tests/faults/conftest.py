"""Fixtures for the fault matrix: an emulator with distinctive random secrets, widgets on it."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest


def _secret(prefix: str, n: int = 12) -> str:
    return prefix + secrets.token_hex(n)


@pytest.fixture
def femu() -> Iterator[Any]:
    """An emulator whose AK, SK, user and password are random and unlikely to appear by chance.

    3 jobs x 3 versions, 4 visualization jobs; deletes finish at once (``delete_delay=0``).
    """
    from modelarts_widgets.emulator import EmulatorServer

    server = EmulatorServer(
        access_key=_secret("FAULTAK", 8).upper(),
        secret_key=_secret("faultsk-", 16),
        username=_secret("faultuser-", 4),
        password=_secret("faultpw-", 12),
        seed={"jobs": 3, "versions_per_job": 3, "visualization_jobs": 4},
        delete_delay=0.0,
    )
    with server:
        yield server


@pytest.fixture
def fenv(femu: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``femu`` plus the environment variables that make ``Session()`` use it (AK/SK)."""
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", femu.access_key)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", femu.secret_key)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", femu.project_id)
    monkeypatch.setenv("MODELARTS_ENDPOINT", femu.base_url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", femu.base_url)
    monkeypatch.setenv("MODELARTS_REGION", femu.region)
    return femu


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """Poll ``condition()`` every 10 ms until true; fail after ``timeout`` seconds."""

    def wait(condition: Callable[[], Any], timeout: float = 20.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what or condition}")
            time.sleep(0.01)

    return wait


@pytest.fixture
def make_list() -> Iterator[Callable[..., Any]]:
    """Build a list widget (fast re-check polling); cancels, waits and closes them afterwards."""
    made: list[Any] = []

    def make(cls: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("poll_interval", 0.05)
        kwargs.setdefault("recheck_timeout", 10.0)
        widget = cls(*args, **kwargs)
        made.append(widget)
        return widget

    yield make
    for widget in made:
        widget.cancel()
        widget.wait(30)
        widget.close()
