"""The oracle: the official ``huaweicloudsdkmodelarts`` client, pointed at the emulator with
AK/SK, lists (with filters), shows, deletes and batch-deletes v2 training jobs through it.

It proves the emulator speaks the official wire (paths, bodies, signature, answers the SDK can
read), so what :class:`V2Client` learns from the emulator holds for the real service.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmodelarts.v1 import (
    BatchDeleteJobItem,
    BatchDeleteJobMetadata,
    BatchDeleteJobsReq,
    BatchDeleteTrainingJobRequest,
    DeleteTrainingJobRequest,
    Filter,
    JobActionType,
    JobSearches,
    ListTrainingJobsRequest,
    ModelArtsClient,
    ShowTrainingJobDetailsRequest,
    StopTrainingJobRequest,
)

from modelarts_widgets.emulator import EmulatorServer


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    monkeypatch.setenv("HOME", str(tmp_path))  # the SDK keeps an application id under ~
    with EmulatorServer(
        seed={"v2_training_jobs": 60, "v2_visualization_jobs": 3}, delete_delay=None
    ) as srv:
        yield srv


def official_client(server: Any) -> Any:
    """Built offline: explicit endpoint and project id, so no IAM or region lookups."""
    cfg = server.config
    credentials = BasicCredentials(cfg.access_key, cfg.secret_key, cfg.project_id)
    return (
        ModelArtsClient.new_builder()
        .with_credentials(credentials)
        .with_endpoints([server.base_url])
        .with_http_config(HttpConfig.get_default_config())
        .build()
    )


def search(client: Any, **kw: Any) -> Any:
    return client.list_training_jobs(ListTrainingJobsRequest(body=JobSearches(**kw)))


def test_official_sdk_lists_with_filters_and_paging(server: Any) -> None:
    client = official_client(server)
    first = search(client, offset=0, limit=50)
    second = search(client, offset=1, limit=50)
    assert (first.total, first.count, second.count) == (63, 50, 13)
    ids = {i.metadata.id for i in first.items} | {i.metadata.id for i in second.items}
    assert ids == set(server.backend.v2.job_ids())
    vis = search(
        client,
        limit=50,
        filters=[Filter(key="kind", operator="in", value=["visualization_job"])],
    )
    assert vis.total == 3
    assert {i.kind for i in vis.items} == {"visualization_job"}
    running = search(
        client, limit=50, filters=[Filter(key="phase", operator="in", value=["Running"])]
    )
    assert running.total > 0
    assert {i.status.phase for i in running.items} == {"Running"}
    named = search(
        client,
        limit=10,
        sort_by="name",
        order="asc",
        filters=[Filter(key="name", operator="like", value=["lora"])],
    )
    names = [i.metadata.name for i in named.items]
    assert names
    assert names == sorted(names)
    assert all("lora" in n for n in names)


def test_official_sdk_shows_deletes_and_batch_deletes(server: Any) -> None:
    client = official_client(server)
    job_id = server.backend.v2.job_ids()[0]
    details = client.show_training_job_details(ShowTrainingJobDetailsRequest(job_id))
    assert details.metadata.id == job_id
    assert details.status.phase
    deleted = client.delete_training_job(DeleteTrainingJobRequest(job_id))
    assert deleted.status_code == 202
    assert server.backend.v2.pending_deletes() == 1
    batch_ids = server.backend.v2.job_ids(kind="job")[1:11]
    body = BatchDeleteJobsReq(
        jobs=[
            BatchDeleteJobItem(kind="job", metadata=BatchDeleteJobMetadata(id=i)) for i in batch_ids
        ]
    )
    answer = client.batch_delete_training_job(BatchDeleteTrainingJobRequest(body=body))
    assert answer.status_code == 200
    assert server.backend.v2.pending_deletes() == 11
    stats = server.stats()["requests"]
    assert stats["POST /v2/{project_id}/training-jobs/batch-delete"] == 1
    assert stats["DELETE /v2/{project_id}/training-jobs/{training_job_id}"] == 1


def test_official_sdk_reads_the_emulators_refusals(server: Any) -> None:
    client = official_client(server)
    with pytest.raises(ClientRequestException) as missing:
        client.delete_training_job(DeleteTrainingJobRequest("no-such-job"))
    assert (missing.value.status_code, missing.value.error_code) == (400, "ModelArts.2775")
    assert missing.value.request_id
    mixed = [
        BatchDeleteJobItem(kind="job", metadata=BatchDeleteJobMetadata(id=i))
        for i in (server.backend.v2.job_ids()[0], "no-such-job")
    ]
    with pytest.raises(ClientRequestException) as refused:
        client.batch_delete_training_job(
            BatchDeleteTrainingJobRequest(body=BatchDeleteJobsReq(jobs=mixed))
        )
    assert refused.value.error_code == "ModelArts.2775"
    assert server.backend.v2.pending_deletes() == 0


def test_official_sdk_terminates(server: Any) -> None:
    client = official_client(server)
    job_id = server.add_v2_job("to-stop", phase="Running")
    answer = client.stop_training_job(
        StopTrainingJobRequest(job_id, body=JobActionType(action_type="terminate"))
    )
    assert answer.status_code == 202
    assert answer.status.phase == "Terminating"
    server.advance()
    details = client.show_training_job_details(ShowTrainingJobDetailsRequest(job_id))
    assert details.status.phase == "Terminated"
