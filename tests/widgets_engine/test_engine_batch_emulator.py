"""BulkDelete's batch path (v2 training jobs) through the real client against the emulator:
one outcome per job from batch answers, cancel between batches, a batch that got no answer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from _engine_fakes import WAIT

from modelarts_widgets.bulk import BulkDelete, Outcome, v2_training_job_ops
from modelarts_widgets.client.v2_resources import V2TrainingJobs, v2_provider
from modelarts_widgets.emulator import EmulatorServer

BATCH = "POST /v2/{project_id}/training-jobs/batch-delete"
SINGLE = "DELETE /v2/{project_id}/training-jobs/{training_job_id}"


def calls(server: Any, route: str) -> int:
    return int(server.stats()["requests"].get(route, 0))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    from modelarts_widgets.demo import emulator_env

    with EmulatorServer(seed={"v2_training_jobs": 12}, delete_delay=0.0) as srv:
        for name, value in emulator_env(srv).items():
            monkeypatch.setenv(name, value)
        yield srv


@pytest.fixture
def kind(server: Any) -> V2TrainingJobs:
    from modelarts_widgets.session import Session

    return V2TrainingJobs(v2_provider(Session().client))


def bulk_for(kind: V2TrainingJobs, keys: list[str], **kw: Any) -> BulkDelete:
    ops = v2_training_job_ops(kind)
    return BulkDelete(
        [(k, k[:8]) for k in keys],
        ops.delete_one,
        ops.still_listed,
        delete_many=ops.delete_many,
        batchable=ops.batchable,
        batch_size=kw.pop("batch_size", ops.batch_size),
        poll_interval=0.05,
        **kw,
    )


def test_batches_give_every_job_its_own_outcome(server: Any, kind: V2TrainingJobs) -> None:
    keys = [j.key for j in kind.list_items()]
    bulk = bulk_for(kind, keys, batch_size=5, concurrency=2)
    bulk.start()
    assert bulk.wait(WAIT)
    assert {o.state for o in bulk.outcomes.values()} == {Outcome.DELETED}
    assert calls(server, BATCH) == 3  # 5 + 5 + 2
    assert calls(server, SINGLE) == 0
    assert all(o.request_id for o in bulk.outcomes.values())


def test_cancel_between_batches_leaves_the_rest_not_sent(server: Any, kind: V2TrainingJobs) -> None:
    keys = [j.key for j in kind.list_items()]
    server.add_latency(0.3, path=r".*/batch-delete$", method="POST")
    bulk = bulk_for(kind, keys, batch_size=4, concurrency=1)
    bulk.start()
    deadline = time.monotonic() + WAIT
    while bulk.counts()[Outcome.SENDING] != 4:  # the first batch is on the wire
        assert time.monotonic() < deadline, "the first batch was never sent"
        time.sleep(0.01)
    assert bulk.counts()[Outcome.QUEUED] == 8
    bulk.cancel()
    assert bulk.wait(WAIT)
    counts = bulk.counts()
    assert counts[Outcome.DELETED] == 4
    assert counts[Outcome.NOT_SENT] == 8
    assert calls(server, BATCH) == 1


def test_a_batch_without_answer_is_unknown_and_never_resent(
    server: Any, kind: V2TrainingJobs
) -> None:
    keys = [j.key for j in kind.list_items()][:3]
    kind.api.delete_v2_jobs(keys[:1])  # the route is known to exist (no probing)
    server.force_error(kind="drop", path=r".*/batch-delete$", method="POST")
    bulk = bulk_for(kind, keys[1:], recheck=False)
    bulk.start()
    assert bulk.wait(WAIT)
    assert {o.state for o in bulk.outcomes.values()} == {Outcome.UNKNOWN}
    assert calls(server, BATCH) == 2
    assert calls(server, SINGLE) == 0
