"""Shared benchmark plumbing: results, timing, machine facts, an emulator in a subprocess."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Optional

#: Identity of the benchmark emulator (its own, passed on its command line).
EMU_IDENTITY: dict[str, Any] = {
    "access_key": "BENCHACCESSKEY",
    "secret_key": "bench-secret-key",
    "project_id": "0123456789abcdef0123456789abcdef",
    "region": "eu-de",
    "username": "bench-user",
    "password": "bench-password",
    "domain": "bench-domain",
}


@dataclass
class Target:
    """A target from the brief and whether the measured number meets it."""

    name: str
    target: str
    measured: str
    met: Optional[bool]  # None: not measured in this run


@dataclass
class Section:
    """One benchmark's output: Markdown tables and notes, plus raw numbers for the JSON."""

    name: str
    title: str
    tables: list[tuple[list[str], list[list[str]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.tables.append((list(header), [[str(c) for c in r] for r in rows]))

    def markdown(self) -> str:
        out = [f"## {self.title}", ""]
        for header, rows in self.tables:
            out.append("| " + " | ".join(header) + " |")
            out.append("|" + "|".join("---" for _ in header) + "|")
            out.extend("| " + " | ".join(r) + " |" for r in rows)
            out.append("")
        out.extend(f"- {n}" for n in self.notes)
        if self.notes:
            out.append("")
        out.append(f"_Section time: {self.seconds:.0f} s._")
        return "\n".join(out)


@dataclass
class Options:
    quick: bool
    log: Callable[[str], None] = print

    def pick(self, full: Any, quick: Any) -> Any:
        return quick if self.quick else full


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    """Median wall time of ``repeats`` calls (and every sample)."""
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), samples


def fmt_s(seconds: Optional[float]) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_bytes(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def fmt_int(n: float) -> str:
    return f"{n:,.0f}"


# --- machine ------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            kib = int(fh.readline().split()[1])
        return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def chromium_version(path: str = "/usr/bin/chromium") -> str:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return out.strip().splitlines()[-1] if out.strip() else "unknown"


def code_version() -> str:
    """The commit measured, and whether the package had uncommitted changes."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "modelarts_widgets"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head or 'unknown'}" + (
        " + uncommitted changes in modelarts_widgets/" if dirty else ""
    )


def machine() -> dict[str, str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cores": str(os.cpu_count()),
        "RAM": _ram_gib(),
        "CPU": _cpu_model(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "ipywidgets": _version("ipywidgets"),
        "JupyterLab": _version("jupyterlab"),
        "Playwright": _version("playwright"),
        "Chromium": chromium_version(os.environ.get("CHROMIUM", "/usr/bin/chromium")),
        "code": code_version(),
        "load average at start (1/5/15 min)": " / ".join(f"{x:.2f}" for x in load),
    }


# --- emulator in a subprocess ---------------------------------------------------------------


class Emulator:
    """``python -m modelarts_widgets.emulator`` in its own process (its own GIL), driven over
    its control API. Stopped by its PID."""

    def __init__(self, extra_args: Sequence[str] = ()) -> None:
        cmd = [
            sys.executable,
            "-m",
            "modelarts_widgets.emulator",
            "--port=0",
            *(f"--{name.replace('_', '-')}={value}" for name, value in EMU_IDENTITY.items()),
            "--jobs=0",
            "--visualization-jobs=0",
            "--v2-training-jobs=0",
            "--v2-visualization-jobs=0",
            "--delete-delay=0",
            *extra_args,
        ]
        self.process = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"emulator did not start (first line {self.base_url!r})")
        # (imported here: a benchmark worker may run an older package without it)
        from modelarts_widgets.emulator.config import EmulatorConfig

        #: The emulator's settings as far as clients need them (``EmulatorServer.config``'s).
        self.config = EmulatorConfig(**EMU_IDENTITY, base_url=self.base_url)

    def control(self, method: str, path: str, body: Optional[dict[str, Any]] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.base_url}/_emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=120) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def seed(self, jobs: int, versions_per_job: int, visualization_jobs: int = 0) -> None:
        self.control(
            "POST",
            "seed",
            {
                "jobs": jobs,
                "versions_per_job": versions_per_job,
                "visualization_jobs": visualization_jobs,
            },
        )

    def faults(self, spec: Optional[dict[str, Any]] = None) -> None:
        """Replace every fault with ``spec`` (None: no faults)."""
        self.control("DELETE", "faults")
        if spec:
            self.control("POST", "faults", spec)

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.control("GET", "stats")
        return result

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def emulator_session() -> Iterator[Emulator]:
    """An emulator subprocess with this process's environment pointing ``Session()`` at it."""
    from modelarts_widgets.demo import emulator_env

    emu = Emulator()
    saved: dict[str, Optional[str]] = {}
    try:
        saved = {k: os.environ.get(k) for k in emulator_env(emu)}
        os.environ.update(emulator_env(emu))
        os.environ.pop("HUAWEICLOUD_SDK_SECURITY_TOKEN", None)
        os.environ.pop("MODELARTS_WIDGETS_NOTEBOOK", None)
        yield emu
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        emu.stop()


def new_client() -> Any:
    """A fresh ``Session().client`` (credentials from the environment set above)."""
    from modelarts_widgets.session import Session

    return Session().client


def round_trip(client: Any, samples: int = 20) -> float:
    """Median seconds of one small signed GET (one version) with the faults now set."""
    job = next(iter(client.iter_training_jobs()))
    v = client.list_job_versions(job.job_id)[0]
    median, _ = median_time(lambda: client.get_job_version(v.job_id, v.version_id), samples)
    return median


class CachedClient:
    """The real client, except that listing jobs and versions answers from a list made earlier.

    Lets a benchmark time widget construction without the listing round trips.
    """

    def __init__(self, client: Any, versions: Sequence[Any]) -> None:
        self._client = client
        self._versions = list(versions)
        self._by_job: dict[int, list[Any]] = {}
        for v in self._versions:
            self._by_job.setdefault(v.job_id, []).append(v)

    def list_all_job_versions(self, *, max_workers: int = 8) -> list[Any]:
        return list(self._versions)

    def iter_training_jobs(self, **kwargs: Any) -> Iterator[Any]:
        from modelarts_widgets.models import TrainingJob

        for job_id, versions in self._by_job.items():
            latest = max(versions, key=lambda v: v.version_id)
            yield TrainingJob(job_id, latest.job_name, latest.status, latest.version_id)

    def list_job_versions(self, job_id: Any) -> list[Any]:
        return list(self._by_job.get(int(job_id), []))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
