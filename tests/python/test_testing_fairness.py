"""aequa.testing.assert_fairness: verdicts against live Fairlearn numbers, the exact text of
its failure messages, significance mode on small samples, and bad input."""

from __future__ import annotations

import warnings

import aequa
import numpy as np
import pytest
from aequa.testing import (
    AequaAssertionError,
    CheckResult,
    FairnessAssertionError,
    InconclusiveCheckWarning,
    assert_fairness,
)
from fairlearn.metrics import (
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
)


def rates(n_a: int, n_b: int, rate_a: float, rate_b: float) -> tuple[list, list, list]:
    """Groups a and b of the given sizes and selection rates (labels alternate 1, 0)."""
    k_a, k_b = round(n_a * rate_a), round(n_b * rate_b)
    y_pred = [1] * k_a + [0] * (n_a - k_a) + [1] * k_b + [0] * (n_b - k_b)
    y_true = [1, 0] * ((n_a + n_b) // 2)
    return y_true, y_pred, ["a"] * n_a + ["b"] * n_b


def random_data(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = rng.choice(["men", "women", "other"], n, p=[0.5, 0.4, 0.1])
    y = rng.integers(0, 2, n)
    p = (rng.random(n) < np.where(s == "men", 0.5, 0.35)).astype(int)
    return y, p, s


# ----- verdicts ---------------------------------------------------------------------------
def test_passes_and_returns_the_result_with_the_metric_frame() -> None:
    y, p, s = rates(100, 100, 0.5, 0.45)
    result = assert_fairness(y, p, sensitive_features=s, max_difference=0.1, random_state=0)
    assert isinstance(result, CheckResult) and result.passed and bool(result)
    assert result.value == pytest.approx(0.05)
    assert (result.check, result.operator, result.threshold, result.n) == ("fairness", "<=",
                                                                          0.1, 200)  # fmt: skip
    assert isinstance(result.report, aequa.MetricFrame)
    lo, hi = result.interval
    assert lo <= 0.05 <= hi
    assert result.seed == 0


@pytest.mark.parametrize("limit", [0.05, 0.2])
def test_difference_matches_fairlearn_and_decides_by_it(limit: float) -> None:
    y, p, s = random_data()
    expected = demographic_parity_difference(y, p, sensitive_features=s)
    assert expected > 0.1  # the data has a gap between 0.05 and 0.2
    if expected <= limit:
        result = assert_fairness(y, p, sensitive_features=s, max_difference=limit, n_boot=0)
    else:
        with pytest.raises(FairnessAssertionError) as info:
            assert_fairness(y, p, sensitive_features=s, max_difference=limit, n_boot=0)
        result = info.value.result
    assert result.value == pytest.approx(expected, abs=1e-12)
    assert result.passed == (expected <= limit)


def test_ratio_and_equalized_odds_match_fairlearn() -> None:
    y, p, s = random_data()
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, min_ratio=0.9, n_boot=0)
    assert info.value.result.value == pytest.approx(
        demographic_parity_ratio(y, p, sensitive_features=s), abs=1e-12
    )
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, metric="equalized_odds", max_difference=0.01,
                        n_boot=0)  # fmt: skip
    assert info.value.result.value == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=s), abs=1e-12
    )


def test_fairlearn_function_names_and_objects_are_accepted() -> None:
    y, p, s = random_data()
    for metric in ("demographic_parity_difference", aequa.demographic_parity_difference):
        r = assert_fairness(y, p, sensitive_features=s, metric=metric, max_difference=0.5,
                            n_boot=0)  # fmt: skip
        assert r.value == pytest.approx(demographic_parity_difference(y, p, sensitive_features=s))
    r = assert_fairness(y, p, sensitive_features=s, metric=aequa.accuracy_score,
                        max_difference=0.5, n_boot=0)  # fmt: skip
    assert r.details["base_metrics"] == ["accuracy_score"]


def test_per_group_limits_name_every_group_that_breaks_them() -> None:
    y, p, s = rates(40, 40, 0.75, 0.25)
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, min_value=0.3, max_value=0.7, n_boot=0)
    text = str(info.value)
    assert "Groups past their limit: a selection_rate=0.75 (above max_value=0.7 by 0.05); " \
        "b selection_rate=0.25 (below min_value=0.3 by 0.05)." in text  # fmt: skip
    assert assert_fairness(y, p, sensitive_features=s, min_value=0.2, n_boot=0).passed


def test_control_features_judge_each_level() -> None:
    # Within level x the groups differ by 0.5, within y not at all: x decides.
    y = [1, 0] * 40
    s = (["a"] * 20 + ["b"] * 20) * 2
    c = ["x"] * 40 + ["y"] * 40
    p = [1] * 15 + [0] * 5 + [1] * 5 + [0] * 15 + [1] * 10 + [0] * 10 + [1] * 10 + [0] * 10
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features={"sex": s}, control_features={"site": c},
                        max_difference=0.1, n_boot=0)  # fmt: skip
    assert str(info.value).startswith(
        "demographic_parity: selection_rate difference (between_groups) within x is 0.5, above "
        "max_difference=0.1 by 0.4."
    )


def test_sample_weight_changes_the_value() -> None:
    y, p, s = rates(10, 10, 0.5, 0.5)
    w = [3.0] * 5 + [1.0] * 15  # a's selected rows weigh 3: weighted rate 15/20
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, sample_weight=w, max_difference=0.1, n_boot=0)
    assert info.value.result.value == pytest.approx(0.75 - 0.5)
    assert info.value.result.seed is None and info.value.result.interval is None  # n_boot=0


# ----- messages ----------------------------------------------------------------------------
def test_failure_message_text_without_bootstrap() -> None:
    y, p, s = rates(10, 10, 0.6, 0.3)
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features={"sex": s}, max_difference=0.1, n_boot=0)
    assert str(info.value) == (
        "demographic_parity: selection_rate difference (between_groups) is 0.3, above "
        "max_difference=0.1 by 0.2.\n"
        "Groups furthest apart: a (0.6) and b (0.3).\n"
        "Data: 20 rows, 2 groups of sex; smallest group a with 10 rows.\n"
        "\n"
        "  sex        rows  selection_rate\n"
        "  a            10             0.6  <- highest selection_rate\n"
        "  b            10             0.3  <- lowest selection_rate\n"
        "  (overall)    20            0.45\n"
        "Note: group (a) has only 10 rows (< min_group_size=30): its metrics are too noisy to "
        "judge alone; read its confidence interval.\n"
        "Note: group (b) has only 10 rows (< min_group_size=30): its metrics are too noisy to "
        "judge alone; read its confidence interval."
    )


def test_failure_message_text_with_interval_and_seed() -> None:
    y, p, s = rates(50, 50, 0.6, 0.3)
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features={"sex": s}, min_ratio=0.8, random_state=7)
    result = info.value.result
    lo, hi = result.interval
    assert lo < 0.5 < hi
    mf = result.report
    (g_lo_a, g_lo_b), (g_hi_a, g_hi_b) = (q["selection_rate"].tolist() for q in mf.by_group_ci)
    f = aequa.testing._result.fmt
    assert str(info.value) == (
        "demographic_parity: selection_rate ratio (between_groups) is 0.5, below min_ratio=0.8 "
        "by 0.3.\n"
        f"95% bootstrap interval: [{f(lo)}, {f(hi)}] (n_boot=1000, random_state=7).\n"
        "Groups furthest apart: a (0.6) and b (0.3).\n"
        "Data: 100 rows, 2 groups of sex; smallest group a with 50 rows.\n"
        "\n"
        + aequa.testing._result.table(
            ["sex", "rows", "selection_rate", "95% interval", ""],
            [
                ["a", "50", "0.6", f"[{f(g_lo_a)}, {f(g_hi_a)}]", "<- highest selection_rate"],
                ["b", "50", "0.3", f"[{f(g_lo_b)}, {f(g_hi_b)}]", "<- lowest selection_rate"],
                [
                    "(overall)",
                    "100",
                    "0.45",
                    f"[{f(mf.overall_ci[0]['selection_rate'])}, "
                    f"{f(mf.overall_ci[1]['selection_rate'])}]",
                    "",
                ],
            ],  # fmt: skip
        )
    )


def test_to_overall_message_lists_groups_past_the_gap() -> None:
    y, p, s = rates(50, 50, 0.7, 0.3)
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, max_difference=0.1, method="to_overall",
                        n_boot=0)  # fmt: skip
    text = str(info.value)
    assert text.splitlines()[:2] == [
        "demographic_parity: selection_rate difference (to_overall) is 0.2, above "
        "max_difference=0.1 by 0.1.",
        "Groups further than 0.1 from the overall value 0.5: a (0.7, gap 0.2), b (0.3, gap 0.2).",
    ]


def test_undefined_metric_fails_and_says_why() -> None:
    # Group b has no positive labels: its true positive rate is undefined.
    y = [1, 0, 1, 0, 0, 0, 0, 0]
    p = [1, 0, 0, 0, 1, 0, 1, 0]
    s = ["a"] * 4 + ["b"] * 4
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, metric="equal_opportunity",
                        max_difference=0.5, n_boot=0)  # fmt: skip
    text = str(info.value)
    assert text.startswith(
        "equal_opportunity: true_positive_rate difference (between_groups) is undefined: fewer "
        "than two groups have a defined true_positive_rate.\n"
    )
    assert (
        "Undefined: true_positive_rate for group b: no rows with y_true = pos_label, so the "
        "denominator tp+fn is 0.\n"
    ) in text


def test_error_hierarchy() -> None:
    assert issubclass(FairnessAssertionError, AequaAssertionError)
    assert issubclass(AequaAssertionError, AssertionError)
    assert FairnessAssertionError.__module__ == "aequa.testing"


# ----- significance mode ---------------------------------------------------------------------
def test_significance_mode_passes_a_small_sample_with_a_warning() -> None:
    y, p, s = rates(10, 10, 0.6, 0.3)
    with pytest.raises(FairnessAssertionError):  # point mode: 0.3 > 0.1 fails
        assert_fairness(y, p, sensitive_features=s, max_difference=0.1, random_state=0)
    with pytest.warns(InconclusiveCheckWarning, match="not significant at alpha=0.05 with 20"):
        result = assert_fairness(y, p, sensitive_features=s, max_difference=0.1,
                                 significance=0.05, random_state=0)  # fmt: skip
    assert result.passed and result.value == pytest.approx(0.3)
    lo, hi = result.interval
    assert lo <= 0.1 <= hi
    assert "the 95% interval contains 0.1, so the violation is not statistically " \
        "significant and the check passes." in result.message  # fmt: skip


def test_significance_mode_fails_when_the_interval_excludes_the_threshold() -> None:
    y, p, s = rates(500, 500, 0.6, 0.3)
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, max_difference=0.1, significance=0.05,
                        random_state=0)  # fmt: skip
    result = info.value.result
    assert result.interval[0] > 0.1 and result.significance == 0.05
    assert "Significance mode (alpha=0.05): the 95% interval lies entirely above 0.1, so the " \
        "violation is statistically significant." in str(info.value)  # fmt: skip


def test_significance_level_sets_the_interval() -> None:
    y, p, s = rates(60, 60, 0.6, 0.4)
    r90 = assert_fairness(y, p, sensitive_features=s, max_difference=0.5, significance=0.1,
                          random_state=3)  # fmt: skip
    r99 = assert_fairness(y, p, sensitive_features=s, max_difference=0.5, significance=0.01,
                          random_state=3)  # fmt: skip
    assert r99.interval[0] <= r90.interval[0] and r90.interval[1] <= r99.interval[1]
    assert r90.report.ci_quantiles == [0.05, 0.95]


def test_no_warning_when_significance_mode_point_estimate_is_within() -> None:
    y, p, s = rates(10, 10, 0.5, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert assert_fairness(y, p, sensitive_features=s, max_difference=0.1,
                               significance=0.05, random_state=0).passed  # fmt: skip


def test_same_seed_same_interval() -> None:
    y, p, s = random_data()
    a = assert_fairness(y, p, sensitive_features=s, max_difference=0.5, random_state=11)
    b = assert_fairness(y, p, sensitive_features=s, max_difference=0.5, random_state=11)
    assert a.interval == b.interval and a.message == b.message


# ----- bad input ------------------------------------------------------------------------------
Y, P, S = rates(10, 10, 0.5, 0.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"metric": "fairness", "max_difference": 0.1},
            "metric: unknown metric 'fairness'; expected a fairness criterion (demographic_parity, "
            "equal_opportunity, equalized_odds, or one of them + '_difference' / '_ratio'), a "
            "built-in metric (selection_rate, ",
        ),
        (
            {"max_difference": 0.1, "min_ratio": 0.8},
            "min_ratio: pass either max_difference or min_ratio, not both (run two checks to test "
            "both)",
        ),
        (
            {},
            "max_difference: expected one threshold: max_difference, min_ratio, or max_value / "
            "min_value (per group); found none",
        ),
        (
            {"max_difference": 1.5},
            "max_difference: expected a value in [0, 1] for 'demographic_parity', found 1.5",
        ),
        (
            {"max_difference": -0.1},
            "max_difference: expected a value in [0, 1] for 'demographic_parity', found -0.1",
        ),
        (
            {"min_ratio": 1.2},
            "min_ratio: expected a value in [0, 1] (a ratio is at most 1; 0.8 is the four-fifths "
            "rule), found 1.2",
        ),
        (
            {"max_value": 2.0},
            "max_value: expected a value in [0, 1] for 'demographic_parity', found 2",
        ),
        (
            {"max_value": 0.2, "min_value": 0.5},
            "min_value: expected at most max_value=0.2, found 0.5",
        ),
        (
            {"max_difference": 0.1, "max_value": 0.5},
            "max_value: pass either max_difference or per-group limits (max_value / min_value), "
            "not both",
        ),
        (
            {"metric": "demographic_parity_ratio", "max_difference": 0.1},
            "max_difference: metric 'demographic_parity_ratio' is a ratio; pass min_ratio (or use "
            "the '_difference' metric)",
        ),
        ({"max_difference": float("nan")}, "max_difference: expected a finite number, found nan"),
        ({"max_difference": "0.1"}, "max_difference: expected a number, found '0.1'"),
        (
            {"max_difference": 0.1, "method": "pairwise"},
            "method: expected 'between_groups' or 'to_overall', found 'pairwise'",
        ),
        (
            {"max_difference": 0.1, "significance": 1.5},
            "significance: expected an alpha in (0, 1) such as 0.05, found 1.5",
        ),
        (
            {"max_difference": 0.1, "significance": 0.05, "n_boot": 0},
            "n_boot: significance mode needs bootstrap intervals; pass n_boot >= 1 (1000 is the "
            "default)",
        ),
        (
            {"max_difference": 0.1, "random_state": -1},
            "random_state: expected an integer seed in [0, 2**32) or None, found -1",
        ),
    ],  # fmt: skip
)
def test_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(aequa.InvalidArgumentError) as info:
        assert_fairness(Y, P, sensitive_features=S, **kwargs)
    assert str(info.value).startswith(message), str(info.value)


def test_unbounded_metric_allows_large_differences() -> None:
    y = [1.0, 2.0, 3.0, 10.0]
    p = [1.0, 2.0, 5.0, 20.0]
    r = assert_fairness(y, p, sensitive_features=["a", "a", "b", "b"],
                        metric="mean_absolute_error", max_difference=10.0, n_boot=0)  # fmt: skip
    assert r.value == pytest.approx(6.0)


def test_significance_mode_leads_with_the_significant_violation() -> None:
    # TPR gap: 0.4 on 10 positives per group (not significant); FPR gap: 0.3 on 400 negatives
    # per group (significant). Point mode leads with the larger TPR gap, significance mode
    # with the FPR gap that makes it fail.
    def group(tp: int, pos: int, fp: int, neg: int) -> tuple[list[int], list[int]]:
        y = [1] * pos + [0] * neg
        p = [1] * tp + [0] * (pos - tp) + [1] * fp + [0] * (neg - fp)
        return y, p

    ya, pa = group(8, 10, 160, 400)
    yb, pb = group(4, 10, 40, 400)
    y, p, s = ya + yb, pa + pb, ["a"] * 410 + ["b"] * 410
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, metric="equalized_odds", max_difference=0.1,
                        n_boot=0)  # fmt: skip
    assert str(info.value).startswith("equalized_odds: true_positive_rate difference")
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, metric="equalized_odds", max_difference=0.1,
                        significance=0.05, random_state=0)  # fmt: skip
    result = info.value.result
    assert str(info.value).startswith("equalized_odds: false_positive_rate difference")
    assert result.value == pytest.approx(0.3) and result.interval[0] > 0.1
    tpr = next(u for u in result.details["units"] if u["metric"] == "true_positive_rate")
    assert tpr["violated"] and not tpr["significant"]


def test_message_lists_every_pair_past_the_threshold() -> None:
    # Rates a 0.2, b 0.5, c 0.8: pairs c-a 0.6, c-b 0.3 and b-a 0.3 all exceed 0.25.
    s = ["a"] * 10 + ["b"] * 10 + ["c"] * 10
    p = [1] * 2 + [0] * 8 + [1] * 5 + [0] * 5 + [1] * 8 + [0] * 2
    y = [1, 0] * 15
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, max_difference=0.25, n_boot=0)
    assert str(info.value).splitlines()[1] == (
        "Groups furthest apart: c (0.8) and a (0.2). 3 pairs of groups have differences above "
        "0.25: c vs a 0.6, c vs b 0.3, b vs a 0.3."
    )
    with pytest.raises(FairnessAssertionError) as info:
        assert_fairness(y, p, sensitive_features=s, min_ratio=0.5, n_boot=0)
    assert str(info.value).splitlines()[1] == (
        "Groups furthest apart: c (0.8) and a (0.2). 2 pairs of groups have ratios below 0.5: "
        "a vs c 0.25, a vs b 0.4."
    )
