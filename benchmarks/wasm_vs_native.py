"""Native side of benchmarks/wasm_vs_native.mjs: writes the benchmark's inputs (float64 files
and a native forest's JSON) into a directory, times the same computations through the Python
wheel (the Rust core, natively) and prints the timings as JSON.

Usage: ``python benchmarks/wasm_vs_native.py DIR`` (the .mjs script runs it).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

import aequa
import numpy as np
import pandas as pd
from aequa import drift
from aequa.explain import TreeExplainer, to_native
from sklearn.ensemble import RandomForestRegressor

REPEATS = 3


def best(fn: Callable[[], Any]) -> float:
    """The best of a few runs, in seconds."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261128)

    # metricFrame on 1e6 rows, one sensitive feature with four groups.
    n = 1_000_000
    y_true = (rng.random(n) < 0.4).astype(np.float64)
    y_pred = (rng.random(n) < 0.45).astype(np.float64)
    group = rng.integers(0, 4, n).astype(np.float64)
    for name, arr in [("y_true", y_true), ("y_pred", y_pred), ("group", group)]:
        arr.tofile(out / f"{name}.f64")
    metrics = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"]

    def frame() -> Any:
        return aequa.MetricFrame(
            metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=group
        ).by_group

    # TreeSHAP: a 100-tree forest, 1000 rows.
    xt = rng.normal(size=(3000, 10))
    yt = xt[:, 0] * 2 + np.sin(xt[:, 1] * 3) + xt[:, 2] * xt[:, 3] + rng.normal(0, 0.1, 3000)
    forest = RandomForestRegressor(n_estimators=100, max_depth=8, random_state=0).fit(xt, yt)
    native = to_native(forest)
    (out / "forest.json").write_text(native.to_json())
    x = np.ascontiguousarray(xt[:1000])
    x.tofile(out / "x.f64")
    explainer = TreeExplainer(native)

    # A drift report: four numeric columns of 100k reference and 100k current rows.
    cols = [f"c{i}" for i in range(4)]
    ref = pd.DataFrame({c: rng.normal(0, 1, 100_000) for c in cols})
    cur = pd.DataFrame({c: rng.normal(0.05 * i, 1, 100_000) for i, c in enumerate(cols)})
    np.ascontiguousarray(ref.to_numpy().T).tofile(out / "ref.f64")
    np.ascontiguousarray(cur.to_numpy().T).tofile(out / "cur.f64")

    # The same MetricFrame on the first 1e5 rows with 100 seeded bootstrap replicates.
    nb = 100_000

    def bootstrap() -> Any:
        # The engine's canonical metric names, as the JS report spells them.
        return aequa.MetricFrame(
            metrics=[m if m != "accuracy" else "accuracy_score" for m in metrics],
            y_true=y_true[:nb],
            y_pred=y_pred[:nb],
            sensitive_features=pd.Series(group[:nb], name="group"),
            n_boot=100,
            ci_quantiles=[0.025, 0.975],
            random_state=7,
        )

    timings = {
        "metric_frame": best(frame),
        "bootstrap": best(bootstrap),
        "tree_shap": best(lambda: explainer(x)),
        "drift_report": best(lambda: drift.drift_report(ref, cur)),
    }
    report = explainer(x).report
    checks = {
        "bootstrap_report": bootstrap().to_json(),
        "tree_shap_values_head": report["values"][:5],
        "drift_statistics": [
            c["statistic"] for c in drift.drift_report(ref, cur).report["overall"]["columns"]
        ],
    }
    print(json.dumps({"timings": timings, "checks": checks, "metrics": metrics}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
