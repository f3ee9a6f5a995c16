"""7. How soon a ``JobVersionList`` shows rows: blocking listing (baseline commit) vs this code.

For 10 / 200 / 1,000 jobs x 5 versions at 20 / 100 / 300 ms emulator latency per request,
each variant measures, in a fresh Python process (``PYTHONPATH`` = that variant's code):

- **constructor**: ``JobVersionList(session)`` returning (the session is made before);
- **first rows**: the first page as the first answer fills it, visible: ``page_size`` (20)
  rows, or every job when there are fewer (10 jobs: the job list's 10 rows, each a job's latest
  version, see the README's "How loading works"); whatever the rows are;
- **full page**: ``page_size`` rows visible (10 jobs: the versions of 3 jobs are needed, a
  second round trip after the job list);
- **first versions**: a full first page of complete versions (no placeholder row from the
  job list);
- **whole list**: every version listed and the listing over (``wait()`` returned).

The baseline is the last commit before background listing (``BASELINE``; any commit with
``--baseline``), extracted with ``git archive`` into a temporary folder; "this code" is the
working tree. Both talk to one emulator subprocess. Progress is polled every 5 ms (the
resolution of the first-rows numbers). Run::

    python benchmarks/bench_streaming.py [--quick] [--baseline REF] [--only blocking|current]
                                         [--cells 10x20,200x100,...]  # jobs x latency (ms)
                                         [--reps N]
    python benchmarks/bench_streaming.py --browser   # JupyterLab: first rows, 10,000 versions

A full run writes ``benchmarks/results/streaming.md`` (``streaming_browser.md``); a partial one
(``--quick``, ``--only``, ``--cells``, ``--reps``) writes under ``benchmarks/results/partial/``
unless ``--out`` says where.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # appended, so that a worker's PYTHONPATH (the variant's code) wins for modelarts_widgets
    sys.path.append(str(ROOT))

from benchmarks._common import Options, Section, Target, emulator_session, fmt_s  # noqa: E402

#: The last commit whose list widgets list in the constructor (the blocking behaviour).
BASELINE = "ae74aad"
JOB_COUNTS = (10, 200, 1000)
LATENCIES = (0.020, 0.100, 0.300)
PER_JOB = 5
PAGE_SIZE = 20
#: Jobs whose versions are listed at once (``JobVersionList``'s default ``list_workers``).
WORKERS = 4
POLL_S = 0.005
#: Where a full run's tables go (committed) and where a partial run's go (ignored by git).
RESULTS = ROOT / "benchmarks" / "results"
SCRATCH = RESULTS / "partial"
#: The variants' labels (besides the baseline's).
CURRENT = "background (this code)"
CLIENT = "client alone (no widgets)"
#: The variant that lists with this code's client and makes no widget (the floor).
CLIENT_ALONE = "client-alone"
#: Seconds after which a worker gives up (a wedged listing must not hang the benchmark).
WORKER_TIMEOUT = 600.0


def _first_rows(expected: int) -> int:
    """Rows visible when the first page shows what the first answer says: a page, or every job
    (one row each) when there are fewer."""
    return min(PAGE_SIZE, expected // PER_JOB)


def _worker(expected: int) -> dict[str, Any]:
    """Runs in the child process: construct, then watch until the whole list is there.

    The rows box's ``children`` change the moment rows are shown (after their cells are
    filled): an observer on it times the first rows and the full page exactly, in the thread
    that draws them. Polling every ``POLL_S`` catches what that does not show (a page filled
    in place: first versions) and covers code without that box (the blocking baseline).
    """
    import modelarts_widgets
    from modelarts_widgets.session import Session
    from modelarts_widgets.widgets.version_list import JobVersionList

    session = Session()
    t0 = time.perf_counter()
    widget = JobVersionList(session, page_size=PAGE_SIZE)
    ctor = time.perf_counter() - t0
    first_rows, full_page = _first_rows(expected), min(PAGE_SIZE, expected)
    is_placeholder = getattr(widget, "_is_placeholder", lambda _: False)
    marks: dict[str, float] = {}
    lock = threading.Lock()

    def look(_change: object = None) -> None:
        now = time.perf_counter() - t0
        visible = widget.visible_items
        seen = ["first_rows"] if len(visible) >= first_rows else []
        if len(visible) >= full_page:
            seen.append("full_page")
            if not any(is_placeholder(v) for v in visible):
                seen.append("first_versions")
        with lock:
            for key in seen:
                marks[key] = min(marks.get(key, now), now)

    rows_box = getattr(getattr(getattr(widget, "_view", None), "pool", None), "box", None)
    if rows_box is not None:
        rows_box.observe(look, names="children")
    whole: Optional[float] = None
    deadline = t0 + WORKER_TIMEOUT
    while time.perf_counter() < deadline:
        look()
        if widget.n_items >= expected and not getattr(widget, "loading", False):
            whole = time.perf_counter() - t0
            break
        time.sleep(POLL_S)
    if whole is not None:
        widget.wait()
        whole = time.perf_counter() - t0
    n_items = widget.n_items
    job_id = widget.items[0].job_id if widget.items else None
    widget.close()
    return {
        "constructor": ctor,
        "first_rows": marks.get("first_rows"),
        "full_page": marks.get("full_page"),
        "first_versions": marks.get("first_versions"),
        "whole": whole,
        "n_items": float(n_items),
        "round_trip": _round_trip(session, job_id),
        "code": str(Path(modelarts_widgets.__file__).resolve().parent.parent),
    }


def _client_worker(expected: int) -> dict[str, Any]:
    """Runs in the child process: what the widget's listing does, without any widget.

    The same order as ``stream_all_versions``: the first page of jobs (each job one row), then
    every job's versions with ``WORKERS`` threads in job-list order; "first rows" and "full
    page" are when that many rows are known (see :func:`_worker`), "whole list" when every
    version is. This is the floor the client and the emulator set on this machine: no widget
    can show rows sooner.
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    import modelarts_widgets
    from modelarts_widgets.session import Session

    session = Session()
    client = session.client
    wanted = {"first_rows": _first_rows(expected), "full_page": min(PAGE_SIZE, expected)}
    marks: dict[str, float] = {}
    rows = 0
    n_items = 0
    job_id: Optional[int] = None

    def look() -> None:
        for key, count in wanted.items():
            if key not in marks and rows >= count:
                marks[key] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = []
        for job in client.iter_training_jobs(per_page=100):
            job_id = job.job_id if job_id is None else job_id
            futures.append(pool.submit(client.list_job_versions, job.job_id))
            rows += 1
            look()
        for future in as_completed(futures):
            found = len(future.result())
            n_items += found
            rows += found - 1  # the job's versions take the place of its row
            look()
    whole = time.perf_counter() - t0
    return {
        "constructor": None,
        "first_rows": marks.get("first_rows"),
        "full_page": marks.get("full_page"),
        "first_versions": None,
        "whole": whole,
        "n_items": float(n_items),
        "round_trip": _round_trip(session, job_id),
        "code": str(Path(modelarts_widgets.__file__).resolve().parent.parent),
    }


def _round_trip(session: Any, job_id: Optional[int]) -> Optional[float]:
    """What one request takes here, end to end (median of 5, one after the other): the
    latency plus signing, sending, the emulator's work and parsing, on this machine."""
    if job_id is None:
        return None
    client = session.client
    times = []
    for _ in range(5):
        t = time.perf_counter()
        client.list_job_versions(job_id)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _extract(ref: str, into: str, *paths: str) -> str:
    """``git archive ref <paths>`` (default: the package) unpacked into ``into``; returns it."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, *(paths or ("modelarts_widgets",))],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", into], input=archive, check=True)
    return into


def _run_worker(code: str, expected: int, env: dict[str, str]) -> dict[str, Any]:
    """One run in a fresh process: ``code`` is a variant's folder, or ``CLIENT_ALONE``."""
    mode = "--worker"
    if code == CLIENT_ALONE:
        code, mode = str(ROOT), "--client-worker"
    child_env = dict(os.environ, **env, PYTHONPATH=code)
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), mode, str(expected)],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT + 60,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker failed ({out.returncode}): {out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if Path(result.pop("code")) != Path(code).resolve():
        raise RuntimeError(f"the worker imported modelarts_widgets from elsewhere, not {code}")
    return result


def _round_trips(cell: dict[str, Any], latency: float, key: str = "first_rows") -> str:
    first = cell.get(key)
    return "n/a" if first is None else f"{first / latency:.1f}"


def _measured_round_trips(cell: dict[str, Any]) -> str:
    first, rt = cell["first_rows"], cell.get("round_trip")
    return "n/a" if first is None or not rt else f"{first / rt:.1f}"


def _median(samples: list[dict[str, Any]], key: str) -> Optional[float]:
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else None


def _reps(opts: Options, jobs: int, latency: float, reps: Optional[int] = None) -> int:
    if reps is not None:
        return reps
    if opts.quick:
        return 1
    return 1 if jobs >= 1000 and latency >= 0.3 else 3


def _cells(text: Optional[str]) -> Optional[set[tuple[int, int]]]:
    """``"10x20,200x100"`` -> {(10, 20), (200, 100)}: the (jobs, latency in ms) cells to run."""
    if not text:
        return None
    cells = set()
    for cell in text.split(","):
        jobs, _, ms = cell.strip().partition("x")
        cells.add((int(jobs), int(ms)))
    return cells


def run(
    opts: Options,
    baseline: str = BASELINE,
    only: Optional[str] = None,
    cells: Optional[set[tuple[int, int]]] = None,
    reps: Optional[int] = None,
) -> Section:
    from modelarts_widgets.demo import emulator_env

    sec = Section("streaming", "7. Lists that appear at once (JobVersionList, listing included)")
    raw: dict[str, Any] = {}
    rows: list[list[str]] = []
    jobs_list: tuple[int, ...] = JOB_COUNTS if not opts.quick else (10, 200)
    if cells is not None:
        jobs_list = tuple(j for j in JOB_COUNTS if any(c[0] == j for c in cells))
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        variants = [
            (f"blocking ({baseline})", _extract(baseline, tmp)),
            (CURRENT, str(ROOT)),
            (CLIENT, CLIENT_ALONE),
        ]
        if only == "blocking":
            variants = variants[:1]
        elif only == "current":
            variants = variants[1:]
        with emulator_session() as emu:
            env = emulator_env(emu)
            for jobs in jobs_list:
                emu.seed(jobs=jobs, versions_per_job=PER_JOB)
                expected = jobs * PER_JOB
                for latency in LATENCIES:
                    if cells is not None and (jobs, round(latency * 1000)) not in cells:
                        continue
                    emu.faults({"latency": latency})
                    runs = _reps(opts, jobs, latency, reps)
                    opts.log(
                        f"  streaming: {jobs} jobs @ {latency * 1000:.0f} ms, "
                        f"{' / '.join(label for label, _ in variants)}, x{runs} interleaved"
                    )
                    # the variants take turns, so that a machine getting slower or faster
                    # during the cell weighs on both alike
                    by_variant: dict[str, list[dict[str, Any]]] = {lb: [] for lb, _ in variants}
                    for _ in range(runs):
                        for label, code in variants:
                            by_variant[label].append(_run_worker(code, expected, env))
                    for label, _code in variants:
                        samples = by_variant[label]
                        cell: dict[str, Any] = {k: _median(samples, k) for k in samples[0]}
                        cell["samples"] = samples
                        raw[f"{jobs}x{PER_JOB}@{latency * 1000:.0f}ms {label}"] = cell
                        rows.append(
                            [
                                f"{jobs} x {PER_JOB}",
                                f"{latency * 1000:.0f} ms",
                                label,
                                str(runs),
                                fmt_s(cell["constructor"]),
                                fmt_s(cell["first_rows"]),
                                _round_trips(cell, latency),
                                fmt_s(cell.get("round_trip")),
                                _measured_round_trips(cell),
                                fmt_s(cell.get("full_page")),
                                _round_trips(cell, latency, "full_page"),
                                fmt_s(cell["first_versions"]),
                                fmt_s(cell["whole"]),
                                f"{cell['n_items']:.0f}",
                            ]
                        )
                emu.faults(None)
    sec.table(
        [
            "jobs x versions",
            "latency",
            "variant",
            "runs",
            "constructor",
            "first rows",
            "÷ latency",
            "one request",
            "÷ request",
            "full page",
            "÷ latency",
            "first versions",
            "whole list",
            "rows",
        ],
        rows,
    )
    sec.notes += [
        f"Medians of the runs shown (1,000 jobs at 300 ms: one run per variant, "
        f"≈ {1000 / 4 * 0.3:.0f} s each), the variants taking turns run by run. Each run is a "
        "fresh process; "
        "the Session is created before the clock starts (AK/SK from the environment).",
        f"First rows = the first page as the first answer fills it, visible: {PAGE_SIZE} rows, "
        "or one row per job when there are fewer (10 jobs: the job list's 10 rows, each a "
        f"job's latest version); full page = {PAGE_SIZE} rows visible (10 jobs: 3 jobs' "
        "versions needed too, a second round trip); first versions = a full page with no "
        "placeholder row (for the blocking code all of these equal the constructor). First "
        "rows and full page are timed when the rows are shown (an observer on the rows box); "
        f"first versions and the whole list are polled every {POLL_S * 1000:.0f} ms.",
        'Round trips: "÷ latency" divides by the latency the emulator adds (the target\'s '
        'measure); "one request" is what a versions request takes end to end in the same '
        "process after the listing (median of 5: the latency plus signing, sending, the "
        'emulator\'s work and parsing on this machine), and "÷ request" divides by that.',
    ]
    _targets(sec, raw, f"blocking ({baseline})")
    sec.raw = raw
    return sec


def _floor_note(
    sec: Section, raw: dict[str, Any], new: dict[str, Any], what: str, key: str
) -> None:
    """A note on the client alone's ratio for ``key`` and on what the widgets add to it."""
    # (the widget's excess over the client alone, the client alone's ratio, the cell)
    floor: list[tuple[float, float, str]] = []
    for name, cell in new.items():
        alone = raw.get(name.replace(CURRENT, CLIENT))
        if alone and cell.get(key) is not None and alone.get(key) is not None:
            excess = cell[key] - alone[key]
            floor.append((excess, alone[key] / _latency(name), name.split(" ")[0]))
    if floor:
        extra, _, where = max(floor)
        ratio, _, at = max((r, e, k) for e, r, k in floor)
        sec.notes.append(
            f"The client alone (no widgets) needs up to {ratio:.1f} x the latency for {what} "
            f"({at}); the widgets add at most {fmt_s(extra)} to it ({where})."
        )


def _latency(key: str) -> float:
    """The latency of a cell, in seconds, from its key (``"10x5@20ms <variant>"``)."""
    return float(key.split("@")[1].split("ms")[0]) / 1000


def _targets(sec: Section, raw: dict[str, Any], old_label: str) -> None:
    new = {k: v for k, v in raw.items() if k.endswith(CURRENT)}
    if not new:
        return
    worst_ctor = max(v["constructor"] for v in new.values())
    sec.targets.append(
        Target(
            "constructor returns",
            "≤ 0.2 s",
            f"slowest median {fmt_s(worst_ctor)}",
            worst_ctor <= 0.2,
        )
    )
    ratios: list[tuple[float, str]] = []
    for key, cell in new.items():
        if cell["first_rows"] is not None:
            ratios.append((cell["first_rows"] / _latency(key), key.split(" ")[0]))
    worst = max(ratios) if ratios else (float("nan"), "")
    over = [name for ratio, name in sorted(ratios, reverse=True) if ratio > 3]
    measured = [
        (c["first_rows"] / c["round_trip"], k.split(" ")[0])
        for k, c in new.items()
        if c["first_rows"] is not None and c.get("round_trip")
    ]
    worst_measured = max(measured) if measured else None
    sec.targets.append(
        Target(
            "first rows",
            "within 3 round trips",
            f"worst {worst[0]:.1f} x the latency ({worst[1]})"
            + (f"; over 3 in {', '.join(over)}" if over else "")
            + (
                f"; worst {worst_measured[0]:.1f} x one measured request ({worst_measured[1]})"
                if worst_measured
                else ""
            ),
            bool(ratios) and worst[0] <= 3,
        )
    )
    full = [
        (c["full_page"] / _latency(k), k.split(" ")[0])
        for k, c in new.items()
        if c.get("full_page") is not None
    ]
    if full:
        ratio, at = max(full)
        sec.notes.append(
            f"A full page of {PAGE_SIZE} rows: worst {ratio:.1f} x the latency ({at}); with "
            "fewer jobs than a page it needs the versions of some jobs, a round trip after the "
            "job list."
        )
    for what, key in (("first rows", "first_rows"), ("a full page", "full_page")):
        _floor_note(sec, raw, new, what, key)
    slower = []
    for key, cell in new.items():
        old = raw.get(key.replace(CURRENT, old_label))
        if old and cell["whole"] and old["whole"]:
            slower.append(cell["whole"] / old["whole"])
    worst_ratio = max(slower) if slower else float("nan")
    sec.targets.append(
        Target(
            "whole list vs blocking",
            "no slower (ratio ≤ 1.05, noise)",
            f"worst ratio {worst_ratio:.2f}",
            bool(slower) and worst_ratio <= 1.05,
        )
    )


# --- browser: run cell -> first rows visible in JupyterLab (optional, ``--browser``) -----------

BROWSER_SEED = {"jobs": 200, "versions_per_job": 50, "visualization_jobs": 0}


def run_browser(opts: Options, baseline: str = BASELINE, reps: Optional[int] = None) -> Section:
    """``JobVersionList()`` listing 10,000 versions itself: run cell -> 20 rows in the DOM."""
    from benchmarks._lab import lab
    from benchmarks.bench_browser import SETUP

    sec = Section(
        "streaming_browser", "7b. First rows in JupyterLab, 10,000 versions, listing included"
    )
    reps = reps or opts.pick(5, 2)
    raw: dict[str, Any] = {}
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        _extract(baseline, tmp, "modelarts_widgets", "benchmarks")
        variants = [(f"blocking ({baseline})", tmp), ("background (this code)", str(ROOT))]
        with lab(BROWSER_SEED) as lb:
            opts.log("  streaming/browser: warm-up (not counted)")
            warm = lb.notebook(
                "stream_warmup.ipynb", [SETUP.format(root=str(ROOT), n=100), "JobVersionList()"]
            )
            with lb.open(warm) as page:
                lb.run_cell(page, 0, ".bench-ready", 1, 180.0)
                lb.run_cell(page, 1, ".mw-version-list .mw-row", PAGE_SIZE, 120.0)
            by_variant: dict[str, list[float]] = {label: [] for label, _ in variants}
            for i in range(reps):  # the variants take turns (see run())
                for v, (label, root) in enumerate(variants):
                    opts.log(f"  streaming/browser: {label} run {i + 1}/{reps}")
                    name = lb.notebook(
                        f"stream_{v}_{i}.ipynb",
                        [SETUP.format(root=root, n=100), "JobVersionList()"],
                    )
                    with lb.open(name) as page:
                        if lb.run_cell(page, 0, ".bench-ready", 1, 180.0) < 0:
                            raise RuntimeError(f"setup cell failed for {name}")
                        by_variant[label].append(
                            lb.run_cell(page, 1, ".mw-version-list .mw-row", PAGE_SIZE, 120.0)
                        )
            for label, _root in variants:
                samples = by_variant[label]
                ok = [s for s in samples if s >= 0]
                raw[label] = {"median_s": statistics.median(ok) if ok else None, "samples": samples}
                rows.append([label, str(len(samples)), fmt_s(raw[label]["median_s"])])
    sec.table(["variant", "runs", "run cell → first 20 rows visible (median)"], rows)
    sec.notes.append(
        "JupyterLab 4 + headless Chromium, emulator with no latency (200 jobs x 50 versions); "
        "each run a new kernel whose sys.path starts with that variant's code; the variants "
        "take turns run by run."
    )
    new = raw[variants[1][0]]["median_s"]
    sec.targets.append(
        Target(
            "browser first rows (10,000 versions, listing included)",
            "≤ 0.6 s",
            fmt_s(new),
            new is not None and new <= 0.6,
        )
    )
    sec.raw = raw
    return sec


def main(argv: Optional[list[str]] = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    p.add_argument("--client-worker", type=int, help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true", help="one run, 10 and 200 jobs only")
    p.add_argument("--baseline", default=BASELINE, help="commit with the blocking listing")
    p.add_argument("--only", choices=("blocking", "current"), help="measure one variant")
    p.add_argument("--cells", help="only these jobs x latency (ms) cells, e.g. 10x20,200x100")
    p.add_argument("--reps", type=int, help="runs per cell and variant (default 3, slowest 1)")
    p.add_argument(
        "--browser",
        action="store_true",
        help="instead: run cell -> first rows in JupyterLab, 10,000 versions, both variants",
    )
    p.add_argument(
        "--out",
        help="where the table goes (default benchmarks/results/streaming.md for a full run; "
        "a partial run, with --quick, --only, --cells or --reps, goes to "
        "benchmarks/results/partial/, which git ignores)",
    )
    args = p.parse_args(argv)
    if args.out is None:
        partial = args.quick or args.only or args.cells or args.reps
        args.out = str((SCRATCH if partial else RESULTS) / "streaming.md")
    if args.worker is not None:
        print(json.dumps(_worker(args.worker)))
        return
    if args.client_worker is not None:
        print(json.dumps(_client_worker(args.client_worker)))
        return
    from benchmarks._common import machine

    info = machine()  # before the run: its load average is the machine's, not the run's
    started = time.perf_counter()
    if args.browser:
        sec = run_browser(Options(quick=args.quick), args.baseline, args.reps)
        args.out = str(Path(args.out).with_name("streaming_browser.md"))
    else:
        cells = _cells(args.cells)
        sec = run(Options(quick=args.quick), args.baseline, args.only, cells, args.reps)
    sec.seconds = time.perf_counter() - started
    lines = ["# Streaming listing benchmark", "", "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += ["", "| target | goal | measured | met? |", "|---|---|---|---|"]
    lines += [
        f"| {t.name} | {t.target} | {t.measured} | {'met' if t.met else 'missed'} |"
        for t in sec.targets
    ]
    lines += ["", sec.markdown(), ""]
    text = "\n".join(lines)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    Path(args.out).with_suffix(".json").write_text(
        json.dumps({"machine": info, "raw": sec.raw}, indent=1), encoding="utf-8"
    )
    print(text)


if __name__ == "__main__":
    main()
