"""Model-agnostic Shapley values through the Python API: shap 0.51 golden replay (scikit-learn
models as callables, and the stored NativeModels), the axioms, and bad input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import aequa
import numpy as np
import pandas as pd
import pytest
from aequa import _core
from aequa.explain import (
    ExactExplainer,
    Explanation,
    KernelExplainer,
    LinearExplainer,
    PermutationExplainer,
)
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "shapley"
sys.path.insert(0, str(REPO / "tests" / "golden"))

TOL = 1e-9


def fixtures() -> list[Path]:
    found = sorted(GOLDEN.glob("*.json"))
    assert len(found) >= 15, f"no shapley fixtures in {GOLDEN}: run generate_shapley.py"
    return found


def explain(fx: dict[str, Any], model: Any, estimator: Any = None) -> Explanation:
    x, bg = np.array(fx["X"]), np.array(fx["background"])
    exp = fx["expected"]
    method = fx["method"]
    if method == "exact":
        return ExactExplainer(model, bg)(x)
    if method == "kernel":
        return KernelExplainer(model, bg, random_state=0)(x, nsamples=exp["nsamples"])
    if method == "permutation":
        return PermutationExplainer(model, bg)(x, permutations=exp["permutations"])
    return LinearExplainer(estimator if estimator is not None else model, bg)(x)


def assert_matches(e: Explanation, fx: dict[str, Any]) -> None:
    want = np.array(fx["expected"]["values"])
    base = np.array(fx["expected"]["base_values"])
    got = e.values if e.values.ndim == 3 else e.values[:, :, None]
    got_base = e.base_values if e.base_values.ndim == 2 else e.base_values[:, None]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(got_base, base, rtol=TOL, atol=TOL)
    assert np.abs(e.additivity_residual).max() < 1e-9


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.stem)
def test_golden_with_sklearn_callable(path: Path) -> None:
    from generate_shapley import fit_case

    fx = json.loads(path.read_text())
    case = fit_case(fx["case"])
    f = getattr(case["model"], case["output"])
    if fx["method"] == "linear" and hasattr(case["model"], "decision_function"):
        score = case["model"].decision_function
    else:
        score = f
    pred = np.asarray(score(np.array(fx["X"]))).reshape(len(fx["X"]), -1)
    np.testing.assert_allclose(pred, np.array(fx["predictions"]), rtol=1e-12)
    e = explain(fx, f, estimator=case["model"])
    assert_matches(e, fx)
    if fx["method"] != "linear":
        # f(background) with f(X) in one call, then the coalitions in 8 MiB batches.
        width = len(fx["X"][0])
        assert e.model_calls <= 2 + e.rows_evaluated * width * 8 // (8 << 20)


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.stem)
def test_golden_with_native_model(path: Path) -> None:
    fx = json.loads(path.read_text())
    native = _core.NativeModel(json.dumps(fx["model"]))
    assert_matches(explain(fx, native), fx)


# ------------------------------------------------------------------ axioms (hypothesis)


def _poly(coef: list[float]) -> Any:
    """A model with interactions: c0 x0 x1 + c1 x1 x2 x3 + c2 x0^2 + c3 x3 (feature 4 ignored)."""

    def f(X: np.ndarray) -> np.ndarray:
        return (
            coef[0] * X[:, 0] * X[:, 1]
            + coef[1] * X[:, 1] * X[:, 2] * X[:, 3]
            + coef[2] * X[:, 0] ** 2
            + coef[3] * X[:, 3]
        )

    return f


_coefs = st.lists(st.floats(-2, 2), min_size=4, max_size=4)
_mats = st.integers(0, 2**32 - 1).map(lambda s: np.random.default_rng(s).normal(size=(7, 5)))


@settings(max_examples=25, deadline=None)
@given(coef=_coefs, data=_mats)
def test_efficiency_and_dummy(coef: list[float], data: np.ndarray) -> None:
    f = _poly(coef)
    x, bg = data[:3], data[3:]
    for e in (
        ExactExplainer(f, bg)(x),
        PermutationExplainer(f, bg, random_state=1)(x, max_evals=33),
        KernelExplainer(f, bg, random_state=2)(x),  # 5 features: full enumeration
    ):
        np.testing.assert_allclose(e.values.sum(axis=1) + e.base_values, f(x), atol=1e-9)
        # The ignored feature: exactly 0 (least squares leaves rounding for kernel).
        assert np.abs(e.values[:, 4]).max() <= (1e-12 if e.method == "kernel" else 0.0)


@settings(max_examples=15, deadline=None)
@given(a=_coefs, b=_coefs, data=_mats)
def test_linearity(a: list[float], b: list[float], data: np.ndarray) -> None:
    f, g = _poly(a), _poly(b)
    x, bg = data[:2], data[2:]

    def both(X: np.ndarray) -> np.ndarray:
        return f(X) + g(X)

    for make in (
        lambda m: ExactExplainer(m, bg)(x),
        lambda m: PermutationExplainer(m, bg, random_state=3)(x, max_evals=22),
        lambda m: KernelExplainer(m, bg, random_state=4)(x, nsamples=12),
    ):
        np.testing.assert_allclose(make(f).values + make(g).values, make(both).values, atol=1e-9)


def test_symmetry() -> None:
    rng = np.random.default_rng(0)
    bg = rng.normal(size=(6, 3))
    bg[:, 1] = bg[:, 0]
    x = np.array([[0.7, 0.7, -1.0]])

    def f(X: np.ndarray) -> np.ndarray:
        return X[:, 0] * X[:, 1] * X[:, 2] + np.sin(X[:, 0]) + np.sin(X[:, 1])

    for e in (ExactExplainer(f, bg)(x), KernelExplainer(f, bg)(x)):
        assert abs(e.values[0, 0] - e.values[0, 1]) < 1e-12


def test_multi_output_shapes_and_to_shap() -> None:
    pytest.importorskip("shap")
    bg = pd.DataFrame(np.arange(12.0).reshape(4, 3), columns=["a", "b", "c"])

    def f(X: np.ndarray) -> np.ndarray:
        return np.stack([X.sum(axis=1), X[:, 0] * X[:, 1]], axis=1)

    e = ExactExplainer(f, bg, output_names=["sum", "prod"])(bg.iloc[:2])
    assert e.values.shape == (2, 3, 2)
    assert e.feature_names == ["a", "b", "c"]
    assert e.output_names == ["sum", "prod"]
    s = e.to_shap()
    assert s.values.shape == (2, 3, 2)


# ------------------------------------------------------------------ traps SHAP users hit


def test_kernel_keeps_every_feature_where_shap_keeps_ten() -> None:
    shap = pytest.importorskip("shap")
    rng = np.random.default_rng(5)
    coef = np.linspace(1.0, 2.0, 14)
    bg, x = rng.normal(size=(10, 14)), rng.normal(size=(1, 14)) + 3

    def f(X: np.ndarray) -> np.ndarray:
        return X @ coef

    ours = KernelExplainer(f, bg, random_state=0)(x, nsamples=500).values
    np.testing.assert_allclose(ours[0], coef * (x[0] - bg.mean(axis=0)), atol=1e-9)
    theirs = shap.KernelExplainer(f, bg).shap_values(x, nsamples=500, silent=True)
    assert np.count_nonzero(theirs) <= 10  # the silent default l1_reg="num_features(10)"
    with pytest.raises(aequa.UnsupportedError, match="feature selection"):
        KernelExplainer(f, bg)(x, l1_reg="num_features(10)")


def test_background_is_never_subsampled_silently() -> None:
    bg = np.random.default_rng(1).normal(size=(250, 3))
    x = bg[:2] + 1

    def f(X: np.ndarray) -> np.ndarray:
        return X[:, 0] * X[:, 1] + X[:, 2]

    e = ExactExplainer(f, bg)(x)
    assert e._report["params"]["background_rows"] == 250
    np.testing.assert_allclose(e.base_values, f(bg).mean(), rtol=1e-12)
    sub = ExactExplainer(f, bg, max_background=50, background_random_state=7)(x)
    params = sub._report["params"]
    assert params["background_rows"] == 50 and params["background_rows_given"] == 250
    assert len(params["background_indices"]) == 50


def test_seeds_are_recorded_and_reproducible() -> None:
    rng = np.random.default_rng(2)
    bg, x = rng.normal(size=(5, 6)), rng.normal(size=(3, 6))

    def f(X: np.ndarray) -> np.ndarray:
        return X[:, 0] * X[:, 1] * X[:, 2] + X[:, 3] * X[:, 4] * X[:, 5]

    a = PermutationExplainer(f, bg)(x, max_evals=40)
    seed = a._report["params"]["random_state"]
    b = PermutationExplainer(f, bg, random_state=seed)(x, max_evals=40)
    np.testing.assert_array_equal(a.values, b.values)
    k1 = KernelExplainer(f, bg, random_state=9)(x, nsamples=30)
    k2 = KernelExplainer(f, bg, random_state=9)(x, nsamples=30)
    np.testing.assert_array_equal(k1.values, k2.values)


def test_python_model_is_called_in_few_batches() -> None:
    calls: list[int] = []
    bg = np.random.default_rng(3).normal(size=(20, 8))

    def f(X: np.ndarray) -> np.ndarray:
        calls.append(len(X))
        return np.tanh(X[:, 0] * X[:, 1]) + X[:, 2:].sum(axis=1)

    e = PermutationExplainer(f, bg, random_state=0)(bg[:10] + 0.5, max_evals=200)
    assert len(calls) == e.model_calls + 1  # + the one-row probe of the output shape
    assert sum(calls) == e.rows_evaluated + 1
    assert e.model_calls == 2


def test_estimator_and_linear_inputs() -> None:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    rng = np.random.default_rng(4)
    X = rng.normal(size=(80, 4))
    y = X @ [1.0, -1.0, 0.5, 0.0] + 0.1 * rng.normal(size=80)
    reg = LinearRegression().fit(X, y)
    bg = pd.DataFrame(X[:30], columns=list("abcd"))
    exact = ExactExplainer(reg, bg)(X[30:35])  # the estimator itself: native or .predict
    lin = LinearExplainer(reg, bg)(X[30:35])
    np.testing.assert_allclose(exact.values, lin.values, atol=1e-9)
    assert lin.feature_names == list("abcd")
    clf = LogisticRegression().fit(X, y > 0)
    e = LinearExplainer(clf, X[:30])(X[30:35])
    np.testing.assert_allclose(
        e.values.sum(axis=1) + e.base_values, clf.decision_function(X[30:35]), atol=1e-9
    )
    tup = LinearExplainer((reg.coef_, reg.intercept_), X[:30])(X[30:35])
    np.testing.assert_allclose(tup.values, lin.values, atol=1e-12)


# ------------------------------------------------------------------ bad input


class ModelFailure(RuntimeError):
    pass


def test_user_exception_propagates_unchanged() -> None:
    bg = np.zeros((3, 2))

    def broken(X: np.ndarray) -> np.ndarray:
        if len(X) > 1:
            raise ModelFailure("the user's model failed")
        return X.sum(axis=1)

    for make in (
        lambda: ExactExplainer(broken, bg),
        lambda: PermutationExplainer(broken, bg, random_state=0),
        lambda: KernelExplainer(broken, bg, random_state=0),
    ):
        with pytest.raises(ModelFailure, match="the user's model failed") as info:
            make()(np.ones((2, 2)))
        assert info.tb is not None


def test_nan_and_wrong_shape_outputs_are_clear_errors() -> None:
    bg = np.zeros((3, 2))

    def nan_model(X: np.ndarray) -> np.ndarray:
        out = X.sum(axis=1)
        if len(X) > 1:
            out[-1] = np.nan
        return out

    with pytest.raises(aequa.AequaError, match="finite"):
        ExactExplainer(nan_model, bg)(np.ones((2, 2)))

    def short(X: np.ndarray) -> np.ndarray:
        return X.sum(axis=1)[: max(1, len(X) - 1)]

    with pytest.raises(aequa.AequaError, match="shape"):
        ExactExplainer(short, bg)(np.ones((2, 2)))

    def words(X: np.ndarray) -> np.ndarray:
        return np.array(["a"] * len(X))

    with pytest.raises(aequa.AequaError, match="not numeric"):
        ExactExplainer(words, bg)(np.ones((2, 2)))


def test_bad_inputs() -> None:
    def f(X: np.ndarray) -> np.ndarray:
        return X.sum(axis=1)

    bg = np.zeros((3, 4))
    with pytest.raises(aequa.InvalidArgumentError, match="feature columns"):
        ExactExplainer(f, bg)(np.ones((2, 3)))
    with pytest.raises(aequa.InvalidArgumentError, match="background"):
        ExactExplainer(f, np.zeros((0, 4)))(np.ones((2, 4)))
    with pytest.raises(aequa.NonFiniteError, match="X"):
        ExactExplainer(f, bg)(np.array([[1.0, np.nan, 0.0, 0.0]]))
    with pytest.raises(aequa.NonFiniteError, match="background"):
        ExactExplainer(f, np.array([[np.inf, 0, 0, 0]]))(np.ones((1, 4)))
    native = aequa.explain._explainers.linear_model(np.ones(5), 0.0)
    with pytest.raises(aequa.InvalidArgumentError, match="model expects 5"):
        ExactExplainer(native, bg)(np.ones((1, 4)))
    with pytest.raises(aequa.InvalidArgumentError, match="numeric"):
        ExactExplainer(f, bg)(np.array([["a", "b", "c", "d"]]))
    with pytest.raises(aequa.InvalidArgumentError, match="max_evals"):
        PermutationExplainer(f, bg, random_state=0)(np.ones((1, 4)), max_evals=5)
    with pytest.raises(aequa.InvalidArgumentError, match="permutations"):
        PermutationExplainer(f, bg)(np.ones((1, 4)), permutations=[[0, 1, 2, 2]])


def test_too_many_features_for_exact_suggests_alternatives() -> None:
    bg = np.zeros((2, 18))
    with pytest.raises(aequa.InvalidArgumentError) as info:
        ExactExplainer(lambda X: X.sum(axis=1), bg)(np.ones((1, 18)))
    msg = str(info.value)
    assert "max_features=16" in msg and "PermutationExplainer" in msg and "group" in msg
    # Invariant features do not count: 18 columns, 3 differ from the background.
    x = np.zeros((1, 18))
    x[0, :3] = 1.0
    e = ExactExplainer(lambda X: X.sum(axis=1), bg)(x)
    np.testing.assert_allclose(e.values[0, :3], 1.0)


def test_small_scale_features_are_not_treated_as_constant() -> None:
    """shap decides which features vary with np.isclose (atol 1e-8): a feature measured on a
    1e-9 scale counts as constant and gets 0. aequa compares exactly."""
    shap = pytest.importorskip("shap")
    rng = np.random.default_rng(6)
    bg = np.column_stack([rng.normal(size=20), rng.normal(size=20) * 1e-9])
    x = np.array([[1.0, 5e-9]])

    def f(X: np.ndarray) -> np.ndarray:
        return X[:, 0] + 1e9 * X[:, 1]

    ours = ExactExplainer(f, bg)(x).values[0]
    np.testing.assert_allclose(ours, [1.0 - bg[:, 0].mean(), 5.0 - 1e9 * bg[:, 1].mean()])
    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    theirs = shap.ExactExplainer(f, masker)(x, silent=True).values[0]
    assert theirs[1] == 0.0 and abs(ours[1]) > 1.0


def test_sampled_methods_agree_statistically_with_exact_and_shap() -> None:
    """Sampling error of the permutation and kernel estimates on a model with interactions:
    small against exact values, and KernelSHAP's no larger than shap's own (same budget)."""
    shap = pytest.importorskip("shap")
    rng = np.random.default_rng(7)
    bg, x = rng.normal(size=(30, 8)), rng.normal(size=(4, 8))

    def f(X: np.ndarray) -> np.ndarray:
        return X[:, 0] * X[:, 1] * X[:, 2] + np.tanh(X[:, 3] * X[:, 4] - X[:, 5]) + X[:, 6] ** 2

    exact = ExactExplainer(f, bg)(x).values

    def rmse(v: np.ndarray) -> float:
        return float(np.sqrt(((v - exact) ** 2).mean()))

    perm = PermutationExplainer(f, bg, random_state=0)(x, max_evals=17 * 200).values
    assert rmse(perm) < 0.02 * np.abs(exact).max()
    # Feature 7 is ignored by the model (numpy's SIMD tanh may differ by an ulp by position).
    assert np.abs(perm[:, 7]).max() < 1e-12
    ours, theirs = [], []
    for seed in range(5):
        ours.append(rmse(KernelExplainer(f, bg, random_state=seed)(x, nsamples=150).values))
        np.random.seed(seed)  # noqa: NPY002 - shap's KernelExplainer draws from it
        v = shap.KernelExplainer(f, bg).shap_values(x, nsamples=150, l1_reg=False, silent=True)
        theirs.append(rmse(v))
    assert np.mean(ours) < 1.5 * np.mean(theirs), (ours, theirs)
