"""Bad input gets a clear ``aequa.AequaError`` (a ``ValueError``) that names the argument and
says what was expected and what was found; a Rust panic never reaches Python."""

from __future__ import annotations

import json
from typing import Any

import aequa
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

Y_TRUE = [0, 1, 1, 0, 1, 0]
Y_PRED = [0, 1, 0, 1, 1, 0]
SENS = ["a", "a", "a", "b", "b", "b"]


def frame(**changes: Any) -> aequa.MetricFrame:
    args: dict[str, Any] = {
        "metrics": ["selection_rate", "true_positive_rate"],
        "y_true": Y_TRUE,
        "y_pred": Y_PRED,
        "sensitive_features": SENS,
    }
    args.update(changes)
    return aequa.MetricFrame(**args)


def raises(match: str, exc: type[BaseException] = aequa.AequaError) -> Any:
    return pytest.raises(exc, match=match)


def test_hierarchy() -> None:
    assert issubclass(aequa.AequaError, ValueError)
    for sub in (
        aequa.InvalidArgumentError,
        aequa.LengthMismatchError,
        aequa.NonFiniteError,
        aequa.UnsupportedError,
        aequa.InternalError,
    ):
        assert issubclass(sub, aequa.AequaError)


# ----- lengths ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"y_pred": Y_PRED[:-1]}, r"^y_pred: expected 6 rows .*found 5"),
        ({"sample_weight": [1.0] * 7}, r"^sample_weight: expected 6 rows .*found 7"),
        ({"sensitive_features": SENS[:-2]}, r"^sensitive_features.*expected 6 rows.*found 4"),
        (
            {"sensitive_features": {"sex": SENS, "race": ["x", "y"] * 2}},
            r"^sensitive_features column 'race': expected 6 rows.*found 4",
        ),
        ({"control_features": ["c"] * 5}, r"^control_features.*expected 6 rows.*found 5"),
    ],
    ids=["y_pred", "sample_weight", "sensitive", "named_sensitive", "control"],
)
def test_length_mismatch(changes: dict[str, Any], match: str) -> None:
    with raises(match, aequa.LengthMismatchError):
        frame(**changes)


def test_length_mismatch_standalone() -> None:
    with raises(r"^y_pred: expected 3 rows.*found 2", aequa.LengthMismatchError):
        aequa.selection_rate([0, 1, 1], [0, 1])
    with raises(r"^sample_weight: expected 3 rows.*found 4", aequa.LengthMismatchError):
        aequa.accuracy_score([0, 1, 1], [0, 1, 1], sample_weight=[1, 1, 1, 1])


# ----- non-finite values ------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("argument", ["y_true", "y_pred", "sample_weight"])
def test_non_finite(argument: str, bad: float) -> None:
    values = np.array(
        {"y_true": Y_TRUE, "y_pred": Y_PRED, "sample_weight": [1.0] * 6}[argument], dtype=float
    )
    values[2] = bad
    shown = {"nan": "NaN"}.get(str(bad), str(bad))
    match = rf"^{argument}: expected finite numbers, found {shown} at row 2"
    with raises(match, aequa.NonFiniteError):
        frame(**{argument: values})


def test_non_finite_regression_and_standalone() -> None:
    with raises(r"^y_true: expected finite numbers, found NaN at row 1", aequa.NonFiniteError):
        aequa.mean_absolute_error([0.5, np.nan, 2.0], [1.0, 1.0, 1.0])
    with raises(r"^y_pred: expected finite numbers, found inf at row 0", aequa.NonFiniteError):
        frame(metrics="mean_squared_error", y_pred=[np.inf, 1, 0, 1, 1, 0])


@pytest.mark.parametrize(
    "column",
    [
        ["a", None, "a", "b", "b", "b"],
        np.array(["a", np.nan, "a", "b", "b", "b"], dtype=object),
        [1.0, np.nan, 1.0, 2.0, 2.0, 2.0],
        pd.Series(["a", None, "a", "b", "b", "b"], dtype="category"),
        pd.Series(["a", pd.NA, "a", "b", "b", "b"], dtype="string"),
    ],
    ids=["None", "nan_object", "nan_float", "categorical", "pd_NA"],
)
def test_missing_sensitive_value(column: Any) -> None:
    with raises(r"^sensitive_features.*missing value at row 1"):
        frame(sensitive_features=column)


def test_missing_control_value() -> None:
    with raises(r"^control_features.*missing value at row 3"):
        frame(control_features=["x", "x", "y", None, "y", "x"])


# ----- degenerate data --------------------------------------------------------------------
def test_empty_input() -> None:
    with raises(r"^y_true: expected at least one row, found an empty array"):
        aequa.selection_rate([], [])
    with raises(r"^(y_true|sensitive_features)\b.*(empty|no values|at least one row)"):
        frame(y_true=[], y_pred=[], sensitive_features=[])
    with raises(r"^(y_true|sensitive_features)\b.*(empty|no values|at least one row)"):
        frame(y_true=np.array([]), y_pred=np.array([]), sensitive_features=np.array([]))


def test_single_group() -> None:
    with raises(r"^sensitive_features: found a single group \(a\).*at least two groups"):
        frame(sensitive_features=["a"] * 6)
    with raises(r"^sensitive_features: found a single group"):
        aequa.demographic_parity_difference(Y_TRUE, Y_PRED, sensitive_features=["g"] * 6)


# ----- labels -----------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ["selection_rate", "accuracy_score", "precision_score"])
def test_multiclass_labels(metric: str) -> None:
    with raises(r"^y_true: binary metrics need at most two distinct labels.*multiclass"):
        frame(metrics=metric, y_true=[0, 1, 2, 0, 1, 2])
    with raises(r"^y_true: .*multiclass"):
        getattr(aequa, metric)([0, 1, 2], [0, 1, 1])


def test_multiclass_hint_is_actionable() -> None:
    """The multiclass message recommends an option; that option must exist."""
    with pytest.raises(aequa.AequaError) as info:
        frame(y_true=[0, 1, 2, 0, 1, 2])
    message = str(info.value)
    if 'multiclass="ovr"' in message:
        # the advice given must not lead to a TypeError (unknown keyword argument)
        frame(y_true=[0, 1, 2, 0, 1, 2], multiclass="ovr")


@pytest.mark.parametrize(
    "scores",
    [[0.1, 0.4, 0.35, 0.8, 0.9, 0.2], np.linspace(0.05, 0.95, 6)],
    ids=["list", "linspace"],
)
def test_scores_without_threshold(scores: Any) -> None:
    with raises(r"^y_pred: .*threshold"):
        frame(metrics="selection_rate", y_pred=scores)
    with raises(r"^y_pred: .*threshold"):
        aequa.selection_rate(Y_TRUE, scores)
    # with a threshold, the same scores are fine
    mf = frame(metrics="selection_rate", y_pred=scores, threshold=0.5)
    assert mf.overall == pytest.approx(np.mean(np.asarray(scores) >= 0.5))


def test_two_distinct_scores_without_threshold() -> None:
    """Scores that happen to take two values (0.2 and 0.9) are still scores, not labels: the
    message must point to ``threshold=`` as well."""
    with raises(r"^y_pred: .*threshold"):
        aequa.selection_rate([0, 1, 1], [0.2, 0.9, 0.9])


@pytest.mark.parametrize("pos_label", [5, -1, 2.5])
def test_pos_label_absent(pos_label: float) -> None:
    with raises(rf"^pos_label: pos_label={pos_label:g} does not occur .*labels found: 0, 1"):
        frame(pos_label=pos_label)


def test_text_pos_label_absent() -> None:
    with raises(r"^pos_label: .*'yes'.*(does not occur|occurs)"):
        frame(y_true=["n", "y"] * 3, y_pred=["y", "y", "n"] * 2, pos_label="yes")
    with raises(r"^pos_label: .*'yes'"):
        aequa.selection_rate([0, 1], [0, 1], pos_label="yes")


def test_text_labels_need_pos_label() -> None:
    with raises(r"^pos_label: labels are text.*pass pos_label="):
        frame(y_true=["n", "y"] * 3, y_pred=["y", "y", "n"] * 2)


def test_string_predictions_with_numeric_truth() -> None:
    """Numeric y_true with text y_pred: the culprit is y_pred (wrong dtype), so the message
    must name it and say that text was found."""
    with raises(r"^y_pred\b.*(text|str|dtype)"):
        frame(y_pred=["no", "yes", "no", "yes", "yes", "no"])


def test_two_dimensional_labels() -> None:
    with raises(r"^y_true: expected a 1-D array.*found shape \(6, 3\)"):
        frame(y_true=np.zeros((6, 3)))
    with raises(r"^y_pred: expected a 1-D array.*found shape \(6, 3\)"):
        frame(y_pred=np.zeros((6, 3)))
    with raises(r"^sample_weight: expected a 1-D array.*found shape \(6, 2\)"):
        frame(sample_weight=np.ones((6, 2)))


@pytest.mark.parametrize(
    ("argument", "value", "match"),
    [
        ("y_true", np.array([1j] * 6), r"^y_true: expected numbers, found dtype complex128"),
        (
            "y_true",
            np.array(["2020-01-01"] * 6, dtype="datetime64[D]"),
            r"^y_true: expected numbers, found dtype datetime64",
        ),
        ("sample_weight", ["a"] * 6, r"^sample_weight: expected numbers, found dtype"),
        ("y_true", None, r"^y_true: expected an array of values, found None"),
        ("y_pred", 1, r"^y_pred: expected a 1-D array.*found shape \(\)"),
    ],
    ids=["complex", "datetime", "text_weights", "None", "scalar"],
)
def test_wrong_dtype(argument: str, value: Any, match: str) -> None:
    with raises(match):
        frame(**{argument: value})


# ----- weights ----------------------------------------------------------------------------
def test_negative_weights() -> None:
    with raises(r"^sample_weight: expected non-negative weights, found -1 at row 1"):
        frame(sample_weight=[1, -1, 1, 1, 1, 1])
    with raises(r"^sample_weight: expected non-negative weights, found -0.5 at row 5"):
        aequa.selection_rate(Y_TRUE, Y_PRED, sample_weight=[1, 1, 1, 1, 1, -0.5])


def test_all_zero_weights() -> None:
    with raises(r"^sample_weight: every weight is zero.*positive weights"):
        frame(sample_weight=[0.0] * 6)
    with raises(r"^sample_weight: every weight is zero"):
        aequa.demographic_parity_difference(
            Y_TRUE, Y_PRED, sensitive_features=SENS, sample_weight=np.zeros(6)
        )


# ----- metrics and options ----------------------------------------------------------------
def test_unknown_metric_name() -> None:
    with raises(r"^metrics: unknown metric 'accuracy_scor'; known metrics: .*accuracy_score"):
        frame(metrics="accuracy_scor")
    with raises(r"^metrics: unknown metric 'accuracy_scor'"):
        frame(metrics={"acc": "accuracy_scor", "sr": "selection_rate"})


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"metrics": []}, r"^metrics: expected at least one metric, found none"),
        ({"metrics": 3}, r"^metrics: 3"),
        ({"metrics": {"m": 3}}, r"^metrics: 'm' must be a metric name or a callable"),
        ({"compat": "sklearn"}, r"^compat: expected 'aequa' or 'fairlearn', found 'sklearn'"),
    ],
    ids=["none", "int", "dict_int", "compat"],
)
def test_bad_metric_options(changes: dict[str, Any], match: str) -> None:
    with raises(match):
        frame(**changes)


@pytest.mark.parametrize(
    ("boot", "match"),
    [
        ({"n_boot": 0, "ci_quantiles": [0.5]}, r"^n_boot: expected a positive integer, found 0"),
        ({"n_boot": -5, "ci_quantiles": [0.5]}, r"^n_boot: expected a positive integer, found -5"),
        ({"n_boot": 2.5, "ci_quantiles": [0.5]}, r"^n_boot: expected a positive integer"),
        ({"n_boot": 10, "ci_quantiles": [1.5]}, r"^ci_quantiles: expected .*\[0, 1\].*1\.5"),
        ({"n_boot": 10, "ci_quantiles": [-0.1]}, r"^ci_quantiles: expected .*\[0, 1\].*-0\.1"),
        ({"n_boot": 10, "ci_quantiles": [np.nan]}, r"^ci_quantiles: expected .*\[0, 1\].*nan"),
        ({"n_boot": 10}, r"^n_boot, ci_quantiles: pass both"),
        ({"ci_quantiles": [0.5]}, r"^n_boot, ci_quantiles: pass both"),
        (
            {"n_boot": 10, "ci_quantiles": [0.5], "resampling": "blocks"},
            r"^resampling: expected 'rows', 'stratified' or 'fairlearn', found 'blocks'",
        ),
        (
            {"n_boot": 10, "ci_quantiles": [0.5], "random_state": -1},
            r"^random_state: expected an integer seed",
        ),
    ],
    ids=[
        "zero", "negative", "float", "q_high", "q_low", "q_nan", "n_boot_alone",
        "quantiles_alone", "resampling", "seed",
    ],
)  # fmt: skip
def test_bad_bootstrap_options(boot: dict[str, Any], match: str) -> None:
    with raises(match):
        frame(**boot)


def test_quantile_of_wrong_type() -> None:
    with raises(r"^ci_quantiles: "):
        frame(n_boot=10, ci_quantiles=["median"])


def test_n_boot_too_large_names_n_boot() -> None:
    """An absurd replicate count is refused up front, with a message about n_boot (not about
    the internal JSON options)."""
    with raises(r"^n_boot: "):
        frame(n_boot=10**12, ci_quantiles=[0.5])


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"threshold": float("nan")}, "threshold"),
        ({"threshold": float("inf")}, "threshold"),
        ({"threshold": "high"}, "threshold"),
        ({"pos_label": float("nan")}, "pos_label"),
        ({"min_group_size": -1}, "min_group_size"),
    ],
    ids=["threshold_nan", "threshold_inf", "threshold_text", "pos_label_nan", "min_group"],
)
def test_bad_scalar_options_name_the_argument(changes: dict[str, Any], argument: str) -> None:
    """Each option is checked under its own name (never "options: malformed JSON")."""
    with pytest.raises(aequa.AequaError) as info:
        frame(**changes)
    message = str(info.value)
    assert message.startswith(f"{argument}: "), message
    assert "JSON" not in message, message


def test_summary_options() -> None:
    mf = frame()
    with raises(r"^method: expected 'between_groups' or 'to_overall', found 'max'"):
        mf.difference(method="max")
    with raises(r"^errors: expected 'raise' or 'coerce', found 'ignore'"):
        mf.group_min(errors="ignore")
    with raises(r"^n_boot, ci_quantiles: confidence intervals were not requested"):
        _ = mf.by_group_ci
    with raises(r"^agg: expected 'worst_case' or 'mean', found 'max'"):
        aequa.equalized_odds_difference(Y_TRUE, Y_PRED, sensitive_features=SENS, agg="max")


# ----- absurd sizes -----------------------------------------------------------------------
def test_too_many_cells() -> None:
    n = 5000
    cols = {"a": np.arange(n), "b": np.arange(n)[::-1].copy()}
    y = np.tile([0, 1], n // 2)
    with raises(r"^sensitive_features: .*exceed \d+ cells.*bin high-cardinality"):
        aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=y, sensitive_features=cols)
    with raises(r"^sensitive_features: .*exceed \d+ cells"):
        aequa.FairnessAccumulator(sensitive_levels={"a": list(range(n)), "b": list(range(n))})


def test_feature_names() -> None:
    with raises(r"^sensitive_features, control_features: duplicate feature name\(s\) \['g'\]"):
        frame(sensitive_features={"g": SENS}, control_features={"g": ["x", "y"] * 3})
    with raises(r"^sensitive_features: column names must be strings, found 0"):
        frame(sensitive_features=pd.DataFrame({0: SENS}))
    with raises(r"^sensitive_features: expected 1-D or 2-D data, found shape \(6, 1, 1\)"):
        frame(sensitive_features=np.zeros((6, 1, 1)))


def _state() -> dict[str, Any]:
    acc = aequa.FairnessAccumulator(sensitive_levels={"g": ["a", "b"]})
    acc.update([0, 1, 1], [1, 1, 0], sensitive_features=["a", "b", "b"])
    return json.loads(acc.to_json())


def _drop_cell(s: dict[str, Any]) -> None:
    s["cells"].pop()


def _extra_cell(s: dict[str, Any]) -> None:
    s["cells"].append(s["cells"][0])


def _huge_layout(s: dict[str, Any]) -> None:
    levels = [str(i) for i in range(5000)]
    s["layout"]["sensitive"] = [{"name": "x", "levels": levels}, {"name": "y", "levels": levels}]
    s.pop("python_levels")


def _negative_weight(s: dict[str, Any]) -> None:
    s["cells"][0]["weight"]["s"] = -5.0


@pytest.mark.parametrize(
    "corrupt",
    [_drop_cell, _extra_cell, _huge_layout, _negative_weight],
    ids=["missing_cell", "extra_cell", "too_many_cells", "negative_weight"],
)
def test_accumulator_from_json_validates_the_state(corrupt: Any) -> None:
    """A state that does not fit its own layout (or breaks the cell limit) is refused when it
    is loaded, not turned into silently wrong numbers later."""
    state = _state()
    corrupt(state)
    with raises(r"^json: "):
        aequa.FairnessAccumulator.from_json(json.dumps(state))


def test_accumulator_from_json_not_an_object() -> None:
    for text in ("null", "[]", "3"):
        with raises(r"^json: "):
            aequa.FairnessAccumulator.from_json(text)


# ----- no panic ever crosses the binding ----------------------------------------------------
ALLOWED = (aequa.AequaError, ValueError, TypeError)


def _value() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(-3, 3),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["a", "b", "", ">50K"]),
        st.none(),
        st.booleans(),
    )


def _column(n: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    return n.flatmap(
        lambda k: st.one_of(
            st.lists(_value(), min_size=k, max_size=k),
            st.lists(st.sampled_from([0, 1]), min_size=k, max_size=k).map(np.array),
            st.lists(st.floats(-1e308, 1e308), min_size=k, max_size=k).map(np.array),
            st.lists(st.floats(width=32), min_size=k, max_size=k).map(
                lambda v: np.array(v, dtype=np.float32)
            ),
            st.lists(st.integers(-(2**31), 2**31 - 1), min_size=k, max_size=k).map(
                lambda v: np.array(v, dtype=np.int32)
            ),
        )
    )


def _no_panic(call: Any) -> None:
    try:
        call()
    except ALLOWED:
        pass
    except BaseException as e:  # a pyo3 PanicException derives from BaseException
        raise AssertionError(f"leaked {type(e).__module__}.{type(e).__name__}: {e}") from e


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n=st.integers(0, 8),
    metric=st.sampled_from(
        [
            "selection_rate",
            "true_positive_rate",
            "precision_score",
            "count",
            "mean_absolute_error",
            "balanced_accuracy_score",
        ]
    ),  # fmt: skip
)
def test_fuzz_metric_frame_never_panics(data: st.DataObject, n: int, metric: str) -> None:
    lengths = st.sampled_from([n, max(n - 1, 0), n + 1])
    kwargs: dict[str, Any] = {
        "metrics": metric,
        "y_true": data.draw(_column(lengths)),
        "y_pred": data.draw(_column(lengths)),
        "sensitive_features": data.draw(_column(lengths)),
        "sample_weight": data.draw(st.none() | _column(lengths)),
        "control_features": data.draw(st.none() | _column(lengths)),
        "pos_label": data.draw(st.none() | _value()),
        "threshold": data.draw(st.none() | st.floats(allow_nan=True)),
        "compat": data.draw(st.sampled_from(["aequa", "fairlearn"])),
    }
    if data.draw(st.booleans()):
        kwargs["n_boot"] = data.draw(st.integers(-2, 5))
        kwargs["ci_quantiles"] = data.draw(st.lists(st.floats(-0.5, 1.5), max_size=3))
        kwargs["random_state"] = data.draw(st.integers(0, 2**32 - 1))
        kwargs["resampling"] = data.draw(st.sampled_from(["rows", "stratified", "fairlearn"]))

    def call() -> None:
        mf = aequa.MetricFrame(**kwargs)
        mf.difference()
        mf.ratio(method="to_overall")
        mf.to_json()
        _ = mf.tests

    _no_panic(call)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(0, 8))
def test_fuzz_functions_and_accumulator_never_panic(data: st.DataObject, n: int) -> None:
    lengths = st.sampled_from([n, n + 1])
    y_true, y_pred = data.draw(_column(lengths)), data.draw(_column(lengths))
    sens = data.draw(_column(lengths))
    weight = data.draw(st.none() | _column(lengths))
    _no_panic(lambda: aequa.selection_rate(y_true, y_pred, sample_weight=weight))
    _no_panic(lambda: aequa.mean_squared_error(y_true, y_pred))
    _no_panic(
        lambda: aequa.equalized_odds_ratio(
            y_true, y_pred, sensitive_features=sens, sample_weight=weight, agg="mean"
        )
    )
    _no_panic(
        lambda: aequa.reference_disparities(
            y_true, y_pred, sensitive_features=sens, privileged_group="a"
        )
    )

    def accumulate() -> None:
        acc = aequa.FairnessAccumulator(sensitive_levels={"g": ["a", "b", 0, 1]})
        acc.update(y_true, y_pred, sensitive_features={"g": sens}, sample_weight=weight)
        again = aequa.FairnessAccumulator.from_json(acc.to_json())
        acc.merge(again).metric_frame(["selection_rate", "mean_absolute_error"]).to_json()

    _no_panic(accumulate)


ALL_METRICS = [
    "count", "selection_rate", "true_positive_rate", "false_positive_rate", "precision_score",
    "negative_predictive_value", "accuracy_score", "balanced_accuracy_score", "mean_prediction",
    "mean_absolute_error", "root_mean_squared_error",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 40),
    seed=st.integers(0, 2**32 - 1),
    metrics=st.lists(st.sampled_from(ALL_METRICS), min_size=1, max_size=4, unique=True),
    weight_scale=st.sampled_from([None, 0.0, 5e-324, 1e-300, 1.0, 1e300, 1e308]),
    n_groups=st.integers(1, 4),
    control=st.booleans(),
    boot=st.sampled_from([None, "rows", "stratified", "fairlearn"]),
    scores=st.booleans(),
    compat=st.sampled_from(["aequa", "fairlearn"]),
    min_group_size=st.integers(0, 50),
)
def test_fuzz_near_valid_inputs_never_panic(
    n: int, seed: int, metrics: list[str], weight_scale: float | None, n_groups: int,
    control: bool, boot: str | None, scores: bool, compat: str, min_group_size: int,
) -> None:  # fmt: skip
    """Well-formed but extreme inputs (sparse groups, zero / subnormal / huge weights, one
    row, scores) reach the core; they give a report or an AequaError, never a panic."""
    rng = np.random.default_rng(seed)
    kwargs: dict[str, Any] = {
        "metrics": metrics,
        "y_true": rng.integers(0, 2, n),
        "y_pred": rng.random(n) if scores else rng.integers(0, 2, n),
        "sensitive_features": {"s": rng.integers(0, n_groups, n), "t": rng.integers(0, 2, n)},
        "control_features": {"c": rng.integers(0, 3, n)} if control else None,
        "threshold": 0.5 if scores else None,
        "compat": compat,
        "min_group_size": min_group_size,
    }
    if weight_scale is not None:
        kwargs["sample_weight"] = rng.choice([0.0, 0.5, 1.0], n) * weight_scale
    if boot is not None:
        kwargs.update(n_boot=3, ci_quantiles=[0.0, 0.5, 1.0], random_state=seed, resampling=boot)

    def call() -> None:
        mf = aequa.MetricFrame(**kwargs)
        for method in ("between_groups", "to_overall"):
            mf.difference(method=method)
            mf.ratio(method=method)
        json.loads(mf.to_json())
        mf.to_pandas()
        _ = mf.tests, mf.undefined, mf.sizes

    _no_panic(call)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200) | st.sampled_from(["{}", "[]", "null", '{"layout": 1}']))
def test_fuzz_accumulator_from_json_never_panics(text: str) -> None:
    _no_panic(lambda: aequa.FairnessAccumulator.from_json(text))
