"""TreeExplainer against shap 0.51.0: the golden fixtures (tests/golden/treeshap, written by
tests/golden/generate_treeshap.py), live parity on fresh models, the Shapley properties and
bad input."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import aequa
import numpy as np
import pandas as pd
import pytest
from _sk_trees import to_tree_json
from aequa._core import NativeModel
from aequa.explain import Explanation, TreeExplainer
from hypothesis import given, settings
from hypothesis import strategies as st

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "treeshap"
TOL = 1e-9
FLOAT32_TOL = 1e-6  # shap's interventional C++ keeps node values and thresholds in float32


def fixtures() -> list[Path]:
    found = sorted(GOLDEN.glob("*.json"))
    assert len(found) >= 7, f"TreeSHAP fixtures missing in {GOLDEN}"
    return found


@pytest.fixture(params=fixtures(), ids=lambda p: p.stem)
def fx(request: pytest.FixtureRequest) -> dict[str, Any]:
    return json.loads(request.param.read_text())


def assert_close(got: Any, want: Any, tol: float = TOL) -> None:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape
    scale = np.maximum(1.0, np.abs(want))
    worst = float(np.max(np.abs(got - want) / scale)) if got.size else 0.0
    assert worst <= tol, f"max scaled difference {worst:.3e} > {tol:.0e}"


def with_outputs(values: np.ndarray, rows: int, k: int, tail: tuple[int, ...]) -> np.ndarray:
    return np.asarray(values).reshape((rows, *tail, k))


# --- golden replay -------------------------------------------------------------------------


def test_path_dependent_values_expected_value_and_interactions(fx: dict[str, Any]) -> None:
    X = np.array(fx["X"])
    n, m = X.shape
    k = fx["model"]["n_raw_outputs"]
    explainer = TreeExplainer(fx["model"], feature_names=fx["feature_names"])
    assert explainer.feature_perturbation == "tree_path_dependent"
    want = fx["path_dependent"]
    assert_close(np.ravel(explainer.expected_value), want["expected_value"])
    assert_close(with_outputs(explainer.shap_values(X), n, k, (m,)), want["values"])
    inter = explainer.shap_interaction_values(X)
    assert_close(with_outputs(inter, n, k, (m, m)), want["interactions"])
    explanation = explainer(X)
    assert explanation.feature_names == fx["feature_names"]
    assert explanation.model_calls == 0 and explanation.rows_evaluated == n
    assert np.max(np.abs(explanation.additivity_residual)) < 1e-9


def test_interventional_values_match_exact_enumeration(fx: dict[str, Any]) -> None:
    X = np.array(fx["X"])
    n, m = X.shape
    k = fx["model"]["n_raw_outputs"]
    want = fx["interventional"]
    background = np.array(want["background"])
    explainer = TreeExplainer(fx["model"], background)
    assert explainer.feature_perturbation == "interventional"
    values = with_outputs(explainer.shap_values(X), n, k, (m,))
    assert_close(np.ravel(explainer.expected_value), want["expected_value"])
    if "exact_values" in want:
        assert_close(values, want["exact_values"])
        assert_close(np.ravel(explainer.expected_value), want["exact_expected_value"])
    else:
        assert_close(values, want["shap_tree_values"], FLOAT32_TOL)
    explanation = explainer(X)
    assert explanation.rows_evaluated == n * len(background)
    assert explanation.report["params"]["background_rows"] == len(background)
    assert np.max(np.abs(explanation.additivity_residual)) < 1e-9


def test_path_dependent_with_background_recounts_covers_as_shap() -> None:
    fx = json.loads((GOLDEN / "wine_hist_gradient_boosting_multiclass.json").read_text())
    X, background = np.array(fx["X"]), np.array(fx["interventional"]["background"])
    n, m = X.shape
    want = fx["path_dependent_background"]
    explainer = TreeExplainer(fx["model"], background, feature_perturbation="tree_path_dependent")
    assert_close(np.ravel(explainer.expected_value), want["expected_value"])
    assert_close(explainer.shap_values(X), want["values"])
    assert_close(explainer.shap_interaction_values(X), want["interactions"])
    assert n == len(want["values"]) and m == len(want["values"][0])


def test_native_predictions_equal_the_library(fx: dict[str, Any]) -> None:
    model = NativeModel(json.dumps(fx["model"]))
    raw = np.asarray(fx["raw_output"])
    if fx["model"]["link"] == "identity":
        assert_close(model.predict(np.array(fx["X"])), raw, 1e-12)


# --- live parity with shap on fresh models ---------------------------------------------------

shap = pytest.importorskip("shap")


def _regression_data(seed: int, n: int = 400, m: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    y = X[:, 0] * X[:, 1] + np.where(X[:, 2] > 0, X[:, 3], -X[:, 4]) + rng.normal(size=n) * 0.1
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_live_parity_random_forest_and_boosting(seed: int) -> None:
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor

    X, y = _regression_data(seed)
    for model in (
        RandomForestRegressor(n_estimators=15, max_depth=7, random_state=seed).fit(X, y),
        GradientBoostingRegressor(n_estimators=25, max_depth=4, random_state=seed).fit(X, y),
    ):
        native = NativeModel(json.dumps(to_tree_json(model)))
        ours, theirs = TreeExplainer(native), shap.TreeExplainer(model)
        rows = X[:40]
        assert_close(ours.shap_values(rows), theirs.shap_values(rows))
        assert_close(
            ours.shap_interaction_values(rows[:5]), theirs.shap_interaction_values(rows[:5])
        )
        assert_close(ours.expected_value, np.ravel(theirs.expected_value)[0])


def test_live_parity_with_missing_values() -> None:
    from sklearn.tree import DecisionTreeRegressor

    X, y = _regression_data(3)
    X[np.random.default_rng(3).random(X.shape) < 0.15] = np.nan
    model = DecisionTreeRegressor(max_depth=6, random_state=0).fit(X, y)
    native = NativeModel(json.dumps(to_tree_json(model)))
    assert_close(native.predict(X)[:, 0], model.predict(X), 1e-12)
    rows = X[:50]
    assert np.isnan(rows).any()
    assert_close(
        TreeExplainer(native).shap_values(rows), shap.TreeExplainer(model).shap_values(rows)
    )


# --- properties ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def forest() -> tuple[Any, NativeModel, np.ndarray]:
    from sklearn.ensemble import RandomForestRegressor

    X, y = _regression_data(7, m=5)
    X = np.column_stack([X, np.zeros(len(X))])  # column 5 is constant: never split on
    model = RandomForestRegressor(n_estimators=12, max_depth=6, random_state=0).fit(X, y)
    return model, NativeModel(json.dumps(to_tree_json(model))), X


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(-3, 3, allow_nan=False), min_size=6, max_size=6), min_size=1, max_size=5
    )
)
def test_additivity_and_interaction_row_sums(
    forest: tuple[Any, NativeModel, np.ndarray], rows: list[list[float]]
) -> None:
    model, native, X = forest
    x = np.asarray(rows)
    for explainer in (TreeExplainer(native), TreeExplainer(native, X[:30])):
        values = explainer.shap_values(x)
        residual = model.predict(x) - explainer.expected_value - values.sum(axis=1)
        assert np.max(np.abs(residual)) < 1e-9
        assert np.all(values[:, 5] == 0.0)  # a feature never split on gets exactly zero
    explainer = TreeExplainer(native)
    inter = explainer.shap_interaction_values(x)
    assert_close(inter.sum(axis=2), explainer.shap_values(x))
    assert_close(inter, np.swapaxes(inter, 1, 2), 1e-12)
    assert np.all(inter[:, 5, :] == 0.0)


def test_symmetric_features_get_equal_values() -> None:
    """Column 1 duplicates column 0 and the model is trained on both orders equally."""
    stump = lambda f: {  # noqa: E731
        "children_left": [1, -1, -1],
        "children_right": [2, -1, -1],
        "children_default": [1, -1, -1],
        "feature": [f, 0, 0],
        "threshold": [0.5, 0.0, 0.0],
        "value": [0.0, 1.0, 3.0],
        "cover": [10.0, 4.0, 6.0],
    }
    model = {
        "kind": "trees",
        "n_features": 3,
        "n_raw_outputs": 1,
        "trees": [stump(0), stump(1)],
        "tree_output": None,
        "comparison": "less_equal",
        "float32_features": False,
        "tree_weight": 1.0,
        "base_score": [0.0],
        "link": "identity",
        "source": "test",
    }
    x = np.array([[0.2, 0.2, 9.0], [0.9, 0.9, -9.0]])
    background = np.array([[0.1, 0.9, 0.0], [0.9, 0.1, 0.0]])
    for explainer in (TreeExplainer(model), TreeExplainer(model, background)):
        values = explainer.shap_values(x)
        np.testing.assert_allclose(values[:, 0], values[:, 1], rtol=0, atol=1e-15)
        assert np.all(values[:, 2] == 0.0) and np.all(values[:, 0] != 0.0)


# --- the Python API --------------------------------------------------------------------------


def test_explanation_fields_names_and_to_shap() -> None:
    fx = json.loads((GOLDEN / "breast_cancer_random_forest_classifier.json").read_text())
    X = pd.DataFrame(np.array(fx["X"]), columns=fx["feature_names"])
    explanation = TreeExplainer(fx["model"])(X)
    assert isinstance(explanation, Explanation)
    assert explanation.values.shape == (len(X), X.shape[1], 2)
    assert explanation.base_values.shape == (len(X), 2)
    assert explanation.feature_names == list(X.columns)
    assert explanation.output_names == ["Output 0", "Output 1"]
    np.testing.assert_array_equal(explanation.data, X.to_numpy())
    assert explanation.method == "tree_path_dependent"
    real = explanation.to_shap()
    assert isinstance(real, shap.Explanation)
    np.testing.assert_array_equal(real.values, explanation.values)
    back = Explanation.from_json(explanation.to_json())
    np.testing.assert_array_equal(back.values, explanation.values)


def test_one_row_as_a_1d_array_gives_flat_output() -> None:
    fx = json.loads((GOLDEN / "diabetes_random_forest_regressor.json").read_text())
    explainer = TreeExplainer(fx["model"])
    X = np.array(fx["X"])
    np.testing.assert_array_equal(explainer.shap_values(X[0]), explainer.shap_values(X)[0])
    inter = explainer.shap_interaction_values(X[0])
    assert inter.shape == (X.shape[1], X.shape[1])


def test_estimators_go_through_to_native_with_class_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fitted estimator is converted by aequa.explain._models.to_native (imported lazily)."""
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    data = load_iris(as_frame=True)
    model = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0)
    model.fit(data.data, data.target_names[data.target])
    fake = types.ModuleType("aequa.explain._models")
    fake.to_native = lambda m: NativeModel(json.dumps(to_tree_json(m)))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aequa.explain._models", fake)
    explainer = TreeExplainer(model)
    explanation = explainer(data.data.iloc[:10])
    assert explanation.output_names == list(model.classes_)
    assert explanation.feature_names == list(data.data.columns)
    assert_close(explanation.values, shap.TreeExplainer(model).shap_values(data.data.iloc[:10]))
    assert_close(
        explanation.base_values + explanation.values.sum(axis=1),
        model.predict_proba(data.data.iloc[:10]),
    )


# --- bad input -------------------------------------------------------------------------------


@pytest.fixture
def small() -> dict[str, Any]:
    return json.loads((GOLDEN / "diabetes_random_forest_regressor.json").read_text())


def test_feature_count_mismatch(small: dict[str, Any]) -> None:
    explainer = TreeExplainer(small["model"])
    with pytest.raises(aequa.InvalidArgumentError, match="expects 10 features, found 3 columns"):
        explainer.shap_values(np.zeros((2, 3)))
    with pytest.raises(aequa.InvalidArgumentError, match="data: the model expects 10 features"):
        TreeExplainer(small["model"], np.zeros((5, 4)))


def test_infinite_and_non_numeric_input(small: dict[str, Any]) -> None:
    explainer = TreeExplainer(small["model"])
    x = np.array(small["X"])
    x[1, 2] = np.inf
    with pytest.raises(aequa.InvalidArgumentError, match="row 1, column 2"):
        explainer.shap_values(x)
    with pytest.raises(aequa.InvalidArgumentError, match="not numbers"):
        explainer.shap_values(np.array([["a"] * 10]))


def test_background_and_perturbation_errors(small: dict[str, Any]) -> None:
    with pytest.raises(aequa.InvalidArgumentError, match="needs background data"):
        TreeExplainer(small["model"], feature_perturbation="interventional")
    with pytest.raises(aequa.InvalidArgumentError, match="no rows"):
        TreeExplainer(small["model"], np.zeros((0, 10)))
    with pytest.raises(aequa.InvalidArgumentError, match="feature_perturbation"):
        TreeExplainer(small["model"], feature_perturbation="global")
    with pytest.raises(aequa.UnsupportedError, match="model_output"):
        TreeExplainer(small["model"], model_output="probability")
    explainer = TreeExplainer(small["model"], np.array(small["X"]))
    with pytest.raises(aequa.UnsupportedError, match="tree_path_dependent"):
        explainer.shap_interaction_values(np.array(small["X"]))


def test_model_errors(small: dict[str, Any]) -> None:
    linear = NativeModel(
        json.dumps(
            {
                "kind": "linear",
                "coef": {"v": 1, "dim": [1, 2], "data": [1.0, 2.0]},
                "intercept": {"v": 1, "dim": [1], "data": [0.0]},
                "link": "identity",
            }
        )
    )
    with pytest.raises(aequa.InvalidArgumentError, match="needs a tree ensemble"):
        TreeExplainer(linear)
    with pytest.raises(aequa.InvalidArgumentError, match="malformed model JSON"):
        TreeExplainer("{not json")
    bad = json.loads(json.dumps(small["model"]))
    bad["trees"][0]["cover"][0] = 0.0
    with pytest.raises(aequa.InvalidArgumentError, match="internal node 0 has cover 0"):
        TreeExplainer(bad)
    with pytest.raises(aequa.InvalidArgumentError, match="feature_names: expected 10 names"):
        TreeExplainer(small["model"], feature_names=["a", "b"])


def test_the_whole_background_is_used(small: dict[str, Any]) -> None:
    """shap's TreeExplainer silently keeps 100 background rows; every row counts here."""
    rng = np.random.default_rng(5)
    X = np.array(small["X"])
    background = X[rng.integers(0, len(X), size=150)] + rng.normal(scale=0.01, size=(150, 10))
    explainer = TreeExplainer(small["model"], background)
    native = NativeModel(json.dumps(small["model"]))
    assert explainer.expected_value == pytest.approx(native.predict(background).mean(), abs=1e-12)
    explanation = explainer(X[:3])
    assert explanation.report["params"]["background_rows"] == 150
    assert explanation.rows_evaluated == 3 * 150
