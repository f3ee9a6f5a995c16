"""V2Client against the live emulator: listing under both offset readings, details, deletes,
the batch fast path and both fallbacks, v2 error bodies, and a region without v1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.signer import AkSkAuth
from modelarts_widgets.client import HttpClient, OfficialSdkApi, RestClient, RetryPolicy
from modelarts_widgets.client.base import ResourceKind, TrainingJobsV2Api
from modelarts_widgets.client.v2 import PartialDeleteError, V2Client
from modelarts_widgets.client.v2_resources import V2TrainingJobs, v2_provider
from modelarts_widgets.emulator import EmulatorServer
from modelarts_widgets.errors import APIError, ConfigurationError, InvalidIdError, NotFoundError
from modelarts_widgets.models import DeleteResult
from modelarts_widgets.models_v2 import TrainingJobV2, phase_label

BATCH = "POST /v2/{project_id}/training-jobs/batch-delete"
SINGLE = "DELETE /v2/{project_id}/training-jobs/{training_job_id}"
SEARCH = "POST /v2/{project_id}/training-job-searches"


def http_for(server: Any) -> HttpClient:
    creds = Credentials(server.config.access_key, server.config.secret_key)
    auth = AkSkAuth(StaticCredentialSource(creds), server.config.project_id)
    return HttpClient(server.base_url, auth, retry=RetryPolicy(backoff_base=0.01, max_retries=1))


def client_for(server: Any, **kw: Any) -> V2Client:
    return V2Client(http_for(server), server.config.project_id, **kw)


def calls(server: Any, route: str) -> int:
    return int(server.stats()["requests"].get(route, 0))


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(
        seed={"v2_training_jobs": 130, "v2_visualization_jobs": 5}, delete_delay=None
    ) as srv:
        yield srv


@pytest.fixture
def api(server: Any) -> Iterator[V2Client]:
    client = client_for(server)
    yield client
    client.close()


# --- listing ------------------------------------------------------------------------------


@pytest.mark.parametrize("reading", ["pages", "items"])
def test_every_job_is_listed_exactly_once_under_both_offset_readings(reading: str) -> None:
    with EmulatorServer(seed={"v2_training_jobs": 137}, v2_offset=reading) as srv:
        client = client_for(srv)
        jobs = client.list_v2_jobs()
        assert sorted(j.job_id for j in jobs) == sorted(srv.backend.v2.job_ids())
        assert client.offset_mode == reading
        times = [j.create_time or 0 for j in jobs]
        assert times == sorted(times, reverse=True)
        searches = calls(srv, SEARCH)
        assert client.list_v2_jobs() == jobs  # the reading is remembered
        assert calls(srv, SEARCH) - searches == 3


def test_short_lists_need_one_call(server: Any, api: V2Client) -> None:
    jobs = api.list_v2_jobs(kinds=["visualization_job"])
    assert len(jobs) == 5
    assert all(j.is_visualization for j in jobs)
    assert calls(server, SEARCH) == 1


def test_filters_kinds_phases_name_and_exclusions(api: V2Client) -> None:
    training = api.list_v2_jobs(exclude_kinds={"visualization_job"})
    assert len(training) == 130
    assert not any(j.is_visualization for j in training)
    running = api.list_v2_jobs(phases=["Running"])
    assert running
    assert {j.phase for j in running} == {"Running"}
    assert all(j.is_active for j in running)
    bert = api.list_v2_jobs(name="bert")
    assert bert
    assert all("bert" in j.name for j in bert)
    oldest = api.list_v2_jobs(order="asc", kinds=["job"])
    assert [j.create_time for j in oldest] == sorted(j.create_time or 0 for j in oldest)


def test_workspaces_default_and_explicit(server: Any, api: V2Client) -> None:
    ws = "b" * 32
    other = server.add_v2_job("elsewhere", workspace_id=ws)
    # the emulator has no workspace list: the client lists the default workspace
    assert api.workspace_ids() == ["0"]
    assert other not in {j.job_id for j in api.list_v2_jobs()}
    both = client_for(server, workspace_ids=["0", ws]).list_v2_jobs()
    assert other in {j.job_id for j in both}
    assert len(both) == 136


def test_details_and_errors(server: Any, api: V2Client) -> None:
    jid = server.backend.v2.job_ids(kind="visualization_job")[0]
    job = api.get_v2_job(jid)
    assert (job.job_id, job.kind, job.workspace_id) == (jid, "visualization_job", "0")
    assert job.key == jid
    assert job.status_label == phase_label(job.phase)
    with pytest.raises(APIError) as info:
        api.get_v2_job("0b6f9a52-0000-4000-8000-000000000000")
    assert info.value.error_code == "ModelArts.2775"
    assert info.value.status_code == 400
    assert info.value.request_id
    with pytest.raises(InvalidIdError):
        api.get_v2_job("../training-jobs")
    with pytest.raises(APIError) as bad:
        api.v2_search_page(sort_by="colour")
    assert bad.value.error_code == "ModelArts.2790"


# --- single deletes -------------------------------------------------------------------------


def test_single_delete_accepted_then_already_gone(server: Any, api: V2Client) -> None:
    jid = server.backend.v2.job_ids()[0]
    result = api.delete_v2_job(jid)
    assert result.is_success
    assert result.http_status == 202
    assert result.request_id
    assert api.get_v2_job(jid).phase == "Terminating"
    server.advance()
    gone = api.delete_v2_job(jid)
    assert not gone.is_success
    assert gone.already_gone
    assert gone.error_code == "ModelArts.2775"


def test_v2_error_bodies_become_delete_results(server: Any, api: V2Client) -> None:
    jid = server.backend.v2.job_ids()[1]
    server.force_error(
        403,
        body={"error_code": "ModelArts.0108", "error_msg": "You are not authorized."},
        path="/v2/.*/training-jobs/",
        method="DELETE",
    )
    result = api.delete_v2_job(jid)
    assert (result.is_success, result.http_status) == (False, 403)
    assert (result.error_code, result.error_msg) == ("ModelArts.0108", "You are not authorized.")
    assert result.request_id
    assert not result.already_gone
    server.force_error(502, kind="html", path="/v2/.*/training-jobs/", method="DELETE")
    proxy = api.delete_v2_job(jid)
    assert (proxy.is_success, proxy.http_status) == (False, 502)
    assert "not JSON" in (proxy.error_msg or "")
    assert calls(server, SINGLE) == 2  # a 5xx DELETE is never re-sent


# --- many deletes ---------------------------------------------------------------------------


def test_batch_path_sends_at_most_100_per_call(server: Any, api: V2Client) -> None:
    ids = [j.job_id for j in api.list_v2_jobs()]
    seen: list[str] = []
    results = api.delete_v2_jobs(ids, on_result=lambda jid, _res: seen.append(jid))
    assert list(results) == ids
    assert all(r.is_success for r in results.values())
    assert sorted(seen) == sorted(ids)
    assert calls(server, BATCH) == 2  # 135 jobs, one workspace
    assert calls(server, SINGLE) == 0
    assert api.batch_supported is True
    assert server.backend.v2.pending_deletes() == 135


def test_a_refused_batch_falls_back_to_one_delete_per_job(server: Any, api: V2Client) -> None:
    ids = [j.job_id for j in api.list_v2_jobs(kinds=["job"])][:99]
    missing = "0b6f9a52-0000-4000-8000-00000000dead"
    api._remember([TrainingJobV2(job_id=missing)])  # listed earlier, deleted elsewhere since
    results = api.delete_v2_jobs([*ids, missing])
    assert calls(server, BATCH) == 1
    assert calls(server, SINGLE) == 100
    assert all(results[j].is_success for j in ids)
    assert results[missing].already_gone
    assert server.backend.v2.pending_deletes() == 99


def test_one_refused_job_never_fails_the_others(server: Any, api: V2Client) -> None:
    ids = [j.job_id for j in api.list_v2_jobs()][:20]
    server.backend.v2.refuse_delete(ids[3], 409, "ModelArts.2878", "JobStatusChanged")
    results = api.delete_v2_jobs(ids)
    assert [j for j, r in results.items() if not r.is_success] == [ids[3]]
    refused = results[ids[3]]
    assert (refused.http_status, refused.error_code) == (409, "ModelArts.2878")
    assert server.backend.v2.pending_deletes() == 19


def test_batches_are_grouped_by_workspace(server: Any) -> None:
    ws = "c" * 32
    extra = [server.add_v2_job(f"ws-job-{n}", workspace_id=ws) for n in range(3)]
    client = client_for(server, workspace_ids=["0", ws])
    ids = [j.job_id for j in client.list_v2_jobs()][:10] + extra
    results = client.delete_v2_jobs(ids)
    assert all(r.is_success for r in results.values())
    assert calls(server, BATCH) == 2
    assert calls(server, SINGLE) == 0


def test_ids_never_listed_are_looked_up_first(server: Any, api: V2Client) -> None:
    ids = server.backend.v2.job_ids()[:4]
    results = api.delete_v2_jobs(ids)
    assert all(r.is_success for r in results.values())
    assert calls(server, "GET /v2/{project_id}/training-jobs/{training_job_id}") == 4
    assert calls(server, BATCH) == 1


def test_absent_batch_route_is_remembered_and_singles_are_used() -> None:
    with EmulatorServer(seed={"v2_training_jobs": 30}, batch_delete=False) as srv:
        client = client_for(srv)
        ids = [j.job_id for j in client.list_v2_jobs()]
        first = client.delete_v2_jobs(ids[:10])
        assert all(r.is_success for r in first.values())
        assert client.batch_supported is False
        second = client.delete_v2_jobs(ids[10:])
        assert all(r.is_success for r in second.values())
        assert calls(srv, BATCH) == 1  # probed once
        assert calls(srv, SINGLE) == 30


def test_a_batch_without_an_answer_is_never_resent(server: Any, api: V2Client) -> None:
    ids = [j.job_id for j in api.list_v2_jobs()][:5]
    server.force_error(kind="drop", path="batch-delete")
    with pytest.raises(PartialDeleteError) as info:
        api.delete_v2_jobs(ids)
    assert sorted(info.value.unanswered) == sorted(ids)
    assert info.value.results == {}
    server.force_error(503, path="batch-delete")
    results = api.delete_v2_jobs(ids)
    assert {r.http_status for r in results.values()} == {503}
    assert calls(server, SINGLE) == 0
    assert calls(server, BATCH) == 2


def test_should_stop_sends_nothing_more(server: Any, api: V2Client) -> None:
    ids = [j.job_id for j in api.list_v2_jobs()][:5]
    assert api.delete_v2_jobs(ids, should_stop=lambda: True) == {}
    assert calls(server, BATCH) == 0


def test_no_v1_region_still_serves_v2() -> None:
    with EmulatorServer(seed={"jobs": 2, "v2_training_jobs": 3}, v1_training=False) as srv:
        rest = RestClient(http_for(srv), srv.config.project_id)
        with pytest.raises(NotFoundError) as info:
            list(rest.iter_training_jobs())
        assert info.value.error_code == "APIG.0101"
        client = v2_provider(rest)
        assert v2_provider(rest) is client  # one v2 client per REST client
        assert len(client.list_v2_jobs()) == 3
        assert srv.config.secret_key not in repr(client)
        assert srv.base_url in repr(client)
        gone = DeleteResult(False, "APIG.0101", "no such API", 404)
        assert not gone.already_gone


# --- the resource kind and the providers ------------------------------------------------------


def test_resource_kind_lists_deletes_and_checks(server: Any, api: V2Client) -> None:
    training = V2TrainingJobs(api, exclude_kinds={"visualization_job"})
    vis = V2TrainingJobs(api, kinds=["visualization_job"])
    assert isinstance(training, ResourceKind)
    assert isinstance(api, TrainingJobsV2Api)
    assert (training.noun, vis.noun) == ("training job", "visualization job")
    assert len(training.list_items()) == 130
    keys = [j.key for j in vis.list_items()]
    assert len(keys) == 5
    assert all(r.is_success for r in vis.delete_many(keys).values())
    assert vis.still_listed(keys) == set(keys)  # listed as Terminating until done
    server.advance()
    assert vis.still_listed(keys) == set()
    one = training.list_items()[0].key
    assert training.delete_one(one).is_success


def test_official_sdk_provider_says_v2_needs_aksk() -> None:
    official = OfficialSdkApi(object())
    with pytest.raises(ConfigurationError, match="AK/SK"):
        v2_provider(official)


# --- models ---------------------------------------------------------------------------------


def test_model_parsing_is_tolerant() -> None:
    bare = TrainingJobV2.from_api({"metadata": {"id": " abc "}})
    assert (bare.job_id, bare.kind, bare.phase, bare.workspace_id) == ("abc", "job", "", "0")
    assert bare.status_label == "unknown"
    odd = TrainingJobV2.from_api(
        {
            "kind": "quantum_job",
            "metadata": {"id": "x1", "name": "n", "create_time": "1700000000000"},
            "status": {"phase": "Hibernating", "duration": "61000"},
        }
    )
    assert (odd.kind, odd.phase, odd.status_label) == ("quantum_job", "Hibernating", "Hibernating")
    assert (odd.create_time, odd.duration, odd.is_active) == (1_700_000_000_000, 61_000, False)
    lower = TrainingJobV2.from_api({"metadata": {"id": "x2"}, "status": {"phase": "running"}})
    assert (lower.phase, lower.is_active, lower.status_label) == ("Running", True, "running")
    junk = TrainingJobV2.from_api({"metadata": {"id": "x3"}, "status": "broken", "spec": None})
    assert junk.phase == ""
    with pytest.raises(ValueError):
        TrainingJobV2.from_api({"metadata": None})
    assert TrainingJobV2.generation == "v2"


# --- paging robustness ----------------------------------------------------------------------


def test_a_job_created_between_pages_does_not_switch_the_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with EmulatorServer(seed={"v2_training_jobs": 120}) as srv:
        v2 = srv.backend.v2
        original = v2.search
        added: list[str] = []

        def search_with_a_newcomer(body: Any) -> Any:
            if body.get("offset") == 1 and not added:
                added.append(v2.add_job("newcomer", create_time=4_000_000_000_000))
            return original(body)

        monkeypatch.setattr(v2, "search", search_with_a_newcomer)
        client = client_for(srv)
        listed = [j.job_id for j in client.list_v2_jobs()]
        assert client.offset_mode == "pages"
        assert len(listed) == len(set(listed))
        assert set(v2.job_ids()) - set(listed) <= set(added)  # nothing old is missed


def test_a_service_ignoring_offset_cannot_loop_forever(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    v2 = server.backend.v2
    original = v2.search
    monkeypatch.setattr(v2, "search", lambda body: original({**body, "offset": 0}))
    client = client_for(server)
    listed = client.list_v2_jobs()
    assert len(listed) == 50
    assert calls(server, SEARCH) <= 4


def test_credentials_refused_stop_further_calls(server: Any) -> None:
    client = client_for(server, max_workers=2)
    ids = [j.job_id for j in client.list_v2_jobs()][:20]
    server.force_error(400, path="batch-delete", body={"error_code": "ModelArts.2788"})
    server.force_error(
        401,
        count=100,
        method="DELETE",
        body={"error_code": "ModelArts.0203", "error_msg": "Invalid token."},
    )

    def broken_callback(job_id: str, result: DeleteResult) -> None:
        raise RuntimeError("a widget bug")

    results = client.delete_v2_jobs(ids, on_result=broken_callback)
    assert 1 <= len(results) <= 2  # the calls in flight when the first 401 came
    assert {r.http_status for r in results.values()} == {401}
    assert calls(server, SINGLE) == len(results)
