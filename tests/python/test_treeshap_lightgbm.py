"""TreeSHAP on LightGBM models whose splits treat zeros as missing: the attributions follow
the model's own routing, so they add up to its raw score on rows full of exact zeros."""

from __future__ import annotations

import aequa.explain as ax
import lightgbm as lgb
import numpy as np


def test_zero_as_missing_rows_add_up() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(600, 4))
    X[rng.random(X.shape) < 0.3] = 0.0
    y = X[:, 0] * 2 + (X[:, 1] == 0) * 3 + rng.normal(size=600) * 0.1
    booster = lgb.train(
        {"objective": "regression", "zero_as_missing": True, "verbose": -1, "num_leaves": 8},
        lgb.Dataset(X, y),
        num_boost_round=20,
    )
    native = ax.to_native(booster)
    assert '"missing_zero":[' in native.to_json().replace(" ", "")  # the case under test
    raw = booster.predict(X, raw_score=True)
    np.testing.assert_array_equal(native.predict(X)[:, 0], raw)
    explanation = ax.TreeExplainer(booster)(X)
    total = explanation.values.sum(axis=1) + explanation.base_values
    np.testing.assert_allclose(total, raw, atol=1e-9)
    assert np.abs(explanation.additivity_residual).max() < 1e-9
