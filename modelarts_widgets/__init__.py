"""Jupyter widgets to list and safely delete ModelArts training job versions and vis jobs.

Public names (pinned by ``tests/test_public_api.py``)::

    from modelarts_widgets import JobVersionList, VisualizationJobList, Session

The widgets and the session are imported lazily, so ``python -m modelarts_widgets.emulator``
and the client do not pay for importing ipywidgets.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from modelarts_widgets.errors import (
    APIError,
    AuthenticationError,
    CredentialsNotFoundError,
    InvalidIdError,
    ModelArtsError,
    PermissionDeniedError,
    RateLimitError,
    TransportError,
)
from modelarts_widgets.models import (
    DeleteResult,
    JobStatus,
    JobVersion,
    TrainingJob,
    VisualizationJob,
)

if TYPE_CHECKING:
    from modelarts_widgets.session import Session
    from modelarts_widgets.widgets import JobVersionList, TrainingJobList, VisualizationJobList

__version__ = "0.1.0"

__all__ = [
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
]

_LAZY = {
    "Session": "modelarts_widgets.session",
    "JobVersionList": "modelarts_widgets.widgets",
    "TrainingJobList": "modelarts_widgets.widgets",
    "VisualizationJobList": "modelarts_widgets.widgets",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'modelarts_widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
