"""Accumulated local effects goldens from a direct implementation of the ALE definition."""

from __future__ import annotations

import numpy as np
from _inspection_data import diabetes, linear_spec, recipe
from _inspection_json import floats, write
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LinearRegression


def ale_reference(f, X, j, bins: int):
    """The definition of core/src/explain/ale.rs, transcribed with numpy."""
    x = X[:, j]
    edges = np.unique(np.quantile(x, np.arange(bins + 1) / bins))
    k = np.clip(np.searchsorted(edges, x, side="left"), 1, None)
    hi, lo = X.copy(), X.copy()
    hi[:, j], lo[:, j] = edges[k], edges[k - 1]
    diff = f(hi) - f(lo)
    counts = np.bincount(k - 1, minlength=len(edges) - 1)
    local = np.bincount(k - 1, weights=diff, minlength=len(edges) - 1) / np.maximum(counts, 1)
    g = np.concatenate([[0.0], np.cumsum(local)])
    c = np.sum(counts * (g[:-1] + g[1:]) / 2) / counts.sum()
    return edges, counts, local, g - c, c


def ale_all():
    X, y = diabetes()
    lin = LinearRegression().fit(X, y)
    cases = []
    for j, bins in [(2, 10), (1, 5), (8, 25)]:
        edges, counts, local, ale, c = ale_reference(lin.predict, X, j, bins)
        # A linear model's ALE is its centred line.
        line = lin.coef_[j] * edges
        line_c = np.sum(counts * (line[:-1] + line[1:]) / 2) / counts.sum()
        assert np.allclose(ale, line - line_c, atol=1e-9), j
        cases.append(
            {
                "feature": j,
                "bins": bins,
                "expected": {
                    "edges": floats(edges),
                    "counts": [int(v) for v in counts],
                    "local_effects": floats(local),
                    "ale": floats(ale),
                    "centring": float(c),
                    "line": floats(line - line_c),
                },
            }
        )
    write(
        "ale_diabetes_linear",
        {
            "kind": "ale",
            "dataset": "diabetes",
            "model": linear_spec(lin, "identity"),
            "X": floats(X),
            "cases": cases,
        },
    )
    gb = GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    cases = []
    for j, bins in [(2, 10), (3, 20)]:
        edges, counts, local, ale, c = ale_reference(gb.predict, X, j, bins)
        cases.append(
            {
                "feature": j,
                "bins": bins,
                "expected": {
                    "edges": floats(edges),
                    "counts": [int(v) for v in counts],
                    "local_effects": floats(local),
                    "ale": floats(ale),
                    "centring": float(c),
                },
            }
        )
    write(
        "ale_diabetes_gb",
        {
            "kind": "ale",
            "dataset": "diabetes",
            "model": recipe(gb, X, y),
            "X": floats(X),
            "cases": cases,
        },
    )
