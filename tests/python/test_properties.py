"""Axioms of the fairness engine, checked with hypothesis.

Row order and group names do not matter; chunked accumulation merged in any order equals one
pass; accumulators survive JSON; the bootstrap is a function of its seed; undefined values are
NaN with a reason (Fairlearn's 0 only under ``compat="fairlearn"``); empty intersections are
explicit rows.
"""

from __future__ import annotations

import json
import math
from typing import Any

import aequa
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BINARY = [
    "count", "selection_rate", "true_positive_rate", "false_positive_rate", "true_negative_rate",
    "false_negative_rate", "precision_score", "negative_predictive_value", "accuracy_score",
    "error_rate", "balanced_accuracy_score", "mean_prediction", "mean_absolute_error",
    "mean_squared_error",
]  # fmt: skip


@st.composite
def datasets(draw: st.DrawFn, weights: str = "any") -> dict[str, Any]:
    """Binary labels, one or two sensitive features (some intersections may be empty), an
    optional control feature and optional weights ("none", "integer", "fractional", "any")."""
    n = draw(st.integers(4, 250))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    k1, k2 = draw(st.integers(2, 5)), draw(st.integers(2, 3))
    data: dict[str, Any] = {
        "y_true": rng.integers(0, 2, n),
        "y_pred": (rng.random(n) < draw(st.floats(0.05, 0.95))).astype(np.int64),
        "sensitive": {"race": rng.choice([f"r{i}" for i in range(k1)], n)},
        "control": None,
        "weights": None,
    }
    data["sensitive"]["race"][:2] = ["r0", "r1"]  # at least two groups
    if draw(st.booleans()):
        data["sensitive"]["sex"] = rng.choice(np.arange(k2) * 10, n)
    if draw(st.booleans()):
        data["control"] = {"site": rng.choice(["north", "south"], n)}
    kind = weights if weights != "any" else draw(st.sampled_from(["none", "integer", "fractional"]))
    if kind == "integer":
        data["weights"] = rng.integers(1, 4, n).astype(np.float64)
    elif kind == "fractional":
        data["weights"] = rng.uniform(0.01, 3.0, n)
    return data


def frame(data: dict[str, Any], **extra: Any) -> aequa.MetricFrame:
    return aequa.MetricFrame(
        metrics=BINARY,
        y_true=data["y_true"],
        y_pred=data["y_pred"],
        sensitive_features=data["sensitive"],
        control_features=data["control"],
        sample_weight=data["weights"],
        **extra,
    )


def numbers(mf: aequa.MetricFrame) -> dict[str, Any]:
    """Everything numeric a MetricFrame reports, keyed by group labels."""
    return {
        "overall": mf.overall,
        "by_group": mf.by_group,
        "group_min": mf.group_min(),
        "group_max": mf.group_max(),
        **{
            f"{name}[{method}]": getattr(mf, name)(method=method)
            for name in ("difference", "ratio")
            for method in ("between_groups", "to_overall")
        },
    }


def assert_same(a: Any, b: Any, rtol: float = 0.0, what: str = "") -> None:
    """Equal tables: exactly (``rtol=0``) or to a relative tolerance, NaN matching NaN."""
    if isinstance(a, (pd.Series, pd.DataFrame)):
        assert type(a) is type(b)
        assert list(a.index) == list(b.index)
        if isinstance(a, pd.DataFrame):
            assert list(a.columns) == list(b.columns)
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    else:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if rtol == 0.0:
        np.testing.assert_array_equal(x, y, err_msg=what)
    else:
        np.testing.assert_allclose(x, y, rtol=rtol, atol=0.0, equal_nan=True, err_msg=what)


def tolerance(data: dict[str, Any]) -> float:
    w = data["weights"]
    return 0.0 if w is None or np.all(w == np.round(w)) else 1e-15


def assert_all_same(a: dict[str, Any], b: dict[str, Any], rtol: float) -> None:
    """``numbers()`` of two frames: exact without weights (or with integer weights); with
    fractional weights, values to ``rtol`` relative, and differences / ratios (which cancel)
    to a few ulps of the largest group value."""
    scale = max(1.0, float(np.nanmax(np.abs(a["by_group"].to_numpy(dtype=float)), initial=0)))
    for key in a:
        if rtol and key.startswith(("difference", "ratio")):
            x, y = (np.asarray(v, dtype=float) for v in (a[key], b[key]))
            np.testing.assert_allclose(x, y, rtol=4 * rtol, atol=4 * rtol * scale,
                                       equal_nan=True, err_msg=key)  # fmt: skip
        else:
            assert_same(a[key], b[key], rtol, key)


# ----- invariances --------------------------------------------------------------------------
@SETTINGS
@given(datasets(), st.integers(0, 2**32 - 1))
def test_row_order_invariance(data: dict[str, Any], seed: int) -> None:
    perm = np.random.default_rng(seed).permutation(len(data["y_true"]))
    shuffled = {
        "y_true": data["y_true"][perm],
        "y_pred": data["y_pred"][perm],
        "sensitive": {k: v[perm] for k, v in data["sensitive"].items()},
        "control": None if data["control"] is None else {"site": data["control"]["site"][perm]},
        "weights": None if data["weights"] is None else data["weights"][perm],
    }
    assert_all_same(numbers(frame(data)), numbers(frame(shuffled)), tolerance(data))
    assert frame(data).warnings == frame(shuffled).warnings


@SETTINGS
@given(datasets(), st.randoms(use_true_random=False))
def test_group_relabelling_invariance(data: dict[str, Any], rnd: Any) -> None:
    """Renaming the levels of ``race`` (which also reorders them) moves each value to the
    renamed group and changes no summary."""
    levels = sorted(set(data["sensitive"]["race"]))
    names = [f"group-{c}" for c in "zyxwvutsrq"[: len(levels)]]
    rnd.shuffle(names)
    mapping = dict(zip(levels, names))
    renamed = dict(data, sensitive=dict(data["sensitive"]))
    renamed["sensitive"]["race"] = np.array([mapping[v] for v in data["sensitive"]["race"]])
    a, b = frame(data), frame(renamed)

    moved = a.by_group.rename(index=mapping, level="race" if "sex" in data["sensitive"] else None)
    assert_same(moved.sort_index(), b.by_group.sort_index())
    summaries_a, summaries_b = numbers(a), numbers(b)
    for key in summaries_a:
        if key != "by_group":
            assert_same(summaries_a[key], summaries_b[key], what=key)


# ----- mergeable accumulators ---------------------------------------------------------------
def accumulator(data: dict[str, Any]) -> aequa.FairnessAccumulator:
    return aequa.FairnessAccumulator(
        sensitive_levels={k: sorted(set(v.tolist())) for k, v in data["sensitive"].items()},
        control_levels=None
        if data["control"] is None
        else {"site": sorted(set(data["control"]["site"].tolist()))},
    )


def update(acc: aequa.FairnessAccumulator, data: dict[str, Any], rows: np.ndarray) -> None:
    acc.update(
        data["y_true"][rows],
        data["y_pred"][rows],
        sensitive_features={k: v[rows] for k, v in data["sensitive"].items()},
        control_features=None
        if data["control"] is None
        else {"site": data["control"]["site"][rows]},
        sample_weight=None if data["weights"] is None else data["weights"][rows],
    )


@SETTINGS
@given(datasets(), st.integers(1, 6), st.randoms(use_true_random=False))
def test_merge_equals_whole(data: dict[str, Any], n_chunks: int, rnd: Any) -> None:
    n = len(data["y_true"])
    cuts = sorted(rnd.sample(range(1, n), min(n_chunks - 1, n - 1)))
    chunks = np.split(np.arange(n), cuts)
    parts = []
    for rows in chunks:
        acc = accumulator(data)
        update(acc, data, rows)
        parts.append(acc)
    rnd.shuffle(parts)
    merged = parts[0]
    for p in parts[1:]:
        merged = merged.merge(p)
    assert merged.n_rows == n
    whole = frame(data)
    from_acc = merged.metric_frame(BINARY)
    rtol = tolerance(data)
    assert_all_same(numbers(from_acc), numbers(whole), rtol)
    assert_same(from_acc.sizes, whole.sizes, rtol)


@SETTINGS
@given(datasets(), st.integers(1, 5))
def test_update_in_chunks_equals_one_update(data: dict[str, Any], n_chunks: int) -> None:
    n = len(data["y_true"])
    acc = accumulator(data)
    for rows in np.array_split(np.arange(n), min(n_chunks, n)):
        update(acc, data, rows)
    assert acc.n_rows == n
    assert_same(acc.metric_frame(BINARY).by_group, frame(data).by_group, tolerance(data))


def test_empty_chunk_and_empty_partition() -> None:
    """An empty chunk (a filtered batch, an empty Dask / Spark partition) adds nothing; an
    accumulator that saw no rows merges as the identity."""
    data = {
        "y_true": np.array([0, 1, 1, 0]),
        "y_pred": np.array([1, 1, 0, 0]),
        "sensitive": {"race": np.array(["r0", "r0", "r1", "r1"])},
        "control": None,
        "weights": None,
    }
    fresh = accumulator(data)
    acc = accumulator(data)
    update(acc, data, np.arange(4))
    assert acc.merge(fresh).to_json() == acc.to_json()
    assert fresh.merge(acc).metric_frame(BINARY).to_json() == acc.metric_frame(BINARY).to_json()
    before = acc.to_json()
    update(acc, data, np.arange(0))
    assert acc.n_rows == 4
    assert acc.to_json() == before


def test_json_round_trip_is_lossless() -> None:
    """The compensation term of these weights is -2**-53; it must survive to_json/from_json
    bit for bit (partitions shipped as JSON must merge to exactly the one-pass result)."""
    acc = aequa.FairnessAccumulator(sensitive_levels={"g": ["a", "b"]})
    acc.update([0, 0], [0, 0], sensitive_features=["a", "a"],
               sample_weight=[0.4410372420317049, 2.8464618469403593])  # fmt: skip
    text = acc.to_json()
    back = aequa.FairnessAccumulator.from_json(text)
    assert json.loads(back.to_json()) == json.loads(text)
    assert back.to_json() == text


@SETTINGS
@given(datasets(), st.integers(0, 4))
def test_accumulator_json_round_trip(data: dict[str, Any], split: int) -> None:
    split = min(split, len(data["y_true"]) - 1)  # no empty chunk (see the test above)
    acc = accumulator(data)
    update(acc, data, np.arange(len(data["y_true"]))[split:])
    text = acc.to_json()
    json.loads(text)
    back = aequa.FairnessAccumulator.from_json(text)
    assert back.to_json() == text
    assert back.n_rows == acc.n_rows
    assert back.metric_frame(BINARY).to_json() == acc.metric_frame(BINARY).to_json()
    # a restored accumulator keeps accumulating like the original
    head = np.arange(len(data["y_true"]))[:split]
    if len(head):
        update(acc, data, head)
        update(back, data, head)
        assert back.to_json() == acc.to_json()
        assert_same(back.metric_frame(BINARY).by_group, frame(data).by_group, tolerance(data))


# ----- one engine, one number ---------------------------------------------------------------
@SETTINGS
@given(datasets(), st.sampled_from(["between_groups", "to_overall"]))
def test_standalone_disparities_equal_metric_frame_summaries(
    data: dict[str, Any], method: str
) -> None:
    """``demographic_parity_difference`` & co. are MetricFrame summaries: bit-identical to
    ``difference()`` / ``ratio()`` of the same frame."""
    kwargs = {
        "y_true": data["y_true"],
        "y_pred": data["y_pred"],
        "sensitive_features": data["sensitive"],
        "sample_weight": data["weights"],
    }
    mf = aequa.MetricFrame(
        metrics=["selection_rate", "true_positive_rate", "false_positive_rate"], **kwargs
    )
    diff, ratio = mf.difference(method=method), mf.ratio(method=method)
    pairs = [
        (aequa.demographic_parity_difference(method=method, **kwargs), diff["selection_rate"]),
        (aequa.demographic_parity_ratio(method=method, **kwargs), ratio["selection_rate"]),
        (aequa.equal_opportunity_difference(method=method, **kwargs), diff["true_positive_rate"]),
        (aequa.equal_opportunity_ratio(method=method, **kwargs), ratio["true_positive_rate"]),
        (
            # the aequa convention: undefined as soon as either rate's gap is
            aequa.equalized_odds_difference(method=method, **kwargs),
            np.max([diff["true_positive_rate"], diff["false_positive_rate"]]),
        ),
        (
            aequa.equalized_odds_ratio(method=method, agg="mean", **kwargs),
            np.mean([ratio["true_positive_rate"], ratio["false_positive_rate"]]),
        ),
    ]
    for got, expected in pairs:
        assert_same(got, expected)


# ----- bootstrap determinism ----------------------------------------------------------------
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    datasets(),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["rows", "stratified", "fairlearn"]),
)
def test_bootstrap_same_seed_same_bits(data: dict[str, Any], seed: int, resampling: str) -> None:
    boot = {"n_boot": 30, "ci_quantiles": [0.05, 0.5, 0.95], "random_state": seed}
    a = frame(data, resampling=resampling, **boot).to_json()
    b = frame(data, resampling=resampling, **boot).to_json()
    assert a == b
    assert "NaN" not in a


def _boot_data(n: int = 400) -> dict[str, Any]:
    rng = np.random.default_rng(12345)
    return {
        "y_true": rng.integers(0, 2, n),
        "y_pred": rng.integers(0, 2, n),
        "sensitive": {"g": rng.choice(["a", "b", "c"], n)},
        "control": None,
        "weights": None,
    }


@pytest.mark.parametrize("resampling", ["rows", "stratified", "fairlearn"])
def test_bootstrap_different_seed_different_values(resampling: str) -> None:
    boot = {"n_boot": 50, "ci_quantiles": [0.05, 0.5, 0.95], "resampling": resampling}
    a = frame(_boot_data(), random_state=1, **boot)
    b = frame(_boot_data(), random_state=2, **boot)
    a_ci = np.array([q.to_numpy(dtype=float) for q in a.by_group_ci])
    b_ci = np.array([q.to_numpy(dtype=float) for q in b.by_group_ci])
    assert a_ci.shape == b_ci.shape
    assert not np.array_equal(a_ci, b_ci, equal_nan=True)
    # the point estimates do not depend on the seed
    assert_same(a.by_group, b.by_group)


def test_unseeded_bootstrap_records_its_seed() -> None:
    mf = frame(_boot_data(), n_boot=10, ci_quantiles=[0.5])
    seed = mf.report["intervals"]["random_state"]
    again = frame(_boot_data(), n_boot=10, ci_quantiles=[0.5], random_state=seed)
    assert mf.to_json() == again.to_json()


def test_stratified_intervals_exist_and_differ_from_rows() -> None:
    data = _boot_data()
    boot = {"n_boot": 50, "ci_quantiles": [0.05, 0.5, 0.95], "random_state": 7}
    strat = frame(data, resampling="stratified", **boot)
    rows = frame(data, resampling="rows", **boot)
    assert strat.n_boot == 50 and strat.ci_quantiles == [0.05, 0.5, 0.95]
    assert strat.report["intervals"]["resampling"] == "stratified"
    s_ci, r_ci = strat.by_group_ci, rows.by_group_ci
    assert len(s_ci) == 3
    # defined, ordered intervals around the estimate
    for lo, mid, hi in zip(s_ci[0]["selection_rate"], s_ci[1]["selection_rate"],
                           s_ci[2]["selection_rate"]):  # fmt: skip
        assert 0.0 <= lo <= mid <= hi <= 1.0 and lo < hi
    # group sizes are fixed under stratified resampling, random under row resampling
    counts = strat.by_group["count"].to_numpy()
    for q in s_ci:
        np.testing.assert_array_equal(q["count"].to_numpy(), counts)
    assert not np.array_equal(r_ci[0]["count"].to_numpy(), r_ci[2]["count"].to_numpy())
    assert not np.array_equal(
        s_ci[0]["selection_rate"].to_numpy(), r_ci[0]["selection_rate"].to_numpy()
    )


# ----- undefined values ---------------------------------------------------------------------
Y_TRUE = [0, 0, 0, 1, 1, 0]
Y_PRED = [1, 0, 1, 1, 0, 0]
SENS = ["a", "a", "a", "b", "b", "b"]  # group a has no positives


def test_no_positives_is_nan_with_reason() -> None:
    mf = aequa.MetricFrame(
        metrics=["true_positive_rate", "false_negative_rate", "selection_rate"],
        y_true=Y_TRUE, y_pred=Y_PRED, sensitive_features=SENS,
    )  # fmt: skip
    assert math.isnan(mf.by_group.loc["a", "true_positive_rate"])
    assert math.isnan(mf.by_group.loc["a", "false_negative_rate"])
    assert mf.by_group.loc["a", "selection_rate"] == pytest.approx(2 / 3)
    assert mf.by_group.loc["b", "true_positive_rate"] == 0.5
    und = mf.undefined
    row = und[(und.metric == "true_positive_rate") & (und.group.map(tuple) == ("a",))]
    assert len(row) == 1
    assert "tp+fn" in row.reason.iloc[0]
    assert set(und.metric) == {"true_positive_rate", "false_negative_rate"}
    # the summaries skip the undefined group instead of treating it as 0
    assert mf.group_min()["true_positive_rate"] == 0.5
    assert mf.difference()["true_positive_rate"] == 0.0


def test_fairlearn_compat_gives_zero_and_no_reason() -> None:
    mf = aequa.MetricFrame(
        metrics=["true_positive_rate"], y_true=Y_TRUE, y_pred=Y_PRED, sensitive_features=SENS,
        compat="fairlearn",
    )  # fmt: skip
    assert mf.by_group.loc["a", "true_positive_rate"] == 0.0
    assert mf.difference()["true_positive_rate"] == 0.5
    assert aequa.true_positive_rate([0, 0], [1, 0], compat="fairlearn") == 0.0
    assert math.isnan(aequa.true_positive_rate([0, 0], [1, 0]))


@pytest.mark.parametrize(
    ("metric", "reason"),
    [
        ("precision_score", "tp+fp"),
        ("false_positive_rate", "fp+tn"),
        ("negative_predictive_value", "tn+fn"),
    ],
)
def test_other_zero_denominators_have_reasons(metric: str, reason: str) -> None:
    # group a: every prediction negative, every label positive
    mf = aequa.MetricFrame(
        metrics=[metric], y_true=[1, 1, 0, 1], y_pred=[0, 0, 1, 1],
        sensitive_features=["a", "a", "b", "b"],
    )  # fmt: skip
    if metric == "negative_predictive_value":
        mf = aequa.MetricFrame(
            metrics=[metric], y_true=[1, 1, 0, 1], y_pred=[1, 1, 1, 0],
            sensitive_features=["a", "a", "b", "b"],
        )  # fmt: skip
    assert math.isnan(mf.by_group.loc["a", metric])
    und = mf.undefined
    assert len(und) == 1 and und.metric.iloc[0] == metric
    assert reason in und.reason.iloc[0]


def test_empty_intersections_are_explicit_rows() -> None:
    sens = {"s": ["a", "a", "b", "b"], "t": ["x", "x", "x", "y"]}  # (a, y) never occurs
    kwargs = {"y_true": [0, 1, 1, 0], "y_pred": [1, 1, 0, 0], "sensitive_features": sens}
    default = aequa.MetricFrame(metrics=["count", "selection_rate"], **kwargs)
    assert list(default.by_group.index) == [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")]
    assert default.by_group.loc[("a", "y"), "count"] == 0
    assert math.isnan(default.by_group.loc[("a", "y"), "selection_rate"])
    und = default.undefined
    empty = und[und.group.map(tuple) == ("a", "y")]
    assert list(empty.metric) == ["selection_rate"]
    assert "empty" in empty.reason.iloc[0]
    assert any("(a, y)" in w and "no rows" in w for w in default.warnings)
    assert default.sizes.loc[("a", "y"), "rows"] == 0

    compat = aequa.MetricFrame(metrics=["count", "selection_rate"], compat="fairlearn", **kwargs)
    assert len(compat.by_group) == 4
    assert math.isnan(compat.by_group.loc[("a", "y"), "count"])
    assert math.isnan(compat.by_group.loc[("a", "y"), "selection_rate"])


@SETTINGS
@given(datasets(weights="none"))
def test_nothing_undefined_is_dropped(data: dict[str, Any]) -> None:
    """Every NaN in by_group has exactly one reason in ``undefined`` and vice versa."""
    mf = frame(data)
    overall = mf.overall
    tables = [mf.by_group, overall.to_frame().T if isinstance(overall, pd.Series) else overall]
    nan_cells = set()
    for table in tables:
        for key, row in table.iterrows():
            key = () if data["control"] is None and table is tables[1] else key
            key = key if isinstance(key, tuple) else (key,)
            for metric, value in row.items():
                if math.isnan(value):
                    nan_cells.add((metric, tuple(str(v) for v in key)))
    und = mf.undefined
    reasons = [(m, tuple(c) + tuple(g)) for m, c, g in zip(und.metric, und.control, und.group)]
    assert len(reasons) == len(set(reasons))
    assert set(reasons) == nan_cells
    assert all(isinstance(r, str) and r for r in und.reason)
