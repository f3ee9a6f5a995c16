"""Fixtures for the list-widget tests: widgets built on the live emulator, bounded waits."""

from __future__ import annotations

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
def make_widget(emulator_env: Any, make_list: Callable[..., Any]) -> Callable[..., Any]:
    """``make_list`` with ``Session()`` finding the emulator through the environment."""
    return make_list


@pytest.fixture
def api(emulator_env: Any) -> Any:
    """A client of our own, to look at / change server state outside the widget."""
    from modelarts_widgets.session import Session

    return Session().client
