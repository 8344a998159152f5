"""Native (Rust) prediction vs the library's own predict, same model and rows, one run.

Run: ``python benchmarks/native_predict.py`` (``RAYON_NUM_THREADS=1`` for one thread). Prints
the best of three timings for a 100-tree random forest (depth 8 and unlimited) and a 100-tree
XGBoost model on 100k rows x 20 features, and checks the predictions are identical.
"""

from __future__ import annotations

import os
import time

import numpy as np
import xgboost as xgb
from aequa.explain import to_native
from sklearn.ensemble import RandomForestClassifier


def best_of(f, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    n, p = 100_000, 20
    X = rng.normal(size=(n, p))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(size=n) > 0).astype(int)
    threads = os.environ.get("RAYON_NUM_THREADS", "all")
    print(f"{n} rows x {p} features; aequa threads: {threads}")
    for depth in (8, None):
        rf = RandomForestClassifier(n_estimators=100, max_depth=depth, random_state=0, n_jobs=-1)
        rf.fit(X[:20_000], y[:20_000]).set_params(n_jobs=None)
        start = time.perf_counter()
        native = to_native(rf)
        convert = time.perf_counter() - start
        assert np.array_equal(native.predict(X), rf.predict_proba(X))
        ours = best_of(lambda m=native: m.predict(X))
        theirs = best_of(lambda m=rf: m.predict_proba(X))
        nodes = sum(e.tree_.node_count for e in rf.estimators_)
        print(
            f"RandomForest 100 trees, max_depth={depth} ({nodes} nodes): to_native {convert:.2f}s, "
            f"aequa {ours:.3f}s, sklearn predict_proba (n_jobs=None) {theirs:.3f}s, "
            f"ratio {theirs / ours:.2f}x"
        )
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1},
        xgb.DMatrix(X[:20_000], label=y[:20_000]),
        num_boost_round=100,
    )
    native = to_native(booster)

    def margin() -> np.ndarray:
        return booster.predict(xgb.DMatrix(X), output_margin=True)

    assert np.array_equal(native.predict(X)[:, 0], margin())
    ours, theirs = best_of(lambda: native.predict(X)), best_of(margin)
    print(
        f"XGBoost 100 trees, max_depth=6: aequa {ours:.3f}s, xgboost DMatrix+predict "
        f"(all threads) {theirs:.3f}s, ratio {theirs / ours:.2f}x"
    )


if __name__ == "__main__":
    main()
