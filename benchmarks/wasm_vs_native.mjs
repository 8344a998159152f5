// The same computations natively (the Python wheel's Rust core, benchmarks/wasm_vs_native.py)
// and in the WASM module under Node, back to back on the same inputs: metricFrame on 1e6 rows,
// the same with 100 bootstrap replicates on 1e5 rows, TreeSHAP of a 100-tree forest on 1000 rows, a drift report over 4 × 100k numeric values.
// Both sides single-threaded (RAYON_NUM_THREADS=1: wasm32 has no threads here), best of 3,
// end to end through each API (input conversion included).
//
// Run `scripts/build-wasm.sh` first, then: node benchmarks/wasm_vs_native.mjs

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const aequa = createRequire(import.meta.url)(join(root, "wasm", "pkg-node", "aequa_wasm.js"));
const python = process.env.PYTHON ?? join(root, ".venv", "bin", "python");

const dir = mkdtempSync(join(tmpdir(), "aequa-bench-"));
try {
  const native = spawnSync(python, [join(root, "benchmarks", "wasm_vs_native.py"), dir], {
    env: { ...process.env, RAYON_NUM_THREADS: "1" },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (native.status !== 0) throw new Error(`native side failed:\n${native.stderr}`);
  const { timings, checks, metrics } = JSON.parse(native.stdout);

  const f64 = (name) => {
    const buf = readFileSync(join(dir, `${name}.f64`));
    return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  };
  const best = (fn) => {
    let min = Infinity;
    for (let i = 0; i < 3; i++) {
      const start = process.hrtime.bigint();
      fn();
      min = Math.min(min, Number(process.hrtime.bigint() - start) / 1e9);
    }
    return min;
  };

  const yTrue = f64("y_true");
  const yPred = f64("y_pred");
  const group = f64("group");
  const frame = () =>
    aequa.metricFrame({
      yTrue,
      yPred,
      sensitiveFeatures: [{ name: "group", values: group }],
      options: { metrics },
    });

  // The same MetricFrame from typed columns (`metricFrameColumns`, the dashboard's path): the
  // groups as level codes, labels as JS's String(value); its row is timed against the same
  // native metric_frame.
  const levels = [...new Set(group)].sort((a, b) => a - b);
  const codes = Uint32Array.from(group, (v) => levels.indexOf(v));
  const frameColumns = () =>
    aequa.metricFrameColumns(yTrue, yPred, codes, [{ name: "group", levels: levels.map(String) }], {
      metrics,
    });

  // 100 seeded bootstrap replicates on the first 1e5 rows (the dashboard's interval job).
  const nb = 100_000;
  const bootstrap = () =>
    aequa.metricFrame({
      yTrue: yTrue.subarray(0, nb),
      yPred: yPred.subarray(0, nb),
      sensitiveFeatures: [{ name: "group", values: group.subarray(0, nb) }],
      options: { metrics, bootstrap: { nBoot: 100, ciQuantiles: [0.025, 0.975], randomState: 7 } },
    });

  const model = JSON.parse(readFileSync(join(dir, "forest.json"), "utf8"));
  const x = { data: f64("x"), nRows: 1000, nCols: 10 };
  const shap = () => aequa.treeShap({ model, x });

  const ref = f64("ref");
  const cur = f64("cur");
  const n = 100_000;
  const columns = [0, 1, 2, 3].map((i) => ({
    name: `c${i}`,
    reference: ref.subarray(i * n, (i + 1) * n),
    current: cur.subarray(i * n, (i + 1) * n),
  }));
  const driftReport = () => aequa.driftReport({ columns });

  // Same results as natively (and the two MetricFrame paths agree).
  assert.deepStrictEqual(frameColumns(), frame());
  assert.deepStrictEqual(bootstrap(), JSON.parse(checks.bootstrap_report));
  assert.deepStrictEqual(shap().values.slice(0, 5), checks.tree_shap_values_head);
  assert.deepStrictEqual(
    driftReport().overall.columns.map((c) => c.statistic),
    checks.drift_statistics,
  );

  const wasm = {
    metric_frame: best(frame),
    "metric_frame (columns)": best(frameColumns),
    bootstrap: best(bootstrap),
    tree_shap: best(shap),
    drift_report: best(driftReport),
  };
  console.log("computation             native (s)   wasm (s)   wasm / native");
  let within = 0;
  for (const key of Object.keys(wasm)) {
    const base = timings[key.replace(" (columns)", "")];
    const ratio = wasm[key] / base;
    if (ratio <= 2) within += 1;
    console.log(
      `${key.padEnd(22)} ${base.toFixed(4).padStart(11)} ${wasm[key].toFixed(4).padStart(10)} ${ratio.toFixed(2).padStart(14)}`,
    );
  }
  console.log("(shared 2-core machine, single-threaded on both sides, best of 3)");
  console.log(`${within} passed, ${Object.keys(wasm).length - within} failed (target: wasm within 2x of native)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
