"""Plots of aequa's reports (matplotlib, an optional extra: ``pip install 'aequa[plot]'``).

Every report has a ``.plot(ax=None, **kw)`` method that calls the function here and returns
the matplotlib Axes; matplotlib is imported only when a plot is drawn, and a clear
``ImportError`` says how to install it when it is missing.

- ``MetricFrame``: :func:`metric_frame` (bars per group with intervals); from labels and
  scores, :func:`threshold_curve` (a metric per group as the threshold moves).
- ``Explanation``: :func:`explanation_bar` (mean |value|), :func:`explanation_beeswarm`.
- ``PermutationImportanceResult``: :func:`permutation_importance` (bars with std).
- ``PartialDependenceResult``: :func:`partial_dependence` (PDP and ICE lines, or a contour).
- ``AccumulatedLocalEffects``: :func:`accumulated_local_effects` (the ALE curve).
- ``DriftReport``: :func:`drift_report` (statistic or p-value per column, drift in red).
- ``NoiseStabilityReport``: :func:`noise_stability` (flip rate by budget, per group).
- ``SensitiveFlipReport``: :func:`sensitive_flip` (flip rate per group).
- ``AttackReport``: :func:`attack` (robust accuracy by budget, or perturbation sizes).
"""

from __future__ import annotations

from aequa.plot._mpl import INSTALL_HINT
from aequa.plot.drift import drift_report
from aequa.plot.explain import (
    accumulated_local_effects,
    explanation_bar,
    explanation_beeswarm,
    partial_dependence,
    permutation_importance,
)
from aequa.plot.fairness import metric_frame, threshold_curve, threshold_table
from aequa.plot.robust import attack, noise_stability, sensitive_flip

__all__ = [
    "INSTALL_HINT",
    "accumulated_local_effects",
    "attack",
    "drift_report",
    "explanation_bar",
    "explanation_beeswarm",
    "metric_frame",
    "noise_stability",
    "partial_dependence",
    "permutation_importance",
    "sensitive_flip",
    "threshold_curve",
    "threshold_table",
]
