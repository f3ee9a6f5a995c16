"""The SDK-compatible facade: Session forms, set_endpoint, dict helpers, objects, failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelarts_widgets import sdk
from modelarts_widgets.errors import ConfigurationError, CredentialsNotFoundError, InvalidIdError
from modelarts_widgets.sdk import Estimator, Session, TrainingJob, VisualizationJob


@pytest.fixture(autouse=True)
def _forget_endpoints() -> Iterator[None]:
    Session.reset_endpoints()
    yield
    Session.reset_endpoints()


@pytest.fixture
def session(emulator_env: Any) -> Session:
    return Session()


def first_job_id(session: Session) -> int:
    return int(Estimator.get_job_list(modelarts_session=session)["jobs"][0]["job_id"])


def test_session_from_environment_is_secret_free(session: Session, emulator_env: Any) -> None:
    assert session.project_id == emulator_env.config.project_id
    assert session.region_name == emulator_env.config.region
    assert session.auth_method == "aksk"
    text = repr(session) + repr(session.client)
    assert emulator_env.config.secret_key not in text
    assert emulator_env.config.access_key not in text


def test_session_without_credentials_says_what_was_tried() -> None:
    with pytest.raises(CredentialsNotFoundError):
        Session()


def test_session_rejects_unknown_keywords(emulator_env: Any) -> None:
    with pytest.raises(TypeError, match="bogus"):
        Session(bogus=1)


def test_set_endpoint_normalises_hostnames() -> None:
    Session.set_endpoint(
        iam_endpoint="iam.eu-de.otc.t-systems.com",
        obs_endpoint="obs.eu-de.otc.t-systems.com/",
        modelarts_endpoint="https://modelarts.eu-de.otc.t-systems.com/",
        region_name="eu-de",
    )
    assert Session._endpoints == {
        "iam_endpoint": "https://iam.eu-de.otc.t-systems.com",
        "obs_endpoint": "https://obs.eu-de.otc.t-systems.com",
        "modelarts_endpoint": "https://modelarts.eu-de.otc.t-systems.com",
        "region_name": "eu-de",
    }


def test_set_endpoint_applies_to_later_aksk_sessions(emulator: Any) -> None:
    Session.set_endpoint(
        iam_endpoint=emulator.base_url, modelarts_endpoint=emulator.base_url, region_name="eu-de"
    )
    session = Session(
        access_key=emulator.config.access_key,
        secret_key=emulator.config.secret_key,
        project_id=emulator.config.project_id,
        region_name="eu-de",
    )
    assert session.core.modelarts_endpoint == emulator.base_url
    assert Estimator.get_job_list(modelarts_session=session)["job_total_count"] == 3


def test_password_session_lists_and_deletes(emulator: Any) -> None:
    Session.set_endpoint(iam_endpoint=emulator.base_url, modelarts_endpoint=emulator.base_url)
    session = Session(
        account=emulator.config.domain,
        username=emulator.config.username,
        password=emulator.config.password,
        region_name=emulator.config.region,
    )
    assert session.auth_method == "password"
    assert session.project_id == emulator.config.project_id
    assert emulator.config.password not in repr(session)
    jobs = VisualizationJob.get_visualization_job_object_list(session, is_show=False, status=10)
    assert jobs
    assert jobs[0].delete_visualization_job() == {"is_success": True}


def test_config_file_session(emulator: Any, tmp_path: Path) -> None:
    Session.set_endpoint(modelarts_endpoint=emulator.base_url)
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps(
            {
                "access_key": emulator.config.access_key,
                "secret_key": emulator.config.secret_key,
                "project_id": emulator.config.project_id,
                "region_name": emulator.config.region,
            }
        )
    )
    session = Session(config_file=str(path))
    assert session.project_id == emulator.config.project_id
    bad = tmp_path / "bad.json"
    bad.write_text("[1]")
    with pytest.raises(ConfigurationError, match="JSON object"):
        Session(config_file=str(bad))
    with pytest.raises(ConfigurationError, match="cannot read"):
        Session(config_file=str(tmp_path / "missing.json"))


def test_get_job_list_returns_the_api_dict(session: Session) -> None:
    page = Estimator.get_job_list(modelarts_session=session, per_page=2, page=1, sortBy="job_name")
    assert page["is_success"] is True
    assert page["job_total_count"] == 3
    assert len(page["jobs"]) == 2
    names = [j["job_name"] for j in page["jobs"]]
    assert names == sorted(names, key=str.casefold, reverse=True)  # order='desc' default
    page2 = Estimator.get_job_list(session, per_page=2, page=2, sort_by="job_name", order="asc")
    assert len(page2["jobs"]) == 1


def test_get_job_list_failure_is_a_dict(session: Session) -> None:
    page = Estimator.get_job_list(session, sortBy="no_such_key")
    assert page["is_success"] is False
    assert page["error_code"]
    assert "sortBy" in page["error_msg"]


def test_estimator_dict_helpers(session: Session) -> None:
    job_id = first_job_id(session)
    info = Estimator(session, job_id=job_id).get_job_version_info()
    assert info["job_id"] == job_id
    assert len(info["versions"]) == 3
    version_id = info["versions"][0]["version_id"]
    detail = Estimator(session, job_id=str(job_id), version_id=version_id).get_job_info()
    assert detail["version_id"] == version_id
    missing = Estimator(session, job_id=job_id, version_id=1).get_job_info()
    assert missing["is_success"] is False
    assert missing["error_code"] == "ModelArts.2775"


def test_estimator_objects_and_misuse(session: Session) -> None:
    job_id = first_job_id(session)
    estimator = Estimator(session, job_id=job_id)
    assert repr(estimator) == f"Estimator(job_id='{job_id}', version_id=None)"
    versions = estimator.get_job_version_object_list(is_show=False)
    assert all(isinstance(v, TrainingJob) for v in versions)
    assert "secret" not in repr(versions[0]).lower()
    assert versions[0].get_job_info()["version_id"] == int(versions[0].version_id)
    with pytest.raises(ConfigurationError, match="version_id"):
        estimator.delete_job_version()
    with pytest.raises(ConfigurationError, match="job_id"):
        Estimator(session).get_job_version_info()
    with pytest.raises(InvalidIdError):
        Estimator(session, job_id="../1")
    with pytest.raises(TypeError):
        Estimator.get_job_list(object())


def test_visualization_dict_helpers(session: Session) -> None:
    page = VisualizationJob.get_visualization_job_list(modelarts_session=session, per_page=3)
    assert page["job_total_count"] == 4
    assert len(page["jobs"]) == 3
    job_id = page["jobs"][0]["job_id"]
    info = VisualizationJob(session, visualization_id=job_id).get_visualization_job_info()
    assert info["job_id"] == job_id
    assert info["service_url"]
    gone = VisualizationJob(session, visualization_id="123456").get_visualization_job_info()
    assert gone["is_success"] is False
    with pytest.raises(ValueError, match="per_page"):
        VisualizationJob.get_visualization_job_list(session, per_page=101)


def test_visualization_objects(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    jobs = VisualizationJob.get_visualization_job_object_list(session, sort_by="job_id")
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["job_id", "job_name", "status", "create_time"]
    assert all(isinstance(j, VisualizationJob) for j in jobs)
    assert [j.job_id for j in jobs] == sorted((j.job_id for j in jobs), key=int)
    assert repr(jobs[0]).startswith("VisualizationJob(visualization_id=")
    with pytest.raises(ConfigurationError):
        VisualizationJob(session).delete_visualization_job()


def test_public_names() -> None:
    assert set(sdk.__all__) == {"Estimator", "Session", "TrainingJob", "VisualizationJob"}
