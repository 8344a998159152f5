"""Generate golden inspection cases from scikit-learn 1.9.1 (and fairlearn 0.15.0).

Run from the repository root:

    .venv/bin/python tests/golden/generate_inspection.py

Writes ``tests/golden/inspection/*.json``, deterministic (fixed seeds, sorted keys, floats at
``repr`` precision).  Three kinds of case:

* ``permutation_importance``: ``sklearn.inspection.permutation_importance`` itself, with its
  row permutations REPRODUCED and stored: sklearn draws one seed
  ``RandomState(random_state).randint(2**31)`` and, for every column, reseeds
  ``RandomState(seed)``, takes the ``max_samples`` rows (``_generate_indices``) and shuffles
  an index array in place once per repeat, applying it to the already-permuted column — so
  repeat ``r`` permutes the column by ``P_r = P_{r-1}[shuffle_r]``.  This script rebuilds
  ``P_r``, recomputes every permuted score from them with sklearn's scorers and asserts it
  equals sklearn's result bit for bit, then stores ``P_r``; aequa replays them
  (``permutations=``) and must give the same per-repeat scores.  Feature groups (not in
  sklearn) are referenced by the same recipe applied to all columns of the group.
* ``partial_dependence``: ``sklearn.inspection.partial_dependence(method="brute")``, grids
  and curves.
* ``ale``: a direct numpy transcription of the definition in ``core/src/explain/ale.rs``,
  and, for the linear model, the closed form ``β·z − c`` it must equal.

Linear models are stored by their coefficients (so the Rust tests replay them natively);
gradient boosting models by a recipe (estimator, parameters, training rows) that the pytest
replay refits with the pinned scikit-learn, checked against stored predictions.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import sys
from pathlib import Path

import fairlearn
import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import scipy
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.ensemble._bagging import _generate_indices
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import check_scoring
from sklearn.preprocessing import StandardScaler

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "tests" / "golden" / "inspection"
ADULT_PATH = REPO_ROOT / "data" / "adult" / "adult.data.gz"
ADULT_SHA256 = "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"
GENERATOR = "tests/golden/generate_inspection.py"
VERSIONS = {
    "scikit-learn": sklearn.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "fairlearn": fairlearn.__version__,
}
ICE_ROWS = 40
RECIPE_PARAMS = (
    "n_estimators",
    "max_depth",
    "random_state",
    "learning_rate",
)  # ICE curves stored for the first rows only (files stay small)

# ---------------------------------------------------------------- JSON


def _encode(obj, level: int) -> str:
    if isinstance(obj, dict):
        pad = " " * (level + 1)
        items = [pad + json.dumps(k) + ": " + _encode(obj[k], level + 1) for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}" if items else "{}"
    if isinstance(obj, list):
        if all(x is None or isinstance(x, (bool, int, float, str)) for x in obj):
            return "[" + ",".join(_encode(x, 0) for x in obj) + "]"
        pad = " " * (level + 1)
        return (
            "[\n" + ",\n".join(pad + _encode(x, level + 1) for x in obj) + "\n" + " " * level + "]"
        )
    if isinstance(obj, float):
        assert math.isfinite(obj), obj
        return json.dumps(obj)
    if obj is None or isinstance(obj, (bool, int, str)):
        return json.dumps(obj)
    raise TypeError(f"unexpected type {type(obj)!r}")


def floats(a) -> list:
    return np.asarray(a, dtype=np.float64).tolist()


def write(name: str, case: dict) -> None:
    case = {"name": name, "generator": GENERATOR, "versions": VERSIONS, **case}
    text = _encode(case, 0) + "\n"
    assert json.loads(text) == json.loads(json.dumps(case, sort_keys=True))
    (OUT_DIR / f"{name}.json").write_text(text)
    print(f"wrote {name}.json ({len(text) // 1024} KiB)")


# ---------------------------------------------------------------- data and models


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X.astype(np.float64), y.astype(np.float64)


def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, y.astype(np.float64)


def adult(n_rows: int = 1500):
    raw = gzip.decompress(ADULT_PATH.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == ADULT_SHA256
    cols = [
        "age",
        "workclass",
        "fnlwgt",
        "education",
        "education-num",
        "marital-status",
        "occupation",
        "relationship",
        "race",
        "sex",
        "capital-gain",
        "capital-loss",
        "hours-per-week",
        "native-country",
        "income",
    ]
    df = pd.read_csv(io.BytesIO(raw), header=None, names=cols, skipinitialspace=True)
    df = df.sample(n=n_rows, random_state=3).reset_index(drop=True)
    numeric = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    Xn = StandardScaler().fit_transform(df[numeric].to_numpy(dtype=np.float64))
    races = sorted(df["race"].unique())
    onehot = np.stack([(df["race"] == r).to_numpy(np.float64) for r in races], axis=1)
    male = (df["sex"] == "Male").to_numpy(np.float64)[:, None]
    X = np.hstack([Xn, male, onehot])
    names = numeric + ["sex_male"] + [f"race_{r}" for r in races]
    y = (df["income"] == ">50K").to_numpy(np.float64)
    sex_levels = sorted(df["sex"].unique())
    sex_codes = df["sex"].map({s: i for i, s in enumerate(sex_levels)}).to_numpy(np.uint32)
    return X, y, names, (sex_codes, sex_levels)


def linear_spec(est, link: str) -> dict:
    return {
        "type": "linear",
        "estimator": type(est).__name__,
        "coef": floats(np.atleast_2d(est.coef_)),
        "intercept": floats(np.atleast_1d(est.intercept_)),
        "link": link,
    }


# ---------------------------------------------------------------- permutation importance


def sklearn_permutations(random_state: int, n: int, max_samples, n_repeats: int):
    """The row indices and permutations sklearn's permutation_importance uses."""
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    rs = np.random.RandomState(seed)
    m = max_samples if isinstance(max_samples, int) else int(max_samples * n)
    rows = None
    if m < n:
        rows = _generate_indices(random_state=rs, bootstrap=False, n_population=n, n_samples=m)
    idx = np.arange(m)
    P = np.arange(m)
    perms = []
    for _ in range(n_repeats):
        rs.shuffle(idx)
        P = P[idx]
        perms.append(P.copy())
    return rows, np.array(perms)


def score(scorer, est, X, y, w):
    return scorer(est, X, y) if w is None else scorer(est, X, y, sample_weight=w)


def pi_case(
    est,
    X,
    y,
    scoring,
    *,
    w=None,
    random_state=0,
    n_repeats=5,
    max_samples=1.0,
    groups=None,
    scorer=None,
    response="predict",
):
    """One scorer: sklearn's result (or, with groups, the same recipe) and the permutations."""
    scorer = scorer or check_scoring(est, scoring=scoring)
    rows, perms = sklearn_permutations(random_state, len(X), max_samples, n_repeats)
    Xs, ys, ws = X, y, w
    if rows is not None:
        Xs, ys = X[rows], y[rows]
        ws = None if w is None else w[rows]
    groups_ = groups or [[j] for j in range(X.shape[1])]
    permuted = []
    for cols in groups_:
        out = []
        for P in perms:
            Xp = Xs.copy()
            Xp[:, cols] = Xs[P][:, cols]
            out.append(score(scorer, est, Xp, ys, ws))
        permuted.append(out)
    permuted = np.array(permuted)
    baseline = score(scorer, est, X, y, w)
    if groups is None:
        ref = permutation_importance(
            est,
            X,
            y,
            scoring=scorer,
            n_repeats=n_repeats,
            random_state=random_state,
            sample_weight=w,
            max_samples=max_samples,
        )
        # The reconstruction of sklearn's permutations is exact: same scores, bit for bit.
        assert np.array_equal(ref.importances, baseline - permuted), scoring
        importances = ref.importances
    else:
        importances = baseline - permuted
    return {
        "scoring": scoring,
        "response": response,
        "random_state": random_state,
        "n_repeats": n_repeats,
        "max_samples": max_samples,
        "sample_weight": None if w is None else floats(w),
        "feature_groups": groups,
        "sample_indices": None if rows is None else [int(i) for i in rows],
        "permutations": perms.astype(int).tolist(),
        "baseline": "full",
        "expected": {
            "baseline_score": float(baseline),
            "subsample_baseline_score": float(score(scorer, est, Xs, ys, ws)),
            "permuted_scores": floats(permuted),
            "importances": floats(importances),
            "importances_mean": floats(importances.mean(axis=1)),
            "importances_std": floats(importances.std(axis=1)),
        },
    }


def pi_diabetes():
    X, y = diabetes()
    est = LinearRegression().fit(X, y)
    w = np.random.default_rng(5).uniform(0.5, 2.0, len(y))
    cases = [
        pi_case(est, X, y, "r2", random_state=0),
        pi_case(est, X, y, "neg_mean_squared_error", random_state=1),
        pi_case(est, X, y, "neg_mean_absolute_error", random_state=2, n_repeats=3),
        pi_case(est, X, y, "r2", w=w, random_state=3),
        pi_case(est, X, y, "neg_mean_squared_error", random_state=4, max_samples=0.6),
        pi_case(est, X, y, "r2", random_state=5, max_samples=200, w=w),
        pi_case(est, X, y, "r2", random_state=6, groups=[[0, 1], [2], [3, 4, 5]]),
    ]
    write(
        "pi_diabetes_linear",
        {
            "kind": "permutation_importance",
            "dataset": "diabetes",
            "model": linear_spec(est, "identity"),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )

    gb = GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    cases = [
        pi_case(gb, X, y, "r2", random_state=7),
        pi_case(gb, X, y, "neg_mean_absolute_error", w=w, random_state=8),
    ]
    write(
        "pi_diabetes_gb",
        {
            "kind": "permutation_importance",
            "dataset": "diabetes",
            "model": recipe(gb, X, y),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )


def recipe(est, X, y) -> dict:
    return {
        "type": "sklearn",
        "estimator": type(est).__name__,
        "params": {k: v for k, v in est.get_params().items() if k in RECIPE_PARAMS},
        "fit_y": floats(y),
        "check_rows": 20,
        "check_predictions": floats(est.predict(X[:20])),
    }


def pi_breast_cancer():
    X, y = breast_cancer()
    est = LogisticRegression(max_iter=5000).fit(X, y)
    w = np.random.default_rng(9).uniform(0.2, 3.0, len(y))
    cases = [
        pi_case(est, X, y, "accuracy", random_state=0),
        pi_case(est, X, y, "balanced_accuracy", random_state=1, w=w),
        pi_case(est, X, y, "roc_auc", random_state=2, response="decision_function"),
        pi_case(
            est, X, y, "roc_auc", random_state=3, w=w, max_samples=300, response="decision_function"
        ),
        pi_case(est, X, y, "neg_log_loss", random_state=4, response="predict_proba"),
        pi_case(est, X, y, "neg_log_loss", random_state=5, w=w, response="predict_proba"),
    ]
    write(
        "pi_breast_cancer_logistic",
        {
            "kind": "permutation_importance",
            "dataset": "breast_cancer",
            "model": linear_spec(est, "logistic"),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )


def pi_adult():
    X, y, names, (sex_codes, sex_levels) = adult()
    est = LogisticRegression(max_iter=5000).fit(X, y)

    def neg_dpd(estimator, Xp, yp, sample_weight=None):
        return -flm.demographic_parity_difference(
            yp, estimator.predict(Xp), sensitive_features=sex_codes, sample_weight=sample_weight
        )

    def eo_ratio(estimator, Xp, yp, sample_weight=None):
        return flm.equalized_odds_ratio(
            yp, estimator.predict(Xp), sensitive_features=sex_codes, sample_weight=sample_weight
        )

    race = list(range(6, X.shape[1]))
    w = np.random.default_rng(11).uniform(0.5, 1.5, len(y))
    cases = [
        pi_case(est, X, y, "accuracy", random_state=0),
        pi_case(est, X, y, "roc_auc", random_state=1, response="decision_function"),
        pi_case(est, X, y, "neg_demographic_parity_difference", scorer=neg_dpd, random_state=2),
        pi_case(est, X, y, "equalized_odds_ratio", scorer=eo_ratio, random_state=3, w=w),
        pi_case(est, X, y, "accuracy", random_state=4, groups=[[0], [1], [2, 3], [4], [5], race]),
    ]
    write(
        "pi_adult_logistic",
        {
            "kind": "permutation_importance",
            "dataset": "adult (1500 rows, seed 3)",
            "feature_names": names,
            "sensitive": {
                "name": "sex",
                "codes": [int(c) for c in sex_codes],
                "levels": sex_levels,
            },
            "model": linear_spec(est, "logistic"),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )


# ---------------------------------------------------------------- partial dependence


def pd_case(
    est,
    X,
    features,
    *,
    response_method="auto",
    grid_resolution=100,
    w=None,
    percentiles=(0.05, 0.95),
    categorical=None,
):
    r = partial_dependence(
        est,
        X,
        features,
        method="brute",
        kind="both",
        response_method=response_method,
        grid_resolution=grid_resolution,
        percentiles=percentiles,
        sample_weight=w,
        categorical_features=categorical,
    )
    ind = np.asarray(r["individual"])
    return {
        "features": list(features),
        "response_method": response_method,
        "grid_resolution": grid_resolution,
        "percentiles": list(percentiles),
        "categorical": categorical,
        "sample_weight": None if w is None else floats(w),
        "expected": {
            "grid_values": [floats(v) for v in r["grid_values"]],
            "average": floats(np.asarray(r["average"]).ravel()),
            "average_shape": list(np.shape(r["average"])),
            "individual_head": floats(ind[:, :ICE_ROWS].ravel()),
            "individual_head_shape": list(ind[:, :ICE_ROWS].shape),
        },
    }


def pd_all():
    X, y = diabetes()
    lin = LinearRegression().fit(X, y)
    w = np.random.default_rng(5).uniform(0.5, 2.0, len(y))
    cases = [
        pd_case(lin, X, [2]),
        pd_case(lin, X, [1]),  # two distinct values: the grid is those values
        pd_case(lin, X, [2, 8], grid_resolution=12),
        pd_case(lin, X, [3], w=w, grid_resolution=30, percentiles=(0.1, 0.8)),
    ]
    write(
        "pd_diabetes_linear",
        {
            "kind": "partial_dependence",
            "dataset": "diabetes",
            "model": linear_spec(lin, "identity"),
            "X": floats(X),
            "cases": cases,
        },
    )
    gb = GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    cases = [pd_case(gb, X, [2]), pd_case(gb, X, [2, 3], grid_resolution=10, w=w)]
    write(
        "pd_diabetes_gb",
        {
            "kind": "partial_dependence",
            "dataset": "diabetes",
            "model": recipe(gb, X, y),
            "X": floats(X),
            "cases": cases,
        },
    )

    Xb, yb = breast_cancer()
    log = LogisticRegression(max_iter=5000).fit(Xb, yb)
    cases = [
        pd_case(log, Xb, [0], response_method="predict_proba"),
        pd_case(log, Xb, [7], response_method="decision_function", grid_resolution=25),
        pd_case(log, Xb, [0, 1], response_method="predict_proba", grid_resolution=8),
    ]
    write(
        "pd_breast_cancer_logistic",
        {
            "kind": "partial_dependence",
            "dataset": "breast_cancer",
            "model": linear_spec(log, "logistic"),
            "X": floats(Xb),
            "cases": cases,
        },
    )
    gbc = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(Xb, yb)
    cases = [pd_case(gbc, Xb, [0], response_method="predict_proba", grid_resolution=20)]
    model = recipe(gbc, Xb, yb)
    model["check_predictions"] = floats(gbc.predict_proba(Xb[:20])[:, 1])
    write(
        "pd_breast_cancer_gb",
        {
            "kind": "partial_dependence",
            "dataset": "breast_cancer",
            "model": model,
            "X": floats(Xb),
            "cases": cases,
        },
    )

    Xi, yi = load_iris(return_X_y=True)
    multi = LogisticRegression(max_iter=5000).fit(Xi, yi)
    cases = [
        pd_case(multi, Xi, [2], response_method="predict_proba", grid_resolution=15),
        pd_case(multi, Xi, [0], response_method="predict_proba", categorical=[0]),
    ]
    write(
        "pd_iris_multinomial",
        {
            "kind": "partial_dependence",
            "dataset": "iris",
            "model": linear_spec(multi, "softmax"),
            "X": floats(Xi),
            "cases": cases,
        },
    )


# ---------------------------------------------------------------- ALE


def ale_reference(f, X, j, bins: int):
    """The definition of core/src/explain/ale.rs, transcribed with numpy."""
    x = X[:, j]
    edges = np.unique(np.quantile(x, np.arange(bins + 1) / bins))
    k = np.clip(np.searchsorted(edges, x, side="left"), 1, None)
    hi, lo = X.copy(), X.copy()
    hi[:, j], lo[:, j] = edges[k], edges[k - 1]
    diff = f(hi) - f(lo)
    counts = np.bincount(k - 1, minlength=len(edges) - 1)
    local = np.bincount(k - 1, weights=diff, minlength=len(edges) - 1) / np.maximum(counts, 1)
    g = np.concatenate([[0.0], np.cumsum(local)])
    c = np.sum(counts * (g[:-1] + g[1:]) / 2) / counts.sum()
    return edges, counts, local, g - c, c


def ale_all():
    X, y = diabetes()
    lin = LinearRegression().fit(X, y)
    cases = []
    for j, bins in [(2, 10), (1, 5), (8, 25)]:
        edges, counts, local, ale, c = ale_reference(lin.predict, X, j, bins)
        # A linear model's ALE is its centred line.
        line = lin.coef_[j] * edges
        line_c = np.sum(counts * (line[:-1] + line[1:]) / 2) / counts.sum()
        assert np.allclose(ale, line - line_c, atol=1e-9), j
        cases.append(
            {
                "feature": j,
                "bins": bins,
                "expected": {
                    "edges": floats(edges),
                    "counts": [int(v) for v in counts],
                    "local_effects": floats(local),
                    "ale": floats(ale),
                    "centring": float(c),
                    "line": floats(line - line_c),
                },
            }
        )
    write(
        "ale_diabetes_linear",
        {
            "kind": "ale",
            "dataset": "diabetes",
            "model": linear_spec(lin, "identity"),
            "X": floats(X),
            "cases": cases,
        },
    )
    gb = GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    cases = []
    for j, bins in [(2, 10), (3, 20)]:
        edges, counts, local, ale, c = ale_reference(gb.predict, X, j, bins)
        cases.append(
            {
                "feature": j,
                "bins": bins,
                "expected": {
                    "edges": floats(edges),
                    "counts": [int(v) for v in counts],
                    "local_effects": floats(local),
                    "ale": floats(ale),
                    "centring": float(c),
                },
            }
        )
    write(
        "ale_diabetes_gb",
        {
            "kind": "ale",
            "dataset": "diabetes",
            "model": recipe(gb, X, y),
            "X": floats(X),
            "cases": cases,
        },
    )


def main() -> None:
    if not ADULT_PATH.exists():
        sys.exit(f"missing {ADULT_PATH}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    pi_diabetes()
    pi_breast_cancer()
    pi_adult()
    pd_all()
    ale_all()


if __name__ == "__main__":
    main()
