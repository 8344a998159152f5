"""PermutationExplainer on a native tree ensemble walks the trees (no model calls beyond f(X)
and f(background)) and gives the values of the same model called on masked rows, for the same
seed: a random forest, gradient boosting (probabilities: the logistic link keeps one
trajectory per background row) and a histogram booster, with a background of more than 64
rows."""

from __future__ import annotations

import aequa.explain as ax
import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)


def _data() -> tuple[np.ndarray, np.ndarray]:
    return load_diabetes(return_X_y=True)


@pytest.mark.parametrize("kind", ["forest", "boosting", "hist"])
def test_walked_trees_equal_masked_rows_with_the_same_seed(kind: str) -> None:
    X, y = _data()
    if kind == "forest":
        model = RandomForestRegressor(15, max_depth=6, random_state=0).fit(X, y)
        native, f = ax.to_native(model), model.predict
    elif kind == "boosting":
        model = GradientBoostingClassifier(n_estimators=15, random_state=0).fit(X, y > 140)
        native = ax.to_native(model, output="probability")
        f = model.predict_proba
    else:
        model = HistGradientBoostingRegressor(max_iter=15, random_state=0).fit(X, y)
        native, f = ax.to_native(model), model.predict
    background, rows = X[:90], X[100:104]
    walked = ax.PermutationExplainer(native, background, random_state=3)(rows, max_evals=200)
    called = ax.PermutationExplainer(f, background, random_state=3)(rows, max_evals=200)
    assert walked.model_calls == 1 and called.model_calls > 1
    assert walked.values.shape == called.values.shape
    assert np.abs(called.values).max() > 1e-3
    np.testing.assert_allclose(walked.values, called.values, rtol=0, atol=1e-9)
    np.testing.assert_allclose(walked.base_values, called.base_values, rtol=0, atol=1e-12)
    assert np.abs(walked.additivity_residual).max() < 1e-9
