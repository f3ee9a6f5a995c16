"""The seed pages' sample code, run verbatim against the emulator (only the imports changed).

Pages: "Deleting a Training Job Version" (modelarts_04_0172) and "Deleting a Visualization Job"
(modelarts_04_0188), each with three methods; Methods 2 and 3 first run the linked create
(modelarts_04_0168 / 0181) and list (modelarts_04_0169 / 0182) samples, also verbatim.
``Session()`` takes its credentials from the environment (``emulator_env``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from modelarts_widgets.emulator import ListQuery

DOC_JOB_ID = 182626
DOC_VERSION_ID = 278813
DOC_VIS_ID = 8992

# --- the samples, exactly as printed -----------------------------------------------------------

VERSION_METHOD_1 = """\
from modelarts.session import Session
from modelarts.estimator import Estimator
session = Session()
estimator = Estimator(session, job_id="182626", version_id="278813")
status = estimator.delete_job_version()
"""

# modelarts_04_0168, Example 1
CREATE_VERSION = """\
from modelarts.session import Session
from modelarts.estimator import Estimator
session = Session()
estimator = Estimator(
                      modelarts_session=session,
                      framework_type='PyTorch',                                     # AI engine name
                      framework_version='PyTorch-1.0.0-python3.6',                  # AI engine version
                      code_dir='/bucket/src/',                                      # Training script directory
                      boot_file='/bucket/src/pytorch_sentiment.py',                 # Training boot script directory
                      log_url='/bucket/log/',                                       # Training log directory
                      hyperparameters=[
                                       {"label":"classes",
                                        "value": "10"},
                                       {"label":"lr",
                                        "value": "0.001"}
                                       ],
                      output_path='/bucket/output/',                                # Training output directory
                      train_instance_type='modelarts.vm.gpu.p100',                  # Training environment flavor
                      train_instance_count=1)
job_version_instance = estimator.create_job_version(job_id='182626', pre_version_id=278813, inputs='/bucket/data/train/', wait=False, job_desc='create a job version')
"""  # noqa: E501

VERSION_METHOD_2 = """\
status = job_version_instance.delete_job_version()
"""

# modelarts_04_0169
LIST_VERSIONS = """\
from modelarts.session import Session
from modelarts.estimator import Estimator
session = Session()
estimator = Estimator(session, job_id="182626")
job_version_instance_list = estimator.get_job_version_object_list()
"""

VERSION_METHOD_3 = """\
status = job_version_instance_list[0].delete_job_version()
"""

VIS_METHOD_1 = """\
from modelarts.session import Session
from modelarts.estimator import VisualizationJob
session = Session()
job = VisualizationJob(modelarts_session=session, visualization_id='8992')
status = job.delete_visualization_job()
"""

# modelarts_04_0181
CREATE_VIS = """\
from modelarts.session import Session
from modelarts.estimator import VisualizationJob
session = Session()
job = VisualizationJob(modelarts_session=session)
job_visualization_instance = job.create_visualization_job(train_url='/bucket/train/', job_name='visualization_job', job_desc='my visualization job')
"""  # noqa: E501

VIS_METHOD_2 = """\
status = job_visualization_instance.delete_visualization_job()
"""

# modelarts_04_0182
LIST_VIS = """\
from modelarts.session import Session
from modelarts.estimator import VisualizationJob
session = Session()
job_visualization_instance_list = VisualizationJob.get_visualization_job_object_list(modelarts_session=session, is_show=True, status=8, per_page=10, page=1, sort_by="create_time", order="asc", search_content="job")
"""  # noqa: E501

VIS_METHOD_3 = """\
status = job_visualization_instance_list[0].delete_visualization_job()
"""

_IMPORT = re.compile(r"^from modelarts\.(session|estimator) import ", re.MULTILINE)


def run(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Run a sample with only its import lines pointed at ``modelarts_widgets.sdk``."""
    adapted = _IMPORT.sub("from modelarts_widgets.sdk import ", code)
    assert adapted.count("\n") == code.count("\n")
    exec(compile(adapted, "<sdk sample>", "exec"), namespace)
    return namespace


# --- emulator set-up: the ids the samples use ------------------------------------------------


def add_doc_job(emulator: Any) -> None:
    """Job 182626 with versions 278812 and 278813 (newest), both completed."""
    job_id, versions = emulator.add_training_job(
        "pytorch-sentiment",
        versions=[{"version_id": DOC_VERSION_ID - 1}, {"version_id": DOC_VERSION_ID}],
        job_id=DOC_JOB_ID,
    )
    assert (job_id, versions) == (DOC_JOB_ID, [DOC_VERSION_ID - 1, DOC_VERSION_ID])


def version_ids(emulator: Any, job_id: int = DOC_JOB_ID) -> set[int]:
    body = emulator.backend.list_versions(job_id)
    return {int(v["version_id"]) for v in body["versions"]}


def vis_ids(emulator: Any) -> set[int]:
    body = emulator.backend.list_visualization_jobs(ListQuery(per_page=1000))
    return {int(j["job_id"]) for j in body["jobs"]}


def wait_until(condition: Any, emulator: Any, what: str) -> None:
    """Deletes are asynchronous: finish pending ones, then check (bounded, no sleeping)."""
    for _ in range(50):
        emulator.advance()
        if condition():
            return
    pytest.fail(f"not reached: {what}")


@pytest.fixture
def doc_env(emulator_env: Any) -> Any:
    add_doc_job(emulator_env)
    emulator_env.backend.set_visualization_status(DOC_VIS_ID, 10)
    return emulator_env


# --- the training job version page ------------------------------------------------------------


def test_version_method_1_by_ids(doc_env: Any) -> None:
    ns = run(VERSION_METHOD_1, {})
    assert ns["status"] == {"is_success": True}
    assert ns["session"].auth_method == "aksk"
    wait_until(lambda: DOC_VERSION_ID not in version_ids(doc_env), doc_env, "version gone")
    assert version_ids(doc_env) == {DOC_VERSION_ID - 1}
    path = doc_env.version_path(DOC_JOB_ID, DOC_VERSION_ID)
    assert doc_env.delete_calls == {path: 1}


def test_version_method_2_created_object(doc_env: Any) -> None:
    ns = run(CREATE_VERSION, {})
    created = ns["job_version_instance"]
    assert created.job_id == str(DOC_JOB_ID)
    new_id = int(created.version_id)
    assert new_id not in (DOC_VERSION_ID, DOC_VERSION_ID - 1)
    detail = doc_env.backend.get_version(DOC_JOB_ID, new_id)
    assert detail["pre_version_id"] == DOC_VERSION_ID
    assert detail["data_url"] == "/bucket/data/train/"
    assert detail["train_url"] == "/bucket/output/"
    assert detail["boot_file_url"] == "/bucket/src/pytorch_sentiment.py"
    assert detail["parameter"] == [
        {"label": "classes", "value": "10"},
        {"label": "lr", "value": "0.001"},
    ]
    run(VERSION_METHOD_2, ns)
    assert ns["status"] == {"is_success": True}
    wait_until(lambda: new_id not in version_ids(doc_env), doc_env, "created version gone")
    assert version_ids(doc_env) == {DOC_VERSION_ID - 1, DOC_VERSION_ID}


def test_version_method_3_listed_object(doc_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ns = run(LIST_VERSIONS, {})
    printed = capsys.readouterr().out
    assert "278813" in printed
    assert "V0002" in printed
    listed = ns["job_version_instance_list"]
    assert [(o.job_id, o.version_id) for o in listed] == [
        ("182626", "278813"),
        ("182626", "278812"),
    ]
    run(VERSION_METHOD_3, ns)
    assert ns["status"] == {"is_success": True}
    wait_until(lambda: version_ids(doc_env) == {DOC_VERSION_ID - 1}, doc_env, "newest gone")


def test_version_delete_refused_returns_the_documented_failure_dict(doc_env: Any) -> None:
    doc_env.backend.set_version_status(DOC_JOB_ID, DOC_VERSION_ID, 9)
    ns = run(VERSION_METHOD_1, {})
    assert ns["status"] == {
        "is_success": False,
        "error_code": "ModelArts.0105",
        "error_msg": "This job can't be delete. job status: 9",
    }
    assert DOC_VERSION_ID in version_ids(doc_env)


# --- the visualization job page ---------------------------------------------------------------


def test_vis_method_1_by_id(doc_env: Any) -> None:
    ns = run(VIS_METHOD_1, {})
    assert ns["status"] == {"is_success": True}
    wait_until(lambda: DOC_VIS_ID not in vis_ids(doc_env), doc_env, "vis job gone")
    assert doc_env.delete_calls == {doc_env.visualization_path(DOC_VIS_ID): 1}


def test_vis_method_2_created_object(doc_env: Any) -> None:
    before = vis_ids(doc_env)
    ns = run(CREATE_VIS, {})
    created = ns["job_visualization_instance"]
    assert created.job_name == "visualization_job"
    new_id = int(created.visualization_id)
    assert created.job_id == created.visualization_id
    assert vis_ids(doc_env) == before | {new_id}
    run(VIS_METHOD_2, ns)
    assert ns["status"] == {"is_success": True}
    wait_until(lambda: vis_ids(doc_env) == before, doc_env, "created vis job gone")


def test_vis_method_3_listed_object(doc_env: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ns = run(LIST_VIS, {})
    listed = ns["job_visualization_instance_list"]
    assert listed
    assert all(o.status == 8 and "job" in o.job_name for o in listed)
    assert listed[0].job_name in capsys.readouterr().out
    target = int(listed[0].visualization_id)
    run(VIS_METHOD_3, ns)
    assert ns["status"] == {"is_success": True}
    wait_until(lambda: target not in vis_ids(doc_env), doc_env, "listed vis job gone")


def test_vis_delete_of_a_missing_job_returns_a_failure_dict(doc_env: Any) -> None:
    ns = run(VIS_METHOD_1, {})
    assert ns["status"] == {"is_success": True}
    wait_until(lambda: DOC_VIS_ID not in vis_ids(doc_env), doc_env, "vis job gone")
    run("status = job.delete_visualization_job()\n", ns)
    assert ns["status"]["is_success"] is False
    assert ns["status"]["error_code"] == "ModelArts.2775"
    assert "not found" in ns["status"]["error_msg"]
