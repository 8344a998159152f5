"""Partial dependence and ICE curves, scikit-learn's ``method="brute"``; the computation runs
in the Rust core (``aequa_core::explain``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core, _inputs
from aequa._core import InvalidArgumentError
from aequa.explain._inspect_common import (
    _array,
    _batch,
    _column_index,
    _matrix,
    _outputs,
    _resolve,
    _response,
)
from aequa.report import Report

__all__ = ["PartialDependenceResult", "partial_dependence"]


class PartialDependenceResult(Report):
    """Partial dependence and ICE, with scikit-learn's ``Bunch`` field names.

    Attributes
    ----------
    grid_values : list of ndarray
        The grid axis of each feature.
    average : ndarray of shape (n_outputs, *grid_shape) or None
    individual : ndarray of shape (n_outputs, n_samples, *grid_shape) or None
    features : list of int
    feature_names : list of str
    outputs : list of int
        The model output columns reported.
    model_calls, rows_evaluated : int
    model_used : str
        How the model ran (see :class:`PermutationImportanceResult`).
    """

    _kind = "partial_dependence"

    model_used: str = ""

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.grid_values = [np.asarray(v, dtype=np.float64) for v in report["grid_values"]]
        shape = [len(v) for v in self.grid_values]
        k = len(report["outputs"])
        n = int(report["params"]["n_rows"])
        self.average = (
            None if report["average"] is None else _array(report["average"]).reshape(k, *shape)
        )
        self.individual = (
            None
            if report["individual"] is None
            else _array(report["individual"]).reshape(k, n, *shape)
        )
        self.features: list[int] = list(report["features"])
        self.feature_names: list[str] = list(report["feature_names"])
        self.outputs: list[int] = list(report["outputs"])
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])

    def __getitem__(self, key: str) -> Any:
        """Bunch-style access: ``result["average"]``."""
        if key in self.keys():
            return getattr(self, key)
        raise KeyError(key)

    def keys(self) -> list[str]:
        keys = ["grid_values"]
        keys += [k for k in ("average", "individual") if getattr(self, k) is not None]
        return keys

    def to_pandas(self) -> pd.DataFrame:
        """Long form: one row per (output, grid point) with the ``average``, or — for
        ``kind="individual"`` — one row per (output, row, grid point) with the ICE value."""
        grid = np.array(np.meshgrid(*self.grid_values, indexing="ij")).reshape(
            len(self.grid_values), -1
        )
        frames = []
        for k, out in enumerate(self.outputs):
            df = pd.DataFrame({name: grid[i] for i, name in enumerate(self.feature_names)})
            if self.average is not None:
                df.insert(0, "output", out)
                df["average"] = self.average[k].ravel()
                frames.append(df)
                continue
            ice = self.individual[k].reshape(len(self.individual[k]), -1)  # type: ignore[index]
            long = df.loc[np.tile(np.arange(grid.shape[1]), len(ice))].reset_index(drop=True)
            long.insert(0, "row", np.repeat(np.arange(len(ice)), grid.shape[1]))
            long.insert(0, "output", out)
            long["individual"] = ice.ravel()
            frames.append(long)
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """PDP and ICE curves, or a contour for two features (needs matplotlib); see
        :func:`aequa.plot.partial_dependence`."""
        from aequa.plot.explain import partial_dependence

        return partial_dependence(self, ax, **kw)

    def __repr__(self) -> str:
        return (
            f"PartialDependenceResult(features={self.feature_names}, "
            f"grid={[len(v) for v in self.grid_values]}, model_calls={self.model_calls})"
        )


def partial_dependence(
    model: Any,
    X: Any,
    features: Any,
    *,
    response_method: str = "auto",
    percentiles: tuple[float, float] = (0.05, 0.95),
    grid_resolution: int = 100,
    kind: str = "average",
    sample_weight: Any = None,
    categorical_features: Any = None,
    custom_values: Mapping[Any, Any] | None = None,
) -> PartialDependenceResult:
    """Partial dependence and ICE curves, scikit-learn's ``method="brute"``.

    Parameters
    ----------
    model : NativeModel, estimator or callable
        For an estimator, ``response_method`` picks ``predict`` (regressors),
        ``predict_proba`` or ``decision_function`` (classifiers); a binary classifier's
        probabilities are reported for the positive class only, as scikit-learn does. A
        callable or NativeModel is evaluated as is, every output column reported.
    X : array-like or DataFrame of shape (n_samples, n_features)
    features : int, str, or a list of one or two of them
        The feature (or pair of features, varied jointly on the 2-D grid).
    response_method : {"auto", "predict", "predict_proba", "decision_function"}
    percentiles : (float, float), default=(0.05, 0.95)
        The grid spans these percentiles of each feature (scipy's ``mquantiles``).
    grid_resolution : int, default=100
        Points per axis; a feature with fewer distinct values uses those values.
    kind : {"average", "individual", "both"}, default="average"
    sample_weight : array-like, default=None
        Weights of the average (the ICE curves are unweighted).
    categorical_features : list of int or str, default=None
        Features whose grid is their distinct values.
    custom_values : dict, default=None
        Explicit grid axis per feature (index or name → values).

    Returns
    -------
    PartialDependenceResult
        ``grid_values``, ``average`` (n_outputs, *grid), ``individual``
        (n_outputs, n_samples, *grid), plus ``model_calls``, ``rows_evaluated``.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import partial_dependence
    >>> X = np.column_stack([np.linspace(0, 1, 50), np.linspace(2, 3, 50) ** 2])
    >>> pd_ = partial_dependence(lambda A: 2 * A[:, 0] + A[:, 1], X, [0], grid_resolution=5)
    >>> pd_.grid_values[0].round(3).tolist()
    [0.039, 0.269, 0.5, 0.731, 0.961]
    >>> bool(np.allclose(np.diff(pd_.average[0]), 2 * np.diff(pd_.grid_values[0])))
    True
    """
    Xa, names, columns = _matrix(X)
    if isinstance(features, (str, int, np.integer)):
        features = [features]
    idx = [_column_index(f, names, "features") for f in features]
    if len(tuple(percentiles)) != 2:
        raise InvalidArgumentError(
            f"percentiles: expected two values (low, high), found {tuple(percentiles)!r}"
        )
    if kind not in ("average", "individual", "both"):
        raise InvalidArgumentError(
            f"kind: expected 'average', 'individual' or 'both', found {kind!r}"
        )
    if isinstance(grid_resolution, bool) or not isinstance(grid_resolution, (int, np.integer)):
        raise InvalidArgumentError(f"grid_resolution: expected an int, found {grid_resolution!r}")
    methods, classifier = _response(model, response_method)
    resolved = _resolve(model, Xa, columns, methods)
    outputs = _outputs(resolved, classifier)
    cats = set()
    if categorical_features is not None:
        cats = {_column_index(c, names, "categorical_features") for c in categorical_features}
    custom: dict[int, list[float]] = {}
    for key, values in (custom_values or {}).items():
        custom[_column_index(key, names, "custom_values")] = [
            float(v) for v in np.asarray(values, dtype=np.float64).ravel()
        ]
    options = {
        "features": idx,
        "percentiles": [float(percentiles[0]), float(percentiles[1])],
        "grid_resolution": int(grid_resolution),
        "kind": kind,
        "categorical": [j in cats for j in idx],
        "custom_values": [custom.get(j) for j in idx],
        "outputs": outputs,
        "feature_names": names,
        "max_batch_elements": _batch(resolved),
    }
    weights = _inputs.weights(sample_weight, len(Xa))
    text = _core.partial_dependence(resolved.model, Xa, json.dumps(options), weights)
    result = PartialDependenceResult(json.loads(text))
    result.model_used = resolved.method
    return result
