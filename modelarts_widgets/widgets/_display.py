"""Static fallback of the list widgets: ``text/plain`` and ``text/html`` next to the view.

ipywidgets 8 builds a widget's output in ``_repr_mimebundle_``; ipywidgets 7 in
``_ipython_display_`` (:data:`NEEDS_IPYTHON_DISPLAY`). Both paths publish :func:`mimebundle`,
so exported notebooks and front ends without the widget manager still show a summary line and
a table of the page.
"""

from __future__ import annotations

from typing import Any, Optional

import ipywidgets as w

__all__ = ["NEEDS_IPYTHON_DISPLAY", "display_bundle", "mimebundle"]

#: ipywidgets 7 displays widgets through ``_ipython_display_`` (no ``_repr_mimebundle_``).
NEEDS_IPYTHON_DISPLAY = not hasattr(w.Widget, "_repr_mimebundle_")


def mimebundle(text: str, html: str, view_name: Any, model_id: Optional[str]) -> dict[str, Any]:
    """The display data: the summary, the HTML snapshot and (if live) the widget view."""
    data: dict[str, Any] = {"text/plain": text, "text/html": html}
    if view_name is not None and model_id is not None:
        data["application/vnd.jupyter.widget-view+json"] = {
            "version_major": 2,
            "version_minor": 0,
            "model_id": model_id,
        }
    return data


def display_bundle(bundle: dict[str, Any]) -> None:
    """Publish ``bundle`` as raw display data (the ipywidgets 7 path)."""
    from IPython.display import display

    display(bundle, raw=True)  # type: ignore[no-untyped-call]
