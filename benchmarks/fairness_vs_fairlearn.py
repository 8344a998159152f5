"""aequa vs Fairlearn: MetricFrame speed and memory on the same data, in one run.

Cases (4 binary metrics: selection rate, TPR, FPR, accuracy):

* ``1 feature``  - a 5-level sensitive feature at 1e5, 1e6 and 1e7 rows. The realistic input is
  a pandas Series of strings (pandas' default string dtype); aequa is also timed on the same
  feature as a ``category`` Series and as numpy int64 codes.
* ``2 features`` - 5 x 3 levels (two string columns in a DataFrame) at 1e6 rows.
* ``bootstrap``  - 100 replicates, ``ci_quantiles=[0.025, 0.5, 0.975]``, at 1e5 rows: aequa's
  own resampling (``rows``) and ``resampling="fairlearn"`` (numpy draws Fairlearn's rows), vs
  Fairlearn's ``n_boot=100``.

Before a number is reported the libraries are checked to agree: ``by_group`` to 1e-12 against
Fairlearn (and against an independent numpy count, so the sizes where Fairlearn is skipped are
checked too), bootstrap quantiles to 1e-12 for ``resampling="fairlearn"``. Slow Fairlearn runs
are timed once and their timed output is what gets checked.

Peak memory of aequa at the largest size is measured in a fresh subprocess: the peak resident
set (``VmHWM``, reset through ``/proc/self/clear_refs`` once the inputs exist) minus the resident
set before the call, divided by the bytes of the input columns.

Usage::

    python benchmarks/fairness_vs_fairlearn.py            # Fairlearn up to 1e6 rows + bootstrap
    python benchmarks/fairness_vs_fairlearn.py --full     # also Fairlearn at 1e7 (~140 s, ~4 GB)
    python benchmarks/fairness_vs_fairlearn.py --fairlearn-max-rows 100000 --fairlearn-n-boot 10

Results go to ``benchmarks/results/fairness.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 20261128
BOOT_SEED = 12345
QUANTILES = [0.025, 0.5, 0.975]
TOL = 1e-12
METRICS = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score"]
# Sorted, so level codes equal positions in pandas' (and so both libraries') group order.
RACE = np.array(["Asian", "Black", "Hispanic", "Other", "White"], dtype=object)
RACE_P = [0.10, 0.15, 0.20, 0.05, 0.50]
SEX = np.array(["Female", "Male", "Unknown"], dtype=object)
SEX_P = [0.49, 0.49, 0.02]
DTYPES = ("str", "category", "int64")
RESULTS = Path(__file__).resolve().parent / "results" / "fairness.json"


# ----- data -----------------------------------------------------------------------------------
class Data:
    """Seeded synthetic rows: group-dependent base rates and prediction accuracy."""

    def __init__(self, n: int, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.race = rng.choice(len(RACE), size=n, p=RACE_P)
        self.sex = rng.choice(len(SEX), size=n, p=SEX_P)
        base = np.array([0.45, 0.30, 0.35, 0.40, 0.50])[self.race]
        right = np.array([0.85, 0.78, 0.80, 0.75, 0.88])[self.race]
        self.y_true = (rng.random(n) < base).astype(np.int64)
        flip = rng.random(n) >= right
        self.y_pred = np.where(flip, 1 - self.y_true, self.y_true).astype(np.int64)

    def race_feature(self, dtype: str) -> Any:
        """The 5-level feature as users hold it."""
        if dtype == "int64":
            return self.race.astype(np.int64)
        # What pandas makes of a column of strings (pyarrow-backed `str` on pandas 3).
        series = pd.Series(RACE[self.race], name="race")
        return series.astype("category") if dtype == "category" else series

    def two_features(self) -> pd.DataFrame:
        return pd.DataFrame({"race": RACE[self.race], "sex": SEX[self.sex]})

    def label_bytes(self) -> int:
        return int(self.y_true.nbytes + self.y_pred.nbytes)


def feature_bytes(feature: Any) -> int:
    """Bytes held by a feature column (string payload included)."""
    if isinstance(feature, (pd.Series, pd.DataFrame)):
        return int(np.sum(feature.memory_usage(deep=True, index=False)))
    return int(feature.nbytes)


def reference_by_group(data: Data, two: bool) -> np.ndarray:
    """The four metrics per group from plain numpy counts, in sorted group order."""
    cell = data.race * len(SEX) + data.sex if two else data.race
    n_cells = len(RACE) * (len(SEX) if two else 1)
    c = np.bincount(cell * 4 + data.y_true * 2 + data.y_pred, minlength=n_cells * 4)
    c = c.reshape(n_cells, 2, 2).astype(np.float64)  # [cell, truth, pred]
    total = c.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.column_stack(
            [
                c[:, :, 1].sum(axis=1) / total,
                c[:, 1, 1] / c[:, 1, :].sum(axis=1),
                c[:, 0, 1] / c[:, 0, :].sum(axis=1),
                (c[:, 0, 0] + c[:, 1, 1]) / total,
            ]
        )


# ----- the two libraries ----------------------------------------------------------------------
def aequa_metrics() -> dict[str, Any]:
    import aequa

    return {m: getattr(aequa, m) for m in METRICS}


def fairlearn_metrics() -> dict[str, Any]:
    import fairlearn.metrics as flm
    import sklearn.metrics as skm

    fns = [flm.selection_rate, flm.true_positive_rate, flm.false_positive_rate, skm.accuracy_score]
    return dict(zip(METRICS, fns))


def run_aequa(data: Data, features: Any, n_boot: int = 0, resampling: str = "rows") -> Any:
    """Build aequa's MetricFrame and read what a user reads; returns by_group (or its CIs)."""
    import aequa

    boot: dict[str, Any] = {}
    if n_boot:
        boot = dict(
            n_boot=n_boot, ci_quantiles=QUANTILES, random_state=BOOT_SEED, resampling=resampling
        )
    mf = aequa.MetricFrame(
        metrics=aequa_metrics(),
        y_true=data.y_true,
        y_pred=data.y_pred,
        sensitive_features=features,
        **boot,
    )
    return mf.by_group_ci if n_boot else mf.by_group


def run_fairlearn(data: Data, features: Any, n_boot: int = 0) -> Any:
    from fairlearn.metrics import MetricFrame

    boot: dict[str, Any] = {}
    if n_boot:
        boot = dict(n_boot=n_boot, ci_quantiles=QUANTILES, random_state=BOOT_SEED)
    mf = MetricFrame(
        metrics=fairlearn_metrics(),
        y_true=data.y_true,
        y_pred=data.y_pred,
        sensitive_features=features,
        **boot,
    )
    return mf.by_group_ci if n_boot else mf.by_group


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
        import aequa  # noqa: F401  (imported before the baseline)
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
    cmd = [sys.executable, __file__, "--memory-child", lib, dtype, str(n)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----- the run --------------------------------------------------------------------------------
def machine_info() -> dict[str, Any]:
    import aequa
    import fairlearn
    import sklearn

    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    pyarrow_version = None
    try:
        import pyarrow

        pyarrow_version = pyarrow.__version__
    except ImportError:
        pass
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": cpu,
        "memory_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            "aequa": aequa.__version__,
            "fairlearn": fairlearn.__version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "pyarrow": pyarrow_version,
        },
        "string_dtype": str(pd.Series(["a"]).dtype),
    }


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[dict[str, Any]] = []
        self.checks: list[dict[str, Any]] = []
        self.memory: list[dict[str, Any]] = []
        self.fairlearn_str: dict[int, float] = {}

    def fairlearn_ok(self, n: int) -> bool:
        return self.args.full or n <= self.args.fairlearn_max_rows

    def record(self, case: str, dtype: str, n: int, a: float, f: float | None, note: str) -> None:
        row = {
            "case": case,
            "dtype": dtype,
            "rows": n,
            "aequa_s": a,
            "fairlearn_s": f,
            "speedup": (f / a) if f else None,
            "note": note,
        }
        self.rows.append(row)
        fl = f"{f:9.3f}" if f else "        -"
        ratio = f"{f / a:8.0f}x" if f else "        -"
        print(f"  {case:<22} {dtype:<9} {n:>10,} {a:9.4f} {fl} {ratio}  {note}")

    def one_feature(self, n: int, data: Data) -> None:
        print(f"\n1 feature (5 levels), {n:,} rows")
        ref = reference_by_group(data, two=False)
        for dtype in DTYPES:
            feature = data.race_feature(dtype)
            ours = run_aequa(data, feature)
            check(f"aequa {dtype} {n} vs numpy", max_diff(ours, ref), TOL, self.checks)
            a, _ = best_of(lambda f=feature: run_aequa(data, f), self.args.repeats)
            f, note = None, ""
            if dtype == "str" and self.fairlearn_ok(n):
                f, note = self.time_fairlearn(n, data, feature, ours)
                self.fairlearn_str[n] = f
            elif n in self.fairlearn_str:
                f, note = self.fairlearn_str[n], "fairlearn timed on the str Series"
            self.record("1 feature", dtype, n, a, f, note)

    def time_fairlearn(
        self, n: int, data: Data, feature: Any, ours: pd.DataFrame
    ) -> tuple[float, str]:
        """Fairlearn's time; checked against aequa before (fast runs) or on the timed output."""
        if n >= 10**7:  # once, in a fresh process that also measures its memory
            res = measure_in_subprocess("fairlearn", "str", n)
            self.memory.append({k: v for k, v in res.items() if k != "by_group"})
            diff = max_diff(res["by_group"], ours.sort_index()[METRICS].to_numpy())
            check(f"fairlearn {n} vs aequa", diff, TOL, self.checks)
            return res["seconds"], "fairlearn timed once, in a subprocess"
        if n >= 10**6:
            t, out = best_of(lambda: run_fairlearn(data, feature), 1)
            check(f"fairlearn {n} vs aequa", frame_diff(out, ours), TOL, self.checks)
            return t, "fairlearn timed once"
        diff = frame_diff(run_fairlearn(data, feature), ours)
        check(f"fairlearn {n} vs aequa", diff, TOL, self.checks)
        t, _ = best_of(lambda: run_fairlearn(data, feature), self.args.repeats)
        return t, ""

    def two_features(self, n: int, data: Data) -> None:
        print(f"\n2 features (5 x 3 levels), {n:,} rows")
        features = data.two_features()
        ours = run_aequa(data, features)
        diff = max_diff(ours, reference_by_group(data, two=True))
        check(f"aequa 2 features {n} vs numpy", diff, TOL, self.checks)
        a, _ = best_of(lambda: run_aequa(data, features), self.args.repeats)
        f, note = None, ""
        if self.fairlearn_ok(n):
            slow = n >= 10**6
            if not slow:
                diff = frame_diff(run_fairlearn(data, features), ours)
                check(f"fairlearn 2 features {n} vs aequa", diff, TOL, self.checks)
            f, out = best_of(lambda: run_fairlearn(data, features), 1 if slow else 3)
            if slow:
                diff = frame_diff(out, ours)
                check(f"fairlearn 2 features {n} vs aequa", diff, TOL, self.checks)
                note = "fairlearn timed once"
        self.record("2 features", "str", n, a, f, note)

    def bootstrap(self, n: int) -> None:
        k = self.args.fairlearn_n_boot
        print(f"\nbootstrap, 100 replicates, {n:,} rows")
        data = Data(n)
        feature = data.race_feature("str")
        reps = self.args.repeats
        ours = {
            res: best_of(lambda res=res: run_aequa(data, feature, 100, res), reps)
            for res in ("rows", "fairlearn")
        }
        fl_time, note = None, ""
        if k > 0:
            fl_time, fl_ci = best_of(lambda: run_fairlearn(data, feature, k), 1)
            same = ours["fairlearn"][1] if k == 100 else run_aequa(data, feature, k, "fairlearn")
            diff = max(frame_diff(x, y) for x, y in zip(fl_ci, same))
            check(f"bootstrap quantiles, fairlearn draws, n_boot={k}", diff, TOL, self.checks)
            if k < 100:
                fl_time *= 100 / k
                note = f"fairlearn timed at n_boot={k}, scaled to 100"
        # aequa's own draws: a different sample of the same distribution.
        diff = max(frame_diff(x, y) for x, y in zip(ours["rows"][1], ours["fairlearn"][1]))
        check("bootstrap quantiles, aequa draws vs fairlearn draws", diff, 0.02, self.checks)
        for res, (t, _) in ours.items():
            self.record(f"bootstrap ({res})", "str", n, t, fl_time, note)

    def memory_runs(self, n: int) -> None:
        print(f"\npeak memory, {n:,} rows, fresh subprocess per run")
        ref = reference_by_group(Data(n), two=False)
        for dtype in DTYPES:
            res = measure_in_subprocess("aequa", dtype, n)
            check(
                f"aequa memory run {dtype} vs numpy",
                max_diff(res["by_group"], ref),
                TOL,
                self.checks,
            )
            self.memory.append({k: v for k, v in res.items() if k != "by_group"})
        for m in self.memory:
            print(
                f"  {m['library']:<9} {m['dtype']:<9} input {m['input_bytes'] / 2**20:8.1f} MiB"
                f"  peak extra {m['peak_extra_bytes'] / 2**20:8.1f} MiB"
                f"  ratio {m['ratio_to_input']:5.2f}  ({m['method']})"
            )

    def targets(self) -> list[dict[str, Any]]:
        out = []

        def speed(case: str, n: int) -> float | None:
            for r in self.rows:
                if r["case"] == case and r["rows"] == n and r["dtype"] == "str":
                    return r["speedup"]
            return None

        big = max(self.args.sizes)
        mem = next(
            (m for m in self.memory if m["library"] == "aequa" and m["dtype"] == "str"), None
        )
        for name, value, goal, better in [
            ("speedup, 1 feature at 1e6 rows (str)", speed("1 feature", 10**6), 100, "ge"),
            (
                "speedup, bootstrap x100 (rows)",
                speed("bootstrap (rows)", self.args.boot_rows),
                100,
                "ge",
            ),
            (
                "speedup, bootstrap x100 (fairlearn draws)",
                speed("bootstrap (fairlearn)", self.args.boot_rows),
                100,
                "ge",
            ),
            (
                f"peak extra memory / input bytes at {big:.0e} rows (str)",
                mem["ratio_to_input"] if mem else None,
                2,
                "lt",
            ),
        ]:
            ok = None if value is None else (value >= goal if better == "ge" else value < goal)
            out.append({"target": name, "value": value, "goal": goal, "ok": ok})
        return out

    def run(self) -> int:
        args = self.args
        info = machine_info()
        print(
            f"aequa {info['versions']['aequa']} vs fairlearn {info['versions']['fairlearn']}"
            f" | {info['nproc']} CPUs | Python {info['python']} | pandas strings: "
            f"{info['string_dtype']}"
        )
        print(
            f"  {'case':<22} {'feature':<9} {'rows':>10} {'aequa s':>9} {'fairlrn s':>9} "
            f"{'speedup':>9}"
        )
        for n in sorted(args.sizes):
            data = Data(n)
            self.one_feature(n, data)
            if n == args.two_feature_rows:
                self.two_features(n, data)
            del data
        if args.two_feature_rows not in args.sizes:
            self.two_features(args.two_feature_rows, Data(args.two_feature_rows))
        self.bootstrap(args.boot_rows)
        if not args.no_memory:
            self.memory_runs(max(args.sizes))
        if args.breakdown:
            breakdown(max(args.sizes))
        targets = self.targets()
        print("\nsummary")
        print(
            f"  {'case':<22} {'feature':<9} {'rows':>10} {'aequa s':>9} {'fairlrn s':>9} "
            f"{'speedup':>9}"
        )
        for r in self.rows:
            fl = f"{r['fairlearn_s']:9.3f}" if r["fairlearn_s"] else "        -"
            sp = f"{r['speedup']:8.0f}x" if r["speedup"] else "        -"
            print(
                f"  {r['case']:<22} {r['dtype']:<9} {r['rows']:>10,} {r['aequa_s']:9.4f} "
                f"{fl} {sp}  {r['note']}"
            )
        for t in targets:
            status = {True: "met", False: "MISSED", None: "not measured"}[t["ok"]]
            value = "-" if t["value"] is None else f"{t['value']:.2f}"
            op = "<" if "memory" in t["target"] else ">="
            print(f"  target {t['target']}: {value} (goal {op} {t['goal']}): {status}")
        out = {
            "machine": info,
            "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "metrics": METRICS,
            "results": self.rows,
            "memory": self.memory,
            "targets": targets,
            "checks": self.checks,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwrote {args.output}")
        return 1 if args.strict and any(t["ok"] is False for t in targets) else 0


def breakdown(n: int) -> None:
    """Where aequa's time goes (private API: indicative only, may break as aequa changes)."""
    print(f"\nbreakdown of aequa's MetricFrame, {n:,} rows (private API)")
    try:
        from aequa import _core, _inputs
    except ImportError as e:
        print(f"  unavailable: {e}")
        return
    data = Data(n)
    options = json.dumps({"metrics": METRICS, "spec": {"pos_label": None, "threshold": None}})
    levels = [str(v) for v in RACE]
    codes = data.race.astype(np.uint32)
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "core call, uint32 codes given",
            lambda: _core.metric_frame(
                data.y_true, data.y_pred, None, [("race", codes, levels)], [], options, None
            ),
        ),
        ("numpy bincount of the same counts", lambda: reference_by_group(data, two=False)),
    ]
    for dtype in DTYPES:
        feature = data.race_feature(dtype)
        steps += [
            (f"{dtype}: whole MetricFrame", lambda f=feature: run_aequa(data, f)),
            (
                f"{dtype}: feature to numpy + encode",
                lambda f=feature: _inputs.groupings(
                    f, n, "sensitive_feature_", "sensitive_features"
                ),
            ),
            (
                f"{dtype}: pd.factorize(sort=True) alone",
                lambda f=feature: pd.factorize(f, sort=True),
            ),
        ]
    for label, fn in steps:
        try:
            t, _ = best_of(fn, 3)
            print(f"  {label:<42} {t:8.4f} s")
        except Exception as e:  # the private API may have moved
            print(f"  {label:<42} unavailable ({type(e).__name__}: {e})")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--full", action="store_true", help="run Fairlearn at every size (slow)")
    p.add_argument(
        "--fairlearn-max-rows",
        type=float,
        default=1e6,
        help="largest size Fairlearn runs at without --full (default 1e6)",
    )
    p.add_argument(
        "--fairlearn-n-boot",
        type=int,
        default=100,
        help="Fairlearn's replicates (time scaled to 100; 0 skips; default 100)",
    )
    p.add_argument("--sizes", type=float, nargs="+", default=[1e5, 1e6, 1e7])
    p.add_argument("--two-feature-rows", type=float, default=1e6)
    p.add_argument("--boot-rows", type=float, default=1e5)
    p.add_argument("--repeats", type=int, default=3, help="best-of-N for fast runs (default 3)")
    p.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    p.add_argument("--breakdown", action="store_true", help="time aequa's pieces (private API)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--output", type=Path, default=RESULTS)
    p.add_argument(
        "--memory-child", nargs=3, metavar=("LIB", "DTYPE", "ROWS"), help=argparse.SUPPRESS
    )
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes]
    args.two_feature_rows = int(args.two_feature_rows)
    args.boot_rows = int(args.boot_rows)
    args.fairlearn_max_rows = int(args.fairlearn_max_rows)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child:
        lib, dtype, rows = args.memory_child
        print(json.dumps(memory_child(lib, dtype, int(float(rows)))))
        return 0
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
