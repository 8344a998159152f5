// Two builds of the WASM module timed back to back in one Node process, on the inputs of
// benchmarks/wasm_vs_native.mjs (written by benchmarks/wasm_vs_native.py): metricFrame on 1e6
// rows (typed columns, and plain number arrays), metricFrameColumns, TreeSHAP of a 100-tree
// forest on 1000 rows, a drift report over 4 × 100k values (typed, and plain arrays). For
// changes that should not move speed (size work, issue 5): A and B alternate, best of 3 per
// round, several rounds; the results must be equal.
//
//   node benchmarks/wasm_ab.mjs A/pkg-node B/pkg-node [rounds]
//
// e.g. A = a copy of main's wasm/pkg-node, B = this tree's wasm/pkg-node (scripts/build-wasm.sh).

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [dirA, dirB, roundsArg] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error("usage: node benchmarks/wasm_ab.mjs A/pkg-node B/pkg-node [rounds]");
  process.exit(2);
}
const load = (d) => createRequire(import.meta.url)(join(resolve(d), "aequa_wasm.js"));
const builds = { A: load(dirA), B: load(dirB) };
const rounds = Number(roundsArg ?? 3);
const python = process.env.PYTHON ?? join(root, ".venv", "bin", "python");

const dir = mkdtempSync(join(tmpdir(), "aequa-ab-"));
try {
  const native = spawnSync(python, [join(root, "benchmarks", "wasm_vs_native.py"), dir], {
    env: { ...process.env, RAYON_NUM_THREADS: "1" },
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (native.status !== 0) throw new Error(`data generation failed:\n${native.stderr}`);
  const { metrics } = JSON.parse(native.stdout);
  const f64 = (name) => {
    const buf = readFileSync(join(dir, `${name}.f64`));
    return new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  };
  const yTrue = f64("y_true");
  const yPred = f64("y_pred");
  const group = f64("group");
  const levels = [...new Set(group)].sort((a, b) => a - b);
  const codes = Uint32Array.from(group, (v) => levels.indexOf(v));
  const plain = { yTrue: Array.from(yTrue), yPred: Array.from(yPred), group: Array.from(group) };
  const model = JSON.parse(readFileSync(join(dir, "forest.json"), "utf8"));
  const x = { data: f64("x"), nRows: 1000, nCols: 10 };
  const ref = f64("ref");
  const cur = f64("cur");
  const n = 100_000;
  const columns = [0, 1, 2, 3].map((i) => ({
    name: `c${i}`,
    reference: ref.subarray(i * n, (i + 1) * n),
    current: cur.subarray(i * n, (i + 1) * n),
  }));
  const plainColumns = columns.map((c) => ({
    name: c.name,
    reference: Array.from(c.reference),
    current: Array.from(c.current),
  }));

  const cases = {
    metricFrame: (a) =>
      a.metricFrame({ yTrue, yPred, sensitiveFeatures: [{ name: "group", values: group }], options: { metrics } }),
    "metricFrame (plain arrays)": (a) =>
      a.metricFrame({
        yTrue: plain.yTrue,
        yPred: plain.yPred,
        sensitiveFeatures: [{ name: "group", values: plain.group }],
        options: { metrics },
      }),
    metricFrameColumns: (a) =>
      a.metricFrameColumns(yTrue, yPred, codes, [{ name: "group", levels: levels.map(String) }], { metrics }),
    treeShap: (a) => a.treeShap({ model, x }),
    driftReport: (a) => a.driftReport({ columns }),
    "driftReport (plain arrays)": (a) => a.driftReport({ columns: plainColumns }),
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
  const times = {};
  let same = 0;
  for (const [name, run] of Object.entries(cases)) {
    assert.deepStrictEqual(run(builds.B), run(builds.A), name);
    same += 1;
    times[name] = { A: [], B: [] };
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(cases)) {
      for (const k of r % 2 === 0 ? ["A", "B"] : ["B", "A"]) {
        times[name][k].push(best(() => run(builds[k])));
      }
    }
  }
  console.log("computation                  A best (s)   B best (s)   B / A   (per round A | B)");
  for (const [name, t] of Object.entries(times)) {
    const a = Math.min(...t.A);
    const b = Math.min(...t.B);
    const rows = t.A.map((v, i) => `${v.toFixed(3)}|${t.B[i].toFixed(3)}`).join(" ");
    console.log(
      `${name.padEnd(28)} ${a.toFixed(4).padStart(10)} ${b.toFixed(4).padStart(12)} ${(b / a).toFixed(2).padStart(7)}   ${rows}`,
    );
  }
  console.log(`(A: ${dirA}; B: ${dirB}; ${rounds} rounds, best of 3 each, alternating order)`);
  console.log(`${same} passed, 0 failed (equal results A vs B)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
