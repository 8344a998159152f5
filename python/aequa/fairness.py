"""One-number fairness measures.

Fairlearn's (symmetric, over all groups): ``demographic_parity_difference/ratio``,
``equalized_odds_difference/ratio``, ``equal_opportunity_difference/ratio``.

AIF360's (signed, unprivileged minus privileged, against an explicit privileged group; the
unprivileged rows are all other groups pooled, as AIF360 does):
``statistical_parity_difference``, ``disparate_impact_ratio``, ``average_odds_difference``,
``average_abs_odds_difference``, ``equal_opportunity_difference_aif360``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from aequa import _core, _inputs
from aequa._core import InvalidArgumentError
from aequa._inputs import level_label
from aequa.metric_frame import MetricFrame

__all__ = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "statistical_parity_difference",
    "disparate_impact_ratio",
    "average_odds_difference",
    "average_abs_odds_difference",
    "equal_opportunity_difference_aif360",
]

Method = Literal["between_groups", "to_overall"]
Agg = Literal["worst_case", "mean"]

_RATES = {
    "demographic_parity": ["selection_rate"],
    "equal_opportunity": ["true_positive_rate"],
    "equalized_odds": ["true_positive_rate", "false_positive_rate"],
}


def _disparity(
    which: str,
    kind: str,
    y_true: Any,
    y_pred: Any,
    sensitive_features: Any,
    method: str,
    sample_weight: Any,
    agg: str,
    **options: Any,
) -> float:
    if agg not in ("worst_case", "mean"):
        raise InvalidArgumentError(f"agg: expected 'worst_case' or 'mean', found {agg!r}")
    if method not in ("between_groups", "to_overall"):
        raise InvalidArgumentError(
            f"method: expected 'between_groups' or 'to_overall', found {method!r}"
        )
    mf = MetricFrame(
        metrics=_RATES[which],
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
        **options,
    )
    return _core.disparity(mf.to_json(), which, kind, method, agg)


_DOC = """
    Parameters
    ----------
    y_true, y_pred : array-like
        Labels and predicted labels (or scores with ``threshold=``).
    sensitive_features : array-like, DataFrame or dict
        One or more columns (several give intersectional groups).
    method : {"between_groups", "to_overall"}
        Compare the extreme groups, or each group with the overall value.
    sample_weight : array-like, optional
    **options
        ``pos_label``, ``threshold``, ``compat`` (as :class:`aequa.MetricFrame`).
"""


def demographic_parity_difference(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: Method = "between_groups",
    sample_weight: Any = None, **options: Any,
) -> float:  # fmt: skip
    """Largest gap in selection rate between groups (0 is parity).

    Examples
    --------
    >>> import aequa
    >>> aequa.demographic_parity_difference([0, 1, 0, 1], [1, 1, 0, 1],
    ...     sensitive_features=["a", "a", "b", "b"])
    0.5
    """
    return _disparity("demographic_parity", "difference", y_true, y_pred, sensitive_features,
                      method, sample_weight, "worst_case", **options)  # fmt: skip


def demographic_parity_ratio(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: Method = "between_groups",
    sample_weight: Any = None, **options: Any,
) -> float:  # fmt: skip
    """Smallest ratio of selection rates between groups (1 is parity)."""
    return _disparity("demographic_parity", "ratio", y_true, y_pred, sensitive_features,
                      method, sample_weight, "worst_case", **options)  # fmt: skip


def equalized_odds_difference(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: Method = "between_groups",
    sample_weight: Any = None, agg: Agg = "worst_case", **options: Any,
) -> float:  # fmt: skip
    """The larger (``agg="worst_case"``) or the mean of the TPR and FPR differences."""
    return _disparity("equalized_odds", "difference", y_true, y_pred, sensitive_features,
                      method, sample_weight, agg, **options)  # fmt: skip


def equalized_odds_ratio(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: Method = "between_groups",
    sample_weight: Any = None, agg: Agg = "worst_case", **options: Any,
) -> float:  # fmt: skip
    """The smaller (``agg="worst_case"``) or the mean of the TPR and FPR ratios."""
    return _disparity("equalized_odds", "ratio", y_true, y_pred, sensitive_features,
                      method, sample_weight, agg, **options)  # fmt: skip


def equal_opportunity_difference(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: Method = "between_groups",
    sample_weight: Any = None, **options: Any,
) -> float:  # fmt: skip
    """Largest gap in true positive rate between groups (Fairlearn's form)."""
    return _disparity("equal_opportunity", "difference", y_true, y_pred, sensitive_features,
                      method, sample_weight, "worst_case", **options)  # fmt: skip


def equal_opportunity_ratio(
    y_true: Any, y_pred: Any, *, sensitive_features: Any, method: Method = "between_groups",
    sample_weight: Any = None, **options: Any,
) -> float:  # fmt: skip
    """Smallest ratio of true positive rates between groups (Fairlearn's form)."""
    return _disparity("equal_opportunity", "ratio", y_true, y_pred, sensitive_features,
                      method, sample_weight, "worst_case", **options)  # fmt: skip


for _f in (demographic_parity_ratio, equalized_odds_difference, equalized_odds_ratio,
           equal_opportunity_difference, equal_opportunity_ratio):  # fmt: skip
    _f.__doc__ = (_f.__doc__ or "") + _DOC
demographic_parity_difference.__doc__ = (demographic_parity_difference.__doc__ or "") + _DOC


def reference_disparities(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    privileged_group: Any,
    pos_label: Any = None,
    threshold: float | None = None,
    sample_weight: Any = None,
) -> dict[str, float]:
    """All of AIF360's signed disparities against ``privileged_group`` at once.

    ``privileged_group`` is a level of the sensitive feature, or a tuple (or dict by
    column name) of levels when there are several sensitive features.
    """
    t, p, pos = _inputs.labels(y_true, y_pred, pos_label, threshold)
    sens = _inputs.groupings(sensitive_features, len(t), "sensitive_feature_", "sensitive_features")
    if isinstance(privileged_group, dict):
        missing = [g.name for g in sens if g.name not in privileged_group]
        if missing:
            raise InvalidArgumentError(f"privileged_group: no level given for {missing}")
        levels = [privileged_group[g.name] for g in sens]
    elif isinstance(privileged_group, tuple):
        levels = list(privileged_group)
    else:
        levels = [privileged_group]
    if len(levels) != len(sens):
        raise InvalidArgumentError(
            f"privileged_group: expected {len(sens)} level(s), one per sensitive feature, "
            f"found {len(levels)}"
        )
    w = _inputs.weights(sample_weight, len(t))
    spec = json.dumps({"pos_label": pos, "threshold": threshold})
    out = json.loads(
        _core.reference_disparities(
            t, p, w, [g.for_core() for g in sens], spec, [level_label(v) for v in levels]
        )
    )
    return {k: (float("nan") if v is None else float(v)) for k, v in out["values"].items()}


def _aif360(name: str, doc: str, public_name: str | None = None) -> Any:
    def fn(
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Any,
        privileged_group: Any,
        pos_label: Any = None,
        threshold: float | None = None,
        sample_weight: Any = None,
    ) -> float:
        return reference_disparities(
            y_true,
            y_pred,
            sensitive_features=sensitive_features,
            privileged_group=privileged_group,
            pos_label=pos_label,
            threshold=threshold,
            sample_weight=sample_weight,
        )[name]

    fn.__doc__ = doc
    fn.__name__ = fn.__qualname__ = public_name or name
    return fn


statistical_parity_difference = _aif360(
    "statistical_parity_difference",
    "Selection rate of the unprivileged rows minus the privileged group's (0 is parity).",
)
disparate_impact_ratio = _aif360(
    "disparate_impact_ratio",
    "Selection rate of the unprivileged rows over the privileged group's (1 is parity; "
    "the 'four-fifths rule' flags values below 0.8).",
)
average_odds_difference = _aif360(
    "average_odds_difference",
    "Mean of the FPR difference and the TPR difference (unprivileged minus privileged).",
)
average_abs_odds_difference = _aif360(
    "average_abs_odds_difference",
    "Mean of the absolute FPR and TPR differences (unprivileged vs privileged).",
)
equal_opportunity_difference_aif360 = _aif360(
    "equal_opportunity_difference",
    "TPR of the unprivileged rows minus the privileged group's (AIF360's signed form).",
    "equal_opportunity_difference_aif360",
)
