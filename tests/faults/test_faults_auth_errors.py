"""Clock skew, wrong project and missing permissions: the server's words plus what to check."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from faults_testlib import show
from listpage import by_key, inactive, page

from modelarts_widgets.errors import AuthenticationError, PermissionDeniedError
from modelarts_widgets.session import Session
from modelarts_widgets.widgets import JobVersionList, VisualizationJobList

SKEW = datetime.timedelta(minutes=20)


def _skewed_session(direction: int) -> Session:
    session = Session()
    auth: Any = session.auth
    auth._clock = lambda: datetime.datetime.now(datetime.timezone.utc) + direction * SKEW
    return session


@pytest.mark.parametrize("direction", [-1, 1], ids=["clock-behind", "clock-ahead"])
def test_clock_skew_names_the_clock_in_the_widget(
    emulator_env: Any, make_list: Any, direction: int
) -> None:
    w = make_list(VisualizationJobList, _skewed_session(direction))
    assert w.n_items == 0
    assert "APIG.0301" in w.error
    assert "clock" in w.error.lower()
    assert "clock" in page(w).error.value.lower()


def test_clock_skew_on_the_server_side_names_the_clock(emulator_env: Any) -> None:
    import time

    emulator_env.backend.clock = lambda: time.time() + SKEW.total_seconds()
    with pytest.raises(AuthenticationError) as info:
        list(Session().client.iter_visualization_jobs())
    assert info.value.error_code == "APIG.0301"
    assert "clock" in str(info.value).lower()


def test_wrong_project_shows_the_servers_words_and_what_to_check(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(JobVersionList, Session(project_id="f" * 32))
    assert w.n_items == 0
    assert "ModelArts.0210" in w.error
    assert "does not match the project of the credentials" in w.error  # the server's words
    assert "project" in w.error.lower()
    assert "check" in w.error.lower()
    assert "HUAWEICLOUD_SDK_PROJECT_ID" in w.error or "project_id" in w.error


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("ModelArts.0108", "No permission to access the resource."),
        ("ModelArts.2785", "The user does not have the permission to call the API."),
    ],
)
def test_missing_permission_on_list_shows_the_servers_words_and_what_to_check(
    emulator_env: Any, make_list: Any, code: str, words: str
) -> None:
    emulator_env.force_error(
        403, count=5, body={"error_code": code, "error_msg": words}, path=r"/visualization-jobs$"
    )
    w = make_list(VisualizationJobList, Session())
    assert code in w.error
    assert words in w.error
    assert "permission" in w.error.lower()
    assert "check" in w.error.lower()
    with pytest.raises(PermissionDeniedError) as info:
        list(Session().client.iter_visualization_jobs())
    assert info.value.status_code == 403
    assert info.value.error_code == code


def test_missing_permission_on_delete_is_a_per_item_failure_in_the_servers_words(
    emulator_env: Any, make_list: Any
) -> None:
    w = make_list(JobVersionList, Session())
    a, b = inactive(w)[:2]
    words = "No permission to delete the job version."
    emulator_env.force_error(
        403,
        body={"error_code": "ModelArts.0108", "error_msg": words},
        path=emulator_env.version_path(*a.key) + "$",
        method="DELETE",
    )
    w.select(keys=[a.key, b.key])
    w.request_delete()
    w.confirm(typed_count=2)
    assert w.wait(30)
    rec = by_key(w.last_result)
    assert rec[a.key]["outcome"] == "failed"
    assert rec[a.key]["error_code"] == "ModelArts.0108"
    assert rec[a.key]["error_msg"] == words
    assert rec[a.key]["http_status"] == 403
    assert "permission" in rec[a.key]["detail"].lower()  # what to check, next to the words
    assert rec[b.key]["outcome"] == "deleted"
    assert emulator_env.delete_calls == {
        emulator_env.version_path(*a.key): 1,
        emulator_env.version_path(*b.key): 1,
    }
    row = show(w, a.key, a.version_name)
    assert "failed: ModelArts.0108" in row
    assert words in row
    assert "1 failed (ModelArts.0108)" in w.status_message
