"""BulkDelete through the real client against the live emulator (faults, latency, async deletes)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Collection, Hashable, Iterator
from typing import Any

import pytest
from _engine_fakes import WAIT

from modelarts_widgets.bulk import BulkDelete, ItemOutcome, job_version_ops, visualization_job_ops
from modelarts_widgets.bulk.engine import UNKNOWN_STILL_LISTED
from modelarts_widgets.client.base import ModelArtsApi
from modelarts_widgets.models import DeleteResult


def make_client() -> ModelArtsApi:
    """The notebook path: ``Session()`` resolves everything from the environment."""
    from modelarts_widgets.session import Session

    return Session().client


@pytest.fixture
def client(emulator_env: Any) -> Iterator[ModelArtsApi]:
    api = make_client()
    yield api
    close = getattr(api, "close", None)
    if callable(close):
        close()


def version_path(emulator: Any, key: tuple[int, int]) -> str:
    return str(emulator.version_path(*key))


def vis_path(emulator: Any, job_id: str) -> str:
    return str(emulator.visualization_path(job_id))


def delete_calls(emulator: Any) -> dict[str, int]:
    return dict(emulator.delete_calls)


def version_keys(client: ModelArtsApi) -> list[tuple[int, int]]:
    return [v.key for v in client.list_all_job_versions()]


def run(bulk: BulkDelete) -> BulkDelete:
    bulk.start()
    assert bulk.wait(WAIT * 3)
    return bulk


def test_mixed_outcomes_against_the_emulator(emulator_env: Any, client: ModelArtsApi) -> None:
    emulator = emulator_env
    keys = version_keys(client)
    assert len(keys) >= 6
    ok, refused, gone, five_xx, dropped, ok2 = keys[:6]
    emulator.backend.set_version_status(*refused, 9)
    assert client.delete_job_version(*gone).is_success  # gone before the bulk run
    emulator.force_error(503, path=version_path(emulator, five_xx) + "$", method="DELETE")
    emulator.force_error(kind="drop", path=version_path(emulator, dropped) + "$", method="DELETE")
    calls_before = delete_calls(emulator)

    delete_one, still_listed = job_version_ops(client)
    items = [(k, f"v{k[1]}") for k in (ok, refused, gone, five_xx, dropped, ok2)]
    bulk = run(BulkDelete(items, delete_one, still_listed, concurrency=3, poll_interval=0.01))
    out = bulk.outcomes

    assert out[ok].state == out[ok2].state == "deleted"
    assert out[refused].state == "failed"
    assert out[refused].error_code == "ModelArts.0105"
    assert "job status: 9" in (out[refused].error_msg or "")
    assert out[refused].request_id
    assert out[gone].state == "already_gone"
    assert out[gone].http_status == 400  # documented: 400 ModelArts.2775
    assert out[five_xx].state == "unknown"  # a 5xx may or may not have deleted it: re-checked
    assert out[five_xx].detail == UNKNOWN_STILL_LISTED
    assert out[five_xx].http_status == 503
    assert out[dropped].state == "unknown"
    assert out[dropped].detail == UNKNOWN_STILL_LISTED  # the drop happened before processing
    assert sum(bulk.counts().values()) == 6
    assert set(bulk.failed_keys()) == {refused, five_xx, dropped}

    calls = delete_calls(emulator)
    for key in (ok, refused, gone, five_xx, dropped, ok2):
        path = version_path(emulator, key)
        assert calls.get(path, 0) - calls_before.get(path, 0) == 1, path  # never re-sent
    records = [o.as_record() for o in bulk.outcomes.values()]
    assert [r["state"] for r in records] == [
        "deleted",
        "failed",
        "already_gone",
        "unknown",
        "unknown",
        "deleted",
    ]
    remaining = set(version_keys(client))
    assert ok not in remaining
    assert {refused, five_xx, dropped} <= remaining


def test_throttled_delete_is_eventually_accepted(emulator_env: Any, client: ModelArtsApi) -> None:
    emulator = emulator_env
    jobs = [j.job_id for j in client.iter_visualization_jobs()]
    target = jobs[0]
    emulator.throttle(retry_after=0.05, path=vis_path(emulator, target) + "$", method="DELETE")
    delete_one, still_listed = visualization_job_ops(client)
    bulk = run(BulkDelete([(target, "vis")], delete_one, still_listed, poll_interval=0.01))
    assert bulk.outcomes[target].state == "deleted"
    # The 429 was not processed, so the client's one resend is the only processed DELETE.
    assert delete_calls(emulator)[vis_path(emulator, target)] == 2
    assert target not in {j.job_id for j in client.iter_visualization_jobs()}


def test_cancel_mid_run_with_latency(emulator_env: Any, client: ModelArtsApi) -> None:
    emulator = emulator_env
    keys = version_keys(client)
    emulator.add_latency(0.2, method="DELETE")
    delete_one, still_listed = job_version_ops(client)
    sent = threading.Event()

    def counting_delete(key: Hashable) -> DeleteResult:
        sent.set()
        return delete_one(key)

    bulk = BulkDelete(
        [(k, str(k)) for k in keys], counting_delete, still_listed, concurrency=2, poll_interval=0
    )
    bulk.start()
    assert sent.wait(WAIT)
    bulk.cancel()
    assert bulk.wait(WAIT * 3)
    counts = bulk.counts()
    assert sum(counts.values()) == len(keys)
    assert counts["not_sent"] >= 1
    assert counts["queued"] == counts["sending"] == 0
    calls = delete_calls(emulator)
    sent_keys = [k for k, o in bulk.outcomes.items() if o.state != "not_sent"]
    assert sum(calls.values()) == len(sent_keys)
    remaining = set(version_keys(client))
    for key, outcome in bulk.outcomes.items():
        if outcome.state == "not_sent":
            assert key in remaining
            assert version_path(emulator, key) not in calls
        else:
            assert outcome.state == "deleted"
            assert key not in remaining
    assert bulk.summary().startswith(f"Cancelled after {len(sent_keys)} of {len(keys)}")


def test_recheck_waits_until_the_emulator_completes_deletes(
    emulator_env: Any, client: ModelArtsApi
) -> None:
    emulator = emulator_env
    emulator.delete_delay = None  # manual: complete with advance()
    jobs = [j.job_id for j in client.iter_visualization_jobs()][:2]
    delete_one, inner_listed = visualization_job_ops(client)
    polls = 0
    first_poll = threading.Event()

    def still_listed(keys: Collection[Hashable]) -> set[Hashable]:
        nonlocal polls
        listed = inner_listed(keys)
        polls += 1
        first_poll.set()
        return listed

    bulk = BulkDelete([(j, j) for j in jobs], delete_one, still_listed, poll_interval=0.01)
    bulk.start()
    assert first_poll.wait(WAIT)
    assert not bulk.done
    assert bulk.counts()["accepted"] == 2
    emulator.advance()
    assert bulk.wait(WAIT)
    assert bulk.counts()["deleted"] == 2
    assert polls >= 2


def test_recheck_with_timed_delete_delay(emulator_env: Any, client: ModelArtsApi) -> None:
    emulator = emulator_env
    emulator.delete_delay = 0.3
    keys = version_keys(client)[:3]  # every version of job 1: the job itself goes (not found)
    delete_one, still_listed = job_version_ops(client)
    bulk = run(
        BulkDelete([(k, str(k)) for k in keys], delete_one, still_listed, poll_interval=0.05)
    )
    assert bulk.counts()["deleted"] == 3
    assert all(o.detail == "gone" for o in bulk.outcomes.values())


def test_on_update_is_coalesced_over_a_large_run(emulator_env: Any, client: ModelArtsApi) -> None:
    emulator = emulator_env
    jobs = [str(emulator.add_visualization_job(f"bulk-{n}", status=10)) for n in range(200)]
    assert set(jobs) <= {j.job_id for j in client.iter_visualization_jobs()}
    emulator.add_latency(0.002, method="DELETE")
    delete_one, still_listed = visualization_job_ops(client)
    calls = 0
    changed: dict[Hashable, ItemOutcome] = {}

    def on_update(batch: dict[Hashable, ItemOutcome]) -> None:
        nonlocal calls
        calls += 1
        changed.update(batch)

    interval = 0.1
    started = time.monotonic()
    bulk = run(
        BulkDelete(
            [(j, j) for j in jobs],
            delete_one,
            still_listed,
            concurrency=8,
            poll_interval=0.01,
            on_update=on_update,
            update_interval=interval,
        )
    )
    duration = time.monotonic() - started
    assert bulk.counts()["deleted"] == len(jobs)
    assert calls <= math.ceil(duration / interval) + 2
    assert {o.state for o in changed.values()} == {"deleted"}
    assert set(changed) == set(jobs)
