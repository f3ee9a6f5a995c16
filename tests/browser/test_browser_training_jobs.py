"""Browser tier: TrainingJobList (v2 training jobs) in JupyterLab: tick rows, confirm, one batch
request, badges through to "deleted"; a refused job falls back to single deletes and shows the
service's v2 error under its badge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import pytest
from playwright.sync_api import expect
from test_browser_widgets import RECORD_BADGES_JS, SEEN_JS

pytestmark = pytest.mark.browser

BATCH = "POST /v2/{project_id}/training-jobs/batch-delete"
SINGLE = "DELETE /v2/{project_id}/training-jobs/{training_job_id}"
CELLS = [
    "from modelarts_widgets import TrainingJobList\n\njobs = TrainingJobList(page_size=50)\njobs",
]


@pytest.fixture
def v2_emulator(browser_emulator: Any) -> Iterator[Any]:
    """The shared emulator holding 12 v2 training jobs; back at its seed afterwards."""
    browser_emulator.seed(v2_training_jobs=12, v2_visualization_jobs=2)
    yield browser_emulator
    browser_emulator.reset()


def calls(server: Any, route: str) -> int:
    return int(server.stats()["requests"].get(route, 0))


def idle_jobs(server: Any) -> list[str]:
    """Ids of listed v2 training jobs in a phase that deletes without extra consent."""
    ids = []
    for job_id in server.backend.v2.job_ids("job"):
        phase = server.backend.v2.get(job_id)["status"]["phase"]
        if phase in ("Completed", "Failed", "Terminated", "Abnormal"):
            ids.append(job_id)
    return ids


def test_browser_training_jobs_batch_delete_with_badges(
    v2_emulator: Any,
    notebook_file: Callable[..., str],
    open_notebook: Callable[..., Any],
) -> None:
    nb = open_notebook(notebook_file(cells=CELLS))
    nb.run_all()
    nb.wait_all_executed()
    expect(nb.tracebacks).to_have_count(0)
    widget = nb.outputs.locator(".modelarts-widgets")
    expect(widget.locator(".mw-row")).to_have_count(12)
    expect(widget.locator(".mw-header")).to_contain_text("kind")
    expect(widget.locator(".mw-header")).to_contain_text("duration")
    ok1, refused, ok2 = idle_jobs(v2_emulator)[:3]
    v2_emulator.backend.v2.refuse_delete(refused)  # 409 ModelArts.2878: the batch is refused

    nb.page.evaluate(RECORD_BADGES_JS)
    for key in (ok1, refused, ok2):
        box = widget.locator(f'.mw-row:has([data-key="{key}"]) input[type=checkbox]')
        box.check()
        expect(box).to_be_checked()
    expect(widget.locator(".mw-selection")).to_contain_text("3 selected")
    widget.locator("button.mw-delete").click()
    panel = widget.locator(".mw-confirm-panel")
    expect(panel.locator(".mw-names li")).to_have_count(3)
    panel.locator(".mw-confirm-count input").fill("3")
    panel.locator("button.mw-confirm").click()

    nb.page.wait_for_function(SEEN_JS, arg=[f"{ok1} deleted", f"{ok2} deleted"])
    expect(widget.locator(".mw-status")).to_contain_text("Deleted 2 of 3")
    expect(widget.locator(".mw-status")).to_contain_text("1 failed (ModelArts.2878)")
    failed = widget.locator(f'.mw-row:has([data-key="{refused}"])')
    expect(failed.locator(".maw-badge[data-state=failed]")).to_contain_text(
        "failed: ModelArts.2878"
    )
    expect(failed.locator(".mw-outcome-msg")).to_contain_text("JobStatusChanged")
    expect(widget.locator(".mw-row")).to_have_count(10)
    nb.screenshot("training-jobs-deleted")
    assert calls(v2_emulator, BATCH) == 1  # refused as a whole: one DELETE per job instead
    assert calls(v2_emulator, SINGLE) == 3
    remaining = set(v2_emulator.backend.v2.job_ids())
    assert refused in remaining
    assert not {ok1, ok2} & remaining
