"""aequa.drift against the golden fixtures (scipy 1.17, Evidently 0.7.23) to 1e-9, live
against scipy, bad input, and the statistics' properties."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import aequa
import numpy as np
import pandas as pd
import pytest
import scipy.stats as st
from aequa import drift
from hypothesis import given, settings
from hypothesis import strategies as hs

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "drift"
TOL = 1e-9


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for name in ("synthetic", "adult", "sklearn"):
        cases += json.loads((GOLDEN / f"{name}.json").read_text())["cases"]
    assert len(cases) >= 60
    return cases


CASES = load_cases()


def close(actual: Any, expected: Any) -> bool:
    a = math.nan if actual is None else float(actual)
    if expected is None or math.isnan(float(expected)):
        return not math.isfinite(a)
    return abs(a - float(expected)) <= TOL * max(1.0, abs(float(expected)))


def arr(values: list[Any]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def finite(values: list[Any]) -> np.ndarray:
    a = arr(values)
    return a[np.isfinite(a)]


def strings(values: list[Any]) -> pd.Series:
    return pd.Series(values, dtype=object)


@pytest.mark.parametrize("c", CASES, ids=[c["name"] for c in CASES])
def test_golden(c: dict[str, Any]) -> None:
    e = c["expected"]
    t = c["test"]
    if t == "ks":
        r = drift.ks_2samp(arr(c["data1"]), arr(c["data2"]), c["alternative"], c["method"])
        assert close(r.statistic, e["statistic"]) and close(r.pvalue, e["pvalue"])
        assert r.statistic_location == e["statistic_location"]
        assert r.statistic_sign == e["statistic_sign"]
    elif t == "chisquare":
        r = drift.chisquare(c["f_obs"], c["f_exp"], c["ddof"])
        assert close(r.statistic, e["statistic"]) and close(r.pvalue, e["pvalue"])
    elif t == "wasserstein":
        d = drift.wasserstein_distance(
            arr(c["u_values"]), arr(c["v_values"]), c["u_weights"], c["v_weights"]
        )
        assert close(d, e["statistic"])
    elif t == "anderson":
        r = drift.anderson_ksamp([arr(s) for s in c["samples"]], midrank=c["midrank"])
        assert close(r.statistic, e["statistic"]) and close(r.pvalue, e["pvalue"])
        assert all(close(a, b) for a, b in zip(r.critical_values, e["critical_values"]))
        assert r.significance_level == r.pvalue
    elif t.startswith("evidently_"):
        stat = t.removeprefix("evidently_")
        if c["categorical"]:
            ref, cur = strings(c["reference"]), strings(c["current"])
        else:
            ref, cur = finite(c["reference"]), finite(c["current"])
        if stat == "psi":
            assert close(drift.psi(ref, cur, binning="sturges").statistic, e["statistic"])
        elif stat == "jensen_shannon":
            assert close(
                drift.jensen_shannon(ref, cur, binning="sturges").statistic, e["statistic"]
            )
        else:
            rep = drift.drift_report({"x": ref}, {"x": cur}, tests={"x": stat})
            entry = rep.column("x")
            key = "p_value" if stat == "chisquare" else "statistic"
            assert close(entry[key], e["pvalue" if stat == "chisquare" else "statistic"])
    elif t.startswith("quantile_"):
        f = drift.psi if t.endswith("psi") else drift.jensen_shannon
        r = f(arr(c["reference"]), arr(c["current"]), bins=c["bins"])
        assert close(r.statistic, e["statistic"])
        assert r.reference_counts == e["reference_counts"]
        assert r.current_counts == e["current_counts"]
        if e["edges"] is not None:
            assert r.bins["edges"] == e["edges"]
    elif t == "report":
        ref, cur = {}, {}
        for name, spec in c["columns"].items():
            if spec["kind"] == "numeric":
                ref[name], cur[name] = arr(spec["reference"]), arr(spec["current"])
            else:
                lv = spec["levels"]
                ref[name] = strings([None if k is None else lv[k] for k in spec["reference"]])
                cur[name] = strings([None if k is None else lv[k] for k in spec["current"]])
        rep = drift.drift_report(pd.DataFrame(ref), pd.DataFrame(cur))
        for name, x in e["columns"].items():
            got = rep.column(name)
            assert got["test"] == x["test"], name
            assert close(got["statistic"], x["statistic"]), name
            assert close(got["p_value"], x["p_value"]), name
            assert close(got["p_value_adjusted"], x["p_value_adjusted"]), name
            assert got["drifted"] == x["drifted"], name
            assert got["n_distinct"] == x["n_distinct"], name
        assert rep.n_drifted == e["n_drifted"] and rep.dataset_drift == e["dataset_drift"]
    else:
        raise AssertionError(t)


# ---------------------------------------------------------------- live parity


@settings(max_examples=60, deadline=None)
@given(
    hs.lists(hs.integers(-20, 20), min_size=1, max_size=60),
    hs.lists(hs.integers(-20, 20), min_size=1, max_size=60),
    hs.sampled_from(["two-sided", "less", "greater"]),
    hs.sampled_from(["exact", "asymp"]),
)
def test_ks_matches_scipy_live(x: list[int], y: list[int], alternative: str, method: str) -> None:
    a, b = np.array(x, float), np.array(y, float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = st.ks_2samp(a, b, alternative=alternative, method=method)
    got = drift.ks_2samp(a, b, alternative=alternative, method=method)
    assert close(got.statistic, float(want.statistic))
    assert close(got.pvalue, float(want.pvalue))
    assert got.statistic_location == float(want.statistic_location)
    assert got.statistic_sign == int(want.statistic_sign)


@settings(max_examples=40, deadline=None)
@given(
    hs.lists(hs.floats(-1e3, 1e3), min_size=2, max_size=80),
    hs.lists(hs.floats(-1e3, 1e3), min_size=2, max_size=80),
)
def test_wasserstein_and_anderson_match_scipy_live(x: list[float], y: list[float]) -> None:
    assert close(drift.wasserstein_distance(x, y), st.wasserstein_distance(x, y))
    if len(set(x) | set(y)) >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = st.anderson_ksamp([x, y])
        got = drift.anderson_ksamp([x, y])
        assert close(got.statistic, want.statistic) and close(got.pvalue, want.pvalue)


# ---------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None)
@given(hs.lists(hs.floats(-1e3, 1e3), min_size=1, max_size=100))
def test_identical_samples_have_zero_statistics(x: list[float]) -> None:
    assert drift.ks_2samp(x, x).statistic == 0.0
    assert drift.wasserstein_distance(x, x) == 0.0
    assert drift.psi(x, x).statistic == 0.0
    assert drift.jensen_shannon(x, x).statistic == 0.0


@settings(max_examples=40, deadline=None)
@given(
    hs.lists(hs.sampled_from("abcde"), min_size=1, max_size=80),
    hs.lists(hs.sampled_from("abcde"), min_size=1, max_size=80),
)
def test_categorical_distances_are_symmetric(x: list[str], y: list[str]) -> None:
    a, b = drift.jensen_shannon(x, y).statistic, drift.jensen_shannon(y, x).statistic
    assert abs(a - b) < 1e-12
    p, q = drift.psi(x, y, floor=1e-4).statistic, drift.psi(y, x, floor=1e-4).statistic
    assert abs(p - q) < 1e-9 * max(1.0, p)


@settings(max_examples=30, deadline=None)
@given(
    hs.lists(hs.floats(-50, 50), min_size=1, max_size=100),
    hs.lists(hs.floats(-50, 50), min_size=1, max_size=100),
    hs.integers(0, 100),
)
def test_summary_chunks_merged_equal_one_pass(x: list[float], y: list[float], cut: int) -> None:
    edges = [-50.0, -10.0, 0.0, 10.0, 50.0]
    one = drift.DriftSummary.numeric(edges)
    one.update_values("reference", np.array(x))
    one.update_values("current", np.array(y))
    a, b = drift.DriftSummary.numeric(edges), drift.DriftSummary.numeric(edges)
    a.update_values("reference", np.array(x[:cut]))
    b.update_values("reference", np.array(x[cut:]))
    b.update_values("current", np.array(y[:cut]))
    a.update_values("current", np.array(y[cut:]))
    a.merge(drift.DriftSummary.from_json(b.to_json()))
    assert a.reference_counts == one.reference_counts
    assert a.current_counts == one.current_counts
    assert a.psi()[0] == one.psi()[0]
    assert a.jensen_shannon() == one.jensen_shannon()


def test_summary_matches_report_psi() -> None:
    rng = np.random.default_rng(5)
    ref, cur = rng.normal(size=3000), rng.normal(0.2, size=2000)
    full = drift.psi(ref, cur)
    s = drift.DriftSummary.numeric(full.bins["edges"])
    s.update_values("reference", ref)
    for chunk in np.array_split(cur, 7):
        s.update_values("current", chunk)
    assert s.psi()[0] == pytest.approx(full.statistic, rel=1e-12, abs=0)


# ---------------------------------------------------------------- reports


def frames(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.integers(0, 4, n),
            "c": rng.choice(["a", "b", "c"], n),
            "g": rng.choice(["F", "M"], n),
            "score": rng.uniform(size=n),
        }
    )
    cur = pd.DataFrame(
        {
            "x": rng.normal(0.6, size=n),
            "k": rng.integers(0, 4, n),
            "c": rng.choice(["a", "b", "c"], n, p=[0.6, 0.2, 0.2]),
            "g": rng.choice(["F", "M"], n),
            "score": rng.uniform(0.2, 1.0, size=n),
        }
    )
    return ref, cur


def test_report_api_prediction_and_groups() -> None:
    ref, cur = frames()
    rep = drift.drift_report(ref, cur, prediction="score", sensitive_features="g")
    assert isinstance(rep, aequa.report.Report)
    assert rep.columns == ["x", "k", "c"]
    assert rep.drifted_columns == ["x", "c"]
    assert rep.prediction is not None and rep.prediction["drifted"]
    assert set(rep.by_group) == {"F", "M"}
    assert rep.by_group["F"].drifted_columns == ["x", "c"]
    df = rep.to_pandas()
    assert list(df.index) == ["x", "k", "c", "score"]
    assert df.loc["score", "role"] == "prediction"
    stacked = rep.to_pandas(by_group=True)
    assert set(stacked.index.get_level_values("group")) == {"(all)", "F", "M"}
    assert "drift" in rep._repr_html_()
    back = json.loads(rep.to_json())
    assert back["kind"] == "drift" and back["sensitive_feature"] == "g"
    assert drift.DriftReport.from_json(rep.to_json()).drift_share == rep.drift_share


def test_frames_of_every_library_give_the_same_report() -> None:
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    ref, cur = frames(800, seed=3)
    base = drift.drift_report(ref, cur).to_json()
    assert drift.drift_report(pl.from_pandas(ref), pl.from_pandas(cur)).to_json() == base
    assert (
        drift.drift_report(pa.Table.from_pandas(ref), pa.Table.from_pandas(cur)).to_json() == base
    )
    cat = ref.assign(c=ref["c"].astype("category")), cur.assign(c=cur["c"].astype("category"))
    assert drift.drift_report(*cat).to_json() == base


def test_tests_override_thresholds_and_corrections() -> None:
    ref, cur = frames(500, seed=1)
    rep = drift.drift_report(
        ref, cur, tests={"x": "psi", "c": ("jensen_shannon", 0.5), "k": {"test": "anderson"}}
    )
    assert rep.column("x")["test"] == "psi" and rep.column("x")["selected_by"] == "user"
    assert rep.column("x")["bins"]["method"] == "quantile"
    assert rep.column("c")["threshold"] == 0.5
    assert rep.column("k")["test"] == "anderson"
    none = drift.drift_report(ref, cur, correction=None)
    bonf = drift.drift_report(ref, cur, correction="bonferroni")
    for col in ("x", "k", "c", "g"):
        p = none.column(col)["p_value"]
        assert none.column(col)["p_value_adjusted"] == p
        assert bonf.column(col)["p_value_adjusted"] == pytest.approx(min(1.0, 5 * p), rel=1e-12)


# ---------------------------------------------------------------- bad input


def test_mismatched_columns() -> None:
    ref, cur = frames(100)
    with pytest.raises(aequa.AequaError, match="same columns.*missing from current: \\['x'\\]"):
        drift.drift_report(ref, cur.drop(columns="x"))
    with pytest.raises(aequa.AequaError, match="no column 'zz'"):
        drift.drift_report(ref, cur, columns=["zz"])


def test_mismatched_dtypes() -> None:
    ref, cur = frames(100)
    with pytest.raises(aequa.AequaError, match="column 'x': numeric in the reference.*categorical"):
        drift.drift_report(ref, cur.assign(x=cur["x"].astype(str)))


def test_empty_and_all_missing_columns() -> None:
    ref, cur = frames(100)
    with pytest.raises(aequa.AequaError, match="column 'x'.*no rows"):
        drift.drift_report(ref.iloc[:0], cur)
    with pytest.raises(aequa.AequaError, match="column 'x'.*every one of the 100 current values"):
        drift.drift_report(ref, cur.assign(x=np.nan))
    with pytest.raises(aequa.AequaError, match="column 'c'.*missing"):
        drift.drift_report(ref.assign(c=None), cur)


def test_too_few_samples_and_bad_options() -> None:
    with pytest.raises(aequa.AequaError, match="at least two samples"):
        drift.anderson_ksamp([[1.0, 2.0, 3.0]])
    with pytest.raises(aequa.AequaError, match="data1.*empty"):
        drift.ks_2samp([], [1.0])
    with pytest.raises(aequa.AequaError, match="data2.*finite"):
        drift.ks_2samp([1.0], [np.nan])
    with pytest.raises(aequa.AequaError, match="alternative"):
        drift.ks_2samp([1.0], [2.0], alternative="bigger")
    with pytest.raises(aequa.AequaError, match="relative tolerance"):
        drift.chisquare([1, 2], [1, 1])
    ref, cur = frames(100)
    with pytest.raises(aequa.AequaError, match="column 'c' is categorical"):
        drift.drift_report(ref, cur, tests={"c": "ks"})
    with pytest.raises(aequa.AequaError, match="tests: column 'x'"):
        drift.drift_report(ref, cur, tests={"x": "t-test"})
    with pytest.raises(aequa.AequaError, match="correction"):
        drift.drift_report(ref, cur, correction="holm")
    with pytest.raises(aequa.AequaError, match="alpha"):
        drift.drift_report(ref, cur, alpha=2.0)
    with pytest.raises(aequa.AequaError, match="expected numbers"):
        drift.ks_2samp(["a"], [1.0])


def test_categorical_summary_and_checked_json() -> None:
    s = drift.DriftSummary.categorical(3)
    s.update_codes("reference", np.array([0, 0, 1, 2, 2**32 - 1], dtype=np.uint32))
    s.update_codes("current", np.array([0, 1, 1, 2], dtype=np.uint32))
    rep = drift.drift_report({"c": ["a", "a", "b", "c", None]}, {"c": ["a", "b", "b", "c"]},
                             tests={"c": "chisquare"})  # fmt: skip
    stat, p, dof = s.chisquare()
    assert (stat, p) == (rep.column("c")["statistic"], rep.column("c")["p_value"])
    assert dof == 2.0
    with pytest.raises(aequa.AequaError, match="codes below 3"):
        s.update_codes("current", np.array([5], dtype=np.uint32))
    with pytest.raises(aequa.AequaError, match="expected 3 counts"):
        drift.DriftSummary.from_json(s.to_json().replace('"current":[1,2,1]', '"current":[1]'))
    with pytest.raises(aequa.AequaError, match="different bins"):
        s.merge(drift.DriftSummary.categorical(4))


def test_a_category_unseen_in_the_reference_is_infinite_drift_with_a_reason() -> None:
    ref = pd.DataFrame({"c": ["a", "b"] * 50})
    cur = pd.DataFrame({"c": ["a", "b", "z"] * 40})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns of the division by a zero expectation
        # scipy's own answer for these counts: an infinite statistic and p = 0.
        expected = st.chisquare([40, 40, 40], [60.0, 60.0, 0.0])
        r = drift.drift_report(ref, cur)
    assert math.isinf(expected.statistic) and expected.pvalue == 0.0
    col = r.report["overall"]["columns"][0]
    assert col["statistic"] is None and col["p_value"] == 0.0 and col["drifted"] is True
    assert col["details"]["unseen_in_reference"] == ["z"]
    assert r.report["warnings"] == [
        "column 'c': the current data has values the reference never saw ([\"z\"]); the "
        "chisquare statistic is infinite (null in JSON) and the column counts as drifted"
    ]
