"""Import cost of aequa's pytest plugin at pytest start.

Runs ``python -X importtime -m pytest --co -q`` in an empty directory (with and without the
plugin) and reports the self time of the import block the plugin triggers: every module from
the first ``aequa`` import to the last one, and which heavy modules (numpy, pandas, aequa._core)
were loaded at all, and the wall time of the whole ``pytest --co`` process (noisy).

Usage: ``python benchmarks/plugin_import_time.py`` (the interpreter whose aequa is measured).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time

RUNS = 5
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)")


def run(extra: list[str]) -> tuple[float, float, set[str]]:
    with tempfile.TemporaryDirectory() as empty:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "pytest", "--co", "-q",
             "-p", "no:cacheprovider", *extra],
            cwd=empty, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
    rows = [m.groups() for m in map(LINE.match, proc.stderr.splitlines()) if m]
    names = [r[3] for r in rows]
    hits = [i for i, n in enumerate(names) if n == "aequa" or n.startswith("aequa.")]
    total = sum(int(rows[i][0]) for i in range(hits[0], hits[-1] + 1)) if hits else 0
    return total / 1e6, wall, set(names)


def main() -> None:
    for label, extra in [("with plugin", []), ("-p no:aequa", ["-p", "no:aequa"])]:
        times, walls = [], []
        for _ in range(RUNS):
            seconds, wall, names = run(extra)
            times.append(seconds)
            walls.append(wall)
        heavy = sorted(n for n in ("numpy", "pandas", "aequa._core") if n in names)
        times.sort()
        walls.sort()
        print(f"{label}: aequa import block median {times[RUNS // 2]:.3f} s "
              f"(min {times[0]:.3f}); whole `pytest --co` median {walls[RUNS // 2]:.2f} s "
              f"(min {walls[0]:.2f}); heavy modules loaded: {heavy or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
