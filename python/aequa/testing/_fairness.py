"""``assert_fairness``: a group metric, its difference or its ratio against a threshold.

The numbers come from :class:`aequa.MetricFrame` (one Rust pass, bootstrap intervals); this
module only chooses the metric, checks the thresholds, compares, and writes the message.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aequa._core import InvalidArgumentError
from aequa.metric_frame import MetricFrame, SmallGroupWarning
from aequa.metrics import builtin_name
from aequa.testing._args import number
from aequa.testing._errors import FairnessAssertionError
from aequa.testing._result import CheckResult, finish, fmt, resolve_seed, table

__all__ = ["assert_fairness"]

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


def _grid(obj: Any, names: list[str]) -> pd.DataFrame:
    """A summary (scalar, Series by metric, or DataFrame control × metric) as a frame."""
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, pd.Series):
        return obj.to_frame().T.set_axis([None], axis=0)
    return pd.DataFrame([[obj]], columns=names[:1], index=[None])


def _label(key: Any) -> str:
    if isinstance(key, tuple):
        return " / ".join(str(k) for k in key)
    return "" if key is None else str(key)


@dataclass
class _Unit:
    metric: str
    where: Any  # control level (summaries) or group key (per-group limits)
    value: float
    lo: float
    hi: float
    limit: str  # the threshold's argument name
    threshold: float

    @property
    def upper(self) -> bool:
        return self.limit.startswith("max")

    @property
    def excess(self) -> float:
        """How far past the threshold (> 0: broken; NaN: undefined)."""
        return self.value - self.threshold if self.upper else self.threshold - self.value

    @property
    def violated(self) -> bool:
        return math.isnan(self.value) or self.excess > 0

    @property
    def significant(self) -> bool:
        if math.isnan(self.value):
            return True
        bound = self.lo if self.upper else self.hi
        if math.isnan(bound):
            return self.violated
        return bound > self.threshold if self.upper else bound < self.threshold


def assert_fairness(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    metric: Any = "demographic_parity",
    max_difference: float | None = None,
    min_ratio: float | None = None,
    max_value: float | None = None,
    min_value: float | None = None,
    method: str = "between_groups",
    sample_weight: Any = None,
    control_features: Any = None,
    significance: float | None = None,
    n_boot: int = 1000,
    random_state: int | None = None,
    pos_label: Any = None,
    threshold: float | None = None,
) -> CheckResult:
    """Assert that a model treats groups alike, within a threshold.

    Exactly one kind of threshold: ``max_difference`` (the largest gap between groups, or to
    the overall value), ``min_ratio`` (the smallest quotient, e.g. 0.8 for the four-fifths
    rule), or per-group limits ``max_value`` / ``min_value`` (every group's metric).

    Parameters
    ----------
    y_true, y_pred : array-like
        Labels and predictions (or scores with ``threshold``).
    sensitive_features : array-like, DataFrame or dict
        The groups (several columns give intersectional groups).
    metric : str or callable, default "demographic_parity"
        A criterion — ``"demographic_parity"`` (selection rate), ``"equal_opportunity"``
        (true positive rate), ``"equalized_odds"`` (true and false positive rates, the worse
        of the two) — or the same name + ``"_difference"`` / ``"_ratio"`` (Fairlearn's
        functions, which fix the threshold kind), a built-in metric name
        (``"accuracy_score"``, ...) or any callable ``f(y_true, y_pred)``.
    max_difference, min_ratio, max_value, min_value : float, optional
        The threshold (see above). Differences of proportions and per-group limits of
        proportions lie in [0, 1], ratios in [0, 1].
    method : {"between_groups", "to_overall"}
        Differences and ratios between groups, or of each group to the overall value.
    sample_weight : array-like, optional
    control_features : array-like, DataFrame or dict, optional
        Compare groups within each control level; the worst level decides.
    significance : float, optional
        Significance mode for small test sets: with ``significance=alpha`` the check fails
        only when the ``1 - alpha`` bootstrap interval lies entirely on the wrong side of
        the threshold (the violation is significant). A point estimate past the threshold
        whose interval still contains it passes, with a warning.
    n_boot : int, default 1000
        Bootstrap replicates for the interval in the message (0: none; significance mode
        needs at least 1).
    random_state : int, optional
        Seed of the bootstrap. ``None`` draws one (or takes pytest's ``--aequa-seed``); the
        seed is in the result and the message, so a run can be reproduced.
    pos_label, threshold : optional
        As for :class:`aequa.MetricFrame`.

    Returns
    -------
    CheckResult
        ``report`` is the :class:`aequa.MetricFrame`.

    Raises
    ------
    FairnessAssertionError
        When the threshold is broken (significantly, in significance mode); the message has
        the per-group table, the groups at fault and by how much, the interval and the data
        size.
    aequa.InvalidArgumentError
        For an unknown metric or a missing, doubled or out-of-range threshold.

    Examples
    --------
    >>> from aequa.testing import assert_fairness
    >>> y_true = [1, 0, 1, 0, 1, 0, 1, 0]
    >>> y_pred = [1, 0, 1, 0, 1, 1, 0, 0]
    >>> groups = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> result = assert_fairness(y_true, y_pred, sensitive_features=groups,
    ...                          max_difference=0.1, random_state=0)
    >>> result.passed, result.value
    (True, 0.0)
    >>> assert_fairness(y_true, y_pred, sensitive_features=groups, metric="equal_opportunity",
    ...                 max_difference=0.1, n_boot=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aequa.testing.FairnessAssertionError: equal_opportunity: true_positive_rate ...
    ...
    """
    m = _resolve_metric(metric)
    limits = _thresholds(
        m,
        {"max_difference": max_difference, "min_ratio": min_ratio, "max_value": max_value,
         "min_value": min_value},
    )  # fmt: skip
    if method not in ("between_groups", "to_overall"):
        raise InvalidArgumentError(
            f"method: expected 'between_groups' or 'to_overall', found {method!r}"
        )
    alpha = 0.05
    if significance is not None:
        alpha = number(significance, "significance")
        if not 0.0 < alpha < 1.0:
            raise InvalidArgumentError(
                f"significance: expected an alpha in (0, 1) such as 0.05, found {alpha:g}"
            )
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise InvalidArgumentError(f"n_boot: expected an integer >= 0, found {n_boot!r}")
    if significance is not None and n_boot < 1:
        raise InvalidArgumentError(
            "n_boot: significance mode needs bootstrap intervals; pass n_boot >= 1 "
            "(1000 is the default)"
        )
    seed: int | None = resolve_seed(random_state)
    quantiles = [alpha / 2, 1 - alpha / 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)  # reported in the message instead
        mf = MetricFrame(
            metrics=m.metrics,
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=sensitive_features,
            control_features=control_features,
            sample_weight=sample_weight,
            n_boot=int(n_boot) or None,
            ci_quantiles=quantiles if n_boot else None,
            random_state=seed,
            pos_label=pos_label,
            threshold=threshold,
        )
    if not n_boot:
        seed = None  # nothing was drawn
    names = list(m.metrics)
    units = _units(mf, names, limits, method, bool(n_boot))
    broken = [u for u in units if (u.significant if significance is not None else u.violated)]
    # The unit the message leads with: the worst of those that fail the check, else of all.
    worst = max(broken or units, key=lambda u: math.inf if math.isnan(u.value) else u.excess)
    passed = not broken
    kind = "ratio" if "min_ratio" in limits else "difference" if limits.keys() & {
        "max_difference"} else "per-group value"  # fmt: skip
    name = f"{m.label} {kind}" + (f" ({method})" if kind != "per-group value" else "")
    n = int(mf.sizes["rows"].sum())
    result = CheckResult(
        check="fairness",
        name=name,
        passed=passed,
        value=worst.value,
        threshold=worst.threshold,
        operator="<=" if worst.upper else ">=",
        interval=None if not n_boot else (worst.lo, worst.hi),
        significance=None if significance is None else alpha,
        n=n,
        seed=seed,
        details={
            "metric": m.label,
            "base_metrics": names,
            "method": method,
            "limits": limits,
            "n_boot": int(n_boot),
            "groups": _group_rows(mf, names),
            "units": [
                {
                    "metric": u.metric,
                    "where": _label(u.where),
                    "value": u.value,
                    "interval": [u.lo, u.hi],
                    "limit": u.limit,
                    "threshold": u.threshold,
                    "violated": u.violated,
                    "significant": u.significant,
                }
                for u in units
            ],  # fmt: skip
        },
        report=mf,
    )
    result.message = _message(result, m, mf, units, worst, method, alpha)
    if passed and significance is not None and any(u.violated for u in units):
        warnings.warn(
            "assert_fairness passed in significance mode although the point estimate breaks "
            f"the threshold: {_headline(m, worst, method, kind)} (not significant at "
            f"alpha={alpha:g} with {n} rows)",
            InconclusiveCheckWarning,
            stacklevel=2,
        )
    return finish(result, FairnessAssertionError)


class InconclusiveCheckWarning(UserWarning):
    """A significance-mode check passed although its point estimate broke the threshold."""


def _units(
    mf: MetricFrame, names: list[str], limits: dict[str, float], method: str, has_ci: bool
) -> list[_Unit]:
    units = []
    for limit, thr in limits.items():
        if limit in ("max_difference", "min_ratio"):
            fn = "difference" if limit == "max_difference" else "ratio"
            values = _grid(getattr(mf, fn)(method), names)
            cis = [_grid(q, names) for q in getattr(mf, f"{fn}_ci")(method)] if has_ci else []
        else:
            values = mf.by_group
            cis = mf.by_group_ci if has_ci else []
            if isinstance(values, pd.Series):
                values = values.to_frame(names[0])
                cis = [c.to_frame(names[0]) if isinstance(c, pd.Series) else c for c in cis]
        defined = _defined_groups(mf, names) if limit in ("max_difference", "min_ratio") else {}
        for where in values.index:
            for metric in names:
                v = float(values.loc[where, metric])
                if defined and defined.get((metric, where), 0) < 2:
                    v = math.nan  # a gap needs two groups with a value
                lo = float(cis[0].loc[where, metric]) if cis else math.nan
                hi = float(cis[1].loc[where, metric]) if cis else math.nan
                units.append(_Unit(metric, where, v, lo, hi, limit, thr))
    return units


def _defined_groups(mf: MetricFrame, names: list[str]) -> dict[tuple[str, Any], int]:
    """Groups with a defined value, per (metric, control level or None)."""
    by_group = mf.by_group
    if isinstance(by_group, pd.Series):
        by_group = by_group.to_frame(names[0])
    n_ctrl = len(mf.control_levels or [])
    out: dict[tuple[str, Any], int] = {}
    for key in by_group.index:
        where = _ctrl(key, n_ctrl) if n_ctrl else None
        for metric in names:
            if not math.isnan(float(by_group.loc[key, metric])):
                out[(metric, where)] = out.get((metric, where), 0) + 1
    for metric in names:  # make sure every (metric, level) is present
        for where in {_ctrl(k, n_ctrl) for k in by_group.index} if n_ctrl else {None}:
            out.setdefault((metric, where), 0)
    return out


def _group_rows(mf: MetricFrame, names: list[str]) -> list[dict[str, Any]]:
    by_group = mf.by_group
    if isinstance(by_group, pd.Series):
        by_group = by_group.to_frame(names[0])
    cis = mf.by_group_ci if mf.n_boot else []
    cis = [c.to_frame(names[0]) if isinstance(c, pd.Series) else c for c in cis]
    sizes = mf.sizes
    rows = []
    for key in by_group.index:
        row: dict[str, Any] = {"group": _label(key), "rows": int(sizes.loc[key, "rows"])}
        for metric in names:
            row[metric] = float(by_group.loc[key, metric])
            if cis:
                row[f"{metric} interval"] = [float(cis[0].loc[key, metric]),
                                             float(cis[1].loc[key, metric])]  # fmt: skip
        rows.append(row)
    return rows


def _headline(m: _Metric, u: _Unit, method: str, kind: str) -> str:
    base = f"{m.label}: " if m.label != u.metric else ""
    where = f" within {_label(u.where)}" if u.where is not None and kind != "per-group value" \
        else ""  # fmt: skip
    if kind == "per-group value":
        subject = f"{base}{u.metric} of group {_label(u.where)}"
    else:
        subject = f"{base}{u.metric} {kind} ({method}){where}"
    if math.isnan(u.value):
        if kind == "per-group value":
            return f"{subject} is undefined"
        return f"{subject} is undefined: fewer than two groups have a defined {u.metric}"
    side = "above" if u.upper else "below"
    if u.excess > 0:
        return f"{subject} is {fmt(u.value)}, {side} {u.limit}={u.threshold:g} by {fmt(u.excess)}"
    return f"{subject} is {fmt(u.value)}, within {u.limit}={u.threshold:g}"


def _message(
    result: CheckResult,
    m: _Metric,
    mf: MetricFrame,
    units: list[_Unit],
    worst: _Unit,
    method: str,
    alpha: float,
) -> str:
    kind = result.name.split(" ", 1)[1].split(" (")[0]
    level = f"{(1 - alpha) * 100:g}%"
    lines = [_headline(m, worst, method, kind) + "."]
    if result.interval is not None and not math.isnan(worst.lo):
        lines.append(
            f"{level} bootstrap interval: [{fmt(worst.lo)}, {fmt(worst.hi)}] "
            f"(n_boot={result.details['n_boot']}, random_state={result.seed})."
        )
    if result.significance is not None:
        side = "above" if worst.upper else "below"
        if math.isnan(worst.value):
            lines.append(f"Significance mode (alpha={alpha:g}): an undefined value fails.")
        elif result.passed and worst.violated:
            lines.append(
                f"Significance mode (alpha={alpha:g}): the {level} interval contains "
                f"{worst.threshold:g}, so the violation is not statistically significant and "
                "the check passes."
            )
        elif result.passed:
            lines.append(
                f"Significance mode (alpha={alpha:g}): fails only when the {level} interval "
                f"lies entirely {side} the threshold."
            )
        else:
            lines.append(
                f"Significance mode (alpha={alpha:g}): the {level} interval lies entirely "
                f"{side} {worst.threshold:g}, so the violation is statistically significant."
            )
    if kind == "per-group value":
        over = [u for u in units if u.violated and not math.isnan(u.value)]
        if over:
            lines.append(
                "Groups past their limit: "
                + "; ".join(
                    f"{_label(u.where)} {u.metric}={fmt(u.value)} "
                    f"({'above' if u.upper else 'below'} {u.limit}={u.threshold:g} by "
                    f"{fmt(u.excess)})"
                    for u in over
                )
                + "."
            )
    elif not math.isnan(worst.value):
        lines.append(_culprits(mf, worst, method, kind))
    flags = _flags(mf, units, worst, method, kind)
    n_groups = len(mf.sizes)
    smallest = mf.sizes["rows"].idxmin()
    lines.append(
        f"Data: {result.n} rows, {n_groups} groups of {', '.join(mf.sensitive_levels)}"
        + (f" within {', '.join(mf.control_levels)}" if mf.control_levels else "")
        + f"; smallest group {_label(smallest)} with {int(mf.sizes['rows'].min())} rows."
    )
    lines.append("")
    lines.append(_table(result, mf, level, flags))
    undefined = mf.undefined
    for _, row in undefined.iterrows():
        group = _label(tuple([*(row["control"] or []), *(row["group"] or [])]))
        lines.append(f"Undefined: {row['metric']} for group {group}: {row['reason'].rstrip('.')}.")
    for w in mf.warnings:
        lines.append(f"Note: {w}.")
    return "\n".join(lines)


def _culprits(mf: MetricFrame, u: _Unit, method: str, kind: str) -> str:
    """Which groups make the gap of unit ``u``."""
    by_group = mf.by_group
    col = by_group[u.metric] if isinstance(by_group, pd.DataFrame) else by_group
    n_ctrl = len(mf.control_levels or [])
    if n_ctrl:
        keys = [k for k in col.index if _ctrl(k, n_ctrl) == u.where]
        col = col.loc[keys]
    col = col.dropna()
    if col.empty:
        return "No group has a defined value."
    if method == "between_groups":
        hi_key, lo_key = col.idxmax(), col.idxmin()
        text = (
            f"Groups furthest apart: {_label(hi_key)} ({fmt(col[hi_key])}) and "
            f"{_label(lo_key)} ({fmt(col[lo_key])})."
        )
        pairs = _broken_pairs(col, u, kind)
        if len(col) > 2 and len(pairs) > 1:
            shown = ", ".join(f"{a} vs {b} {fmt(gap)}" for a, b, gap in pairs[:_MAX_PAIRS])
            more = f" and {len(pairs) - _MAX_PAIRS} more" if len(pairs) > _MAX_PAIRS else ""
            what = "differences above" if kind == "difference" else "ratios below"
            text += f" {len(pairs)} pairs of groups have {what} {u.threshold:g}: {shown}{more}."
        return text
    ov = _overall_value(mf, u)
    if kind == "difference":
        off = [(k, float(v)) for k, v in col.items() if abs(float(v) - ov) > u.threshold]
        if not off:
            return f"Every group is within {u.threshold:g} of the overall value {fmt(ov)}."
        listed = ", ".join(f"{_label(k)} ({fmt(v)}, gap {fmt(abs(v - ov))})" for k, v in off)
        return f"Groups further than {u.threshold:g} from the overall value {fmt(ov)}: {listed}."
    off = [
        (k, float(v))
        for k, v in col.items()
        if ov and min(v / ov, ov / v if v else 0) < u.threshold
    ]
    if not off:
        return f"Every group's ratio to the overall value {fmt(ov)} is at least {u.threshold:g}."
    listed = ", ".join(f"{_label(k)} ({fmt(v)})" for k, v in off)
    return f"Groups whose ratio to the overall value {fmt(ov)} is below {u.threshold:g}: {listed}."


_MAX_PAIRS = 5


def _broken_pairs(col: pd.Series, u: _Unit, kind: str) -> list[tuple[str, str, float]]:
    """Every pair of groups whose gap (or ratio) breaks the threshold, worst first."""
    items = sorted(((k, float(v)) for k, v in col.items()), key=lambda kv: -kv[1])
    out = []
    for i, (ka, va) in enumerate(items):
        for kb, vb in items[i + 1 :]:
            if kind == "difference" and va - vb > u.threshold:
                out.append((_label(ka), _label(kb), va - vb))
            elif kind == "ratio" and va > 0 and vb / va < u.threshold:
                out.append((_label(kb), _label(ka), vb / va))
    return sorted(out, key=lambda p: -p[2] if kind == "difference" else p[2])


def _ctrl(key: Any, n_ctrl: int) -> Any:
    parts = key if isinstance(key, tuple) else (key,)
    return parts[0] if n_ctrl == 1 else tuple(parts[:n_ctrl])


def _flags(
    mf: MetricFrame, units: list[_Unit], worst: _Unit, method: str, kind: str
) -> dict[str, str]:
    """A note per group row of the table: where it breaks the threshold."""
    if kind == "per-group value":
        notes: dict[str, list[str]] = {}
        for u in units:
            if u.violated and not math.isnan(u.value):
                side = "above" if u.upper else "below"
                notes.setdefault(_label(u.where), []).append(
                    f"{u.metric} {side} {u.limit} by {fmt(u.excess)}"
                )
        return {k: "<- " + "; ".join(v) for k, v in notes.items()}
    if math.isnan(worst.value) or not worst.violated:
        return {}
    by_group = mf.by_group
    col = by_group[worst.metric] if isinstance(by_group, pd.DataFrame) else by_group
    n_ctrl = len(mf.control_levels or [])
    if n_ctrl:
        col = col.loc[[k for k in col.index if _ctrl(k, n_ctrl) == worst.where]]
    col = col.dropna()
    if col.empty:
        return {}
    if method == "between_groups":
        return {_label(col.idxmax()): f"<- highest {worst.metric}",
                _label(col.idxmin()): f"<- lowest {worst.metric}"}  # fmt: skip
    ov = _overall_value(mf, worst)
    out = {}
    for k, v in col.items():
        gap = abs(float(v) - ov)
        bad = (
            gap > worst.threshold
            if kind == "difference"
            else _ratio_to(float(v), ov) < worst.threshold
        )
        if bad:
            out[_label(k)] = (
                f"<- {worst.metric} {'gap' if kind == 'difference' else 'ratio'} "
                + fmt(gap if kind == "difference" else _ratio_to(float(v), ov))
            )
    return out


def _ratio_to(v: float, ov: float) -> float:
    if v == ov:
        return 1.0
    if v <= 0 or ov <= 0:
        return 0.0
    return min(v / ov, ov / v)


def _overall_value(mf: MetricFrame, u: _Unit) -> float:
    overall = mf.overall
    if isinstance(overall, pd.DataFrame):
        return float(overall.loc[u.where, u.metric])
    if isinstance(overall, pd.Series):
        return float(overall[u.metric])
    return float(overall)


def _table(result: CheckResult, mf: MetricFrame, level: str, flags: dict[str, str]) -> str:
    names = result.details["base_metrics"]
    header = [" / ".join([*(mf.control_levels or []), *mf.sensitive_levels]), "rows"]
    for metric in names:
        header.append(metric)
        if result.interval is not None:
            header.append(f"{level} interval")
    rows = []
    for g in result.details["groups"]:
        row = [g["group"], str(g["rows"])]
        for metric in names:
            row.append(fmt(g[metric]))
            if result.interval is not None:
                lo, hi = g[f"{metric} interval"]
                row.append(f"[{fmt(lo)}, {fmt(hi)}]")
        row.append(flags.get(g["group"], ""))
        rows.append(row)
    header.append("")
    overall = mf.overall
    if not mf.control_levels:
        row = ["(overall)", str(result.n)]
        ov = overall if isinstance(overall, pd.Series) else pd.Series({names[0]: overall})
        ci = mf.overall_ci if result.interval is not None else []
        for metric in names:
            row.append(fmt(ov[metric]))
            if result.interval is not None:
                lo, hi = (c[metric] if isinstance(c, pd.Series) else c for c in ci)
                row.append(f"[{fmt(lo)}, {fmt(hi)}]")
        row.append("")
        rows.append(row)
    return table(header, rows)
