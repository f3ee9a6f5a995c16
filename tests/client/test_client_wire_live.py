"""RestClient against the strict emulator: workspaces, versions paging under both readings of
``page=0``, listings that survive every not-found style, signatures that survive a proxy."""

from __future__ import annotations

from typing import Any

import pytest

from modelarts_widgets.auth import AkSkAuth
from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.client import HttpClient, RestClient
from modelarts_widgets.emulator import EmulatorServer
from modelarts_widgets.errors import InvalidIdError


def _client(server: Any, **kw: Any) -> RestClient:
    creds = Credentials(server.config.access_key, server.config.secret_key)
    auth = AkSkAuth(StaticCredentialSource(creds), server.config.project_id)
    return RestClient(HttpClient(server.base_url, auth), server.config.project_id, **kw)


def test_every_workspace_is_listed_once_and_rows_carry_theirs() -> None:
    seed = {"jobs": 5, "versions_per_job": 2, "visualization_jobs": 4, "workspaces": 3}
    with EmulatorServer(seed=seed) as server:
        api = _client(server)
        spaces = server.backend.workspace_ids()
        assert api.workspace_ids() == spaces
        assert api.workspace_note == ""
        jobs = list(api.iter_training_jobs(per_page=1))
        assert len(jobs) == 5 == len({j.job_id for j in jobs})
        assert {j.workspace_id for j in jobs} == set(spaces)
        versions = api.list_all_job_versions()
        assert len(versions) == 10
        by_job = {j.job_id: j.workspace_id for j in jobs}
        assert all(v.workspace_id == by_job[v.job_id] for v in versions)
        vis = list(api.iter_visualization_jobs())
        assert sorted(j.workspace_id for j in vis) == sorted(["0", "0", spaces[1], spaces[2]])
        one = _client(server, workspace_id=spaces[1])
        assert one.workspace_ids() == [spaces[1]]
        assert {j.workspace_id for j in one.iter_training_jobs()} == {spaces[1]}
        with pytest.raises(InvalidIdError):
            _client(server, workspace_id="../0")


def test_without_the_workspace_route_only_the_default_one_with_a_note() -> None:
    seed = {"jobs": 4, "versions_per_job": 1, "workspaces": 2}
    with EmulatorServer(seed=seed) as server:
        server.config.workspace_list = False
        api = _client(server)
        assert api.workspace_ids() == ["0"]
        assert "default workspace only" in api.workspace_note
        assert len(list(api.iter_training_jobs())) == 2


@pytest.mark.parametrize("reading", ["all", "first"])
def test_all_versions_are_listed_under_both_readings_of_page_0(reading: str) -> None:
    with EmulatorServer(seed={"jobs": 1, "versions_per_job": 230}) as server:
        server.config.versions_page0 = reading
        api = _client(server)
        (job,) = api.iter_training_jobs()
        versions = api.list_job_versions(job.job_id)
        assert len(versions) == 230 == len({v.version_id for v in versions})
        calls = server.stats()["requests"]["GET /v1/{project_id}/training-jobs/{job_id}/versions"]
        assert calls == (1 if reading == "all" else 4)  # page=0, then pages 1-3


@pytest.mark.parametrize("style", ["404", "ModelArts.2775", "ModelArts.0104"])
def test_listing_versions_skips_jobs_gone_in_every_not_found_style(style: str) -> None:
    with EmulatorServer(seed={"jobs": 3, "versions_per_job": 2}) as server:
        server.config.not_found = style
        api = _client(server)
        jobs = list(api.iter_training_jobs())
        server.force_error(
            404 if style == "404" else 400,
            body={"is_success": False, "error_code": style.replace("404", "ModelArts.0104")},
            path=f"/training-jobs/{jobs[0].job_id}/versions$",
            method="GET",
        )
        assert {v.job_id for v in api.list_all_job_versions()} == {j.job_id for j in jobs[1:]}


def test_our_signatures_survive_a_proxy_rewriting_hop_by_hop_headers() -> None:
    with EmulatorServer(seed={"jobs": 2, "versions_per_job": 2, "visualization_jobs": 2}) as server:
        server.config.proxy_rewrites = True
        api = _client(server)
        server.add_training_job("search + me & you/~%", [{"status": 10}])
        found = list(api.iter_training_jobs(search_content="search + me & you/~%"))
        assert [j.job_name for j in found] == ["search + me & you/~%"]
        version = api.list_all_job_versions()[0]
        server.backend.set_version_status(version.job_id, version.version_id, 10)
        assert api.delete_job_version(version.job_id, version.version_id).is_success
        server.faults.set_proxy_rewrites(True)
        assert len(list(api.iter_visualization_jobs())) == 2
