"""Partial dependence and ICE goldens from ``sklearn.inspection.partial_dependence``."""

from __future__ import annotations

import numpy as np
from _inspection_config import ICE_ROWS
from _inspection_data import breast_cancer, diabetes, linear_spec, recipe
from _inspection_json import floats, write
from sklearn.datasets import load_iris
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.inspection import partial_dependence
from sklearn.linear_model import LinearRegression, LogisticRegression


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
