"""Peak extra memory of one MetricFrame call, measured in a fresh subprocess (``VmHWM`` reset
through ``/proc/self/clear_refs``, else ``ru_maxrss``)."""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _fairness_bench_config import METRICS
from _fairness_bench_data import Data, feature_bytes
from _fairness_bench_libs import run_aequa, run_fairlearn


# ----- memory (subprocess) --------------------------------------------------------------------
def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def memory_child(lib: str, dtype: str, n: int) -> dict[str, Any]:
    """Run one MetricFrame in this (fresh) process; peak extra memory over the inputs."""
    data = Data(n)
    if lib == "aequa":
        import aequa.metric_frame  # noqa: F401  (imported before the baseline; `import aequa`
        # alone loads its names lazily)
    else:
        import fairlearn.metrics  # noqa: F401
        import sklearn.metrics  # noqa: F401
    feature = data.race_feature(dtype)
    input_bytes = data.label_bytes() + feature_bytes(feature)
    del data.race, data.sex  # keep only what the call receives
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak (VmHWM) to the current resident set
        method, base = "VmHWM after clear_refs", _status_kib("VmRSS")
    except OSError:  # no clear_refs: the build-up peak stays in the baseline
        method, base = "ru_maxrss delta", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    by_group = (run_aequa if lib == "aequa" else run_fairlearn)(data, feature)
    seconds = time.perf_counter() - t0
    peak = (
        _status_kib("VmHWM")
        if method.startswith("VmHWM")
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    )
    extra = max(peak - base, 0) * 1024
    return {
        "library": lib,
        "dtype": dtype,
        "rows": n,
        "method": method,
        "seconds": seconds,
        "input_bytes": input_bytes,
        "baseline_rss_bytes": base * 1024,
        "peak_extra_bytes": extra,
        "ratio_to_input": extra / input_bytes,
        "by_group": by_group.sort_index()[METRICS].to_numpy().tolist(),
    }


def measure_in_subprocess(lib: str, dtype: str, n: int) -> dict[str, Any]:
    script = Path(__file__).with_name("fairness_vs_fairlearn.py")  # the entry point
    cmd = [sys.executable, str(script), "--memory-child", lib, dtype, str(n)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
