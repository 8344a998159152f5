"""The dashboard in headless Chromium at 100k rows: time to first full render, threshold
recompute latency, and WASM vs native on the same computation.

The bundle: UCI Adult resampled (seeded) to 100,000 rows, scored by a logistic regression, a
MetricFrame of 4 metrics by sex × race from the scores at threshold 0.5 with 100 bootstrap
replicates (the bundle carries the 100k-row label, score and sensitive columns for the
slider). Measured:

* ``first_render_ms`` - from navigation start to the end of the first full render (table,
  charts) of the single-file export (``save_html``) opened from ``file://``: parsing the page,
  instantiating the inlined WASM, parsing the embedded bundle and drawing;
* ``load_from_picker_ms`` - the served ``dist/index.html``: from handing the bundle file to the
  file picker to the end of the render;
* ``threshold`` - per slider move at 100k rows: the WASM recompute (``metricFrameColumns`` and
  relabelling, the page's own ``data-ms``) and the whole update including the table and chart
  redraw; median and 95th percentile of 60 moves;
* ``wasm_vs_native`` - the same point-estimate MetricFrame at 100k rows in the browser (WASM,
  the slider's entry point) and natively (``aequa.MetricFrame`` in this process, from integer
  codes as the page passes them, and from the string columns), and the
  100-replicate bootstrap (browser: the worker job behind "Recompute intervals", wall time from
  the click to the redraw, one thread; native: ``MetricFrame(n_boot=100)`` with rayon on the
  2 cores, and on one thread, ``RAYON_NUM_THREADS=1``, in a subprocess). Medians.

The machine is shared with other jobs (2 cores); the figures are one run's.
Results go to ``benchmarks/results/dashboard.json``.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from datetime import datetime, timezone
from pathlib import Path

import aequa
import numpy as np
from aequa._bundle import make_bundle
from aequa._html import write_html
from aequa.datasets import load_adult
from playwright.sync_api import sync_playwright
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "wasm" / "dashboard" / "dist"
OUT = REPO / "benchmarks" / "results" / "dashboard.json"
ROWS = 100_000
N_BOOT = 100
CI = [0.025, 0.975]
METRICS = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score"]
FEATURES = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def data() -> tuple[np.ndarray, np.ndarray, object]:
    df = load_adult().dropna(subset=["sex", "race"]).reset_index(drop=True)
    rows = np.random.default_rng(0).integers(0, len(df), ROWS)
    df = df.iloc[rows].reset_index(drop=True)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(df[FEATURES], df["label"])
    return df["label"].to_numpy(), model.predict_proba(df[FEATURES])[:, 1], df[["sex", "race"]]


def frame(y, s, sens, threshold, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return aequa.MetricFrame(
            metrics=METRICS, y_true=y, y_pred=s, threshold=threshold, sensitive_features=sens, **kw
        )


def median_time(fn, repeats: int) -> float:
    return statistics.median(times_of(fn, repeats))


def times_of(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


MOVE = """(t) => {
  const input = document.querySelector('#threshold-value');
  input.value = String(t);
  const t0 = performance.now();
  input.dispatchEvent(new Event('change'));
  const total = performance.now() - t0;
  return [Number(document.querySelector('#threshold-status').dataset.ms), total];
}"""


def native_bootstrap() -> float:
    """Median seconds of the native 100-replicate bootstrap (from integer codes)."""
    y, s, sens = data()
    codes = {c: sens[c].astype("category").cat.codes.to_numpy() for c in sens.columns}
    return median_time(
        lambda: frame(y, s, codes, 0.45, n_boot=N_BOOT, ci_quantiles=CI, random_state=0), 3
    )


def native_bootstrap_one_thread() -> float:
    """The same in a subprocess on one rayon thread (WASM runs on one thread)."""
    env = dict(os.environ, RAYON_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, __file__, "--native-bootstrap"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if "--native-bootstrap" in sys.argv:
        print(native_bootstrap())
        return 0
    y, s, sens = data()
    mf = frame(y, s, sens, 0.5, n_boot=N_BOOT, ci_quantiles=[0.025, 0.975], random_state=0)
    bundle = make_bundle([mf], title="100k rows", data=mf._bundle_data())
    tmp = Path(tempfile.mkdtemp())
    bundle_file = tmp / "bundle.json"
    bundle_file.write_text(json.dumps(bundle), encoding="utf-8")
    page_file = write_html(bundle, tmp / "dashboard.html")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=DIST,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    result: dict = {}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            renders = []
            for _ in range(5):
                page.goto(page_file.as_uri())
                page.wait_for_selector("#app[data-loaded]", timeout=60000)
                renders.append(float(page.get_attribute("#app", "data-render-ms")))
            picker = []
            for _ in range(5):
                page.goto(f"http://127.0.0.1:{port}/index.html")
                page.wait_for_selector("#app[data-ready=true]")
                t = time.perf_counter()
                page.set_input_files("#bundle-file", str(bundle_file))
                page.wait_for_selector("#app[data-loaded]", timeout=60000)
                picker.append(1000 * (time.perf_counter() - t))
            engine, total = [], []
            thresholds = np.linspace(0.2, 0.8, 61)[1:]
            for t in thresholds:
                e, w = page.evaluate(MOVE, float(t))
                engine.append(e)
                total.append(w)
            page.evaluate(MOVE, 0.45)
            boots = []
            for _ in range(3):
                page.evaluate(MOVE, 0.45 if len(boots) % 2 else 0.55)
                t = time.perf_counter()
                page.click("#recompute-intervals")
                page.wait_for_selector('#fairness-table td[data-bound="lo"]', timeout=120000)
                boots.append(time.perf_counter() - t)
            browser.close()
            if errors:
                print("page errors:", errors)
                return 1
    finally:
        server.terminate()
        server.wait(timeout=10)

    # Natively from integer codes (as the page passes them) and from the string columns.
    codes = {c: sens[c].astype("category").cat.codes.to_numpy() for c in sens.columns}
    point_times = times_of(lambda: frame(y, s, codes, 0.45), 61)
    native_point = statistics.median(point_times)
    native_strings = median_time(lambda: frame(y, s, sens, 0.45), 15)
    native_boot = native_bootstrap()
    native_boot_1 = native_bootstrap_one_thread()
    q = lambda v, p: float(np.percentile(v, p))  # noqa: E731
    result = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": 2, "platform": platform.platform(), "shared": True},
        "versions": {"aequa": aequa.__version__, "chromium": "Debian /usr/bin/chromium"},
        "rows": ROWS,
        "bundle_bytes": bundle_file.stat().st_size,
        "page_bytes": page_file.stat().st_size,
        "first_render_ms": {"median": statistics.median(renders), "runs": renders},
        "load_from_picker_ms": {"median": statistics.median(picker), "runs": picker},
        "threshold": {
            "moves": len(engine),
            "wasm_recompute_ms": {"median": statistics.median(engine), "p95": q(engine, 95)},
            "full_update_ms": {"median": statistics.median(total), "p95": q(total, 95)},
            "target_ms": 50,
        },
        "wasm_vs_native": {
            "point_estimate": {
                "wasm_ms": statistics.median(engine),
                "native_ms": 1000 * native_point,
                "wasm_min_ms": min(engine),
                "native_min_ms": 1000 * min(point_times),
                "native_from_strings_ms": 1000 * native_strings,
                "ratio": statistics.median(engine) / (1000 * native_point),
            },
            "bootstrap_100": {
                "wasm_worker_s": statistics.median(boots),
                "native_s": native_boot,
                "native_1_thread_s": native_boot_1,
                "ratio": statistics.median(boots) / native_boot,
                "ratio_1_thread": statistics.median(boots) / native_boot_1,
            },
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
