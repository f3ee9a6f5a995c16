"""A 10,000-version seed (200 jobs x 50) lists, pages and sorts correctly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulator_testlib import signed, v1

from modelarts_widgets.emulator import EmulatorServer


@pytest.fixture(scope="module")
def big() -> Iterator[EmulatorServer]:
    sizes = {"jobs": 200, "versions_per_job": 50, "visualization_jobs": 300}
    with EmulatorServer(seed=sizes) as server:
        yield server


def test_seed_sizes(big: EmulatorServer) -> None:
    stats = big.stats()
    assert (stats["training_jobs"], stats["training_versions"]) == (200, 10_000)
    assert stats["visualization_jobs"] == 300


def test_job_pages_sorted_by_duration(big: EmulatorServer) -> None:
    seen: list[int] = []
    durations: list[int] = []
    for page in range(1, 5):
        body = signed(
            big, "GET", v1(big, "/training-jobs"),
            params={"page": page, "per_page": 50, "sortBy": "duration", "order": "desc"},
        ).json()  # fmt: skip
        assert body["job_total_count"] == 200
        seen += [j["job_id"] for j in body["jobs"]]
        durations += [j["duration"] for j in body["jobs"]]
    assert len(set(seen)) == 200
    assert durations == sorted(durations, reverse=True)


def test_all_versions_of_a_job_and_status_mix(big: EmulatorServer) -> None:
    job = signed(big, "GET", v1(big, "/training-jobs"), params={"per_page": 1}).json()["jobs"][0]
    body = signed(big, "GET", v1(big, f"/training-jobs/{job['job_id']}/versions")).json()
    assert len(body["versions"]) == 50 == body["version_count"]
    assert len(big.backend.training_version_ids()) == 10_000
    counts: dict[int, int] = {}
    for job_id, version_id in big.backend.training_version_ids()[:200]:
        status = big.backend.get_version(job_id, version_id)["status"]
        counts[status] = counts.get(status, 0) + 1
    assert counts[10] > counts[8] > 0
    assert counts[9] > 0
    assert counts[7] > 0


def test_visualization_paging(big: EmulatorServer) -> None:
    body = signed(
        big, "GET", v1(big, "/visualization-jobs"),
        params={"page": 3, "per_page": 100, "sortBy": "create_time", "order": "asc"},
    ).json()  # fmt: skip
    assert body["job_total_count"] == 300
    assert len(body["jobs"]) == 100
