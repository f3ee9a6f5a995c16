"""1. Rendering scale: widget models, comm traffic, saved state and Python build time.

``JobVersionList`` (pooled rows) vs the obvious alternative, one ``HBox([Checkbox, HTML])`` per
row in a ``VBox``, for N emulator versions. Both get the same pre-listed data (listing is
benchmark 4), so only the widgets are compared. Comms are counting stubs (``_comms.py``).
"""

from __future__ import annotations

import functools
import html
import json
import statistics
import time
from collections.abc import Sequence
from typing import Any, Callable

from benchmarks._common import (
    CachedClient,
    Options,
    Section,
    Target,
    emulator_session,
    fmt_bytes,
    fmt_int,
    fmt_s,
    new_client,
)
from benchmarks._comms import close_all_widgets, counting_comms, live_widget_count

VERSIONS_PER_JOB = 50
MAX_MODELS = 200
MAX_STATE = 200 * 1024


def row_text(v: Any) -> str:
    """The alternative's row: the same facts our row shows, escaped."""
    return " · ".join(
        html.escape(str(x))
        for x in (v.job_name, v.version_name, v.status_label, f"{v.engine_name} {v.engine_version}")
    )


def build_per_row(versions: Sequence[Any]) -> Any:
    """The obvious alternative: one ``HBox([Checkbox, HTML])`` per row."""
    import ipywidgets as w

    return w.VBox(
        [
            w.HBox([w.Checkbox(value=False, indent=False), w.HTML(value=row_text(v))])
            for v in versions
        ]
    )


def build_ours(client: Any) -> Any:
    from modelarts_widgets.widgets import JobVersionList

    widget = JobVersionList(client=client)
    widget.wait()  # listing runs in the background (from a cache here)
    return widget


def measure(build: Callable[[], Any], repeats: int, warmup: bool = False) -> dict[str, Any]:
    """Build ``repeats`` times from zero live widgets; median time, counts of the last build."""
    from ipywidgets.embed import embed_data

    times: list[float] = []
    out: dict[str, Any] = {}
    with counting_comms() as rec:
        if warmup:  # imports and first-call caches, not counted
            build()
        for _ in range(repeats):
            close_all_widgets()
            before = live_widget_count()
            rec.clear()
            t0 = time.perf_counter()
            widget = build()
            times.append(time.perf_counter() - t0)
            msgs = rec.snapshot()
            state = embed_data(views=[widget])["manager_state"]
            out = {
                "models": live_widget_count() - before,
                "messages": len(msgs),
                "comm_opens": sum(1 for m in msgs if m.msg_type == "comm_open"),
                "comm_bytes": sum(m.nbytes for m in msgs),
                "state_bytes": len(json.dumps(state, separators=(",", ":"))),
            }
            close_all_widgets()
    out["build_s"] = statistics.median(times)
    out["build_samples"] = times
    return out


def run(opts: Options) -> Section:
    sec = Section("render", "1. Rendering scale (Python side, no browser)")
    sizes = [100, 1_000, 10_000]
    alt_limit = 10_000
    rows: list[list[str]] = []
    results: dict[str, Any] = {}
    with emulator_session() as emu:
        client = new_client()
        for n in sizes:
            emu.seed(jobs=max(1, n // VERSIONS_PER_JOB), versions_per_job=VERSIONS_PER_JOB)
            versions = client.list_all_job_versions()
            assert len(versions) == n, (n, len(versions))
            cached = CachedClient(client, versions)
            reps = opts.pick(5 if n < 10_000 else 3, 3 if n < 10_000 else 1)
            opts.log(f"  render: N={n} ours x{reps}")
            ours = measure(functools.partial(build_ours, cached), reps, warmup=n == sizes[0])
            results[f"ours_{n}"] = ours
            alt = None
            if n <= alt_limit:
                alt_reps = opts.pick(3 if n < 10_000 else 1, 3 if n < 1_000 else 1)
                opts.log(f"  render: N={n} per-row x{alt_reps}")
                alt = measure(functools.partial(build_per_row, versions), alt_reps)
                results[f"alt_{n}"] = alt
            for label, r in (("ours (JobVersionList)", ours), ("per-row HBox", alt)):
                if r is None:
                    rows.append([fmt_int(n), label] + ["not run (--quick)"] * 5)
                    continue
                rows.append(
                    [
                        fmt_int(n),
                        label,
                        fmt_int(r["models"]),
                        f"{fmt_int(r['messages'])} ({fmt_int(r['comm_opens'])} opens)",
                        fmt_bytes(r["comm_bytes"]),
                        fmt_bytes(r["state_bytes"]),
                        fmt_s(r["build_s"]),
                    ]
                )
    sec.table(
        [
            "N",
            "widget",
            "widget models",
            "comm messages",
            "comm payload",
            "saved widget state",
            "Python build (median)",
        ],
        rows,
    )
    sec.notes += [
        "Comm payload = JSON of every comm_open/comm_msg `data` (+ buffers) sent while building; "
        "the Jupyter message envelope (~0.5 KiB each) comes on top.",
        "Saved widget state = JSON of `ipywidgets.embed.embed_data(views=[w])['manager_state']` "
        "(what 'Save widget state' stores), defaults dropped.",
        "Both builds get the same pre-listed emulator data; ours shows one page "
        "(`page_size=20`) of a pool that never grows.",
    ]
    big = results.get("ours_10000")
    if big:
        sec.targets += [
            Target(
                "widget models (10,000 items)",
                f"≤ {MAX_MODELS}",
                fmt_int(big["models"]),
                big["models"] <= MAX_MODELS,
            ),
            Target(
                "saved widget state (10,000 items)",
                "≤ 200 KiB",
                fmt_bytes(big["state_bytes"]),
                big["state_bytes"] <= MAX_STATE,
            ),
        ]
    sec.raw = results
    return sec
