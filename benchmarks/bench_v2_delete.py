"""Deleting 500 v2 training jobs with 50 ms emulator latency: batch path vs the official loop.

Variants, side by side in one run (medians of 3 runs; the emulator runs in its own process and
is re-seeded before every run; jobs are listed before the latency is switched on):

- the official SDK's one-by-one loop: ``huaweicloudsdkmodelarts`` ``ModelArtsClient.
  delete_training_job`` per job (what a user without this package writes);
- our :class:`~modelarts_widgets.client.v2.V2Client` ``delete_v2_jobs``: batch calls of ≤ 100
  (the first alone, the rest concurrently);
- the same client against an emulator started with ``--no-batch-delete``: one probe, then
  single DELETEs with concurrency 8;
- :class:`~modelarts_widgets.TrainingJobList`: select all, ``confirm()`` until ``wait()``
  returns (the engine's batch path, default settings: the re-check until gone and the re-list
  at the end are included).

    python -m benchmarks.bench_v2_delete [--quick]
    python benchmarks/run.py --only v2delete
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any, Callable, Optional

from benchmarks._common import Emulator, Options, Section, Target, fmt_s, machine

N, LATENCY, CONCURRENCY, REPEATS = 500, 0.050, 8, 3
BATCH = "POST /v2/{project_id}/training-jobs/batch-delete"
SINGLE = "DELETE /v2/{project_id}/training-jobs/{training_job_id}"


def _v2_client(emu: Emulator) -> Any:
    from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
    from modelarts_widgets.auth.signer import AkSkAuth
    from modelarts_widgets.client import HttpClient
    from modelarts_widgets.client.v2 import V2Client

    cfg = emu.config
    auth = AkSkAuth(StaticCredentialSource(Credentials(cfg.access_key, cfg.secret_key)))
    http = HttpClient(emu.base_url, auth)
    return V2Client(http, cfg.project_id, max_workers=CONCURRENCY)


def _official_client(emu: Emulator) -> Any:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.http.http_config import HttpConfig
    from huaweicloudsdkmodelarts.v1 import ModelArtsClient

    cfg = emu.config
    credentials = BasicCredentials(cfg.access_key, cfg.secret_key, cfg.project_id)
    return (
        ModelArtsClient.new_builder()
        .with_credentials(credentials)
        .with_endpoints([emu.base_url])
        .with_http_config(HttpConfig.get_default_config())
        .build()
    )


def _prepare(emu: Emulator) -> tuple[Any, list[str]]:
    """Re-seed 500 jobs, list them with a fresh client (no latency), switch the latency on."""
    emu.faults(None)
    emu.control("POST", "seed", {"v2_training_jobs": N})
    client = _v2_client(emu)
    ids = [job.job_id for job in client.list_v2_jobs()]
    assert len(ids) == N, len(ids)
    emu.faults({"latency": LATENCY})
    return client, ids


def _calls(emu: Emulator, since: Optional[dict[str, int]] = None) -> dict[str, int]:
    """Batch and single delete calls received (since ``since``)."""
    requests: dict[str, int] = emu.stats()["requests"]
    base = since or {"batch": 0, "single": 0}
    return {
        "batch": requests.get(BATCH, 0) - base["batch"],
        "single": requests.get(SINGLE, 0) - base["single"],
    }


def _left(emu: Emulator) -> int:
    emu.faults(None)
    return int(emu.stats()["v2_training_jobs"])


def run_official(emu: Emulator) -> dict[str, Any]:
    from huaweicloudsdkmodelarts.v1 import DeleteTrainingJobRequest

    _, ids = _prepare(emu)
    client = _official_client(emu)
    before = _calls(emu)
    t0 = time.perf_counter()
    for job_id in ids:
        client.delete_training_job(DeleteTrainingJobRequest(job_id))
    elapsed = time.perf_counter() - t0
    return {"s": elapsed, "calls": _calls(emu, before), "left": _left(emu)}


def run_ours(emu: Emulator) -> dict[str, Any]:
    client, ids = _prepare(emu)
    before = _calls(emu)
    t0 = time.perf_counter()
    results = client.delete_v2_jobs(ids)
    elapsed = time.perf_counter() - t0
    failed = sum(1 for r in results.values() if not r.is_success)
    return {"s": elapsed, "calls": _calls(emu, before), "failed": failed, "left": _left(emu)}


def run_widget(emu: Emulator) -> dict[str, Any]:
    """Through the widget: listed before the latency is switched on, then confirm -> wait()."""
    from modelarts_widgets.widgets import TrainingJobList

    emu.faults(None)
    emu.control("POST", "seed", {"v2_training_jobs": N})
    widget = TrainingJobList(client=_v2_client(emu), concurrency=CONCURRENCY, page_size=20)
    try:
        assert widget.wait(300)  # it lists in the background
        assert widget.n_items == N, widget.n_items
        widget.select(all_matching=True)
        plan = widget.request_delete()
        assert plan is not None
        typed = len(plan.chosen(True))  # active jobs included: all 500, as the other rows
        emu.faults({"latency": LATENCY})
        before = _calls(emu)
        t0 = time.perf_counter()
        widget.confirm(typed_count=typed, include_active=True)
        assert widget.wait(300)
        elapsed = time.perf_counter() - t0
        deleted = sum(1 for r in widget.last_result if r["outcome"] == "deleted")
        calls = _calls(emu, before)
    finally:
        widget.close()
    return {"s": elapsed, "calls": calls, "failed": typed - deleted, "left": _left(emu), "n": typed}


def _median(runs: Sequence[dict[str, Any]]) -> float:
    return float(statistics.median(r["s"] for r in runs))


def _repeat(
    fn: Callable[[Emulator], dict[str, Any]], emu: Emulator, n: int
) -> list[dict[str, Any]]:
    return [fn(emu) for _ in range(n)]


def run(opts: Options) -> Section:
    sec = Section("v2delete", f"v2 delete: {N} training jobs at {LATENCY * 1000:.0f} ms latency")
    reps = opts.pick(REPEATS, 1)
    home = tempfile.mkdtemp(prefix="bench-v2-home-")
    saved_home = os.environ.get("HOME")
    os.environ["HOME"] = home  # the official SDK keeps an application id under ~
    try:
        with_batch = Emulator()
        try:
            opts.log("  official SDK loop")
            official = _repeat(run_official, with_batch, reps)
            opts.log("  V2Client batch path")
            ours = _repeat(run_ours, with_batch, reps)
            opts.log("  TrainingJobList")
            widget = _repeat(run_widget, with_batch, reps)
        finally:
            with_batch.stop()
        no_batch = Emulator(["--no-batch-delete"])
        try:
            opts.log("  V2Client without the batch route")
            singles = _repeat(run_ours, no_batch, reps)
        finally:
            no_batch.stop()
    finally:
        if saved_home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = saved_home
    base = _median(official)
    rows = []
    for label, runs in (
        ("official SDK: `delete_training_job` per job, sequential", official),
        ("V2Client `delete_v2_jobs`: batches of ≤ 100", ours),
        (
            f"V2Client, no batch route (`--no-batch-delete`): singles, concurrency {CONCURRENCY}",
            singles,
        ),
        (
            "`TrainingJobList`: select all, confirm until `wait()` "
            f"({widget[-1]['n']} jobs, active included; re-check and re-list included)",
            widget,
        ),
    ):
        med = _median(runs)
        calls = runs[-1]["calls"]
        rows.append(
            [
                label,
                fmt_s(med),
                " / ".join(fmt_s(r["s"]) for r in runs),
                f"{base / med:.1f}x",
                f"{calls['batch']} batch + {calls['single']} DELETE",
                max(r["left"] for r in runs),
            ]
        )
    sec.table(["variant", "median", "runs", "vs official", "calls (per run)", "jobs left"], rows)
    sec.notes += [
        f"{N} v2 jobs in one workspace, every request delayed {LATENCY * 1000:.0f} ms by the "
        "emulator (its own process); jobs listed before the latency is switched on; median of "
        f"{reps} runs, emulator re-seeded before each.",
        "Failed results in our runs: "
        + ", ".join(str(max(r.get("failed", 0) for r in runs)) for runs in (ours, singles, widget))
        + " (batch, singles, widget).",
        "The widget row includes active jobs (include_active=True), as a user ticking "
        "'include N active items' would.",
    ]
    speedup = base / _median(ours)
    sec.targets.append(
        Target(
            f"v2 delete {N} @ 50 ms: batch vs official loop",
            "≥ 20x faster",
            f"{speedup:.0f}x ({fmt_s(base)} → {fmt_s(_median(ours))}); no batch route: "
            f"{base / _median(singles):.1f}x",
            speedup >= 20,
        )
    )
    sec.raw = {"official": official, "batch": ours, "singles": singles, "widget": widget}
    return sec


def main(argv: Sequence[str]) -> int:
    opts = Options(quick="--quick" in argv, log=lambda s: print(s, file=sys.stderr, flush=True))
    info = machine()
    t0 = time.perf_counter()
    sec = run(opts)
    sec.seconds = time.perf_counter() - t0
    print("| machine | |\n|---|---|")
    for key in (
        "date",
        "cores",
        "RAM",
        "CPU",
        "OS",
        "Python",
        "code",
        "load average at start (1/5/15 min)",
    ):
        print(f"| {key} | {info[key]} |")
    print()
    print(sec.markdown())
    for t in sec.targets:
        print(
            f"\nTarget: {t.name}: {t.target}; measured {t.measured}: {'met' if t.met else 'missed'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
