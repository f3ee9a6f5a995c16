"""RestClient over HTTP against the local emulator: operations, paging, parsing, deletes."""

from __future__ import annotations

from typing import Any

import pytest

from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.signer import AkSkAuth
from modelarts_widgets.client import HttpClient, ModelArtsApi, RestClient, RetryPolicy
from modelarts_widgets.errors import APIError, BadRequestError, InvalidIdError, NotFoundError
from modelarts_widgets.models import JobVersion, TrainingJob, VisualizationJob


def make_client(emulator: Any) -> RestClient:
    creds = Credentials(emulator.config.access_key, emulator.config.secret_key)
    auth = AkSkAuth(StaticCredentialSource(creds), emulator.config.project_id)
    http = HttpClient(emulator.base_url, auth, retry=RetryPolicy(backoff_base=0.01))
    return RestClient(http, emulator.config.project_id)


@pytest.fixture
def api(emulator: Any) -> Any:
    client = make_client(emulator)
    yield client
    client.close()


def request_count(emulator: Any) -> int:
    return sum(emulator.stats()["requests"].values())


def listed_version_keys(api: RestClient) -> set[tuple[int, int]]:
    return {v.key for v in api.list_all_job_versions()}


def test_implements_protocol_and_repr_is_secret_free(api: RestClient, emulator: Any) -> None:
    assert isinstance(api, ModelArtsApi)
    text = repr(api) + repr(api.http) + repr(api.http.auth)
    assert emulator.config.secret_key not in text
    assert emulator.base_url in repr(api)


def test_training_jobs_are_paged_until_the_total(api: RestClient, emulator: Any) -> None:
    jobs = list(api.iter_training_jobs(per_page=2, sort_by="job_name", order="asc"))
    assert len(jobs) == 3
    assert all(isinstance(j, TrainingJob) for j in jobs)
    names = [j.job_name for j in jobs]
    assert names == sorted(names, key=str.casefold)
    assert emulator.stats()["requests"]["GET /v1/{project_id}/training-jobs"] == 2


def test_paging_stops_at_an_empty_page(api: RestClient, emulator: Any) -> None:
    emulator.seed(jobs=0)
    assert list(api.iter_training_jobs()) == []
    assert list(api.iter_visualization_jobs()) == []


def test_training_job_filters_are_sent(api: RestClient, emulator: Any) -> None:
    first = next(api.iter_training_jobs())
    found = list(api.iter_training_jobs(search_content=first.job_name[:6]))
    assert first.job_id in {j.job_id for j in found}
    assert list(api.iter_training_jobs(search_content="no-such-job-name")) == []
    statuses = {j.status for j in api.iter_training_jobs(status=first.status)}
    assert statuses == {first.status}


def test_versions_of_one_job_and_of_all_jobs(api: RestClient) -> None:
    jobs = list(api.iter_training_jobs())
    versions = api.list_job_versions(str(jobs[0].job_id))
    assert len(versions) == 3
    assert all(isinstance(v, JobVersion) and v.job_id == jobs[0].job_id for v in versions)
    assert all(v.job_name == jobs[0].job_name for v in versions)

    everything = api.list_all_job_versions(max_workers=2)
    assert len(everything) == 9
    # stable order: jobs in list order, each job's versions as the server lists them
    assert [v.job_id for v in everything] == [j.job_id for j in jobs for _ in range(3)]
    assert everything == api.list_all_job_versions(max_workers=8)
    assert {v.job_name for v in everything} == {j.job_name for j in jobs}


@pytest.mark.parametrize(
    ("status", "code"), [(404, "ModelArts.0104"), (400, "ModelArts.2775"), (400, "ModelArts.0104")]
)
def test_list_all_skips_a_job_that_vanished(
    api: RestClient, emulator: Any, status: int, code: str
) -> None:
    jobs = list(api.iter_training_jobs())
    body = {"is_success": False, "error_code": code, "error_msg": "Training job not found."}
    path = f"/training-jobs/{jobs[1].job_id}/versions$"
    emulator.force_error(status, body=body, path=path, method="GET")
    versions = api.list_all_job_versions()
    assert {v.job_id for v in versions} == {jobs[0].job_id, jobs[2].job_id}


def test_get_one_version_and_one_visualization_job(api: RestClient, emulator: Any) -> None:
    version = api.list_all_job_versions()[0]
    again = api.get_job_version(version.job_id, str(version.version_id))
    assert again.key == version.key
    assert again.version_name == version.version_name
    vis = next(api.iter_visualization_jobs())
    assert api.get_visualization_job(int(vis.job_id)).job_name == vis.job_name
    with pytest.raises(BadRequestError) as info:
        api.get_job_version(version.job_id, 1)
    assert info.value.status_code == 400  # documented: 400 ModelArts.2775
    assert info.value.error_code == "ModelArts.2775"
    assert info.value.request_id
    emulator.config.not_found = "404"
    with pytest.raises(NotFoundError):
        api.get_job_version(version.job_id, 1)


def test_visualization_jobs_are_paged(api: RestClient, emulator: Any) -> None:
    jobs = list(api.iter_visualization_jobs(per_page=3, order="asc", sort_by="job_id"))
    assert len(jobs) == 4
    assert all(isinstance(j, VisualizationJob) for j in jobs)
    assert [int(j.job_id) for j in jobs] == sorted(int(j.job_id) for j in jobs)
    assert emulator.stats()["requests"]["GET /v1/{project_id}/visualization-jobs"] == 2


def test_visualization_page_size_is_kept_at_most_100(api: RestClient) -> None:
    with pytest.raises(ValueError, match="per_page"):
        api.visualization_jobs_page(per_page=101)
    assert len(list(api.iter_visualization_jobs(per_page=1000))) == 4


def test_delete_version_then_gone_then_already_gone(api: RestClient, emulator: Any) -> None:
    version = api.list_all_job_versions()[0]
    emulator.backend.set_version_status(version.job_id, version.version_id, 10)
    result = api.delete_job_version(str(version.job_id), version.version_id)
    assert result.is_success
    assert result.http_status == 200
    assert result.request_id
    assert result.to_sdk_dict() == {"is_success": True}
    assert version.key not in listed_version_keys(api)
    again = api.delete_job_version(version.job_id, version.version_id)
    assert not again.is_success
    assert (again.http_status, again.error_code) == (400, "ModelArts.2775")
    assert again.already_gone  # the documented TrainingJobNotFound code
    emulator.config.not_found = "ModelArts.0104"
    again = api.delete_job_version(version.job_id, version.version_id)
    assert not again.already_gone  # "Parameter error": only the bulk engine's re-check tells
    emulator.config.not_found = "404"
    again = api.delete_job_version(version.job_id, version.version_id)
    assert again.already_gone
    assert again.error_code == "ModelArts.0104"


def test_delete_visualization_job(api: RestClient, emulator: Any) -> None:
    vis = next(api.iter_visualization_jobs())
    emulator.backend.set_visualization_status(int(vis.job_id), 10)
    assert api.delete_visualization_job(vis.job_id).is_success
    assert vis.job_id not in {j.job_id for j in api.iter_visualization_jobs()}
    again = api.delete_visualization_job(vis.job_id)
    assert (again.is_success, again.error_code) == (False, "ModelArts.2775")
    emulator.config.not_found = "404"
    assert api.delete_visualization_job(vis.job_id).already_gone


@pytest.mark.parametrize("refusal_status", [200, 400])
def test_refused_delete_is_a_failure_result(
    api: RestClient, emulator: Any, refusal_status: int
) -> None:
    emulator.config.refusal_status = refusal_status
    version = api.list_all_job_versions()[0]
    emulator.backend.set_version_status(version.job_id, version.version_id, 9)
    result = api.delete_job_version(version.job_id, version.version_id)
    assert not result.is_success
    assert not result.already_gone
    assert result.http_status == refusal_status
    assert result.error_code == "ModelArts.0105"
    assert result.error_msg == "This job can't be delete. job status: 9"
    assert result.to_sdk_dict() == {
        "is_success": False,
        "error_code": "ModelArts.0105",
        "error_msg": "This job can't be delete. job status: 9",
    }
    assert version.key in listed_version_keys(api)


def test_invalid_ids_send_nothing(api: RestClient, emulator: Any) -> None:
    before = request_count(emulator)
    bad_calls = [
        lambda: api.delete_job_version("../1", 1),
        lambda: api.delete_job_version(1, "1/2"),
        lambda: api.delete_job_version("", 1),
        lambda: api.delete_visualization_job("a%2Fb"),
        lambda: api.delete_visualization_job(".."),
        lambda: api.delete_visualization_job("a b"),
        lambda: api.get_job_version(1, "\x00"),
        lambda: api.get_visualization_job("x\ny"),
        lambda: api.list_job_versions("1;2"),
        lambda: api.create_job_version(0),
    ]
    for call in bad_calls:
        with pytest.raises(InvalidIdError):
            call()
    assert request_count(emulator) == before
    assert emulator.delete_calls == {}


def test_create_version_then_delete_it(api: RestClient, emulator: Any) -> None:
    job = next(api.iter_training_jobs())
    pre = api.list_job_versions(job.job_id)[0]
    created = api.create_job_version(
        str(job.job_id),
        pre_version_id=str(pre.version_id),
        job_desc="create a job version",
        config={"data_url": "/bucket/data/train/", "train_url": "/bucket/output/"},
    )
    assert created.job_id == job.job_id
    assert created.pre_version_id == pre.version_id
    assert created.key in listed_version_keys(api)
    detail = api.get_job_version(job.job_id, created.version_id)
    assert detail.data_url == "/bucket/data/train/"
    assert api.delete_job_version(created.job_id, created.version_id).is_success
    assert created.key not in listed_version_keys(api)


def test_create_visualization_job_with_string_ids(api: RestClient) -> None:
    created = api.create_visualization_job(
        job_name="visualization_job", train_url="/bucket/train/", job_desc="my visualization job"
    )
    assert isinstance(created.job_id, str)
    assert created.job_id.isdigit()
    assert created.status == 7  # "7" on the wire
    assert created.job_name == "visualization_job"
    listed = {j.job_id: j for j in api.iter_visualization_jobs()}
    assert listed[created.job_id].train_url == "/bucket/train/"
    with pytest.raises(ValueError, match="job_name"):
        api.create_visualization_job(job_name="bad name!", train_url="/b/")


def test_create_refused_by_server_raises(api: RestClient, emulator: Any) -> None:
    job = next(api.iter_training_jobs())
    with pytest.raises(APIError) as info:
        api.create_job_version(job.job_id, pre_version_id=1)
    assert info.value.status_code == 400
    assert "pre_version_id" in (info.value.error_msg or "")


def test_tolerant_parsing_of_custom_bodies(api: RestClient, emulator: Any) -> None:
    body = {
        "is_success": "true",
        "job_total_count": "2",
        "jobs": [
            {"job_id": "77", "job_name": "x", "status": "8", "create_time": "1700000000000"},
            {"job_name": "row without id"},
            {"job_id": 78, "job_name": "y", "status": 10, "duration": 5.0},
        ],
    }
    emulator.force_error(200, body=body, path="/visualization-jobs$", method="GET")
    jobs = list(api.iter_visualization_jobs())
    assert [(j.job_id, j.status) for j in jobs] == [("77", 8), ("78", 10)]
    assert jobs[0].create_time == 1700000000000


def test_is_success_false_with_http_200_raises_for_lists(api: RestClient, emulator: Any) -> None:
    body = {"is_success": False, "error_code": "ModelArts.0103", "error_message": "bad list"}
    emulator.force_error(200, body=body, path="/training-jobs$")
    with pytest.raises(APIError) as info:
        list(api.iter_training_jobs())
    assert (info.value.status_code, info.value.error_code) == (200, "ModelArts.0103")
    assert info.value.error_msg == "bad list"
