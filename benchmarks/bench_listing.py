"""4. Listing every version of 200 jobs (10,000 versions) with 20 ms emulator latency.

Ours: ``Session().client.list_all_job_versions(max_workers=...)`` (jobs listed page by page,
then each job's versions fetched concurrently). Alternative: the same calls in a sequential loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, Callable

from benchmarks._common import (
    Options,
    Section,
    Target,
    emulator_session,
    fmt_s,
    median_time,
    new_client,
    round_trip,
)

JOBS, PER_JOB, LATENCY = 200, 50, 0.020


def _defaults() -> tuple[int, int]:
    """(JobVersionList's list_workers default, the REST client's max_workers default)."""
    from modelarts_widgets.client.rest import RestClient
    from modelarts_widgets.widgets.version_list import JobVersionList

    widget = inspect.signature(JobVersionList).parameters["list_workers"].default
    client = inspect.signature(RestClient.list_all_job_versions).parameters["max_workers"].default
    return int(widget), int(client)


def list_sequential(client: Any) -> list[Any]:
    """What a notebook loop does: list the jobs, then each job's versions, one at a time."""
    out: list[Any] = []
    for job in client.iter_training_jobs():
        out.extend(client.list_job_versions(job.job_id))
    return out


def run(opts: Options) -> Section:
    sec = Section("listing", "4. Listing 10,000 versions (200 jobs, 20 ms latency)")
    reps = opts.pick(3, 1)
    raw: dict[str, Any] = {}
    rows: list[list[str]] = []
    widget_workers, client_workers = _defaults()
    with emulator_session() as emu:
        emu.seed(jobs=JOBS, versions_per_job=PER_JOB)
        client = new_client()
        client.list_all_job_versions()  # warm the connection pool
        rtt0 = round_trip(client)
        emu.faults({"latency": LATENCY})
        rtt = round_trip(client)
        variants = [
            ("sequential loop (iter_training_jobs + list_job_versions)", list_sequential),
            (
                f"ours, list_all_job_versions(max_workers={widget_workers}) (the widget's default)",
                lambda c: c.list_all_job_versions(max_workers=widget_workers),
            ),
            (
                f"ours, list_all_job_versions() (max_workers={client_workers}, "
                "the client's default)",
                lambda c: c.list_all_job_versions(),
            ),
        ]
        counts: dict[str, int] = {}
        for label, fn in variants:
            opts.log(f"  listing: {label} x{reps}")
            before = sum(emu.stats()["requests"].values())

            def listed(f: Callable[[Any], Sequence[Any]] = fn, k: str = label) -> None:
                counts[k] = len(f(client))

            med, samples = median_time(listed, reps)
            requests = (sum(emu.stats()["requests"].values()) - before) // reps
            raw[label] = {"median_s": med, "samples": samples, "requests": requests}
            rows.append([label, str(counts[label]), str(requests), fmt_s(med)])
        emu.faults(None)
    seq = raw[variants[0][0]]["median_s"]
    for row, (label, _) in zip(rows, variants):
        row.append(f"{seq / raw[label]['median_s']:.1f}x")
    bound = (JOBS / client_workers + 2) * LATENCY
    sec.table(["variant", "versions", "requests", f"median of {reps}", "speed-up"], rows)
    sec.notes += [
        f"Every request waits {LATENCY * 1000:.0f} ms in the emulator (its own process). "
        f"Lower bound with {client_workers} workers ≈ (2 pages + {JOBS} jobs / "
        f"{client_workers}) x {LATENCY * 1000:.0f} ms = {fmt_s(bound)}; the "
        "rest is JSON parsing and request signing on the client (Python, one GIL).",
        f"Measured round trip of one small request: {fmt_s(rtt0)} with no latency configured, "
        f"{fmt_s(rtt)} with {LATENCY * 1000:.0f} ms.",
    ]
    raw["round_trip_s"] = {"no_latency": rtt0, "latency": rtt}
    ours = raw[variants[2][0]]["median_s"]
    sec.targets.append(
        Target(
            "listing 10,000 versions vs sequential",
            "≥ 3x faster",
            f"{seq / ours:.1f}x ({fmt_s(seq)} → {fmt_s(ours)}; "
            f"{seq / raw[variants[1][0]]['median_s']:.1f}x with {widget_workers} workers)",
            seq / ours >= 3,
        )
    )
    sec.raw = raw
    return sec
