"""Write the TreeSHAP parity fixtures ``tests/golden/treeshap/*.json`` from shap 0.51.0.

Each fixture holds a fitted scikit-learn model as aequa's TreeEnsemble JSON (converted by
``tests/python/_sk_trees.py``), the explained rows, the library's own raw output for them, and
shap's numbers:

- ``path_dependent``: ``shap.TreeExplainer(model)`` (feature_perturbation="tree_path_dependent")
  SHAP values, ``expected_value`` and ``shap_interaction_values``;
- ``path_dependent_background`` (the HistGradientBoosting case, whose float64 thresholds route
  alike in shap's cover recount and the model): the same with the background passed, so
  covers are the background's counts;
- ``interventional`` (50 background rows): the exact Shapley values of the interventional game
  ``v(S) = mean_r f(x_S, r_rest)`` from ``shap.explainers.ExactExplainer`` with an
  ``Independent`` masker over the same 50 rows (float64, full enumeration), and
  ``shap.TreeExplainer(model, background)``'s values, which its C++ computes with float32 node
  values and thresholds (so they are compared at a float32 tolerance).

Values always carry the outputs axis: rows × features × outputs (interactions rows × features
× features × outputs). Deterministic: fixed seeds, bundled data. Run from the repository root:
``.venv/bin/python tests/golden/generate_treeshap.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shap
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "python"))
sys.path.insert(0, str(REPO / "python"))

from _sk_trees import raw_output, to_tree_json  # noqa: E402

OUT = REPO / "tests" / "golden" / "treeshap"
N_BACKGROUND = 50


def with_outputs(values: Any, n_outputs: int, n_rows: int, tail: tuple[int, ...]) -> np.ndarray:
    """shap's values with a trailing outputs axis in every case."""
    arr = np.asarray(values, dtype=np.float64)
    return arr.reshape((n_rows, *tail, n_outputs))


def adult_numeric() -> tuple[np.ndarray, np.ndarray, list[str]]:
    from aequa.datasets import load_adult

    frame = load_adult("train")
    cols = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    return frame[cols].to_numpy(dtype=np.float64), frame["label"].to_numpy(), cols


def cases() -> list[dict[str, Any]]:
    diabetes = load_diabetes()
    cancer = load_breast_cancer()
    wine = load_wine()
    adult_x, adult_y, adult_cols = adult_numeric()
    rng = np.random.default_rng(0)
    adult_rows = rng.choice(len(adult_x), size=4000, replace=False)
    return [
        {
            "name": "diabetes_random_forest_regressor",
            "model": RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0),
            "data": (diabetes.data, diabetes.target, list(diabetes.feature_names)),
            "rows": 20,
            "exact_interventional": True,
        },
        {
            "name": "diabetes_gradient_boosting_regressor",
            "model": GradientBoostingRegressor(
                n_estimators=40, max_depth=3, learning_rate=0.1, random_state=0
            ),
            "data": (diabetes.data, diabetes.target, list(diabetes.feature_names)),
            "rows": 20,
            "exact_interventional": True,
        },
        {
            "name": "breast_cancer_decision_tree_classifier",
            "model": DecisionTreeClassifier(max_depth=6, random_state=0),
            "data": (cancer.data, cancer.target, list(cancer.feature_names)),
            "rows": 8,
            "exact_interventional": False,
        },
        {
            "name": "breast_cancer_random_forest_classifier",
            "model": RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0),
            "data": (cancer.data, cancer.target, list(cancer.feature_names)),
            "rows": 8,
            "exact_interventional": False,
        },
        {
            "name": "wine_random_forest_classifier_multiclass",
            "model": RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0),
            "data": (wine.data, wine.target, list(wine.feature_names)),
            "rows": 8,
            "exact_interventional": True,
        },
        {
            "name": "wine_hist_gradient_boosting_multiclass",
            "model": HistGradientBoostingClassifier(max_iter=15, max_depth=3, random_state=0),
            "data": (wine.data, wine.target, list(wine.feature_names)),
            "rows": 8,
            "exact_interventional": True,
            "path_with_background": True,
        },
        {
            "name": "adult_numeric_gradient_boosting_classifier",
            "model": GradientBoostingClassifier(
                n_estimators=30, max_depth=4, learning_rate=0.2, random_state=0
            ),
            "data": (adult_x[adult_rows], adult_y[adult_rows], adult_cols),
            "rows": 20,
            "exact_interventional": True,
        },
    ]


def build(case: dict[str, Any]) -> dict[str, Any]:
    X, y, names = case["data"]
    model = case["model"].fit(X, y)
    rng = np.random.default_rng(1)
    order = rng.permutation(len(X))
    X_explain = X[order[: case["rows"]]]
    background = X[order[case["rows"] : case["rows"] + N_BACKGROUND]]
    tree_json = to_tree_json(model)
    n_out = tree_json["n_raw_outputs"]
    m = X.shape[1]
    n = len(X_explain)

    path = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    path_values = with_outputs(path.shap_values(X_explain), n_out, n, (m,))
    inter = with_outputs(path.shap_interaction_values(X_explain), n_out, n, (m, m))
    path_ev = np.ravel(np.asarray(path.expected_value, dtype=np.float64))

    tree_int = shap.TreeExplainer(model, background, feature_perturbation="interventional")
    # shap's own additivity check fails on some rows here (its float32 thresholds).
    int_values = with_outputs(
        tree_int.shap_values(X_explain, check_additivity=False), n_out, n, (m,)
    )
    int_ev = np.ravel(np.asarray(tree_int.expected_value, dtype=np.float64))
    interventional: dict[str, Any] = {
        "background": background.tolist(),
        "expected_value": int_ev.tolist(),
        "shap_tree_values": int_values.tolist(),
    }
    if case["exact_interventional"]:
        masker = shap.maskers.Independent(background, max_samples=N_BACKGROUND)
        exact = shap.explainers.ExactExplainer(lambda z: raw_output(model, z), masker)
        result = exact(X_explain)
        interventional["exact_values"] = with_outputs(result.values, n_out, n, (m,)).tolist()
        base = np.asarray(result.base_values, dtype=np.float64).reshape(n, n_out)
        interventional["exact_expected_value"] = base[0].tolist()

    fixture: dict[str, Any] = {
        "name": case["name"],
        "generator": {
            "shap": shap.__version__,
            "sklearn": sklearn.__version__,
            "model": repr(case["model"]),
        },
        "model": tree_json,
        "feature_names": names,
        "X": X_explain.tolist(),
        "raw_output": raw_output(model, X_explain).tolist(),
        "path_dependent": {
            "expected_value": path_ev.tolist(),
            "values": path_values.tolist(),
            "interactions": inter.tolist(),
        },
        "interventional": interventional,
    }
    if case.get("path_with_background"):
        # shap recounts covers on the background (routing in float64, as the model does here).
        bg_path = shap.TreeExplainer(model, background, feature_perturbation="tree_path_dependent")
        fixture["path_dependent_background"] = {
            "expected_value": np.ravel(bg_path.expected_value).tolist(),
            "values": with_outputs(bg_path.shap_values(X_explain), n_out, n, (m,)).tolist(),
            "interactions": with_outputs(
                bg_path.shap_interaction_values(X_explain), n_out, n, (m, m)
            ).tolist(),
        }
    return fixture


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for case in cases():
        fixture = build(case)
        path = OUT / f"{case['name']}.json"
        path.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
        print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
