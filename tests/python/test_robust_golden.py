"""aequa.robust against the robustness golden fixtures (tests/golden/generate_robust.py):
FGSM and PGD reproduce IBM ART 1.20.1's adversarial rows to 1e-9, the closed-form minimal
perturbation (binary and multi-class linear models) and the exact single-tree attack hit the
exact minimal distances to 1e-9, and the tree attack never moves further than ART's
DecisionTreeAttack (also checked live on a fresh tree)."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aequa import _core, robust
from sklearn.datasets import load_wine
from sklearn.tree import DecisionTreeClassifier

GOLDEN = Path(__file__).resolve().parents[2] / "tests" / "golden" / "robust"
TOL = 1e-9


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for name in ("breast_cancer", "iris", "synthetic"):
        cases += json.loads((GOLDEN / f"{name}.json").read_text())["cases"]
    assert len(cases) >= 30, "run tests/golden/generate_robust.py"
    return cases


CASES = load_cases()


def by_kind(*kinds: str) -> list[dict[str, Any]]:
    return [c for c in CASES if c["kind"] in kinds]


def num(values: list[Any]) -> np.ndarray:
    return np.array([math.inf if v == "inf" else v for v in values], dtype=float)


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    fin = np.isfinite(expected)
    assert np.array_equal(np.isfinite(actual), fin) or not fin.all(), what
    err = np.abs(actual[fin] - expected[fin]) / np.maximum(1.0, np.abs(expected[fin]))
    assert err.max(initial=0.0) <= TOL, f"{what}: worst relative error {err.max():.3e}"


def dist(d: np.ndarray, norm: str) -> np.ndarray:
    return np.linalg.norm(d, axis=1) if norm == "l2" else np.abs(d).max(axis=1)


@pytest.mark.parametrize("c", by_kind("fgsm", "pgd"), ids=lambda c: c["name"])
def test_gradient_attacks_reproduce_art(c: dict[str, Any]) -> None:
    model = _core.NativeModel(c["model"])
    X = np.array(c["X"], dtype=float)
    o = c["options"]
    norm = "inf" if o["norm"] == "linf" else 2
    if c["kind"] == "fgsm":
        r = robust.fgsm(model, X, c["y"], eps=o["eps"], norm=norm)
    else:
        r = robust.pgd(
            model, X, c["y"], eps=o["eps"], norm=norm, max_iter=o["max_iter"],
            step_size=o["step_size"],
        )  # fmt: skip
    assert_close(r.x_adv, np.array(c["expected"]["x_adv"]), c["name"])
    assert r.elapsed_seconds is not None and r.elapsed_seconds >= 0


@pytest.mark.parametrize("c", by_kind("minimal_linear"), ids=lambda c: c["name"])
def test_linear_minimal_perturbation_is_exact(c: dict[str, Any]) -> None:
    model = _core.NativeModel(c["model"])
    X = np.array(c["X"], dtype=float)
    norm = c["options"]["norm"]
    cons = c["options"]["constraints"]
    expected = num(c["expected"]["distance"])
    on = robust.minimal_perturbation(model, X, norm=norm, constraints=cons, overshoot=0.0)
    moved = dist(on.x_adv - X, norm)
    moved[~np.isfinite(expected)] = math.inf
    assert_close(moved, expected, c["name"])
    past = robust.minimal_perturbation(model, X, norm=norm, constraints=cons)
    flipped = model.predict(past.x_adv).argmax(1) != model.predict(X).argmax(1)
    assert np.array_equal(flipped, np.isfinite(expected))
    assert np.array_equal(past.success, flipped)
    for j in cons["immutable"]:
        assert np.array_equal(past.x_adv[:, j], X[:, j])


@pytest.mark.parametrize("c", by_kind("tree"), ids=lambda c: c["name"])
def test_tree_attack_is_exact_and_never_above_art(c: dict[str, Any]) -> None:
    model = _core.NativeModel(c["model"])
    X = np.array(c["X"], dtype=float)
    e = c["expected"]
    for norm in ("l2", "linf"):
        r = robust.minimal_perturbation(
            model, X, norm=2 if norm == "l2" else "inf", constraints=c["options"]["constraints"]
        )
        expected = num(e[f"distance_{norm}"])
        assert np.array_equal(r.success, np.isfinite(expected))
        assert_close(np.where(r.success, r.perturbation_norm, math.inf), expected, norm)
        if "art_success" in e:
            ok = np.array(e["art_success"], dtype=bool)
            art = num(e[f"art_distance_{norm}"])
            assert ok.sum() >= 10
            assert np.all(r.perturbation_norm[ok] <= art[ok])


def test_tree_attack_live_against_art() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from art.attacks.evasion import DecisionTreeAttack
        from art.estimators.classification import SklearnClassifier
    X, y = load_wine(return_X_y=True)
    tree = DecisionTreeClassifier(max_depth=5, random_state=1).fit(X[::2], y[::2])
    rows = X[1::2]
    x_art = DecisionTreeAttack(SklearnClassifier(tree), verbose=False).generate(rows)
    ok = tree.predict(x_art) != tree.predict(rows)
    assert ok.mean() > 0.9
    for norm in ("l2", "linf"):
        r = robust.minimal_perturbation(tree, rows, norm=2 if norm == "l2" else "inf")
        assert r.success.all()
        assert np.array_equal(tree.predict(r.x_adv) != tree.predict(rows), r.success)
        assert np.all(r.perturbation_norm[ok] <= dist(x_art - rows, norm)[ok])
