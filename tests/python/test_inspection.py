"""Inspection (permutation importance, partial dependence / ICE, ALE) against the installed
wheel: replay of the scikit-learn goldens (tests/golden/generate_inspection.py), properties,
and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aequa
import numpy as np
import pytest
from aequa import _core
from aequa.explain import (
    accumulated_local_effects,
    partial_dependence,
    permutation_importance,
)
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden" / "inspection"
TOL = 1e-9


def fixtures(kind: str) -> list[Path]:
    found = sorted(p for p in GOLDEN.glob("*.json") if json.loads(p.read_text())["kind"] == kind)
    assert found, f"no {kind} fixtures in {GOLDEN}: run tests/golden/generate_inspection.py"
    return found


def estimator(spec: dict[str, Any], X: np.ndarray) -> Any:
    """The fixture's model as a scikit-learn estimator (linear ones from their coefficients)."""
    if spec["type"] == "linear":
        coef = np.asarray(spec["coef"])
        if spec["estimator"] == "LinearRegression":
            est: Any = LinearRegression()
            est.coef_, est.intercept_ = coef[0], float(spec["intercept"][0])
        else:
            est = LogisticRegression()
            est.coef_, est.intercept_ = coef, np.asarray(spec["intercept"])
            est.classes_ = np.arange(max(2, coef.shape[0]), dtype=np.float64)
        est.n_features_in_ = coef.shape[1]
        return est
    cls = {
        "GradientBoostingRegressor": GradientBoostingRegressor,
        "GradientBoostingClassifier": GradientBoostingClassifier,
    }[spec["estimator"]]
    est = cls(**spec["params"]).fit(X, np.asarray(spec["fit_y"]))
    k = spec["check_rows"]
    got = est.predict_proba(X[:k])[:, 1] if hasattr(est, "predict_proba") else est.predict(X[:k])
    np.testing.assert_allclose(got, spec["check_predictions"], rtol=0, atol=1e-12)
    return est


def native(spec: dict[str, Any], link: str) -> _core.NativeModel:
    coef = np.asarray(spec["coef"])
    model = {
        "kind": "linear",
        "coef": {"v": 1, "dim": list(coef.shape), "data": coef.ravel().tolist()},
        "intercept": {"v": 1, "dim": [len(spec["intercept"])], "data": spec["intercept"]},
        "link": link,
    }
    return _core.NativeModel(json.dumps(model))


def close(actual: Any, expected: Any, tol: float = TOL) -> float:
    a, e = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    assert a.shape == e.shape, (a.shape, e.shape)
    dev = float(np.max(np.abs(a - e) / np.maximum(1.0, np.abs(e)))) if a.size else 0.0
    assert dev <= tol, f"max relative deviation {dev:.3g} > {tol}"
    return dev


# ---------------------------------------------------------------- golden replay


def _pi_cases() -> list[tuple[Path, int]]:
    return [
        (p, i)
        for p in fixtures("permutation_importance")
        for i in range(len(json.loads(p.read_text())["cases"]))
    ]


def _pi_runs() -> list[tuple[Path, int, str]]:
    """Every case through the estimator; linear-model cases also through a NativeModel."""
    runs = []
    for p, i in _pi_cases():
        runs.append((p, i, "estimator"))
        if json.loads(p.read_text())["model"]["type"] == "linear":
            runs.append((p, i, "native"))
    return runs


@pytest.mark.parametrize("path,index,via", _pi_runs(), ids=lambda v: getattr(v, "stem", str(v)))
def test_permutation_importance_replays_sklearn(path: Path, index: int, via: str) -> None:
    fx = json.loads(path.read_text())
    case = fx["cases"][index]
    X, y = np.asarray(fx["X"]), np.asarray(fx["y"])
    if via == "native":
        link = fx["model"]["link"]
        # roc_auc reads the decision function (sigmoid saturation would create ties).
        model: Any = native(
            fx["model"], "identity" if case["response"] == "decision_function" else link
        )
    else:
        model = estimator(fx["model"], X)
    sens = None
    if "sensitive" in fx:
        s = fx["sensitive"]
        sens = np.asarray(s["levels"], dtype=object)[np.asarray(s["codes"])]
    w = None if case["sample_weight"] is None else np.asarray(case["sample_weight"])
    r = permutation_importance(
        model,
        X,
        y,
        scoring=case["scoring"],
        n_repeats=case["n_repeats"],
        sample_weight=w,
        feature_groups=case["feature_groups"],
        sensitive_features=sens,
        baseline="full",
        permutations=np.asarray(case["permutations"]),
        sample_indices=None if case["sample_indices"] is None else case["sample_indices"],
    )
    exp = case["expected"]
    keep = list(range(len(exp["importances"])))
    if case["feature_groups"] is not None:  # ungrouped columns follow as single features
        wanted = [sorted(g) for g in case["feature_groups"]]
        keep = [r.feature_groups.index(g) for g in wanted]
    close(r.baseline_score, exp["baseline_score"])
    close(r.permuted_scores[keep], exp["permuted_scores"])
    close(r.importances[keep], exp["importances"])
    close(r.importances_mean[keep], exp["importances_mean"])
    close(r.importances_std[keep], exp["importances_std"])
    if not r.model_used.startswith("native"):
        # A Python model: one baseline call, then every (feature, repeat) block in one batch.
        assert r.model_calls == 2


@pytest.mark.parametrize("path", fixtures("partial_dependence"), ids=lambda p: p.stem)
def test_partial_dependence_replays_sklearn(path: Path) -> None:
    fx = json.loads(path.read_text())
    X = np.asarray(fx["X"])
    est = estimator(fx["model"], X)
    for case in fx["cases"]:
        w = None if case["sample_weight"] is None else np.asarray(case["sample_weight"])
        r = partial_dependence(
            est,
            X,
            case["features"],
            response_method=case["response_method"],
            grid_resolution=case["grid_resolution"],
            percentiles=tuple(case["percentiles"]),
            kind="both",
            sample_weight=w,
            categorical_features=case["categorical"],
        )
        exp = case["expected"]
        # The grids are identical, value for value.
        assert [g.tolist() for g in r.grid_values] == exp["grid_values"]
        assert list(r.average.shape) == exp["average_shape"]
        close(r.average.ravel(), exp["average"])
        head = r.individual[:, : exp["individual_head_shape"][1]]
        assert list(head.shape) == exp["individual_head_shape"]
        close(head.ravel(), exp["individual_head"])
        if not r.model_used.startswith("native"):
            # One call for all the grid points, not one per point.
            assert r.model_calls == 1


def test_partial_dependence_native_equals_callable() -> None:
    fx = json.loads((GOLDEN / "pd_diabetes_linear.json").read_text())
    X = np.asarray(fx["X"])
    nat = native(fx["model"], "identity")
    est = estimator(fx["model"], X)
    a = partial_dependence(nat, X, [2, 8], grid_resolution=12, kind="both")
    b = partial_dependence(est, X, [2, 8], grid_resolution=12, kind="both")
    close(a.average, b.average, 1e-12)
    close(a.individual, b.individual, 1e-12)


@pytest.mark.parametrize("path", fixtures("ale"), ids=lambda p: p.stem)
def test_ale_replays_reference(path: Path) -> None:
    fx = json.loads(path.read_text())
    X = np.asarray(fx["X"])
    est = estimator(fx["model"], X)
    for case in fx["cases"]:
        r = accumulated_local_effects(est, X, case["feature"], bins=case["bins"])
        exp = case["expected"]
        assert r.edges.tolist() == exp["edges"]
        assert r.counts.tolist() == exp["counts"]
        close(r.local_effects[0], exp["local_effects"])
        close(r.ale[0], exp["ale"])
        close(r.centring[0], exp["centring"])
        if "line" in exp:  # linear model: the centred line β·z − c
            close(r.ale[0], exp["line"])
        assert r.rows_evaluated == 2 * len(X)


# ---------------------------------------------------------------- properties


def _linear_data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, 2.0 * X[:, 0] - X[:, 1] + 0.5 * X[:, 3] + rng.normal(scale=0.1, size=n)


def _f(A: np.ndarray) -> np.ndarray:
    return 2.0 * A[:, 0] - A[:, 1] + 0.5 * A[:, 3]


@pytest.mark.parametrize("max_samples", [1.0, 0.5, 77])
@pytest.mark.parametrize("scoring", ["r2", "neg_mean_squared_error", "neg_mean_absolute_error"])
def test_ignored_feature_gets_exactly_zero(max_samples: float, scoring: str) -> None:
    X, y = _linear_data()
    r = permutation_importance(_f, X, y, scoring=scoring, max_samples=max_samples, random_state=3)
    assert r.importances[2].tolist() == [0.0] * 5
    assert r.importances_mean[2] == 0.0 and r.importances_std[2] == 0.0
    assert (r.importances_mean[[0, 1, 3]] > 0).all()


def test_sklearn_full_baseline_shifts_ignored_feature() -> None:
    X, y = _linear_data()
    full = permutation_importance(
        _f, X, y, scoring="r2", max_samples=0.3, baseline="full", random_state=0
    )
    sub = permutation_importance(_f, X, y, scoring="r2", max_samples=0.3, random_state=0)
    assert full.importances_mean[2] != 0.0
    np.testing.assert_array_equal(full.permuted_scores, sub.permuted_scores)
    assert full.report["params"]["baseline"] == "full"
    assert len(sub.report["params"]["sample_indices"]) == 90


def test_seeded_and_reproducible() -> None:
    X, y = _linear_data()
    a = permutation_importance(_f, X, y, scoring="r2", random_state=11)
    b = permutation_importance(_f, X, y, scoring="r2", random_state=11)
    c = permutation_importance(_f, X, y, scoring="r2", random_state=12)
    assert a.to_json() == b.to_json()
    assert not np.array_equal(a.importances, c.importances)
    assert a.report["params"]["permutations"] == "seeded"


def test_feature_groups_move_together() -> None:
    X, y = _linear_data()
    X = np.column_stack([X, X[:, 0]])  # column 4 duplicates column 0
    f = lambda A: A[:, 0] - A[:, 4]  # noqa: E731 - depends only on their difference
    y = np.zeros(len(X))
    alone = permutation_importance(f, X, y, scoring="neg_mean_squared_error", random_state=0)
    grouped = permutation_importance(
        f, X, y, scoring="neg_mean_squared_error", feature_groups={"pair": [0, 4]}
    )
    assert alone.importances_mean[0] > 0 and alone.importances_mean[4] > 0
    # Permuted together (same rows), the difference stays 0: no importance.
    assert grouped.feature_names[0] == "pair"
    assert grouped.importances_mean[0] == 0.0
    assert grouped.feature_groups[0] == [0, 4]
    df = grouped.to_pandas()
    assert list(df.index) == ["pair", "x1", "x2", "x3"]
    assert grouped["importances"].shape == (4, 5)


def test_fairness_scorer_matches_fairlearn_definition() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    sex = np.where(rng.random(400) < 0.5, "F", "M")
    X[:, 2] = (sex == "M") + rng.normal(scale=0.3, size=400)
    y = (X[:, 0] + X[:, 2] > 0.5).astype(float)
    f = lambda A: (A[:, 0] + A[:, 2] > 0.5).astype(float)  # noqa: E731
    r = permutation_importance(
        f, X, y, scoring="neg_demographic_parity_difference", sensitive_features=sex
    )
    base = aequa.demographic_parity_difference(y, f(X), sensitive_features=sex)
    assert r.baseline_score == pytest.approx(-base, abs=1e-15)
    # Permuting the column that carries the group signal lowers the disparity.
    assert r.importances_mean[2] < 0 and r.importances_mean[1] == 0.0
    # Any fairness metric's group gap is a scorer too.
    fpr = permutation_importance(
        f, X, y, scoring="neg_false_positive_rate_difference", sensitive_features=sex
    )
    mf = aequa.MetricFrame(
        metrics=["false_positive_rate"], y_true=y, y_pred=f(X), sensitive_features=sex
    )
    assert fpr.baseline_score == pytest.approx(-float(mf.difference().iloc[0]), abs=1e-15)
    assert fpr.scoring == "neg_false_positive_rate_difference"


def test_dataframe_names_and_estimator_default_scoring() -> None:
    pd = pytest.importorskip("pandas")
    X, y = _linear_data()
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = LinearRegression().fit(df, y)
    r = permutation_importance(est, df, y, random_state=0)
    assert r.scoring == "r2" and r.feature_names == ["a", "b", "c", "d"]
    p = partial_dependence(est, df, "b", grid_resolution=5)
    assert p.feature_names == ["b"] and p["average"].shape == (1, 5)
    assert set(p.to_pandas().columns) == {"output", "b", "average"}


def test_string_labels_and_classifier_outputs() -> None:
    X, y = _linear_data()
    labels = np.where(y > 0, "yes", "no")
    clf = LogisticRegression().fit(X, labels)
    for scoring in ["accuracy", "balanced_accuracy", "roc_auc", "neg_log_loss"]:
        r = permutation_importance(clf, X, labels, scoring=scoring, random_state=0)
        assert r.importances_mean[0] > 0, scoring
    p = partial_dependence(clf, X, [0], grid_resolution=6)
    assert p.outputs == [1] and p.average.shape == (1, 6)  # positive class only, as sklearn


def test_user_exception_surfaces_unchanged() -> None:
    class Boom(RuntimeError):
        pass

    calls = []

    def model(A: np.ndarray) -> np.ndarray:
        calls.append(len(A))
        if len(calls) > 1:
            raise Boom("model failed")
        return A[:, 0]

    X, y = _linear_data(50)
    with pytest.raises(Boom, match="model failed"):
        permutation_importance(model, X, y, scoring="r2")


# ---------------------------------------------------------------- bad input


def test_bad_input_is_explained() -> None:
    X, y = _linear_data(40)
    with pytest.raises(aequa.LengthMismatchError, match="one per row of X"):
        permutation_importance(_f, X, y[:30], scoring="r2")
    with pytest.raises(aequa.InvalidArgumentError, match="unknown scorer 'r3'"):
        permutation_importance(_f, X, y, scoring="r3")
    with pytest.raises(aequa.InvalidArgumentError, match="neg_log_loss"):
        permutation_importance(_f, X, y, scoring="log_loss")
    with pytest.raises(aequa.InvalidArgumentError, match="n_repeats"):
        permutation_importance(_f, X, y, scoring="r2", n_repeats=0)
    with pytest.raises(aequa.InvalidArgumentError, match="scoring"):
        permutation_importance(_f, X, y)
    with pytest.raises(aequa.InvalidArgumentError, match="max_samples"):
        permutation_importance(_f, X, y, scoring="r2", max_samples=1.5)
    with pytest.raises(aequa.InvalidArgumentError, match="sensitive_features"):
        permutation_importance(_f, X, y, scoring="neg_demographic_parity_difference")
    with pytest.raises(aequa.InvalidArgumentError, match="out of range"):
        partial_dependence(_f, X, [7])
    with pytest.raises(aequa.InvalidArgumentError, match="out of range"):
        permutation_importance(_f, X, y, scoring="r2", feature_groups=[[0, 9]])
    with pytest.raises(aequa.InvalidArgumentError, match="grid_resolution"):
        partial_dependence(_f, X, [0], grid_resolution=1)
    with pytest.raises(aequa.InvalidArgumentError, match="kind"):
        partial_dependence(_f, X, [0], kind="mean")
    with pytest.raises(aequa.InvalidArgumentError, match="out of range"):
        accumulated_local_effects(_f, X, 4)
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(
        aequa.NonFiniteError, match="X: expected finite numbers, found NaN at row 5"
    ):
        permutation_importance(_f, bad, y, scoring="r2")
    with pytest.raises(aequa.NonFiniteError, match="row 5"):
        partial_dependence(_f, bad, [0])
    with pytest.raises(aequa.NonFiniteError, match="row 5"):
        accumulated_local_effects(_f, bad, 0)
    with pytest.raises(aequa.InvalidArgumentError, match="one value per row"):
        permutation_importance(lambda A: np.c_[A[:, 0], A[:, 1]], X, y, scoring="r2")
    with pytest.raises(aequa.InvalidArgumentError, match="returned NaN for row 0"):
        permutation_importance(lambda A: A[:, 0] * np.nan, X, y, scoring="r2")
    const = X.copy()
    const[:, 1] = 3.0
    with pytest.raises(aequa.InvalidArgumentError, match="single value"):
        accumulated_local_effects(_f, const, 1)


@pytest.mark.parametrize("scoring", ["r2", "roc_auc", "neg_log_loss"])
def test_native_linear_reads_scores_ignored_feature_exactly_zero(scoring: str) -> None:
    """A native linear model is read, not called: no model call, the same importances as
    through predict (to rounding), and exactly 0 for a zero coefficient."""
    X, y = _linear_data()
    coef = np.array([[2.0, -1.0, 0.0, 0.5]])
    link = "logistic" if scoring == "neg_log_loss" else "identity"
    spec = {
        "kind": "linear",
        "coef": {"v": 1, "dim": [1, 4], "data": coef.ravel().tolist()},
        "intercept": {"v": 1, "dim": [1], "data": [0.1]},
        "link": link,
    }
    nat = _core.NativeModel(json.dumps(spec))
    target = y if scoring == "r2" else (y > 0).astype(float)
    r = permutation_importance(nat, X, target, scoring=scoring, random_state=4)
    via_predict = permutation_importance(nat.predict, X, target, scoring=scoring, random_state=4)
    assert (r.model_calls, r.rows_evaluated) == (0, 0)
    assert via_predict.model_calls == 2
    assert r.importances[2].tolist() == [0.0] * 5
    assert via_predict.importances[2].tolist() == [0.0] * 5
    np.testing.assert_allclose(r.importances, via_predict.importances, rtol=0, atol=1e-12)
    assert r.baseline_score == pytest.approx(via_predict.baseline_score, abs=1e-12)


def test_native_forest_walks_trees_ignored_feature_exactly_zero() -> None:
    """A random forest through its native twin: no model call, the importances of predict on
    the permuted rows (to rounding), exactly 0 for a column no tree splits on."""
    from sklearn.ensemble import RandomForestRegressor

    X, y = _linear_data(n=400)
    train = X.copy()
    train[:, 2] = 1.0  # constant while fitting: no split can use it
    forest = RandomForestRegressor(n_estimators=15, max_depth=6, random_state=0).fit(train, y)
    r = permutation_importance(forest, X, y, random_state=5, n_repeats=4)
    assert r.model_used.startswith("native")
    assert (r.model_calls, r.rows_evaluated) == (0, 0)
    via_predict = permutation_importance(
        forest.predict, X, y, scoring="r2", random_state=5, n_repeats=4
    )
    np.testing.assert_allclose(r.importances, via_predict.importances, rtol=0, atol=1e-12)
    assert r.importances[2].tolist() == [0.0] * 4
    assert (r.importances_mean[[0, 1]] > 0).all()
    grouped = permutation_importance(
        forest, X, y, random_state=5, n_repeats=4, feature_groups={"a": [0, 3]}
    )
    via_predict = permutation_importance(
        forest.predict,
        X,
        y,
        scoring="r2",
        random_state=5,
        n_repeats=4,
        feature_groups={"a": [0, 3]},
    )
    np.testing.assert_allclose(grouped.importances, via_predict.importances, rtol=0, atol=1e-12)


def test_reports_serialise_and_render() -> None:
    X, y = _linear_data(60)
    r = permutation_importance(_f, X, y, scoring="r2", max_samples=40, random_state=0)
    back = json.loads(r.to_json())
    assert back["schema_version"] == 1 and back["kind"] == "permutation_importance"
    assert back["params"]["max_samples"] == 40 and back["params"]["random_state"] == 0
    assert back["rows_evaluated"] == 40 + 40 * 4 * 5
    assert "<table" in r._repr_html_()
    p = partial_dependence(_f, X, [0, 1], grid_resolution=4, kind="individual")
    assert p.average is None and p.individual.shape == (1, 60, 4, 4)
    df = p.to_pandas()
    assert len(df) == 60 * 16 and {"row", "x0", "x1", "individual"} <= set(df.columns)
    assert json.loads(p.to_json())["params"]["kind"] == "individual"
    a = accumulated_local_effects(_f, X, 3, bins=[-1.0, 0.0, 1.0])
    assert a.report["params"] == {"bins": None, "n_rows": 60}
    assert a.report["rows_outside"] == int(((X[:, 3] < -1) | (X[:, 3] > 1)).sum())
    assert "<table" in a._repr_html_()


def _fake_models(monkeypatch: pytest.MonkeyPatch, to_native: Any) -> None:
    """Stand-in for aequa.explain._models (written on another branch)."""
    import sys
    import types

    mod = types.ModuleType("aequa.explain._models")
    mod.to_native = to_native  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aequa.explain._models", mod)


def _linear_json(est: Any, link: str) -> _core.NativeModel:
    coef = np.atleast_2d(est.coef_)
    spec = {"coef": coef.tolist(), "intercept": np.atleast_1d(est.intercept_).tolist()}
    return native(spec, link)


def test_estimators_use_to_native_only_when_it_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _linear_data()
    reg = LinearRegression().fit(X, y)
    labels = (y > 0).astype(float)
    clf = LogisticRegression().fit(X, labels)
    _fake_models(monkeypatch, lambda m: _linear_json(m, "logistic" if m is clf else "identity"))
    r = permutation_importance(reg, X, y, random_state=0)
    assert r.model_used == "native:predict"
    ref = permutation_importance(reg.predict, X, y, scoring="r2", random_state=0)
    np.testing.assert_allclose(r.importances, ref.importances, rtol=1e-12, atol=1e-12)
    # Labels from the native probabilities (arg-max over classes_) equal predict.
    acc = permutation_importance(clf, X, labels, scoring="accuracy", random_state=0)
    assert acc.model_used == "native:predict"
    # roc_auc reads decision_function, which the probabilities do not reproduce: Python.
    auc = permutation_importance(clf, X, labels, scoring="roc_auc", random_state=0)
    assert auc.model_used == "decision_function"
    p = partial_dependence(clf, X, [0], grid_resolution=5)
    assert p.model_used == "native:predict_proba" and p.outputs == [1]

    def unsupported(model: Any) -> Any:
        raise TypeError("not a supported model")

    _fake_models(monkeypatch, unsupported)
    assert permutation_importance(reg, X, y).model_used == "predict"


def test_no_seed_draws_a_recorded_one_that_repeats_the_run() -> None:
    X, y = _linear_data()
    first = permutation_importance(_f, X, y, scoring="r2")
    seed = json.loads(first.to_json())["params"]["random_state"]
    again = permutation_importance(_f, X, y, scoring="r2", random_state=seed)
    np.testing.assert_array_equal(first.importances, again.importances)
