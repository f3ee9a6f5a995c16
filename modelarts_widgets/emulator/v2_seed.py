"""Deterministic v2 sample data: training jobs of several kinds and phases, visualization jobs.

Names follow the v2 rule (1-64 of ``[A-Za-z0-9_-]``); ids are UUIDs derived from the index, so
the same sizes give the same jobs every time. v2 jobs are newer than every seeded v1 job.
"""

from __future__ import annotations

import random
import uuid

from .v2_backend import V2Backend

#: 2025-07-20T00:00:00Z in ms: after the last seeded v1 job.
V2_EPOCH_MS = 1_752_969_600_000

NAMES = (
    "resnet50-imagenet",
    "bert_finetune",
    "yolov8-detector",
    "llama-lora",
    "churn-xgboost",
    "speech-asr",
    "recsys-ranking",
    "gan-faces",
    "timeseries-lstm",
    "fraud_detection",
)
TRAINING_PHASES = (
    "Completed", "Completed", "Failed", "Running", "Completed", "Terminated",
    "Pending", "Completed", "Abnormal", "Creating", "Completed", "Failed",
)  # fmt: skip
VISUALIZATION_PHASES = ("Running", "Completed", "Terminated", "Running", "Failed")


def v2_job_id(kind: str, index: int) -> str:
    """The seeded id of job ``index`` of ``kind`` (a UUID string)."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"modelarts-emulator/{kind}/{index}"))


def _kind(index: int) -> str:
    if index % 11 == 10:
        return "autosearch_job"
    return "hetero_job" if index % 7 == 6 else "job"


def seed_v2(
    v2: V2Backend, training_jobs: int = 0, visualization_jobs: int = 0, *, rng_seed: int = 0
) -> None:
    """Add ``training_jobs`` v2 jobs (kinds job/hetero_job/autosearch_job) and
    ``visualization_jobs`` jobs of kind ``visualization_job``, all in workspace ``"0"``."""
    rng = random.Random(rng_seed + 2)
    for i in range(training_jobs):
        phase = TRAINING_PHASES[i % len(TRAINING_PHASES)]
        base = NAMES[i % len(NAMES)]
        v2.add_job(
            f"{base}-{i + 1:03d}",
            kind=_kind(i),
            phase=phase,
            secondary_phase="Queuing" if phase == "Pending" else None,
            create_time=V2_EPOCH_MS + i * 21_600_000 + rng.randrange(3_600_000),
            duration=0 if phase in ("Creating", "Pending") else rng.randrange(60_000, 9_000_000),
            description=f"v2 sample job {i + 1}",
            job_id=v2_job_id("job", i),
        )
    for v in range(visualization_jobs):
        phase = VISUALIZATION_PHASES[v % len(VISUALIZATION_PHASES)]
        v2.add_job(
            f"tensorboard-{v + 1:03d}",
            kind="visualization_job",
            phase=phase,
            create_time=V2_EPOCH_MS + v * 43_200_000 + 1_800_000,
            duration=rng.randrange(60_000, 7_200_000),
            description=f"TensorBoard for {NAMES[v % len(NAMES)]}",
            job_id=v2_job_id("visualization_job", v),
        )
