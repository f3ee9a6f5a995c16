"""JupyterLab + headless Chromium for the browser benchmark, reusing the project's launchers.

Servers come from :func:`modelarts_widgets.demo.start_demo` (emulator in this process,
JupyterLab as a subprocess stopped by PID); Chromium flags, the kernel-idle probe, notebook
writing and the off-site guard come from ``tests/browser/conftest.py`` (imported, not copied).
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Run cell ``index`` (fire and forget) and poll its DOM until ``selector`` matches ``expected``
#: nodes; returns milliseconds from the run command to the next animation frame after that,
#: -1 past ``capMs``, -2 if the cell shows a Python error, -3 if the widget failed to render.
RUN_AND_WAIT_JS = """async ([index, selector, expected, capMs, pollMs]) => {
  const app = window.jupyterapp;
  const nb = app.shell.currentWidget.content;
  nb.activeCellIndex = index;
  const cell = nb.widgets[index];
  const t0 = performance.now();
  app.commands.execute('notebook:run-cell');
  for (;;) {
    if (cell.node.querySelectorAll(selector).length >= expected) {
      await new Promise((r) => requestAnimationFrame(() => r()));
      return performance.now() - t0;
    }
    if (cell.node.querySelector('[data-mime-type*="error"]')) return -2;
    if (cell.node.querySelector('.jupyter-widgets-error-widget')) return -3;
    if (performance.now() - t0 > capMs) return -1;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}"""

#: Do ``action`` ("next" click or "filter" text) in cell ``index``'s list widget and wait until
#: the first row's text changes; returns milliseconds, -1 past ``capMs``.
UI_CHANGE_JS = """async ([index, action, text, capMs]) => {
  const cell = window.jupyterapp.shell.currentWidget.content.widgets[index];
  const first = () => cell.node.querySelector('.mw-row .mw-row-cells')?.textContent ?? '';
  const before = first();
  const t0 = performance.now();
  if (action === 'next') {
    cell.node.querySelector('.mw-next button, button.mw-next').click();
  } else {
    const input = cell.node.querySelector('.mw-search input');
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  }
  for (;;) {
    if (first() !== before) {
      await new Promise((r) => requestAnimationFrame(() => r()));
      return performance.now() - t0;
    }
    if (performance.now() - t0 > capMs) return -1;
    await new Promise((r) => setTimeout(r, 2));
  }
}"""


def browser_conftest() -> ModuleType:
    """``tests/browser/conftest.py`` as a module (its constants and helpers)."""
    path = ROOT / "tests" / "browser" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_mw_browser_conftest", path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class Lab:
    """A running JupyterLab (``demo``) and a Chromium ``browser`` that only reaches loopback."""

    def __init__(self, demo: Any, browser: Any, conf: ModuleType) -> None:
        self.demo = demo
        self.browser = browser
        self.conf = conf
        self.offsite: list[str] = []

    def notebook(self, name: str, cells: Sequence[str]) -> str:
        self.conf.write_notebook(self.demo.workdir / name, list(cells))
        return name

    @contextmanager
    def open(self, name: str) -> Iterator[Any]:
        """A fresh page with notebook ``name`` open and its kernel idle; kernel shut at exit."""
        ctx = self.browser.new_context(viewport={"width": 1280, "height": 900})

        def abort(route: Any) -> None:
            self.offsite.append(route.request.url)
            route.abort()

        ctx.route(self.conf._is_offsite, abort)
        ctx.set_default_timeout(self.conf.TIMEOUT_MS)
        page = ctx.new_page()
        try:
            self.conf.open_in_ui(page, self.demo.base_url, self.demo.token, name, "lab")
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(state="visible")
            page.wait_for_function(self.conf.KERNEL_IDLE_JS, timeout=self.conf.TIMEOUT_MS)
            yield page
        finally:
            with contextlib.suppress(Exception):  # best effort; the server shuts kernels too
                page.evaluate(
                    "async () => { await window.jupyterapp.shell.currentWidget"
                    ".sessionContext.shutdown(); }"
                )
            ctx.close()

    def run_cell(
        self,
        page: Any,
        index: int,
        selector: str,
        expected: int,
        cap_s: float,
        poll_ms: int = 5,
    ) -> float:
        """Seconds from 'run cell' to ``expected`` nodes matching ``selector`` in its output."""
        ms = page.evaluate(RUN_AND_WAIT_JS, [index, selector, expected, cap_s * 1000, poll_ms])
        return float(ms) / 1000 if ms >= 0 else float(ms)

    def ui_change(self, page: Any, index: int, action: str, text: str = "") -> float:
        ms = page.evaluate(UI_CHANGE_JS, [index, action, text, 30_000])
        return float(ms) / 1000 if ms >= 0 else float(ms)


@contextmanager
def lab(seed: Mapping[str, int]) -> Iterator[Lab]:
    """Start the emulator + JupyterLab (``start_demo``) and headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    from modelarts_widgets.demo import start_demo

    conf = browser_conftest()
    with contextlib.ExitStack() as stack:
        demo = stack.enter_context(
            start_demo(seed=dict(seed), delete_delay=0.0, jupyter_args=conf.EXPOSE_APP_ARGS)
        )
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(
            executable_path=conf.CHROMIUM, headless=True, args=conf.CHROMIUM_ARGS
        )
        try:
            yield Lab(demo, browser, conf)
        finally:
            browser.close()
