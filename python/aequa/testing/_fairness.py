"""``assert_fairness``: a group metric, its difference or its ratio against a threshold.

The numbers come from :class:`aequa.MetricFrame` (one Rust pass, bootstrap intervals); this
module only chooses the metric, checks the thresholds, compares, and writes the message.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from aequa._core import InvalidArgumentError
from aequa.metric_frame import MetricFrame, SmallGroupWarning
from aequa.testing._args import number
from aequa.testing._errors import FairnessAssertionError
from aequa.testing._fairness_message import _headline, _message
from aequa.testing._fairness_metric import _resolve_metric, _thresholds
from aequa.testing._fairness_units import _group_rows, _label, _units
from aequa.testing._result import CheckResult, finish, resolve_seed

__all__ = ["assert_fairness"]


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
