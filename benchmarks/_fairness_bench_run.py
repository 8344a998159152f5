"""The benchmark run: machine description, every case timed and checked, the targets, the
results file, and the optional breakdown of aequa's time."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _fairness_bench_checks import best_of, check, frame_diff, max_diff
from _fairness_bench_config import DTYPES, METRICS, RACE, TOL
from _fairness_bench_data import Data, reference_by_group
from _fairness_bench_libs import run_aequa, run_fairlearn
from _fairness_bench_memory import measure_in_subprocess


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
