"""The list widgets: :class:`JobVersionList` and :class:`VisualizationJobList`."""

from __future__ import annotations

from modelarts_widgets.widgets.version_list import JobVersionList
from modelarts_widgets.widgets.visualization_list import VisualizationJobList

__all__ = ["JobVersionList", "VisualizationJobList"]
