"""BulkDelete against a deterministic fake: states, once-only sends, cancel, re-check."""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable

import pytest
from _engine_fakes import WAIT, FakeService

from modelarts_widgets.bulk import FINAL_STATES, STATES, BulkDelete, ItemOutcome
from modelarts_widgets.bulk.engine import UNKNOWN_STILL_LISTED
from modelarts_widgets.errors import (
    InvalidIdError,
    ServerError,
    TransportError,
)
from modelarts_widgets.models import DeleteResult

REFUSED = DeleteResult(
    False,
    error_code="ModelArts.0105",
    error_msg="This job can't be delete. job status: 9",
    http_status=200,
    request_id="req-105",
)
GONE = DeleteResult(False, "ModelArts.0104", "does not exist", http_status=404)
FIVE_OH_THREE = DeleteResult(False, "ModelArts.0500", "Service unavailable", http_status=503)


def items_for(keys: list[Hashable]) -> list[tuple[Hashable, str]]:
    return [(key, f"name-{key}") for key in keys]


def run(bulk: BulkDelete) -> BulkDelete:
    bulk.start()
    assert bulk.wait(WAIT)
    return bulk


def assert_consistent(bulk: BulkDelete, fake: FakeService) -> None:
    counts = bulk.counts()
    assert set(counts) == set(STATES)
    assert sum(counts.values()) == len(bulk.outcomes)
    assert all(outcome.state in FINAL_STATES for outcome in bulk.outcomes.values())
    assert all(n == 1 for n in fake.calls.values()), fake.calls


def test_mixed_outcomes_keep_server_words() -> None:
    keys: list[Hashable] = [1, 2, 3, 4, 5]
    fake = FakeService(
        keys,
        {
            2: REFUSED,
            3: GONE,
            4: FIVE_OH_THREE,
            5: ServerError("boom", status_code=502, error_code="X.1", request_id="r5"),
        },
    )
    bulk = run(BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, poll_interval=0))
    out = bulk.outcomes
    # 5xx answers (returned or raised) leave it open whether it was deleted: "unknown",
    # re-checked; the fake still lists them, so they are offered for a retry
    assert [o.state for o in out.values()] == [
        "deleted",
        "failed",
        "already_gone",
        "unknown",
        "unknown",
    ]
    assert out[2].error_code == "ModelArts.0105"
    assert out[2].error_msg == REFUSED.error_msg
    assert out[2].request_id == "req-105"
    assert out[4].http_status == 503
    assert (out[5].http_status, out[5].error_code, out[5].request_id) == (502, "X.1", "r5")
    assert bulk.counts()["failed"] == 1
    assert bulk.counts()["unknown"] == 2
    assert (
        bulk.summary() == "Deleted 1 of 5 · 1 already gone · 1 failed (ModelArts.0105) · 2 unknown"
    )
    assert bulk.failed_keys() == [2, 4, 5]
    assert_consistent(bulk, fake)


def test_outcome_timings_and_record_are_json_ready() -> None:
    fake = FakeService([(7, 1)])
    bulk = run(BulkDelete([((7, 1), "v1")], fake.delete_one, fake.still_listed))
    outcome = bulk.outcomes[(7, 1)]
    assert outcome.queued_at <= (outcome.sent_at or 0) <= (outcome.answered_at or 0)
    assert (outcome.answered_at or 0) <= (outcome.finished_at or 0)
    record = outcome.as_record()
    assert record["key"] == [7, 1]
    assert record["name"] == "v1"
    assert record["state"] == "deleted"
    assert {"wait_s", "response_s", "total_s", "request_id", "detail"} <= set(record)
    assert all(record[k] >= 0 for k in ("wait_s", "response_s", "total_s"))


def test_duplicate_keys_are_sent_once_first_name_wins() -> None:
    fake = FakeService(["a", "b"])
    bulk = run(
        BulkDelete(
            [("a", "first"), ("b", "bee"), ("a", "second"), ("a", "third")],
            fake.delete_one,
            fake.still_listed,
            concurrency=3,
        )
    )
    assert list(bulk.outcomes) == ["a", "b"]
    assert bulk.outcomes["a"].name == "first"
    assert fake.calls == {"a": 1, "b": 1}


def test_second_start_is_a_no_op() -> None:
    fake = FakeService([1, 2, 3])
    bulk = run(BulkDelete(items_for([1, 2, 3]), fake.delete_one, fake.still_listed))
    bulk.start()
    assert bulk.wait(WAIT)
    assert fake.calls == {1: 1, 2: 1, 3: 1}


def test_concurrency_is_bounded() -> None:
    keys: list[Hashable] = list(range(20))
    gate = threading.Event()
    fake = FakeService(keys, gate=gate)
    bulk = BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, concurrency=3)
    bulk.start()
    fake.wait_in_flight(3)
    assert bulk.counts()["sending"] == 3
    assert bulk.counts()["queued"] == 17
    gate.set()
    assert bulk.wait(WAIT)
    assert fake.max_in_flight == 3
    assert bulk.counts()["deleted"] == 20
    assert_consistent(bulk, fake)


def test_cancel_mid_run_finishes_in_flight_and_sends_nothing_more() -> None:
    keys: list[Hashable] = list(range(10))
    gate = threading.Event()
    fake = FakeService(keys, gate=gate)
    bulk = BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, concurrency=2)
    bulk.start()
    fake.wait_in_flight(2)
    bulk.cancel()
    assert bulk.cancelled
    assert not bulk.done
    assert bulk.counts()["not_sent"] == 8  # visible at once, before in-flight ones answer
    gate.set()
    assert bulk.wait(WAIT)
    assert bulk.done
    counts = bulk.counts()
    assert counts["deleted"] == 2
    assert counts["not_sent"] == 8
    assert sum(fake.calls.values()) == 2
    assert bulk.outcomes[9].detail == "cancelled before sending"
    assert bulk.summary() == "Cancelled after 2 of 10: 2 sent, 8 not sent · 2 deleted"
    assert bulk.failed_keys() == []
    assert_consistent(bulk, fake)


def test_join_waits_for_every_thread_of_the_run() -> None:
    keys: list[Hashable] = [1, 2, 3]
    gate = threading.Event()
    fake = FakeService(keys, gate=gate)
    bulk = BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, concurrency=3)
    assert bulk.join(0)  # never started: nothing to wait for
    before = set(threading.enumerate())
    bulk.start()
    fake.wait_in_flight(3)
    assert not bulk.join(0.05)  # the deletes are in flight
    gate.set()
    assert bulk.join(WAIT)
    assert bulk.done
    assert [t.name for t in set(threading.enumerate()) - before] == []


def test_cancel_before_start_finishes_without_sending() -> None:
    fake = FakeService([1, 2])
    updates: list[dict[Hashable, ItemOutcome]] = []
    bulk = BulkDelete(
        items_for([1, 2]), fake.delete_one, fake.still_listed, on_update=updates.append
    )
    bulk.cancel()
    assert bulk.wait(WAIT)
    assert bulk.counts()["not_sent"] == 2
    assert not fake.calls
    assert updates
    assert {o.state for batch in updates for o in batch.values()} == {"not_sent"}


def test_empty_input_finishes_with_one_final_update() -> None:
    fake = FakeService([])
    updates: list[dict[Hashable, ItemOutcome]] = []
    bulk = run(BulkDelete([], fake.delete_one, fake.still_listed, on_update=updates.append))
    assert updates == [{}]
    assert bulk.summary() == "Deleted 0 of 0"
    assert fake.polls == 0


def test_transport_error_is_never_resent_and_recheck_resolves_it() -> None:
    keys: list[Hashable] = ["lost-but-done", "lost-not-done", "ok"]
    fake = FakeService(
        keys,
        {
            "lost-but-done": TransportError("connection dropped"),
            "lost-not-done": TransportError("connection refused"),
        },
        drop_after_delete=["lost-but-done"],
    )
    bulk = run(BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, poll_interval=0))
    out = bulk.outcomes
    assert out["lost-but-done"].state == "deleted"
    assert out["lost-but-done"].detail == "gone after a request that got no answer"
    assert out["lost-not-done"].state == "unknown"
    assert out["lost-not-done"].detail == UNKNOWN_STILL_LISTED
    assert out["lost-not-done"].error_msg == "connection refused"
    assert bulk.failed_keys() == ["lost-not-done"]
    assert "1 unknown" in bulk.summary()
    assert fake.calls == {"lost-but-done": 1, "lost-not-done": 1, "ok": 1}
    assert_consistent(bulk, fake)


def test_transport_error_without_recheck_stays_unknown_and_is_not_retried() -> None:
    fake = FakeService(["x"], {"x": TransportError("timeout")})
    bulk = run(BulkDelete(items_for(["x"]), fake.delete_one, fake.still_listed, recheck=False))
    assert bulk.outcomes["x"].state == "unknown"
    assert "may or may not" in bulk.outcomes["x"].detail
    assert bulk.failed_keys() == []  # unverified: it may be gone
    assert fake.polls == 0


def test_other_exceptions_map_to_failed_or_unknown() -> None:
    keys: list[Hashable] = ["bad-id", "weird"]
    fake = FakeService(
        keys, {"bad-id": InvalidIdError("id 'x/../y' is not valid"), "weird": RuntimeError("?")}
    )
    bulk = run(BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, recheck=False))
    assert bulk.outcomes["bad-id"].state == "failed"
    assert bulk.outcomes["bad-id"].detail == "not sent: invalid request"
    assert bulk.outcomes["weird"].state == "unknown"


def test_recheck_polls_until_gone_and_only_asks_about_pending_keys() -> None:
    keys: list[Hashable] = [1, 2, 3]
    fake = FakeService(keys, {3: REFUSED}, gone_after_polls=3)
    bulk = run(BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, poll_interval=0))
    assert fake.polls == 3
    assert all(arg == {1, 2} for arg in fake.poll_args)
    assert [o.state for o in bulk.outcomes.values()] == ["deleted", "deleted", "failed"]
    assert_consistent(bulk, fake)


def test_recheck_timeout_leaves_accepted_with_detail() -> None:
    fake = FakeService([1], gone_after_polls=10**6)
    bulk = run(BulkDelete(items_for([1]), fake.delete_one, fake.still_listed, recheck_timeout=0))
    outcome = bulk.outcomes[1]
    assert outcome.state == "accepted"
    assert outcome.detail == "accepted, still listed after 0 s"
    assert bulk.summary() == "Deleted 0 of 1 · 1 accepted, still listed"
    assert bulk.failed_keys() == []


def test_cancel_during_recheck_ends_polling() -> None:
    fake = FakeService([1], gone_after_polls=10**6)
    polled = threading.Event()

    def still_listed(keys: object) -> set[Hashable]:
        polled.set()
        return fake.still_listed(keys)  # type: ignore[arg-type]

    bulk = BulkDelete(items_for([1]), fake.delete_one, still_listed, poll_interval=WAIT * 10)
    bulk.start()
    assert polled.wait(WAIT)
    bulk.cancel()
    assert bulk.wait(WAIT)
    assert bulk.outcomes[1].state == "accepted"
    assert bulk.counts()["accepted"] == 1


def test_still_listed_exception_is_recorded_not_raised() -> None:
    fake = FakeService([1])

    def broken(keys: object) -> set[Hashable]:
        raise ServerError("listing failed", status_code=500)

    bulk = run(BulkDelete(items_for([1]), fake.delete_one, broken, recheck_timeout=0))
    outcome = bulk.outcomes[1]
    assert outcome.state == "accepted"
    assert outcome.detail.startswith("could not check whether still listed: ServerError")


def test_recheck_false_ends_in_accepted() -> None:
    fake = FakeService([1, 2])
    bulk = run(BulkDelete(items_for([1, 2]), fake.delete_one, fake.still_listed, recheck=False))
    assert bulk.counts()["accepted"] == 2
    assert fake.polls == 0
    assert bulk.summary() == "Delete accepted for 2 of 2 (not verified)"


def test_on_update_gets_copies_and_a_final_call_while_done() -> None:
    keys: list[Hashable] = list(range(5))
    fake = FakeService(keys)
    seen_done: list[bool] = []
    batches: list[dict[Hashable, ItemOutcome]] = []
    holder: list[BulkDelete] = []

    def on_update(batch: dict[Hashable, ItemOutcome]) -> None:
        seen_done.append(holder[0].done)
        batches.append(batch)
        for outcome in batch.values():
            outcome.state = "tampered"

    bulk = BulkDelete(items_for(keys), fake.delete_one, fake.still_listed, on_update=on_update)
    holder.append(bulk)
    run(bulk)
    assert seen_done[-1] is True
    assert all(o.state == "deleted" for o in bulk.outcomes.values())
    latest: dict[Hashable, str] = {}
    for batch in batches:
        latest.update(dict.fromkeys(batch, "x"))
    assert set(latest) == set(keys)


def test_on_update_exception_is_logged_and_run_completes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeService([1, 2])

    def explode(batch: object) -> None:
        raise RuntimeError("listener bug")

    with caplog.at_level(logging.ERROR, logger="modelarts_widgets.bulk"):
        bulk = run(
            BulkDelete(items_for([1, 2]), fake.delete_one, fake.still_listed, on_update=explode)
        )
    assert bulk.counts()["deleted"] == 2
    assert any("listener bug" in (r.exc_text or "") for r in caplog.records)


@pytest.mark.parametrize("cancel_after", [0, 1, 3, 7, 12])
def test_cancel_at_any_point_leaves_one_final_state_each(cancel_after: int) -> None:
    keys: list[Hashable] = list(range(12))
    behaviours = {3: REFUSED, 5: GONE, 8: TransportError("reset")}
    fake = FakeService(keys, behaviours)  # type: ignore[arg-type]
    answered = threading.Semaphore(0)

    def delete_one(key: Hashable) -> DeleteResult:
        try:
            return fake.delete_one(key)
        finally:
            answered.release()

    bulk = BulkDelete(
        items_for(keys), delete_one, fake.still_listed, concurrency=1, poll_interval=0
    )
    bulk.start()
    for _ in range(cancel_after):
        assert answered.acquire(timeout=WAIT)
    bulk.cancel()
    assert bulk.wait(WAIT)
    counts = bulk.counts()
    assert sum(counts.values()) == 12
    assert counts["queued"] == counts["sending"] == 0
    assert sum(fake.calls.values()) == 12 - counts["not_sent"]
    assert sum(fake.calls.values()) >= cancel_after
    assert_consistent(bulk, fake)


def test_invalid_arguments() -> None:
    fake = FakeService([])
    with pytest.raises(ValueError, match="concurrency"):
        BulkDelete([], fake.delete_one, fake.still_listed, concurrency=0)
    with pytest.raises(ValueError, match="must be >= 0"):
        BulkDelete([], fake.delete_one, fake.still_listed, poll_interval=-1)


def test_on_update_may_call_back_into_the_engine() -> None:
    keys: list[Hashable] = list(range(6))
    gate = threading.Event()
    fake = FakeService(keys, gate=gate)
    holder: list[BulkDelete] = []
    summaries: list[str] = []

    def on_update(batch: dict[Hashable, ItemOutcome]) -> None:
        bulk = holder[0]
        summaries.append(bulk.summary())
        bulk.counts()
        bulk.cancel()  # from inside the callback: must not deadlock
        gate.set()

    bulk = BulkDelete(
        items_for(keys), fake.delete_one, fake.still_listed, concurrency=1, on_update=on_update
    )
    holder.append(bulk)
    run(bulk)
    assert bulk.cancelled
    assert bulk.counts()["not_sent"] >= 1
    assert summaries[-1].startswith("Cancelled after")
    assert_consistent(bulk, fake)


def test_repr_shows_progress_not_internals() -> None:
    fake = FakeService([1, 2])
    bulk = BulkDelete(items_for([1, 2]), fake.delete_one, fake.still_listed)
    assert repr(bulk) == "BulkDelete(2 items, done=False, counts={'queued': 2})"
    run(bulk)
    assert repr(bulk) == "BulkDelete(2 items, done=True, counts={'deleted': 2})"
