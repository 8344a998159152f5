// The WASM module in Node: every golden fixture of fairlearn 0.15.0 / aif360 0.6.1
// (tests/golden/fairness/*.json) replayed through the JS API to 1e-12, bad input turned into
// JS Errors with the core's message (never a wasm trap), and seeded bootstraps reproducible.
// Run `scripts/build-wasm.sh` first (or `scripts/test-wasm.sh`, which does both).

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

const TOLERANCE = 1e-12;
const fixtureDir = join(root, "tests", "golden", "fairness");
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(fixtureDir, f), "utf8")));

// ---------------------------------------------------------------- fixture → JS input

const features = (pairs) => pairs.map(([name, values]) => ({ name, values }));

/** The JS input of a fixture (plain arrays, so it also serialises to JSON). */
function inputOf(fx, { metrics, control = true, bootstrap = null } = {}) {
  const i = fx.inputs;
  const input = {
    yTrue: i.y_true,
    yPred: i.y_pred,
    sensitiveFeatures: features(i.sensitive_features),
    options: { metrics, posLabel: i.pos_label, compat: "fairlearn" },
  };
  if (i.sample_weight !== null) input.sampleWeight = i.sample_weight;
  if (control && i.control_features !== null) input.controlFeatures = features(i.control_features);
  if (bootstrap !== null) {
    input.options.bootstrap = {
      nBoot: bootstrap.n_boot,
      ciQuantiles: bootstrap.ci_quantiles,
      randomState: bootstrap.random_state,
      stratified: false,
    };
    input.bootstrapIndices = bootstrap.indices;
  }
  return input;
}

/** The same input with typed-array columns, as browser code would hold them. */
function typed(input) {
  const out = { ...input, yTrue: Float64Array.from(input.yTrue), yPred: Float64Array.from(input.yPred) };
  if (input.sampleWeight) out.sampleWeight = Float64Array.from(input.sampleWeight);
  return out;
}

/** The fixture's metrics with aliases (recall_score) folded into canonical names. */
const canonicalMetrics = (fx) => [...new Set(fx.metrics.map((m) => aequa.canonicalMetric(m)))];

// ---------------------------------------------------------------- report lookup

const sameLabels = (a, b) => a.length === b.length && a.every((x, k) => x === b[k]);

/** The report's value of a fixture record; `quantity` is without its `_ci` decoration. */
function lookup(values, quantity, record) {
  const metric = aequa.canonicalMetric(record.metric);
  const control = record.control ?? [];
  const group = record.sensitive ?? [];
  const rowValue = (rows, g) => {
    const row = rows.find((r) => sameLabels(r.control, control) && sameLabels(r.group, g));
    return row === undefined ? undefined : row.values[metric];
  };
  if (quantity === "overall") return rowValue(values.overall, []);
  if (quantity === "by_group") return rowValue(values.by_group, group);
  const agg = values.aggregates.find((a) => sameLabels(a.control, control) && a.metric === metric);
  return agg === undefined ? undefined : agg[quantity];
}

/** `difference_ci[method=to_overall]` → `difference_to_overall`; `by_group_ci` → `by_group`. */
function ciQuantity(q) {
  const m = /^(.*)_ci(?:\[method=(\w+)\])?$/.exec(q);
  assert.ok(m, `unexpected bootstrap quantity ${q}`);
  return m[2] ? `${m[1]}_${m[2]}` : m[1];
}

/** Agreement to 1e-12 (absolute or relative); null meets null (NaN) and nothing else. */
function agrees(actual, expected) {
  if (expected === null) return actual === null;
  if (typeof actual !== "number") return false;
  const diff = Math.abs(actual - expected);
  return diff <= TOLERANCE || diff <= TOLERANCE * Math.abs(expected);
}

function checkAll(name, pairs) {
  const bad = pairs.filter(([record, actual]) => !agrees(actual, record.value));
  assert.ok(pairs.length > 0, `${name}: no records`);
  assert.deepEqual(
    bad.map(([r, a]) => `${JSON.stringify(r)} -> aequa ${a}`),
    [],
    `${name}: ${bad.length} of ${pairs.length} records disagree`,
  );
}

const isFrameQuantity = (q) => !q.includes("[") && !q.startsWith("aif360:");

// ---------------------------------------------------------------- golden replay

describe("golden fixtures (fairlearn 0.15.0, aif360 0.6.1)", () => {
  assert.ok(fixtures.length >= 8, "expected the 8 fairness fixtures");
  for (const fx of fixtures) {
    describe(fx.name, () => {
      const metrics = canonicalMetrics(fx);

      test("MetricFrame records match to 1e-12", () => {
        const report = aequa.metricFrame(typed(inputOf(fx, { metrics })));
        const pairs = fx.records
          .filter((r) => isFrameQuantity(r.quantity))
          .map((r) => [r, lookup(report.values, r.quantity, r)]);
        checkAll(fx.name, pairs);
      });

      test("metricFrame deep-equals JSON.parse(metricFrameJson)", () => {
        const input = inputOf(fx, { metrics });
        const fromJson = JSON.parse(aequa.metricFrameJson(JSON.stringify(input)));
        assert.deepStrictEqual(aequa.metricFrame(input), fromJson);
        assert.deepStrictEqual(aequa.metricFrame(typed(input)), fromJson);
      });

      if (fx.bootstrap) {
        test("bootstrap records match on fairlearn's own rows", () => {
          const b = fx.bootstrap;
          const report = aequa.metricFrame(inputOf(fx, { metrics, bootstrap: b }));
          assert.equal(report.intervals.resampling, "indices");
          const pairs = b.records.map((r) => {
            const q = b.ci_quantiles.indexOf(r.q);
            assert.ok(q >= 0, `quantile ${r.q} not requested`);
            return [r, lookup(report.intervals.quantiles[q], ciQuantity(r.quantity), r)];
          });
          checkAll(`${fx.name} bootstrap`, pairs);
        });
      }

      const standalone = fx.records.filter((r) => r.quantity.includes("[") && !r.quantity.startsWith("aif360:"));
      if (standalone.length > 0) {
        test("one-number disparities match fairlearn", () => {
          const rates = ["selection_rate", "true_positive_rate", "false_positive_rate"];
          const report = aequa.metricFrame(inputOf(fx, { metrics: rates, control: false }));
          const pairs = standalone.map((r) => {
            const m = /^(\w+)_(difference|ratio)\[method=(\w+)(?:,agg=(\w+))?\]$/.exec(r.quantity);
            assert.ok(m, `unexpected quantity ${r.quantity}`);
            const [, which, kind, method, agg = "worst_case"] = m;
            return [r, aequa.disparity(report, which, kind, method, agg)];
          });
          checkAll(`${fx.name} disparities`, pairs.map(([r, v]) => [r, Number.isNaN(v) ? null : v]));
        });
      }

      const aif = fx.records.filter((r) => r.quantity.startsWith("aif360:"));
      if (aif.length > 0) {
        test("AIF360 disparities match", () => {
          const input = inputOf(fx, { metrics, control: false });
          const out = aequa.referenceDisparities(input, aif[0].sensitive);
          assert.deepEqual(out.privileged, aif[0].sensitive);
          const pairs = aif.map((r) => {
            const name = r.quantity.slice("aif360:".length);
            return [r, out.values[name === "disparate_impact" ? "disparate_impact_ratio" : name]];
          });
          checkAll(`${fx.name} aif360`, pairs);
        });
      }
    });
  }
});

// ---------------------------------------------------------------- errors

const small = () => ({
  yTrue: [1, 0, 1, 1, 0, 1],
  yPred: [1, 0, 0, 1, 1, 1],
  sensitiveFeatures: [{ name: "sex", values: ["F", "F", "F", "M", "M", "M"] }],
  options: { metrics: ["selection_rate", "true_positive_rate"], minGroupSize: 1 },
});

/** `fn` must throw a plain JS Error (not a wasm trap) whose message matches `pattern`. */
function throwsClearly(fn, pattern) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, `not an Error: ${err}`);
    assert.ok(!(err instanceof WebAssembly.RuntimeError), `a wasm trap (panic): ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe("bad input gives a JS Error with the core's message", () => {
  test("length mismatch", () => {
    throwsClearly(() => aequa.metricFrame({ ...small(), yPred: [1, 0] }),
      /^y_pred: expected 6 rows \(the length of y_true\), found 2/);
    throwsClearly(() => aequa.metricFrame({ ...small(), sampleWeight: [1, 1] }),
      /^sample_weight: expected 6 rows/);
    throwsClearly(() => aequa.metricFrame({
      ...small(), sensitiveFeatures: [{ name: "sex", values: ["F", "M"] }],
    }), /sensitive_features column 'sex': expected 6 rows/);
  });

  test("NaN in y_pred", () => {
    const input = { ...small(), yPred: [1, NaN, 0, 1, 1, 1] };
    throwsClearly(() => aequa.metricFrame(input), /^y_pred: expected finite numbers, found NaN at row 1/);
    throwsClearly(() => aequa.metricFrame(typed(input)), /found NaN at row 1/);
  });

  test("unknown metric", () => {
    throwsClearly(() => aequa.metricFrame({ ...small(), options: { metrics: ["accuracy_scor"] } }),
      /^metrics: unknown metric 'accuracy_scor'; known metrics: .*accuracy_score/);
    throwsClearly(() => aequa.canonicalMetric("nope"), /unknown metric 'nope'/);
  });

  test("single group", () => {
    const input = { ...small(), sensitiveFeatures: [{ name: "sex", values: Array(6).fill("F") }] };
    throwsClearly(() => aequa.metricFrame(input), /^sensitive_features: found a single group \(F\)/);
  });

  test("malformed input objects and JSON", () => {
    throwsClearly(() => aequa.metricFrame(null), /^input: invalid type/);
    throwsClearly(() => aequa.metricFrame({ ...small(), ytrue: [1] }), /^input: unknown field `ytrue`, expected one of `yTrue`/);
    throwsClearly(() => aequa.metricFrameJson(JSON.stringify({ ...small(), ytrue: [1] })), /^input: unknown field `ytrue`/);
    throwsClearly(() => aequa.metricFrame({ ...small(), options: { posLable: 1 } }), /^options: unknown field `posLable`/);
    throwsClearly(() => aequa.metricFrame({
      ...small(), options: { bootstrap: { nBoot: 2, ciQuantiles: [0.5], randomState: 1, stratify: true } },
    }), /^bootstrap: unknown field `stratify`/);
    throwsClearly(() => aequa.metricFrame({
      ...small(), sensitiveFeatures: [{ name: "s", values: [1, 1, 1, 2, 2, 2], levels: [] }],
    }), /^sensitiveFeatures: unknown field `levels`/);
    throwsClearly(() => aequa.metricFrame({ ...small(), yTrue: undefined }), /missing field `yTrue`/);
    throwsClearly(() => aequa.metricFrameJson("{"), /^input: EOF while parsing/);
    throwsClearly(() => aequa.metricFrame({
      ...small(), sensitiveFeatures: [{ name: "g", values: [1, "a", 1, 1, 1, 1] }],
    }), /column 'g' mixes strings and numbers \(row 0 is 1\)/);
    throwsClearly(() => aequa.metricFrame({
      ...small(), sensitiveFeatures: [{ name: "g", values: [1, 2, NaN, 1, 2, 1] }],
    }), /column 'g' holds NaN at row 2/);
    throwsClearly(() => aequa.metricFrame({
      ...small(), sensitiveFeatures: [{ name: "g", values: [true, false, true, false, true, false] }],
    }), /^input: expected every value of a grouping column to be a string or a number/);
    throwsClearly(() => aequa.metricFrame({ ...small(), yTrue: [0, 1, 2, 0, 1, 2] }),
      /^y_true: binary metrics need at most two distinct labels/);
  });

  test("bad bootstrap parameters and indices", () => {
    const boot = { nBoot: 2, ciQuantiles: [0.5], randomState: 1 };
    const withBoot = { ...small(), options: { ...small().options, bootstrap: boot } };
    throwsClearly(() => aequa.metricFrame({ ...withBoot, bootstrapIndices: [[0, 1, 2, 3, 4, 5], [0]] }),
      /^bootstrap_indices: replicate 1 lists 1 rows/);
    throwsClearly(() => aequa.metricFrame({ ...withBoot, bootstrapIndices: [[0, 1, 2, 3, 4, 9], [0, 1, 2, 3, 4, 5]] }),
      /^bootstrap_indices: row index 9 is outside 0..6/);
    throwsClearly(() => aequa.metricFrame({ ...small(), bootstrapIndices: [[0, 1, 2, 3, 4, 5]] }),
      /^bootstrap_indices: given without bootstrap options/);
    throwsClearly(() => aequa.metricFrame({ ...small(), options: { bootstrap: { ...boot, nBoot: 0 } } }),
      /^n_boot: expected between 1 and 100000 replicates, found 0/);
  });

  test("the module still works after errors; optional keys may be undefined or null", () => {
    const report = aequa.metricFrame(small());
    const { options, ...bare } = small();
    const defaults = { ...bare, sampleWeight: undefined, controlFeatures: null, options: null };
    assert.deepEqual(aequa.metricFrame(defaults).params.metrics, ["selection_rate"]);
    assert.equal(report.values.aggregates[0].difference_between_groups, 1 - 1 / 3);
    assert.match(aequa.version(), /^\d+\.\d+\.\d+/);
  });

  test("long plain number arrays (copied in one call) read as typed arrays and JSON do", () => {
    const n = 200;
    const input = {
      yTrue: Array.from({ length: n }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0),
      yPred: Array.from({ length: n }, (_, i) => (i * 5) % 4 < 2 ? 1 : 0),
      sensitiveFeatures: [{ name: "g", values: Array.from({ length: n }, (_, i) => i % 3) }],
      options: { metrics: ["selection_rate", "accuracy"] },
    };
    const plain = aequa.metricFrame(input);
    assert.deepEqual(plain, aequa.metricFrame(typed(input)));
    assert.deepEqual(plain, JSON.parse(aequa.metricFrameJson(JSON.stringify(input))));
    // A NaN (not finite) takes the element-by-element path, to the same clear error.
    const withNaN = { ...input, yPred: input.yPred.map((v, i) => (i === 150 ? NaN : v)) };
    throwsClearly(() => aequa.metricFrame(withNaN), /^y_pred: expected finite numbers, found NaN at row 150/);
  });
});

// ---------------------------------------------------------------- determinism

describe("seeded bootstrap", () => {
  const fx = fixtures.find((f) => f.name === "synthetic_many_groups") ?? fixtures[0];
  const run = (randomState, stratified = false) => {
    const input = inputOf(fx, { metrics: ["selection_rate", "true_positive_rate"] });
    input.options.bootstrap = { nBoot: 25, ciQuantiles: [0.025, 0.5, 0.975], randomState, stratified };
    return aequa.metricFrameJson(JSON.stringify(input));
  };

  test("same seed, same JSON; different seed, different JSON", () => {
    const a = run(7);
    assert.equal(run(7), a);
    assert.notEqual(run(8), a);
    assert.equal(JSON.parse(a).intervals.random_state, 7);
  });

  test("stratified resampling keeps every group's size", () => {
    const input = inputOf(fx, { metrics: ["count"] });
    input.options.bootstrap = { nBoot: 10, ciQuantiles: [0, 1], randomState: 3, stratified: true };
    input.options.compat = "aequa";
    const report = aequa.metricFrame(input);
    assert.equal(report.intervals.resampling, "stratified");
    for (const q of report.intervals.quantiles) {
      q.by_group.forEach((row, k) => assert.equal(row.values.count, report.sizes[k].rows));
    }
    assert.equal(JSON.stringify(report), JSON.stringify(aequa.metricFrame(input)));
  });
});
