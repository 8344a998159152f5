"""Generate golden drift cases from scipy and Evidently.

Run from the repository root (Evidently 0.7.23 is needed for the PSI / Jensen-Shannon /
normed-Wasserstein / chi-square cases; install it with ``pip install evidently==0.7.23``):

    .venv/bin/python tests/golden/generate_drift.py

Writes ``tests/golden/drift/{synthetic,adult,sklearn}.json``.  Deterministic: fixed seeds,
floats written by ``json.dumps`` (``repr`` precision), NaN written as ``null``.

What each expected number comes from:

* ``ks``: ``scipy.stats.ks_2samp`` (statistic, pvalue, statistic_location, statistic_sign),
  methods ``auto`` / ``exact`` / ``asymp``, alternatives ``two-sided`` / ``less`` /
  ``greater``, with and without ties, equal and unequal sizes.
* ``chisquare``: ``scipy.stats.chisquare``.
* ``wasserstein``: ``scipy.stats.wasserstein_distance`` (with and without weights).
* ``anderson``: ``scipy.stats.anderson_ksamp`` (midrank and right variants).
* ``evidently_*``: Evidently's own stattest functions (``_psi``, ``_jensenshannon``,
  ``_wasserstein_distance_norm``, ``_chi_stat_test``) on pandas Series — Evidently's binning
  (Sturges bins on both samples, or one bin per value when the reference has at most 20
  distinct values) and its floor for empty bins.
* ``quantile_psi`` / ``quantile_js``: aequa's default binning (quantile edges of the
  reference, open outer bins) written out independently in numpy below, then Evidently's PSI
  formula and floor, and ``scipy.spatial.distance.jensenshannon``.
* ``report``: a whole drift report: Evidently's default-test rule written out below, each
  statistic from scipy / the functions above, Benjamini-Hochberg from statsmodels.

Evidently 0.7.23 imports ``pandas.core.dtypes.common.infer_dtype_from_object``, which pandas 3
removed; the shim below restores a stand-in before the import (the stattests used here never
call it). Evidently orders categories as a Python ``set`` does, which depends on string
hashing, so the script re-runs itself with ``PYTHONHASHSEED=0`` to be byte-reproducible.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandas.core.dtypes.common as _pd_common
import scipy
import scipy.stats as st
import sklearn
import statsmodels
from scipy.spatial.distance import jensenshannon
from sklearn import datasets as skd
from statsmodels.stats.multitest import multipletests

if not hasattr(_pd_common, "infer_dtype_from_object"):
    _pd_common.infer_dtype_from_object = lambda dtype: dtype  # type: ignore[attr-defined]

import evidently  # noqa: E402
from evidently.legacy.calculations.stattests.chisquare_stattest import _chi_stat_test  # noqa: E402
from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon  # noqa: E402
from evidently.legacy.calculations.stattests.psi import _psi  # noqa: E402
from evidently.legacy.calculations.stattests.wasserstein_distance_norm import (  # noqa: E402
    _wasserstein_distance_norm,
)
from evidently.legacy.core import ColumnType  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "golden" / "drift"
SEED = 20261128


def clean(x: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN to None."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return [clean(v) for v in x.tolist()]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        return None if math.isnan(f) or math.isinf(f) else f
    return x


def numeric_list(a: np.ndarray) -> list[float | int | None]:
    """Values as JSON numbers (integral ones without ".0", to keep the files small)."""
    out: list[float | int | None] = []
    for v in np.asarray(a, dtype=float).tolist():
        out.append(None if not math.isfinite(v) else int(v) if v.is_integer() else v)
    return out


# ---------------------------------------------------------------- scipy cases


def ks_case(name: str, x: np.ndarray, y: np.ndarray, alternative: str, method: str) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = st.ks_2samp(x, y, alternative=alternative, method=method)
    return {
        "name": name,
        "test": "ks",
        "data1": numeric_list(x),
        "data2": numeric_list(y),
        "alternative": alternative,
        "method": method,
        "expected": {
            "statistic": float(r.statistic),
            "pvalue": float(r.pvalue),
            "statistic_location": float(r.statistic_location),
            "statistic_sign": int(r.statistic_sign),
        },
    }


def chisquare_case(name: str, f_obs: Any, f_exp: Any = None, ddof: int = 0) -> dict:
    r = st.chisquare(f_obs, f_exp, ddof=ddof)
    return {
        "name": name,
        "test": "chisquare",
        "f_obs": [float(v) for v in f_obs],
        "f_exp": None if f_exp is None else [float(v) for v in f_exp],
        "ddof": ddof,
        "expected": {"statistic": float(r.statistic), "pvalue": clean(r.pvalue)},
    }


def wasserstein_case(name: str, u: Any, v: Any, uw: Any = None, vw: Any = None) -> dict:
    d = st.wasserstein_distance(u, v, uw, vw)
    return {
        "name": name,
        "test": "wasserstein",
        "u_values": numeric_list(u),
        "v_values": numeric_list(v),
        "u_weights": None if uw is None else numeric_list(uw),
        "v_weights": None if vw is None else numeric_list(vw),
        "expected": {"statistic": float(d)},
    }


def anderson_case(name: str, samples: list[np.ndarray], midrank: bool = True) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = st.anderson_ksamp(samples, midrank=midrank)
    return {
        "name": name,
        "test": "anderson",
        "samples": [numeric_list(s) for s in samples],
        "midrank": midrank,
        "expected": {
            "statistic": float(r.statistic),
            "critical_values": [float(c) for c in r.critical_values],
            "pvalue": float(r.pvalue),
        },
    }


# ---------------------------------------------------------------- Evidently cases


def _series(values: Any, categorical: bool) -> pd.Series:
    if categorical:
        return pd.Series(values, dtype=object).dropna()
    s = pd.Series(np.asarray(values, dtype=float))
    return s.replace([np.inf, -np.inf], np.nan).dropna()


def evidently_case(name: str, test: str, ref: Any, cur: Any, categorical: bool) -> dict:
    r, c = _series(ref, categorical), _series(cur, categorical)
    ftype = ColumnType.Categorical if categorical else ColumnType.Numerical
    if test == "psi":
        value = _psi(r, c, ftype, 0.1)[0]
    elif test == "jensen_shannon":
        value = _jensenshannon(r, c, ftype, 0.1)[0]
    elif test == "wasserstein":
        value = _wasserstein_distance_norm(r, c, ftype, 0.1)[0]
    elif test == "chisquare":
        value = _chi_stat_test(r, c, ftype, 0.05)[0]  # Evidently returns the p-value
    else:
        raise ValueError(test)
    key = "pvalue" if test == "chisquare" else "statistic"
    return {
        "name": name,
        "test": f"evidently_{test}",
        "categorical": categorical,
        "reference": list(ref) if categorical else numeric_list(ref),
        "current": list(cur) if categorical else numeric_list(cur),
        "expected": {key: float(value)},
    }


# ---------------------------------------------------------------- aequa's quantile binning


def quantile_counts(ref: np.ndarray, cur: np.ndarray, bins: int) -> tuple[Any, Any, Any]:
    """aequa's default numeric binning, written independently of the Rust code."""
    ref = ref[np.isfinite(ref)]
    cur = cur[np.isfinite(cur)]
    if len(np.unique(ref)) <= 20:  # Evidently's one-bin-per-value rule
        values = np.union1d(ref, cur)
        rc = np.array([(ref == v).sum() for v in values], dtype=float)
        cc = np.array([(cur == v).sum() for v in values], dtype=float)
        return None, rc, cc
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    inner = edges[1:-1]
    rc = np.bincount(np.searchsorted(inner, ref, side="right"), minlength=len(inner) + 1)
    cc = np.bincount(np.searchsorted(inner, cur, side="right"), minlength=len(inner) + 1)
    return edges, rc.astype(float), cc.astype(float)


def floor_shares(p: np.ndarray) -> np.ndarray:
    """Evidently's floor (utils.get_binned_data, feel_zeroes=True)."""
    p = p.copy()
    nz = p[p != 0]
    f = nz.min() / 10**6 if nz.min() <= 0.0001 else 0.0001
    p[p == 0] = f
    return p


def psi_from_counts(rc: np.ndarray, cc: np.ndarray) -> float:
    r = floor_shares(rc / rc.sum())
    c = floor_shares(cc / cc.sum())
    return float(np.sum((r - c) * np.log(r / c)))


def js_from_counts(rc: np.ndarray, cc: np.ndarray) -> float:
    return float(jensenshannon(rc / rc.sum(), cc / cc.sum()))


def quantile_case(name: str, test: str, ref: np.ndarray, cur: np.ndarray, bins: int = 10) -> dict:
    edges, rc, cc = quantile_counts(np.asarray(ref, float), np.asarray(cur, float), bins)
    value = psi_from_counts(rc, cc) if test == "psi" else js_from_counts(rc, cc)
    return {
        "name": name,
        "test": f"quantile_{test}",
        "bins": bins,
        "reference": numeric_list(ref),
        "current": numeric_list(cur),
        "expected": {
            "statistic": value,
            "edges": None if edges is None else [float(e) for e in edges],
            "reference_counts": rc.tolist(),
            "current_counts": cc.tolist(),
        },
    }


# ---------------------------------------------------------------- whole reports


def encode(ref: pd.Series, cur: pd.Series) -> tuple[list[Any], list[Any], list[str]]:
    """Categorical columns as sorted levels and codes (None = missing)."""
    levels = sorted(set(ref.dropna()) | set(cur.dropna()))
    index = {v: i for i, v in enumerate(levels)}
    code = lambda s: [None if pd.isna(v) else index[v] for v in s]  # noqa: E731
    return code(ref), code(cur), [str(v) for v in levels]


def expected_column(ref: pd.Series, cur: pd.Series, categorical: bool, alpha: float) -> dict:
    """Evidently's default-test rule (z-test replaced by chi-square) and the statistic."""
    r, c = _series(ref, categorical), _series(cur, categorical)
    n_distinct = pd.concat([r, c]).nunique()
    continuous = (not categorical) and n_distinct > 5
    small = len(r) <= 1000
    if small and continuous:
        test, res = "ks", st.ks_2samp(r.to_numpy(), c.to_numpy())
        stat, p, thr = float(res.statistic), float(res.pvalue), alpha
    elif small:
        test, thr = "chisquare", alpha
        keys = sorted(set(r) | set(c))
        rc = np.array([(r == k).sum() for k in keys], float)
        cc = np.array([(c == k).sum() for k in keys], float)
        res = st.chisquare(cc, rc * (len(c) / len(r)))
        stat, p = float(res.statistic), float(res.pvalue)
    elif continuous:
        test, thr, p = "wasserstein", 0.1, None
        stat = float(_wasserstein_distance_norm(r, c, ColumnType.Numerical, 0.1)[0])
    else:
        test, thr, p = "jensen_shannon", 0.1, None
        if categorical:
            keys = sorted(set(r) | set(c))
            rc = np.array([(r == k).sum() for k in keys], float)
            cc = np.array([(c == k).sum() for k in keys], float)
        else:
            _, rc, cc = quantile_counts(r.to_numpy(), c.to_numpy(), 10)
        stat = js_from_counts(rc, cc)
    return {
        "test": test,
        "statistic": stat,
        "p_value": p,
        "threshold": thr,
        "n_reference": len(r),
        "n_current": len(c),
        "n_distinct": int(n_distinct),
    }


def report_case(
    name: str, ref: pd.DataFrame, cur: pd.DataFrame, categorical: list[str], alpha: float = 0.05
) -> dict:
    columns = {}
    expected = {}
    for col in ref.columns:
        is_cat = col in categorical
        if is_cat:
            rcodes, ccodes, levels = encode(ref[col], cur[col])
            columns[col] = {"kind": "categorical", "levels": levels,
                            "reference": rcodes, "current": ccodes}  # fmt: skip
        else:
            columns[col] = {"kind": "numeric", "reference": numeric_list(ref[col]),
                            "current": numeric_list(cur[col])}  # fmt: skip
        expected[col] = expected_column(ref[col], cur[col], is_cat, alpha)
    tested = [c for c in expected if expected[c]["p_value"] is not None]
    if tested:
        adj = multipletests([expected[c]["p_value"] for c in tested], method="fdr_bh")[1]
        for c, a in zip(tested, adj):
            expected[c]["p_value_adjusted"] = float(a)
    for e in expected.values():
        if e["p_value"] is None:
            e["p_value_adjusted"] = None
            e["drifted"] = e["statistic"] >= e["threshold"]
        else:
            e["drifted"] = e["p_value_adjusted"] < e["threshold"]
    n_drifted = sum(e["drifted"] for e in expected.values())
    return {
        "name": name,
        "test": "report",
        "options": {"alpha": alpha, "correction": "bh"},
        "columns": columns,
        "expected": {
            "columns": expected,
            "n_drifted": n_drifted,
            "drift_share": n_drifted / len(expected),
            "dataset_drift": n_drifted / len(expected) >= 0.5,
        },
    }


# ---------------------------------------------------------------- data sets


def synthetic() -> list[dict]:
    rng = np.random.default_rng(SEED)

    def n(*args: Any, **kwargs: Any) -> np.ndarray:
        return np.round(rng.normal(*args, **kwargs), 6)  # 6 decimals keep the files small

    cases = [
        ks_case("ks_small_unequal", n(size=5), n(0.5, size=4), "two-sided", "auto"),
        ks_case("ks_equal_square", n(size=100), n(0.3, size=100), "two-sided", "exact"),
        ks_case("ks_equal_large", n(size=1000), n(0.05, size=1000), "two-sided", "auto"),
        ks_case("ks_unequal_exact", n(size=200), n(0.2, size=300), "two-sided", "exact"),
        ks_case("ks_exact_auto_3000", n(size=3000), n(0.03, 1.1, 4000), "two-sided", "auto"),
        ks_case("ks_asymp_auto", n(size=15000), n(0.02, size=12000), "two-sided", "auto"),
        ks_case("ks_asymp_small", n(size=50), n(0.4, size=80), "two-sided", "asymp"),
        ks_case("ks_asymp_far", n(size=400), n(1.5, size=300), "two-sided", "asymp"),
        ks_case(
            "ks_ties",
            rng.integers(0, 10, 37).astype(float),
            rng.integers(1, 11, 53).astype(float),
            "two-sided",
            "auto",
        ),  # fmt: skip
        ks_case(
            "ks_ties_asymp",
            rng.integers(0, 6, 700).astype(float),
            rng.integers(0, 7, 900).astype(float),
            "two-sided",
            "asymp",
        ),  # fmt: skip
        ks_case("ks_less_exact", n(size=30), n(0.5, size=45), "less", "exact"),
        ks_case("ks_greater_exact", n(0.5, size=30), n(size=45), "greater", "exact"),
        ks_case("ks_less_equal", n(size=40), n(0.5, size=40), "less", "exact"),
        ks_case("ks_greater_asymp", n(0.2, size=500), n(size=800), "greater", "asymp"),
        ks_case("ks_identical", np.arange(10.0), np.arange(10.0), "two-sided", "auto"),
        chisquare_case("chisquare_uniform", [16, 18, 16, 14, 12, 12]),
        chisquare_case("chisquare_expected", [43, 52, 54, 40], [50.0, 46.0, 48.0, 45.0]),
        chisquare_case("chisquare_ddof", [16, 18, 16, 14, 12, 12], None, 2),
        chisquare_case("chisquare_large", rng.integers(900, 1100, 30).tolist()),
        wasserstein_case("wasserstein_small", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0]),
        wasserstein_case("wasserstein_normal", n(size=5000), n(0.1, 1.2, 4000)),
        wasserstein_case(
            "wasserstein_weighted",
            [3.4, 3.9, 7.5, 7.8],
            [4.5, 1.4],
            [1.4, 0.9, 3.1, 7.2],
            [3.2, 3.5],
        ),  # fmt: skip
        wasserstein_case("wasserstein_ties", rng.integers(0, 5, 300), rng.integers(0, 6, 200)),
        anderson_case("anderson_two", [n(size=50), n(0.5, size=30)]),
        anderson_case("anderson_three", [n(size=50), n(size=30), n(size=20)]),
        anderson_case("anderson_right", [n(size=60), n(0.3, size=40)], midrank=False),
        anderson_case(
            "anderson_ties",
            [rng.integers(0, 8, 200).astype(float), rng.integers(0, 9, 150).astype(float)],
        ),  # fmt: skip
        anderson_case("anderson_floor", [n(size=300), n(2.0, size=300)]),
        anderson_case("anderson_mid", [n(size=400), n(0.17, size=400)]),
    ]
    ref, cur = n(size=3000), n(0.3, 1.2, size=2500)
    cur_gaps = np.concatenate([n(size=1000), n(6.0, size=100)])
    cats = np.array(["a", "b", "c", "d"])
    cref = rng.choice(cats, 2000, p=[0.4, 0.3, 0.2, 0.1])
    ccur = np.concatenate([rng.choice(cats, 1800, p=[0.3, 0.3, 0.3, 0.1]), ["e"] * 5])
    lowcard_ref = rng.integers(0, 4, 1500).astype(float)
    lowcard_cur = rng.integers(0, 5, 1200).astype(float)
    for test in ("psi", "jensen_shannon"):
        cases += [
            evidently_case(f"evidently_{test}_numeric", test, ref, cur, False),
            evidently_case(f"evidently_{test}_gaps", test, ref[:1000], cur_gaps, False),
            evidently_case(f"evidently_{test}_categorical", test, cref, ccur, True),
            evidently_case(f"evidently_{test}_lowcard", test, lowcard_ref, lowcard_cur, False),
            quantile_case(f"quantile_{test}_numeric", test, ref, cur),
            quantile_case(f"quantile_{test}_gaps", test, ref[:1000], cur_gaps),
            quantile_case(f"quantile_{test}_lowcard", test, lowcard_ref, lowcard_cur),
            quantile_case(f"quantile_{test}_20bins", test, ref, cur, bins=20),
        ]
    cases += [
        evidently_case("evidently_wasserstein", "wasserstein", ref, cur, False),
        evidently_case("evidently_chisquare", "chisquare", cref[:900], ccur[:700], True),
    ]
    # Whole reports: small (tests) and large (distances), with missing values.
    for size, tag in ((800, "small"), (3000, "large")):
        m = size
        r = pd.DataFrame({
            "x_shift": n(size=m), "x_same": n(size=m), "x_scale": n(size=m),
            "x_lowcard": rng.integers(0, 3, m).astype(float),
            "c_shift": rng.choice(cats, m, p=[0.4, 0.3, 0.2, 0.1]),
            "c_same": rng.choice(cats[:3], m),
        })  # fmt: skip
        k = int(m * 0.9)
        c = pd.DataFrame({
            "x_shift": n(0.4, size=k), "x_same": n(size=k), "x_scale": n(0, 1.6, size=k),
            "x_lowcard": rng.integers(0, 3, k).astype(float),
            "c_shift": rng.choice(cats, k, p=[0.2, 0.3, 0.2, 0.3]),
            "c_same": rng.choice(cats[:3], k),
        })  # fmt: skip
        r.loc[r.index[::17], "x_same"] = np.nan
        c.loc[c.index[::13], "c_same"] = None
        cases.append(report_case(f"report_{tag}", r, c, ["c_shift", "c_same"]))
    return cases


def load_adult() -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = importlib.util.spec_from_file_location("_ds", REPO / "python/aequa/datasets.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.load_adult("train"), mod.load_adult("test")


def adult() -> list[dict]:
    train, test = load_adult()
    numeric = ["age", "education_num", "hours_per_week", "capital_gain"]
    categorical = ["workclass", "education", "race", "sex", "native_country"]
    f = lambda df, c: df[c].to_numpy(dtype=float)  # noqa: E731
    obj = lambda df, c: df[c].astype(object).where(df[c].notna(), None).tolist()  # noqa: E731
    cases = [
        ks_case("adult_age_auto", f(train, "age"), f(test, "age"), "two-sided", "auto"),
        ks_case(
            "adult_hours_exact",
            f(train, "hours_per_week")[:600],
            f(test, "hours_per_week")[:900],
            "two-sided",
            "exact",
        ),  # fmt: skip
        ks_case(
            "adult_age_by_sex",
            f(train[train.sex == "Female"], "age")[:2000],
            f(train[train.sex == "Male"], "age")[:3000],
            "two-sided",
            "auto",
        ),  # fmt: skip
        wasserstein_case("adult_age_wasserstein", f(train, "age"), f(test, "age")),
        anderson_case("adult_education_num", [f(train, "education_num"), f(test, "education_num")]),
        anderson_case(
            "adult_age_by_race",
            [f(train[train.race == r], "age") for r in ["White", "Black", "Asian-Pac-Islander"]],
        ),  # fmt: skip
        evidently_case("adult_age_psi", "psi", f(train, "age"), f(test, "age"), False),
        evidently_case("adult_age_js", "jensen_shannon", f(train, "age"), f(test, "age"), False),
        evidently_case(
            "adult_hours_wasserstein",
            "wasserstein",
            f(train, "hours_per_week"),
            f(test, "hours_per_week"),
            False,
        ),  # fmt: skip
        evidently_case(
            "adult_workclass_psi", "psi", obj(train, "workclass"), obj(test, "workclass"), True
        ),  # fmt: skip
        evidently_case(
            "adult_country_js",
            "jensen_shannon",
            obj(train, "native_country"),
            obj(test, "native_country"),
            True,
        ),  # fmt: skip
        evidently_case(
            "adult_education_chisquare",
            "chisquare",
            obj(train, "education")[:1000],
            obj(test, "education")[:800],
            True,
        ),  # fmt: skip
        quantile_case("adult_age_quantile_psi", "psi", f(train, "age"), f(test, "age")),
        quantile_case(
            "adult_capital_gain_quantile_psi",
            "psi",
            f(train, "capital_gain"),
            f(test, "capital_gain"),
        ),  # fmt: skip
    ]
    cols = numeric + categorical
    cases.append(report_case("adult_report", train[cols], test[cols], categorical))
    small_train, small_test = train[cols].iloc[:900], test[cols].iloc[:700]
    cases.append(report_case("adult_report_small", small_train, small_test, categorical))
    return cases


def sklearn_cases() -> list[dict]:
    diabetes = skd.load_diabetes()
    cancer = skd.load_breast_cancer()
    wine = skd.load_wine()
    bmi = diabetes.data[:, 2]
    radius = cancer.data[:, 0]
    y = cancer.target
    alcohol = wine.data[:, 0]
    return [
        ks_case("diabetes_bmi_halves", bmi[:221], bmi[221:], "two-sided", "auto"),
        ks_case("cancer_radius_by_target", radius[y == 0], radius[y == 1], "two-sided", "auto"),
        ks_case("cancer_radius_less", radius[y == 1], radius[y == 0], "less", "auto"),
        wasserstein_case("cancer_radius_wasserstein", radius[y == 0], radius[y == 1]),
        anderson_case("wine_alcohol_classes", [alcohol[wine.target == k] for k in range(3)]),
        chisquare_case("wine_class_counts", np.bincount(wine.target).tolist()),
        evidently_case("cancer_radius_psi", "psi", radius[y == 1], radius[y == 0], False),
        evidently_case("cancer_radius_js", "jensen_shannon", radius[y == 1], radius[y == 0], False),
        quantile_case("diabetes_bmi_quantile_js", "jensen_shannon", bmi[:221], bmi[221:]),
    ]


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # Evidently's set order must not vary
        os.execve(
            sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"}
        )
    OUT.mkdir(parents=True, exist_ok=True)
    versions = {
        "scipy": scipy.__version__, "numpy": np.__version__, "pandas": pd.__version__,
        "evidently": evidently.__version__, "scikit-learn": sklearn.__version__,
        "statsmodels": statsmodels.__version__,
    }  # fmt: skip
    for name, make in (("synthetic", synthetic), ("adult", adult), ("sklearn", sklearn_cases)):
        doc = {"generator": "tests/golden/generate_drift.py", "versions": versions,
               "cases": clean(make())}  # fmt: skip
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
        (OUT / f"{name}.json").write_text(text + "\n")
        print(f"{name}: {len(doc['cases'])} cases, {len(text) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
