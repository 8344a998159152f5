"""A drift report is the same JSON on one thread as on several (columns run in parallel, each
column's statistics on one thread, scratch buffers never change a result)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import numpy as np, pandas as pd
from aequa import drift
rng = np.random.default_rng(7)
n = 20_000
cols = {f"x{j}": rng.normal(0.1 * j, 1, n) for j in range(6)}
cols["r"] = np.round(rng.normal(size=n) * 5)
cols["t"] = pd.Series(rng.choice(["a", "b", "c"], n), dtype="str")
ref = pd.DataFrame(cols)
cur = ref.sample(frac=1, random_state=1).reset_index(drop=True) * 1
cur = cur.assign(x1=cur["x1"] + 0.3, t=pd.Series(rng.choice(["a", "b", "d"], n), dtype="str"))
tests = {"x2": "ks", "x3": "psi", "x4": "anderson", "r": "chisquare"}
print(drift.drift_report(ref, cur, tests=tests).to_json())
"""


def run(threads: int) -> str:
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, check=True)  # fmt: skip
    return out.stdout


def test_report_is_the_same_on_one_and_on_three_threads() -> None:
    one = run(1)
    assert '"test":"anderson"' in one.replace(" ", "")
    assert one == run(3)
