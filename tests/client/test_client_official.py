"""OfficialSdkApi against a fake ``modelarts`` package injected into ``sys.modules``."""

from __future__ import annotations

import sys
import types
from typing import Any, Optional

import pytest

from modelarts_widgets.client import OfficialSdkApi
from modelarts_widgets.client.base import ModelArtsApi, ResourceKind
from modelarts_widgets.client.resources import JobVersions, VisualizationJobs
from modelarts_widgets.errors import (
    APIError,
    ConfigurationError,
    InvalidIdError,
    MalformedResponseError,
    TransportError,
)
from modelarts_widgets.models import JobVersion, VisualizationJob


class FakeState:
    def __init__(self) -> None:
        self.jobs = {
            11: {"job_name": "job-a", "versions": {101: 10, 102: 8}},
            12: {"job_name": "job-b", "versions": {201: 11}},
            13: {"job_name": "job-c", "versions": {301: 10}},
        }
        self.vis = {
            "8992": {"job_name": "vis-a", "status": "10"},
            "8993": {"job_name": "vis-b", "status": 9},
        }
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.raise_on_delete = False
        self.lists_without_list = False  # list answers: {"is_success": True} and nothing else


def make_fake_sdk(state: FakeState) -> types.ModuleType:
    class Estimator:
        def __init__(
            self,
            modelarts_session: Any,
            job_id: Optional[str] = None,
            version_id: Optional[str] = None,
            **kw: Any,
        ) -> None:
            self.session = modelarts_session
            self.job_id = job_id
            self.version_id = version_id
            self.kw = kw

        @staticmethod
        def get_job_list(
            modelarts_session: Any,
            status: Any = None,
            per_page: int = 10,
            page: int = 1,
            sortBy: str = "job_name",
            order: str = "desc",
            search_content: Any = None,
        ) -> dict[str, Any]:
            state.calls.append(
                ("get_job_list", {"per_page": per_page, "page": page, "sortBy": sortBy})
            )
            if state.lists_without_list:
                return {"is_success": True}
            ids = sorted(state.jobs)
            chunk = ids[(page - 1) * per_page : page * per_page]
            return {
                "is_success": True,
                "job_total_count": len(ids),
                "jobs": [
                    {"job_id": str(j), "job_name": state.jobs[j]["job_name"], "status": 10}
                    for j in chunk
                ],
            }

        def get_job_version_info(self) -> dict[str, Any]:
            job = state.jobs.get(int(self.job_id or 0))
            if job is None:
                return {
                    "is_success": False,
                    "error_code": "ModelArts.0104",
                    "error_message": "no such job",
                }
            if state.lists_without_list:
                return {"is_success": True, "job_id": int(self.job_id or 0)}
            return {
                "is_success": True,
                "job_id": int(self.job_id or 0),
                "versions": [{"version_id": v, "status": s} for v, s in job["versions"].items()],
            }

        def get_job_info(self) -> dict[str, Any]:
            status = state.jobs[int(self.job_id or 0)]["versions"][int(self.version_id or 0)]
            return {"is_success": True, "version_id": int(self.version_id or 0), "status": status}

        def delete_job_version(self) -> dict[str, Any]:
            state.calls.append(
                ("delete_job_version", {"job_id": self.job_id, "version_id": self.version_id})
            )
            if state.raise_on_delete:
                raise RuntimeError("boom with secret-ish text SK=abc")
            versions = state.jobs[int(self.job_id or 0)]["versions"]
            if versions.get(int(self.version_id or 0)) == 8:
                return {"is_success": False, "error_code": "ModelArts.0105", "error_msg": "running"}
            versions.pop(int(self.version_id or 0), None)
            return {"is_success": True}

        def create_job_version(self, **kw: Any) -> Any:
            state.calls.append(("create_job_version", kw))
            return types.SimpleNamespace(job_id=kw["job_id"], version_id=999, status=1)

    class VisualizationJob:
        def __init__(self, modelarts_session: Any, visualization_id: Optional[str] = None) -> None:
            self.visualization_id = visualization_id

        @staticmethod
        def get_visualization_job_list(
            modelarts_session: Any,
            status: Any = None,
            per_page: int = 10,
            page: int = 1,
            sort_by: str = "job_name",
            order: str = "asc",
            search_content: Any = None,
        ) -> dict[str, Any]:
            state.calls.append(
                ("get_visualization_job_list", {"per_page": per_page, "sort_by": sort_by})
            )
            if state.lists_without_list:
                return {"is_success": True}
            rows = [{"job_id": k, **v} for k, v in sorted(state.vis.items())]
            chunk = rows[(page - 1) * per_page : page * per_page]
            return {"is_success": True, "job_total_count": len(rows), "jobs": chunk}

        def get_visualization_job_info(self) -> dict[str, Any]:
            return {"is_success": True, **state.vis[self.visualization_id or ""]}

        def delete_visualization_job(self) -> dict[str, Any]:
            if self.visualization_id not in state.vis:
                return {
                    "is_success": False,
                    "error_code": "ModelArts.0104",
                    "error_message": "gone",
                }
            state.vis.pop(self.visualization_id or "")
            return {"is_success": True}

        def create_visualization_job(
            self, train_url: str, job_name: str, job_desc: str = ""
        ) -> Any:
            state.vis["9000"] = {"job_name": job_name, "status": 7}
            return types.SimpleNamespace(
                job_id="9000", job_name=job_name, status="7", create_time=5
            )

    package = types.ModuleType("modelarts")
    estimator = types.ModuleType("modelarts.estimator")
    estimator.Estimator = Estimator  # type: ignore[attr-defined]
    estimator.VisualizationJob = VisualizationJob  # type: ignore[attr-defined]
    package.estimator = estimator  # type: ignore[attr-defined]
    return package


@pytest.fixture
def state(monkeypatch: pytest.MonkeyPatch) -> FakeState:
    fake = FakeState()
    package = make_fake_sdk(fake)
    monkeypatch.setitem(sys.modules, "modelarts", package)
    monkeypatch.setitem(sys.modules, "modelarts.estimator", package.estimator)  # type: ignore[attr-defined]
    return fake


@pytest.fixture
def api(state: FakeState) -> OfficialSdkApi:
    session = types.SimpleNamespace(
        project_id="p" * 32, access_key="AKSECRET", secret_key="SKSECRET"
    )
    return OfficialSdkApi(session)


def test_implements_the_protocol_and_hides_secrets(api: OfficialSdkApi) -> None:
    assert isinstance(api, ModelArtsApi)
    assert api.project_id == "p" * 32
    assert "SECRET" not in repr(api)


def test_lists_jobs_across_pages(api: OfficialSdkApi, state: FakeState) -> None:
    jobs = list(api.iter_training_jobs(per_page=2))
    assert [j.job_id for j in jobs] == [11, 12, 13]
    pages = [c for c in state.calls if c[0] == "get_job_list"]
    assert [p[1]["page"] for p in pages] == [1, 2]
    assert pages[0][1]["sortBy"] == "create_time"


def test_versions_and_all_versions(api: OfficialSdkApi) -> None:
    versions = api.list_job_versions("11")
    assert all(isinstance(v, JobVersion) for v in versions)
    assert [v.key for v in versions] == [(11, 101), (11, 102)]
    everything = api.list_all_job_versions(max_workers=2)
    assert [v.key for v in everything] == [(11, 101), (11, 102), (12, 201), (13, 301)]
    assert {v.job_name for v in everything} == {"job-a", "job-b", "job-c"}
    assert api.get_job_version(11, 102).status == 8


def test_failed_sdk_dict_raises_api_error(api: OfficialSdkApi) -> None:
    with pytest.raises(APIError) as info:
        api.list_job_versions(99)
    assert info.value.error_code == "ModelArts.0104"
    assert info.value.error_msg == "no such job"


def test_deletes_return_results(api: OfficialSdkApi, state: FakeState) -> None:
    ok = api.delete_job_version(11, "101")
    assert ok.is_success
    refused = api.delete_job_version(11, 102)
    assert not refused.is_success
    assert (refused.error_code, refused.error_msg) == ("ModelArts.0105", "running")
    assert api.delete_visualization_job("8992").is_success
    gone = api.delete_visualization_job(8992)
    assert not gone.is_success
    assert gone.error_msg == "gone"
    with pytest.raises(InvalidIdError):
        api.delete_job_version("../11", 1)
    assert ("delete_job_version", {"job_id": "11", "version_id": "101"}) in state.calls


def test_sdk_exception_on_delete_becomes_transport_error(
    api: OfficialSdkApi, state: FakeState
) -> None:
    state.raise_on_delete = True
    with pytest.raises(TransportError) as info:
        api.delete_job_version(11, 101)
    assert "RuntimeError" in str(info.value)
    assert "SK=abc" not in str(info.value)
    assert info.value.__cause__ is None


def test_visualization_jobs(api: OfficialSdkApi, state: FakeState) -> None:
    jobs = list(api.iter_visualization_jobs(per_page=500))
    assert [j.job_id for j in jobs] == ["8992", "8993"]
    assert jobs[0].status == 10  # numeric string parsed
    assert state.calls[-1] == (
        "get_visualization_job_list",
        {"per_page": 100, "sort_by": "create_time"},
    )
    assert api.get_visualization_job("8993").job_name == "vis-b"
    created = api.create_visualization_job(job_name="new", train_url="/b/t/")
    assert isinstance(created, VisualizationJob)
    assert (created.job_id, created.status) == ("9000", 7)


def test_create_job_version(api: OfficialSdkApi, state: FakeState) -> None:
    version = api.create_job_version(
        11, pre_version_id="101", job_desc="d", config={"inputs": "/b/d/"}
    )
    assert version.key == (11, 999)
    name, kw = state.calls[-1]
    assert name == "create_job_version"
    assert kw == {
        "job_id": "11",
        "job_desc": "d",
        "wait": False,
        "pre_version_id": 101,
        "inputs": "/b/d/",
    }


def test_missing_sdk_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "modelarts", None)
    monkeypatch.setitem(sys.modules, "modelarts.estimator", None)
    api = OfficialSdkApi(types.SimpleNamespace(project_id="p"))
    with pytest.raises(ConfigurationError, match="not importable"):
        list(api.iter_training_jobs())


def test_a_list_answer_without_its_list_is_malformed_like_rest(
    api: OfficialSdkApi, state: FakeState
) -> None:
    state.lists_without_list = True
    with pytest.raises(MalformedResponseError, match="'versions'"):
        api.list_job_versions(11)
    with pytest.raises(MalformedResponseError, match="'jobs'"):
        list(api.iter_visualization_jobs())
    with pytest.raises(MalformedResponseError, match="'jobs'"):
        list(api.iter_training_jobs())
    # the re-check of a delete reads this as "cannot tell", never as "not listed any more"
    with pytest.raises(MalformedResponseError):
        JobVersions(api).still_listed({(11, 101)})
    with pytest.raises(MalformedResponseError):
        VisualizationJobs(api).still_listed({"8992"})


def test_resource_kinds_over_the_official_provider(api: OfficialSdkApi, state: FakeState) -> None:
    versions = JobVersions(api, job_id=11)
    assert isinstance(versions, ResourceKind)
    assert [v.key for v in versions.list_items()] == [(11, 101), (11, 102)]
    results = versions.delete_many([(11, 101), (11, 102)])
    assert [r.is_success for r in results.values()] == [True, False]
    assert versions.still_listed({(11, 101), (11, 102)}) == {(11, 102)}
    vis = VisualizationJobs(api)
    assert [j.key for j in vis.list_items()] == ["8992", "8993"]
    assert vis.delete_one("8993").is_success
    assert vis.still_listed({"8992", "8993"}) == {"8992"}


def test_a_delete_rechecked_with_a_listless_answer_is_not_badged_deleted(
    api: OfficialSdkApi, state: FakeState
) -> None:
    from modelarts_widgets.widgets import VisualizationJobList

    w = VisualizationJobList(client=api, poll_interval=0.05, recheck_timeout=0.3)
    try:
        assert w.error == ""
        w.select(keys=["8992"])
        w.request_delete()
        state.lists_without_list = True  # from now on every list answer lacks its list
        assert w.confirm()
        assert w.wait(30)
        (record,) = w.last_result
        assert record["key"] == "8992"
        assert "8992" not in state.vis  # the SDK did delete it ...
        assert record["outcome"] == "accepted"  # ... but the re-check could not see that
        assert "MalformedResponseError" in record["detail"]
    finally:
        w.close()
