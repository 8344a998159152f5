"""Targeted HopSkipJump (``targeted=True, y_target=...``, as ART's ``targeted`` / ``y``): every
reported adversarial row has its target class and respects every constraint; rows already in
their target class are not attacked; bad targets are errors. Live against ART 1.20.1's
targeted HopSkipJump on the same rows and model: at least its success rate."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _tabular import CONSTRAINTS, assert_attack_respects_constraints, mixed_tabular
from aequa import InvalidArgumentError, robust
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


@pytest.fixture(scope="module")
def tabular3():
    X, score = mixed_tabular(11, 400)
    y = np.digitize(score, [0.2, 1.2])  # classes 0, 1, 2
    model = RandomForestClassifier(40, max_depth=6, random_state=0).fit(X, y)
    return X, y, model, CONSTRAINTS


@pytest.mark.parametrize("norm", [2, "inf"])
def test_targeted_examples_have_the_target_class_and_respect_constraints(tabular3, norm):
    X, _, model, cons = tabular3
    X = X[:50]
    pred = model.predict(X)
    goal = (pred + 1) % 3
    goal[:5] = pred[:5]  # already there: not attacked
    r = robust.hop_skip_jump(
        model, X, norm=norm, constraints=cons, targeted=True, y_target=goal, max_iter=15,
        random_state=0,
    )  # fmt: skip
    adv = model.predict(r.x_adv)
    assert np.array_equal(r.attacked, pred != goal)
    assert not r.success[:5].any()
    assert np.array_equal(r.success, r.attacked & (adv == goal))
    assert r.success_rate > 0.8
    assert np.array_equal(r.target_label, goal)
    assert np.array_equal(r.adversarial_label[r.success], goal[r.success])
    assert np.array_equal(r.x_adv[~r.success], X[~r.success])
    assert_attack_respects_constraints(X, r, norm)
    assert list(r.to_pandas().columns)[2] == "target_label"
    assert r.elapsed_seconds is not None and r.elapsed_seconds > 0  # timed by the binding


def test_targeted_labels_follow_the_models_classes(tabular3):
    X, y, _, _ = tabular3
    named = np.array(["low", "mid", "high"])[y]
    model = RandomForestClassifier(20, max_depth=5, random_state=0).fit(X, named)
    X = X[:20]
    goal = np.where(model.predict(X) == "high", "low", "high")
    r = robust.hop_skip_jump(model, X, targeted=True, y_target=goal, max_iter=5, random_state=0)
    assert np.array_equal(model.predict(r.x_adv)[r.success], goal[r.success])
    assert r.success.any()


def test_targeted_bad_input(tabular3):
    X, _, model, _ = tabular3
    X = X[:10]
    with pytest.raises(InvalidArgumentError, match="exactly when targeted=True"):
        robust.hop_skip_jump(model, X, targeted=True)
    with pytest.raises(InvalidArgumentError, match="exactly when targeted=True"):
        robust.hop_skip_jump(model, X, y_target=np.zeros(10, int))
    with pytest.raises(InvalidArgumentError, match="y_target: expected 10 labels"):
        robust.hop_skip_jump(model, X, targeted=True, y_target=[0, 1])
    with pytest.raises(InvalidArgumentError, match="y_target: labels must be among"):
        robust.hop_skip_jump(model, X, targeted=True, y_target=np.full(10, 7))
    with pytest.raises(InvalidArgumentError, match=r"y_target: expected class indices 0\.\.3"):
        robust.hop_skip_jump(model.predict_proba, X, targeted=True, y_target=np.full(10, 3))


def test_targeted_success_at_least_arts():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from art.attacks.evasion import HopSkipJump
        from art.estimators.classification import BlackBoxClassifier
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    rows = X[::6]
    goal = (model.predict(rows) + 1) % 3
    rows_art = 0

    def proba(a: np.ndarray) -> np.ndarray:
        nonlocal rows_art
        rows_art += len(a)
        return model.predict_proba(np.asarray(a, dtype=np.float64))

    clf = BlackBoxClassifier(
        proba, input_shape=(4,), nb_classes=3, clip_values=(float(X.min()), float(X.max()))
    )
    attack = HopSkipJump(clf, targeted=True, max_iter=10, max_eval=1000, init_eval=100,
                         verbose=False)  # fmt: skip
    np.random.seed(0)  # noqa: NPY002 - ART draws from numpy's global generator
    x_art = attack.generate(rows.astype(np.float32), y=goal).astype(np.float64)
    art_rate = float(np.mean(model.predict(x_art) == goal))
    r = robust.hop_skip_jump(
        model, rows, targeted=True, y_target=goal, max_iter=10, max_eval=1000,
        max_queries=rows_art // len(rows), random_state=0,
    )  # fmt: skip
    assert np.array_equal(model.predict(r.x_adv)[r.success], goal[r.success])
    assert r.success_rate >= art_rate
    assert r.queries <= rows_art
