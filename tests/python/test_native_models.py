"""Native models (no Python in the loop) predict what the library predicts.

scikit-learn trees and forests: bit-identical (``array_equal``) — the native trees compare
``float32(x) <= threshold`` and sum in scikit-learn's order. Probabilities through a link
(logistic, softmax) and linear models (a BLAS dot product): 1e-12 relative. XGBoost margins:
bit-identical (float32 thresholds, float32 features, float32 sums from the float32 base
margin); XGBoost's probabilities are float32 numbers, so they agree to float32 rounding
(2e-7 relative). LightGBM (float64 throughout): raw scores bit-identical, probabilities 1e-12.
"""

from __future__ import annotations

import json

import aequa
import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from aequa._core import NativeModel, load_lightgbm_text, load_xgboost_json
from aequa.datasets import load_adult
from aequa.explain import model_callable, to_native
from aequa.explain._models import default_output
from sklearn import datasets, ensemble, linear_model, neighbors, svm, tree

RTOL = 1e-12
# XGBoost returns float32 probabilities computed in float32 from the (identical) margin: they
# agree to float32 rounding, 2.5e-7 absolute (check_close scales atol by max|p| = 1).
XGB_PROBA_RTOL = 2.5e-7


# --- data ---------------------------------------------------------------------------------------


def _adult(n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    df = load_adult("train")
    cols = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    X = df[cols].to_numpy(dtype=np.float64)[:n]
    return X, df["label"].to_numpy()[:n]


def _synthetic(task: str, n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded data with NaNs (10% of two columns) and exact zeros in a third."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    X[:, 3] = np.round(X[:, 3])  # many exact zeros and ties
    score = X[:, 0] - 0.5 * X[:, 1] + 0.8 * X[:, 3] * X[:, 2] + 0.3 * rng.normal(size=n)
    X[rng.random(n) < 0.1, 1] = np.nan
    X[rng.random(n) < 0.1, 4] = np.nan
    if task == "regression":
        return X, score
    if task == "binary":
        return X, (score > 0).astype(int)
    return X, np.digitize(score, [-0.7, 0.7])


DATA = {
    "diabetes": lambda: datasets.load_diabetes(return_X_y=True),
    "breast_cancer": lambda: datasets.load_breast_cancer(return_X_y=True),
    "iris": lambda: datasets.load_iris(return_X_y=True),
    "wine": lambda: datasets.load_wine(return_X_y=True),
    "adult": _adult,
    "nan_regression": lambda: _synthetic("regression"),
    "nan_binary": lambda: _synthetic("binary"),
    "nan_multiclass": lambda: _synthetic("multiclass"),
}
REGRESSION = ["diabetes", "nan_regression"]
BINARY = ["breast_cancer", "adult", "nan_binary"]
MULTICLASS = ["iris", "wine", "nan_multiclass"]


def data(name: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = DATA[name]()
    return np.asarray(X, dtype=np.float64), np.asarray(y)


def probe_rows(X: np.ndarray, seed: int = 1) -> np.ndarray:
    """The training rows plus rows exactly on thresholds' neighbours and NaN rows."""
    rng = np.random.default_rng(seed)
    extra = X[rng.integers(0, len(X), 200)].copy()
    extra[::3] = np.nextafter(extra[::3], np.inf)
    extra[1::3] = np.float32(extra[1::3])  # values exactly representable in float32
    return np.vstack([X, extra])


def roundtrip(native: NativeModel) -> NativeModel:
    return NativeModel(native.to_json())


def check_exact(native: NativeModel, expected: np.ndarray, X: np.ndarray) -> None:
    got = native.predict(X)
    expected = np.asarray(expected, dtype=np.float64).reshape(len(X), -1)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(roundtrip(native).predict(X), got)


def check_close(native: NativeModel, expected: np.ndarray, X: np.ndarray, rtol: float) -> None:
    got = native.predict(X)
    expected = np.asarray(expected, dtype=np.float64).reshape(len(X), -1)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * np.abs(expected).max())
    np.testing.assert_array_equal(roundtrip(native).predict(X), got)


# --- scikit-learn trees and forests ------------------------------------------------------------

TREES_CLF = {
    "DecisionTreeClassifier": lambda: tree.DecisionTreeClassifier(max_depth=8, random_state=0),
    "ExtraTreeClassifier": lambda: tree.ExtraTreeClassifier(max_depth=8, random_state=0),
    "RandomForestClassifier": lambda: ensemble.RandomForestClassifier(
        n_estimators=30, max_depth=8, random_state=0
    ),
    "ExtraTreesClassifier": lambda: ensemble.ExtraTreesClassifier(
        n_estimators=30, min_samples_leaf=2, random_state=0
    ),
}
TREES_REG = {
    "DecisionTreeRegressor": lambda: tree.DecisionTreeRegressor(random_state=0),
    "ExtraTreeRegressor": lambda: tree.ExtraTreeRegressor(max_depth=10, random_state=0),
    "RandomForestRegressor": lambda: ensemble.RandomForestRegressor(
        n_estimators=30, random_state=0
    ),
    "ExtraTreesRegressor": lambda: ensemble.ExtraTreesRegressor(
        n_estimators=30, max_depth=10, random_state=0
    ),
}


@pytest.mark.parametrize("dataset", BINARY + MULTICLASS)
@pytest.mark.parametrize("name", list(TREES_CLF))
def test_tree_classifiers_equal_predict_proba(name: str, dataset: str) -> None:
    X, y = data(dataset)
    model = TREES_CLF[name]().fit(X, y)
    Xp = probe_rows(X)
    native = to_native(model)  # default: probabilities, as SHAP explains them
    assert default_output(model) == "probability"
    check_exact(native, model.predict_proba(Xp), Xp)
    check_exact(to_native(model, output="raw"), model.predict_proba(Xp), Xp)


@pytest.mark.parametrize("dataset", REGRESSION + ["adult"])
@pytest.mark.parametrize("name", list(TREES_REG))
def test_tree_regressors_equal_predict(name: str, dataset: str) -> None:
    X, y = data(dataset)
    model = TREES_REG[name]().fit(X, y.astype(np.float64))
    Xp = probe_rows(X)
    check_exact(to_native(model), model.predict(Xp), Xp)
    check_exact(to_native(model, output="predict"), model.predict(Xp), Xp)


def test_multi_output_forest_regressor() -> None:
    X, y = data("diabetes")
    Y = np.column_stack([y, np.sqrt(y), -y])
    model = ensemble.RandomForestRegressor(n_estimators=10, random_state=0).fit(X, Y)
    check_exact(to_native(model), model.predict(X), X)


# --- scikit-learn gradient boosting ------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["diabetes", "adult"])
@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber", "quantile"])
def test_gradient_boosting_regressor(dataset: str, loss: str) -> None:
    X, y = data(dataset)
    model = ensemble.GradientBoostingRegressor(
        loss=loss, n_estimators=40, max_depth=3, learning_rate=0.1, random_state=0
    ).fit(X, y.astype(np.float64))
    Xp = probe_rows(X)
    check_exact(to_native(model), model.predict(Xp), Xp)
    check_exact(to_native(model, output="predict"), model.predict(Xp), Xp)


@pytest.mark.parametrize("dataset", BINARY[:2] + MULTICLASS[:2])
@pytest.mark.parametrize("init", [None, "zero"])
def test_gradient_boosting_classifier(dataset: str, init: str | None) -> None:
    X, y = data(dataset)
    model = ensemble.GradientBoostingClassifier(
        n_estimators=30, max_depth=3, learning_rate=0.2, subsample=0.8, init=init, random_state=0
    ).fit(X, y)
    Xp = probe_rows(X)
    raw = to_native(model)  # default: the raw log-odds, one column when binary
    assert default_output(model) == "raw"
    check_exact(raw, model.decision_function(Xp), Xp)
    check_close(to_native(model, output="probability"), model.predict_proba(Xp), Xp, RTOL)


@pytest.mark.parametrize("dataset", ["diabetes", "nan_regression", "adult"])
@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "poisson"])
def test_hist_gradient_boosting_regressor(dataset: str, loss: str) -> None:
    X, y = data(dataset)
    y = y.astype(np.float64)
    if loss == "poisson":
        y = np.exp((y - y.mean()) / y.std())
    model = ensemble.HistGradientBoostingRegressor(loss=loss, max_iter=40, random_state=0)
    model.fit(X, y)
    Xp = probe_rows(X)
    check_exact(to_native(model), model._raw_predict(Xp), Xp)
    if loss == "poisson":
        with pytest.raises(aequa.UnsupportedError, match="exp"):
            to_native(model, output="predict")
    else:
        check_exact(to_native(model, output="predict"), model.predict(Xp), Xp)


@pytest.mark.parametrize("dataset", BINARY + MULTICLASS)
def test_hist_gradient_boosting_classifier(dataset: str) -> None:
    X, y = data(dataset)
    model = ensemble.HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(X, y)
    Xp = probe_rows(X)
    check_exact(to_native(model), model.decision_function(Xp), Xp)
    check_close(to_native(model, output="probability"), model.predict_proba(Xp), Xp, RTOL)


def test_hist_gradient_boosting_split_on_nan_threshold_is_finite() -> None:
    # A feature that is constant except for NaNs gets a "split on NaN" (+inf threshold).
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    X[:, 2] = 1.0
    X[rng.random(400) < 0.5, 2] = np.nan
    y = np.where(np.isnan(X[:, 2]), 5.0, -5.0) + X[:, 0]
    model = ensemble.HistGradientBoostingRegressor(max_iter=5).fit(X, y)
    thresholds = [n["num_threshold"] for p in model._predictors for n in p[0].nodes]
    assert np.isinf(thresholds).any()
    check_exact(to_native(model), model.predict(X), X)


# --- linear models -----------------------------------------------------------------------------

LINEAR_REG = {
    "LinearRegression": lambda: linear_model.LinearRegression(),
    "Ridge": lambda: linear_model.Ridge(alpha=0.5),
    "Lasso": lambda: linear_model.Lasso(alpha=0.05),
    "ElasticNet": lambda: linear_model.ElasticNet(alpha=0.05, l1_ratio=0.3),
    "SGDRegressor": lambda: linear_model.SGDRegressor(random_state=0),
    "LinearSVR": lambda: svm.LinearSVR(random_state=0, max_iter=5000),
}


@pytest.mark.parametrize("name", list(LINEAR_REG))
def test_linear_regressors(name: str) -> None:
    X, y = data("diabetes")
    model = LINEAR_REG[name]().fit(X, y)
    check_close(to_native(model), model.predict(X), X, RTOL)
    check_close(to_native(model, output="predict"), model.predict(X), X, RTOL)


def test_multi_output_linear_regression() -> None:
    X, y = data("diabetes")
    model = linear_model.Ridge().fit(X, np.column_stack([y, -2 * y]))
    check_close(to_native(model), model.predict(X), X, RTOL)


LINEAR_CLF = {
    "LogisticRegression": lambda: linear_model.LogisticRegression(max_iter=5000),
    "SGDClassifier": lambda: linear_model.SGDClassifier(loss="log_loss", random_state=0),
    "LinearSVC": lambda: svm.LinearSVC(random_state=0),
    "RidgeClassifier": lambda: linear_model.RidgeClassifier(),
}


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris", "wine"])
@pytest.mark.parametrize("name", list(LINEAR_CLF))
def test_linear_classifiers(name: str, dataset: str) -> None:
    X, y = data(dataset)
    X = (X - X.mean(0)) / X.std(0)
    model = LINEAR_CLF[name]().fit(X, y)
    check_close(to_native(model), model.decision_function(X), X, RTOL)
    multiclass_sgd = name == "SGDClassifier" and len(np.unique(y)) > 2
    if name in ("LogisticRegression", "SGDClassifier") and not multiclass_sgd:
        check_close(to_native(model, output="probability"), model.predict_proba(X), X, RTOL)
    else:
        with pytest.raises(aequa.UnsupportedError, match="probability"):
            to_native(model, output="probability")


# --- XGBoost ------------------------------------------------------------------------------------


def _xgb_margin(booster: xgb.Booster, X: np.ndarray) -> np.ndarray:
    return booster.predict(xgb.DMatrix(X), output_margin=True)


XGB_CASES = [
    ("reg:squarederror", "diabetes"),
    ("reg:squarederror", "nan_regression"),
    ("reg:pseudohubererror", "diabetes"),
    ("reg:absoluteerror", "nan_regression"),
    ("count:poisson", "nan_regression"),
    ("reg:gamma", "nan_regression"),
    ("binary:logistic", "breast_cancer"),
    ("binary:logistic", "adult"),
    ("binary:logistic", "nan_binary"),
    ("binary:logitraw", "nan_binary"),
    ("reg:logistic", "nan_binary"),
    ("multi:softprob", "iris"),
    ("multi:softprob", "nan_multiclass"),
    ("multi:softmax", "wine"),
]


@pytest.mark.parametrize(("objective", "dataset"), XGB_CASES)
def test_xgboost_booster_margins_are_bit_identical(objective: str, dataset: str) -> None:
    X, y = data(dataset)
    y = y.astype(np.float64)
    if objective in ("count:poisson", "reg:gamma"):
        y = np.exp((y - y.mean()) / y.std())
    params = {"objective": objective, "max_depth": 5, "eta": 0.3, "seed": 0}
    if objective.startswith("multi"):
        params["num_class"] = len(np.unique(y))
    booster = xgb.train(params, xgb.DMatrix(X, label=y), num_boost_round=40)
    Xp = probe_rows(X)
    native = to_native(booster)
    check_exact(native, _xgb_margin(booster, Xp), Xp)
    text = bytes(booster.save_raw("json")).decode()
    check_exact(load_xgboost_json(text, "raw"), _xgb_margin(booster, Xp), Xp)
    if objective in ("binary:logistic", "reg:logistic", "multi:softprob"):
        expected = booster.predict(xgb.DMatrix(Xp)).astype(np.float64)
        if expected.ndim == 1:
            expected = np.column_stack([1 - expected, expected])
        check_close(to_native(booster, output="probability"), expected, Xp, XGB_PROBA_RTOL)
    if objective.startswith("reg:") and objective not in ("reg:logistic", "reg:gamma"):
        expected = booster.predict(xgb.DMatrix(Xp))
        check_exact(to_native(booster, output="predict"), expected, Xp)


def test_xgboost_sklearn_wrappers_and_early_stopping() -> None:
    X, y = data("breast_cancer")
    clf = xgb.XGBClassifier(n_estimators=200, max_depth=3, early_stopping_rounds=5)
    clf.fit(X[:400], y[:400], eval_set=[(X[400:], y[400:])], verbose=False)
    assert clf.best_iteration < 199
    check_exact(to_native(clf), clf.predict(X, output_margin=True), X)
    check_close(to_native(clf, output="probability"), clf.predict_proba(X), X, XGB_PROBA_RTOL)
    X, y = data("wine")
    clf = xgb.XGBClassifier(n_estimators=20, max_depth=3).fit(X, y)
    check_exact(to_native(clf), clf.predict(X, output_margin=True), X)
    check_close(to_native(clf, output="probability"), clf.predict_proba(X), X, XGB_PROBA_RTOL)
    X, y = data("diabetes")
    reg = xgb.XGBRegressor(n_estimators=50, max_depth=4, base_score=100.0).fit(X, y)
    check_exact(to_native(reg), reg.predict(X), X)
    forest = xgb.XGBRFRegressor(n_estimators=20, max_depth=5).fit(X, y)
    check_exact(to_native(forest), forest.predict(X), X)


def test_xgboost_base_score_margin_for_many_values() -> None:
    # The logit of base_score is computed in float32 as XGBoost does.
    X, _ = data("breast_cancer")
    for p in np.linspace(0.01, 0.99, 37):
        y = (np.arange(len(X)) < p * len(X)).astype(float)
        booster = xgb.train(
            {"objective": "binary:logistic", "max_depth": 1}, xgb.DMatrix(X, label=y), 1
        )
        check_exact(to_native(booster), _xgb_margin(booster, X[:20]), X[:20])


# --- LightGBM ----------------------------------------------------------------------------------

LGB_CASES = [
    ({"objective": "regression"}, "diabetes"),
    ({"objective": "regression"}, "nan_regression"),
    ({"objective": "regression", "zero_as_missing": True}, "nan_regression"),
    ({"objective": "regression", "use_missing": False}, "nan_regression"),
    ({"objective": "huber"}, "diabetes"),
    ({"objective": "poisson"}, "nan_regression"),
    ({"objective": "binary"}, "breast_cancer"),
    ({"objective": "binary"}, "adult"),
    ({"objective": "binary", "sigmoid": 0.7}, "nan_binary"),
    ({"objective": "binary", "zero_as_missing": True}, "nan_binary"),
    ({"objective": "multiclass"}, "iris"),
    ({"objective": "multiclass"}, "nan_multiclass"),
    (
        {"objective": "binary", "boosting": "rf", "bagging_freq": 1, "bagging_fraction": 0.7},
        "nan_binary",
    ),
    (
        {"objective": "regression", "boosting": "rf", "bagging_freq": 1, "bagging_fraction": 0.7},
        "diabetes",
    ),
]


@pytest.mark.parametrize(("params", "dataset"), LGB_CASES)
def test_lightgbm_booster(params: dict, dataset: str) -> None:
    X, y = data(dataset)
    y = y.astype(np.float64)
    if params["objective"] == "poisson":
        y = np.exp((y - y.mean()) / y.std())
    full = {"num_leaves": 15, "min_data_in_leaf": 5, "verbose": -1, "seed": 0, **params}
    if params["objective"] == "multiclass":
        full["num_class"] = len(np.unique(y))
    booster = lgb.train(full, lgb.Dataset(X, label=y), num_boost_round=30)
    Xp = probe_rows(X)
    Xp[::7, 3] = 0.0  # zeros for zero-as-missing splits
    Xp[1::7, 3] = -0.0
    Xp[2::7, 3] = 1e-36
    check_exact(to_native(booster), booster.predict(Xp, raw_score=True), Xp)
    expected = booster.predict(Xp)
    if params["objective"] in ("binary", "multiclass"):
        if expected.ndim == 1:
            expected = np.column_stack([1 - expected, expected])
        check_close(to_native(booster, output="probability"), expected, Xp, RTOL)
    elif params["objective"] != "poisson":
        check_exact(to_native(booster, output="predict"), expected, Xp)


def test_lightgbm_sklearn_wrappers() -> None:
    X, y = data("breast_cancer")
    clf = lgb.LGBMClassifier(n_estimators=30, num_leaves=8, verbose=-1).fit(X, y)
    check_exact(to_native(clf), clf.predict(X, raw_score=True), X)
    check_close(to_native(clf, output="probability"), clf.predict_proba(X), X, RTOL)
    X, y = data("diabetes")
    reg = lgb.LGBMRegressor(n_estimators=30, num_leaves=8, verbose=-1).fit(X, y)
    check_exact(to_native(reg), reg.predict(X), X)


# --- defaults, callables, JSON ---------------------------------------------------------------


def test_default_outputs_follow_shap() -> None:
    X, y = data("breast_cancer")
    expected = {
        tree.DecisionTreeClassifier(max_depth=2): ("probability", 2),
        ensemble.RandomForestClassifier(n_estimators=2): ("probability", 2),
        ensemble.GradientBoostingClassifier(n_estimators=2): ("raw", 1),
        ensemble.HistGradientBoostingClassifier(max_iter=2): ("raw", 1),
        linear_model.LogisticRegression(max_iter=3000): ("raw", 1),
        xgb.XGBClassifier(n_estimators=2): ("raw", 1),
        lgb.LGBMClassifier(n_estimators=2, verbose=-1): ("raw", 1),
    }
    for model, (output, n_outputs) in expected.items():
        model.fit(X, y)
        assert default_output(model) == output, type(model).__name__
        assert to_native(model).n_outputs == n_outputs, type(model).__name__


def test_native_model_passes_through_and_json_is_the_core_format() -> None:
    X, y = data("diabetes")
    native = to_native(ensemble.RandomForestRegressor(n_estimators=3, max_depth=3).fit(X, y))
    assert to_native(native) is native
    doc = json.loads(native.to_json())
    assert doc["kind"] == "trees" and doc["accumulate"] == "mean"
    assert doc["float32_features"] is True and native.n_features == 10
    linear = to_native(linear_model.LinearRegression().fit(X, y))
    assert json.loads(linear.to_json())["kind"] == "linear"


def test_model_callable() -> None:
    X, y = data("iris")
    knn = neighbors.KNeighborsClassifier().fit(X, y)
    f = model_callable(knn, "predict_proba")
    np.testing.assert_array_equal(f(X), knn.predict_proba(X))
    model = svm.SVC().fit(X, y)
    assert model_callable(model, "predict")(X).shape == (150, 1)
    assert model_callable(model, "decision_function")(X).shape == (150, 3)
    assert model_callable(lambda X: X[:, :2])(X).shape == (150, 2)
    booster = xgb.train({"max_depth": 2}, xgb.DMatrix(X, label=y), 3)
    assert model_callable(booster)(X).shape == (150, 1)

    class Boom(RuntimeError):
        pass

    class Broken:
        def predict(self, X: np.ndarray) -> np.ndarray:
            raise Boom("model failed")

    with pytest.raises(Boom, match="model failed"):
        model_callable(Broken())(X)
    with pytest.raises(aequa.InvalidArgumentError, match="method"):
        model_callable(model, "transform")  # type: ignore[arg-type]
    labels = svm.SVC().fit(X, np.array(["a", "b", "c"])[y])
    with pytest.raises(aequa.InvalidArgumentError, match="non-numeric"):
        model_callable(labels, "predict")(X)


# --- bad input ----------------------------------------------------------------------------------


def test_bad_native_json() -> None:
    with pytest.raises(aequa.AequaError, match="malformed model JSON"):
        NativeModel("{")
    with pytest.raises(aequa.AequaError, match="malformed XGBoost JSON model"):
        load_xgboost_json("{not json", "raw")
    with pytest.raises(aequa.AequaError, match="malformed LightGBM model text"):
        load_lightgbm_text('{"learner": {}}', "raw")
    with pytest.raises(aequa.InvalidArgumentError, match="output"):
        load_lightgbm_text("tree\n", "proba")


def test_wrong_feature_count_at_predict() -> None:
    X, y = data("diabetes")
    native = to_native(tree.DecisionTreeRegressor(max_depth=3).fit(X, y))
    with pytest.raises(aequa.AequaError, match="expects 10 features, found 4 columns"):
        native.predict(X[:, :4])


def test_unsupported_objectives_are_named() -> None:
    X, y = data("breast_cancer")
    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(X, label=y), 2)
    text = bytes(booster.save_raw("json")).decode()
    with pytest.raises(aequa.UnsupportedError, match=r'"rank:pairwise" is not supported'):
        load_xgboost_json(text.replace('"binary:logistic"', '"rank:pairwise"'), "raw")
    lgb_booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(X, label=y), 2)
    text = lgb_booster.model_to_string().replace("objective=binary", "objective=my_loss")
    with pytest.raises(aequa.UnsupportedError, match=r'objective "my_loss" is not supported'):
        load_lightgbm_text(text, "raw")
    with pytest.raises(aequa.UnsupportedError, match="class labels"):
        to_native(booster, output="predict")


@pytest.mark.parametrize("booster", ["dart", "gblinear"])
def test_xgboost_unsupported_boosters(booster: str) -> None:
    X, y = data("diabetes")
    model = xgb.train({"booster": booster}, xgb.DMatrix(X, label=y), 3)
    with pytest.raises(aequa.UnsupportedError, match=f"{booster} booster is not supported"):
        to_native(model)


def _categorical_frame() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=500),
            "c": pd.Categorical(rng.choice(list("abcdefgh"), 500)),
        }
    )
    y = (df["c"].isin(list("aceg")).to_numpy() ^ (df["x"] > 0).to_numpy()).astype(int)
    return df, y


def test_categorical_splits_are_refused_with_their_location() -> None:
    df, y = _categorical_frame()
    model = xgb.XGBClassifier(n_estimators=3, enable_categorical=True, max_cat_to_onehot=1)
    model.fit(df, y)
    with pytest.raises(aequa.UnsupportedError, match=r"tree \d+, node \d+ is a categorical split"):
        to_native(model)
    model = lgb.LGBMClassifier(n_estimators=3, verbose=-1, min_data_per_group=5).fit(df, y)
    with pytest.raises(aequa.UnsupportedError, match=r"tree \d+, node \d+ is a categorical split"):
        to_native(model)
    hgb = ensemble.HistGradientBoostingClassifier(max_iter=3, categorical_features="from_dtype")
    hgb.fit(df, y)
    with pytest.raises(aequa.UnsupportedError, match="categorical"):
        to_native(hgb)


def test_lightgbm_linear_trees_are_refused() -> None:
    X, y = data("diabetes")
    booster = lgb.train(
        {"objective": "regression", "linear_tree": True, "verbose": -1}, lgb.Dataset(X, y), 3
    )
    with pytest.raises(aequa.UnsupportedError, match="linear tree"):
        to_native(booster)


@pytest.mark.parametrize(
    "model",
    [
        ensemble.RandomForestRegressor(),
        linear_model.LogisticRegression(),
        xgb.XGBClassifier(),
        lgb.LGBMRegressor(),
    ],
    ids=lambda m: type(m).__name__,
)
def test_unfitted_models(model: object) -> None:
    with pytest.raises(aequa.InvalidArgumentError, match="not fitted yet"):
        to_native(model)


def test_unsupported_estimators_and_outputs() -> None:
    X, y = data("iris")
    with pytest.raises(aequa.UnsupportedError, match="model_callable"):
        to_native(svm.SVC().fit(X, y))
    rf = ensemble.RandomForestClassifier(n_estimators=2).fit(X, y)
    with pytest.raises(aequa.UnsupportedError, match="class labels"):
        to_native(rf, output="predict")
    with pytest.raises(aequa.InvalidArgumentError, match="output"):
        to_native(rf, output="proba")  # type: ignore[arg-type]
    gb = ensemble.GradientBoostingClassifier(
        n_estimators=2, init=linear_model.LogisticRegression(max_iter=2000)
    ).fit(X, y)
    with pytest.raises(aequa.UnsupportedError, match="init estimator"):
        to_native(gb)
    with pytest.raises(aequa.UnsupportedError, match="no class probabilities"):
        to_native(linear_model.LinearRegression().fit(X, y), output="probability")
