"""The quickstart's JobVersionList in a real browser (JupyterLab 4, and Notebook 7 once).

Each test copies ``notebooks/quickstart.ipynb`` into the Jupyter root, runs the cells up to and
including the widget (not the programmatic delete cell) against the shared ``browser_emulator``
(reset first), and drives the widget with clicks and typing. Waits are conditions on the DOM or
on the app, never sleeps. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import nbformat
import pytest
from playwright.sync_api import expect

from modelarts_widgets.emulator import ListQuery

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"
HOSTILE_ALERT = "<img src=x onerror=alert(1)>"
HOSTILE_FLAG = '<img src=x onerror="window.__xss=1">'

# Make cell ``index`` active and run every cell above it (fire and forget).
RUN_ABOVE_JS = """(index) => {
  const w = window.jupyterapp.shell.currentWidget;
  w.content.activeCellIndex = index;
  window.jupyterapp.commands.execute('notebook:run-all-above');
}"""
RUN_CELL_JS = """(index) => {
  const w = window.jupyterapp.shell.currentWidget;
  w.content.activeCellIndex = index;
  window.jupyterapp.commands.execute('notebook:run-cell');
}"""
# Every code cell before ``index`` shows an execution number and the kernel is idle.
RAN_ABOVE_JS = """(index) => {
  const w = window.jupyterapp?.shell?.currentWidget;
  const k = w?.sessionContext?.session?.kernel;
  if (!w || !k || k.status !== 'idle') return false;
  return w.content.widgets.slice(0, index).every((cell) => cell.model.type !== 'code'
    || /\\[\\d+\\]/.test(cell.node.querySelector('.jp-InputPrompt')?.textContent ?? ''));
}"""
# Record every (row key, badge state) the widget ever renders: a "deleted" badge may be on screen
# for only a moment before the row goes, so watch the nodes as they are added.
RECORD_BADGES_JS = """() => {
  window.__mwSeen = new Set();
  const note = (el) => {
    const rows = el.matches?.('[data-key]')
      ? [el] : Array.from(el.querySelectorAll?.('[data-key]') ?? []);
    for (const row of rows)
      for (const b of row.querySelectorAll('.maw-badge[data-state]'))
        window.__mwSeen.add(row.getAttribute('data-key') + ' ' + b.getAttribute('data-state'));
  };
  note(document.body);
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1) note(n);
  }).observe(document.body, {childList: true, subtree: true});
}"""
SEEN_JS = "(wanted) => wanted.every((w) => window.__mwSeen && window.__mwSeen.has(w))"


def cell_index(nb: Any, cell_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.get("id") == cell_id)


@pytest.fixture
def screenshots(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``shot(page, label)`` -> ``test-artifacts/screenshots/<test>-<label>.png``."""
    folder = pytestconfig.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    stem = request.node.name.replace("[", "-").replace("]", "")

    def shot(page: Any, label: str) -> Path:
        path = folder / f"{stem}-{label}.png"
        page.screenshot(path=str(path))
        return path

    return shot


@pytest.fixture
def lab_emulator(browser_emulator: Any) -> Any:
    """The shared browser-tier emulator, back at its seed data (faults and counters cleared)."""
    browser_emulator.reset()
    return browser_emulator


def versions(emulator: Any) -> list[dict[str, Any]]:
    """Every version: ``key`` (as the row's data-key), ``name`` (as the widget shows), status."""
    rows = []
    for job in emulator.backend.list_training_jobs(ListQuery(per_page=1000))["jobs"]:
        for v in emulator.backend.list_versions(job["job_id"])["versions"]:
            rows.append(
                {
                    "key": f"({job['job_id']}, {v['version_id']})",
                    "ids": (job["job_id"], v["version_id"]),
                    "name": f"{job['job_name']} / {v['version_name']}",
                    "status": v["status"],
                }
            )
    return rows


@pytest.fixture
def quickstart(
    notebook_file: Callable[..., str], open_notebook: Callable[..., Any], tmp_path: Path
) -> Callable[..., Any]:
    """``quickstart(ui="lab", extra_cells=()) -> (NotebookPage, widget locator, the notebook)``.

    Opens a copy of the quickstart (plus ``extra_cells`` at the end, not run) and runs every
    cell up to the widget; the widget's rows are on screen when this returns.
    """

    def _open(ui: str = "lab", extra_cells: tuple[str, ...] = ()) -> Any:
        nb = nbformat.read(str(QUICKSTART), as_version=4)
        for i, source in enumerate(extra_cells):
            cell = nbformat.v4.new_code_cell(source)
            cell["id"] = f"extra-{i}"
            nb.cells.append(cell)
        source_path = tmp_path / "quickstart.ipynb"
        nbformat.write(nb, str(source_path))
        name = notebook_file(source=source_path)
        page_nb = open_notebook(name, ui=ui)
        after_widget = cell_index(nb, "widget") + 1
        page_nb.page.evaluate(RUN_ABOVE_JS, after_widget)
        page_nb.page.wait_for_function(RAN_ABOVE_JS, arg=after_widget)
        expect(page_nb.tracebacks).to_have_count(0)
        widget = page_nb.outputs.locator(".modelarts-widgets")
        expect(widget.locator(".mw-row").first).to_be_visible()
        return page_nb, widget, nb

    return _open


def row(widget: Any, key: str) -> Any:
    return widget.locator(".mw-row", has=widget.page.locator(f'[data-key="{key}"]'))


def tick(widget: Any, key: str) -> None:
    box = row(widget, key).locator("input[type=checkbox]")
    box.check()
    expect(box).to_be_checked()


def test_browser_widgets_select_confirm_delete(
    lab_emulator: Any, quickstart: Callable[..., Any], screenshots: Callable[..., Path]
) -> None:
    """Tick two rows, Delete, the panel names them, type 2, Confirm: deleted, rows gone."""
    nb, widget, _ = quickstart()
    listed = versions(lab_emulator)
    expect(widget.locator(".mw-row")).to_have_count(len(listed))
    expect(widget.locator(".mw-selection")).to_contain_text(f"0 selected · {len(listed)} match")
    a, b = [v for v in listed if v["status"] == 10][:2]

    nb.page.evaluate(RECORD_BADGES_JS)
    tick(widget, a["key"])
    tick(widget, b["key"])
    expect(widget.locator(".mw-selection")).to_contain_text("2 selected")
    widget.locator("button.mw-delete").click()

    panel = widget.locator(".mw-confirm-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".mw-names li")).to_have_count(2)
    expect(panel.locator(".mw-names")).to_contain_text(a["name"])
    expect(panel.locator(".mw-names")).to_contain_text(b["name"])
    confirm = panel.locator("button.mw-confirm")
    expect(confirm).to_be_disabled()  # until the count is typed
    panel.locator(".mw-confirm-count input").fill("2")
    expect(confirm).to_be_enabled()
    screenshots(nb.page, "confirm-panel")
    confirm.click()

    nb.page.wait_for_function(SEEN_JS, arg=[f"{a['key']} deleted", f"{b['key']} deleted"])
    expect(widget.locator(".mw-status")).to_contain_text("Deleted 2 of 2")
    expect(row(widget, a["key"])).to_have_count(0)
    expect(row(widget, b["key"])).to_have_count(0)
    expect(widget.locator(".mw-row")).to_have_count(len(listed) - 2)
    expect(panel).to_be_hidden()
    screenshots(nb.page, "deleted")
    remaining = {v["key"] for v in versions(lab_emulator)}
    assert {a["key"], b["key"]}.isdisjoint(remaining)
    assert sorted(lab_emulator.delete_calls) == sorted(
        lab_emulator.version_path(*v["ids"]) for v in (a, b)
    )


def test_browser_widgets_refused_delete_shows_the_error(
    lab_emulator: Any, quickstart: Callable[..., Any], screenshots: Callable[..., Path]
) -> None:
    """A version being canceled (status 9): included as active, refused with ModelArts.0105."""
    nb, widget, _ = quickstart()
    target = next(v for v in versions(lab_emulator) if v["status"] == 9)
    tick(widget, target["key"])
    widget.locator("button.mw-delete").click()
    panel = widget.locator(".mw-confirm-panel")
    expect(panel).to_contain_text("Not deleted: 1 active item")
    confirm = panel.locator("button.mw-confirm")
    expect(confirm).to_be_disabled()  # nothing goes unless the active item is included
    include = panel.locator(".mw-confirm-include-active input[type=checkbox]")
    include.check()
    expect(confirm).to_be_enabled()
    confirm.click()

    badge = row(widget, target["key"]).locator(".maw-badge[data-state=failed]")
    expect(badge).to_contain_text("failed: ModelArts.0105")
    expect(badge).to_have_attribute(
        "title", re.compile(r"This job can't be delete\. job status: 9")
    )
    message = row(widget, target["key"]).locator(".mw-outcome-msg")  # in full, no hovering
    expect(message).to_be_visible()
    expect(message).to_contain_text("This job can't be delete. job status: 9")
    expect(widget.locator(".mw-status")).to_contain_text("1 failed (ModelArts.0105)")
    expect(row(widget, target["key"]).locator("input[type=checkbox]")).to_be_checked()
    message.scroll_into_view_if_needed()  # at the default 1280 px, file browser open
    box, outer = message.bounding_box(), widget.bounding_box()
    assert box is not None
    assert outer is not None
    assert box["x"] + box["width"] <= outer["x"] + outer["width"] + 1  # not off the right edge
    screenshots(nb.page, "refused")
    assert target["key"] in {v["key"] for v in versions(lab_emulator)}


def test_browser_widgets_hostile_job_name_is_text(
    lab_emulator: Any,
    quickstart: Callable[..., Any],
    page: Any,
    screenshots: Callable[..., Path],
) -> None:
    """Job names with markup render as text in the rows and the panel; no handler ever runs."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    lab_emulator.add_training_job(HOSTILE_ALERT)
    job_id, (version_id,) = lab_emulator.add_training_job(HOSTILE_FLAG)
    control = (
        "from IPython.display import HTML\n"
        'HTML(\'<img src=x class="xss-control" onerror="window.__xss_control=1">\')'
    )
    nb, widget, cells = quickstart(extra_cells=(control,))

    expect(widget.locator(".mw-row", has_text=HOSTILE_ALERT)).to_have_count(1)
    expect(widget.locator(".mw-row", has_text=HOSTILE_FLAG)).to_have_count(1)
    key = f"({job_id}, {version_id})"
    tick(widget, key)
    widget.locator("button.mw-delete").click()
    expect(widget.locator(".mw-confirm-panel .mw-names")).to_contain_text(HOSTILE_FLAG)
    screenshots(nb.page, "hostile-names")
    expect(nb.outputs.locator("img[src=x]")).to_have_count(0)
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []

    # Control: the same markup displayed as HTML does run its handler in this page.
    nb.page.evaluate(RUN_CELL_JS, len(cells.cells) - 1)
    nb.page.wait_for_function("() => window.__xss_control === 1")
    expect(nb.outputs.locator("img.xss-control")).to_have_count(1)
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []


def test_browser_widgets_notebook7_renders_and_clicks(
    lab_emulator: Any, quickstart: Callable[..., Any], screenshots: Callable[..., Path]
) -> None:
    """Notebook 7: the rows render; a tick and Delete reach Python; Cancel sends nothing."""
    nb, widget, _ = quickstart(ui="notebook7")
    listed = versions(lab_emulator)
    expect(widget.locator(".mw-row")).to_have_count(len(listed))
    first = listed[0]
    job_name, version_name = first["name"].split(" / ")
    expect(row(widget, first["key"])).to_contain_text(job_name)
    expect(row(widget, first["key"])).to_contain_text(version_name)
    tick(widget, first["key"])
    expect(widget.locator(".mw-selection")).to_contain_text("1 selected")
    widget.locator("button.mw-delete").click()
    panel = widget.locator(".mw-confirm-panel")
    expect(panel.locator(".mw-names")).to_contain_text(first["name"])
    panel.scroll_into_view_if_needed()
    screenshots(nb.page, "notebook7-panel")
    panel.locator("button.mw-confirm-cancel").click()
    expect(panel).to_be_hidden()
    expect(widget.locator(".mw-status")).to_contain_text("nothing was sent")
    assert lab_emulator.delete_calls == {}
