"""aequa.robust: noise stability, the sensitive-attribute probe, attacks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _tabular import CONSTRAINTS, assert_attack_respects_constraints, mixed_tabular
from aequa import InvalidArgumentError, robust
from sklearn.linear_model import LogisticRegression


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    X[:, 3] = rng.integers(0, 2, size=300)  # a binary sensitive column
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.8 * X[:, 3] > 0.4).astype(int)
    return X, y


def _ignores_x2(a: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(a[:, 0] - a[:, 1])))


def test_noise_is_deterministic_and_reports_cost(data):
    X, _ = data
    a = robust.noise_stability(_ignores_x2, X, budgets=[0.1, 0.5], random_state=3)
    b = robust.noise_stability(_ignores_x2, X, budgets=[0.1, 0.5], random_state=3)
    c = robust.noise_stability(_ignores_x2, X, budgets=[0.1, 0.5], random_state=4)
    ja, jb = json.loads(a.to_json()), json.loads(b.to_json())
    ja.pop("elapsed_seconds"), jb.pop("elapsed_seconds")
    assert ja == jb
    assert not np.array_equal(a.mean_output_change, c.mean_output_change)
    assert a.flip_rate[1] >= a.flip_rate[0] > 0
    assert a.model_calls >= 1 + 2 + 4 * 2
    assert a.rows_evaluated == 300 + 2 * 300 * 10 * 5
    assert a.elapsed_seconds > 0
    assert list(a.to_pandas().columns) == ["flip_rate", "mean_output_change"]


def test_ignored_feature_has_zero_sensitivity(data):
    X, _ = data
    r = robust.noise_stability(_ignores_x2, X, budgets=[0.2, 1.0], noise="uniform")
    assert (r.feature_flip_rate.loc["x2"] == 0).all()
    assert (r.feature_output_change.loc["x2"] == 0).all()
    assert (r.feature_output_change.loc["x0"] > 0).all()


def test_noise_by_group_matches_manual_means(data):
    X, y = data
    clf = LogisticRegression().fit(X, y)
    sens = np.where(X[:, 3] > 0, "b", "a")
    r = robust.noise_stability(clf, X, budgets=[0.3], sensitive_features=sens, random_state=1)
    g = r.by_group.set_index("sensitive_feature_0")
    assert set(g.index) == {"a", "b"}
    weights = g["rows"] / g["rows"].sum()
    assert np.isclose((g["flip_rate"] * weights).sum(), r.flip_rate[0], atol=1e-12)


def test_sensitive_flip_blind_model_flips_nothing(data):
    X, _ = data
    r = robust.sensitive_flip(_ignores_x2, X, sensitive_features=3)
    assert not r.flipped.any()
    assert r.flip_rate == 0.0
    assert r.rows_evaluated == 300 + 300  # baseline + one counterfactual per row
    assert set(r.by_group["x3"]) == {"0", "1"}


def test_sensitive_flip_flips_exactly_the_expected_rows(data):
    X, _ = data

    def uses_s(a: np.ndarray) -> np.ndarray:
        return a[:, 0] + 2.0 * a[:, 3] - 1.0

    r = robust.sensitive_flip(uses_s, X, sensitive_features=[3], threshold=0.0)
    s0 = X[:, 0] - 1.0 >= 0
    s1 = X[:, 0] + 1.0 >= 0
    assert np.array_equal(r.flipped, s0 != s1)
    assert np.allclose(r.max_output_change, 2.0)
    by = r.by_group.set_index("x3")
    for level, v in ((0.0, "0"), (1.0, "1")):
        rows = X[:, 3] == level
        assert np.isclose(by.loc[v, "flip_rate"], r.flipped[rows].mean())


def test_bad_input(data):
    X, _ = data
    with pytest.raises(InvalidArgumentError, match="budgets"):
        robust.noise_stability(_ignores_x2, X, budgets=[0.1, 0.0])
    with pytest.raises(InvalidArgumentError, match="budgets"):
        robust.noise_stability(_ignores_x2, X, budgets=[-1])
    with pytest.raises(InvalidArgumentError, match="noise"):
        robust.noise_stability(_ignores_x2, X, noise="laplace")
    with pytest.raises(InvalidArgumentError, match="sensitive_features"):
        robust.sensitive_flip(_ignores_x2, X, sensitive_features=9)
    with pytest.raises(InvalidArgumentError, match="at most"):
        wide = np.random.default_rng(1).normal(size=(5000, 3))
        robust.sensitive_flip(_ignores_x2, wide, sensitive_features=0)


def test_model_failing_mid_probe_reraises_unchanged(data):
    X, _ = data
    calls = {"n": 0}

    def flaky(a: np.ndarray) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("model server down")
        return a[:, 0]

    with pytest.raises(RuntimeError, match="model server down"):
        robust.noise_stability(flaky, X, budgets=[0.1])


# ---------------------------------------------------------------- linear attacks


@pytest.fixture(scope="module")
def logreg(data):
    X, y = data
    return LogisticRegression().fit(X, y)


@pytest.mark.parametrize("norm", [2, "inf"])
def test_minimal_perturbation_is_exact_for_logistic_regression(data, logreg, norm):
    X, _ = data
    r = robust.minimal_perturbation(logreg, X, norm=norm)
    w, s = logreg.coef_[0], logreg.decision_function(X)
    dual = np.linalg.norm(w) if norm == 2 else np.abs(w).sum()
    assert np.allclose(r.perturbation_norm, np.abs(s) / dual, rtol=1e-8, atol=0)
    assert r.success.all() and r.success_rate == 1.0
    assert np.all(logreg.predict(r.x_adv) != logreg.predict(X))
    on = robust.minimal_perturbation(logreg, X, norm=norm, overshoot=0.0)
    assert np.allclose(logreg.decision_function(on.x_adv), 0.0, atol=1e-12)
    if norm == "inf":
        d = np.abs(r.x_adv - X)
        assert np.allclose(d, d.max(axis=1, keepdims=True), rtol=1e-12)


def test_minimal_perturbation_honours_immutable(data, logreg):
    X, _ = data
    r = robust.minimal_perturbation(logreg, X, constraints={"immutable": [3]})
    assert np.array_equal(r.x_adv[:, 3], X[:, 3])
    w = logreg.coef_[0].copy()
    w[3] = 0
    expect = np.abs(logreg.decision_function(X)) / np.linalg.norm(w)
    assert np.allclose(r.perturbation_norm, expect, rtol=1e-8)


@pytest.mark.parametrize("norm", [2, "inf"])
def test_fgsm_pgd_stay_in_budget_and_constraints(data, logreg, norm):
    X, y = data
    cons = {"immutable": [3], "bounds": {0: (-3.5, 3.5)}}
    for attack in (robust.fgsm, robust.pgd):
        r = attack(logreg, X, y, eps=0.5, norm=norm, constraints=cons, random_state=0)
        d = r.x_adv - X
        size = np.linalg.norm(d, axis=1) if norm == 2 else np.abs(d).max(axis=1)
        assert np.all(size <= 0.5 + 1e-12)
        assert np.array_equal(r.x_adv[:, 3], X[:, 3])
        assert np.all(np.abs(r.x_adv[:, 0]) <= 3.5)
        pred = logreg.predict(r.x_adv)
        assert np.array_equal(pred != y, r.success | ~r.attacked)
        assert r.attacked.sum() == (logreg.predict(X) == y).sum()
        assert 0 < r.success_rate < 1
        assert r.robust_accuracy[0] == pytest.approx(((pred == y) & r.attacked).mean())
    pgd = robust.pgd(logreg, X, y, eps=0.5, norm=norm)
    fg = robust.fgsm(logreg, X, y, eps=0.5, norm=norm)
    assert pgd.success_rate >= fg.success_rate


def test_attack_bad_input(data, logreg):
    X, _ = data
    with pytest.raises(InvalidArgumentError, match="eps"):
        robust.fgsm(logreg, X, eps=0.0)
    with pytest.raises(InvalidArgumentError, match="above the upper bound"):
        robust.pgd(logreg, X, eps=0.1, constraints={"bounds": {0: (None, 0.0)}})
    with pytest.raises(InvalidArgumentError, match="immutable but belongs to one-hot"):
        robust.pgd(logreg, X, eps=0.1, constraints={"immutable": [1], "one_hot": [[1, 2]]})
    with pytest.raises(InvalidArgumentError, match="norm"):
        robust.fgsm(logreg, X, eps=0.1, norm=1)


# ---------------------------------------------------------------- HopSkipJump


@pytest.fixture(scope="module")
def tabular():
    from sklearn.ensemble import RandomForestClassifier

    X, score = mixed_tabular(5, 300)
    y = (score > 0.8).astype(int)
    model = RandomForestClassifier(30, max_depth=5, random_state=0).fit(X, y)
    return X, y, model, CONSTRAINTS


@pytest.mark.parametrize("norm", [2, "inf"])
def test_hop_skip_jump_examples_change_prediction_and_respect_constraints(tabular, norm):
    X, y, model, cons = tabular
    X = X[:60]
    r = robust.hop_skip_jump(
        model, X, y[:60], norm=norm, constraints=cons, max_iter=10, random_state=0
    )
    pred = model.predict(X)
    adv_pred = model.predict(r.x_adv)
    assert r.success_rate > 0.8
    assert np.array_equal(r.attacked, pred == y[:60])
    assert np.all(adv_pred[r.success] != pred[r.success])
    assert np.array_equal(r.success, r.attacked & (adv_pred != y[:60]))
    assert_attack_respects_constraints(X, r, norm)
    assert r.queries <= 5000 * 60 + 60


def test_hop_skip_jump_is_near_exact_on_a_linear_model(data, logreg):
    X, _ = data
    X = X[:40]
    r = robust.hop_skip_jump(logreg.predict_proba, X, random_state=1)
    exact = robust.minimal_perturbation(logreg, X).perturbation_norm
    assert r.success.all()
    assert np.all(r.perturbation_norm >= exact * (1 - 1e-6))
    assert np.median(r.perturbation_norm / exact) < 1.05
    again = robust.hop_skip_jump(logreg.predict_proba, X, random_state=1)
    assert np.array_equal(again.x_adv, r.x_adv)


def test_hop_skip_jump_runs_a_logistic_estimator_natively(data, logreg):
    # predict_proba of a logistic regression has a native twin (its probabilities, not its
    # default log-odds output): the attack then runs with no Python call per batch.
    from aequa.explain._inspect_common import _resolve

    X, _ = data
    X = X[:40]
    method = _resolve(logreg, X, None, ("predict_proba", "decision_function", "predict")).method
    assert method == "native:predict_proba"
    calls = {"n": 0}

    def counted(a):
        calls["n"] += 1
        return logreg.predict_proba(a)

    r = robust.hop_skip_jump(logreg, X, random_state=1)
    black_box = robust.hop_skip_jump(counted, X, random_state=1)
    assert calls["n"] == black_box.model_calls + 1  # + the one-row probe of the output width
    exact = robust.minimal_perturbation(logreg, X).perturbation_norm
    assert r.success.all() and np.array_equal(logreg.predict(r.x_adv), 1 - logreg.predict(X))
    assert np.all(r.perturbation_norm >= exact * (1 - 1e-6))
    assert np.median(r.perturbation_norm / exact) < 1.05
    assert r.queries <= 5000 * 40


def test_hop_skip_jump_is_unaffected_by_a_model_that_overwrites_its_input(data, logreg):
    # The probe batch is handed to the callable without a copy; a model scribbling over its
    # input must not change the attack (the gradient never reads the batch back).
    X, _ = data
    X = X[:20]

    def scribbling(a):
        out = logreg.predict_proba(a)
        a[:] = 1e6
        return out

    r = robust.hop_skip_jump(scribbling, X, max_iter=8, random_state=3)
    ref = robust.hop_skip_jump(logreg.predict_proba, X, max_iter=8, random_state=3)
    assert np.array_equal(r.x_adv, ref.x_adv) and r.queries == ref.queries


def test_hop_skip_jump_bad_input_and_failing_model(tabular):
    X, y, model, cons = tabular
    with pytest.raises(InvalidArgumentError, match="above the upper bound"):
        robust.hop_skip_jump(model, X, constraints={"bounds": {5: (None, 30)}})
    with pytest.raises(InvalidArgumentError, match="immutable but belongs"):
        robust.hop_skip_jump(model, X, constraints={"immutable": [2], "one_hot": [[2, 3, 4]]})
    with pytest.raises(InvalidArgumentError, match="budgets"):
        robust.hop_skip_jump(model, X, budgets=[0.5, 0])
    with pytest.raises(InvalidArgumentError, match="max_queries"):
        robust.hop_skip_jump(model, X, max_queries=0)
    calls = {"n": 0}

    def flaky(a):
        calls["n"] += 1
        if calls["n"] > 4:
            raise RuntimeError("scoring service down")
        return model.predict_proba(a)

    with pytest.raises(RuntimeError, match="scoring service down") as info:
        robust.hop_skip_jump(flaky, X[:10], max_iter=3)
    assert any("model query" in note for note in getattr(info.value, "__notes__", []))


@pytest.mark.parametrize("norm", [2, "inf"])
def test_single_tree_minimal_perturbation_is_exact(data, norm):
    from itertools import product

    from sklearn.tree import DecisionTreeClassifier

    X, y = data
    tree = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    X = X[:50]
    r = robust.minimal_perturbation(tree, X, norm=norm, constraints={"immutable": [3]})
    pred = tree.predict(X)
    assert r.success.all()
    assert np.all(tree.predict(r.x_adv) != pred)
    assert np.array_equal(r.x_adv[:, 3], X[:, 3])
    # Brute force over a grid of candidate values per feature (thresholds and the row's value)
    # never beats the attack.
    t = tree.tree_
    rng = np.random.default_rng(0)
    for i in rng.choice(50, size=5, replace=False):
        cands = []
        for j in range(3):
            th = t.threshold[t.feature == j]
            cands.append(np.unique(np.concatenate([[X[i, j]], th, np.nextafter(th, np.inf)])))
        grid = np.array(list(product(*cands)))
        full = np.column_stack([grid, np.full(len(grid), X[i, 3])])
        flip = tree.predict(full) != pred[i]
        d = full[flip] - X[i]
        best = (np.linalg.norm(d, axis=1) if norm == 2 else np.abs(d).max(axis=1)).min()
        assert r.perturbation_norm[i] <= best + 1e-6
