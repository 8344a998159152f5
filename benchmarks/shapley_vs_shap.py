"""Model-agnostic Shapley values: aequa vs shap 0.51 on the same models and data, one run.

Exact and permutation Shapley values of 100 rows against a 100-row background (diabetes,
10 features), for

1. native models in aequa (a linear model; a random forest as a native tree ensemble) vs shap
   calling the same fitted scikit-learn model's ``predict`` from Python;
2. a Python model in both (the forest's ``predict``): aequa's overhead beyond the model's own
   time (the callable timed by itself) and the model rows each library evaluates.

Prints times (wall and this process's CPU: the machine may be shared, and then wall time is
mostly waiting for a core, for both libraries; compare CPU too), ratios, model calls and rows,
and checks that aequa's native tree path (which walks the trees instead of calling the model)
gives the values aequa computes from the same forest as a Python callable. Run:
``.venv/bin/python benchmarks/shapley_vs_shap.py`` (``--quick`` uses 20 rows; ``--trees`` sets
the forest size, default 100). Results go to ``benchmarks/results/shapley_vs_shap.json``
(``--quick``: ``shapley_vs_shap_quick.json``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import shap
from aequa import _core
from aequa.explain import ExactExplainer, PermutationExplainer
from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


class Timed:
    """A callable that records its own time, calls and rows."""

    def __init__(self, f: Callable[[np.ndarray], np.ndarray]) -> None:
        self.f, self.seconds, self.calls, self.rows = f, 0.0, 0, 0

    def __call__(self, X: Any) -> np.ndarray:
        t = time.perf_counter()
        out = self.f(X)
        self.seconds += time.perf_counter() - t
        self.calls += 1
        self.rows += len(X)
        return out


def native_forest(model: RandomForestRegressor) -> Any:
    try:
        from aequa.explain._models import to_native

        return to_native(model), "aequa.explain._models.to_native"
    except ImportError:
        sys.path.insert(0, str(REPO / "tests" / "golden"))
        from generate_shapley import native_model

        return _core.NativeModel(json.dumps(native_model(model, "predict"))), "fixture converter"


CPU: dict[str, float] = {}


def run_shap(kind: str, f: Timed, bg: np.ndarray, X: np.ndarray, seed: int) -> tuple[float, Any]:
    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    t, c = time.perf_counter(), time.process_time()
    if kind == "exact":
        e = shap.ExactExplainer(f, masker)(X, silent=True)
    else:
        e = shap.PermutationExplainer(f, masker, seed=seed)(X, max_evals=500, silent=True)
    CPU["shap"] = time.process_time() - c
    return time.perf_counter() - t, e


def run_aequa(kind: str, model: Any, bg: np.ndarray, X: np.ndarray, seed: int) -> tuple[float, Any]:
    t, c = time.perf_counter(), time.process_time()
    if kind == "exact":
        e = ExactExplainer(model, bg)(X)
    else:
        e = PermutationExplainer(model, bg, random_state=seed)(X, max_evals=500)
    CPU["aequa"] = time.process_time() - c
    return time.perf_counter() - t, e


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--trees", type=int, default=100)
    args = parser.parse_args()
    n = 20 if args.quick else 100

    d = load_diabetes()
    x, y = d.data, d.target
    bg, X = x[:100], x[200 : 200 + n]
    linear = LinearRegression().fit(x, y)
    forest = RandomForestRegressor(n_estimators=args.trees, max_depth=8, random_state=0).fit(x, y)
    forest_native, source = native_forest(forest)
    sys.path.insert(0, str(REPO / "tests" / "golden"))
    from generate_shapley import native_model

    linear_native = _core.NativeModel(json.dumps(native_model(linear, "predict")))
    np.testing.assert_allclose(forest_native.predict(X)[:, 0], forest.predict(X), rtol=1e-12)

    # Warm up shap's numba kernels so compilation is not timed.
    for kind in ("exact", "permutation"):
        run_shap(kind, Timed(linear.predict), bg[:10], X[:1], seed=0)

    print(f"diabetes: {n} rows x {x.shape[1]} features, background {len(bg)} rows")
    print(f"forest: {args.trees} trees, depth 8; native via {source}; shap {shap.__version__}")
    print()
    header = (
        f"{'method':12s} {'model':24s} {'shap s':>9s} {'aequa s':>9s} {'ratio':>7s} "
        f"{'shap calls':>10s} {'aequa calls':>11s} {'shap rows':>11s} {'aequa rows':>11s} "
        f"{'max |diff|':>10s} {'CPU shap':>9s} {'CPU aequa':>9s}"
    )
    results: dict[str, Any] = {}
    print(header)
    print("-" * len(header))
    for kind in ("exact", "permutation"):
        native_values = None
        for label, sk, native in (
            ("linear native", linear, linear_native),
            ("forest native", forest, forest_native),
        ):
            f = Timed(sk.predict)
            ts, es = run_shap(kind, f, bg, X, seed=0)
            ta, ea = run_aequa(kind, native, bg, X, seed=0)
            diff = np.abs(es.values - ea.values).max()
            native_values = ea.values
            print(
                f"{kind:12s} {label:24s} {ts:9.2f} {ta:9.3f} {ts / ta:6.0f}x "
                f"{f.calls:10d} {ea.model_calls:11d} {f.rows:11d} {ea.rows_evaluated:11d} "
                f"{diff:10.1e} {CPU['shap']:9.2f} {CPU['aequa']:9.3f}"
            )
            results[f"{kind} {label}"] = {
                "shap_s": ts,
                "aequa_s": ta,
                "ratio": ts / ta,
                "shap_cpu_s": CPU["shap"],
                "aequa_cpu_s": CPU["aequa"],
                "cpu_ratio": CPU["shap"] / CPU["aequa"],
                "shap_calls": f.calls,
                "aequa_calls": ea.model_calls,
                "shap_rows": f.rows,
                "aequa_rows": ea.rows_evaluated,
                "max_abs_diff_vs_shap": float(diff),
            }
        # The same forest as a Python callable in both libraries.
        fs, fa = Timed(forest.predict), Timed(forest.predict)
        ts, es = run_shap(kind, fs, bg, X, seed=0)
        ta, ea = run_aequa(kind, fa, bg, X, seed=0)
        overhead = ta - fa.seconds
        diff = np.abs(es.values - ea.values).max()
        same = float(np.abs(ea.values - native_values).max())
        print(
            f"{kind:12s} {'forest Python callable':24s} {ts:9.2f} {ta:9.3f} {ts / ta:6.1f}x "
            f"{fs.calls:10d} {fa.calls:11d} {fs.rows:11d} {fa.rows:11d} {diff:10.1e} "
            f"{CPU['shap']:9.2f} {CPU['aequa']:9.3f}"
        )
        print(
            f"{'':12s} aequa: native forest vs the same forest as a callable, max |diff| {same:.1e}"
        )
        assert same < 1e-9, "the native path must compute the callable's values"
        results[f"{kind} forest Python callable"] = {
            "shap_s": ts,
            "aequa_s": ta,
            "ratio": ts / ta,
            "shap_model_s": fs.seconds,
            "aequa_model_s": fa.seconds,
            "aequa_overhead_share": overhead / fa.seconds,
            "shap_rows": fs.rows,
            "aequa_rows": fa.rows,
            "max_abs_diff_native_vs_callable": same,
        }
        print(
            f"{'':12s} aequa: model {fa.seconds:.3f} s, overhead {overhead:.3f} s "
            f"({100 * overhead / fa.seconds:.1f}% of model time); shap: model "
            f"{fs.seconds:.3f} s, overhead {ts - fs.seconds:.3f} s "
            f"({100 * (ts - fs.seconds) / fs.seconds:.0f}%); rows aequa/shap "
            f"{fa.rows / fs.rows:.3f}"
        )
    print()
    print("permutation: different random permutations in each library, so values differ by")
    print("sampling error (the linear model is exact for any permutation).")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} cores: the machine may be shared)")
    doc = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load": load},
        "versions": {"shap": shap.__version__, "numpy": np.__version__},
        "rows": n,
        "background_rows": len(bg),
        "features": x.shape[1],
        "trees": args.trees,
        "results": results,
    }
    out = RESULTS / ("shapley_vs_shap_quick.json" if args.quick else "shapley_vs_shap.json")
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
