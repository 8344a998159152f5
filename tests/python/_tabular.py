"""Mixed tabular data for the attack tests (a bounded float, an integer count, a one-hot
category, an immutable age), its constraints, and the check that an attack kept them."""

from __future__ import annotations

import numpy as np

CONSTRAINTS = {
    "immutable": [5],
    "bounds": {0: (-3.0, 3.0), 1: (0, 5)},
    "integer": [1],
    "one_hot": [[2, 3, 4]],
}


def mixed_tabular(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns: cont in [-3, 3], count in 0..5, one-hot of 3, age; and a linear score."""
    rng = np.random.default_rng(seed)
    cont = np.clip(rng.normal(size=n), -3, 3)
    count = rng.integers(0, 6, size=n).astype(float)
    onehot = np.eye(3)[rng.integers(0, 3, size=n)]
    age = rng.integers(20, 60, size=n).astype(float)
    X = np.column_stack([cont, count, onehot, age])
    return X, cont + 0.4 * count + onehot[:, 1] - 0.02 * age


def assert_attack_respects_constraints(X: np.ndarray, r, norm) -> None:
    """Every row of ``r.x_adv`` keeps CONSTRAINTS; reported sizes are the real ones."""
    xa = r.x_adv
    assert np.array_equal(xa[:, 5], X[:, 5])
    assert np.all((xa[:, 0] >= -3) & (xa[:, 0] <= 3))
    assert np.all((xa[:, 1] >= 0) & (xa[:, 1] <= 5)) and np.all(xa[:, 1] == np.round(xa[:, 1]))
    oh = xa[:, 2:5]
    assert np.all(np.isin(oh, [0.0, 1.0])) and np.all(oh.sum(axis=1) == 1)
    d = xa - X
    size = np.linalg.norm(d, axis=1) if norm == 2 else np.abs(d).max(axis=1)
    assert np.allclose(size[r.success], r.perturbation_norm[r.success])
