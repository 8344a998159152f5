"""Write the model-agnostic Shapley golden fixtures (``tests/golden/shapley/*.json``) from
shap 0.51.0 and scikit-learn 1.9.1.

Every case explains rows of a real dataset (scikit-learn's bundled diabetes, breast cancer and
iris, the vendored UCI Adult data) against a background passed through
``shap.maskers.Independent(background, max_samples=len(background))`` so shap uses every
background row. The model is stored as aequa NativeModel JSON (a linear model, or the fitted
forest's trees as a TreeEnsemble) so ``core/tests/shapley.rs`` replays each case with no
Python; ``tests/python/test_shapley.py`` refits the same scikit-learn model with
:func:`fit_case` and replays through the Python API with the estimator's method as a callable.

PermutationExplainer: shap draws its permutations with ``np.random.shuffle``; the generator
records them (wrapping ``np.random.shuffle`` while shap runs) so the replay uses the same
permutations and must agree to 1e-9.

Run: ``.venv/bin/python tests/golden/generate_shapley.py`` (deterministic; rerun and
``git diff --exit-code tests/golden/shapley`` to check for drift).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression

OUT = Path(__file__).resolve().parent / "shapley"
REPO = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- data and models


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=0)) / x.std(axis=0)


def _adult_numeric() -> tuple[np.ndarray, np.ndarray, list[str]]:
    # aequa's loader of the vendored copy (data/adult), loaded standalone: no build needed.
    spec = importlib.util.spec_from_file_location("_adult", REPO / "python/aequa/datasets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    load_adult = module.load_adult

    cols = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week", "fnlwgt"]
    frame = load_adult("train")
    return frame[cols].to_numpy(dtype=np.float64), frame["label"].to_numpy(), cols


def fit_case(name: str) -> dict[str, Any]:
    """The dataset rows, background and fitted scikit-learn model of fixture ``name``.

    Returns ``{"model", "output", "X", "background", "feature_names"}`` where ``output`` is
    the estimator method explained (``predict`` / ``predict_proba``).
    """
    if name.startswith("diabetes"):
        d = load_diabetes()
        x, y, names = d.data, d.target, list(d.feature_names)
        if name == "diabetes_forest":
            model: Any = RandomForestRegressor(n_estimators=5, max_depth=4, random_state=0)
            x, names = x[:, :8], names[:8]
        else:
            model = LinearRegression()
        model.fit(x, y)
        return _case(model, "predict", x[300:320], x[:60], names)
    if name.startswith("breast_cancer"):
        d = load_breast_cancer()
        x, y = _standardise(d.data), d.target
        names = list(d.feature_names)
        if name == "breast_cancer_logistic_8":
            x, names = x[:, :8], names[:8]
        model = LogisticRegression(max_iter=5000)
        model.fit(x, y)
        return _case(model, "predict_proba", x[400:416], x[:50], names)
    if name == "iris_logistic":
        d = load_iris()
        x, y = d.data, d.target
        model = LogisticRegression(max_iter=5000)
        model.fit(x, y)
        return _case(model, "predict_proba", x[::10], x[1::3], list(d.feature_names))
    if name == "adult_forest":
        x, y, names = _adult_numeric()
        model = RandomForestClassifier(n_estimators=6, max_depth=5, random_state=0)
        model.fit(x[:3000], y[:3000])
        return _case(model, "predict_proba", x[5000:5016], x[3000:3040], names)
    raise KeyError(name)


def _case(model: Any, output: str, x: np.ndarray, bg: np.ndarray, names: list[str]) -> dict:
    return {
        "model": model,
        "output": output,
        "X": np.ascontiguousarray(x),
        "background": np.ascontiguousarray(bg),
        "feature_names": names,
    }


def _matrix_json(a: np.ndarray) -> dict[str, Any]:
    """ndarray's serde layout (what aequa's NativeModel JSON holds)."""
    a = np.asarray(a, dtype=np.float64)
    return {"v": 1, "dim": list(a.shape), "data": a.ravel().tolist()}


def native_model(model: Any, output: str) -> dict[str, Any]:
    """The NativeModel JSON (as a dict) computing ``getattr(model, output)``."""
    if isinstance(model, (LinearRegression, LogisticRegression)):
        coef = np.atleast_2d(model.coef_)
        intercept = np.atleast_1d(model.intercept_)
        if output == "predict":
            link = "identity"
        elif coef.shape[0] == 1:
            link = "logistic"
        else:
            link = "softmax"
        return {
            "kind": "linear",
            "coef": _matrix_json(coef),
            "intercept": {"v": 1, "dim": [intercept.size], "data": intercept.tolist()},
            "link": link,
        }
    classifier = isinstance(model, RandomForestClassifier)
    trees = []
    for est in model.estimators_:
        t = est.tree_
        value = t.value[:, 0, :]
        if classifier:
            value = value / value.sum(axis=1, keepdims=True)
        trees.append(
            {
                "children_left": t.children_left.tolist(),
                "children_right": t.children_right.tolist(),
                "children_default": t.children_left.tolist(),
                "feature": np.maximum(t.feature, 0).tolist(),
                "threshold": np.where(t.children_left < 0, 0.0, t.threshold).tolist(),
                "value": value.ravel().tolist(),
                "cover": t.weighted_n_node_samples.tolist(),
            }
        )
    n_out = model.n_classes_ if classifier else 1
    return {
        "kind": "trees",
        "n_features": int(model.n_features_in_),
        "n_raw_outputs": int(n_out),
        "trees": trees,
        "tree_output": None,
        "comparison": "less_equal",
        "float32_features": True,
        "tree_weight": 1.0 / len(model.estimators_),
        "base_score": [0.0] * n_out,
        "link": "identity",
        "source": f"sklearn.ensemble.{type(model).__name__}",
    }


# ---------------------------------------------------------------- shap runs


def _independent(bg: np.ndarray) -> Any:
    import shap

    return shap.maskers.Independent(bg, max_samples=len(bg))


def _values(expl: Any) -> tuple[list, list]:
    v = np.asarray(expl.values, dtype=np.float64)
    b = np.asarray(expl.base_values, dtype=np.float64)
    if v.ndim == 2:
        v, b = v[:, :, None], b.reshape(-1, 1)
    return v.tolist(), b.tolist()


def run_exact(f: Callable, case: dict) -> dict:
    import shap

    e = shap.ExactExplainer(f, _independent(case["background"]))(case["X"], silent=True)
    values, base = _values(e)
    return {"values": values, "base_values": base}


def run_kernel(f: Callable, case: dict) -> dict:
    import shap

    m = case["X"].shape[1]
    nsamples = 2**m
    k = shap.KernelExplainer(f, case["background"])
    v = np.asarray(k.shap_values(case["X"], nsamples=nsamples, l1_reg=False, silent=True))
    if v.ndim == 2:
        v = v[:, :, None]
    base = np.broadcast_to(np.atleast_1d(k.expected_value), (len(case["X"]), v.shape[2]))
    return {"values": v.tolist(), "base_values": base.tolist(), "nsamples": nsamples}


def run_permutation(f: Callable, case: dict, max_evals: int, seed: int) -> dict:
    """shap's PermutationExplainer, recording the permutations it draws for each row."""
    import shap

    explainer = shap.PermutationExplainer(f, _independent(case["background"]), seed=seed)
    original = np.random.shuffle
    drawn: list[list[int]] = []

    def recording_shuffle(a: Any) -> None:
        original(a)
        drawn.append([int(i) for i in a])

    m = case["X"].shape[1]
    rows, values, base = [], [], []
    np.random.shuffle = recording_shuffle  # type: ignore[assignment]
    try:
        for i in range(len(case["X"])):
            drawn.clear()
            e = explainer(case["X"][i : i + 1], max_evals=max_evals, silent=True)
            v, b = _values(e)
            values += v
            base += b
            # shap permutes only the varying features; the rest contribute exactly 0
            # wherever they stand, so complete each permutation with them at the end.
            rows.append([p + [j for j in range(m) if j not in p] for p in drawn])
    finally:
        np.random.shuffle = original  # type: ignore[assignment]
    return {
        "values": values,
        "base_values": base,
        "permutations": rows,
        "max_evals": max_evals,
        "seed": seed,
    }


def run_linear(model: Any, case: dict) -> dict:
    import shap

    e = shap.LinearExplainer(model, _independent(case["background"]))(case["X"], silent=True)
    values, base = _values(e)
    return {"values": values, "base_values": base}


# ---------------------------------------------------------------- cases

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("exact", "diabetes_linear", {}),
    ("exact", "diabetes_forest", {}),
    ("exact", "breast_cancer_logistic_8", {}),
    ("exact", "adult_forest", {}),
    ("exact", "iris_logistic", {}),
    ("kernel", "diabetes_forest", {}),
    ("kernel", "breast_cancer_logistic_8", {}),
    ("kernel", "adult_forest", {}),
    ("permutation", "diabetes_linear", {"max_evals": 100, "seed": 1}),
    ("permutation", "diabetes_forest", {"max_evals": 60, "seed": 2}),
    ("permutation", "adult_forest", {"max_evals": 500, "seed": 3}),
    ("permutation", "breast_cancer_logistic_8", {"max_evals": 51, "seed": 4}),
    ("linear", "diabetes_linear", {}),
    ("linear", "breast_cancer_logistic", {}),
    ("linear", "iris_logistic", {}),
]


def build(method: str, name: str, extra: dict[str, Any]) -> dict[str, Any]:
    import shap

    case = fit_case(name)
    model, output = case["model"], case["output"]
    f = getattr(model, output)
    if method == "exact":
        expected = run_exact(f, case)
    elif method == "kernel":
        expected = run_kernel(f, case)
    elif method == "permutation":
        expected = run_permutation(f, case, extra["max_evals"], extra["seed"])
    else:
        expected = run_linear(model, case)
    native = native_model(model, output)
    if method == "linear" and hasattr(model, "decision_function"):
        f = model.decision_function  # linear SHAP explains the score
    predictions = np.asarray(f(case["X"]), dtype=np.float64)
    return {
        "name": f"{method}_{name}",
        "method": method,
        "case": name,
        "anchor": {"shap": shap.__version__, "scikit-learn": sklearn.__version__},
        "estimator": type(model).__name__,
        "output": "decision_function" if method == "linear" else output,
        "feature_names": case["feature_names"],
        "model": native,
        "X": case["X"].tolist(),
        "background": case["background"].tolist(),
        "predictions": predictions.reshape(len(case["X"]), -1).tolist(),
        "expected": expected,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for method, name, extra in CASES:
        fixture = build(method, name, extra)
        path = OUT / f"{fixture['name']}.json"
        path.write_text(json.dumps(fixture, indent=1) + "\n")
        v = np.asarray(fixture["expected"]["values"])
        print(f"{path.name}: values {v.shape}")


if __name__ == "__main__":
    main()
