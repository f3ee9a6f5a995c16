"""Smoke test of the browser fixtures: a plain ipywidgets round trip in Lab and Notebook 7.

(The demo's quickstart in a browser is tested in test_browser_demo.py.)
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
#: An off-site URL the notebook shows; the context route must abort it (never resolved).
OFFSITE_PROBE = "http://offsite-probe.invalid/modelarts-widgets-probe.png"

WIDGET_CELL = """\
import ipywidgets as w

check = w.Checkbox(description="alpha", value=False)
button = w.Button(description="Apply")
label = w.HTML(value="<span class='status'>clicks=0 alpha=False</span>")
clicks = []

def on_click(_):
    clicks.append(1)
    label.value = f"<span class='status'>clicks={len(clicks)} alpha={check.value}</span>"

button.on_click(on_click)
box = w.VBox([check, button, label])
box.add_class("smoke-box")
box
"""


@pytest.mark.parametrize("ui", ["lab", "notebook7"])
def test_browser_smoke_widget_roundtrip(
    ui: str,
    notebook_file: Callable[..., str],
    open_notebook: Callable[..., Any],
    offsite_requests: list[str],
    browser_emulator: Any,
) -> None:
    name = notebook_file(
        [
            ("markdown", "# smoke"),
            WIDGET_CELL,
            "import os\nprint('ready', 1 + 1, os.environ['MODELARTS_ENDPOINT'])",
            # proves the non-loopback guard: the browser must not fetch this image
            f"from IPython.display import HTML\nHTML(\"<img src='{OFFSITE_PROBE}' alt='probe'>\")",
            # proves that `tracebacks` / `wait_all_executed` see an error
            "raise ValueError('expected smoke error')",
        ]
    )
    nb = open_notebook(name, ui=ui)
    nb.run_all()

    box = nb.outputs.locator(".smoke-box")
    expect(box).to_be_visible()
    # the kernel inherited the emulator's endpoint from the Jupyter server's environment
    expect(nb.outputs.filter(has_text=f"ready 2 {browser_emulator.base_url}")).to_be_visible()
    status = box.locator(".widget-html-content .status")
    expect(status).to_have_text("clicks=0 alpha=False")

    check = box.locator(".widget-checkbox", has_text="alpha").locator("input[type=checkbox]")
    check.check()
    expect(check).to_be_checked()
    box.get_by_role("button", name="Apply").click()
    expect(status).to_have_text("clicks=1 alpha=True")  # written by the Python callback
    nb.screenshot("after-click")

    nb.wait_all_executed()
    expect(nb.tracebacks).to_have_count(1)
    expect(nb.tracebacks).to_contain_text("ValueError: expected smoke error")

    expect(nb.outputs.locator("img[alt=probe]")).to_have_count(1)
    nb.page.wait_for_function(
        "() => { const i = document.querySelector('img[alt=probe]'); return i && i.complete; }"
    )
    # attempted (Lab may request an image twice while rendering), and aborted by the route
    assert set(offsite_requests) == {OFFSITE_PROBE}
    offsite_requests.clear()  # expected; anything else fails at teardown
