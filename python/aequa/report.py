"""What every aequa report offers: its core JSON, a tidy pandas view and an HTML view."""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd


class Report:
    """Base class of reports. Subclasses set ``self._report`` (the core's JSON as a dict)."""

    _report: dict[str, Any]

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
