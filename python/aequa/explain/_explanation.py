"""The result of an attribution method, with SHAP's field names."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from aequa._core import InvalidArgumentError
from aequa.report import Report


class Explanation(Report):
    """Feature attributions for a batch of rows.

    Attributes
    ----------
    values : ndarray
        ``(rows, features)`` for a single-output model, ``(rows, features, outputs)`` else.
    base_values : ndarray
        Expected model output: ``(rows,)`` or ``(rows, outputs)``.
    data : ndarray or None
        The explained rows.
    feature_names, output_names : list of str
    additivity_residual : ndarray
        ``f(x) - base_values - values.sum(features)``, same shape as ``base_values``.
    model_calls, rows_evaluated : int
        What the explanation cost.
    """

    _kind = "explanation"

    def __init__(self, report: dict[str, Any], data: np.ndarray | None = None) -> None:
        self._report = report
        rows, features, outputs = report["shape"]
        values = _array(report["values"]).reshape(rows, features, outputs)
        base = _array(report["base_values"]).reshape(rows, outputs)
        resid = _array(report["additivity_residual"]).reshape(rows, outputs)
        single = outputs == 1
        self.values = values[:, :, 0] if single else values
        self.base_values = base[:, 0] if single else base
        self.additivity_residual = resid[:, 0] if single else resid
        self.data = data
        self.feature_names: list[str] = list(report["feature_names"])
        self.output_names: list[str] = list(report["output_names"])
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])
        self.method: str = report["method"]

    @classmethod
    def from_json(cls, text: str, data: np.ndarray | None = None) -> Explanation:
        """Rebuild from :meth:`to_json`."""
        return cls(json.loads(text), data)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.values.shape)

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def to_shap(self) -> Any:
        """A real ``shap.Explanation`` (requires shap), so SHAP's plots work on it."""
        import shap

        return shap.Explanation(
            values=self.values,
            base_values=self.base_values,
            data=self.data,
            feature_names=self.feature_names,
            output_names=self.output_names if self.values.ndim == 3 else None,
        )

    def mean_abs(self) -> pd.Series | pd.DataFrame:
        """Global importance: mean |value| per feature (and output)."""
        m = np.abs(self.values).mean(axis=0)
        if m.ndim == 1:
            return pd.Series(m, index=self.feature_names, name="mean_abs_shap")
        return pd.DataFrame(m, index=self.feature_names, columns=self.output_names)

    def to_pandas(self) -> pd.DataFrame:
        """One row per (row, feature[, output]) with the value and the feature's data."""
        rows, features = self.values.shape[:2]
        outputs = self.output_names if self.values.ndim == 3 else [None]
        records = []
        vals = self.values if self.values.ndim == 3 else self.values[:, :, None]
        for i in range(rows):
            for j in range(features):
                for k, out in enumerate(outputs):
                    rec = {"row": i, "feature": self.feature_names[j], "value": vals[i, j, k]}
                    if out is not None:
                        rec["output"] = out
                    if self.data is not None:
                        rec["data"] = self.data[i, j]
                    records.append(rec)
        return pd.DataFrame(records)

    def _bundle_extra(self) -> dict[str, Any]:
        """The explained rows (``data``) for the dashboard's beeswarm colours."""
        if self.data is None:
            return {}
        from aequa._bundle import explained_rows

        return {"data": explained_rows(self.data, self.feature_names, len(self))}

    def plot(self, ax: Any = None, *, kind: str = "bar", **kw: Any) -> Any:
        """Global importance bars (``kind="bar"``) or a beeswarm summary (``"beeswarm"``);
        needs matplotlib. See :func:`aequa.plot.explanation_bar` and
        :func:`aequa.plot.explanation_beeswarm`."""
        from aequa.plot.explain import explanation_bar, explanation_beeswarm

        if kind not in ("bar", "beeswarm"):
            raise InvalidArgumentError(f"kind: expected 'bar' or 'beeswarm', found {kind!r}")
        draw = explanation_bar if kind == "bar" else explanation_beeswarm
        return draw(self, ax, **kw)

    def __repr__(self) -> str:
        return (
            f"Explanation(method={self.method!r}, shape={self.shape}, "
            f"model_calls={self.model_calls})"
        )


def _array(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)
