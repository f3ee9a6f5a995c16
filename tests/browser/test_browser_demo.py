"""The demo, through the code path of ``modelarts-widgets demo``: `start_demo()` brings up the
emulator and JupyterLab, the served quickstart runs top to bottom in a real browser, its widget
lists the demo emulator's data and deletes two versions there; `stop()` ends everything by PID.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EXPOSE_APP_ARGS = (
    "--LabApp.expose_app_in_browser=True",
    "--JupyterNotebookApp.expose_app_in_browser=True",
)


def emulator_stats(base_url: str) -> dict[str, Any]:
    """``GET /_emulator/stats`` (control API: loopback, no credentials)."""
    with urllib.request.urlopen(f"{base_url}/_emulator/stats", timeout=5) as reply:
        stats: dict[str, Any] = json.load(reply)
        return stats


def test_browser_demo_serves_a_working_quickstart(
    page: Any,
    attach_notebook: Callable[..., Any],
    offsite_requests: list[str],
    pytestconfig: pytest.Config,
) -> None:
    from modelarts_widgets.demo import DEMO_SEED, start_demo
    from modelarts_widgets.emulator.seed import job_name

    shots = pytestconfig.rootpath / "test-artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with start_demo(jupyter_args=EXPOSE_APP_ARGS) as demo:
        total = DEMO_SEED["jobs"] * DEMO_SEED["versions_per_job"]
        assert emulator_stats(demo.emulator_url)["training_versions"] == total
        page.goto(demo.url + "&reset")
        nb = attach_notebook("quickstart.ipynb")
        nb.run_all()
        nb.wait_all_executed()
        expect(nb.tracebacks).to_have_count(0)

        # the notebook found the demo's emulator in its environment and did not start its own
        origin = f"ModelArts emulator: {demo.emulator_url} (the demo's)"
        expect(nb.outputs.filter(has_text=origin)).to_have_count(1)
        widget = nb.outputs.locator(".modelarts-widgets")
        expect(widget.locator(".mw-row")).to_have_count(20)  # one page of the demo's versions
        newest_job = job_name(DEMO_SEED["jobs"] - 1)
        expect(widget.locator(".mw-row").first).to_contain_text(newest_job)
        # the programmatic cell deleted two versions in the demo's emulator
        expect(nb.outputs.filter(has_text="receipt: Deleted 2 of 2")).to_have_count(1)
        expect(widget.locator(".mw-selection")).to_contain_text(f"{total - 2} match")
        expect(nb.outputs.filter(has_text="the demo's emulator keeps running")).to_have_count(1)
        page.screenshot(path=str(Path(shots) / "demo-quickstart.png"))
        stats = emulator_stats(demo.emulator_url)
        assert stats["training_versions"] == total - 2
        assert len(stats["delete_calls"]) == 2
        emulator_url, process, workdir = demo.emulator_url, demo.process, demo.workdir

    assert process.poll() is not None  # JupyterLab (and its kernels) stopped by PID
    with pytest.raises(OSError):  # the emulator is gone too
        emulator_stats(emulator_url)
    assert not workdir.exists()
    assert offsite_requests == []
