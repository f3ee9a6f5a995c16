"""Keyword sets shared by a protocol and its providers (``client/_options.py``): defaults, and
an unknown name refused with ``TypeError`` before any request, as a misspelt keyword would be."""

from __future__ import annotations

import types

import pytest

from modelarts_widgets.client import HttpClient, OfficialSdkApi, RestClient
from modelarts_widgets.client._options import V2ListOptions, new_version, v2_list_options
from modelarts_widgets.client.v2 import V2Client
from modelarts_widgets.errors import InvalidIdError

NOWHERE = "http://127.0.0.1:9"  # nothing listens: any request would fail with TransportError


def test_v2_list_defaults() -> None:
    query = v2_list_options({"kinds": ["job"], "order": "asc"})
    assert set(query) == set(V2ListOptions.__annotations__)  # every keyword, given or default
    assert (query["kinds"], query["order"], query["sort_by"]) == (["job"], "asc", "create_time")
    assert query["exclude_kinds"] == ()
    assert query["workspace_ids"] is None  # every workspace listed


def test_unknown_keywords_are_refused_before_any_request() -> None:
    v2 = V2Client(HttpClient(NOWHERE, None), "p")
    with pytest.raises(TypeError, match="'kind'"):
        v2.iter_v2_jobs(kind=["job"])
    with pytest.raises(TypeError, match="'on_reslt'"):
        v2.delete_v2_jobs(["a"], on_reslt=print)
    rest = RestClient(HttpClient(NOWHERE, None), "p")
    official = OfficialSdkApi(types.SimpleNamespace(project_id="p"))
    for api in (rest, official):
        with pytest.raises(TypeError, match="'pre_version'"):
            api.create_job_version(1, pre_version=2)


def test_new_version_checks_ids_and_keeps_config() -> None:
    config = {"data_url": "/b/d/"}
    new = new_version("007", {"pre_version_id": "12", "config": config})
    assert (new.job_id, new.pre_version_id, new.job_desc) == ("7", 12, "")
    assert new.fields() == {"data_url": "/b/d/", "pre_version_id": 12}
    assert new.config == config
    assert new.config is not config
    assert new_version(7, {}).fields() == {}
    with pytest.raises(InvalidIdError, match="pre_version_id"):
        new_version(7, {"pre_version_id": 0})
