"""Deterministic sample data: training jobs with versions and visualization jobs.

Same sizes -> same names, statuses, ids and timestamps every time. Names include spaces,
unicode and HTML metacharacters (so escaping is exercised). Some visualization jobs read a
version's ``train_url``, so "version V0002 of job X is used by visualization job Y" can be shown.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Optional, TypedDict

from .backend import Backend, slug
from .v2_seed import seed_v2


class SeedSizes(TypedDict, total=False):
    """How much sample data to seed; each size is optional (its default in brackets)."""

    #: v1 training jobs [0]
    jobs: int
    #: versions of each v1 training job [1]
    versions_per_job: int
    #: v1 visualization jobs [0]
    visualization_jobs: int
    #: workspaces: ``"0"`` and N-1 named ones, v1 jobs spread over them in turn [1]
    workspaces: int
    #: v2 training jobs [0]
    v2_training_jobs: int
    #: v2 jobs of kind ``visualization_job`` [0]
    v2_visualization_jobs: int


SIZE_KEYS = frozenset(SeedSizes.__annotations__)
#: Sizes used by the CLI and demos when nothing else is asked for.
DEFAULT_SEED: dict[str, int] = {
    "jobs": 12,
    "versions_per_job": 4,
    "visualization_jobs": 6,
    "v2_training_jobs": 30,
    "v2_visualization_jobs": 6,
}
#: Names of seeded workspaces after the default one (``"0"``).
WORKSPACE_NAMES = ("research", "production", "sandbox", "team-nlp", "team-cv")

#: 2025-01-01T00:00:00Z in ms; all seeded timestamps count from here.
SEED_EPOCH_MS = 1_735_689_600_000

JOB_NAMES = (
    "image classifier",
    "résumé classifier",
    "模型训练",
    "bert-finetune",
    "yolo v5 detector",
    "churn <model> & co",
    "speech_to_text",
    "Fraud Detection",
    "recsys-ranking",
    "Übersetzung de-en",
    "timeseries forecast",
    "gan faces",
)
#: Version statuses cycle through this (mostly terminal; some running, queued, being canceled).
VERSION_STATUSES = (10, 8, 11, 13, 9, 10, 7, 10, 11, 10, 13, 10, 10, 8, 11, 10, 13, 10, 9, 10)
VIS_STATUSES = (8, 9, 13, 10, 8, 7, 11, 8, 12, 10)


def job_name(index: int) -> str:
    """The seeded name of job ``index`` (unique for any index)."""
    base = JOB_NAMES[index % len(JOB_NAMES)]
    rounds = index // len(JOB_NAMES)
    return base if rounds == 0 else f"{base} {rounds + 1}"


def seed_backend(backend: Backend, sizes: Mapping[str, int], *, rng_seed: int = 0) -> None:
    """Add the v1 part of ``sizes`` (:class:`SeedSizes`) to ``backend``: ``jobs`` x
    ``versions_per_job`` versions and ``visualization_jobs``, spread over ``workspaces``."""
    rng = random.Random(rng_seed)
    extra_spaces = range(max(1, sizes.get("workspaces", 1)) - 1)
    spaces = ["0"] + [backend.add_workspace(workspace_name(i)) for i in extra_spaces]
    train_urls: list[str] = []
    n = 0
    for j in range(sizes.get("jobs", 0)):
        name = job_name(j)
        created = SEED_EPOCH_MS + j * 86_400_000 + rng.randrange(3_600_000)
        versions = []
        for k in range(max(1, sizes.get("versions_per_job", 1))):
            status = VERSION_STATUSES[n % len(VERSION_STATUSES)]
            n += 1
            start = created + k * 7_200_000
            duration = 0 if status == 7 else rng.randrange(60_000, 5_400_000)
            versions.append(
                {
                    "status": status,
                    "create_time": start,
                    "start_time": start + 15_000,
                    "duration": duration,
                    "gpu": k % 2 == 1,
                    "gpu_num": k % 2,
                    "model_metric_list": [
                        {"metric": "accuracy", "value": round(0.6 + rng.random() * 0.39, 4)}
                    ],
                    "parameter": [
                        {"label": "learning_rate", "value": str(10 ** -(1 + k % 4))},
                        {"label": "epochs", "value": str(5 * (k + 1))},
                    ],
                }
            )
        _, ids = backend.add_training_job(
            name,
            versions,
            job_desc=f"Sample job {j + 1}: {name}",
            create_time=created,
            workspace_id=spaces[j % len(spaces)],
        )
        train_urls.extend(f"/bucket/{slug(name)}/V{k + 1:04d}/output/" for k in range(len(ids)))
    for v in range(sizes.get("visualization_jobs", 0)):
        status = VIS_STATUSES[v % len(VIS_STATUSES)]
        # Every other visualization job reads a training version's output.
        if train_urls and v % 2 == 0:
            train_url = train_urls[(v * 7) % len(train_urls)]
        else:
            train_url = f"/bucket/tensorboard-logs/run-{v + 1:03d}/"
        backend.add_visualization_job(
            f"tb-{v + 1:03d}" if v % 3 else f"vis_job-{v + 1}",
            status=status,
            train_url=train_url,
            job_desc=f"TensorBoard for run {v + 1}",
            create_time=SEED_EPOCH_MS + v * 43_200_000,
            duration=0 if status == 7 else rng.randrange(60_000, 7_200_000),
            workspace_id=spaces[v % len(spaces)],
        )


def workspace_name(index: int) -> str:
    """The seeded name of the ``index``-th extra workspace (unique for any index)."""
    base = WORKSPACE_NAMES[index % len(WORKSPACE_NAMES)]
    rounds = index // len(WORKSPACE_NAMES)
    return base if rounds == 0 else f"{base}-{rounds + 1}"


def seed_from_sizes(
    backend: Backend, sizes: Optional[Mapping[str, Any]], *, rng_seed: int = 0
) -> None:
    """Seed v1 and v2 data from :class:`SeedSizes` given as keywords, config or JSON (each
    size optional; an unknown one raises ``ValueError``)."""
    if not sizes:
        return
    unknown = set(sizes) - SIZE_KEYS
    if unknown:
        raise ValueError(f"unknown seed sizes: {sorted(unknown)}")
    counts = {name: int(value) for name, value in sizes.items()}
    seed_backend(backend, counts, rng_seed=rng_seed)
    seed_v2(
        backend.v2,
        counts.get("v2_training_jobs", 0),
        counts.get("v2_visualization_jobs", 0),
        rng_seed=rng_seed,
    )
