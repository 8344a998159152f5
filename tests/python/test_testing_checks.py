"""aequa.testing: assert_no_drift, assert_robust and assert_explanation_stable — verdicts
against independent computations, message text, bad input — and plain unittest usage."""

from __future__ import annotations

import io
import unittest

import aequa
import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from aequa.testing import (
    DriftAssertionError,
    ExplanationAssertionError,
    FairnessAssertionError,
    RobustnessAssertionError,
    assert_explanation_stable,
    assert_fairness,
    assert_no_drift,
    assert_robust,
)
from aequa.testing._result import fmt, table


# ----- drift -------------------------------------------------------------------------------------
def frames(shift: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"x": rng.normal(size=400), "z": rng.normal(size=400)})
    cur = pd.DataFrame({"x": rng.normal(shift, size=300), "z": rng.normal(size=300)})
    return ref, cur


def test_no_drift_passes_on_the_same_distribution() -> None:
    ref, cur = frames(0.0)
    result = assert_no_drift(ref, cur)
    assert result.passed and result.value == 0.0 and result.n == 300
    assert result.details["n_reference"] == 400


def test_drift_verdicts_match_scipy_ks() -> None:
    ref, cur = frames(0.5)
    with pytest.raises(DriftAssertionError) as info:
        assert_no_drift(ref, cur, correction=None)
    rows = {r["column"]: r for r in info.value.result.details["columns"]}
    for col in ("x", "z"):
        anchor = st.ks_2samp(ref[col], cur[col])
        assert rows[col]["test"] == "ks"
        assert rows[col]["p_value"] == pytest.approx(anchor.pvalue, rel=1e-9)
        assert rows[col]["drifted"] == (anchor.pvalue < 0.05)
    assert info.value.result.value == pytest.approx(
        np.mean([st.ks_2samp(ref[c], cur[c]).pvalue < 0.05 for c in ("x", "z")])
    )


def test_drift_message_text() -> None:
    ref, cur = frames(0.5)
    with pytest.raises(DriftAssertionError) as info:
        assert_no_drift(ref, cur, correction=None)
    x, z = (st.ks_2samp(ref[c], cur[c]) for c in ("x", "z"))
    assert z.pvalue > 0.05 > x.pvalue
    assert str(info.value) == (
        "1 of 2 columns drifted (share 0.5), above max_drift_share=0 by 0.5.\n"
        f"Drifted: x (ks p={fmt(x.pvalue, 3)} < 0.05).\n"
        "Data: reference 400 rows, current 300 rows; p-values corrected with no correction.\n"
        "\n"
        + table(
            ["column", "test", "statistic", "p-value", "adjusted", "threshold", "drifted"],
            [
                ["x", "ks", fmt(x.statistic), fmt(x.pvalue, 3), fmt(x.pvalue, 3), "0.05", "yes"],
                ["z", "ks", fmt(z.statistic), fmt(z.pvalue, 3), fmt(z.pvalue, 3), "0.05", "no"],
            ],
        )
    )


def test_drift_share_threshold_and_stattest() -> None:
    ref, cur = frames(0.5)
    assert assert_no_drift(ref, cur, max_drift_share=0.5).passed
    result = assert_no_drift(ref, cur, stattest="psi", max_drift_share=1.0)
    assert [r["test"] for r in result.details["columns"]] == ["psi", "psi"]
    only_z = assert_no_drift(ref, cur, columns=["z"])
    assert [r["column"] for r in only_z.details["columns"]] == ["z"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_drift_share": 1.5}, "max_drift_share: expected a share in [0, 1], found 1.5"),
        ({"alpha": 0.0}, "alpha: expected a value in (0, 1) such as 0.05, found 0"),
        ({"stattest": 3}, "stattest: expected a test name or a mapping column -> test, found 3"),
        ({"columns": ["nope"]}, "columns: no column 'nope' in the reference data"),
    ],
)
def test_drift_bad_input(kwargs: dict, message: str) -> None:
    ref, cur = frames(0.0)
    with pytest.raises(aequa.InvalidArgumentError) as info:
        assert_no_drift(ref, cur, **kwargs)
    assert str(info.value).startswith(message), str(info.value)


# ----- robustness --------------------------------------------------------------------------------
def sign_model(X: np.ndarray) -> np.ndarray:
    return (X[:, 0] > 0).astype(float)


def test_robust_passes_for_a_model_that_ignores_noise_and_fails_for_one_that_does_not() -> None:
    X = np.random.default_rng(0).normal(size=(200, 3))
    constant = assert_robust(lambda A: np.ones(len(A)), X, max_flip_rate=0.0, random_state=0)
    assert constant.passed and constant.value == 0.0
    with pytest.raises(RobustnessAssertionError) as info:
        assert_robust(sign_model, X, budgets=[0.01, 1.0], max_flip_rate=0.05, random_state=0)
    result = info.value.result
    rep = result.report
    assert result.value == pytest.approx(float(rep.flip_rate[1]))
    assert rep.flip_rate[1] > 0.05
    assert [u["violated"] for u in result.details["units"]] == [
        bool(rep.flip_rate[0] > 0.05),
        True,
    ]


def test_robust_message_text() -> None:
    X = np.random.default_rng(0).normal(size=(200, 2))
    with pytest.raises(RobustnessAssertionError) as info:
        assert_robust(sign_model, X, budgets=[1.0], min_stability=0.95, n_repeats=4,
                      random_state=3)  # fmt: skip
    rep = info.value.result.report
    stability = 1 - float(rep.flip_rate[0])
    ff = rep.feature_flip_rate["budget=1"]
    assert str(info.value) == (
        f"stability at budget 1 is {fmt(stability)}, below min_stability=0.95 by "
        f"{fmt(0.95 - stability)}.\n"
        "Most sensitive features at budget 1 (flip rate when only that feature is perturbed): "
        f"x0 {fmt(ff['x0'])}, x1 {fmt(ff['x1'])}.\n"
        "Data: 200 rows, 4 noisy copies per row and budget (gaussian noise, random_state=3).\n"
        "\n"
        + table(
            ["budget", "group", "rows", "stability", "min_stability", ""],
            [["1", "(all)", "200", fmt(stability), "0.95", f"<- below by {fmt(0.95 - stability)}"]],
        )
    )
    assert ff["x1"] == 0.0  # the model ignores x1


def test_robust_per_group_limits_catch_a_fragile_group() -> None:
    # Group b sits on the decision boundary; group a far from it.
    rng = np.random.default_rng(1)
    X = np.column_stack([np.r_[rng.uniform(5, 6, 150), rng.normal(0, 0.05, 50)],
                         rng.normal(size=200)])  # fmt: skip
    groups = ["a"] * 150 + ["b"] * 50
    overall_only = assert_robust(sign_model, X, budgets=[0.1], max_flip_rate=0.2, random_state=0)
    assert overall_only.passed
    with pytest.raises(RobustnessAssertionError) as info:
        assert_robust(sign_model, X, budgets=[0.1], max_flip_rate=0.2, sensitive_features=groups,
                      random_state=0)  # fmt: skip
    text = str(info.value)
    assert text.startswith("flip rate at budget 0.1 in group b is ")
    assert "Groups past the limit: b at budget 0.1: " in text and "(50 rows)." in text
    by_group = info.value.result.report.by_group.set_index("sensitive_feature_0")
    assert by_group.loc["a", "flip_rate"] == 0.0 and by_group.loc["b", "flip_rate"] > 0.2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "max_flip_rate: pass exactly one of max_flip_rate or min_stability, found neither"),
        (
            {"max_flip_rate": 0.1, "min_stability": 0.9},
            "max_flip_rate: pass exactly one of max_flip_rate or min_stability, found both",
        ),
        ({"max_flip_rate": 1.5}, "max_flip_rate: expected values in [0, 1], found 1.5"),
        (
            {"max_flip_rate": [0.1, 0.2, 0.3]},
            "max_flip_rate: expected one number or one per budget (2), found 3",
        ),
    ],  # fmt: skip
)
def test_robust_bad_input(kwargs: dict, message: str) -> None:
    X = np.zeros((10, 2))
    with pytest.raises(aequa.InvalidArgumentError) as info:
        assert_robust(sign_model, X, **kwargs)
    assert str(info.value) == message


# ----- explanation stability -------------------------------------------------------------------
COEF = np.array([3.0, 1.0, 0.95, 0.05])


def linear(A: np.ndarray) -> np.ndarray:
    return A @ COEF


def test_explanation_importances_are_the_linear_shapley_values() -> None:
    X = np.random.default_rng(0).normal(size=(60, 4))
    result = assert_explanation_stable(linear, X, method="exact", top_k=1, max_rank_change=0,
                                       random_state=0)  # fmt: skip
    # Interventional Shapley values of a linear model: coef_j * (x_j - mean_j) (background X).
    expected = np.abs(COEF * (X - X.mean(axis=0))).mean(axis=0)
    got = np.array(list(result.details["importances"][0].values()))
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert result.passed and result.details["rank_changes"] == {"Feature 0": 0}


def test_explanation_close_features_swap_ranks_under_resampling() -> None:
    X = np.random.default_rng(0).normal(size=(60, 4))
    with pytest.raises(ExplanationAssertionError) as info:
        assert_explanation_stable(linear, X, method="exact", top_k=3, max_rank_change=0,
                                  random_state=0)  # fmt: skip
    result = info.value.result
    ranks = result.details["ranks"]
    swapped = {f for r in ranks[1:] for f in r if r[f] != ranks[0][f]}
    assert swapped == {"Feature 1", "Feature 2"}  # the two near-equal coefficients
    text = str(info.value)
    assert text.splitlines()[0] == (
        "feature 'Feature 2' (rank 2 in run 0) moved by 1 rank(s) across 5 runs, above "
        "max_rank_change=0 by 1."
    )
    assert "Top-3 features past the limit: Feature 2, Feature 1." in text
    assert "Data: 60 rows explained, method exact, background 60 rows, 5 runs varying both " \
        "(random_state=0)." in text  # fmt: skip


def test_explanation_seeds_only_does_not_move_an_exact_method() -> None:
    X = np.random.default_rng(0).normal(size=(60, 4))
    result = assert_explanation_stable(linear, X, method="exact", top_k=4, max_rank_change=0,
                                       resample="seeds", random_state=0)  # fmt: skip
    assert result.passed and all(c == 1.0 for c in result.details["rank_correlations"])


def test_explanation_rank_correlation() -> None:
    X = np.random.default_rng(0).normal(size=(60, 4))
    result = assert_explanation_stable(linear, X, method="permutation",
                                       min_rank_correlation=0.5, random_state=2)  # fmt: skip
    assert result.passed and result.operator == ">="
    ranks = result.details["importances"]
    for run, corr in zip(ranks[1:], result.details["rank_correlations"]):
        anchor = st.spearmanr(list(ranks[0].values()), list(run.values())).statistic
        assert corr == pytest.approx(anchor)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"max_rank_change": 0, "method": "magic"},
            "method: expected one of 'permutation', 'kernel', 'exact', 'tree', 'linear', found "
            "'magic'",
        ),
        (
            {},
            "max_rank_change: pass exactly one of max_rank_change or min_rank_correlation, "
            "found neither",
        ),
        ({"max_rank_change": -1}, "max_rank_change: expected an integer >= 0, found -1"),
        (
            {"min_rank_correlation": 2.0},
            "min_rank_correlation: expected a value in [-1, 1], found 2",
        ),
        ({"max_rank_change": 0, "n_runs": 1}, "n_runs: expected an integer >= 2, found 1"),
        (
            {"max_rank_change": 0, "resample": "all"},
            "resample: expected one of 'seeds', 'rows', 'both', found 'all'",
        ),
    ],  # fmt: skip
)
def test_explanation_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(aequa.InvalidArgumentError) as info:
        assert_explanation_stable(linear, np.zeros((5, 4)), **kwargs)
    assert str(info.value) == message


# ----- unittest and plain Python ---------------------------------------------------------------
class _FairnessCase(unittest.TestCase):
    __test__ = False  # run by the test below through unittest's own runner, not collected

    def test_fair(self) -> None:
        assert_fairness([1, 0, 1, 0], [1, 0, 1, 0], sensitive_features=["a", "a", "b", "b"],
                        max_difference=0.1, n_boot=0)  # fmt: skip

    def test_unfair(self) -> None:
        assert_fairness([1, 0, 1, 0], [1, 1, 0, 0], sensitive_features=["a", "a", "b", "b"],
                        max_difference=0.1, n_boot=0)  # fmt: skip


def test_unittest_reports_a_broken_threshold_as_a_failure_with_the_message() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(_FairnessCase)
    stream = io.StringIO()
    outcome = unittest.TextTestRunner(stream=stream, verbosity=0).run(suite)
    assert outcome.testsRun == 2 and not outcome.errors
    assert [t.id().rsplit(".", 1)[1] for t, _ in outcome.failures] == ["test_unfair"]
    assert (
        "aequa.testing.FairnessAssertionError: demographic_parity: selection_rate difference "
        "(between_groups) is 1, above max_difference=0.1 by 0.9." in outcome.failures[0][1]
    )


def test_plain_python_catches_the_error_as_assertion_error() -> None:
    try:
        assert_fairness([1, 0], [1, 0], sensitive_features=["a", "b"], max_difference=0.1,
                        n_boot=0)  # fmt: skip
    except AssertionError as exc:
        assert isinstance(exc, FairnessAssertionError)
        assert exc.result.passed is False and exc.result.value == 1.0
    else:  # pragma: no cover
        raise AssertionError("expected a FairnessAssertionError")
