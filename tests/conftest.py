"""Root fixtures shared by every test tier: a live emulator, its environment, waits, lists."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from modelarts_widgets._env import CREDENTIAL_ENV_VARS


@pytest.fixture(autouse=True)
def _clean_credential_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every credential/endpoint variable the package looks at.

    A developer's shell (or a real cloud account) can never leak into the suite.
    """
    for name in CREDENTIAL_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator_credentials() -> dict[str, str]:
    """Credentials of the ``emulator`` fixture: the emulator's documented demo ones here;
    ``tests/faults`` overrides this with random, distinctive ones."""
    return {}


@pytest.fixture
def emulator(emulator_credentials: dict[str, str]) -> Iterator[Any]:
    """A fresh emulator on 127.0.0.1:<free port>: 3 jobs x 3 versions, 4 visualization jobs.

    Deletes complete immediately (``delete_delay=0.0``). Yields the ``EmulatorServer``.
    """
    from modelarts_widgets.emulator import EmulatorServer

    server = EmulatorServer(
        seed={"jobs": 3, "versions_per_job": 3, "visualization_jobs": 4},
        delete_delay=0.0,
        **emulator_credentials,
    )
    with server:
        yield server


@pytest.fixture
def emulator_env(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The ``emulator`` fixture plus HUAWEICLOUD_SDK_* / MODELARTS_* env vars pointing at it."""
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", emulator.config.access_key)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", emulator.config.secret_key)
    monkeypatch.setenv("HUAWEICLOUD_SDK_PROJECT_ID", emulator.config.project_id)
    monkeypatch.setenv("MODELARTS_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("MODELARTS_REGION", emulator.config.region)
    monkeypatch.delenv("HUAWEICLOUD_SDK_SECURITY_TOKEN", raising=False)
    monkeypatch.delenv("MODELARTS_WIDGETS_NOTEBOOK", raising=False)
    return emulator


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
    """Build a list widget (fast re-check polling) and wait for its background listing
    (``listed=False``: return at once); cancels, waits and closes them afterwards."""
    made: list[Any] = []

    def make(cls: Any, *args: Any, listed: bool = True, **kwargs: Any) -> Any:
        kwargs.setdefault("poll_interval", 0.05)
        kwargs.setdefault("recheck_timeout", 10.0)
        widget = cls(*args, **kwargs)
        made.append(widget)
        if listed:  # the listing runs in the background: most tests need all of it
            assert widget.wait(60), "the listing did not end"
        return widget

    make.made = made  # type: ignore[attr-defined]
    yield make
    for widget in made:
        widget.cancel()
        widget.wait(30)
        widget.close()


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright 0.10 trips a pytest 9 deprecation (its base_url fixture); pytest 8
    # (the Python 3.9 tier) has no such warning class, so the filter cannot live in pyproject.
    if hasattr(pytest, "PytestRemovedIn10Warning"):
        config.addinivalue_line("filterwarnings", "ignore::pytest.PytestRemovedIn10Warning")
