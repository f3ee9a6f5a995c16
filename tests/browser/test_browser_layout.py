"""The lists read right at every width: JupyterLab 4 (600 / 900 / 1280 / 1600 / 2000 px, file
browser open), Notebook 7 and Voila (1280 px).

One notebook shows a ``JobVersionList`` and a ``VisualizationJobList`` over the shared browser
emulator plus a job with a long name whose two versions are being canceled (the server refuses
to delete them: ModelArts.0105) and a visualization job "canceled successfully". In every
frontend: header and row cells start at the same x (±2 px), no row is wider than its widget,
timestamps are whole, the outcome column is inside the widget; after Delete… the Confirm
button is on screen; after the refused delete both failed badges and their messages are inside
the widget. Lab resizes one page (one kernel) through the widths. Screenshots go to
``test-artifacts/browser/``.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from browser_layout import assert_inside, in_viewport, wait_layout
from playwright.sync_api import expect

from modelarts_widgets.demo import free_port

pytestmark = pytest.mark.browser

LONG_JOB = "a rather long training job name for the layout check 模型训练 v2"
CELLS = [
    "from modelarts_widgets import JobVersionList, VisualizationJobList\n"
    "versions = JobVersionList()\n"
    "versions",
    "vis = VisualizationJobList()\nvis",
]
HEIGHT = 1000
#: Milliseconds for Voila's start and first render (a cold kernel on a busy box is slow).
TIMEOUT_MS = 60_000
SHOW_FILE_BROWSER_JS = "() => { window.jupyterapp.shell.activateById('filebrowser'); }"
FILE_BROWSER_OPEN_JS = "() => !window.jupyterapp.shell.leftCollapsed"
SPLASH = "#jupyterlab-splash"
SET_THEME_JS = "(t) => { window.jupyterapp.commands.execute('apputils:change-theme', {theme: t}); }"


@pytest.fixture
def layout_emulator(browser_emulator: Any) -> Iterator[dict[str, Any]]:
    """The shared emulator at its seed, plus two refusable versions and a long-named job."""
    browser_emulator.reset()
    versions = [
        {"status": 9, "engine_version": "TF-2.1.0-python3.6-with-a-long-suffix"},
        {"status": 9},
    ]
    job_id, ids = browser_emulator.add_training_job(LONG_JOB, versions)
    browser_emulator.add_visualization_job("tensorboard for the long job", status=12)
    yield {"refused": [f"({job_id}, {v})" for v in ids]}
    browser_emulator.reset()


def set_theme(page: Any, dark: bool) -> None:
    """Switch JupyterLab's theme and wait until it is applied (a splash shows meanwhile)."""
    page.evaluate(SET_THEME_JS, "JupyterLab Dark" if dark else "JupyterLab Light")
    light = "false" if dark else "true"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    page.wait_for_selector(SPLASH, state="detached")


def refused_delete(page: Any, keys: list[str], label: str, shot: Callable[[str], Any]) -> None:
    """Tick ``keys`` (active: refused), Delete… (Confirm on screen), include, type, Confirm;
    both failed badges and messages end up inside the widget."""
    widget = page.locator(".modelarts-widgets").first
    for key in keys:
        row = widget.locator(".mw-row", has=page.locator(f'[data-key="{key}"]'))
        box = row.locator("input[type=checkbox]")
        box.check()
        expect(box).to_be_checked()
    widget.locator("button.mw-delete").click()
    panel = widget.locator(".mw-confirm-panel")
    confirm = panel.locator("button.mw-confirm")
    expect(confirm).to_be_visible()
    assert in_viewport(page, confirm), f"{label}: Confirm is off screen after Delete…"
    shot(f"{label}-confirm")
    panel.locator(".mw-confirm-include-active input[type=checkbox]").check()
    panel.locator(".mw-confirm-count input").fill(str(len(keys)))
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(widget.locator(".mw-status")).to_contain_text(f"{len(keys)} failed")
    for key in keys:
        row = widget.locator(".mw-row", has=page.locator(f'[data-key="{key}"]'))
        badge = row.locator(".mw-col-outcome .maw-badge[data-state=failed]")
        expect(badge).to_contain_text("failed: ModelArts.0105")
        message = row.locator(".mw-outcome-msg")
        expect(message).to_contain_text("can't be delete")
        row.scroll_into_view_if_needed()
        assert_inside(badge, widget)
        assert_inside(message, widget)
        assert in_viewport(page, badge), f"{label}: badge of {key} off screen"
    wait_layout(page)
    shot(f"{label}-refused")


def _open_lab(open_notebook: Callable[..., Any], notebook_file: Callable[..., str]) -> Any:
    nb = open_notebook(notebook_file(CELLS), ui="lab")
    nb.page.evaluate(SHOW_FILE_BROWSER_JS)
    nb.page.wait_for_function(FILE_BROWSER_OPEN_JS)
    nb.run_all()
    nb.wait_all_executed()
    expect(nb.tracebacks).to_have_count(0)
    expect(nb.outputs.locator(".modelarts-widgets")).to_have_count(2)
    expect(nb.outputs.locator(".mw-vis-list .mw-row").first).to_be_visible()
    return nb


def test_browser_layout_jupyterlab_600_to_2000(
    layout_emulator: dict[str, Any],
    page: Any,
    open_notebook: Callable[..., Any],
    notebook_file: Callable[..., str],
) -> None:
    page.set_viewport_size({"width": 1600, "height": HEIGHT})
    nb = _open_lab(open_notebook, notebook_file)
    shown: dict[int, list[str]] = {}
    for width in (2000, 1600, 1280, 600, 900):
        page.set_viewport_size({"width": width, "height": HEIGHT})
        shown[width] = wait_layout(page)
        nb.screenshot(f"lab-{width}")
        if width == 1600:  # the service URL in short, whole, the full URL in the tooltip
            link = page.locator(".mw-vis-list .mw-col-service_url a.mw-link").first
            expect(link).to_have_text(re.compile(r"^127\.0\.0\.1:\d+/…/\d+$"))
            expect(link).to_have_attribute("title", re.compile(r"^http://127\.0\.0\.1:\d+/"))
            cell = page.locator(".mw-vis-list .mw-col-service_url").nth(1)
            assert cell.evaluate("(c) => c.scrollWidth <= c.clientWidth")
    assert "outcome" in shown[900]
    assert "outcome" in shown[600]
    assert len(shown[2000]) >= len(shown[1600]) >= len(shown[1280]) >= len(shown[900])
    assert len(shown[900]) >= len(shown[600])
    assert "created" in shown[1280]
    # the long status label: whole at 1600 px, or cut with an ellipsis and a tooltip
    badge = page.locator(".mw-vis-list .maw-badge-status-12").first
    expect(badge).to_have_attribute("title", "status 12: canceled successfully")
    assert badge.evaluate("(b) => getComputedStyle(b).textOverflow") == "ellipsis"
    refused_delete(page, layout_emulator["refused"], "lab-900", nb.screenshot)
    # after the refusals, light and dark (the README's screenshots); the theme is a server
    # setting: put it back
    try:
        for dark in (False, True):
            set_theme(page, dark)
            for width in (600, 900, 1600):  # with the two failures shown
                page.set_viewport_size({"width": width, "height": HEIGHT})
                wait_layout(page)
                nb.screenshot(f"{'dark' if dark else 'light'}-{width}")
    finally:
        set_theme(page, dark=False)


def test_browser_layout_notebook7_1280(
    layout_emulator: dict[str, Any],
    page: Any,
    open_notebook: Callable[..., Any],
    notebook_file: Callable[..., str],
) -> None:
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    nb = open_notebook(notebook_file(CELLS), ui="notebook7")
    nb.run_all()
    nb.wait_all_executed()
    expect(nb.tracebacks).to_have_count(0)
    expect(nb.outputs.locator(".mw-vis-list .mw-row").first).to_be_visible()
    wait_layout(page)
    nb.screenshot("notebook7-1280")
    refused_delete(page, layout_emulator["refused"], "notebook7-1280", nb.screenshot)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def voila_url(jupyter: Any, notebook_file: Callable[..., str], tmp_path: Path) -> Iterator[str]:
    """Voila on the layout notebook, in the Jupyter server's environment (emulator, isolated
    dirs); stopped by PID. Readiness: the TCP port (a GET would start a kernel)."""
    nb = jupyter.root / notebook_file(CELLS)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(nb),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--token={token}",
    ]
    log = (tmp_path / "voila.log").open("wb")
    proc = subprocess.Popen(
        cmd, env=jupyter.env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not _port_open(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"voila did not start: {(tmp_path / 'voila.log').read_text()[-2000:]}")
            time.sleep(0.1)  # polling a port; not a timed assertion
        yield f"http://127.0.0.1:{port}/?token={token}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_browser_layout_voila_1280(
    layout_emulator: dict[str, Any], page: Any, voila_url: str, artifacts_dir: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
    page.goto(voila_url)
    expect(page.locator(".mw-vis-list .mw-row").first).to_be_visible(timeout=TIMEOUT_MS)

    def shot(label: str) -> None:
        page.screenshot(path=str(artifacts_dir / f"layout-voila-{label}.png"))

    wait_layout(page)
    shot("1280")
    refused_delete(page, layout_emulator["refused"], "1280", shot)
