"""Packaging: runtime dependencies, the built wheel, and the console script."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import modelarts_widgets
from modelarts_widgets.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_DEPS = {"ipywidgets", "traitlets", "requests"}


def _name(requirement: str) -> str:
    """The normalised project name at the start of a requirement string."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def test_packaging_runtime_dependencies_are_exactly_the_three() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("tomllib needs Python 3.11+")
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {_name(r) for r in project["dependencies"]} == RUNTIME_DEPS
    assert project["requires-python"] == ">=3.9"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("modelarts_widgets-*.whl")
    return built


def test_packaging_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(f"{dist_info}/METADATA").decode())
        entry_points = zf.read(f"{dist_info}/entry_points.txt").decode()
    assert "modelarts_widgets/py.typed" in names
    assert "modelarts_widgets/__init__.py" in names
    assert "modelarts_widgets/demo.py" in names
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "benchmarks/"))]
    assert metadata["Version"] == modelarts_widgets.__version__
    # Requires-Dist without an `extra ==` marker = what `pip install modelarts-widgets` pulls in
    runtime = {_name(r) for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r}
    assert runtime == RUNTIME_DEPS
    assert re.search(r"^modelarts-widgets = modelarts_widgets.__main__:main$", entry_points, re.M)


def test_packaging_cli_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "demo" in out
    assert "emulator" in out


def test_packaging_cli_demo_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = capsys.readouterr().out
    for option in ("--port", "--emulator-port", "--token", "--workdir", "--open-browser"):
        assert option in out


def test_packaging_python_m_entry_point() -> None:
    reply = subprocess.run(
        [sys.executable, "-m", "modelarts_widgets", "--help"],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "usage: modelarts-widgets" in reply.stdout


def test_packaging_cli_emulator_delegates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--access-key" in out
    assert "--project-id" in out


def test_packaging_start_demo_wires_jupyter_to_the_emulator() -> None:
    """The demo's code path without a browser: env handed to Jupyter, clean stop, no leaks."""
    pytest.importorskip("jupyterlab")
    if not Path("/proc/self/environ").exists():
        pytest.skip("reads the Jupyter process environment from /proc (Linux)")
    import urllib.request

    from modelarts_widgets.demo import start_demo

    with start_demo(seed={"jobs": 1, "versions_per_job": 1, "visualization_jobs": 1}) as demo:
        workdir, pid = demo.workdir, demo.process.pid
        assert (workdir / "quickstart.ipynb").is_file()
        assert demo.url.startswith("http://127.0.0.1:")
        assert demo.emulator_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(demo.url, timeout=10) as reply:
            assert reply.status == 200
        environ = dict(
            item.split("=", 1)
            for item in Path(f"/proc/{pid}/environ").read_text().split("\0")
            if "=" in item
        )
        assert environ["MODELARTS_ENDPOINT"] == demo.emulator_url
        assert environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] == demo.emulator_url
        assert environ["HUAWEICLOUD_SDK_AK"] == "DEMOACCESSKEY"
        assert environ["HUAWEICLOUD_SDK_PROJECT_ID"] == "0123456789abcdef0123456789abcdef"
        assert environ["MODELARTS_REGION"] == "eu-de"
        cmdline = Path(f"/proc/{pid}/cmdline").read_text()
        assert "--ServerApp.ip=127.0.0.1" in cmdline
        assert demo.token not in cmdline  # token via JUPYTER_TOKEN, not visible in `ps`
        assert "demo-secret-key" not in cmdline
        assert "demo-secret-key" not in repr(demo)
    assert demo.process.poll() is not None
    assert not workdir.exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(demo.emulator_url + "/v3/projects", timeout=2)
