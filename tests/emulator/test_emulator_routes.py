"""ModelArts v1 endpoints: lists, paging, sorting, filters, detail, create, delete."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from emulator_testlib import message_of, signed, v1

from modelarts_widgets.emulator import EmulatorServer, ListQuery


def get(server: Any, suffix: str, **params: Any) -> requests.Response:
    return signed(server, "GET", v1(server, suffix), params=params)


def test_list_training_jobs_shape(emulator: Any) -> None:
    reply = get(emulator, "/training-jobs")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["X-Request-Id"]
    body = reply.json()
    assert body["is_success"] is True
    assert body["job_total_count"] == 3
    assert {"quotas", "job_count_limit"} <= set(body)
    job = body["jobs"][0]
    assert set(job) == {
        "job_id", "job_name", "version_id", "status", "create_time", "duration", "job_desc",
        "version_count",
    }  # fmt: skip
    assert isinstance(job["job_id"], int)
    assert job["version_count"] == 3
    assert job["create_time"] > 1_600_000_000_000  # milliseconds


def test_paging_covers_every_job_once(emulator: Any) -> None:
    emulator.seed(jobs=25, versions_per_job=1)
    seen = []
    for page in range(1, 5):
        body = get(emulator, "/training-jobs", page=page, per_page=7).json()
        assert body["job_total_count"] == 25
        seen += [j["job_id"] for j in body["jobs"]]
    assert len(seen) == 25 == len(set(seen))
    assert get(emulator, "/training-jobs", page=9, per_page=7).json()["jobs"] == []


@pytest.mark.parametrize("per_page", [0, 1001, "x"])
def test_bad_per_page_is_400(emulator: Any, per_page: Any) -> None:
    reply = get(emulator, "/training-jobs", per_page=per_page)
    assert reply.status_code == 400
    assert reply.json()["error_code"] == "ModelArts.0104"
    assert reply.json()["is_success"] is False


@pytest.mark.parametrize("key", ["sortBy", "sort_by"])
def test_sort_by_create_time_both_spellings(emulator: Any, key: str) -> None:
    emulator.seed(jobs=6, versions_per_job=1)
    desc = get(emulator, "/training-jobs", **{key: "create_time", "order": "desc"}).json()
    times = [j["create_time"] for j in desc["jobs"]]
    assert times == sorted(times, reverse=True)
    asc = get(emulator, "/training-jobs", **{key: "create_time", "order": "asc"}).json()
    assert [j["job_id"] for j in asc["jobs"]] == [j["job_id"] for j in desc["jobs"]][::-1]


def test_bad_sort_and_order_are_400(emulator: Any) -> None:
    assert get(emulator, "/training-jobs", sortBy="nope").status_code == 400
    assert get(emulator, "/training-jobs", order="sideways").status_code == 400


def test_search_is_case_insensitive_substring_with_unicode(emulator: Any) -> None:
    body = get(emulator, "/training-jobs", search_content="RÉSUMÉ").json()
    assert [j["job_name"] for j in body["jobs"]] == ["résumé classifier"]
    body = get(emulator, "/training-jobs", search_content="模型").json()
    assert [j["job_name"] for j in body["jobs"]] == ["模型训练"]
    reply = get(emulator, "/training-jobs", search_content="x" * 101)
    assert reply.status_code == 400
    assert "[0,100]" in message_of(reply.json())


def test_status_filter_uses_latest_version_status(emulator: Any) -> None:
    body = get(emulator, "/training-jobs").json()
    wanted = body["jobs"][0]["status"]
    filtered = get(emulator, "/training-jobs", status=wanted).json()
    assert filtered["jobs"]
    assert all(j["status"] == wanted for j in filtered["jobs"])
    assert filtered["job_total_count"] == len(filtered["jobs"])


def test_workspace_filter(emulator: Any) -> None:
    job_id, _ = emulator.add_training_job("ws job", [{}], workspace_id="ws-1")
    body = get(emulator, "/training-jobs", workspace_id="ws-1").json()
    assert [j["job_id"] for j in body["jobs"]] == [job_id]


def test_versions_all_and_paged(emulator: Any) -> None:
    job_id, vids = emulator.add_training_job("five", [{} for _ in range(5)])
    body = get(emulator, f"/training-jobs/{job_id}/versions").json()
    assert body["version_count"] == 5
    assert body["job_name"] == "five"
    assert [v["version_id"] for v in body["versions"]] == vids[::-1]  # newest first
    version = body["versions"][0]
    assert version["version_name"] == "V0005"
    assert version["train_url"] == "/bucket/five/V0005/output/"
    assert isinstance(version["model_metric_list"], str)
    json.loads(version["model_metric_list"])
    assert {"engine_name", "engine_version", "log_url", "start_time", "pre_version_id"} <= set(
        version
    )
    page2 = get(emulator, f"/training-jobs/{job_id}/versions", page=2, per_page=2).json()
    assert [v["version_id"] for v in page2["versions"]] == [vids[2], vids[1]]


def test_version_detail_and_not_found(emulator: Any) -> None:
    job_id, vids = emulator.add_training_job("detail", [{"status": 8}])
    body = get(emulator, f"/training-jobs/{job_id}/versions/{vids[0]}").json()
    assert body["is_success"] is True
    assert body["status"] == 8
    assert body["job_name"] == "detail"
    missing = get(emulator, f"/training-jobs/{job_id}/versions/1")
    assert missing.status_code == 400  # documented: 400 ModelArts.2775 TrainingJobNotFound
    assert missing.json()["error_code"] == "ModelArts.2775"
    assert "not found" in message_of(missing.json())
    assert get(emulator, "/training-jobs/999/versions").status_code == 400
    bad = get(emulator, "/training-jobs/abc/versions")
    assert bad.status_code == 400
    assert bad.json()["error_code"] == "ModelArts.0104"


def test_create_version(emulator: Any) -> None:
    job_id, vids = emulator.add_training_job("grow", [{}, {}])
    body = {"job_desc": "again", "config": {"pre_version_id": vids[0], "data_url": "/b/d/"}}
    reply = signed(emulator, "POST", v1(emulator, f"/training-jobs/{job_id}/versions"), body=body)
    assert reply.status_code == 200, reply.text
    created = reply.json()
    assert set(created) == {
        "is_success", "job_id", "job_name", "version_id", "version_name", "status",
        "create_time",
    }  # fmt: skip
    assert created["version_name"] == "V0003"
    assert created["job_id"] == job_id
    detail = get(emulator, f"/training-jobs/{job_id}/versions/{created['version_id']}").json()
    assert detail["pre_version_id"] == vids[0]
    assert detail["data_url"] == "/b/d/"
    bad = {"config": {"pre_version_id": 1}}
    reply = signed(emulator, "POST", v1(emulator, f"/training-jobs/{job_id}/versions"), body=bad)
    assert reply.status_code == 400


def test_visualization_list_detail(emulator: Any) -> None:
    body = get(emulator, "/visualization-jobs", sortBy="job_name", order="asc").json()
    assert body["job_total_count"] == 4
    names = [j["job_name"] for j in body["jobs"]]
    assert names == sorted(names, key=str.casefold)
    job = body["jobs"][0]
    assert isinstance(job["job_id"], int)
    assert job["service_url"] == f"{emulator.base_url}/tensorboard/{job['job_id']}"
    detail = get(emulator, f"/visualization-jobs/{job['job_id']}").json()
    assert detail["is_success"] is True
    assert detail["train_url"] == job["train_url"]
    assert get(emulator, "/visualization-jobs/424242").json()["error_code"] == "ModelArts.2775"
    page = requests.get(job["service_url"], timeout=10)
    assert page.status_code == 200
    assert "TensorBoard" in page.text


def test_seeded_visualization_reads_a_version_output(emulator: Any) -> None:
    version_urls = set()
    for job in get(emulator, "/training-jobs").json()["jobs"]:
        versions = get(emulator, f"/training-jobs/{job['job_id']}/versions").json()["versions"]
        version_urls |= {v["train_url"] for v in versions}
    vis = get(emulator, "/visualization-jobs").json()["jobs"]
    assert any(j["train_url"] in version_urls for j in vis)


def test_create_visualization_job(emulator: Any) -> None:
    path = v1(emulator, "/visualization-jobs")
    good = {"job_name": "tb_new-1", "job_desc": "d", "train_url": "/b/out/"}
    reply = signed(emulator, "POST", path, body=good)
    assert reply.status_code == 200, reply.text
    created = reply.json()
    assert isinstance(created["job_id"], str)
    assert isinstance(created["status"], str)
    listed = get(emulator, "/visualization-jobs", search_content="tb_new").json()["jobs"]
    assert [str(j["job_id"]) for j in listed] == [created["job_id"]]
    for bad in (
        {**good, "job_name": "has space"},
        {**good, "job_name": "x" * 21},
        {**good, "job_desc": "d" * 257},
        {"job_name": "ok"},
        {**good, "job_type": "other"},
    ):
        reply = signed(emulator, "POST", path, body=bad)
        assert reply.status_code == 400, bad
        assert reply.json()["error_code"] == "ModelArts.0104"


def test_delete_version_timed_mode_and_job_removal() -> None:
    with EmulatorServer(delete_delay=0.0) as server:
        job_id, vids = server.add_training_job("two", [{}, {}])
        path = server.version_path(job_id, vids[0])
        assert signed(server, "DELETE", path).json() == {"is_success": True}
        body = get(server, f"/training-jobs/{job_id}/versions").json()
        assert body["version_count"] == 1
        assert get(server, "/training-jobs").json()["jobs"][0]["version_count"] == 1
        assert signed(server, "DELETE", server.version_path(job_id, vids[1])).status_code == 200
        assert get(server, "/training-jobs").json()["job_total_count"] == 0
        assert get(server, f"/training-jobs/{job_id}/versions").status_code == 400


def test_delete_manual_mode_keeps_item_until_advance() -> None:
    with EmulatorServer(delete_delay=None) as server:
        job_id, vids = server.add_training_job("slow", [{"status": 10}, {}])
        path = server.version_path(job_id, vids[0])
        assert signed(server, "DELETE", path).json() == {"is_success": True}
        assert signed(server, "DELETE", path).json() == {"is_success": True}  # still pending
        versions = get(server, f"/training-jobs/{job_id}/versions").json()["versions"]
        assert vids[0] in [v["version_id"] for v in versions]
        assert [v["status"] for v in versions if v["version_id"] == vids[0]] == [10]
        assert server.delete_calls[path] == 2
        assert server.advance() == 1
        versions = get(server, f"/training-jobs/{job_id}/versions").json()["versions"]
        assert [v["version_id"] for v in versions] == [vids[1]]


def test_delete_timed_mode_with_delay_uses_clock() -> None:
    with EmulatorServer(delete_delay=30.0) as server:
        now = [1_000_000.0]
        server.backend.clock = lambda: now[0]
        vis_id = server.add_visualization_job("tb", status=10)
        signed(server, "DELETE", server.visualization_path(vis_id), sdk_date=_date(now[0]))
        assert server.backend.pending_deletes() == 1
        now[0] += 31
        assert server.backend.pending_deletes() == 0
        assert server.backend.visualization_job_ids() == []


def _date(epoch: float) -> str:
    import time

    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


@pytest.mark.parametrize("refusal_status", [200, 400])
def test_delete_refused_in_status_9(refusal_status: int) -> None:
    with EmulatorServer(refusal_status=refusal_status) as server:
        server.config.error_field = "error_message"
        job_id, vids = server.add_training_job("killing", [{"status": 9}])
        vis_id = server.add_visualization_job("tb", status=9)
        expected = {
            "is_success": False,
            "error_code": "ModelArts.0105",
            "error_message": "This job can't be delete. job status: 9",
        }
        for path in (server.version_path(job_id, vids[0]), server.visualization_path(vis_id)):
            reply = signed(server, "DELETE", path)
            assert reply.status_code == refusal_status
            assert reply.json() == expected
        assert server.backend.training_version_ids() == [(job_id, vids[0])]


def test_delete_unknown_and_non_numeric(emulator: Any) -> None:
    reply = signed(emulator, "DELETE", emulator.version_path(1, 2))
    assert reply.status_code == 400
    assert reply.json()["is_success"] is False
    assert reply.json()["error_code"] == "ModelArts.2775"
    reply = signed(emulator, "DELETE", v1(emulator, "/training-jobs/x/versions/2"))
    assert reply.status_code == 400
    reply = signed(emulator, "DELETE", emulator.visualization_path("nope"))
    assert reply.status_code == 400


def test_delete_whole_training_job(emulator: Any) -> None:
    job_id, _ = emulator.add_training_job("whole", [{}, {}])
    assert signed(emulator, "DELETE", v1(emulator, f"/training-jobs/{job_id}")).json() == {
        "is_success": True
    }
    assert get(emulator, f"/training-jobs/{job_id}/versions").status_code == 400


def test_unknown_route_and_method(emulator: Any) -> None:
    assert get(emulator, "/nothing-here").status_code == 404
    assert signed(emulator, "PUT", v1(emulator, "/training-jobs")).status_code == 405


def test_fixture_seed_has_documented_mix(emulator: Any) -> None:
    backend = emulator.backend
    statuses = {backend.get_version(j, v)["status"] for j, v in backend.training_version_ids()}
    assert {7, 8, 9} <= statuses
    assert {10, 11, 13} <= statuses
    vis = backend.list_visualization_jobs(ListQuery(per_page=100))["jobs"]
    assert 9 in {j["status"] for j in vis}
    names = [j["job_name"] for j in backend.list_training_jobs()["jobs"]]
    assert "résumé classifier" in names
    assert "模型训练" in names


def test_seed_is_deterministic() -> None:
    sizes = {"jobs": 4, "versions_per_job": 3, "visualization_jobs": 5}
    with EmulatorServer(seed=sizes) as one, EmulatorServer(seed=sizes) as two:
        for server in (one, two):
            server.backend.config.base_url = "http://x"
        assert one.backend.list_training_jobs() == two.backend.list_training_jobs()
        assert one.backend.list_visualization_jobs() == two.backend.list_visualization_jobs()
        job_id = one.backend.training_version_ids()[0][0]
        assert one.backend.list_versions(job_id) == two.backend.list_versions(job_id)
