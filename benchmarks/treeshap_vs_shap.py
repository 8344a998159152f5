"""TreeSHAP: aequa (Rust, 1 and 2 threads) vs shap 0.51's TreeExplainer (C++), same model.

A 100-tree depth-8 RandomForestRegressor fitted on seeded synthetic data, explained on 10,000
rows x 20 features. The values are checked equal (to 1e-9) before any time is printed. aequa
runs in subprocesses with ``RAYON_NUM_THREADS`` set, so the thread count is really fixed.

Run: ``.venv/bin/python benchmarks/treeshap_vs_shap.py`` (``--rows``/``--trees`` to change).
Results go to ``benchmarks/results/treeshap_vs_shap.json`` (wall and CPU seconds: the machine
may be shared, and CPU time is what a busy machine does not inflate).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
import numpy as np
from aequa._core import NativeModel
from aequa.explain import TreeExplainer
model_path, x_path, out_path = sys.argv[1:4]
native = NativeModel(open(model_path).read())
X = np.load(x_path)
explainer = TreeExplainer(native)
explainer.shap_values(X[:50])  # warm-up: pages in the code and the thread pool
start, cpu = time.perf_counter(), time.process_time()
explanation = explainer(X)
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
np.save(out_path, explanation.values)
print(json.dumps({"seconds": elapsed, "cpu": cpu, "model_calls": explanation.model_calls,
                  "expected_value": float(explainer.expected_value)}))
"""


def to_native_json(model: object) -> str:
    """aequa's converter when this branch has it, else the tests' private one."""
    try:
        from aequa.explain._models import to_native  # type: ignore[import-not-found]

        return str(to_native(model).to_json())
    except ImportError:
        sys.path.insert(0, str(REPO / "tests" / "python"))
        from _sk_trees import to_tree_json

        return json.dumps(to_tree_json(model))


def run_aequa(threads: int, model_path: str, x_path: str, out_dir: str) -> tuple[dict, np.ndarray]:
    out_path = os.path.join(out_dir, f"values_{threads}.npy")
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, model_path, x_path, out_path],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(out_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--depth", type=int, default=8)
    args = parser.parse_args()

    import shap
    import sklearn
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.rows, args.features))
    y = (
        X[:, 0] * X[:, 1]
        + np.sin(X[:, 2])
        + (X[:, 3] > 0) * X[:, 4]
        + 0.5 * X[:, 5:].sum(axis=1)
        + rng.normal(scale=0.3, size=args.rows)
    )
    model = RandomForestRegressor(
        n_estimators=args.trees, max_depth=args.depth, random_state=0, n_jobs=2
    ).fit(X, y)
    n_leaves = sum(e.tree_.n_leaves for e in model.estimators_)
    print(
        f"RandomForestRegressor: {args.trees} trees, max_depth {args.depth}, {n_leaves} leaves; "
        f"X {args.rows} x {args.features} (shap {shap.__version__}, sklearn {sklearn.__version__})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(tmp, "model.json")
        Path(model_path).write_text(to_native_json(model))
        x_path = os.path.join(tmp, "X.npy")
        np.save(x_path, X)

        explainer = shap.TreeExplainer(model)
        explainer.shap_values(X[:50])
        start, cpu = time.perf_counter(), time.process_time()
        shap_values = explainer.shap_values(X)
        shap_seconds, shap_cpu = time.perf_counter() - start, time.process_time() - cpu

        results = {t: run_aequa(t, model_path, x_path, tmp) for t in (1, 2)}

    for threads, (info, values) in results.items():
        diff = float(np.abs(values - shap_values).max())
        ev_diff = abs(info["expected_value"] - float(np.ravel(explainer.expected_value)[0]))
        print(f"aequa {threads} thread(s) vs shap: max |diff| {diff:.2e}, base {ev_diff:.1e}")
        assert diff < 1e-9 and ev_diff < 1e-9, "values differ: timings would be meaningless"

    print(f"\n{'':28}{'wall s':>9}{'rows/s':>9}{'vs shap':>9}{'CPU s':>9}{'vs shap':>9}")
    print(
        f"{'shap TreeExplainer (C++)':28}{shap_seconds:9.2f}{args.rows / shap_seconds:9.0f}"
        f"{1:8.2f}x{shap_cpu:9.2f}{1:8.2f}x"
    )
    for threads, (info, _) in results.items():
        s, c = info["seconds"], info["cpu"]
        label = f"aequa, {threads} thread{'s' if threads > 1 else ''}"
        print(
            f"{label:28}{s:9.2f}{args.rows / s:9.0f}{shap_seconds / s:8.2f}x{c:9.2f}"
            f"{shap_cpu / c:8.2f}x"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} cores: wall times need an idle machine)")
    one, two = results[1][0]["seconds"], results[2][0]["seconds"]
    print(
        f"\naequa scaling 1 -> 2 threads: {one / two:.2f}x; model calls: "
        f"aequa {results[1][0]['model_calls']} (walks the trees), shap 0"
    )
    doc = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load": load},
        "versions": {"shap": shap.__version__, "sklearn": sklearn.__version__},
        "rows": args.rows,
        "features": args.features,
        "trees": args.trees,
        "max_depth": args.depth,
        "leaves": int(n_leaves),
        "shap_s": shap_seconds,
        "shap_cpu_s": shap_cpu,
        "aequa": {
            f"{t}_threads": {
                "seconds": info["seconds"],
                "cpu_s": info["cpu"],
                "ratio": shap_seconds / info["seconds"],
                "cpu_ratio": shap_cpu / info["cpu"],
            }
            for t, (info, _) in results.items()
        },
        "scaling_1_to_2_threads": one / two,
    }
    out = REPO / "benchmarks" / "results" / "treeshap_vs_shap.json"
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
