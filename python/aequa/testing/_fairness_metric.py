"""The metric an :func:`aequa.testing.assert_fairness` check names (a fairness criterion, a
built-in metric or a callable) and the thresholds it is compared with."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from aequa._core import InvalidArgumentError
from aequa.metrics import builtin_name
from aequa.testing._args import number
from aequa.testing._result import fmt

# Fairness criteria: the base metric(s) whose gap they measure (Fairlearn's definitions).
_CRITERIA = {
    "demographic_parity": ("selection_rate",),
    "equal_opportunity": ("true_positive_rate",),
    "equalized_odds": ("true_positive_rate", "false_positive_rate"),
}


_BUILTINS = (
    "selection_rate", "true_positive_rate", "false_positive_rate", "true_negative_rate",
    "false_negative_rate", "precision_score", "recall_score", "negative_predictive_value",
    "false_discovery_rate", "false_omission_rate", "accuracy_score", "error_rate",
    "balanced_accuracy_score", "mean_prediction", "mean_absolute_error", "mean_squared_error",
    "root_mean_squared_error",
)  # fmt: skip


# Metrics whose values are not proportions in [0, 1].
_UNBOUNDED = {
    "mean_prediction", "mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
}  # fmt: skip


@dataclass
class _Metric:
    label: str  # what the message calls it
    metrics: dict[str, Any]  # MetricFrame's metrics
    bounded: bool  # values are proportions
    summary: str | None  # "difference" / "ratio" when the name implies one


def _resolve_metric(metric: Any) -> _Metric:
    name = metric if isinstance(metric, str) else getattr(metric, "__name__", None)
    if isinstance(name, str):
        for stem, bases in _CRITERIA.items():
            for summary in (None, "difference", "ratio"):
                full = stem if summary is None else f"{stem}_{summary}"
                if name == full and (isinstance(metric, str) or _is_aequa(metric)):
                    return _Metric(full, {b: b for b in bases}, True, summary)
    if isinstance(metric, str):
        core = {"recall_score": "true_positive_rate"}.get(metric, metric)
        if core not in _BUILTINS:
            raise InvalidArgumentError(
                f"metric: unknown metric {metric!r}; expected a fairness criterion "
                f"({', '.join(_CRITERIA)}, or one of them + '_difference' / '_ratio'), a "
                f"built-in metric ({', '.join(_BUILTINS)}) or a callable f(y_true, y_pred)"
            )
        return _Metric(metric, {metric: metric}, metric not in _UNBOUNDED, None)
    if callable(metric):
        core_name = builtin_name(metric)
        label = str(core_name or getattr(metric, "__name__", type(metric).__name__))
        bounded = core_name is not None and core_name not in _UNBOUNDED
        return _Metric(label, {label: metric}, bounded, None)
    raise InvalidArgumentError(
        f"metric: expected a metric name or a callable f(y_true, y_pred), found "
        f"{type(metric).__name__}"
    )


def _is_aequa(f: Any) -> bool:
    return (getattr(f, "__module__", "") or "").split(".")[0] in ("aequa", "fairlearn")


def _thresholds(m: _Metric, limits: dict[str, Any]) -> dict[str, float]:
    given = {k: number(v, k) for k, v in limits.items() if v is not None}
    if not given:
        raise InvalidArgumentError(
            "max_difference: expected one threshold: max_difference, min_ratio, or "
            "max_value / min_value (per group); found none"
        )
    if "max_difference" in given and "min_ratio" in given:
        raise InvalidArgumentError(
            "min_ratio: pass either max_difference or min_ratio, not both (run two checks "
            "to test both)"
        )
    summary = [k for k in ("max_difference", "min_ratio") if k in given]
    per_group = [k for k in ("max_value", "min_value") if k in given]
    if summary and per_group:
        raise InvalidArgumentError(
            f"{per_group[0]}: pass either {summary[0]} or per-group limits "
            "(max_value / min_value), not both"
        )
    if m.summary == "difference" and "min_ratio" in given:
        raise InvalidArgumentError(f"min_ratio: metric {m.label!r} is a difference; pass "
                                   "max_difference (or use the '_ratio' metric)")  # fmt: skip
    if m.summary == "ratio" and "max_difference" in given:
        raise InvalidArgumentError(f"max_difference: metric {m.label!r} is a ratio; pass "
                                   "min_ratio (or use the '_difference' metric)")  # fmt: skip
    if m.summary is not None and per_group:
        raise InvalidArgumentError(
            f"{per_group[0]}: metric {m.label!r} is one number per check; per-group limits "
            f"need a criterion or base metric (e.g. {m.label.rsplit('_', 1)[0]!r})"
        )
    hi = 1.0 if m.bounded else math.inf
    if "max_difference" in given and not 0.0 <= given["max_difference"] <= hi:
        raise InvalidArgumentError(
            f"max_difference: expected a value in [0, {fmt(hi)}] for {m.label!r}, found "
            f"{given['max_difference']:g}"
        )
    if "min_ratio" in given and not 0.0 <= given["min_ratio"] <= 1.0:
        raise InvalidArgumentError(
            f"min_ratio: expected a value in [0, 1] (a ratio is at most 1; 0.8 is the "
            f"four-fifths rule), found {given['min_ratio']:g}"
        )
    for k in per_group:
        if m.bounded and not 0.0 <= given[k] <= 1.0:
            raise InvalidArgumentError(
                f"{k}: expected a value in [0, 1] for {m.label!r}, found {given[k]:g}"
            )
    if len(per_group) == 2 and given["min_value"] > given["max_value"]:
        raise InvalidArgumentError(
            f"min_value: expected at most max_value={given['max_value']:g}, found "
            f"{given['min_value']:g}"
        )
    return given
