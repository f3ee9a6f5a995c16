"""5. Bulk delete of 500 versions with 50 ms emulator latency, and under a 429 rate limit.

Variants: the seed page's Method 1 in a sequential loop
(``Estimator(session, job_id=..., version_id=...).delete_job_version()``); ``BulkDelete`` with
its default concurrency (and twice that, for comparison); the widget's path (``select`` ->
``request_delete`` -> ``confirm`` -> ``wait``). The emulator is re-seeded before every run.
Versions in status 9 (which the service refuses to delete) are left out, so every variant
deletes the same 500 deletable versions and any failure is a real one.
"""

from __future__ import annotations

import inspect
import math
import statistics
import time
from collections.abc import Hashable
from typing import Any, Callable, Optional

from benchmarks._common import (
    Emulator,
    Options,
    Section,
    Target,
    emulator_session,
    fmt_s,
    new_client,
    round_trip,
)
from benchmarks._comms import close_all_widgets

N, LATENCY = 500, 0.050
JOBS, PER_JOB = 12, 50  # 600 versions, of which the first 500 not in status 9 are deleted
RATE_LIMIT, RETRY_AFTER = 20.0, 1.0
REFUSED = 9

Keys = list[tuple[int, int]]


def _prepare(emu: Emulator, n: int, faults: dict[str, Any]) -> tuple[Any, Keys, list[str]]:
    """Re-seed, list (no latency), then switch the faults on. Returns client, keys, names."""
    emu.faults(None)
    emu.seed(jobs=JOBS, versions_per_job=PER_JOB)
    client = new_client()
    versions = [v for v in client.list_all_job_versions() if v.status != REFUSED][:n]
    assert len(versions) == n, len(versions)
    emu.faults(faults)
    return client, [v.key for v in versions], [f"{v.job_name}/{v.version_name}" for v in versions]


def _deletes_sent(emu: Emulator) -> int:
    return int(sum(emu.stats()["delete_calls"].values()))


def run_sequential(emu: Emulator, n: int, faults: dict[str, Any]) -> dict[str, Any]:
    from modelarts_widgets.sdk import Estimator
    from modelarts_widgets.sdk import Session as SdkSession

    _, keys, _ = _prepare(emu, n, faults)
    session = SdkSession()
    before = _deletes_sent(emu)
    t0 = time.perf_counter()
    results = [
        Estimator(session, job_id=str(j), version_id=str(v)).delete_job_version() for j, v in keys
    ]
    elapsed = time.perf_counter() - t0
    failed = sum(1 for r in results if not r.get("is_success"))
    sent = _deletes_sent(emu) - before
    return {"send_s": elapsed, "total_s": elapsed, "failed": failed, "sent": sent}


def _summarise(outcomes: dict[Hashable, Any]) -> dict[str, Any]:
    sent = [o.sent_at for o in outcomes.values() if o.sent_at is not None]
    answered = [o.answered_at for o in outcomes.values() if o.answered_at is not None]
    states: dict[str, int] = {}
    for o in outcomes.values():
        states[o.state] = states.get(o.state, 0) + 1
    return {
        "send_s": (max(answered) - min(sent)) if sent and answered else float("nan"),
        "states": states,
        "failed": sum(n for s, n in states.items() if s in ("failed", "unknown", "not_sent")),
    }


def run_bulk(
    emu: Emulator, n: int, faults: dict[str, Any], concurrency: Optional[int] = None
) -> dict[str, Any]:
    from modelarts_widgets.bulk import BulkDelete, job_version_ops

    client, keys, names = _prepare(emu, n, faults)
    delete_one, still_listed = job_version_ops(client)
    items = list(zip(keys, names))
    if concurrency is None:
        bulk = BulkDelete(items, delete_one, still_listed)
    else:
        bulk = BulkDelete(items, delete_one, still_listed, concurrency=concurrency)
    before = _deletes_sent(emu)
    t0 = time.perf_counter()
    bulk.start()
    bulk.wait()
    total = time.perf_counter() - t0
    out = _summarise(bulk.outcomes)
    out.update(total_s=total, sent=_deletes_sent(emu) - before)
    return out


def run_widget(emu: Emulator, n: int, faults: dict[str, Any]) -> dict[str, Any]:
    from modelarts_widgets.widgets import JobVersionList

    emu.faults(None)
    emu.seed(jobs=JOBS, versions_per_job=PER_JOB)
    close_all_widgets()
    lst = JobVersionList(client=new_client())
    lst.wait()
    keys = [v.key for v in lst.items if v.status != REFUSED][:n]
    lst.select(keys)
    emu.faults(faults)
    plan = lst.request_delete()
    assert plan is not None
    assert len(plan.items) == n
    before = _deletes_sent(emu)
    t0 = time.perf_counter()
    lst.confirm(typed_count=n, include_active=True)
    lst.wait()
    total = time.perf_counter() - t0
    records = lst.last_result
    send = max((r["wait_s"] or 0) + (r["response_s"] or 0) for r in records)
    states: dict[str, int] = {}
    for r in records:
        states[r["state"]] = states.get(r["state"], 0) + 1
    failed = sum(v for s, v in states.items() if s in ("failed", "unknown", "not_sent"))
    lst.close()
    return {
        "send_s": send,
        "total_s": total,
        "states": states,
        "failed": failed,
        "sent": _deletes_sent(emu) - before,
    }


def _median_run(
    fn: Callable[[], dict[str, Any]], reps: int, log: Callable[[str], None], label: str
) -> dict[str, Any]:
    runs = []
    for i in range(reps):
        log(f"  delete: {label} run {i + 1}/{reps}")
        runs.append(fn())
    best = sorted(runs, key=lambda r: r["send_s"])[len(runs) // 2]
    return {
        **best,
        "send_samples": [r["send_s"] for r in runs],
        "total_median_s": statistics.median(r["total_s"] for r in runs),
        "failed_max": max(r["failed"] for r in runs),
    }


def run(opts: Options) -> Section:
    from modelarts_widgets.bulk import BulkDelete

    sec = Section("delete", f"5. Bulk delete of {N} versions (50 ms latency; then rate-limited)")
    default_conc = int(inspect.signature(BulkDelete).parameters["concurrency"].default)
    more_conc = 2 * default_conc
    bound = math.ceil(N / default_conc) * LATENCY
    reps = opts.pick(3, 1)
    latency = {"latency": LATENCY}
    limited = {
        "latency": LATENCY,
        "rate_limit": {"rate": RATE_LIMIT, "retry_after": RETRY_AFTER, "method": "DELETE"},
    }
    raw: dict[str, Any] = {}
    with emulator_session() as emu:
        plans: list[tuple[str, str, Callable[[], dict[str, Any]], int]] = [
            (
                "seq",
                "seed page Method 1, sequential (`Estimator(...).delete_job_version()`)",
                lambda: run_sequential(emu, N, latency),
                opts.pick(2, 1),
            ),
            (
                "bulk",
                f"ours: BulkDelete (default concurrency {default_conc})",
                lambda: run_bulk(emu, N, latency),
                reps,
            ),
            (
                "bulk_more",
                f"ours: BulkDelete (concurrency {more_conc}, for comparison)",
                lambda: run_bulk(emu, N, latency, more_conc),
                reps,
            ),
            (
                "widget",
                "ours: JobVersionList path (select → request_delete → confirm → wait)",
                lambda: run_widget(emu, N, latency),
                reps,
            ),
            (
                "bulk_rl",
                f"ours: BulkDelete, rate limit {RATE_LIMIT:g}/s on DELETE",
                lambda: run_bulk(emu, N, limited),
                opts.pick(2, 1),
            ),
            (
                "widget_rl",
                f"ours: JobVersionList path, rate limit {RATE_LIMIT:g}/s on DELETE",
                lambda: run_widget(emu, N, limited),
                opts.pick(2, 1),
            ),
        ]
        emu.faults(None)
        emu.seed(jobs=1, versions_per_job=1)
        client = new_client()
        rtt0 = round_trip(client)
        emu.faults(latency)
        rtt = round_trip(client)
        labels = {}
        for key, label, fn, r in plans:
            labels[key] = label
            raw[key] = _median_run(fn, r, opts.log, label)
        emu.faults(None)
    seq = raw["seq"]["send_s"]
    rows = []
    for key, label in labels.items():
        r = raw[key]
        rate = N / r["send_s"]
        rows.append(
            [
                label,
                fmt_s(r["send_s"]),
                f"{seq / r['send_s']:.1f}x",
                f"{r['send_s'] / bound:.2f}x",
                f"{rate:.0f}/s",
                str(r["sent"] - N),
                str(r["failed_max"]),
                fmt_s(r["total_median_s"]),
            ]
        )
    sec.table(
        [
            "variant",
            "send phase (median)",
            "vs sequential",
            "vs bound",
            "deletes/s",
            "429s re-sent",
            "failed items",
            "total incl. re-check/re-list",
        ],
        rows,
    )
    sec.notes += [
        f"Bound = ⌈{N} / {default_conc}⌉ x {LATENCY * 1000:.0f} ms = {fmt_s(bound)} "
        f"(default concurrency {default_conc}). A speed-up over the sequential loop can never "
        f"exceed the concurrency, plus the per-request client overhead both pay.",
        f"Measured round trip of one small request: {fmt_s(rtt0)} with no latency configured, "
        f"{fmt_s(rtt)} with 50 ms. Bound with the measured round trip: "
        f"⌈{N} / {default_conc}⌉ x {fmt_s(rtt)} = {fmt_s(math.ceil(N / default_conc) * rtt)}; "
        "sequential floor: "
        f"{N} x {fmt_s(rtt)} = {fmt_s(N * rtt)}.",
        "Send phase = first DELETE sent → last answer. 'total' adds, for ours, the re-check phase "
        "(re-listing the affected jobs until the versions are gone) and, for the widget, the "
        "re-list of every version and the re-render; the sequential loop does neither.",
        f"Rate limit: emulator token bucket of {RATE_LIMIT:g} DELETE/s (burst {RATE_LIMIT:g}), "
        f"429 APIG.0308 with Retry-After {RETRY_AFTER:g} s. '429s re-sent' = DELETEs the "
        "emulator received beyond one per item. 'failed items' counts failed + unknown + "
        "not sent (worst run).",
        f"Median of {reps} runs (sequential: {opts.pick(2, 1)}); the emulator is re-seeded "
        "between runs and runs in its own process.",
    ]
    bulk = raw["bulk"]["send_s"]
    sec.targets += [
        Target(
            f"bulk delete {N} @ 50 ms vs sequential",
            "≥ 6x faster",
            f"{seq / bulk:.1f}x ({fmt_s(seq)} → {fmt_s(bulk)}, concurrency {default_conc}); "
            f"concurrency {more_conc}: {seq / raw['bulk_more']['send_s']:.1f}x",
            seq / bulk >= 6,
        ),
        Target(
            f"bulk delete {N} @ 50 ms vs the bound",
            "within 1.3x",
            f"{bulk / bound:.2f}x of {fmt_s(bound)}",
            bulk / bound <= 1.3,
        ),
        Target(
            "rate limited → failed items",
            "0",
            f"BulkDelete {raw['bulk_rl']['failed_max']}, widget {raw['widget_rl']['failed_max']} "
            f"({N / raw['bulk_rl']['send_s']:.0f}/s against a {RATE_LIMIT:g}/s limit)",
            raw["bulk_rl"]["failed_max"] == 0 and raw["widget_rl"]["failed_max"] == 0,
        ),
    ]
    raw["round_trip_s"] = {"no_latency": rtt0, "latency": rtt}
    sec.raw = raw
    return sec
