"""The notebook widget: the dashboard inline in Jupyter, JupyterLab and VS Code (anywidget).

The widget's front end is the dashboard's own code (``widget.js``, built with it), WASM
included, so nothing runs on a server: ``Dashboard(report)`` sends the report's bundle to the
page and the browser does the rest (the threshold slider recomputes in WASM).
Requires ``anywidget`` (``pip install 'aequa[widget]'``).
"""

from __future__ import annotations

from typing import Any

from aequa._bundle import bundle_json
from aequa._html import asset

try:
    import anywidget
    import traitlets
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "aequa.widget needs anywidget: pip install 'aequa[widget]' (or use "
        "report.save_html(path) for a standalone page)"
    ) from e


class Dashboard(anywidget.AnyWidget):  # type: ignore[misc]
    """The aequa dashboard for one report (or an audit of several) in a notebook.

    Parameters
    ----------
    report : aequa.report.Report
        Any report (``MetricFrame``, ``Explanation``, drift or robustness reports, an audit);
        the widget shows ``report._bundle()``.

    Examples
    --------
    >>> import aequa
    >>> from aequa.widget import Dashboard
    >>> mf = aequa.MetricFrame(metrics="selection_rate", y_true=[1, 0, 1, 0],
    ...                        y_pred=[0.9, 0.2, 0.4, 0.7], threshold=0.5,
    ...                        sensitive_features=["a", "a", "b", "b"])
    >>> w = Dashboard(mf)
    >>> '"kind": "metric_frame"' in w.bundle
    True
    """

    _esm = asset("widget.js")
    bundle = traitlets.Unicode("").tag(sync=True)

    def __init__(self, report: Any, **kwargs: Any) -> None:
        super().__init__(bundle=bundle_json(report._bundle()), **kwargs)
