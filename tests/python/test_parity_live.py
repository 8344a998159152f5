"""Live parity with the installed Fairlearn on random inputs (hypothesis).

``aequa.MetricFrame(..., compat="fairlearn")`` must give Fairlearn's ``overall``, ``by_group``,
``group_min``, ``group_max``, ``difference`` and ``ratio`` (both methods) to 1e-12, NaN matching
NaN; the standalone disparities must match Fairlearn's functions of the same name.
"""

from __future__ import annotations

import warnings
from typing import Any

import aequa
import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from conftest import close
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import UndefinedMetricWarning

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CLASSIFICATION = {
    "selection_rate": flm.selection_rate,
    "true_positive_rate": flm.true_positive_rate,
    "false_positive_rate": flm.false_positive_rate,
    "accuracy_score": skm.accuracy_score,
    "precision_score": skm.precision_score,
    "balanced_accuracy_score": skm.balanced_accuracy_score,
    "count": flm.count,
    "mean_prediction": flm.mean_prediction,
}
REGRESSION = {
    "mean_absolute_error": skm.mean_absolute_error,
    "mean_squared_error": skm.mean_squared_error,
    "count": flm.count,
    "mean_prediction": flm.mean_prediction,
}
METHODS = ("between_groups", "to_overall")


def _column(draw: st.DrawFn, n: int, name: str) -> np.ndarray:
    """A grouping column of ``n`` rows with 2-6 levels, each level present at least once."""
    k = draw(st.integers(2, min(6, n)))
    if draw(st.booleans()):
        levels: list[Any] = [f"{name}{i}" for i in draw(st.permutations(range(k)))]
    else:
        levels = draw(st.lists(st.integers(-50, 50), min_size=k, max_size=k, unique=True))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    codes = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    rng.shuffle(codes)
    return np.asarray(levels, dtype=object)[codes]


@st.composite
def classification(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 300))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p_true, p_pred = draw(st.floats(0.0, 1.0)), draw(st.floats(0.0, 1.0))
    data: dict[str, Any] = {
        "y_true": (rng.random(n) < p_true).astype(np.int64),
        "y_pred": (rng.random(n) < p_pred).astype(np.int64),
    }
    sens = {"s1": _column(draw, n, "a")}
    if draw(st.booleans()):
        sens["s2"] = _column(draw, n, "b")
    data["sensitive"] = sens
    data["control"] = {"c": _column(draw, n, "c")} if draw(st.booleans()) else None
    data["weights"] = rng.uniform(0.01, 5.0, n) if draw(st.booleans()) else None
    return data


@st.composite
def regression(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(2, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data: dict[str, Any] = {
        "y_true": rng.normal(0.0, 3.0, n),
        "y_pred": rng.normal(0.5, 2.0, n),
        "sensitive": {"s1": _column(draw, n, "a")},
        "control": {"c": _column(draw, n, "c")} if draw(st.booleans()) else None,
        "weights": rng.uniform(0.01, 5.0, n) if draw(st.booleans()) else None,
    }
    if draw(st.booleans()):
        data["sensitive"]["s2"] = _column(draw, n, "b")
    return data


def _frames(data: dict[str, Any], metrics: dict[str, Any]) -> tuple[Any, aequa.MetricFrame]:
    w = data["weights"]
    params = None
    if w is not None:
        params = {m: {"sample_weight": w} for m in metrics if m != "count"}
    common = {
        "y_true": data["y_true"],
        "y_pred": data["y_pred"],
        "sensitive_features": pd.DataFrame(data["sensitive"]),
        "control_features": None if data["control"] is None else pd.DataFrame(data["control"]),
        "sample_params": params,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.simplefilter("ignore", UserWarning)  # balanced accuracy on one class
        expected = flm.MetricFrame(metrics=metrics, **common)
    # aequa gets the same Fairlearn / scikit-learn callables (recognised as built-ins).
    actual = aequa.MetricFrame(metrics=metrics, compat="fairlearn", **common)
    return expected, actual


def _key(k: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (k if isinstance(k, tuple) else (k,)))


def _assert_table(actual: Any, expected: Any, what: str) -> None:
    """Same labels (compared as text) and the same values to 1e-12, NaN matching NaN."""
    if isinstance(expected, pd.Series) and not isinstance(expected.index, pd.MultiIndex):
        if not isinstance(actual, pd.DataFrame) and expected.index.name is None:
            # a Series over metric names (overall / summaries without control features)
            assert sorted(actual.index) == sorted(expected.index), what
            for m in expected.index:
                assert close(actual[m], expected[m]), (what, m, actual[m], expected[m])
            return
    exp = expected.to_frame() if isinstance(expected, pd.Series) else expected
    act = actual.to_frame() if isinstance(actual, pd.Series) else actual
    exp_rows = {_key(k): i for i, k in enumerate(exp.index)}
    act_rows = {_key(k): i for i, k in enumerate(act.index)}
    assert set(act_rows) == set(exp_rows), (what, sorted(act_rows), sorted(exp_rows))
    assert list(act.columns) == list(exp.columns), what
    for key, i in exp_rows.items():
        for m in exp.columns:
            a, e = act.iloc[act_rows[key]][m], exp.iloc[i][m]
            assert close(a, e), (what, key, m, a, e)


def _assert_parity(expected: Any, actual: aequa.MetricFrame) -> None:
    _assert_table(actual.overall, expected.overall, "overall")
    _assert_table(actual.by_group, expected.by_group, "by_group")
    _assert_table(actual.group_min(), expected.group_min(), "group_min")
    _assert_table(actual.group_max(), expected.group_max(), "group_max")
    for method in METHODS:
        _assert_table(
            actual.difference(method=method),
            expected.difference(method=method),
            f"difference[{method}]",
        )
        _assert_table(
            actual.ratio(method=method), expected.ratio(method=method), f"ratio[{method}]"
        )


@SETTINGS
@given(classification())
def test_metric_frame_classification(data: dict[str, Any]) -> None:
    expected, actual = _frames(data, CLASSIFICATION)
    _assert_parity(expected, actual)


@SETTINGS
@given(classification())
def test_metric_frame_single_metric(data: dict[str, Any]) -> None:
    """One metric (not a dict): Fairlearn returns scalars and Series, so must aequa."""
    w = data["weights"]
    common = {
        "y_true": data["y_true"],
        "y_pred": data["y_pred"],
        "sensitive_features": pd.DataFrame(data["sensitive"]),
        "sample_params": None if w is None else {"sample_weight": w},
    }
    expected = flm.MetricFrame(metrics=flm.selection_rate, **common)
    actual = aequa.MetricFrame(metrics=flm.selection_rate, compat="fairlearn", **common)
    assert close(actual.overall, expected.overall)
    _assert_table(actual.by_group, expected.by_group, "by_group")
    for method in METHODS:
        assert close(actual.difference(method=method), expected.difference(method=method))
        assert close(actual.ratio(method=method), expected.ratio(method=method))
    assert close(actual.group_min(), expected.group_min())
    assert close(actual.group_max(), expected.group_max())


STANDALONE = [
    (name, dict(extra, method=method))
    for name, extra in [
        ("demographic_parity_difference", {}),
        ("demographic_parity_ratio", {}),
        ("equalized_odds_difference", {"agg": "worst_case"}),
        ("equalized_odds_difference", {"agg": "mean"}),
        ("equalized_odds_ratio", {"agg": "worst_case"}),
        ("equalized_odds_ratio", {"agg": "mean"}),
    ]
    for method in METHODS
]


@SETTINGS
@given(
    classification(),
    st.lists(st.sampled_from(range(len(STANDALONE))), min_size=3, max_size=3, unique=True),
)
def test_standalone_disparities(data: dict[str, Any], which: list[int]) -> None:
    """Three of the twelve (function, method, agg) combinations per example (Fairlearn's
    functions are slow); over 60 examples every combination is checked several times."""
    sens = pd.DataFrame(data["sensitive"])
    for name, extra in (STANDALONE[i] for i in which):
        kwargs = dict(extra, sample_weight=data["weights"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            expected = getattr(flm, name)(
                data["y_true"], data["y_pred"], sensitive_features=sens, **kwargs
            )
        actual = getattr(aequa, name)(
            data["y_true"], data["y_pred"], sensitive_features=sens, compat="fairlearn", **kwargs
        )
        assert close(actual, expected), (name, kwargs, actual, expected)


@SETTINGS
@given(regression())
def test_metric_frame_regression(data: dict[str, Any]) -> None:
    expected, actual = _frames(data, REGRESSION)
    _assert_parity(expected, actual)


def test_regression_zero_weight_group() -> None:
    """A group whose weights are all zero: scikit-learn cannot normalise the weights, so
    Fairlearn raises; aequa reports that group's weighted metrics as undefined (NaN with a
    reason) and still computes every other group exactly as Fairlearn does without it."""
    y_true = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y_pred = np.array([1.5, 2.0, 2.0, 4.5, 5.0, 7.0])
    sens = np.array(["a", "a", "b", "b", "z", "z"])
    w = np.array([1.0, 2.0, 0.5, 1.5, 0.0, 0.0])
    with pytest.raises(ValueError, match="(?i)weight"):
        flm.MetricFrame(
            metrics=skm.mean_absolute_error, y_true=y_true, y_pred=y_pred,
            sensitive_features=sens, sample_params={"sample_weight": w},
        )  # fmt: skip
    mf = aequa.MetricFrame(
        metrics=skm.mean_absolute_error, y_true=y_true, y_pred=y_pred,
        sensitive_features=sens, sample_weight=w, compat="fairlearn",
    )  # fmt: skip
    assert np.isnan(mf.by_group["z"])
    kept = sens != "z"
    ref = flm.MetricFrame(
        metrics=skm.mean_absolute_error, y_true=y_true[kept], y_pred=y_pred[kept],
        sensitive_features=sens[kept], sample_params={"sample_weight": w[kept]},
    )  # fmt: skip
    for g in ("a", "b"):
        assert close(mf.by_group[g], ref.by_group[g])
    # zero-weight rows add nothing to the overall value
    assert close(mf.overall, ref.overall)
    assert close(mf.group_min(), ref.group_min())
    assert close(mf.group_max(), ref.group_max())
