"""The emulator's v2 training-job routes over HTTP, signed like huaweicloudsdkcore signs."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from emulator_testlib import signed

from modelarts_widgets.emulator import EmulatorConfig, EmulatorServer
from modelarts_widgets.emulator.v2_seed import v2_job_id


def v2(server: Any, suffix: str) -> str:
    return f"/v2/{server.config.project_id}{suffix}"


def search(server: Any, body: Any) -> Any:
    return signed(server, "POST", v2(server, "/training-job-searches"), body=body)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(
        seed={"v2_training_jobs": 23, "v2_visualization_jobs": 4}, delete_delay=None
    ) as srv:
        yield srv


def test_search_answers_the_documented_fields_and_pages_by_page_index(server: Any) -> None:
    first = search(server, {"offset": 0, "limit": 10})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {
        "total", "count", "limit", "offset", "sort_by", "order", "group_by", "workspace_id",
        "ai_project", "items",
    }  # fmt: skip
    assert (body["total"], body["count"], body["limit"], body["offset"]) == (27, 10, 10, 0)
    assert (body["sort_by"], body["order"], body["workspace_id"]) == ("create_time", "desc", "0")
    item = body["items"][0]
    assert {"kind", "metadata", "status", "algorithm", "spec"} <= set(item)
    assert {"id", "name", "workspace_id", "create_time", "user_name"} <= set(item["metadata"])
    assert {"phase", "secondary_phase", "duration"} <= set(item["status"])
    times = [i["metadata"]["create_time"] for i in body["items"]]
    assert times == sorted(times, reverse=True)
    pages = [search(server, {"offset": n, "limit": 10}).json()["items"] for n in range(4)]
    ids = [i["metadata"]["id"] for page in pages for i in page]
    assert [len(p) for p in pages] == [10, 10, 7, 0]
    assert len(set(ids)) == 27


def test_item_offset_switch_reads_offset_as_items() -> None:
    with EmulatorServer(seed={"v2_training_jobs": 5}, v2_offset="items") as srv:
        all_ids = [i["metadata"]["id"] for i in search(srv, {"limit": 5}).json()["items"]]
        shifted = search(srv, {"offset": 1, "limit": 2}).json()
        assert [i["metadata"]["id"] for i in shifted["items"]] == all_ids[1:3]
        assert shifted["offset"] == 1


def test_filters_and_sort(server: Any) -> None:
    vis = search(
        server,
        {
            "limit": 50,
            "filters": [{"key": "kind", "operator": "in", "value": ["visualization_job"]}],
        },
    ).json()
    assert vis["total"] == 4
    assert {i["kind"] for i in vis["items"]} == {"visualization_job"}
    not_vis = search(
        server,
        {
            "limit": 50,
            "filters": [{"key": "kind", "operator": "not", "value": ["visualization_job"]}],
        },
    ).json()
    assert not_vis["total"] == 23
    running = search(
        server, {"limit": 50, "filters": [{"key": "phase", "operator": "in", "value": ["Running"]}]}
    ).json()
    assert running["total"] > 0
    assert {i["status"]["phase"] for i in running["items"]} == {"Running"}
    named = search(
        server, {"limit": 50, "filters": [{"key": "name", "operator": "like", "value": ["BERT"]}]}
    ).json()
    assert named["total"] > 0
    assert all("bert" in i["metadata"]["name"] for i in named["items"])
    by_name = search(server, {"limit": 50, "sort_by": "name", "order": "asc"}).json()["items"]
    names = [i["metadata"]["name"].casefold() for i in by_name]
    assert names == sorted(names)
    # the docs' example: empty values mean "no filter", a query string is ignored
    example = {
        "offset": 0,
        "limit": 1,
        "filters": [
            {"key": "create_time", "operator": "between", "value": ["", ""]},
            {"key": "phase", "operator": "in", "value": [""]},
            {"key": "kind", "operator": "in", "value": []},
        ],
    }
    answer = signed(
        server, "POST", v2(server, "/training-job-searches"), params={"limit": 1}, body=example
    )
    assert answer.status_code == 200
    assert (answer.json()["total"], answer.json()["count"]) == (27, 1)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"limit": 51}, "ModelArts.2816"),
        ({"limit": 0}, "ModelArts.2816"),
        ({"offset": -1}, "ModelArts.2816"),
        ({"limit": "10"}, "ModelArts.2788"),
        ({"order": "up"}, "ModelArts.2788"),
        ({"sort_by": "colour"}, "ModelArts.2790"),
        ({"filters": [{"key": "colour", "operator": "in", "value": ["x"]}]}, "ModelArts.2807"),
        ({"filters": [{"key": "kind", "operator": "like", "value": ["x"]}]}, "ModelArts.2808"),
        ({"filters": [{"key": "kind", "operator": "in", "value": "job"}]}, "ModelArts.2809"),
        ([1, 2], "ModelArts.2787"),
    ],
)
def test_bad_searches_are_refused_with_v2_error_bodies(server: Any, body: Any, code: str) -> None:
    answer = search(server, body)
    assert answer.status_code == 400
    assert answer.json()["error_code"] == code
    assert answer.json()["error_msg"]
    assert answer.headers["X-Request-Id"]


def test_details_and_not_found(server: Any) -> None:
    jid = v2_job_id("job", 0)
    answer = signed(server, "GET", v2(server, f"/training-jobs/{jid}"))
    assert answer.status_code == 200
    assert answer.json()["metadata"]["id"] == jid
    missing = signed(server, "GET", v2(server, "/training-jobs/no-such-job"))
    assert missing.status_code == 400
    assert missing.json()["error_code"] == "ModelArts.2775"


def test_delete_is_202_empty_and_asynchronous(server: Any) -> None:
    jid = v2_job_id("job", 1)
    answer = signed(server, "DELETE", v2(server, f"/training-jobs/{jid}"))
    assert answer.status_code == 202
    assert answer.content == b""
    detail = signed(server, "GET", v2(server, f"/training-jobs/{jid}")).json()
    assert detail["status"]["phase"] == "Terminating"
    assert signed(server, "DELETE", v2(server, f"/training-jobs/{jid}")).status_code == 202
    assert server.advance() == 1
    gone = signed(server, "DELETE", v2(server, f"/training-jobs/{jid}"))
    assert (gone.status_code, gone.json()["error_code"]) == (400, "ModelArts.2775")
    assert server.stats()["v2_training_jobs"] == 26


def test_timed_delete_stays_listed_for_the_delay() -> None:
    with EmulatorServer(seed={"v2_training_jobs": 2}, delete_delay=30.0) as srv:
        now = [time.time()]
        srv.backend.clock = lambda: now[0]
        jid = v2_job_id("job", 0)
        assert signed(srv, "DELETE", v2(srv, f"/training-jobs/{jid}")).status_code == 202
        now[0] += 29
        phases = {
            i["metadata"]["id"]: i["status"]["phase"] for i in search(srv, {}).json()["items"]
        }
        assert phases[jid] == "Terminating"
        now[0] += 2
        assert jid not in {i["metadata"]["id"] for i in search(srv, {}).json()["items"]}


def batch(server: Any, ids: list[str], kind: str = "job") -> Any:
    body = {"jobs": [{"kind": kind, "metadata": {"id": i}} for i in ids]}
    return signed(server, "POST", v2(server, "/training-jobs/batch-delete"), body=body)


def test_batch_delete_accepts_up_to_100_of_one_workspace(server: Any) -> None:
    ids = [v2_job_id("job", n) for n in range(5)]
    answer = batch(server, ids)
    assert answer.status_code == 200
    assert answer.json() == {}
    assert server.backend.v2.pending_deletes() == 5


def test_batch_delete_is_all_or_nothing(server: Any) -> None:
    ids = [v2_job_id("job", n) for n in range(3)]
    missing = batch(server, [*ids, "no-such-job"])
    assert (missing.status_code, missing.json()["error_code"]) == (400, "ModelArts.2775")
    other = server.add_v2_job("other-ws", workspace_id="f" * 32)
    mixed = batch(server, [*ids, other])
    assert (mixed.status_code, mixed.json()["error_code"]) == (400, "ModelArts.2788")
    assert "workspace" in mixed.json()["error_msg"]
    too_many = batch(server, [v2_job_id("job", 0)] * 101)
    assert (too_many.status_code, too_many.json()["error_code"]) == (400, "ModelArts.2816")
    empty = batch(server, [])
    assert empty.status_code == 400
    server.backend.v2.refuse_delete(ids[0])
    refused = batch(server, ids)
    assert (refused.status_code, refused.json()["error_code"]) == (409, "ModelArts.2878")
    assert server.backend.v2.pending_deletes() == 0


def test_workspace_search(server: Any) -> None:
    ws = "a" * 32
    jid = server.add_v2_job("in-ws", workspace_id=ws)
    default = search(server, {"limit": 50}).json()
    assert jid not in {i["metadata"]["id"] for i in default["items"]}
    inside = search(server, {"limit": 50, "workspace_id": ws}).json()
    assert [i["metadata"]["id"] for i in inside["items"]] == [jid]
    assert inside["workspace_id"] == ws


def test_no_batch_delete_and_no_v1_answer_as_unknown_apis() -> None:
    with EmulatorServer(
        seed={"jobs": 1, "v2_training_jobs": 2}, batch_delete=False, v1_training=False
    ) as srv:
        answer = batch(srv, [v2_job_id("job", 0)])
        assert (answer.status_code, answer.json()["error_code"]) == (404, "APIG.0101")
        v1 = signed(srv, "GET", f"/v1/{srv.config.project_id}/training-jobs")
        assert (v1.status_code, v1.json()["error_code"]) == (404, "APIG.0101")
        vis = signed(srv, "GET", f"/v1/{srv.config.project_id}/visualization-jobs")
        assert vis.status_code == 404
        assert search(srv, {}).json()["total"] == 2
        assert (
            signed(srv, "DELETE", v2(srv, f"/training-jobs/{v2_job_id('job', 0)}")).status_code
            == 202
        )


def test_v2_routes_need_a_signature_for_the_project(server: Any) -> None:
    import requests

    unsigned = requests.post(
        server.base_url + v2(server, "/training-job-searches"), json={}, timeout=10
    )
    assert unsigned.status_code == 401
    wrong = signed(
        server, "POST", "/v2/ffffffffffffffffffffffffffffffff/training-job-searches", body={}
    )
    assert wrong.status_code == 403


def test_seed_is_deterministic_and_both_generations_by_default() -> None:
    from modelarts_widgets.emulator import DEFAULT_SEED

    with EmulatorServer(seed=DEFAULT_SEED) as a, EmulatorServer(seed=DEFAULT_SEED) as b:
        assert a.backend.v2.job_ids() == b.backend.v2.job_ids()
        stats = a.stats()
        assert stats["v2_training_jobs"] == 36
        assert stats["training_jobs"] == 12
        kinds = {search(a, {"limit": 50}).json()["items"][n]["kind"] for n in range(36)}
        assert {"job", "visualization_job"} <= kinds


def test_cli_help_lists_the_v2_options() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "modelarts_widgets.emulator", "--help"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    for option in (
        "--v2-training-jobs", "--v2-visualization-jobs", "--v2-offset", "--no-batch-delete",
        "--no-v1",
    ):  # fmt: skip
        assert option in out


def test_terminate_moves_running_jobs_to_terminated(server: Any) -> None:
    running = server.add_v2_job("long-run", phase="Running")
    done = server.add_v2_job("finished", phase="Completed")
    path = v2(server, f"/training-jobs/{running}/actions")
    answer = signed(server, "POST", path, body={"action_type": "terminate"})
    assert answer.status_code == 202
    assert answer.json()["status"]["phase"] == "Terminating"
    assert server.advance() == 1
    assert server.backend.v2.get(running)["status"]["phase"] == "Terminated"
    again = signed(server, "POST", path, body={"action_type": "terminate"})
    assert (again.status_code, again.json()["error_code"]) == (409, "ModelArts.2796")
    other = signed(
        server, "POST", v2(server, f"/training-jobs/{done}/actions"), body={"action_type": "x"}
    )
    assert (other.status_code, other.json()["error_code"]) == (400, "ModelArts.2812")


def test_cli_serves_v2_with_its_switches() -> None:
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "modelarts_widgets.emulator", "--jobs", "1",
            "--v2-training-jobs", "7", "--v2-visualization-jobs", "2", "--v2-offset", "items",
            "--no-batch-delete", "--no-v1",
        ],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        srv = SimpleNamespace(
            port=int(url.rsplit(":", 1)[1]), base_url=url, config=EmulatorConfig()
        )
        everything = search(srv, {"limit": 50}).json()
        assert everything["total"] == 9
        ids = [i["metadata"]["id"] for i in everything["items"]]
        shifted = search(srv, {"offset": 2, "limit": 3}).json()["items"]
        assert [i["metadata"]["id"] for i in shifted] == ids[2:5]
        assert batch(srv, ids[:1]).json()["error_code"] == "APIG.0101"
        v1 = signed(srv, "GET", "/v1/0123456789abcdef0123456789abcdef/training-jobs")
        assert v1.json()["error_code"] == "APIG.0101"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
