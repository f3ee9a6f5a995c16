"""Oracle: every request the client sends is byte-identical to the official SDK's.

For each operation of :class:`RestClient` (and the IAM project lookup) and generated inputs,
the request our stack puts on the wire (captured by a ``requests`` transport adapter, nothing is
sent) is compared with the request ``huaweicloudsdkcore`` builds for the same operation and
clock through ``ModelArtsClient.build_future_request`` (``huaweicloudsdkmodelarts`` 3.1.219,
which signs and encodes but sends nothing): URL, body and ``Authorization`` must be equal.
The SDK has no v1 training / visualization operations, so their paths are given to its generic
request builder, which is what each of its generated operations calls.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any, Callable, Optional

import pytest
import requests
import requests.adapters
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelarts_widgets.auth import AkSkAuth
from modelarts_widgets.auth.credentials import Credentials, StaticCredentialSource
from modelarts_widgets.auth.iam import lookup_project_id
from modelarts_widgets.client import HttpClient, RestClient, RetryPolicy

core_credentials = pytest.importorskip("huaweicloudsdkcore.auth.credentials")
official = pytest.importorskip("huaweicloudsdkmodelarts.v1")

BASE = "https://modelarts.eu-de.otc.t-systems.com"
PROJECT = "0123456789abcdef0123456789abcdef"
AK, SK = "AKORACLE", "sk-oracle/ä"
NOW = datetime.datetime(2026, 11, 24, 9, 30, 15, tzinfo=datetime.timezone.utc)
SDK_DATE = NOW.strftime("%Y%m%dT%H%M%SZ")

#: A generic answer every operation can read.
ANSWER = {
    "is_success": True,
    "jobs": [],
    "versions": [],
    "workspaces": [],
    "job_total_count": 0,
    "version_count": 0,
    "total_count": 0,
    "job_id": 1,
    "version_id": 1,
    "job_name": "x",
    "projects": [{"id": PROJECT}],
}


class Capture(requests.adapters.BaseAdapter):
    """A transport that records the prepared request and answers ``ANSWER`` (sends nothing)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(ANSWER).encode()
        response.headers["Content-Type"] = "application/json"
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        pass


def _ours(
    call: Callable[[RestClient], Any], token: Optional[str] = None
) -> requests.PreparedRequest:
    capture = Capture()
    session = requests.Session()
    session.mount("https://", capture)
    auth = AkSkAuth(StaticCredentialSource(Credentials(AK, SK, token)), PROJECT, clock=lambda: NOW)
    client = RestClient(
        HttpClient(BASE, auth, session=session, retry=RetryPolicy(max_retries=0)), PROJECT
    )
    call(client)
    (sent,) = capture.sent
    return sent


def _theirs(
    method: str,
    path: str,
    path_params: Optional[Mapping[str, Any]] = None,
    query: Optional[Mapping[str, Any]] = None,
    body: Optional[Any] = None,
    *,
    user_agent: str,
    token: Optional[str] = None,
    base: str = BASE,
) -> Any:
    creds = core_credentials.BasicCredentials(AK, SK, PROJECT)
    if token is not None:
        creds = creds.with_security_token(token)
    client = official.ModelArtsClient.new_builder().with_credentials(creds)
    client = client.with_endpoints([base]).build()
    client.preset_headers = {"User-Agent": user_agent}  # the one free-form value
    future = client.build_future_request(
        method,
        path,
        dict(path_params or {}),
        [(k, v) for k, v in (query or {}).items()],
        {"X-Sdk-Date": SDK_DATE},
        body,
        None,
        None,
        None,
        {},
        None,
    )
    return future.result()


def _same(ours: requests.PreparedRequest, theirs: Any) -> None:
    assert ours.method == theirs.method
    assert ours.url == theirs.url
    assert (ours.body or b"") == (theirs.body or b"")
    assert ours.headers["Authorization"] == theirs.header_params["Authorization"]
    assert ours.headers["Content-Type"] == "application/json"
    signed = ours.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]
    assert signed.startswith("content-type;host;user-agent;x-project-id;x-sdk-date")


# --- generated inputs ---------------------------------------------------------------------

ids = st.integers(min_value=1, max_value=10**12)
id_like = st.one_of(ids, ids.map(str))
text = st.text(alphabet=st.sampled_from(list("ab Z09 +&=/~%?#ä中-_.")), min_size=1, max_size=12)
vis_ids = st.one_of(ids.map(str), st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True))
tokens = st.one_of(st.none(), st.text(alphabet="ABCdef123+/=", min_size=1, max_size=12))
list_args = st.fixed_dictionaries(
    {
        "status": st.one_of(st.none(), st.integers(min_value=0, max_value=22)),
        "search_content": st.one_of(st.none(), text),
        "sort_by": st.sampled_from(["create_time", "job_name", "job_desc", "status"]),
        "order": st.sampled_from(["asc", "desc"]),
        "per_page": st.integers(min_value=1, max_value=100),
        "page": st.integers(min_value=1, max_value=65535),
    }
)
workspace = st.one_of(st.none(), st.sampled_from(["0", "ws-a1b2", "9f1c0d"]))

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _list_query(args: Mapping[str, Any], workspace_id: Optional[str]) -> dict[str, Any]:
    """The documented v1 list query: what the official SDK would send for these arguments."""
    return {
        "per_page": args["per_page"],
        "page": args["page"],
        "sortBy": args["sort_by"],
        "order": args["order"],
        "status": args["status"],
        "search_content": args["search_content"],
        "workspace_id": workspace_id,
    }


def _ua() -> str:
    return str(requests.Session().headers["User-Agent"])


@SETTINGS
@given(args=list_args, workspace_id=workspace, token=tokens)
def test_list_training_jobs(
    args: dict[str, Any], workspace_id: Optional[str], token: Optional[str]
) -> None:
    ours = _ours(lambda c: c.training_jobs_page(workspace_id=workspace_id, **args), token)
    theirs = _theirs(
        "GET",
        "/v1/{project_id}/training-jobs",
        query=_list_query(args, workspace_id),
        user_agent=ours.headers["User-Agent"],
        token=token,
    )
    _same(ours, theirs)


@SETTINGS
@given(args=list_args, workspace_id=workspace)
def test_list_visualization_jobs(args: dict[str, Any], workspace_id: Optional[str]) -> None:
    ours = _ours(lambda c: c.visualization_jobs_page(workspace_id=workspace_id, **args))
    theirs = _theirs(
        "GET",
        "/v1/{project_id}/visualization-jobs",
        query=_list_query(args, workspace_id),
        user_agent=ours.headers["User-Agent"],
    )
    _same(ours, theirs)


@SETTINGS
@given(
    job_id=id_like,
    page=st.integers(min_value=0, max_value=65535),
    per_page=st.integers(min_value=1, max_value=100),
)
def test_list_versions(job_id: Any, page: int, per_page: int) -> None:
    ours = _ours(lambda c: c.job_versions_body(job_id, page=page, per_page=per_page))
    theirs = _theirs(
        "GET",
        "/v1/{project_id}/training-jobs/{job_id}/versions",
        {"job_id": job_id},
        {"page": page, "per_page": per_page},
        user_agent=ours.headers["User-Agent"],
    )
    _same(ours, theirs)


@SETTINGS
@given(job_id=id_like, version_id=id_like, token=tokens)
def test_get_and_delete_version(job_id: Any, version_id: Any, token: Optional[str]) -> None:
    path = "/v1/{project_id}/training-jobs/{job_id}/versions/{version_id}"
    params = {"job_id": job_id, "version_id": version_id}
    ours = _ours(lambda c: c.job_version_body(job_id, version_id), token)
    _same(ours, _theirs("GET", path, params, user_agent=ours.headers["User-Agent"], token=token))
    ours = _ours(lambda c: c.delete_job_version(job_id, version_id), token)
    _same(ours, _theirs("DELETE", path, params, user_agent=ours.headers["User-Agent"], token=token))


@SETTINGS
@given(
    job_id=id_like,
    pre=st.one_of(st.none(), ids),
    desc=st.text(max_size=20),
    config=st.dictionaries(
        st.sampled_from(["app_url", "boot_file_url", "data_url", "train_url", "spec_code"]),
        text,
        max_size=3,
    ),
)
def test_create_version(job_id: Any, pre: Optional[int], desc: str, config: dict[str, Any]) -> None:
    ours = _ours(
        lambda c: c.create_job_version(job_id, pre_version_id=pre, job_desc=desc, config=config)
    )
    fields = dict(config)
    if pre is not None:
        fields["pre_version_id"] = pre
    theirs = _theirs(
        "POST",
        "/v1/{project_id}/training-jobs/{job_id}/versions",
        {"job_id": job_id},
        body={"job_desc": desc, "config": fields},
        user_agent=ours.headers["User-Agent"],
    )
    _same(ours, theirs)


@SETTINGS
@given(job_id=vis_ids)
def test_get_and_delete_visualization_job(job_id: str) -> None:
    path = "/v1/{project_id}/visualization-jobs/{job_id}"
    ours = _ours(lambda c: c.visualization_job_body(job_id))
    _same(ours, _theirs("GET", path, {"job_id": job_id}, user_agent=ours.headers["User-Agent"]))
    ours = _ours(lambda c: c.delete_visualization_job(job_id))
    _same(ours, _theirs("DELETE", path, {"job_id": job_id}, user_agent=ours.headers["User-Agent"]))


@SETTINGS
@given(
    name=st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True),
    train_url=text,
    desc=st.text(max_size=20),
)
def test_create_visualization_job(name: str, train_url: str, desc: str) -> None:
    ours = _ours(
        lambda c: c.create_visualization_job(job_name=name, train_url=train_url, job_desc=desc)
    )
    body = {"job_name": name, "job_desc": desc, "train_url": train_url, "job_type": "tensorboard"}
    theirs = _theirs(
        "POST",
        "/v1/{project_id}/visualization-jobs",
        body=body,
        user_agent=ours.headers["User-Agent"],
    )
    _same(ours, theirs)


def test_list_workspaces() -> None:
    ours = _ours(lambda c: c.workspaces_body())
    theirs = _theirs("GET", "/v1/{project_id}/workspaces", user_agent=ours.headers["User-Agent"])
    _same(ours, theirs)


@SETTINGS
@given(region=st.sampled_from(["eu-de", "eu-nl", "cn-north-4", "ap southeast+1"]))
def test_iam_project_lookup(region: str) -> None:
    capture = Capture()
    session = requests.Session()
    session.mount("https://", capture)
    auth = AkSkAuth(StaticCredentialSource(Credentials(AK, SK)), None, clock=lambda: NOW)
    iam = "https://iam.eu-de.otc.t-systems.com"
    assert lookup_project_id(iam, region, auth, http=session) == PROJECT
    (ours,) = capture.sent
    creds = core_credentials.BasicCredentials(AK, SK)  # no project: IAM is global
    client = official.ModelArtsClient.new_builder().with_credentials(creds)
    client = client.with_endpoints([iam]).build()
    client.preset_headers = {"User-Agent": ours.headers["User-Agent"]}
    theirs = client.build_future_request(
        "GET", "/v3/projects", {}, [("name", region)], {"X-Sdk-Date": SDK_DATE},
        None, None, None, None, {}, None,
    ).result()  # fmt: skip
    assert ours.url == theirs.url
    assert ours.headers["Authorization"] == theirs.header_params["Authorization"]


# --- v2 training jobs: the SDK's own operations (request models and their http_info) ----------

v2_ids = st.uuids().map(str)
kinds = st.lists(st.sampled_from(["job", "visualization_job", "autosearch_job"]), max_size=2)
phases = st.lists(st.sampled_from(["Running", "Completed", "Failed", "Terminated"]), max_size=2)


def _v2_ours(call: Callable[[Any], Any]) -> requests.PreparedRequest:
    from modelarts_widgets.client.v2 import V2Client

    capture = Capture()
    session = requests.Session()
    session.mount("https://", capture)
    auth = AkSkAuth(StaticCredentialSource(Credentials(AK, SK)), PROJECT, clock=lambda: NOW)
    call(
        V2Client(HttpClient(BASE, auth, session=session, retry=RetryPolicy(max_retries=0)), PROJECT)
    )
    (sent,) = capture.sent
    return sent


def _v2_theirs(info_of: str, request: Any, user_agent: str) -> Any:
    creds = core_credentials.BasicCredentials(AK, SK, PROJECT)
    client = official.ModelArtsClient.new_builder().with_credentials(creds)
    client = client.with_endpoints([BASE]).build()
    client.preset_headers = {"User-Agent": user_agent}
    info = getattr(client, info_of)(request)
    headers = {**info["header_params"], "X-Sdk-Date": SDK_DATE}
    return client.build_future_request(
        info["method"], info["resource_path"], info["path_params"], info["query_params"],
        headers, info["body"], info["post_params"], info["cname"], None,
        info["collection_formats"], None,
    ).result()  # fmt: skip


def _same_v2(ours: requests.PreparedRequest, theirs: Any) -> None:
    assert ours.method == theirs.method
    assert ours.url == theirs.url
    assert (ours.body or b"") == (theirs.body or b"")
    assert ours.headers["Content-Type"] == theirs.header_params["Content-Type"]
    assert ours.headers["Authorization"] == theirs.header_params["Authorization"]


@SETTINGS
@given(
    offset=st.integers(min_value=0, max_value=1000),
    limit=st.integers(min_value=1, max_value=50),
    order=st.sampled_from(["asc", "desc"]),
    kinds=kinds,
    phases=phases,
    name=st.one_of(st.none(), text),
    workspace_id=st.sampled_from(["0", "ws-a1b2"]),
)
def test_v2_search(
    offset: int,
    limit: int,
    order: str,
    kinds: list[str],
    phases: list[str],
    name: Optional[str],
    workspace_id: str,
) -> None:
    from modelarts_widgets.client.v2 import _filters

    filters = _filters(kinds, phases, name)
    ours = _v2_ours(
        lambda c: c.v2_search_page(
            offset=offset, limit=limit, order=order, filters=filters, workspace_id=workspace_id
        )
    )
    model = official.JobSearches(
        offset=offset,
        limit=limit,
        sort_by="create_time",
        order=order,
        workspace_id=None if workspace_id == "0" else workspace_id,
        filters=[official.Filter(key=f["key"], operator=f["operator"], value=f["value"])
                 for f in filters] or None,
    )  # fmt: skip
    theirs = _v2_theirs(
        "_list_training_jobs_http_info",
        official.ListTrainingJobsRequest(body=model),
        ours.headers["User-Agent"],
    )
    _same_v2(ours, theirs)


@SETTINGS
@given(job_id=v2_ids)
def test_v2_show_and_delete(job_id: str) -> None:
    ours = _v2_ours(lambda c: c.v2_job_body(job_id))
    request = official.ShowTrainingJobDetailsRequest(training_job_id=job_id)
    _same_v2(ours, _v2_theirs("_show_training_job_details_http_info", request, _ua_of(ours)))
    ours = _v2_ours(lambda c: c.delete_v2_job(job_id))
    request = official.DeleteTrainingJobRequest(training_job_id=job_id)
    _same_v2(ours, _v2_theirs("_delete_training_job_http_info", request, _ua_of(ours)))


@SETTINGS
@given(jobs=st.lists(st.tuples(v2_ids, st.sampled_from(["job", "visualization_job"])), min_size=1,
                     max_size=5, unique_by=lambda j: j[0]))  # fmt: skip
def test_v2_batch_delete(jobs: list[tuple[str, str]]) -> None:
    from modelarts_widgets.models_v2 import TrainingJobV2

    models = [TrainingJobV2(job_id=job_id, kind=kind) for job_id, kind in jobs]
    ours = _v2_ours(lambda c: c.batch_delete_v2_jobs(models))
    body = official.BatchDeleteJobsReq(
        jobs=[official.BatchDeleteJobItem(kind=kind, metadata=official.BatchDeleteJobMetadata(id=i))
              for i, kind in jobs]
    )  # fmt: skip
    request = official.BatchDeleteTrainingJobRequest(body=body)
    _same_v2(ours, _v2_theirs("_batch_delete_training_job_http_info", request, _ua_of(ours)))


def _ua_of(sent: requests.PreparedRequest) -> str:
    return str(sent.headers["User-Agent"])
