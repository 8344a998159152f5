// Training in the WASM module (smartcore through aequa-core's `train` feature): a logistic
// regression comes back as a native model's JSON, a random forest as a JS function; both work
// as `model` for predict, the explainers and the probes. Seeded forests are reproducible.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modulePath = join(root, "wasm", "pkg-node", "aequa_wasm.js");
if (!existsSync(modulePath)) {
  throw new Error(`${modulePath} is missing: run scripts/build-wasm.sh first`);
}
const aequa = createRequire(import.meta.url)(modulePath);

// A small separable problem: label 1 when 2·x0 - x1 > 0.3, from a fixed sequence.
const x = Array.from({ length: 80 }, (_, i) => [((i * 37) % 80) / 40 - 1, ((i * 53) % 80) / 40 - 1, (i % 7) / 7]);
const y = x.map(([a, b]) => (2 * a - b > 0.3 ? 1 : 0));
const accuracy = (pred) => pred.reduce((n, p, i) => n + (p === y[i] ? 1 : 0), 0) / y.length;

describe("trainModel", () => {
  test("logistic regression: a native linear model that separates the classes", () => {
    const model = aequa.trainModel({ x, y, kind: "logistic_regression" });
    assert.equal(model.kind, "linear");
    assert.equal(model.link, "logistic");
    const p = aequa.predict(model, x);
    assert.equal(p.nCols, 2);
    const labels = Array.from({ length: p.nRows }, (_, i) => (p.data[2 * i + 1] > 0.5 ? 1 : 0));
    assert.ok(accuracy(labels) >= 0.95, `accuracy ${accuracy(labels)}`);
    assert.deepStrictEqual(JSON.parse(aequa.trainModelJson(JSON.stringify({ x, y, kind: "logistic_regression" }))), model);
    // Usable by linear SHAP and the gradient attacks.
    const shap = aequa.linearShap({ model, x: x.slice(0, 5), background: x });
    assert.deepStrictEqual(shap.shape, [5, 3, 1]);
    const attack = aequa.fgsm({ model, x: x.slice(0, 5), options: { eps: 0.5 } });
    assert.equal(attack.x_adv.length, 5);
  });

  test("random forest: a seeded JS function predicting labels", () => {
    const f = aequa.trainModel({ x, y, kind: "random_forest", nTrees: 15, randomState: 4 });
    assert.equal(typeof f, "function");
    const g = aequa.trainModel({ x, y, kind: "random_forest", nTrees: 15, randomState: 4 });
    const p = aequa.predict(f, x);
    assert.equal(p.nCols, 1);
    assert.deepStrictEqual(p.data, aequa.predict(g, x).data);
    assert.ok(accuracy(Array.from(p.data)) >= 0.95, `accuracy ${accuracy(Array.from(p.data))}`);
    assert.ok(Array.from(p.data).every((v) => v === 0 || v === 1));
    // Usable by the model-agnostic explainers and probes.
    const shap = aequa.exactShap({ model: f, x: x.slice(0, 3), background: x.slice(0, 20) });
    assert.deepStrictEqual(shap.shape, [3, 3, 1]);
    const pi = aequa.permutationImportance({
      model: f, x, y, options: { scorer: { scoring: "accuracy" }, n_repeats: 2, random_state: 1 },
    });
    assert.ok(pi.importances_mean[0] > pi.importances_mean[2]);
    const noise = aequa.noiseStability({ model: f, x, options: { budgets: [0.1], n_repeats: 2, random_state: 2 } });
    assert.equal(noise.flip_rate.length, 1);
  });

  test("bad input", () => {
    const nan = x.map((r) => r.slice());
    nan[3][1] = NaN;
    assert.throws(() => aequa.trainModel({ x: nan, y, kind: "logistic_regression" }), {
      message: /^x: expected finite values to train on, found NaN at row 3, column 1/,
    });
    assert.throws(() => aequa.trainModel({ x, y: y.map(() => 1), kind: "random_forest" }), {
      message: /^y: expected at least two classes to train a classifier, found 1/,
    });
    assert.throws(() => aequa.trainModel({ x, y: y.slice(1), kind: "random_forest" }), {
      message: /^y: expected 80 labels \(one per row of x\), found 79/,
    });
    assert.throws(() => aequa.trainModel({ x, y, kind: "svm" }), { message: /^input: unknown variant `svm`/ });
    assert.throws(() => aequa.trainModelJson(JSON.stringify({ x, y, kind: "random_forest", nTrees: 2 })), {
      message: /^kind: a random forest has no JSON form/,
    });
    const f = aequa.trainModel({ x, y, kind: "random_forest", nTrees: 2 });
    assert.throws(() => aequa.predict(f, [[1, 2]]), { message: /x: expected nRows × 3 numbers, found 2 for nRows = 1/ });
  });
});
