"""Browser tier: an isolated JupyterLab (which also serves Notebook 7) + Debian's headless Chromium.

Every test collected under tests/browser/ is marked ``browser`` automatically (mark it explicitly
too). pytest-playwright supplies ``browser`` / ``context`` / ``page``; this file only changes how
Chromium is launched and what the page may reach.

Fixtures
--------
``chromium_executable`` (session)
    Path of Debian's Chromium (``$CHROMIUM`` or /usr/bin/chromium). When missing, the test is
    skipped with the reason; with ``CI=true`` it fails instead.
``browser_type_launch_args`` / ``browser_context_args`` (session)
    pytest-playwright overrides: that Chromium, headless flags, 1280x900 viewport.
``context`` / ``offsite_requests``
    pytest-playwright's context (default timeout 60 s; ``expect`` default 30 s) with every
    request to a host other than 127.0.0.1, localhost or [::1] aborted. ``offsite_requests`` is
    the list of aborted URLs; at teardown the test fails if any is not matched by
    ``HARMLESS_OFFSITE`` (their count goes into the JUnit properties).
``browser_emulator`` (session)
    A ModelArts ``EmulatorServer`` on 127.0.0.1 (seed ``BROWSER_SEED``, ``delete_delay=0.5``).
    Shared by every browser test: reset or re-seed it through its control API if a test needs
    a known state.
``jupyter`` (session)
    ``JupyterServer`` (``url``, ``token``, ``root``, ``log``, ``env``, ``t0``, ``ready_s``):
    ``jupyter lab`` on a free port with ``--ServerApp.port_retries=0``, ``--allow-root`` when
    root, token auth, the app exposed as ``window.jupyterapp`` (Lab and Notebook 7), the news
    popup disabled, ``JUPYTER_CONFIG_DIR`` / ``DATA_DIR`` / ``RUNTIME_DIR`` / ``IPYTHONDIR`` in tmp
    dirs, stdin closed, and ``browser_emulator``'s ``HUAWEICLOUD_SDK_*`` / ``MODELARTS_*`` variables
    in its environment, so a kernel's ``Session()`` reaches the emulator. Stopped by PID:
    ``POST /api/shutdown`` (kernels too), then SIGTERM, then SIGKILL.
``notebook_file``
    ``notebook_file(cells=None, source=None, name=None) -> str``: writes a notebook (a list of
    code-cell sources, markdown cells as ``("markdown", text)``) or copies ``source`` into the
    server root under a name unique to the test (one notebook, hence one kernel, per test).
``open_notebook``
    ``open_notebook(name, ui="lab" | "notebook7") -> NotebookPage`` on the test's ``page``:
    loads the notebook (Lab with ``?reset``), waits until the kernel is really idle (asked of
    ``window.jupyterapp``, not of the toolbar indicator, which reads "idle" before any kernel).
``attach_notebook``
    ``attach_notebook(name, ui="lab") -> NotebookPage`` for a page you loaded yourself (e.g.
    from ``modelarts_widgets.demo.start_demo``): waits for the first cell and an idle kernel.
``NotebookPage``
    ``.page``, ``.ui``, ``.name``, ``.outputs`` (locator of the output areas),
    ``.tracebacks`` (output areas showing a traceback), ``.wait_kernel_idle()``, ``.run_all()``
    (fire and forget: wait on the DOM afterwards with ``expect``), ``.wait_all_executed()``
    (every code cell ran, or run-all stopped at an error), ``.screenshot(label)`` -> PNG under
    ``test-artifacts/browser/``.
``artifacts_dir`` (session)
    ``<rootdir>/test-artifacts/browser`` (gitignored).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Union
from urllib.parse import urlsplit

import pytest

from modelarts_widgets.demo import (
    emulator_env,
    free_port,
    jupyter_command,
    stop_jupyter,
    wait_for_jupyter,
    write_lab_page_config,
)

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Milliseconds for page loads and kernel waits: a cold kernel on a busy 2-core box is slow.
TIMEOUT_MS = 60_000
#: Default timeout of Playwright's ``expect`` in this tier (its own default is 5 s).
EXPECT_TIMEOUT_MS = 30_000
#: Emulator data for the browser tier.
BROWSER_SEED = {"jobs": 5, "versions_per_job": 3, "visualization_jobs": 4}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: Off-site URLs that may be attempted (they are still aborted). Regular expressions.
HARMLESS_OFFSITE: tuple[str, ...] = (
    # Voila 0.5's page links Font Awesome from jsdelivr (icons only; the widgets need none)
    r"^https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@",
)

# The toolbar's .jp-Notebook-ExecutionIndicator reads "idle" before a kernel exists (Lab 4.6,
# Notebook 7.6), so ask the app. Needs --LabApp/--JupyterNotebookApp.expose_app_in_browser.
KERNEL_IDLE_JS = """() => {
  const sc = window.jupyterapp?.shell?.currentWidget?.sessionContext;
  const k = sc?.session?.kernel;
  return !!(sc && sc.isReady && k && k.status === 'idle' && k.connectionStatus === 'connected');
}"""
# Fire and forget: execute() resolves only when every cell has finished, and page.evaluate has
# no timeout of its own.
RUN_ALL_JS = "() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
# Idle kernel, and every code cell's prompt shows a number (not "*" = queued/running) up to
# the first one whose output is an error (run-all stops there).
ALL_EXECUTED_JS = """() => {
  const w = window.jupyterapp?.shell?.currentWidget;
  const k = w?.sessionContext?.session?.kernel;
  if (!w || !w.content || !k || k.status !== 'idle') return false;
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    const prompt = cell.node.querySelector('.jp-InputPrompt')?.textContent ?? '';
    if (!/\\[\\d+\\]/.test(prompt)) return false;
    const outs = cell.model.outputs;
    for (let i = 0; i < outs.length; i++) if (outs.get(i).type === 'error') return true;
  }
  return true;
}"""
EXPOSE_APP_ARGS = (
    "--LabApp.expose_app_in_browser=True",
    "--JupyterNotebookApp.expose_app_in_browser=True",
)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects anything
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``browser``."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


# ---- Chromium through pytest-playwright ------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Debian's Chromium; skip (or fail when CI=true) when it is not installed."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM} (Debian: apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; browser tests may not be skipped when CI=true")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_chromium(chromium_executable: str) -> None:
    """Skip/fail before any server is started when there is no browser."""


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], chromium_executable: str
) -> dict[str, Any]:
    """Launch Debian's Chromium headless (never a downloaded browser)."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_executable,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def _is_offsite(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return urlsplit(url).hostname not in LOOPBACK_HOSTS


@pytest.fixture
def offsite_requests() -> list[str]:
    """URLs the page tried to fetch from a non-loopback host (all of them were aborted)."""
    return []


@pytest.fixture
def context(
    context: Any, offsite_requests: list[str], request: pytest.FixtureRequest
) -> Iterator[Any]:
    """pytest-playwright's context, with every non-loopback request aborted and recorded."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    def _abort(route: Any) -> None:
        offsite_requests.append(route.request.url)
        route.abort()

    context.route(_is_offsite, _abort)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    request.node.user_properties.append(("offsite_requests", len(offsite_requests)))
    unexpected = [
        url for url in offsite_requests if not any(re.search(p, url) for p in HARMLESS_OFFSITE)
    ]
    if unexpected:
        pytest.fail(f"the page tried to reach non-loopback hosts: {unexpected}")


@pytest.fixture(scope="session")
def artifacts_dir(pytestconfig: pytest.Config) -> Path:
    path = pytestconfig.rootpath / "test-artifacts" / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


# ---- servers ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_emulator() -> Iterator[Any]:
    """One emulator for the whole browser tier (its URL is baked into the Jupyter env)."""
    from modelarts_widgets.emulator import EmulatorServer

    with EmulatorServer(port=0, seed=dict(BROWSER_SEED), delete_delay=0.5) as server:
        yield server


@dataclass
class JupyterServer:
    url: str
    token: str
    root: Path
    log: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    t0: float
    ready_s: float = 0.0


def _lab_major() -> int:
    from importlib.metadata import version

    return int(version("jupyterlab").split(".")[0])


@pytest.fixture(scope="session")
def jupyter(
    tmp_path_factory: pytest.TempPathFactory, browser_emulator: Any
) -> Iterator[JupyterServer]:
    """``jupyter lab`` on loopback (Lab at /lab, Notebook 7 at /notebooks), isolated dirs."""
    if shutil.which("jupyter-lab", path=os.path.dirname(sys.executable)) is None:
        pytest.fail("jupyterlab is not installed in this environment (pip install -e '.[test]')")
    base = tmp_path_factory.mktemp("jupyter")
    root = base / "root"
    root.mkdir()
    write_lab_page_config(base / "config")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUAWEICLOUD_", "MODELARTS_"))}
    env.update(emulator_env(browser_emulator))
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    port, token = free_port(), secrets.token_hex(16)
    env["JUPYTER_TOKEN"] = token
    url = f"http://127.0.0.1:{port}"
    cmd = jupyter_command(port=port, root=root, extra=EXPOSE_APP_ARGS)
    if _lab_major() == 3:  # Lab 3 has no extension_manager option: it drops all LabApp options
        cmd = [a for a in cmd if not a.startswith("--LabApp.extension_manager=")]
    if "--allow-root" not in cmd:
        cmd.append("--allow-root")  # harmless when not root; required when root
    log_path = base / "server.log"
    t0 = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, env=env, cwd=root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_jupyter(proc, url, token, log_path, timeout=120.0)
            server = JupyterServer(url, token, root, log_path, env, proc, t0, time.monotonic() - t0)
            print(f"\n[jupyter] pid={proc.pid} port={port} ready in {server.ready_s:.1f}s")
            yield server
        finally:
            stop_jupyter(proc, url, token, timeout=20.0)


# ---- notebooks in the browser ------------------------------------------------------------------


CellSpec = Union[str, tuple[str, str]]


def write_notebook(path: Path, cells: Sequence[CellSpec]) -> Path:
    """Write a python3 notebook; a cell is code source, or ``("markdown", text)``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    for i, cell in enumerate(cells):
        if isinstance(cell, tuple) and cell[0] == "markdown":
            new = nbformat.v4.new_markdown_cell(cell[1])
        else:
            new = nbformat.v4.new_code_cell(cell[1] if isinstance(cell, tuple) else cell)
        new["id"] = f"cell-{i}"
        nb.cells.append(new)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def notebook_file(jupyter: JupyterServer, request: pytest.FixtureRequest) -> Callable[..., str]:
    """Factory: put a notebook in the server root under a per-test name; returns that name."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name).strip("_")[:80]
    counter = iter(range(1000))

    def _make(
        cells: Optional[Sequence[CellSpec]] = None,
        source: Union[str, Path, None] = None,
        name: Optional[str] = None,
    ) -> str:
        name = name or f"{stem}_{next(counter)}.ipynb"
        target = jupyter.root / name
        if source is not None:
            shutil.copy(source, target)
        else:
            write_notebook(target, cells or [])
        return name

    return _make


@dataclass
class NotebookPage:
    """A notebook open in JupyterLab or Notebook 7 with an idle kernel."""

    page: Any
    ui: str
    name: str
    artifacts: Path
    shots: list[Path] = field(default_factory=list)

    @property
    def outputs(self) -> Any:
        return self.page.locator(".jp-OutputArea-output")

    def wait_kernel_idle(self, timeout_ms: int = TIMEOUT_MS) -> None:
        self.page.wait_for_function(KERNEL_IDLE_JS, timeout=timeout_ms)

    @property
    def tracebacks(self) -> Any:
        """Output areas showing a Python traceback."""
        return self.outputs.filter(has_text="Traceback (most recent call last)")

    def run_all(self) -> None:
        """Run all cells (returns at once; wait on the output DOM with ``expect``)."""
        self.page.evaluate(RUN_ALL_JS)

    def wait_all_executed(self, timeout_ms: int = TIMEOUT_MS) -> None:
        """After `run_all`: wait until no code cell is queued/running and the kernel is idle.

        A run stopped by an exception counts as finished (the cells after it stay unrun):
        check ``tracebacks`` afterwards.
        """
        self.page.wait_for_function(ALL_EXECUTED_JS, timeout=timeout_ms)

    def screenshot(self, label: str) -> Path:
        path = self.artifacts / f"{Path(self.name).stem}-{self.ui}-{label}.png"
        self.page.screenshot(path=str(path))
        self.shots.append(path)
        return path


def open_in_ui(page: Any, base_url: str, token: str, name: str, ui: str) -> None:
    """Load notebook ``name`` in ``ui`` ("lab": JupyterLab, "notebook7": Notebook 7)."""
    if ui == "lab":  # ?reset: ignore any saved workspace layout
        page.goto(f"{base_url}/lab/tree/{name}?reset&token={token}")
    elif ui == "notebook7":
        page.goto(f"{base_url}/notebooks/{name}?token={token}")
    else:
        raise ValueError(f"unknown ui {ui!r}")


@pytest.fixture
def attach_notebook(page: Any, artifacts_dir: Path) -> Callable[..., NotebookPage]:
    """Factory: wrap the notebook already loaded on ``page`` once its kernel is idle."""
    from playwright.sync_api import expect

    def _attach(name: str, ui: str = "lab") -> NotebookPage:
        expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=TIMEOUT_MS)
        nb_page = NotebookPage(page=page, ui=ui, name=name, artifacts=artifacts_dir)
        nb_page.wait_kernel_idle()
        return nb_page

    return _attach


@pytest.fixture
def open_notebook(
    page: Any, jupyter: JupyterServer, attach_notebook: Callable[..., NotebookPage]
) -> Callable[..., NotebookPage]:
    """Factory: open a notebook from the server root on ``page`` and wait for an idle kernel."""

    def _open(name: str, ui: str = "lab") -> NotebookPage:
        open_in_ui(page, jupyter.url, jupyter.token, name, ui)
        return attach_notebook(name, ui)

    return _open
