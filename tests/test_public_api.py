"""The package's public surface is small and deliberate; changing it must be a conscious act."""

from __future__ import annotations

import subprocess
import sys

import pytest

import modelarts_widgets

EXPECTED = {
    "APIError",
    "AuthenticationError",
    "CredentialsNotFoundError",
    "DeleteResult",
    "InvalidIdError",
    "JobStatus",
    "JobVersion",
    "JobVersionList",
    "ModelArtsError",
    "PermissionDeniedError",
    "RateLimitError",
    "Session",
    "TrainingJob",
    "TrainingJobList",
    "TransportError",
    "VisualizationJob",
    "VisualizationJobList",
    "__version__",
}


def test_all_is_pinned() -> None:
    assert set(modelarts_widgets.__all__) == EXPECTED


def test_every_public_name_resolves() -> None:
    for name in modelarts_widgets.__all__:
        assert getattr(modelarts_widgets, name) is not None, name


def test_lazy_names_are_the_real_classes() -> None:
    from modelarts_widgets.session import Session
    from modelarts_widgets.widgets import JobVersionList, TrainingJobList, VisualizationJobList

    assert modelarts_widgets.Session is Session
    assert modelarts_widgets.TrainingJobList is TrainingJobList
    assert modelarts_widgets.JobVersionList is JobVersionList
    assert modelarts_widgets.VisualizationJobList is VisualizationJobList


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        modelarts_widgets.NoSuchThing  # noqa: B018


def test_sdk_surface_matches_the_documented_names() -> None:
    from modelarts_widgets import sdk

    for name in ("Session", "Estimator", "VisualizationJob"):
        assert hasattr(sdk, name), name
    assert callable(sdk.Session.set_endpoint)
    for method in ("delete_job_version", "get_job_version_object_list", "get_job_version_info"):
        assert callable(getattr(sdk.Estimator, method)), method
    for method in ("delete_visualization_job", "create_visualization_job"):
        assert callable(getattr(sdk.VisualizationJob, method)), method


def test_emulator_client_and_bulk_engine_do_not_import_widgets() -> None:
    code = (
        "import sys, modelarts_widgets.emulator, modelarts_widgets.client, "
        "modelarts_widgets.session, modelarts_widgets.sdk, modelarts_widgets.bulk; "
        "bad = [m for m in sys.modules "
        "if m.startswith(('ipywidgets', 'modelarts_widgets.widgets'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
