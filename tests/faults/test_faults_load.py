"""2,000 deletes against the emulator with 5 % random faults: every item accounted for, no
DELETE processed twice (the only re-sends are of throttled, unprocessed requests)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sessions import fast_session, http_of

from modelarts_widgets.client._http import HttpEvent
from modelarts_widgets.widgets import VisualizationJobList

N = 2000
FINAL = {"deleted", "accepted", "already_gone", "failed", "unknown", "not_sent"}


@pytest.mark.slow
def test_2000_deletes_with_5_percent_faults_lose_nothing_and_send_nothing_twice(
    emulator_env: Any, make_list: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator_env.seed(jobs=0, versions_per_job=1, visualization_jobs=N)
    session = fast_session()
    w = make_list(VisualizationJobList, session, concurrency=8, recheck_timeout=30)
    assert w.n_items == N
    assert w.error == ""
    ids = {j.key for j in w.items if j.status not in (9,)}  # the seed keeps some "canceling"
    resent: Counter[str] = Counter()

    def on_event(event: HttpEvent) -> None:
        if event.kind == "rate_limited" and event.method == "DELETE":
            resent[event.path] += 1

    http_of(session).add_event_listener(on_event)
    emulator_env.set_error_rate(0.05, statuses=(500, 502, 503, 429), path=r"/v1/", method=None)
    # the emulator's own record of what it answered to each DELETE, in order
    answers: dict[str, list[int]] = {}
    faults = emulator_env.faults
    real_decide = faults.decide

    def decide(method: str, path: str) -> Any:
        decision = real_decide(method, path)
        if method == "DELETE":
            answers.setdefault(path.rstrip("/"), []).append(decision.status)
        return decision

    monkeypatch.setattr(faults, "decide", decide)

    w.select(keys=sorted(ids))
    w.request_delete()
    assert w.confirm(typed_count=len(ids), include_active=True)
    assert w.wait(120)
    records = w.last_result
    counts = Counter(r["outcome"] for r in records)
    assert sum(counts.values()) == len(ids) == len({r["key"] for r in records})
    assert set(counts) <= FINAL
    assert counts["deleted"] > 0.8 * len(ids)
    assert counts["not_sent"] == 0
    throttled_final = {r["key"] for r in records if r["http_status"] == 429}

    calls = emulator_env.delete_calls
    for key in ids:
        path = emulator_env.visualization_path(key)
        seen = answers.get(path, [])
        assert len(seen) == calls.get(path, 0) >= 1
        # only a throttled (unprocessed) DELETE was ever followed by another one
        assert all(status == 429 for status in seen[:-1]), (key, seen)
        # the client's own account agrees: one event per re-send
        not_processed = resent[path] + (1 if key in throttled_final else 0)
        assert len(seen) - not_processed <= 1, (key, seen, resent[path])
    assert any(len(seen) > 1 for seen in answers.values())  # 429s really were re-sent
    assert any(seen[-1] >= 500 for seen in answers.values())  # and 5xx really happened
    # what the user does next: "retry failed" until nothing is left; every item ends gone
    emulator_env.set_error_rate(0.0, path=r"/v1/")
    for _ in range(3):
        if not w.retry_failed():
            break
        assert w.wait(60)
    w.refresh()
    remaining = {j.key for j in w.items} & ids
    assert not remaining, f"{len(remaining)} items never deleted"
