"""HopSkipJump: aequa vs IBM ART 1.20.1 on the same black-box scikit-learn models and rows.

Run after building the wheel, with ``adversarial-robustness-toolbox==1.20.1`` installed:

    .venv/bin/python benchmarks/robust_vs_art.py [--rows 60] [--iters 30]
        [--models logistic_regression,random_forest] [--blas-threads N]

Data: scikit-learn's bundled breast-cancer set, standardised; models: a logistic regression and
a 50-tree random forest. Rows: the first ``--rows`` test rows the model classifies correctly.
ART runs first; its mean queries per row becomes aequa's ``max_queries`` (so aequa never uses
more). Both sides are warmed up once at full size on the logistic regression (imports, thread
pools, the heap grown to the largest batches), then each case runs once, started on a collected
heap. Prints, per model and norm: success rate, median perturbation, total queries, wall and
process CPU time of both, and the ratios. Every aequa adversarial example is re-checked
(prediction changed).

Two aequa figures per case:

* ``aequa`` (the like-for-like comparison, behind ``ratios``): the model is a black box, the
  same counted Python callable ART's ``BlackBoxClassifier`` calls (``predict_proba`` through
  Python, under the GIL), so both pay scikit-learn's per-call cost and its BLAS threads.
* ``aequa_native``: the estimator itself is passed; aequa converts it to its native twin and
  runs the attack with no Python in the loop (``ratios_native``). Not like-for-like: ART has no
  such path.

``--blas-threads N`` runs both sides under ``threadpoolctl.threadpool_limits(N)``; by default
the thread pools are left as they are. On a small, busy machine scikit-learn's BLAS threads
(``predict_proba`` of a logistic regression is a matrix-vector product, threaded by OpenBLAS
above a few hundred rows, then spin-waiting) cost both sides CPU time; aequa sends all rows'
probes in one call, so it meets the threaded path more often than ART, which attacks row by row.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time

import numpy as np
from aequa import robust
from art.attacks.evasion import HopSkipJump
from art.estimators.classification import BlackBoxClassifier
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits


class Counted:
    """``predict_proba`` of a model, counting rows evaluated."""

    def __init__(self, model) -> None:
        self.model, self.rows = model, 0

    def __call__(self, a: np.ndarray) -> np.ndarray:
        self.rows += len(a)
        return self.model.predict_proba(np.asarray(a, dtype=np.float64))


def norm_of(d: np.ndarray, norm) -> np.ndarray:
    return np.linalg.norm(d, axis=1) if norm == 2 else np.abs(d).max(axis=1)


def timed(fn):
    """``fn()`` with its wall and process CPU seconds, started on a collected heap (so no side
    pays for the garbage the previous one left)."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def summary(ok, d, queries, seconds, cpu) -> dict:
    return {
        "success_rate": float(ok.mean()),
        "median_perturbation": float(np.median(d[ok])) if ok.any() else None,
        "queries": int(queries),
        "seconds": seconds,
        "cpu_seconds": cpu,
    }


def ratios(a: dict, b: dict) -> dict:
    """aequa ``a`` over ART ``b`` (perturbation, queries) and ART's time over aequa's."""
    return {
        "median_perturbation": (a["median_perturbation"] or np.nan)
        / (b["median_perturbation"] or np.nan),
        "queries": a["queries"] / b["queries"],
        "speedup": b["seconds"] / a["seconds"],
        "cpu_speedup": b["cpu_seconds"] / a["cpu_seconds"],
    }


def run(name, model, X, y, norm, iters, seed) -> dict:
    lo, hi = float(X.min()), float(X.max())
    art_fn = Counted(model)
    clf = BlackBoxClassifier(art_fn, input_shape=(X.shape[1],), nb_classes=2, clip_values=(lo, hi))
    art_fn.rows = 0
    attack = HopSkipJump(
        clf,
        norm=2 if norm == 2 else np.inf,
        max_iter=iters,
        max_eval=10_000,
        init_eval=100,
        init_size=100,
        verbose=False,
    )
    np.random.seed(seed)  # noqa: NPY002 - ART draws from numpy's global generator
    x_art, t_art, c_art = timed(lambda: attack.generate(X.astype(np.float32)).astype(np.float64))
    q_art = art_fn.rows
    pred = model.predict(X)
    ok_art = model.predict(x_art) != pred
    d_art = norm_of(x_art - X, norm)

    ours_fn = Counted(model)
    kw = {"norm": norm, "max_iter": iters, "max_queries": q_art // len(X), "random_state": seed}
    r, t_ours, c_ours = timed(lambda: robust.hop_skip_jump(ours_fn, X, **kw))
    # Rows the model really evaluated (aequa's count plus the one-row probe of the output width).
    assert ours_fn.rows - r.queries in (0, 1), (ours_fn.rows, r.queries)
    ok = model.predict(r.x_adv) != pred
    assert np.array_equal(ok, r.success), "reported success must match the model"
    d = norm_of(r.x_adv - X, norm)
    # The estimator itself: aequa evaluates its native twin, no Python in the loop.
    rn, t_nat, c_nat = timed(lambda: robust.hop_skip_jump(model, X, **kw))
    ok_n = model.predict(rn.x_adv) != pred
    assert np.array_equal(ok_n, rn.success), "reported success must match the model"
    d_n = norm_of(rn.x_adv - X, norm)
    out = {
        "model": name,
        "norm": "l2" if norm == 2 else "linf",
        "rows": len(X),
        "art": summary(ok_art, d_art, q_art, t_art, c_art),
        "aequa": summary(ok, d, ours_fn.rows, t_ours, c_ours),
        "aequa_native": summary(ok_n, d_n, rn.queries, t_nat, c_nat),
    }
    both = ok & ok_art
    out["median_perturbation_rows_both_broke"] = {
        "rows": int(both.sum()),
        "art": float(np.median(d_art[both])) if both.any() else None,
        "aequa": float(np.median(d[both])) if both.any() else None,
    }
    out["ratios"] = ratios(out["aequa"], out["art"])
    out["ratios_native"] = ratios(out["aequa_native"], out["art"])
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=60)
    p.add_argument("--iters", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--models",
        default="logistic_regression,random_forest",
        help="comma-separated subset of logistic_regression,random_forest",
    )
    p.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="run both sides under threadpoolctl.threadpool_limits(N) (default: untouched)",
    )
    args = p.parse_args()
    if args.blas_threads is not None:
        with threadpool_limits(args.blas_threads):
            bench(args)
    else:
        bench(args)


def bench(args) -> None:
    data = load_breast_cancer()
    X_tr, X_te, y_tr, y_te = train_test_split(
        data.data, data.target, test_size=0.4, random_state=0, stratify=data.target
    )
    sc = StandardScaler().fit(X_tr)
    X_tr, X_te = sc.transform(X_tr), sc.transform(X_te)
    models = {
        "logistic_regression": LogisticRegression(max_iter=1000).fit(X_tr, y_tr),
        "random_forest": RandomForestClassifier(50, max_depth=6, random_state=0).fit(X_tr, y_tr),
    }
    # Warm up both sides once, full size (imports, thread pools, and the process's heap grown
    # to the largest batches, which the first large run otherwise pays for), on the
    # logistic regression (seconds for ART) with a different seed.
    lr = models["logistic_regression"]
    correct = lr.predict(X_te) == y_te
    warm, y_warm = X_te[correct][: args.rows], y_te[correct][: args.rows]
    for norm in (2, "inf"):
        run("warm-up", lr, warm, y_warm, norm, args.iters, args.seed + 1)
    results = []
    for name, m in models.items():
        if name not in args.models.split(","):
            continue
        correct = m.predict(X_te) == y_te
        X = X_te[correct][: args.rows]
        for norm in (2, "inf"):
            res = run(name, m, X, y_te[correct][: args.rows], norm, args.iters, args.seed)
            res["blas_threads"] = args.blas_threads
            res["load_average_1min"] = os.getloadavg()[0]
            results.append(res)
            print(json.dumps(res))
    os.makedirs(os.path.join(os.path.dirname(__file__), "results"), exist_ok=True)
    path = os.path.join(os.path.dirname(__file__), "results", "robust_vs_art.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
