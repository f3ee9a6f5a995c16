"""3. Paging / filter / sort latency on a 10,000-item ``JobVersionList`` (Python side).

Time of the public call (``next_page()``, ``set_filter()``, ``sort()``) until it returns: the
rows' widgets are updated by then (the comm messages are queued to the frontend). Also counts
the comm messages each call sends. The browser side of the same calls is in benchmark 2.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable

from benchmarks._common import (
    CachedClient,
    Options,
    Section,
    Target,
    emulator_session,
    fmt_bytes,
    fmt_s,
    new_client,
)
from benchmarks._comms import close_all_widgets, counting_comms

TARGET_S = 0.100


def _ops(lst: Any) -> list[tuple[str, Callable[[], None], Callable[[], None]]]:
    """(label, operation, reset) triples; the reset runs untimed before each sample."""

    def nothing() -> None:
        return None

    return [
        ("next_page()", lst.next_page, nothing),
        ("go_to_page(last)", lambda: lst.go_to_page(lst.n_pages), lambda: lst.go_to_page(1)),
        (
            "set_filter(text='résumé')",
            lambda: lst.set_filter(text="résumé"),
            lambda: lst.set_filter(text=""),
        ),
        (
            "set_filter(text='') (clear)",
            lambda: lst.set_filter(text=""),
            lambda: lst.set_filter(text="résumé"),
        ),
        (
            "set_filter(status='failed')",
            lambda: lst.set_filter(status="failed"),
            lambda: lst.set_filter(status="all"),
        ),
        (
            "sort('job', descending=False)",
            lambda: lst.sort("job", False),
            lambda: lst.sort("created", True),
        ),
        (
            "select(page=True)",
            lambda: lst.select(page=True),
            lst.clear_selection,
        ),
    ]


def run(opts: Options) -> Section:
    from modelarts_widgets.widgets import JobVersionList

    sec = Section("paging", "3. Paging / filter / sort latency (10,000 items, Python side)")
    n = 10_000
    samples_n = opts.pick(30, 10)
    rows: list[list[str]] = []
    raw: dict[str, Any] = {}
    with emulator_session() as emu:
        emu.seed(jobs=200, versions_per_job=50)
        client = new_client()
        versions = client.list_all_job_versions()
        with counting_comms() as rec:
            close_all_widgets()
            lst = JobVersionList(client=CachedClient(client, versions))
            lst.wait()
            assert lst.n_items == n
            for label, op, reset in _ops(lst):
                times: list[float] = []
                msgs: list[int] = []
                nbytes: list[int] = []
                for _ in range(samples_n):
                    reset()
                    if lst.page >= lst.n_pages:
                        lst.go_to_page(1)
                    rec.clear()
                    t0 = time.perf_counter()
                    op()
                    times.append(time.perf_counter() - t0)
                    sent = rec.snapshot()
                    msgs.append(len(sent))
                    nbytes.append(sum(m.nbytes for m in sent))
                med = statistics.median(times)
                raw[label] = {"median_s": med, "max_s": max(times), "samples": times}
                rows.append(
                    [
                        label,
                        fmt_s(med),
                        fmt_s(max(times)),
                        str(int(statistics.median(msgs))),
                        fmt_bytes(statistics.median(nbytes)),
                    ]
                )
            close_all_widgets()
    sec.table(
        ["call", "median", "max", "comm messages", "comm payload"],
        rows,
    )
    sec.notes.append(
        f"{samples_n} samples per call on {n:,} items, page size 20; "
        "'max' includes the first call after a change, which rebuilds the filtered/sorted list."
    )
    worst_label = max(raw, key=lambda k: raw[k]["median_s"])
    worst = raw[worst_label]["median_s"]
    sec.targets.append(
        Target(
            "page or filter change (10,000 items, Python side)",
            "≤ 100 ms",
            f"slowest median {fmt_s(worst)} ({worst_label})",
            worst <= TARGET_S,
        )
    )
    sec.raw = raw
    return sec
