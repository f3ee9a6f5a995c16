"""Jupyter widgets to list and safely delete ModelArts training job versions and vis jobs."""

from __future__ import annotations

__version__ = "0.1.0"
