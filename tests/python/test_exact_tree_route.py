"""ExactExplainer on a native tree ensemble with an identity link computes the exact
interventional Shapley values by interventional TreeSHAP: the same numbers as enumerating
coalitions, with no model calls."""

from __future__ import annotations

import aequa
import aequa.explain as ax
import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingClassifier, RandomForestRegressor


def test_tree_route_equals_enumeration() -> None:
    X, y = load_diabetes(return_X_y=True)
    model = RandomForestRegressor(20, max_depth=6, random_state=0).fit(X, y)
    background, rows = X[:40], X[40:60]
    fast = ax.ExactExplainer(model, background)(rows)
    slow = ax.ExactExplainer(model, background, algorithm="enumerate")(rows)
    np.testing.assert_allclose(fast.values, slow.values, atol=1e-9)
    np.testing.assert_allclose(fast.base_values, slow.base_values, atol=1e-12)
    assert fast.model_calls == 0 and slow.model_calls > 0
    assert fast.report["params"]["algorithm"].startswith("interventional TreeSHAP")
    assert np.abs(fast.additivity_residual).max() < 1e-9


def test_logistic_link_keeps_enumeration() -> None:
    X, y = load_diabetes(return_X_y=True)
    model = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, y > 140)
    native = ax.to_native(model, output="probability")
    e = ax.ExactExplainer(native, X[:20])(X[20:23])
    assert e.model_calls > 0  # probabilities are not additive in the trees: enumerate
    with pytest.raises(aequa.AequaError, match="algorithm"):
        ax.ExactExplainer(native, X[:20], algorithm="fast")
