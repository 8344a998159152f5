"""First-order accumulated local effects (ALE) of one feature; the computation runs in the
Rust core (``aequa_core::explain::ale``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core
from aequa.explain._inspect_common import (
    _array,
    _column_index,
    _matrix,
    _outputs,
    _resolve,
    _response,
)
from aequa.report import Report

__all__ = ["AccumulatedLocalEffects", "accumulated_local_effects"]


class AccumulatedLocalEffects(Report):
    """First-order ALE of one feature.

    Attributes
    ----------
    edges : ndarray of shape (n_bins + 1,)
    ale : ndarray of shape (n_outputs, n_bins + 1)
        The centred effect at each edge.
    local_effects : ndarray of shape (n_outputs, n_bins)
        Mean prediction difference across each bin.
    counts : ndarray of shape (n_bins,)
    centring : ndarray of shape (n_outputs,)
    feature, feature_name, outputs, warnings, model_calls, rows_evaluated, model_used
    """

    _kind = "ale"

    model_used: str = ""

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.edges = np.asarray(report["edges"], dtype=np.float64)
        k = len(report["outputs"])
        self.ale = _array(report["ale"]).reshape(k, -1)
        self.local_effects = _array(report["local_effects"]).reshape(k, -1)
        self.counts = np.asarray(report["counts"], dtype=np.int64)
        self.centring = _array(report["centring"])
        self.feature: int = int(report["feature"])
        self.feature_name: str = report["feature_name"]
        self.outputs: list[int] = list(report["outputs"])
        self.warnings: list[str] = list(report["warnings"])
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])

    def to_pandas(self) -> pd.DataFrame:
        """One row per (output, edge): the edge value and the centred effect."""
        frames = [
            pd.DataFrame({"output": out, self.feature_name: self.edges, "ale": self.ale[k]})
            for k, out in enumerate(self.outputs)
        ]
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """The ALE curve (needs matplotlib); see :func:`aequa.plot.accumulated_local_effects`."""
        from aequa.plot.explain import accumulated_local_effects

        return accumulated_local_effects(self, ax, **kw)

    def __repr__(self) -> str:
        return (
            f"AccumulatedLocalEffects(feature={self.feature_name!r}, bins={len(self.counts)}, "
            f"model_calls={self.model_calls})"
        )


def accumulated_local_effects(
    model: Any,
    X: Any,
    feature: Any,
    *,
    bins: int | Sequence[float] = 20,
    response_method: str = "auto",
) -> AccumulatedLocalEffects:
    """Accumulated local effects (Apley & Zhu 2020) of one feature.

    Quantile bins of the feature; in each bin the mean change of the prediction when the
    feature moves from the bin's lower to its upper edge (every row keeping its other
    features); accumulated over the bins and centred so the curve averages to zero over the
    data. Unlike partial dependence, it never evaluates the model on unlikely combinations of
    correlated features. The definition is spelled out in ``aequa_core::explain::ale``.

    Parameters
    ----------
    model : NativeModel, estimator or callable
        As in :func:`partial_dependence` (a binary classifier's positive class only).
    X : array-like or DataFrame of shape (n_samples, n_features)
    feature : int or str
    bins : int or sequence of float, default=20
        The number of quantile bins, or explicit increasing edges.
    response_method : {"auto", "predict", "predict_proba", "decision_function"}

    Returns
    -------
    AccumulatedLocalEffects

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import accumulated_local_effects
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> ale = accumulated_local_effects(lambda A: 2 * A[:, 0] - A[:, 1], X, 0, bins=10)
    >>> bool(np.allclose(np.diff(ale.ale[0]), 2 * np.diff(ale.edges)))
    True
    """
    Xa, names, columns = _matrix(X)
    j = _column_index(feature, names, "feature")
    methods, classifier = _response(model, response_method)
    resolved = _resolve(model, Xa, columns, methods)
    outputs = _outputs(resolved, classifier)
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        bins_json: Any = int(bins)
    else:
        bins_json = [float(v) for v in np.asarray(bins, dtype=np.float64).ravel()]
    options = {"feature": j, "bins": bins_json, "outputs": outputs, "feature_names": names}
    text = _core.accumulated_local_effects(resolved.model, Xa, json.dumps(options))
    result = AccumulatedLocalEffects(json.loads(text))
    result.model_used = resolved.method
    return result
