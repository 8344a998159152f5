// The WASM module's models, explanations, drift and robustness exports against the Python
// package: tests/golden/js_parity/*.json (written by tests/golden/generate_js_parity.py from the
// installed aequa) hold each case's input, the core's JSON text Python received (`core_json`:
// the Json twin must return it byte for byte) and the report's `to_json()` (`python_json`: the
// JS object must deep-equal it). Robustness reports carry a wall time, compared as null.
// Also: JS functions as models (same reports as the native model they wrap), typed-array
// matrices, and bad input turned into JS Errors with the core's message.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modulePath = join(root, "wasm", "pkg-node", "aequa_wasm.js");
if (!existsSync(modulePath)) {
  throw new Error(`${modulePath} is missing: run scripts/build-wasm.sh first`);
}
const aequa = createRequire(import.meta.url)(modulePath);

const fixtureDir = join(root, "tests", "golden", "js_parity");
const cases = readdirSync(fixtureDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(fixtureDir, f), "utf8")));

/** Wall times differ run to run: compare them as null. */
const untimed = (report) =>
  report && typeof report === "object" && "elapsed_seconds" in report
    ? { ...report, elapsed_seconds: null }
    : report;
const untimedText = (text) => text.replace(/"elapsed_seconds":[^,}]+/, '"elapsed_seconds":null');

/** Python's report less what the Python layer adds to the core's (listed by the generator). */
function withoutAdditions(c) {
  const report = JSON.parse(c.python_json);
  for (const path of c.python_additions) {
    const [head, key] = path.split(".");
    if (key === undefined) delete report[head];
    else delete report[head][key];
  }
  return report;
}

/** A matrix given as rows, in the flat typed-array form. */
const flat = (rows) => ({
  data: Float64Array.from(rows.flat().map((v) => (v === null ? NaN : v))),
  nRows: rows.length,
  nCols: rows[0].length,
});

/** A native model wrapped as a JS function f(data, nRows) -> Float64Array. */
const jsFunction = (model, nCols, calls = { n: 0 }) => (data, nRows) => {
  calls.n += 1;
  assert.ok(data instanceof Float64Array);
  assert.equal(data.length, nRows * nCols);
  return aequa.predict(model, { data, nRows, nCols }).data;
};

describe("parity with the Python package (golden fixtures)", () => {
  assert.ok(cases.length >= 25, `expected the js_parity fixtures, found ${cases.length}`);
  for (const c of cases) {
    test(`${c.name}: ${c.export} deep-equals Python`, () => {
      const out = aequa[c.export](c.input);
      const want = c.core_json !== undefined ? withoutAdditions(c) : c.expected;
      assert.deepStrictEqual(untimed(out), untimed(want));
    });
    test(`${c.name}: ${c.export}Json`, () => {
      const text = aequa[`${c.export}Json`](JSON.stringify(c.input));
      if (c.core_json !== undefined) {
        assert.equal(untimedText(text), untimedText(c.core_json));
      } else {
        assert.deepStrictEqual(JSON.parse(text), c.expected);
      }
    });
    if (c.input.x && c.core_json !== undefined) {
      test(`${c.name}: typed-array matrices give the same report`, () => {
        const input = { ...c.input, x: flat(c.input.x) };
        if (c.input.background) input.background = flat(c.input.background);
        assert.deepStrictEqual(untimed(aequa[c.export](input)), untimed(withoutAdditions(c)));
      });
    }
  }
});

describe("typed arrays", () => {
  const toTyped = (values) =>
    values.every((v) => v === null || typeof v === "number")
      ? Float64Array.from(values, (v) => (v === null ? NaN : v))
      : values;

  test("drift columns as Float64Array give Python's report", () => {
    const c = cases.find((c) => c.name === "drift_report");
    const columns = c.input.columns.map((col) => ({
      ...col,
      reference: toTyped(col.reference),
      current: toTyped(col.current),
    }));
    assert.ok(columns.some((col) => col.reference instanceof Float64Array));
    const out = aequa.driftReport({ ...c.input, columns });
    assert.deepStrictEqual(out, withoutAdditions(c));
  });

  test("tests and labels as Float64Array", () => {
    for (const c of cases.filter((c) => ["ks2samp", "psi", "wassersteinDistance"].includes(c.export))) {
      const input = Object.fromEntries(
        Object.entries(c.input).map(([k, v]) => [k, Array.isArray(v) ? toTyped(v) : v]),
      );
      assert.deepStrictEqual(aequa[c.export](input), c.expected, c.name);
    }
    const pi = cases.find((c) => c.name === "importance_forest");
    const out = aequa.permutationImportance({ ...pi.input, y: Float64Array.from(pi.input.y) });
    assert.deepStrictEqual(out, withoutAdditions(pi));
  });

  test("grouping values as a Float64Array", () => {
    const pi = cases.find((c) => c.name === "importance_fairness_scorer");
    // The fixture's groups are "a" / "b"; numbers 0 / 1 sort the same way, so the report
    // matches once the level labels are read back as numbers.
    const codes = Float64Array.from(pi.input.sensitive[0].values, (v) => (v === "a" ? 0 : 1));
    const sensitive = [{ name: pi.input.sensitive[0].name, values: codes }];
    const typedOut = aequa.permutationImportance({ ...pi.input, sensitive });
    const plainOut = aequa.permutationImportance({ ...pi.input, sensitive: [{ ...sensitive[0], values: Array.from(codes) }] });
    assert.deepStrictEqual(typedOut, plainOut);
    assert.deepStrictEqual(typedOut.importances, withoutAdditions(pi).importances);
  });
});

// Exports that accept any model: the same report from a JS function wrapping the native model.
const agnostic = new Set([
  "exactShap",
  "permutationShap",
  "kernelShap",
  "permutationImportance",
  "partialDependence",
  "ale",
  "noiseStability",
  "sensitiveFlip",
  "hopSkipJump",
]);

// Exports that read native models instead of calling them: permutation Shapley walks tree
// ensembles (core/src/explain/permutation_trees.rs); permutation importance walks trees and
// shifts linear scores (importance_trees.rs, importance_linear.rs).
const fastPath = { permutationShap: ["trees"], permutationImportance: ["trees", "linear"] };

/** Deep equality with numbers within `tol` (absolute and relative), `skip` keys ignored. */
function assertClose(actual, expected, tol, skip, path = "$") {
  if (typeof expected === "number" && typeof actual === "number") {
    const gap = Math.abs(actual - expected);
    assert.ok(gap <= tol * Math.max(1, Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, tol, skip, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === "object") {
    const keys = Object.keys(expected).filter((k) => !skip.includes(k));
    assert.deepStrictEqual(
      Object.keys(actual).filter((k) => !skip.includes(k)).sort(),
      keys.slice().sort(),
      `${path}: keys`,
    );
    for (const k of keys) assertClose(actual[k], expected[k], tol, skip, `${path}.${k}`);
  } else {
    assert.deepStrictEqual(actual, expected, path);
  }
}

describe("JS functions as models", () => {
  for (const c of cases.filter((c) => agnostic.has(c.export))) {
    test(`${c.name}: a JS function gives the native model's report`, () => {
      const calls = { n: 0 };
      const model = jsFunction(c.input.model, c.input.x[0].length, calls);
      const out = aequa[c.export]({ ...c.input, model });
      const native = aequa[c.export](c.input);
      assert.ok(calls.n > 0);
      if ((fastPath[c.export] ?? []).includes(c.input.model.kind)) {
        // The native model is read, not called: the same estimator, summed in another order,
        // in fewer (or no) model calls.
        assertClose(untimed(out), untimed(native), 1e-12, ["model_calls", "rows_evaluated"]);
      } else {
        assert.deepStrictEqual(untimed(out), untimed(native));
      }
    });
  }

  const fx = cases.find((c) => c.name === "exact_logistic");
  const base = { x: fx.input.x, background: fx.input.background };

  test("a thrown Error becomes the export's Error with its message", () => {
    const model = () => {
      throw new Error("model server unavailable");
    };
    assert.throws(() => aequa.exactShap({ ...base, model }), {
      name: "Error",
      message: /model: the model raised an exception: model server unavailable/,
    });
    assert.throws(() => aequa.predict(model, base.x), {
      message: "model: the model raised an exception: model server unavailable",
    });
  });

  test("a thrown non-Error value is reported too", () => {
    const model = () => {
      throw "plain string";
    };
    assert.throws(() => aequa.predict(model, base.x), {
      message: "model: the model raised an exception: plain string",
    });
  });

  test("wrong output length, non-finite output and non-numbers are Errors", () => {
    let first = true;
    const short = (data, n) => {
      const out = new Float64Array(first ? n : n - 1);
      first = false;
      return out;
    };
    assert.throws(() => aequa.predict(short, base.x), {
      message: /model: expected the function to return 6 numbers \(6 rows × 1 outputs\), found 5/,
    });
    const nan = (data, n) => new Float64Array(n).fill(NaN);
    assert.throws(() => aequa.predict(nan, base.x), {
      message: /model: the model returned NaN for row 0 \(output 0\); models must return finite numbers/,
    });
    assert.throws(() => aequa.predict(() => "yes", base.x), {
      message: /model: expected the function to return a Float64Array, a number array or an array of rows/,
    });
  });

  test("outputs as number[] and number[][] are accepted, columns are outputs", () => {
    const two = (data, n) => Array.from({ length: n }, (_, i) => [data[i * 8], -data[i * 8]]);
    const out = aequa.predict(two, base.x);
    assert.equal(out.nCols, 2);
    assert.equal(out.nRows, 6);
    assert.equal(out.data[1], -base.x[0][0]);
    const plain = (data, n) => Array.from({ length: n }, (_, i) => data[i * 8]);
    assert.deepStrictEqual(Array.from(aequa.predict(plain, base.x).data), base.x.map((r) => r[0]));
  });
});

describe("bad input", () => {
  const fx = cases.find((c) => c.name === "tree_path_dependent");
  const model = fx.input.model;

  test("wrong feature count", () => {
    assert.throws(() => aequa.predict(model, [[1, 2, 3]]), {
      message: "x: the model expects 8 features, found 3 columns",
    });
    assert.throws(() => aequa.treeShap({ model, x: [[1, 2, 3]] }), {
      message: /X: .*8.*3/,
    });
  });

  test("ragged rows and a flat matrix of the wrong length", () => {
    assert.throws(() => aequa.predict(model, [[1, 2], [3]]), {
      message: "x: expected every row to have 2 values (as row 0), found 1 in row 1",
    });
    assert.throws(() => aequa.predict(model, { data: [1, 2, 3], nRows: 2, nCols: 2 }), {
      message: "x: expected data of length nRows × nCols = 2 × 2, found 3",
    });
  });

  test("NaN where the method needs finite values", () => {
    const x = fx.input.x.map((r) => r.slice());
    x[1][2] = NaN;
    assert.throws(() => aequa.exactShap({ model, x, background: fx.input.x }), {
      message: "X: expected finite numbers, found NaN at row 1; drop or impute missing values first",
    });
    const linear = cases.find((c) => c.name === "linear_logistic").input;
    const lx = linear.x.map((r) => r.slice());
    lx[2][5] = NaN;
    assert.throws(() => aequa.predict(linear.model, lx), {
      message: "x: a linear model needs finite values, found NaN at row 2, column 5; drop or impute missing values first",
    });
    // Trees take NaN as a missing value.
    assert.equal(aequa.predict(model, x).nRows, x.length);
    assert.throws(() => aequa.ks2samp({ data1: [1, NaN, 3], data2: [1, 2] }), {
      message: /data1/,
    });
  });

  test("malformed model JSON", () => {
    assert.throws(() => aequa.predict({ kind: "trees" }, fx.input.x), {
      message: /^model: malformed model JSON: missing field `n_features`/,
    });
    assert.throws(() => aequa.predict("{not json", fx.input.x), {
      message: /^model: malformed model JSON: key must be a string/,
    });
    assert.throws(() => aequa.predictJson('{"model": {"kind": "forest"}, "x": [[1]]}'), {
      message: /^model: malformed model JSON: unknown variant `forest`/,
    });
    assert.throws(() => aequa.treeShap({ x: fx.input.x }), {
      message: /^model: expected a native model/,
    });
  });

  test("unknown keys and wrong kinds of model", () => {
    assert.throws(() => aequa.treeShap({ model, x: fx.input.x, backgroud: fx.input.x }), {
      message: /^input: unknown field `backgroud`/,
    });
    assert.throws(() => aequa.treeShap({ model, x: fx.input.x, options: { seed: 1 } }), {
      message: /^input: unknown field `seed`/,
    });
    const linear = cases.find((c) => c.name === "linear_logistic").input.model;
    assert.throws(() => aequa.treeShap({ model: linear, x: [[1, 2, 3, 4, 5, 6, 7, 8]] }), {
      message: /tree/,
    });
    assert.throws(() => aequa.fgsm({ model, x: fx.input.x, options: { eps: 0.1 } }), {
      message: /gradient attacks need a native linear or logistic model, found a tree ensemble/,
    });
    assert.throws(() => aequa.treeShap("no"), { message: /^input: expected an object/ });
    assert.throws(() => aequa.exactShapJson("{"), { message: /^input: EOF while parsing/ });
  });
});

describe("loadModel", () => {
  test("normalises a native model's JSON", () => {
    const fx = cases.find((c) => c.name === "linear_logistic");
    const again = aequa.loadModel(fx.input.model);
    assert.deepStrictEqual(aequa.loadModel(again), again);
    assert.equal(again.kind, "linear");
    assert.deepStrictEqual(JSON.parse(aequa.loadModelJson(JSON.stringify(fx.input.model))), again);
  });
});
