"""Lists that cover every workspace ask for the workspace list and the default workspace's
first page together (one round trip before the first jobs, not two), against the emulator.

The emulator's workspace answer is held until the jobs page has been asked for: a client that
asked one after the other would wait out the hold and fail the check.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.signer import AkSkAuth
from modelarts_widgets.client import HttpClient, RestClient
from modelarts_widgets.client.v2 import V2Client
from modelarts_widgets.emulator import EmulatorServer
from modelarts_widgets.errors import BadRequestError, ServerError

#: Seconds the workspace answer waits for the jobs page to be asked (never reached when the
#: two go together; a sequential client waits it out).
HOLD_S = 10.0
JOBS_ROUTE = "/training-jobs$"
SEARCH_ROUTE = "/training-job-searches$"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """Three workspaces: v1 jobs spread over them, two v2 jobs in each."""
    with EmulatorServer(seed={"jobs": 6, "versions_per_job": 1, "workspaces": 3}) as emu:
        for ws in emu.backend.workspace_ids():
            for n in range(2):
                emu.add_v2_job(f"v2-{ws}-{n}", workspace_id=ws)
        yield emu


def _http(server: Any) -> HttpClient:
    creds = Credentials(server.config.access_key, server.config.secret_key)
    return HttpClient(
        server.base_url, AkSkAuth(StaticCredentialSource(creds), server.config.project_id)
    )


def _v1(server: Any, *chosen: str) -> list[Any]:
    workspace_id = chosen[0] if chosen else None
    api = RestClient(_http(server), server.config.project_id, workspace_id=workspace_id)
    return list(api.iter_training_jobs())


def _v2(server: Any, *chosen: str) -> list[Any]:
    return list(
        V2Client(_http(server), server.config.project_id, workspace_ids=chosen).iter_v2_jobs()
    )


LISTS: dict[str, tuple[Callable[..., list[Any]], str, str]] = {
    # name: (list the jobs (of a chosen workspace), the backend method answering a jobs page,
    # the route of a jobs page)
    "v1": (_v1, "list_training_jobs", JOBS_ROUTE),
    "v2": (_v2, "search", SEARCH_ROUTE),
}


def _answering(server: Any, generation: str) -> Any:
    """The backend object whose method answers a jobs page of ``generation``."""
    return server.backend if generation == "v1" else server.backend.v2


def _expected(server: Any, generation: str) -> dict[str, str]:
    """Every job id of ``generation`` with its workspace, listed one chosen workspace at a time
    (a path that never asks for the workspace list)."""
    list_in = LISTS[generation][0]
    return {
        str(job.job_id): ws for ws in server.backend.workspace_ids() for job in list_in(server, ws)
    }


@pytest.mark.parametrize("generation", sorted(LISTS))
def test_workspaces_and_the_default_first_page_are_asked_together(
    server: Any, generation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    list_all, method, _ = LISTS[generation]
    answering = _answering(server, generation)
    page_asked = threading.Event()
    real_page, real_spaces = getattr(answering, method), server.backend.list_workspaces

    def jobs_page(*args: Any, **kwargs: Any) -> Any:
        page_asked.set()
        return real_page(*args, **kwargs)

    held: list[bool] = []

    def workspaces() -> Any:
        held.append(page_asked.wait(HOLD_S))  # answer once a jobs page has been asked
        return real_spaces()

    monkeypatch.setattr(answering, method, jobs_page)
    monkeypatch.setattr(server.backend, "list_workspaces", workspaces)
    jobs = list_all(server)
    assert held == [True]  # the jobs page was asked while the workspace answer was held
    expected = _expected(server, generation)
    assert len(jobs) == len(expected) == len({j.job_id for j in jobs})
    assert {str(j.job_id): j.workspace_id for j in jobs} == expected
    assert jobs[0].workspace_id == "0"  # the default workspace comes first


@pytest.mark.parametrize("generation", sorted(LISTS))
def test_a_default_workspace_the_service_does_not_list_is_left_out(
    server: Any, generation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    list_all, _, route = LISTS[generation]
    real_spaces = server.backend.list_workspaces

    def without_default() -> Any:
        body = real_spaces()
        rows = [ws for ws in body["workspaces"] if ws["id"] != "0"]
        return {**body, "workspaces": rows, "count": len(rows), "total_count": len(rows)}

    monkeypatch.setattr(server.backend, "list_workspaces", without_default)
    # the default workspace's page (asked ahead, before any other page) fails: not listed, so
    # its failure is not the list's
    server.force_error(400, path=route)
    jobs = list_all(server)
    listed = {ws for ws in server.backend.workspace_ids() if ws != "0"}
    expected = {k: ws for k, ws in _expected(server, generation).items() if ws in listed}
    assert {str(j.job_id): j.workspace_id for j in jobs} == expected
    assert expected  # the other workspaces' jobs are all there


@pytest.mark.parametrize("generation", sorted(LISTS))
def test_the_default_workspaces_failure_is_raised_when_it_is_listed(
    server: Any, generation: str
) -> None:
    list_all, _, route = LISTS[generation]
    server.force_error(400, path=route, body={"is_success": False, "error_code": "ModelArts.0101"})
    with pytest.raises(BadRequestError):
        list_all(server)


@pytest.mark.parametrize("generation", sorted(LISTS))
def test_a_failed_workspace_list_is_the_error_even_with_a_first_page(
    server: Any, generation: str
) -> None:
    list_all, _, _ = LISTS[generation]
    server.force_error(503, path="/workspaces", count=10)  # more than the client's retries
    with pytest.raises(ServerError):
        list_all(server)
