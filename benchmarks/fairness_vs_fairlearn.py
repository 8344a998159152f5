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

Results go to ``benchmarks/results/fairness.json``. The sibling ``_fairness_bench_*.py`` modules
hold the settings, data, library calls, checks, memory probe and the run itself.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from _fairness_bench_config import RESULTS
from _fairness_bench_memory import memory_child
from _fairness_bench_run import Bench


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
