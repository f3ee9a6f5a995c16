"""Static fallback for the list widgets: ``text/plain`` and ``text/html`` next to the view.

ipywidgets 8 builds a widget's output in ``_repr_mimebundle_``; ipywidgets 7 in
``_ipython_display_``. Both paths here publish the same bundle, so exported notebooks and
front ends without the widget manager still show a summary line and a table of the page.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

__all__ = ["StaticFallback"]


class StaticFallback:
    """Mixin for a DOM widget with ``_text_summary()`` and ``_snapshot_html()``."""

    _view_name: Any
    _model_id: Any

    def _text_summary(self) -> str:
        raise NotImplementedError

    def _snapshot_html(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self._text_summary()}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text/plain": self._text_summary(),
            "text/html": self._snapshot_html(),
        }
        if self._view_name is not None and self._model_id is not None:
            data["application/vnd.jupyter.widget-view+json"] = {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self._model_id,
            }
        return data

    if not hasattr(w.Widget, "_repr_mimebundle_"):  # ipywidgets 7: display goes through here

        def _ipython_display_(self, **kwargs: Any) -> None:
            from IPython.display import display

            display(self._repr_mimebundle_(), raw=True)  # type: ignore[no-untyped-call]
            if self._view_name is not None:
                self._handle_displayed(**kwargs)  # type: ignore[attr-defined]
