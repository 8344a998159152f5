"""Generate golden native-model cases: real fitted models and the library's own predictions.

Run from the repository root (with the wheel installed, for the scikit-learn conversions):

    .venv/bin/python tests/golden/generate_models.py

Writes ``tests/golden/models/<case>.json``: the model as the library saves it (XGBoost JSON,
LightGBM model text) or as ``aequa.explain.to_native`` converts it (scikit-learn, the
``native_json`` format), rows ``X`` (NaN as ``null``) and, per output, the library's
predictions with the agreement the Rust replay (``core/tests/golden/models.rs``) demands:
``0`` for bit-identical, else an absolute tolerance (XGBoost's float32 probabilities).
Deterministic: fixed seeds, one thread, sorted keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import sklearn
import xgboost as xgb
from aequa.explain import to_native
from sklearn import datasets, ensemble

OUT = Path(__file__).resolve().parent / "models"
XGB_PROBA_TOL = 2.5e-7  # XGBoost rounds its probabilities to float32


def rows(X: np.ndarray, n: int = 60, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = X[rng.choice(len(X), n, replace=False)].copy()
    out[::5, 0] = np.nan
    out[1::5, 1] = 0.0
    return out


def synthetic(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(500, 5))
    X[:, 2] = np.round(X[:, 2])
    y = X[:, 0] - X[:, 1] * X[:, 2] + 0.2 * rng.normal(size=500)
    X[rng.random(500) < 0.15, 1] = np.nan
    return X, y


def matrix(a: np.ndarray) -> list[list[float | None]]:
    a = np.asarray(a, dtype=np.float64)
    a = a.reshape(len(a), -1)
    return [[None if np.isnan(v) else float(v) for v in row] for row in a]


def check(output: str, expected: np.ndarray, tolerance: float = 0.0) -> dict[str, Any]:
    return {"output": output, "expected": matrix(expected), "tolerance": tolerance}


def xgboost_cases() -> dict[str, dict[str, Any]]:
    cases = {}
    X, y = datasets.load_breast_cancer(return_X_y=True)
    params = {"objective": "binary:logistic", "max_depth": 4, "eta": 0.3, "nthread": 1, "seed": 0}
    booster = xgb.train(params, xgb.DMatrix(X, label=y), 15)
    Xr = rows(X)
    p = booster.predict(xgb.DMatrix(Xr))
    cases["xgboost_binary_breast_cancer"] = {
        "format": "xgboost_json",
        "model": bytes(booster.save_raw("json")).decode(),
        "X": matrix(Xr),
        "checks": [
            check("raw", booster.predict(xgb.DMatrix(Xr), output_margin=True)),
            check("probability", np.column_stack([1 - p, p]), XGB_PROBA_TOL),
        ],
    }
    X, y = datasets.load_iris(return_X_y=True)
    params = {"objective": "multi:softprob", "num_class": 3, "max_depth": 3, "nthread": 1}
    booster = xgb.train(params, xgb.DMatrix(X, label=y), 8)
    Xr = rows(X)
    cases["xgboost_multiclass_iris"] = {
        "format": "xgboost_json",
        "model": bytes(booster.save_raw("json")).decode(),
        "X": matrix(Xr),
        "checks": [
            check("raw", booster.predict(xgb.DMatrix(Xr), output_margin=True)),
            check("probability", booster.predict(xgb.DMatrix(Xr)), XGB_PROBA_TOL),
        ],
    }
    X, y = synthetic()
    params = {"objective": "reg:squarederror", "max_depth": 4, "nthread": 1, "seed": 0}
    booster = xgb.train(params, xgb.DMatrix(X, label=y), 15)
    Xr = rows(X)
    cases["xgboost_regression_missing"] = {
        "format": "xgboost_json",
        "model": bytes(booster.save_raw("json")).decode(),
        "X": matrix(Xr),
        "checks": [
            check("raw", booster.predict(xgb.DMatrix(Xr), output_margin=True)),
            check("predict", booster.predict(xgb.DMatrix(Xr))),
        ],
    }
    return cases


def lightgbm_cases() -> dict[str, dict[str, Any]]:
    cases = {}
    base = {"num_leaves": 8, "min_data_in_leaf": 5, "verbose": -1, "seed": 0, "num_threads": 1}
    X, y = datasets.load_wine(return_X_y=True)
    booster = lgb.train({**base, "objective": "multiclass", "num_class": 3}, lgb.Dataset(X, y), 8)
    Xr = rows(X)
    cases["lightgbm_multiclass_wine"] = {
        "format": "lightgbm_text",
        "model": booster.model_to_string(),
        "X": matrix(Xr),
        "checks": [
            check("raw", booster.predict(Xr, raw_score=True)),
            check("probability", booster.predict(Xr), 1e-15),
        ],
    }
    X, y = synthetic(1)
    for name, extra in [("missing", {}), ("zero_as_missing", {"zero_as_missing": True})]:
        booster = lgb.train({**base, "objective": "regression", **extra}, lgb.Dataset(X, y), 12)
        Xr = rows(X, seed=2)
        Xr[2::5, 2] = 0.0
        cases[f"lightgbm_regression_{name}"] = {
            "format": "lightgbm_text",
            "model": booster.model_to_string(),
            "X": matrix(Xr),
            "checks": [
                check("raw", booster.predict(Xr, raw_score=True)),
                check("predict", booster.predict(Xr)),
            ],
        }
    X, y = datasets.load_breast_cancer(return_X_y=True)
    booster = lgb.train({**base, "objective": "binary", "sigmoid": 0.8}, lgb.Dataset(X, y), 10)
    Xr = rows(X)
    p = booster.predict(Xr)
    cases["lightgbm_binary_sigmoid"] = {
        "format": "lightgbm_text",
        "model": booster.model_to_string(),
        "X": matrix(Xr),
        "checks": [
            check("raw", booster.predict(Xr, raw_score=True)),
            check("probability", np.column_stack([1 - p, p]), 1e-15),
        ],
    }
    return cases


def sklearn_cases() -> dict[str, dict[str, Any]]:
    cases = {}
    X, y = datasets.load_iris(return_X_y=True)
    rf = ensemble.RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    Xr = rows(X)
    cases["sklearn_random_forest_iris"] = {
        "format": "native_json",
        "model": to_native(rf).to_json(),
        "X": matrix(Xr),
        "checks": [check("native", rf.predict_proba(Xr))],
    }
    X, y = datasets.load_breast_cancer(return_X_y=True)
    gb = ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0)
    gb.fit(X, y)
    Xr = rows(X)
    Xr[np.isnan(Xr)] = 0.0  # GradientBoosting rejects NaN
    cases["sklearn_gradient_boosting_breast_cancer"] = {
        "format": "native_json",
        "model": to_native(gb).to_json(),
        "X": matrix(Xr),
        "checks": [check("native", gb.decision_function(Xr))],
    }
    X, y = synthetic(2)
    hgb = ensemble.HistGradientBoostingRegressor(max_iter=10, max_depth=4, random_state=0)
    hgb.fit(X, y)
    Xr = rows(X)
    cases["sklearn_hist_gradient_boosting_missing"] = {
        "format": "native_json",
        "model": to_native(hgb).to_json(),
        "X": matrix(Xr),
        "checks": [check("native", hgb.predict(Xr))],
    }
    return cases


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    versions = {
        "lightgbm": lgb.__version__,
        "scikit-learn": sklearn.__version__,
        "xgboost": xgb.__version__,
    }
    cases = {**xgboost_cases(), **lightgbm_cases(), **sklearn_cases()}
    for name, case in cases.items():
        case = {"name": name, "generator": "tests/golden/generate_models.py", **case}
        case["versions"] = versions
        text = json.dumps(case, sort_keys=True, indent=1, allow_nan=False) + "\n"
        (OUT / f"{name}.json").write_text(text)
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
