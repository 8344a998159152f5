// metricFrameColumns (the dashboard's typed-array entry point) against metricFrame: the same
// report, deep-equal, for coded sensitive features, thresholds and seeded bootstraps; bad
// codes and options are JS Errors naming the argument.
// Run `scripts/build-wasm.sh` first (or `scripts/test-wasm.sh`, which does both).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modulePath = join(root, "wasm", "pkg-node", "aequa_wasm.js");
if (!existsSync(modulePath)) {
  throw new Error(`${modulePath} is missing: run scripts/build-wasm.sh first`);
}
const aequa = createRequire(import.meta.url)(modulePath);

const n = 3000;
let seed = 12345;
const draw = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const yTrue = new Float64Array(n);
const yPred = new Float64Array(n);
const sex = new Array(n);
const race = new Array(n);
for (let i = 0; i < n; i++) {
  yTrue[i] = draw() < 0.3 ? 1 : 0;
  yPred[i] = draw();
  sex[i] = draw() < 0.4 ? 0 : 1;
  race[i] = Math.floor(draw() * 4);
}
const codes = new Uint32Array(2 * n);
codes.set(sex, 0);
codes.set(race, n);
const levels = [
  { name: "sex", levels: ["0", "1"] },
  { name: "race", levels: ["0", "1", "2", "3"] },
];
const metrics = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score"];
const plain = (options) => aequa.metricFrame({
  yTrue, yPred, options,
  sensitiveFeatures: [{ name: "sex", values: sex }, { name: "race", values: race }],
});

for (const threshold of [0.2, 0.5, 0.77]) {
  test(`same report as metricFrame at threshold ${threshold}`, () => {
    const options = { metrics, threshold };
    assert.deepEqual(aequa.metricFrameColumns(yTrue, yPred, codes, levels, options), plain(options));
  });
}

test("same seeded bootstrap as metricFrame", () => {
  const options = { metrics, threshold: 0.4, bootstrap: { nBoot: 20, ciQuantiles: [0.05, 0.95], randomState: 3 } };
  const report = aequa.metricFrameColumns(yTrue, yPred, codes, levels, options);
  assert.equal(report.intervals.n_boot, 20);
  assert.deepEqual(report, plain(options));
});

test("codes of the wrong length or beyond the levels are errors", () => {
  assert.throws(() => aequa.metricFrameColumns(yTrue, yPred, codes.subarray(1), levels, {}),
    { message: `codes: expected ${2 * n} codes (${n} rows × 2 features), found ${2 * n - 1}` });
  const bad = codes.slice();
  bad[n + 7] = 9;
  assert.throws(() => aequa.metricFrameColumns(yTrue, yPred, bad, levels, { threshold: 0.5 }),
    { message: "codes: feature 'race' has 4 levels but row 7 has code 9" });
});

test("unknown option keys are named", () => {
  assert.throws(() => aequa.metricFrameColumns(yTrue, yPred, codes, levels, { treshold: 0.5 }),
    /options: unknown field `treshold`/);
  assert.throws(() => aequa.metricFrameColumns(yTrue, yPred, codes, levels,
    { threshold: 0.5, bootstrap: { nBoot: 2, ciQuantiles: [0.5], randomState: 1, seed: 2 } }),
    /bootstrap: unknown field `seed`/);
});

test("core errors pass through (scores without a threshold)", () => {
  assert.throws(() => aequa.metricFrameColumns(yTrue, yPred, codes, levels, { metrics }),
    /y_pred: binary metrics need predicted labels/);
});
