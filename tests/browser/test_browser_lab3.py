"""JupyterLab 3 + ipywidgets 7: the list renders, lines up, a row can be ticked and deleted.

Runs only where JupyterLab 3 is installed: ``scripts/test.sh`` builds ``.venv-lab3-ipyw7``
(pins in ``scripts/constraints-lab3-ipyw7.txt``) and runs this file there; in the main
(JupyterLab 4) environment it is skipped.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from browser_layout import wait_layout
from playwright.sync_api import expect

from modelarts_widgets.emulator import ListQuery

pytestmark = pytest.mark.browser

jupyterlab = pytest.importorskip("jupyterlab")
if not jupyterlab.__version__.startswith("3."):
    pytest.skip(
        "JupyterLab 3 tier: scripts/test.sh runs this file in .venv-lab3-ipyw7",
        allow_module_level=True,
    )

CELLS = [
    "import ipywidgets\n"
    "from modelarts_widgets import JobVersionList\n"
    "print('ipywidgets', ipywidgets.__version__)\n"
    "versions = JobVersionList()\n"
    "versions",
]


def test_browser_lab3_ipywidgets7_renders_ticks_and_deletes(
    browser_emulator: Any,
    page: Any,
    open_notebook: Callable[..., Any],
    notebook_file: Callable[..., str],
) -> None:
    browser_emulator.reset()
    before = {
        (job["job_id"], v["version_id"]): v["status"]
        for job in browser_emulator.backend.list_training_jobs(ListQuery(per_page=1000))["jobs"]
        for v in browser_emulator.backend.list_versions(job["job_id"])["versions"]
    }
    job_id, version_id = next(k for k, status in before.items() if status == 10)
    key = f"({job_id}, {version_id})"

    nb = open_notebook(notebook_file(CELLS), ui="lab")
    nb.run_all()
    nb.wait_all_executed()
    expect(nb.tracebacks).to_have_count(0)
    expect(nb.outputs.filter(has_text="ipywidgets 7.")).to_have_count(1)
    widget = nb.outputs.locator(".modelarts-widgets")
    expect(widget.locator(".mw-row")).to_have_count(len(before))
    wait_layout(page)
    nb.screenshot("lab3-listed")

    row = widget.locator(".mw-row", has=page.locator(f'[data-key="{key}"]'))
    box = row.locator("input[type=checkbox]")
    box.check()
    expect(box).to_be_checked()
    expect(widget.locator(".mw-selection")).to_contain_text("1 selected")
    widget.locator("button.mw-delete").click()
    panel = widget.locator(".mw-confirm-panel")
    expect(panel.locator(".mw-names")).to_contain_text("V")
    panel.locator("button.mw-confirm").click()
    expect(widget.locator(".mw-status")).to_contain_text("Deleted 1 of 1")
    expect(row).to_have_count(0)
    expect(widget.locator(".mw-row")).to_have_count(len(before) - 1)
    nb.screenshot("lab3-deleted")
    assert list(browser_emulator.delete_calls) == [
        browser_emulator.version_path(job_id, version_id)
    ]
