"""What every aequa report offers: its core JSON, a tidy pandas view and an HTML view."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd


class Report:
    """Base class of reports. Subclasses set ``self._report`` (the core's JSON as a dict)."""

    _report: dict[str, Any]
    #: The report's kind in a dashboard bundle (``metric_frame``, ``explanation``, ...).
    _kind: ClassVar[str] = ""

    @property
    def report(self) -> dict[str, Any]:
        """The report as the core produced it (the same JSON in Python, Rust and the browser)."""
        return self._report

    def to_json(self, path: str | None = None, *, indent: int | None = None) -> str:
        """Serialise the report (NaN is ``null``); write it to ``path`` when given."""
        text = json.dumps(self._report, indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    def to_pandas(self) -> pd.DataFrame:  # pragma: no cover - overridden
        raise NotImplementedError

    def _repr_html_(self) -> str:
        title = html.escape(type(self).__name__)
        table = self.to_pandas().to_html(float_format=lambda v: f"{v:.4g}", na_rep="—")
        notes = "".join(f"<li>{html.escape(w)}</li>" for w in self._report.get("warnings", []))
        warn = f"<ul style='color:#8a4b00'>{notes}</ul>" if notes else ""
        return f"<div><strong>{title}</strong>{table}{warn}</div>"

    # ----- the dashboard -------------------------------------------------------------------
    def _bundle(self) -> dict[str, Any]:
        """A one-report dashboard bundle (subclasses may add the slider's ``data``)."""
        from aequa._bundle import make_bundle

        return make_bundle([self], data=self._bundle_data())

    def _bundle_data(self) -> dict[str, Any] | None:
        return None

    def _bundle_extra(self) -> dict[str, Any]:
        """Keys this report adds to its entry of a bundle's ``reports`` (besides ``kind``,
        ``title`` and ``report``); an Explanation adds its explained rows as ``data``."""
        return {}

    def save_html(self, path: str | Path) -> Path:
        """Write the dashboard for this report as ONE self-contained HTML file.

        The page inlines the dashboard's JavaScript, CSS and WASM module and this report's
        bundle, so it opens offline (``file://``) in any modern browser; a MetricFrame built
        from scores with ``threshold=`` also carries the columns its threshold slider
        recomputes from.

        Parameters
        ----------
        path : str or Path
            Where to write the ``.html`` file.

        Returns
        -------
        Path
            The written file.

        Examples
        --------
        >>> import aequa, os, tempfile
        >>> mf = aequa.MetricFrame(metrics="selection_rate", y_true=[1, 0, 1, 0],
        ...                        y_pred=[1, 0, 0, 1], sensitive_features=["a", "a", "b", "b"])
        >>> out = mf.save_html(os.path.join(tempfile.mkdtemp(), "audit.html"))
        >>> 'id="aequa-bundle">{' in out.read_text(encoding="utf-8")
        True
        """
        from aequa._html import write_html

        return write_html(self._bundle(), path)

    def show(self) -> None:
        """Display the dashboard inline in a notebook (``aequa.widget.Dashboard``)."""
        from IPython.display import display

        from aequa.widget import Dashboard

        display(Dashboard(self))
