"""aequa vs scipy (and Evidently, if installed): a drift report of 1e6 rows x 50 columns.

Data (seeded): a reference and a current frame of 1e6 rows each, 30 numeric columns (normal,
some shifted or rescaled, some integer-valued) and 20 categorical ones (10 pandas ``category``,
10 pandas' default string dtype), 3 to 12 levels, some with shifted shares.

Cases, each timed once on the same data:

* ``default``: ``aequa.drift.drift_report(reference, current)`` (defaults for 1e6 rows:
  normed Wasserstein on numeric columns, Jensen-Shannon on categorical ones — Evidently's
  rule) vs the same statistics per column with scipy: ``scipy.stats.wasserstein_distance /
  max(np.std(reference), 0.001)`` and ``scipy.spatial.distance.jensenshannon`` of the value
  shares (``value_counts`` over the union of categories), the computation Evidently runs.
* ``ks``: every numeric column forced to Kolmogorov-Smirnov vs ``scipy.stats.ks_2samp``
  (asymptotic p-values at this size).
* ``psi``: every column forced to PSI (10 quantile bins of the reference for numeric
  columns) vs the same binning and formula in numpy.
* ``evidently``: Evidently's ``DataDriftPreset`` report on the same frames, when Evidently
  imports (0.7.x needs a one-line shim under pandas 3; skipped with the reason otherwise);
  its per-column drift scores are checked against aequa's default report.

Both sides are warmed up once on a 2,000-row frame (imports, thread pools), then each case
is timed once, wall-clock and CPU seconds (all threads: aequa runs columns on every core,
scipy and numpy on one), back to back in one process so both see the same machine load.
Before a time is reported, every statistic and p-value is checked equal to 1e-9 (absolute,
or relative above 1). The scipy baseline computes only the statistic of the
already-chosen test (no test selection, no missing-value handling): the ratio is conservative.

Usage::

    python benchmarks/drift_vs_scipy.py            # 1e6 rows x 50 columns
    python benchmarks/drift_vs_scipy.py --rows 100000 --no-evidently

Results go to ``benchmarks/results/drift.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aequa
import numpy as np
import pandas as pd
import scipy
import scipy.stats as st
from aequa import drift
from scipy.spatial.distance import jensenshannon

SEED = 20261128
TOL = 1e-9
N_NUMERIC, N_CATEGORICAL = 30, 20
OUT = Path(__file__).resolve().parent / "results" / "drift.json"


def make_frames(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    ref: dict[str, Any] = {}
    cur: dict[str, Any] = {}
    for j in range(N_NUMERIC):
        shift = 0.15 * (j % 4)
        scale = 1.0 + 0.1 * (j % 3)
        r, c = rng.normal(size=n), rng.normal(shift, scale, size=n)
        if j % 5 == 4:  # integer-valued (ties), e.g. ages or counts
            r, c = np.round(r * 10 + 40), np.round(c * 10 + 40)
        ref[f"num_{j:02d}"], cur[f"num_{j:02d}"] = r, c
    for j in range(N_CATEGORICAL):
        k = 3 + j % 10
        levels = np.array([f"level_{i}" for i in range(k)])
        p = rng.dirichlet(np.ones(k) * 5)
        q = p if j % 3 else rng.dirichlet(np.ones(k) * 5)
        r = levels[rng.choice(k, n, p=p)]
        c = levels[rng.choice(k, n, p=q)]
        dtype = "category" if j % 2 == 0 else "str"
        ref[f"cat_{j:02d}"] = pd.Series(r, dtype=dtype)
        cur[f"cat_{j:02d}"] = pd.Series(c, dtype=dtype)
    return pd.DataFrame(ref), pd.DataFrame(cur)


CPU: dict[str, float] = {}  # CPU seconds (all threads) of the last timed call


def timed(f: Callable[[], Any]) -> tuple[float, Any]:
    t, c = time.perf_counter(), time.process_time()
    out = f()
    CPU["last"] = time.process_time() - c
    return time.perf_counter() - t, out


def close(a: float | None, b: float | None) -> bool:
    a = np.nan if a is None else float(a)
    b = np.nan if b is None else float(b)
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return abs(a - b) <= TOL * max(1.0, abs(b))


def shares(ref: pd.Series, cur: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    rc, cc = ref.value_counts(), cur.value_counts()
    keys = rc.index.union(cc.index)
    return (rc.reindex(keys, fill_value=0).to_numpy() / len(ref),
            cc.reindex(keys, fill_value=0).to_numpy() / len(cur))  # fmt: skip


def scipy_default(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, tuple[float, None]]:
    out: dict[str, tuple[float, None]] = {}
    for col in ref.columns:
        if col.startswith("num"):
            r, c = ref[col].to_numpy(), cur[col].to_numpy()
            out[col] = (st.wasserstein_distance(r, c) / max(float(np.std(r)), 0.001), None)
        else:
            p, q = shares(ref[col], cur[col])
            out[col] = (float(jensenshannon(p, q)), None)
    return out


def scipy_ks(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, tuple[float, float]]:
    out = {}
    for col in ref.columns:
        if col.startswith("num"):
            r = st.ks_2samp(ref[col].to_numpy(), cur[col].to_numpy())
            out[col] = (float(r.statistic), float(r.pvalue))
    return out


def _psi(rc: np.ndarray, cc: np.ndarray) -> float:
    def floor(p: np.ndarray) -> np.ndarray:
        nz = p[p != 0]
        p = p.copy()
        p[p == 0] = nz.min() / 1e6 if nz.min() <= 1e-4 else 1e-4
        return p

    r, c = floor(rc / rc.sum()), floor(cc / cc.sum())
    return float(np.sum((r - c) * np.log(r / c)))


def numpy_psi(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, tuple[float, None]]:
    out: dict[str, tuple[float, None]] = {}
    for col in ref.columns:
        if col.startswith("num"):
            r, c = ref[col].to_numpy(), cur[col].to_numpy()
            if len(np.unique(r)) <= 20:
                values = np.union1d(r, c)
                rc = np.array([(r == v).sum() for v in values], float)
                cc = np.array([(c == v).sum() for v in values], float)
            else:
                inner = np.unique(np.quantile(r, np.linspace(0, 1, 11)))[1:-1]
                rc = np.bincount(np.searchsorted(inner, r, "right"), minlength=len(inner) + 1)
                cc = np.bincount(np.searchsorted(inner, c, "right"), minlength=len(inner) + 1)
            out[col] = (_psi(rc.astype(float), cc.astype(float)), None)
        else:
            p, q = shares(ref[col], cur[col])
            out[col] = (_psi(p, q), None)
    return out


def check(name: str, rep: drift.DriftReport, want: dict[str, tuple[float, float | None]]) -> None:
    for col, (stat, p) in want.items():
        got = rep.column(col)
        assert close(got["statistic"], stat), (name, col, got["statistic"], stat)
        if p is not None:
            assert close(got["p_value"], p), (name, col, got["p_value"], p)
    print(f"  {name}: {len(want)} columns agree to {TOL:g}")


def run_evidently(ref: pd.DataFrame, cur: pd.DataFrame) -> tuple[float | None, Any]:
    """Time Evidently's DataDriftPreset; returns (seconds, per-column drift scores) or
    (None, the reason it could not run)."""
    try:
        import pandas.core.dtypes.common as common

        if not hasattr(common, "infer_dtype_from_object"):
            common.infer_dtype_from_object = lambda dtype: dtype  # type: ignore[attr-defined]
        from evidently.legacy.metric_preset import DataDriftPreset
        from evidently.legacy.pipeline.column_mapping import ColumnMapping
        from evidently.legacy.report import Report
    except Exception as e:  # not installed, or does not import here
        return None, f"skipped: {type(e).__name__}: {e}"
    mapping = ColumnMapping(
        numerical_features=[c for c in ref.columns if c.startswith("num")],
        categorical_features=[c for c in ref.columns if c.startswith("cat")],
    )
    report = Report(metrics=[DataDriftPreset()])
    try:
        seconds, _ = timed(lambda: report.run(reference_data=ref, current_data=cur,
                                              column_mapping=mapping))  # fmt: skip
        table = next(m for m in report.as_dict()["metrics"] if m["metric"] == "DataDriftTable")
    except Exception as e:
        return None, f"failed: {type(e).__name__}: {str(e)[:200]}"
    scores = table["result"]["drift_by_columns"]
    return seconds, {c: (float(v["drift_score"]), None) for c, v in scores.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--no-evidently", action="store_true")
    args = ap.parse_args()
    n = args.rows
    print(f"data: reference and current, {n:,} rows x {N_NUMERIC + N_CATEGORICAL} columns each")
    ref, cur = make_frames(n)
    numeric = [c for c in ref.columns if c.startswith("num")]
    results: dict[str, Any] = {}

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("default", lambda: drift.drift_report(ref, cur), lambda: scipy_default(ref, cur)),
        ("ks", lambda: drift.drift_report(ref, cur, columns=numeric,
                                          tests={c: "ks" for c in numeric}),
         lambda: scipy_ks(ref, cur)),
        ("psi", lambda: drift.drift_report(ref, cur, tests={c: "psi" for c in ref.columns}),
         lambda: numpy_psi(ref, cur)),
    ]  # fmt: skip
    # Warm up both sides once on a small frame (imports, thread pools), then time one run each.
    small_ref, small_cur = make_frames(2000)
    drift.drift_report(small_ref, small_cur)
    scipy_default(small_ref, small_cur)
    default_report = None
    for name, ours, theirs in cases:
        t_ref, want = timed(theirs)
        c_ref = CPU["last"]
        t_aequa, rep = timed(ours)
        c_aequa = CPU["last"]
        if name == "default":
            default_report = rep
        check(name, rep, want)
        ratio = t_ref / t_aequa
        baseline = "numpy" if name == "psi" else "scipy"
        print(
            f"  {name:8s} aequa {t_aequa:7.3f} s (CPU {c_aequa:6.3f} s)   {baseline} "
            f"{t_ref:7.3f} s (CPU {c_ref:6.3f} s)   ratio {ratio:5.1f}x "
            f"(CPU {c_ref / c_aequa:5.1f}x)"
        )
        results[name] = {"aequa_s": t_aequa, f"{baseline}_s": t_ref, "ratio": ratio,
                         "aequa_cpu_s": c_aequa, f"{baseline}_cpu_s": c_ref,
                         "drift_share": rep.drift_share}  # fmt: skip

    if not args.no_evidently:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_ev, status = run_evidently(ref, cur)
            c_ev = CPU["last"]
        if t_ev is not None:
            check("evidently", default_report, status)
            ratio = t_ev / results["default"]["aequa_s"]
            print(
                f"  evidently DataDriftPreset {t_ev:7.3f} s (CPU {c_ev:6.3f} s)   ratio vs aequa "
                f"{ratio:5.1f}x"
            )
            results["evidently"] = {"evidently_s": t_ev, "evidently_cpu_s": c_ev, "ratio": ratio}
        else:
            print(f"  evidently: {status}")
            results["evidently"] = {"status": status}

    doc = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": {
            "aequa": aequa.__version__,
            "scipy": scipy.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },  # fmt: skip
        "rows": n,
        "columns": {"numeric": N_NUMERIC, "categorical": N_CATEGORICAL},
        "results": results,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
