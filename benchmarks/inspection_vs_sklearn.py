"""Permutation importance: aequa with a native model vs scikit-learn with the same model.

Run after building the wheel (``make wheel``):

    .venv/bin/python benchmarks/inspection_vs_sklearn.py [--rows 10000] [--features 10]

Same data, same model, same ``n_repeats=5``, one run. Prints wall times, the ratio
(target: aequa ≥ 10x faster), model calls, and — to show both compute the same thing — the
largest difference of the importances when aequa is handed scikit-learn's own permutations.

Results go to ``benchmarks/results/inspection_vs_sklearn.json`` (wall and CPU seconds: the
machine may be shared).

Models: a linear regression (aequa: a ``NativeModel`` from its coefficients), a logistic
regression scored by ROC AUC, and a 100-tree random forest (aequa: the native twin from
``aequa.explain._models.to_native`` when available, else the same trees exported here to the
core's tree-ensemble JSON; plus the forest through Python, batched).

How aequa evaluates a native model (so ``calls`` is 0 for it: the model is read, not called):
the linear regression's scores are shifted by ``coef_j · (x_perm − x)`` per repeat; the
logistic model's permuted rows are re-scored with the model's own dot product (ROC AUC is
sensitive to ties, which a rounding-level shift could split), then one radix sort per repeat;
the forest's leaves are cached, and a permuted row is walked down a tree only when its
permuted value leaves the box of values that reach its own leaf, starting at the first node on
its path that tests the permuted column. scikit-learn calls ``predict`` 51 times.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from aequa import _core
from aequa.explain import permutation_importance
from sklearn.ensemble import RandomForestRegressor
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression

N_REPEATS = 5
OUT = Path(__file__).resolve().parent / "results" / "inspection_vs_sklearn.json"
CPU: list[float] = []
RESULTS: dict[str, Any] = {}


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs (its CPU time is appended to ``CPU``)."""
    best, out, cpu = float("inf"), None, float("nan")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        t = time.perf_counter() - t0
        if t < best:
            best, cpu = t, time.process_time() - c0
    CPU.append(cpu)
    return best, out


def sklearn_permutations(random_state: int, n: int) -> np.ndarray:
    """scikit-learn's permutations for max_samples=1.0 (one seed, cumulative shuffles)."""
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    rs, idx, P, out = np.random.RandomState(seed), np.arange(n), np.arange(n), []
    for _ in range(N_REPEATS):
        rs.shuffle(idx)
        P = P[idx]
        out.append(P.copy())
    return np.array(out)


def linear_native(est: Any, link: str) -> _core.NativeModel:
    coef = np.atleast_2d(est.coef_)
    spec = {
        "kind": "linear",
        "coef": {"v": 1, "dim": list(coef.shape), "data": coef.ravel().tolist()},
        "intercept": {
            "v": 1,
            "dim": [coef.shape[0]],
            "data": np.atleast_1d(est.intercept_).tolist(),
        },
        "link": link,
    }
    return _core.NativeModel(json.dumps(spec))


def forest_native(forest: RandomForestRegressor) -> tuple[_core.NativeModel, str]:
    try:
        from aequa.explain._models import to_native  # type: ignore[import-not-found]

        return to_native(forest), "to_native"
    except ImportError:
        pass
    trees = []
    for est in forest.estimators_:
        t = est.tree_
        leaf = t.children_left < 0
        trees.append(
            {
                "children_left": t.children_left.tolist(),
                "children_right": t.children_right.tolist(),
                "children_default": t.children_left.tolist(),
                "feature": np.where(leaf, 0, t.feature).tolist(),
                "threshold": t.threshold.tolist(),
                "value": t.value[:, 0, 0].tolist(),
                "cover": t.weighted_n_node_samples.tolist(),
            }
        )
    spec = {
        "kind": "trees",
        "n_features": forest.n_features_in_,
        "n_raw_outputs": 1,
        "trees": trees,
        "tree_output": None,
        "comparison": "less_equal",
        "float32_features": True,
        "tree_weight": 1.0 / len(trees),
        "base_score": [0.0],
        "link": "identity",
        "source": "sklearn.ensemble.RandomForestRegressor (exported by this benchmark)",
    }
    return _core.NativeModel(json.dumps(spec)), "exported here"


def row(label: str, t_sk: float, t_aq: float, calls_sk: int, calls_aq: int, diff: float) -> None:
    cpu_sk, cpu_aq = CPU[-2], CPU[-1]
    print(
        f"{label:<44} sklearn {t_sk * 1e3:9.1f} ms  aequa {t_aq * 1e3:8.1f} ms  "
        f"ratio {t_sk / t_aq:6.1f}x  CPU {cpu_sk * 1e3:8.1f} vs {cpu_aq * 1e3:7.1f} ms "
        f"({cpu_sk / cpu_aq:5.1f}x)  calls {calls_sk:>3} vs {calls_aq:>2}  max|Δ| {diff:.1e}"
    )
    RESULTS[label] = {
        "sklearn_s": t_sk,
        "aequa_s": t_aq,
        "ratio": t_sk / t_aq,
        "sklearn_cpu_s": cpu_sk,
        "aequa_cpu_s": cpu_aq,
        "cpu_ratio": cpu_sk / cpu_aq,
        "sklearn_calls": calls_sk,
        "aequa_calls": calls_aq,
        "max_abs_diff_same_permutations": diff,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--features", type=int, default=10)
    ap.add_argument("--trees", type=int, default=100)
    args = ap.parse_args()
    n, p = args.rows, args.features
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p))
    beta = rng.normal(size=p)
    beta[-1] = 0.0
    y = X @ beta + 0.5 * np.sin(3 * X[:, 0]) + rng.normal(scale=0.3, size=n)
    calls_sk = 1 + p * N_REPEATS
    perms = sklearn_permutations(0, n)
    print(
        f"permutation importance, {n} rows x {p} features, n_repeats={N_REPEATS}, "
        f"{os.cpu_count()} cores"
    )

    # Linear regression, r2.
    lin = LinearRegression().fit(X, y)
    nat = linear_native(lin, "identity")
    kw = {"scoring": "r2", "n_repeats": N_REPEATS, "random_state": 0}
    t_sk, ref = timed(lambda: sk_permutation_importance(lin, X, y, **kw), repeat=3)
    t_aq, res = timed(lambda: permutation_importance(nat, X, y, **kw), repeat=3)
    same = permutation_importance(nat, X, y, scoring="r2", n_repeats=N_REPEATS, permutations=perms)
    diff = float(np.max(np.abs(same.importances - ref.importances)))
    row("LinearRegression, r2 (native)", t_sk, t_aq, calls_sk, res.model_calls, diff)

    # Logistic regression, ROC AUC (aequa reads the decision function, as sklearn's scorer).
    yc = (y > np.median(y)).astype(float)
    log = LogisticRegression(max_iter=1000).fit(X, yc)
    natc = linear_native(log, "identity")
    kw = {"scoring": "roc_auc", "n_repeats": N_REPEATS, "random_state": 0}
    t_sk, ref = timed(lambda: sk_permutation_importance(log, X, yc, **kw), repeat=3)
    t_aq, res = timed(lambda: permutation_importance(natc, X, yc, **kw), repeat=3)
    same = permutation_importance(
        natc, X, yc, scoring="roc_auc", n_repeats=N_REPEATS, permutations=perms
    )
    diff = float(np.max(np.abs(same.importances - ref.importances)))
    row("LogisticRegression, roc_auc (native)", t_sk, t_aq, calls_sk, res.model_calls, diff)

    # Random forest, r2.
    forest = RandomForestRegressor(n_estimators=args.trees, max_depth=8, random_state=0)
    forest.fit(X, y)
    natf, how = forest_native(forest)
    np.testing.assert_allclose(natf.predict(X[:500])[:, 0], forest.predict(X[:500]), atol=1e-9)
    kw = {"scoring": "r2", "n_repeats": N_REPEATS, "random_state": 0}
    t_sk, ref = timed(lambda: sk_permutation_importance(forest, X, y, **kw))
    t_aq, res = timed(lambda: permutation_importance(natf, X, y, **kw))
    same = permutation_importance(natf, X, y, scoring="r2", n_repeats=N_REPEATS, permutations=perms)
    diff = float(np.max(np.abs(same.importances - ref.importances)))
    row(
        f"RandomForest {args.trees} trees (native, {how})",
        t_sk,
        t_aq,
        calls_sk,
        res.model_calls,
        diff,
    )
    CPU.append(CPU[-2])  # the same scikit-learn run is the anchor of the next row
    t_py, res = timed(
        lambda: permutation_importance(forest.predict, X, y, **kw)  # Python in the loop
    )
    row(
        f"RandomForest {args.trees} trees (Python callable)",
        t_sk,
        t_py,
        calls_sk,
        res.model_calls,
        float("nan"),
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} cores: the machine may be shared)")
    doc = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load": load},
        "rows": n,
        "features": p,
        "n_repeats": N_REPEATS,
        "trees": args.trees,
        "results": RESULTS,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(OUT.parents[2])}")


if __name__ == "__main__":
    main()
