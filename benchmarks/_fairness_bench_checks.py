"""Agreement checks between the libraries (max difference, recorded pass/fail) and best-of-N
timing."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from _fairness_bench_config import METRICS


# ----- checks and timing ----------------------------------------------------------------------
def max_diff(a: Any, b: Any) -> float:
    """Largest absolute difference; NaN where only one side is NaN counts as infinite."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf")
    both = ~np.isnan(a)
    return float(np.max(np.abs(a[both] - b[both]), initial=0.0))


def frame_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Compare two by_group frames by group label (as text) and metric."""

    def norm(f: pd.DataFrame) -> pd.DataFrame:
        f = f.copy()
        if isinstance(f.index, pd.MultiIndex):
            f.index = pd.MultiIndex.from_tuples([tuple(map(str, t)) for t in f.index])
        else:
            f.index = f.index.map(str)
        return f.sort_index()[METRICS]

    na, nb = norm(a), norm(b)
    if not na.index.equals(nb.index):
        return float("inf")
    return max_diff(na.to_numpy(), nb.to_numpy())


def check(label: str, diff: float, tol: float, checks: list[dict[str, Any]]) -> None:
    ok = diff <= tol
    checks.append({"check": label, "max_abs_diff": diff, "tolerance": tol, "ok": ok})
    print(f"  check {'ok  ' if ok else 'FAIL'} {label}: max |diff| = {diff:.3g} (tol {tol:g})")
    if not ok:
        raise SystemExit(f"libraries disagree: {label}")


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out
