"""Intervals of the summaries (difference, ratio, min, max) of custom Python metrics are
quantiles of the per-replicate summaries, as Fairlearn computes them (they were summaries of
the per-group quantiles, which could put the lower bound above the upper)."""

from __future__ import annotations

import aequa
import fairlearn.metrics as flm
import numpy as np
import pytest


def my_rate(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(y_pred))


@pytest.mark.parametrize("with_control", [False, True])
def test_custom_summary_intervals_match_fairlearn_and_the_builtin(with_control: bool) -> None:
    rng = np.random.default_rng(0)
    n = 600
    y, p = rng.integers(0, 2, n), rng.integers(0, 2, n)
    s, c = rng.choice(["a", "b", "c"], n), rng.choice(["x", "y"], n)
    kwargs = {"control_features": c} if with_control else {}
    ours = aequa.MetricFrame(
        metrics={"mine": my_rate, "builtin": "selection_rate"}, y_true=y, y_pred=p,
        sensitive_features=s, n_boot=200, ci_quantiles=[0.025, 0.975], random_state=3, **kwargs,
    )  # fmt: skip
    theirs = flm.MetricFrame(
        metrics={"mine": my_rate}, y_true=y, y_pred=p, sensitive_features=s, n_boot=200,
        ci_quantiles=[0.025, 0.975], random_state=3, **kwargs,
    )  # fmt: skip
    for method in ("between_groups", "to_overall"):
        for ours_q, theirs_q in zip(ours.difference_ci(method), theirs.difference_ci(method)):
            np.testing.assert_allclose(np.asarray(ours_q["mine"]), np.asarray(theirs_q["mine"]))
            np.testing.assert_allclose(np.asarray(ours_q["mine"]), np.asarray(ours_q["builtin"]))
        for ours_q, theirs_q in zip(ours.ratio_ci(method), theirs.ratio_ci(method)):
            np.testing.assert_allclose(np.asarray(ours_q["mine"]), np.asarray(theirs_q["mine"]))
    lo, hi = ours.difference_ci()
    assert (np.asarray(lo["mine"]) <= np.asarray(hi["mine"])).all()
