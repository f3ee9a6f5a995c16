"""Read-only checks against real ModelArts (marker ``real_api``).

They run only when ``MODELARTS_REAL_AK``, ``MODELARTS_REAL_SK`` and ``MODELARTS_REAL_REGION``
are set (optionally ``MODELARTS_REAL_PROJECT_ID``, ``MODELARTS_REAL_SECURITY_TOKEN``,
``MODELARTS_REAL_ENDPOINT``); otherwise every test here is skipped, so CI never leaves
127.0.0.1. Nothing is deleted: listing and parsing are what the emulator cannot prove.
"""

from __future__ import annotations

import itertools
import os

import pytest

pytestmark = pytest.mark.real_api

_REQUIRED = ("MODELARTS_REAL_AK", "MODELARTS_REAL_SK", "MODELARTS_REAL_REGION")
_missing = [name for name in _REQUIRED if not os.environ.get(name)]
if _missing:
    pytest.skip(
        "real ModelArts tests need " + ", ".join(_missing) + " (read-only; see this module)",
        allow_module_level=True,
    )


@pytest.fixture
def real_session():  # type: ignore[no-untyped-def]
    from modelarts_widgets import Session

    env = os.environ
    return Session(
        access_key=env["MODELARTS_REAL_AK"],
        secret_key=env["MODELARTS_REAL_SK"],
        security_token=env.get("MODELARTS_REAL_SECURITY_TOKEN") or None,
        project_id=env.get("MODELARTS_REAL_PROJECT_ID") or None,
        region_name=env["MODELARTS_REAL_REGION"],
        modelarts_endpoint=env.get("MODELARTS_REAL_ENDPOINT") or None,
    )


def test_real_training_jobs_and_versions_parse(real_session) -> None:  # type: ignore[no-untyped-def]
    jobs = list(itertools.islice(real_session.client.iter_training_jobs(per_page=10), 10))
    for job in jobs[:3]:
        for version in real_session.client.list_job_versions(job.job_id):
            assert version.job_id == job.job_id
            assert version.version_id > 0


def test_real_visualization_jobs_parse(real_session) -> None:  # type: ignore[no-untyped-def]
    jobs = list(itertools.islice(real_session.client.iter_visualization_jobs(per_page=10), 10))
    assert all(job.job_id for job in jobs)


def test_real_widget_lists_without_secrets(real_session) -> None:  # type: ignore[no-untyped-def]
    from modelarts_widgets import VisualizationJobList

    widget = VisualizationJobList(real_session)
    try:
        assert widget.wait(120)  # the listing runs in the background
        assert widget.error == ""
        state = repr([child.get_state() for child in widget.children]) + repr(widget.get_state())
        for secret in (os.environ["MODELARTS_REAL_AK"], os.environ["MODELARTS_REAL_SK"]):
            assert secret not in state
    finally:
        widget.close()
