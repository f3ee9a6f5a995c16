"""The demo: a local ModelArts emulator with sample data plus JupyterLab on the quickstart notebook.

`start_demo()` starts both and returns a `DemoHandle`; `DemoHandle.stop()` shuts JupyterLab down
(``POST /api/shutdown``, then SIGTERM, then SIGKILL, always by PID) and stops the emulator. The
notebooks are copied to a working directory first, so the demo never modifies the repository.
JupyterLab gets the ``HUAWEICLOUD_SDK_*`` / ``MODELARTS_*`` variables pointing at the emulator,
so ``Session()`` in a notebook reaches it with no typed credentials. JupyterLab is a test/demo
dependency (the ``[lab]`` extra), started as a subprocess: nothing here imports it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any, Optional, Union

from modelarts_widgets._env import CREDENTIAL_ENV_VARS

__all__ = [
    "DEMO_SEED",
    "DemoHandle",
    "emulator_env",
    "free_port",
    "jupyter_command",
    "start_demo",
    "stop_jupyter",
    "wait_for_jupyter",
    "write_lab_page_config",
]

#: Sample data: v1: 25 training jobs x 6 versions, 15 visualization jobs; v2: 60 training jobs,
#: 8 visualization jobs.
DEMO_SEED: dict[str, int] = {
    "jobs": 25,
    "versions_per_job": 6,
    "visualization_jobs": 15,
    "v2_training_jobs": 60,
    "v2_visualization_jobs": 8,
}
#: Seconds a deleted item stays listed (as "deleting") before it disappears.
DEMO_DELETE_DELAY = 1.5
QUICKSTART = "quickstart.ipynb"

_FALLBACK_NOTEBOOK: dict[str, Any] = {
    "cells": [
        {
            "cell_type": "markdown",
            "id": "intro",
            "metadata": {},
            "source": [
                "# modelarts-widgets quickstart\n",
                "\n",
                "Runs against the local emulator.",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "list",
            "metadata": {},
            "outputs": [],
            "source": ["from modelarts_widgets import JobVersionList\n", "\n", "JobVersionList()"],
        },
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _api(base_url: str, token: str, path: str, method: str = "GET", timeout: float = 5.0) -> int:
    """Call the Jupyter server's REST API on loopback; return the HTTP status."""
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
        f"{base_url}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
        status: int = reply.status
        return status


def _repo_notebooks() -> Optional[Path]:
    """The repository's notebooks/ folder when running from a source checkout."""
    folder = Path(__file__).resolve().parent.parent / "notebooks"
    return folder if (folder / QUICKSTART).is_file() else None


def _prepare_workdir(workdir: Path) -> None:
    """Copy the tutorial notebooks (or a minimal quickstart) and an isolated Jupyter config."""
    workdir.mkdir(parents=True, exist_ok=True)
    source = _repo_notebooks()
    if source is not None:
        for notebook in source.glob("*.ipynb"):
            shutil.copy2(notebook, workdir / notebook.name)
    else:
        (workdir / QUICKSTART).write_text(json.dumps(_FALLBACK_NOTEBOOK, indent=1))
    write_lab_page_config(workdir / ".jupyter" / "config")


def write_lab_page_config(config_dir: Path) -> None:
    """Disable Lab's "get notified about Jupyter news?" popup for ``JUPYTER_CONFIG_DIR``."""
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )


def emulator_env(emulator: Any) -> dict[str, str]:
    """The environment variables that point `Session()` at ``emulator``."""
    return {
        "HUAWEICLOUD_SDK_AK": emulator.config.access_key,
        "HUAWEICLOUD_SDK_SK": emulator.config.secret_key,
        "HUAWEICLOUD_SDK_PROJECT_ID": emulator.config.project_id,
        "MODELARTS_ENDPOINT": emulator.base_url,
        "HUAWEICLOUD_SDK_IAM_ENDPOINT": emulator.base_url,
        "MODELARTS_REGION": emulator.config.region,
        # Never reach for the real metadata address, even if a notebook is wrongly detected.
        "MODELARTS_WIDGETS_METADATA_URL": emulator.base_url,
    }


def jupyter_command(
    *, port: int, root: Path, open_browser: bool = False, extra: Sequence[str] = ()
) -> list[str]:
    """The ``jupyter lab`` command line: loopback only, no update checks, no port hopping.

    The token goes in the ``JUPYTER_TOKEN`` environment variable, not here (``ps`` shows
    command lines). Also used by the browser-test fixtures, which add ``extra`` flags.
    """
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.workspaces_dir={root / '.jupyter' / 'workspaces'}",
        f"--ServerApp.default_url=/lab/tree/{QUICKSTART}",
    ]
    cmd.append("--ServerApp.open_browser=True" if open_browser else "--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    cmd.extend(extra)
    return cmd


class DemoHandle:
    """A running demo. ``url`` opens the quickstart notebook (token included); `stop()` ends it."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        workdir: Path,
        process: subprocess.Popen[bytes],
        emulator_url: str,
        log_path: Path,
        resources: ExitStack,
    ) -> None:
        self.base_url = base_url
        self.token = token
        self.workdir = workdir
        self.process = process
        self.emulator_url = emulator_url
        self.log_path = log_path
        self._resources = resources
        self._stopped = False

    @property
    def url(self) -> str:
        """The quickstart notebook in JupyterLab, with the login token."""
        return f"{self.base_url}/lab/tree/{QUICKSTART}?token={self.token}"

    def notebook_url(self, name: str = QUICKSTART, ui: str = "lab") -> str:
        """URL of a notebook in the work dir, in JupyterLab (``ui="lab"``) or Notebook 7."""
        prefix = "lab/tree" if ui == "lab" else "notebooks"
        return f"{self.base_url}/{prefix}/{name}?token={self.token}"

    def __repr__(self) -> str:
        return f"DemoHandle(base_url={self.base_url!r}, workdir={str(self.workdir)!r})"

    def __enter__(self) -> DemoHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self, timeout: float = 20.0) -> None:
        """Shut JupyterLab down (kernels too), then the emulator. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        try:
            stop_jupyter(self.process, self.base_url, self.token, timeout)
        finally:
            self._resources.close()


def stop_jupyter(
    process: subprocess.Popen[bytes], base_url: str, token: str, timeout: float
) -> None:
    """POST /api/shutdown (stops kernels), then SIGTERM, then SIGKILL, by PID."""
    if process.poll() is None:
        with suppress(OSError):
            _api(base_url, token, "/api/shutdown", method="POST")
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            process.terminate()
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def wait_for_jupyter(
    process: subprocess.Popen[bytes], base_url: str, token: str, log_path: Path, timeout: float
) -> None:
    """Poll ``/api/status`` until it answers 200; fail early if JupyterLab exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}:\n{tail}")
        try:
            if _api(base_url, token, "/api/status", timeout=2.0) == 200:
                return
        except (OSError, urllib.error.HTTPError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s; see {log_path}")
        time.sleep(0.2)


def start_demo(
    *,
    port: int = 0,
    token: Optional[str] = None,
    workdir: Union[str, Path, None] = None,
    emulator_port: int = 0,
    open_browser: bool = False,
    seed: Optional[Mapping[str, int]] = None,
    delete_delay: float = DEMO_DELETE_DELAY,
    jupyter_args: Sequence[str] = (),
    startup_timeout: float = 120.0,
) -> DemoHandle:
    """Start the emulator (in this process) and JupyterLab (a subprocess) on the quickstart.

    ``port``/``emulator_port`` 0 pick free ports; ``token`` defaults to a random one;
    ``workdir`` defaults to a temporary folder that `DemoHandle.stop()` deletes (a given
    ``workdir`` is kept). ``jupyter_args`` are appended to the ``jupyter lab`` command line.
    """
    from modelarts_widgets.emulator import EmulatorServer

    resources = ExitStack()
    try:
        if workdir is None:
            root = Path(tempfile.mkdtemp(prefix="modelarts-widgets-demo-"))
            resources.callback(shutil.rmtree, root, ignore_errors=True)
        else:
            root = Path(workdir).resolve()
        _prepare_workdir(root)

        emulator = EmulatorServer(
            port=emulator_port,
            seed=dict(seed if seed is not None else DEMO_SEED),
            delete_delay=delete_delay,
        )
        resources.enter_context(emulator)

        env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV_VARS}
        env.update(emulator_env(emulator))
        env.update(
            JUPYTER_CONFIG_DIR=str(root / ".jupyter" / "config"),
            JUPYTER_RUNTIME_DIR=str(root / ".jupyter" / "runtime"),
            IPYTHONDIR=str(root / ".jupyter" / "ipython"),
        )
        jupyter_port = port or free_port()
        token = token or secrets.token_hex(24)
        env["JUPYTER_TOKEN"] = token
        base_url = f"http://127.0.0.1:{jupyter_port}"
        log_path = root / ".jupyter" / "jupyterlab.log"
        log = resources.enter_context(log_path.open("wb"))
        cmd = jupyter_command(
            port=jupyter_port, root=root, open_browser=open_browser, extra=jupyter_args
        )
        # A new session: Ctrl-C in the terminal reaches only us, and we stop Jupyter in order.
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            cmd,
            env=env,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for_jupyter(process, base_url, token, log_path, startup_timeout)
        except BaseException:
            stop_jupyter(process, base_url, token, timeout=5.0)
            raise
    except BaseException:
        resources.close()
        raise
    return DemoHandle(
        base_url=base_url,
        token=token,
        workdir=root,
        process=process,
        emulator_url=emulator.base_url,
        log_path=log_path,
        resources=resources,
    )
