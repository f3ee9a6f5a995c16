"""Tier 5: the tutorial notebooks, executed with nbclient and checked for what they say.

Each notebook runs in a fresh kernel of this interpreter (a ``python3`` kernelspec written to a
temporary folder, so no other ``python3`` kernel on the machine is picked up), with every
``HUAWEICLOUD_*`` / ``MODELARTS_*`` variable removed and cwd a temporary copy of the notebook.
The checks read the outputs for meaning (receipts, the SDK dicts, error codes, skips) and prove
no secret reaches an output or the saved widget state. A static test pins how the notebooks are
committed: stripped, no ``metadata.widgets``, equal to what ``notebooks/_build.py`` writes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import nbformat
import pytest

from modelarts_widgets.emulator import ListQuery

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: The emulator's default credentials, which the standalone notebooks use.
DEMO_SECRETS = ("DEMOACCESSKEY", "demo-secret-key", "demo-password")
#: Loaded by the kernel (``sitecustomize`` on PYTHONPATH): refuses and records every connection
#: to, and every name lookup of, a host other than loopback.
NETWORK_GUARD = """
import os, socket

_LOG = os.environ["NB_NETWORK_LOG"]
_LOOPBACK = ("127.0.0.1", "::1", "localhost")
_connect, _connect_ex, _getaddrinfo = (
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo)


def _check(host):
    if isinstance(host, bytes):
        host = host.decode()
    if isinstance(host, str) and host not in _LOOPBACK:
        with open(_LOG, "a") as log:
            log.write(host + "\\n")
        raise OSError("the notebook test allows loopback only, not " + host)


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    _check(host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (
    connect, connect_ex, getaddrinfo)
"""


# ---- running a notebook ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding one kernelspec, ``python3``, that runs this interpreter."""
    from ipykernel.kernelspec import write_kernel_spec

    folder = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(folder / "python3")
    return folder


@pytest.fixture
def run_notebook(tmp_path: Path, kernel_dir: Path) -> Any:
    """``run_notebook(name, env=None) -> executed NotebookNode`` (also saved under tmp_path).

    The kernel may connect to loopback only; the test fails if it tried anything else.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    def _run(name: str, env: Optional[dict[str, str]] = None, source: Optional[Path] = None) -> Any:
        work = tmp_path / "work"
        work.mkdir(exist_ok=True)
        shutil.copy(source or NOTEBOOK_DIR / name, work / name)
        nb = nbformat.read(str(work / name), as_version=4)
        kernel_env = {
            k: v for k, v in os.environ.items() if not k.startswith(("HUAWEICLOUD_", "MODELARTS_"))
        }
        guard = tmp_path / "guard"
        guard.mkdir(exist_ok=True)
        (guard / "sitecustomize.py").write_text(NETWORK_GUARD)
        network_log = tmp_path / "network.log"
        network_log.write_text("")
        kernel_env.update(
            IPYTHONDIR=str(tmp_path / "ipython"),
            JUPYTER_PLATFORM_DIRS="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            PYTHONPATH=os.pathsep.join(filter(None, [str(guard), os.environ.get("PYTHONPATH")])),
            NB_NETWORK_LOG=str(network_log),
        )
        kernel_env.update(env or {})
        specs = KernelSpecManager(kernel_dirs=[str(kernel_dir)], ensure_native_kernel=False)
        km = KernelManager(kernel_name="python3", kernel_spec_manager=specs)
        client = NotebookClient(
            nb,
            km=km,
            kernel_name="python3",
            timeout=CELL_TIMEOUT,
            startup_timeout=120,
            store_widget_state=True,
            resources={"metadata": {"path": str(work)}},
        )
        client.execute(env=kernel_env)
        nbformat.write(nb, str(tmp_path / f"executed-{name}"))
        nb.metadata["network_log"] = network_log.read_text()
        if source is None:
            assert nb.metadata["network_log"] == "", "the notebook tried a non-loopback host"
        return nb

    return _run


def text_of(nb: Any, cell_id: str) -> str:
    """Everything a code cell printed or displayed as text (streams, text/plain, errors)."""
    cells = [c for c in nb.cells if c.get("id") == cell_id]
    assert cells, f"no cell with id {cell_id!r}"
    parts: list[str] = []
    for output in cells[0].get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(str(output.get("data", {}).get("text/plain", "")))
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
    return "".join(parts)


def widget_state(nb: Any) -> dict[str, Any]:
    state: dict[str, Any] = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return state


def assert_no_secrets(nb: Any, values: tuple[str, ...]) -> None:
    """No secret in any output, nor in the saved widget state."""
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    state = json.dumps(widget_state(nb), ensure_ascii=False)
    for value in values:
        assert value not in outputs, "a secret appears in a cell output"
        assert value not in state, "a secret appears in the saved widget state"


def assert_no_errors(nb: Any) -> None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", text_of(nb, cell.id)
            if output.output_type == "stream":
                assert output.name != "stderr" or "Traceback" not in output.text, output.text


def test_notebooks_kernel_network_guard(run_notebook: Any, tmp_path: Path) -> None:
    """The guard the notebook runs rely on: loopback works, anything else is refused."""
    from modelarts_widgets.emulator import EmulatorServer

    probe = nbformat.v4.new_notebook()
    probe.cells.append(
        nbformat.v4.new_code_cell(
            "import os, socket, urllib.request\n"
            "print(urllib.request.urlopen(os.environ['PROBE_URL']).status)\n"
            "for host in ('192.0.2.1', 'modelarts.eu-de.otc.t-systems.com'):\n"
            "    try:\n"
            "        socket.create_connection((host, 443), timeout=1)\n"
            "    except OSError as exc:\n"
            "        print('refused:', exc)\n"
        )
    )
    path = tmp_path / "probe.ipynb"
    nbformat.write(probe, str(path))
    with EmulatorServer() as server:
        nb = run_notebook(
            "probe.ipynb", env={"PROBE_URL": f"{server.base_url}/_emulator/stats"}, source=path
        )
    out = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert out.startswith("200\n"), out
    assert out.count("refused: the notebook test allows loopback only") == 2, out
    assert nb.metadata["network_log"].split() == ["192.0.2.1", "modelarts.eu-de.otc.t-systems.com"]


# ---- the notebooks ----------------------------------------------------------------------------


def check_quickstart_receipt(nb: Any) -> list[str]:
    """The programmatic cell deleted two versions and names them; returns their names."""
    out = text_of(nb, "programmatic")
    about = re.search(r"about to delete: (.+)", out)
    assert about, out
    names = about.group(1).split(", ")
    assert len(names) == 2, out
    assert "receipt: Deleted 2 of 2" in out
    for name in names:
        assert f"  {name}: deleted" in out, out
    return names


def test_notebooks_quickstart_standalone(run_notebook: Any) -> None:
    """No environment: the notebook starts its own emulator, deletes two versions, stops it."""
    nb = run_notebook("quickstart.ipynb")
    assert_no_errors(nb)
    assert "(started here)" in text_of(nb, "mode")
    assert re.search(r"JobVersionList: \d+ versions, 0 selected", text_of(nb, "widget"))
    check_quickstart_receipt(nb)
    assert "emulator stopped" in text_of(nb, "stop")
    assert widget_state(nb), "the executed notebook saved no widget state"
    assert_no_secrets(nb, DEMO_SECRETS)


@pytest.fixture
def private_emulator() -> Iterator[Any]:
    """An emulator with credentials unique to this test (so leaks can be searched for)."""
    from modelarts_widgets.emulator import EmulatorServer

    with EmulatorServer(
        access_key=f"NBAK{secrets.token_hex(8).upper()}",
        secret_key=f"nbsk-{secrets.token_hex(16)}",
        seed={"jobs": 4, "versions_per_job": 3, "visualization_jobs": 2},
        delete_delay=0.2,
    ) as server:
        yield server


def test_notebooks_quickstart_in_the_demo_environment(
    run_notebook: Any, private_emulator: Any
) -> None:
    """With the demo's variables set, the notebook uses that emulator and leaves it running."""
    from modelarts_widgets.demo import emulator_env

    nb = run_notebook("quickstart.ipynb", env=emulator_env(private_emulator))
    assert_no_errors(nb)
    assert f"{private_emulator.base_url} (the demo's)" in text_of(nb, "mode")
    names = check_quickstart_receipt(nb)
    deletes = private_emulator.delete_calls
    assert len(deletes) == 2, deletes
    assert all("/versions/" in path for path in deletes)
    assert "keeps running" in text_of(nb, "stop")
    listed = {
        f"{job['job_name']} / {v['version_name']}"
        for job in private_emulator.backend.list_training_jobs(ListQuery(per_page=100))["jobs"]
        for v in private_emulator.backend.list_versions(job["job_id"])["versions"]
    }
    assert listed.isdisjoint(names), "the deleted versions are still listed"
    assert_no_secrets(nb, (private_emulator.config.access_key, private_emulator.config.secret_key))


def test_notebooks_01_training_job_versions(run_notebook: Any) -> None:
    nb = run_notebook("01_training_job_versions.ipynb")
    assert_no_errors(nb)
    assert "job 182626 versions [278810, 278811, 278812, 278813]" in text_of(nb, "setup")
    assert re.search(r"created: job 182626 version \d+", text_of(nb, "create-code"))
    for cell in ("m1-code", "m2-code", "m3-code"):
        assert text_of(nb, cell).strip() == "{'is_success': True}", cell
    table = text_of(nb, "list-code")
    assert "278812" in table
    assert "278813" not in table  # Method 1 deleted it
    # 278813, the created version and 278812 are gone: two of the four are left
    assert "JobVersionList: 2 versions, 0 selected" in text_of(nb, "widget")
    assert "emulator stopped" in text_of(nb, "stop")
    assert_no_secrets(nb, DEMO_SECRETS)


def test_notebooks_02_visualization_jobs(run_notebook: Any) -> None:
    nb = run_notebook("02_visualization_jobs.ipynb")
    assert_no_errors(nb)
    assert re.search(r"created visualization job \d+", text_of(nb, "create-code"))
    for cell in ("m1-code", "m2-code", "m3-code"):
        assert text_of(nb, cell).strip() == "{'is_success': True}", cell
    assert "vis_job-lr-sweep" in text_of(nb, "list-code")
    billing = text_of(nb, "billing")
    assert "tb-live: still billing" in billing
    assert "receipt: Deleted 1 of 1" in billing
    reads = text_of(nb, "reads")
    assert "mnist-cnn / V0002: visualization job tb-mnist-v2 reads this version's output" in reads
    assert "emulator stopped" in text_of(nb, "stop")
    assert_no_secrets(nb, DEMO_SECRETS)


def test_notebooks_03_handling_failures(run_notebook: Any) -> None:
    nb = run_notebook("03_handling_failures.ipynb")
    assert_no_errors(nb)
    refused = text_of(nb, "0105-sdk")
    assert "being canceled" in refused
    assert "'is_success': False" in refused
    assert "'error_code': 'ModelArts.0105'" in refused
    widget = text_of(nb, "0105-widget")
    assert "Deleted 1 of 2" in widget
    assert "1 failed (ModelArts.0105)" in widget
    assert re.search(r": failed ModelArts\.0105 This job can't be delete\. job status: 9", widget)
    retry = text_of(nb, "retry")
    assert "retrying: True" in retry
    assert "receipt: Deleted 1 of 1" in retry
    throttled = text_of(nb, "429")
    assert "waiting 1 s (rate limited)" in throttled
    assert "status: Listed" in throttled
    token = text_of(nb, "token")
    assert "auth: password" in token
    assert "new tokens: 1" in token
    assert "events: ['credentials refreshed']" in token
    assert "status: Listed" in token
    gone = text_of(nb, "gone")
    assert "deleted elsewhere: {'is_success': True}" in gone
    assert "1 already gone" in gone
    assert ": already_gone (HTTP 400)" in gone  # documented: 400 ModelArts.2775
    assert "emulator stopped" in text_of(nb, "stop")
    assert_no_secrets(nb, DEMO_SECRETS)


def test_notebooks_04_real_modelarts_skips_without_credentials(run_notebook: Any) -> None:
    nb = run_notebook("04_real_modelarts.ipynb")
    assert_no_errors(nb)
    detected = text_of(nb, "detect")
    assert "inside a ModelArts notebook: False" in detected
    assert "AK/SK in the environment: False" in detected
    code_cells = [c.id for c in nb.cells if c.cell_type == "code" and c.id != "detect"]
    assert len(code_cells) == 5
    for cell_id in code_cells:
        assert text_of(nb, cell_id).startswith("skipped: "), cell_id
    assert not widget_state(nb), "a widget was created although every cell skipped"


def test_notebooks_04_real_modelarts_with_credentials_in_the_environment(
    run_notebook: Any, private_emulator: Any
) -> None:
    """With AK/SK set (here: the demo's variables, aimed at an emulator) the AK/SK cell lists
    with them; the OTC cell still skips (it would send them elsewhere); nothing leaks."""
    from modelarts_widgets.demo import emulator_env

    nb = run_notebook("04_real_modelarts.ipynb", env=emulator_env(private_emulator))
    assert_no_errors(nb)
    assert "points at a local emulator" in text_of(nb, "detect")
    aksk = text_of(nb, "aksk")
    assert "auth_method='aksk'" in aksk
    assert "JobVersionList: 12 versions, 0 selected" in aksk
    for cell_id in ("notebook", "temp", "password", "otc"):
        assert text_of(nb, cell_id).startswith("skipped: "), cell_id
    assert widget_state(nb)
    assert_no_secrets(nb, (private_emulator.config.access_key, private_emulator.config.secret_key))


def test_notebooks_05_new_version_training_jobs(run_notebook: Any) -> None:
    nb = run_notebook("05_new_version_training_jobs.ipynb")
    assert_no_errors(nb)
    listed = text_of(nb, "filter")
    assert "Listed 40 training jobs." in listed
    assert re.search(r"Running: [1-9]\d*\n", listed), listed
    batch = text_of(nb, "batch")
    finished = re.search(r"receipt: Deleted (\d+) of (\d+)\n", batch)
    assert finished, batch
    assert finished.group(1) == finished.group(2)
    assert "batch requests: 1, single DELETEs: 0" in batch
    fallback = text_of(nb, "fallback")
    assert "receipt: Deleted 3 of 4 · 1 failed (ModelArts.2878)" in fallback
    assert "batch requests: 2, single DELETEs: 4" in fallback
    assert ": failed ModelArts.2878" in fallback
    vis = text_of(nb, "visualization")
    assert "rows by type: {'TrainingJobV2': 3, 'VisualizationJob': 2}" in vis
    region = text_of(nb, "region")
    assert "no v1 (old-version) training job API" in region
    assert "use TrainingJobList()" in region
    assert "round 1: Deleted 5 of 5 | batch requests: 1, single DELETEs: 5" in region
    assert "round 2: Deleted 5 of 5 | batch requests: 1, single DELETEs: 10" in region
    assert "emulator stopped" in text_of(nb, "stop")
    assert_no_secrets(nb, DEMO_SECRETS)


# ---- how they are committed -------------------------------------------------------------------


def test_notebooks_are_listed() -> None:
    assert NOTEBOOKS == [
        "01_training_job_versions.ipynb",
        "02_visualization_jobs.ipynb",
        "03_handling_failures.ipynb",
        "04_real_modelarts.ipynb",
        "05_new_version_training_jobs.ipynb",
        "quickstart.ipynb",
    ]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_committed_stripped(name: str) -> None:
    """Valid nbformat 4, python3 kernelspec, no outputs, no counts, no ``metadata.widgets``."""
    nb = nbformat.read(str(NOTEBOOK_DIR / name), as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        assert "widgets" not in cell.metadata
        if cell.cell_type == "code":
            assert cell.outputs == [], cell.id
            assert cell.execution_count is None, cell.id


def test_notebooks_match_their_generator() -> None:
    """The committed notebooks are exactly what ``notebooks/_build.py`` writes."""
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOK_DIR / "_build.py")
    assert spec is not None
    assert spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert sorted(build.NOTEBOOKS) == NOTEBOOKS
    for name, cells in build.NOTEBOOKS.items():
        committed = (NOTEBOOK_DIR / name).read_text(encoding="utf-8")
        assert committed == build.render(cells), f"{name}: run python notebooks/_build.py"
