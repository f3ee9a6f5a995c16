"""Fixtures for the list-widget tests: widgets built on the live emulator, bounded waits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest


def widget_registry() -> dict[str, Any]:
    """The live widget models (ipywidgets 8: ``_instances``; 7: ``Widget.widgets``)."""
    from ipywidgets.widgets import widget as widget_module

    instances = getattr(widget_module, "_instances", None)
    if instances is None:  # ipywidgets 7
        instances = widget_module.Widget.widgets
    return instances  # type: ignore[no-any-return]


@pytest.fixture
def registry() -> dict[str, Any]:
    """The live widget models, to count what a widget creates."""
    return widget_registry()


@pytest.fixture
def wait_until() -> Callable[..., None]:
    """Poll ``condition()`` every 20 ms until true; fail after ``timeout`` seconds."""

    def wait(condition: Callable[[], Any], timeout: float = 20.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what or condition}")
            time.sleep(0.02)

    return wait


@pytest.fixture
def make_widget(emulator_env: Any) -> Iterator[Callable[..., Any]]:
    """Build a list widget (class, kwargs) against the emulator; closes them all afterwards."""
    made: list[Any] = []

    def make(cls: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("poll_interval", 0.05)
        kwargs.setdefault("recheck_timeout", 10.0)
        widget = cls(*args, **kwargs)
        made.append(widget)
        return widget

    make.made = made  # type: ignore[attr-defined]
    yield make
    for widget in made:
        widget.cancel()
        widget.wait(30)
        widget.close()


@pytest.fixture
def api(emulator_env: Any) -> Any:
    """A client of our own, to look at / change server state outside the widget."""
    from modelarts_widgets.session import Session

    return Session().client
