"""Base metrics under Fairlearn's and scikit-learn's names, computed in Rust.

Each function works on its own (``aequa.selection_rate(y_true, y_pred)``) and, passed to
:class:`aequa.MetricFrame`, is recognised and computed per group in one Rust pass. The same
holds for Fairlearn's and scikit-learn's functions of these names and for the metric names
as strings.

Undefined values (a zero denominator) are NaN by default; ``compat="fairlearn"`` returns
Fairlearn's / scikit-learn's value instead (0 for the rates and precision).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aequa import _core, _inputs

__all__ = [
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "precision_score",
    "recall_score",
    "negative_predictive_value",
    "false_discovery_rate",
    "false_omission_rate",
    "accuracy_score",
    "error_rate",
    "balanced_accuracy_score",
    "mean_prediction",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "builtin_name",
]

# Functions of other libraries that are the same metric as a built-in (module prefix, name).
_FOREIGN = {
    ("fairlearn", "count"): "count",
    ("fairlearn", "selection_rate"): "selection_rate",
    ("fairlearn", "true_positive_rate"): "true_positive_rate",
    ("fairlearn", "false_positive_rate"): "false_positive_rate",
    ("fairlearn", "true_negative_rate"): "true_negative_rate",
    ("fairlearn", "false_negative_rate"): "false_negative_rate",
    ("fairlearn", "mean_prediction"): "mean_prediction",
    ("sklearn", "accuracy_score"): "accuracy_score",
    ("sklearn", "precision_score"): "precision_score",
    ("sklearn", "recall_score"): "true_positive_rate",
    ("sklearn", "balanced_accuracy_score"): "balanced_accuracy_score",
    ("sklearn", "mean_absolute_error"): "mean_absolute_error",
    ("sklearn", "mean_squared_error"): "mean_squared_error",
    ("sklearn", "root_mean_squared_error"): "root_mean_squared_error",
}


def builtin_name(metric: Any) -> str | None:
    """The core name of a built-in metric (a name, an aequa function, or the Fairlearn or
    scikit-learn function of that name), else ``None``."""
    if isinstance(metric, str):
        return metric
    name = getattr(metric, "_aequa_metric", None)
    if name is not None:
        return str(name)
    module = (getattr(metric, "__module__", None) or "").split(".")[0]
    return _FOREIGN.get((module, getattr(metric, "__name__", "")))


def _evaluate(
    name: str,
    y_true: Any,
    y_pred: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    threshold: float | None = None,
    compat: str = "aequa",
) -> float:
    t, p, pos = _inputs.labels(y_true, y_pred, pos_label, threshold)
    options = {
        "metrics": [name],
        "spec": {"pos_label": pos, "threshold": threshold},
        "compat": compat,
    }
    w = _inputs.weights(sample_weight, len(t))
    return float(_core.overall_metrics(t, p, w, json.dumps(options))[0])


def _make(name: str, doc: str, *, weighted: bool = True) -> Callable[..., float]:
    if weighted:

        def metric(
            y_true: Any,
            y_pred: Any,
            *,
            pos_label: Any = None,
            sample_weight: Any = None,
            threshold: float | None = None,
            compat: str = "aequa",
        ) -> float:
            return _evaluate(
                name,
                y_true,
                y_pred,
                pos_label=pos_label,
                sample_weight=sample_weight,
                threshold=threshold,
                compat=compat,
            )

    else:

        def metric(y_true: Any, y_pred: Any) -> float:  # type: ignore[misc]
            return _evaluate(name, y_true, y_pred)

    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = doc
    metric._aequa_metric = name  # type: ignore[attr-defined]
    return metric


_PARAMS = """
    Parameters
    ----------
    y_true, y_pred : array-like
        Labels and predictions (numpy, pandas, polars, pyarrow or lists).
    pos_label : scalar, optional
        The positive label; by default 1 (labels must then be in {0, 1} or {-1, 1}).
    sample_weight : array-like, optional
        Non-negative weights.
    threshold : float, optional
        Turn scores into decisions: ``y_pred >= threshold`` is positive.
    compat : {"aequa", "fairlearn"}
        Undefined values: NaN (``"aequa"``) or Fairlearn's value (``"fairlearn"``).
"""

count = _make("count", "Number of rows (weights are ignored, as in Fairlearn).", weighted=False)
selection_rate = _make("selection_rate", "Share of rows predicted positive.\n" + _PARAMS)
true_positive_rate = _make("true_positive_rate", "TP / (TP + FN), recall.\n" + _PARAMS)
recall_score = true_positive_rate
false_positive_rate = _make("false_positive_rate", "FP / (FP + TN).\n" + _PARAMS)
true_negative_rate = _make("true_negative_rate", "TN / (TN + FP), specificity.\n" + _PARAMS)
false_negative_rate = _make("false_negative_rate", "FN / (TP + FN).\n" + _PARAMS)
precision_score = _make("precision_score", "TP / (TP + FP), positive predictive value.\n" + _PARAMS)
negative_predictive_value = _make("negative_predictive_value", "TN / (TN + FN).\n" + _PARAMS)
false_discovery_rate = _make("false_discovery_rate", "FP / (TP + FP).\n" + _PARAMS)
false_omission_rate = _make("false_omission_rate", "FN / (TN + FN).\n" + _PARAMS)
accuracy_score = _make("accuracy_score", "(TP + TN) / N.\n" + _PARAMS)
error_rate = _make("error_rate", "(FP + FN) / N.\n" + _PARAMS)
balanced_accuracy_score = _make("balanced_accuracy_score", "Mean of TPR and TNR.\n" + _PARAMS)
mean_prediction = _make("mean_prediction", "Weighted mean of y_pred.\n" + _PARAMS)
mean_absolute_error = _make(
    "mean_absolute_error", "Weighted mean of |y_true - y_pred|.\n" + _PARAMS
)
mean_squared_error = _make(
    "mean_squared_error", "Weighted mean of (y_true - y_pred)^2.\n" + _PARAMS
)
root_mean_squared_error = _make(
    "root_mean_squared_error", "Square root of the mean squared error.\n" + _PARAMS
)
