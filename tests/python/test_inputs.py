"""What users hold goes in unchanged: the same MetricFrame from lists, numpy, pandas, polars,
pyarrow and dicts; label dtypes, text labels, scores with a threshold; and what comes out:
JSON, a tidy table, HTML, significance tests and small-group warnings."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

import aequa
import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

METRICS = ["count", "selection_rate", "true_positive_rate", "false_positive_rate",
           "accuracy_score", "mean_prediction"]  # fmt: skip
N = 60
_rng = np.random.default_rng(2024)
Y_TRUE = _rng.integers(0, 2, N)
Y_PRED = _rng.integers(0, 2, N)
SEX = _rng.choice(["Female", "Male"], N)
RACE = _rng.choice(["Black", "White", "Asian-Pac-Islander"], N)
WEIGHT = _rng.uniform(0.5, 2.0, N)


def reference(**extra: Any) -> aequa.MetricFrame:
    return aequa.MetricFrame(
        metrics=METRICS,
        y_true=Y_TRUE.astype(np.float64),
        y_pred=Y_PRED.astype(np.float64),
        sensitive_features={"sex": SEX, "race": RACE},
        **extra,
    )


def assert_same_frame(mf: aequa.MetricFrame, ref: aequa.MetricFrame) -> None:
    """Same numbers for the same groups (levels compared as the report's text)."""
    assert mf.report["values"] == ref.report["values"]
    assert mf.report["sizes"] == ref.report["sizes"]
    assert mf.report["undefined"] == ref.report["undefined"]
    assert [g["levels"] for g in mf.report["sensitive"]] == [
        g["levels"] for g in ref.report["sensitive"]
    ]


CONTAINERS: dict[str, Callable[[np.ndarray, str], Any]] = {
    "list": lambda a, name: a.tolist(),
    "numpy": lambda a, name: a,
    "pandas": lambda a, name: pd.Series(a, name=name),
    "pandas_shuffled_index": lambda a, name: pd.Series(a, name=name, index=np.arange(N)[::-1]),
    "polars": lambda a, name: pl.Series(name, a),
    "pyarrow": lambda a, name: pa.array(a),
    "pyarrow_chunked": lambda a, name: pa.chunked_array([a[: N // 3], a[N // 3 :]]),
}


@pytest.mark.parametrize("kind", list(CONTAINERS))
def test_same_frame_from_every_container(kind: str) -> None:
    wrap = CONTAINERS[kind]
    sens_kinds: dict[str, Any] = {
        "list": {"sex": wrap(SEX, "sex"), "race": wrap(RACE, "race")},
        "numpy": np.column_stack([SEX, RACE]),
        "pandas": pd.DataFrame({"sex": SEX, "race": RACE}),
        "pandas_shuffled_index": pd.DataFrame({"sex": SEX, "race": RACE}, index=np.arange(N)[::-1]),
        "polars": pl.DataFrame({"sex": SEX, "race": RACE}),
        "pyarrow": pa.table({"sex": SEX, "race": RACE}),
        "pyarrow_chunked": {"sex": wrap(SEX, "sex"), "race": wrap(RACE, "race")},
    }
    mf = aequa.MetricFrame(
        metrics=METRICS,
        y_true=wrap(Y_TRUE, "y"),
        y_pred=wrap(Y_PRED, "p"),
        sensitive_features=sens_kinds[kind],
        sample_weight=wrap(WEIGHT, "w"),
    )
    assert_same_frame(mf, reference(sample_weight=WEIGHT))
    if kind in ("pandas", "polars", "pyarrow", "list"):
        assert mf.sensitive_levels == ["sex", "race"]


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_single_named_column(kind: str) -> None:
    column = {
        "pandas": pd.Series(SEX, name="sex"),
        "polars": pl.Series("sex", SEX),
        "pyarrow": pa.table({"sex": SEX}),
    }[kind]
    mf = aequa.MetricFrame(
        metrics="selection_rate", y_true=Y_TRUE, y_pred=Y_PRED, sensitive_features=column
    )
    assert mf.sensitive_levels == ["sex"]
    assert mf.by_group.index.name == "sex"
    assert list(mf.by_group.index) == ["Female", "Male"]
    expected = [Y_PRED[SEX == g].mean() for g in ("Female", "Male")]
    assert mf.by_group.tolist() == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    "sens",
    [
        pd.Series(pd.Categorical(RACE, categories=["White", "Black", "Asian-Pac-Islander"])),
        pd.Series(
            pd.Categorical(RACE, categories=["White", "Other", "Black", "Asian-Pac-Islander"])
        ),  # fmt: skip
        pl.Series("race", RACE, dtype=pl.Categorical),
        pl.Series("race", RACE, dtype=pl.Enum(["White", "Black", "Asian-Pac-Islander"])),
        pa.array(RACE).dictionary_encode(),
    ],
    ids=["pandas", "pandas_unused_level", "polars_categorical", "polars_enum", "arrow_dict"],
)
def test_categorical_sensitive_features_match_fairlearn(sens: Any) -> None:
    """Categorical columns group like their values (Fairlearn sorts levels by value and shows
    only observed ones)."""
    mf = aequa.MetricFrame(
        metrics="selection_rate", y_true=Y_TRUE, y_pred=Y_PRED, sensitive_features=sens,
        compat="fairlearn",
    )  # fmt: skip
    expected = flm.MetricFrame(
        metrics=flm.selection_rate, y_true=Y_TRUE, y_pred=Y_PRED, sensitive_features=RACE
    )
    assert [str(v) for v in mf.by_group.index] == [str(v) for v in expected.by_group.index]
    np.testing.assert_array_equal(mf.by_group.to_numpy(), expected.by_group.to_numpy())


INCOME = np.where(Y_TRUE == 1, ">50K", "<=50K")
INCOME_PRED = np.where(Y_PRED == 1, ">50K", "<=50K")


@pytest.mark.parametrize(
    "wrap",
    [
        lambda a: a,
        lambda a: a.tolist(),
        lambda a: pd.Series(a),
        lambda a: pd.Series(a, dtype="category"),
        lambda a: pd.Series(a, dtype="string"),
        lambda a: pl.Series(a),
        lambda a: pa.array(a),
    ],
    ids=["numpy", "list", "pandas", "pandas_category", "pandas_string", "polars", "pyarrow"],
)
def test_text_labels_with_pos_label(wrap: Callable[[np.ndarray], Any]) -> None:
    mf = aequa.MetricFrame(
        metrics=METRICS, y_true=wrap(INCOME), y_pred=wrap(INCOME_PRED),
        sensitive_features={"sex": SEX, "race": RACE}, pos_label=">50K",
    )  # fmt: skip
    ref = reference()
    np.testing.assert_array_equal(mf.by_group.to_numpy(), ref.by_group.to_numpy())
    np.testing.assert_array_equal(mf.overall.to_numpy(), ref.overall.to_numpy())


def test_text_labels_other_pos_label() -> None:
    mf = aequa.MetricFrame(
        metrics="selection_rate", y_true=INCOME, y_pred=INCOME_PRED, sensitive_features=SEX,
        pos_label="<=50K",
    )  # fmt: skip
    assert mf.overall == pytest.approx(np.mean(Y_PRED == 0), rel=1e-15)


def test_numeric_pos_label() -> None:
    """pos_label=-1 on {-1, 1} labels and pos_label=0 on {0, 1}: the positive class flips."""
    t, p = np.where(Y_TRUE == 1, 1, -1), np.where(Y_PRED == 1, 1, -1)
    a = aequa.MetricFrame(metrics="true_positive_rate", y_true=t, y_pred=p,
                          sensitive_features=SEX, pos_label=-1)  # fmt: skip
    b = aequa.MetricFrame(metrics="true_positive_rate", y_true=1 - Y_TRUE, y_pred=1 - Y_PRED,
                          sensitive_features=SEX)  # fmt: skip
    np.testing.assert_array_equal(a.by_group.to_numpy(), b.by_group.to_numpy())
    c = aequa.MetricFrame(metrics="true_positive_rate", y_true=Y_TRUE, y_pred=Y_PRED,
                          sensitive_features=SEX, pos_label=0)  # fmt: skip
    np.testing.assert_array_equal(c.by_group.to_numpy(), b.by_group.to_numpy())


@pytest.mark.parametrize(
    "dtype",
    [np.int32, np.int64, np.float32, np.float64, np.uint8, np.int16, np.float16],
)
def test_numeric_label_dtypes(dtype: Any) -> None:
    mf = aequa.MetricFrame(
        metrics=METRICS, y_true=Y_TRUE.astype(dtype), y_pred=Y_PRED.astype(dtype),
        sensitive_features={"sex": SEX, "race": RACE},
    )  # fmt: skip
    assert_same_frame(mf, reference())


@pytest.mark.parametrize(
    "wrap",
    [
        lambda a: a.astype(bool),
        lambda a: a.astype(bool).tolist(),
        lambda a: pd.Series(a.astype(bool)),
        lambda a: pd.Series(a.astype(bool), dtype="boolean"),
        lambda a: pl.Series(a.astype(bool)),
        lambda a: pa.array(a.astype(bool)),
    ],
    ids=["numpy", "list", "pandas", "pandas_nullable", "polars", "pyarrow"],
)
def test_bool_labels(wrap: Callable[[np.ndarray], Any]) -> None:
    """True is the positive label, as scikit-learn and Fairlearn treat it."""
    mf = aequa.MetricFrame(
        metrics=METRICS, y_true=wrap(Y_TRUE), y_pred=wrap(Y_PRED),
        sensitive_features={"sex": SEX, "race": RACE},
    )  # fmt: skip
    assert_same_frame(mf, reference())


@pytest.mark.parametrize(
    "wrap",
    [
        lambda a: pd.Series(a, dtype="Int64"),
        lambda a: pd.Series(a, dtype="Float64"),
        lambda a: pl.Series(a, dtype=pl.Int32),
        lambda a: pl.Series(a, dtype=pl.UInt8),
        lambda a: pa.array(a, type=pa.int8()),
        lambda a: pa.array(a, type=pa.float32()),
    ],
    ids=["pd_Int64", "pd_Float64", "pl_int32", "pl_uint8", "pa_int8", "pa_float32"],
)
def test_extension_dtypes(wrap: Callable[[np.ndarray], Any]) -> None:
    mf = aequa.MetricFrame(
        metrics=METRICS, y_true=wrap(Y_TRUE), y_pred=wrap(Y_PRED),
        sensitive_features={"sex": SEX, "race": RACE},
    )  # fmt: skip
    assert_same_frame(mf, reference())


SCORES = np.round(_rng.random(N), 3)


@pytest.mark.parametrize("threshold", [0.25, 0.5, 0.9])
@pytest.mark.parametrize(
    "wrap",
    [lambda a: a, lambda a: a.astype(np.float32), lambda a: pl.Series(a), lambda a: a.tolist()],
    ids=["float64", "float32", "polars", "list"],
)
def test_threshold_on_scores(wrap: Callable[[np.ndarray], Any], threshold: float) -> None:
    scores = wrap(SCORES)
    decisions = (np.asarray(scores, dtype=np.float64) >= threshold).astype(np.int64)
    mf = aequa.MetricFrame(
        metrics=["selection_rate", "true_positive_rate", "false_positive_rate"],
        y_true=Y_TRUE, y_pred=scores, sensitive_features=SEX, threshold=threshold,
    )  # fmt: skip
    ref = aequa.MetricFrame(
        metrics=["selection_rate", "true_positive_rate", "false_positive_rate"],
        y_true=Y_TRUE, y_pred=decisions, sensitive_features=SEX,
    )  # fmt: skip
    np.testing.assert_array_equal(mf.by_group.to_numpy(), ref.by_group.to_numpy())
    standalone = aequa.selection_rate(Y_TRUE, scores, threshold=threshold)
    assert standalone == pytest.approx(decisions.mean(), rel=1e-15)


def test_threshold_is_inclusive() -> None:
    mf = aequa.MetricFrame(
        metrics="selection_rate", y_true=[0, 1, 0, 1], y_pred=[0.5, 0.49, 0.5, 0.51],
        sensitive_features=["a", "a", "b", "b"], threshold=0.5,
    )  # fmt: skip
    assert mf.by_group.to_dict() == {"a": 0.5, "b": 1.0}


# ----- outputs --------------------------------------------------------------------------
def _frame_with_undefined() -> aequa.MetricFrame:
    return aequa.MetricFrame(
        metrics=["selection_rate", "true_positive_rate", "count"],
        y_true=[0, 0, 1, 1, 0, 1, 1], y_pred=[1, 0, 1, 0, 0, 1, 1],
        sensitive_features={"s": ["a", "a", "b", "b", "b", "c", "c"],
                            "t": ["x", "y", "x", "x", "y", "x", "x"]},
        n_boot=20, ci_quantiles=[0.1, 0.9], random_state=0,
    )  # fmt: skip


def test_to_json_has_no_nan_tokens() -> None:
    mf = _frame_with_undefined()
    assert mf.by_group.isna().to_numpy().any()  # there is something undefined to encode
    text = mf.to_json()
    assert not re.search(r"\bNaN\b|\bInfinity\b", text)
    parsed = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON token {c}"))
    assert parsed["schema_version"] >= 1
    rows = {tuple(r["group"]): r["values"] for r in parsed["values"]["by_group"]}
    assert rows[("a", "x")]["true_positive_rate"] is None
    assert rows[("c", "y")]["selection_rate"] is None  # empty intersection
    assert rows[("c", "y")]["count"] == 0
    assert json.loads(mf.to_json(indent=2)) == parsed


def test_to_json_writes_file(tmp_path: Any) -> None:
    mf = _frame_with_undefined()
    path = tmp_path / "report.json"
    text = mf.to_json(str(path))
    assert path.read_text(encoding="utf-8") == text


def test_to_pandas_one_row_per_group_and_metric() -> None:
    mf = _frame_with_undefined()
    tidy = mf.to_pandas()
    n_groups, n_metrics = len(mf.by_group), len(mf.by_group.columns)
    assert n_groups == 6 and n_metrics == 3
    assert len(tidy) == n_groups * n_metrics
    assert {"s", "t", "metric", "value"} <= set(tidy.columns)
    assert not tidy.duplicated(["s", "t", "metric"]).any()
    for _, row in tidy.iterrows():
        expected = mf.by_group.loc[(row["s"], row["t"]), row["metric"]]
        assert (math.isnan(row["value"]) and math.isnan(expected)) or row["value"] == expected
    # interval columns, one per quantile
    assert {"q0.1", "q0.9"} <= set(tidy.columns)


def test_repr_html_names_the_groups() -> None:
    mf = aequa.MetricFrame(
        metrics="selection_rate", y_true=Y_TRUE, y_pred=Y_PRED,
        sensitive_features=np.where(SEX == "Male", "Male & co", "<Female>"),
    )  # fmt: skip
    html = mf._repr_html_()
    assert html.lstrip().startswith("<")
    assert "<table" in html
    assert "Male &amp; co" in html
    assert "&lt;Female&gt;" in html and "<Female>" not in html
    assert "selection_rate" in html


def test_repr_html_lists_warnings() -> None:
    mf = _frame_with_undefined()
    html = mf._repr_html_()
    for g in ("a", "b", "c"):
        assert f">{g}<" in html
    assert "min_group_size" in html


# ----- significance ---------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40)).filter(lambda t: sum(t) > 0),
        min_size=2,
        max_size=6,
    )  # fmt: skip
)
def test_chi2_matches_scipy(table: list[tuple[int, int]]) -> None:
    """selection_rate's chi-square test equals scipy's on the group x (selected, not) counts."""
    groups, y_pred = [], []
    for i, (selected, rejected) in enumerate(table):
        groups += [f"g{i}"] * (selected + rejected)
        y_pred += [1] * selected + [0] * rejected
    y_true = [i % 2 for i in range(len(y_pred))]
    mf = aequa.MetricFrame(
        metrics=["selection_rate"], y_true=y_true, y_pred=y_pred, sensitive_features=groups
    )
    tests = mf.tests
    row = tests[tests.metric == "selection_rate"].iloc[0]
    counts = np.array(table)
    assert row["groups_tested"] == len(table)
    assert row["dof"] == len(table) - 1
    if (counts.sum(axis=0) == 0).any():
        # a column of zeros: scipy refuses (zero expected frequency); aequa has no statistic
        with pytest.raises(ValueError):
            scipy.stats.chi2_contingency(counts, correction=False)
        assert math.isnan(row["chi2"]) and math.isnan(row["pvalue"])
        return
    chi2, pvalue, dof, _ = scipy.stats.chi2_contingency(counts, correction=False)
    assert row["chi2"] == pytest.approx(chi2, rel=1e-10, abs=1e-10)
    assert row["pvalue"] == pytest.approx(pvalue, rel=1e-10, abs=1e-10)
    assert row["dof"] == dof
    # the z-test compares a lowest and a highest selection rate (ties: any) with pooled variance
    rates = counts[:, 0] / counts.sum(axis=1)
    lo, hi = int(row["min_group"][0][1:]), int(row["max_group"][0][1:])
    assert rates[lo] == rates.min() and rates[hi] == rates.max()
    n1, n2 = counts[hi].sum(), counts[lo].sum()
    pooled = (counts[hi, 0] + counts[lo, 0]) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se > 0:
        z = (rates[hi] - rates[lo]) / se
        assert abs(row["z"]) == pytest.approx(z, rel=1e-10, abs=1e-12)
        assert row["z_pvalue"] == pytest.approx(2 * scipy.stats.norm.sf(abs(z)), rel=1e-9)


def test_chi2_uses_unweighted_counts_and_each_control_level() -> None:
    rng = np.random.default_rng(5)
    n = 300
    y_pred, sens, ctrl = (
        rng.integers(0, 2, n),
        rng.choice(["a", "b", "c"], n),
        rng.choice(["u", "v"], n),
    )
    w = rng.uniform(0.1, 5.0, n)
    mf = aequa.MetricFrame(
        metrics="selection_rate", y_true=rng.integers(0, 2, n), y_pred=y_pred,
        sensitive_features=sens, control_features={"site": ctrl}, sample_weight=w,
    )  # fmt: skip
    tests = mf.tests
    assert len(tests) == 2
    for _, row in tests.iterrows():
        keep = ctrl == row["control"][0]
        table = pd.crosstab(sens[keep], y_pred[keep]).to_numpy()
        chi2, pvalue, _, _ = scipy.stats.chi2_contingency(table, correction=False)
        assert row["chi2"] == pytest.approx(chi2, rel=1e-10)
        assert row["pvalue"] == pytest.approx(pvalue, rel=1e-10)


def test_tests_only_for_proportions() -> None:
    mf = aequa.MetricFrame(
        metrics=["selection_rate", "mean_prediction", "count", "true_positive_rate"],
        y_true=Y_TRUE, y_pred=Y_PRED, sensitive_features=SEX,
    )  # fmt: skip
    assert sorted(mf.tests.metric) == ["selection_rate", "true_positive_rate"]


# ----- small groups ---------------------------------------------------------------------
def test_warnings_flag_small_groups() -> None:
    sens = ["big"] * 40 + ["small"] * 5
    y = [0, 1] * 22 + [1]
    mf = aequa.MetricFrame(
        metrics="selection_rate", y_true=y, y_pred=y, sensitive_features=sens, min_group_size=10
    )
    assert len(mf.warnings) == 1
    assert "small" in mf.warnings[0] and "5 rows" in mf.warnings[0]
    assert "min_group_size=10" in mf.warnings[0]
    assert "big" not in mf.warnings[0]
    default = aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=y,
                                sensitive_features=sens)  # fmt: skip
    assert len(default.warnings) == 1  # default 30: only the 5-row group
    quiet = aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=y,
                              sensitive_features=sens, min_group_size=0)  # fmt: skip
    assert quiet.warnings == []
    strict = aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=y,
                               sensitive_features=sens, min_group_size=41)  # fmt: skip
    assert len(strict.warnings) == 2
