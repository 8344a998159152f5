"""aequa: Responsible-AI checks with a Rust core.

Fairness assessment with Fairlearn's names and numbers (``MetricFrame``, the base metrics, the
one-number disparities) and AIF360's signed forms, computed in one Rust pass, with bootstrap
intervals and significance tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aequa import _lazy

if TYPE_CHECKING:
    from aequa import drift as drift
    from aequa import robust as robust
    from aequa._core import (
        AequaError,
        InternalError,
        InvalidArgumentError,
        LengthMismatchError,
        NonFiniteError,
        UnsupportedError,
    )
    from aequa._core import __version__ as __version__
    from aequa.accumulator import FairnessAccumulator
    from aequa.fairness import (
        average_abs_odds_difference,
        average_odds_difference,
        demographic_parity_difference,
        demographic_parity_ratio,
        disparate_impact_ratio,
        equal_opportunity_difference,
        equal_opportunity_difference_aif360,
        equal_opportunity_ratio,
        equalized_odds_difference,
        equalized_odds_ratio,
        reference_disparities,
        statistical_parity_difference,
    )
    from aequa.metric_frame import MetricFrame, SmallGroupWarning
    from aequa.metrics import (
        accuracy_score,
        balanced_accuracy_score,
        count,
        error_rate,
        false_discovery_rate,
        false_negative_rate,
        false_omission_rate,
        false_positive_rate,
        mean_absolute_error,
        mean_prediction,
        mean_squared_error,
        negative_predictive_value,
        precision_score,
        recall_score,
        root_mean_squared_error,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )

# The names below load on first use (PEP 562), so `import aequa.testing.plugin` (pytest's entry
# point, loaded at every pytest start) imports neither the extension, numpy nor pandas.
_SUBMODULES = ("drift", "robust")
_EXPORTS = {
    "aequa._core": ("AequaError", "InternalError", "InvalidArgumentError", "LengthMismatchError",
                    "NonFiniteError", "UnsupportedError", "__version__"),
    "aequa.accumulator": ("FairnessAccumulator",),
    "aequa.fairness": ("average_abs_odds_difference", "average_odds_difference",
                       "demographic_parity_difference", "demographic_parity_ratio",
                       "disparate_impact_ratio", "equal_opportunity_difference",
                       "equal_opportunity_difference_aif360", "equal_opportunity_ratio",
                       "equalized_odds_difference", "equalized_odds_ratio",
                       "reference_disparities", "statistical_parity_difference"),
    "aequa.metric_frame": ("MetricFrame", "SmallGroupWarning"),
    "aequa.metrics": ("accuracy_score", "balanced_accuracy_score", "count", "error_rate",
                      "false_discovery_rate", "false_negative_rate", "false_omission_rate",
                      "false_positive_rate", "mean_absolute_error", "mean_prediction",
                      "mean_squared_error", "negative_predictive_value", "precision_score",
                      "recall_score", "root_mean_squared_error", "selection_rate",
                      "true_negative_rate", "true_positive_rate"),
}  # fmt: skip
_ORIGIN = {name: module for module, names in _EXPORTS.items() for name in names}
__getattr__, __dir__ = _lazy.attach(__name__, _EXPORTS, _SUBMODULES)


__all__ = [
    "AequaError",
    "InternalError",
    "InvalidArgumentError",
    "LengthMismatchError",
    "NonFiniteError",
    "UnsupportedError",
    "FairnessAccumulator",
    "MetricFrame",
    "SmallGroupWarning",
    "accuracy_score",
    "average_abs_odds_difference",
    "average_odds_difference",
    "balanced_accuracy_score",
    "count",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_difference_aif360",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "error_rate",
    "false_discovery_rate",
    "false_negative_rate",
    "false_omission_rate",
    "false_positive_rate",
    "mean_absolute_error",
    "mean_prediction",
    "mean_squared_error",
    "negative_predictive_value",
    "precision_score",
    "recall_score",
    "reference_disparities",
    "root_mean_squared_error",
    "selection_rate",
    "statistical_parity_difference",
    "true_negative_rate",
    "true_positive_rate",
]
