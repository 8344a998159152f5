// The bundle contract: parse a bundle JSON (or a bare report JSON) and check it, so every view
// can trust its shape. Every problem is an Error with a message meant for the page.

export const KINDS = [
  "metric_frame", "explanation", "permutation_importance", "partial_dependence", "ale",
  "drift", "noise_stability", "sensitive_flip", "attack",
];

/** Report kinds whose core name differs from the bundle's kind (attacks carry their name). */
const ALIASES = {
  accumulated_local_effects: "ale",
  fgsm: "attack",
  pgd: "attack",
  hop_skip_jump: "attack",
  minimal_perturbation: "attack",
  tree_minimal_perturbation: "attack",
};

/** The bundle kind of a report (its `kind`, or the bundle's name for it). */
export function kindOf(report) {
  return ALIASES[report.kind] ?? report.kind;
}

/** Parse text into a checked bundle. */
export function parseBundle(text, source = "the file") {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not valid JSON (${e.message}); expected an aequa bundle or report exported from Python`);
  }
  return toBundle(doc, source);
}

/** A parsed document (bundle or bare report) as a checked bundle. */
export function toBundle(doc, source = "the file") {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error(`${source}: expected a JSON object (an aequa bundle or report), found ${Array.isArray(doc) ? "an array" : typeof doc}`);
  }
  if (doc.schema === "aequa.bundle") return checkBundle(doc, source);
  if (typeof doc.kind === "string") {
    checkReport(doc, source);
    const kind = kindOf(doc);
    return {
      schema: "aequa.bundle", schema_version: 1, title: titleOf(kind), created: null,
      aequa_version: null, lineage: null,
      reports: [{ kind, title: titleOf(kind), report: doc }], data: null,
    };
  }
  throw new Error(`${source}: not an aequa bundle or report (expected "schema": "aequa.bundle" or a report with a "kind" such as "metric_frame")`);
}

function checkBundle(doc, source) {
  if (doc.schema_version !== 1) {
    throw new Error(`${source}: bundle schema_version ${JSON.stringify(doc.schema_version)} is not supported (this dashboard reads version 1); export it again with this aequa version`);
  }
  if (!Array.isArray(doc.reports)) {
    throw new Error(`${source}: the bundle's "reports" must be a list, found ${typeof doc.reports}`);
  }
  doc.reports.forEach((entry, i) => {
    if (!entry || typeof entry !== "object" || !entry.report) {
      throw new Error(`${source}: reports[${i}] must be {"kind", "title", "report"}`);
    }
    if (entry.kind !== kindOf(entry.report)) {
      throw new Error(`${source}: reports[${i}] says kind "${entry.kind}" but holds a "${entry.report.kind}" report`);
    }
    checkReport(entry.report, `${source}: reports[${i}]`);
    if (entry.kind === "explanation" && entry.data !== undefined && entry.data !== null) {
      // Bad explained rows grey the beeswarm's points; the report still shows.
      try {
        checkExplainedRows(entry.data, entry.report.shape);
      } catch (e) {
        entry.dataProblem = e.message;
        entry.data = null;
      }
    }
  });
  if (doc.data) {
    // Bad data columns turn the slider off; the reports still show.
    try {
      checkData(doc.data, source);
    } catch (e) {
      doc.dataProblem = `${e.message}; the threshold slider and per-feature views are off`;
      doc.data = null;
    }
  }
  return doc;
}

function checkReport(report, where) {
  if (!KINDS.includes(kindOf(report))) {
    throw new Error(`${where}: unknown report kind "${report.kind}" (expected one of ${KINDS.join(", ")})`);
  }
  if (typeof report.schema_version !== "number") {
    throw new Error(`${where}: the ${report.kind} report has no schema_version`);
  }
  const need = {
    metric_frame: ["params", "sensitive", "values", "sizes"],
    explanation: ["shape", "values", "base_values", "feature_names"],
    permutation_importance: ["feature_names", "importances_mean", "importances_std"],
    drift: ["overall"],
    noise_stability: ["budgets", "flip_rate"],
    partial_dependence: ["grid_values", "feature_names", "average"],
    ale: ["edges", "ale", "feature_name"],
  }[kindOf(report)] || [];
  for (const key of need) {
    if (report[key] === undefined) {
      throw new Error(`${where}: the ${report.kind} report lacks "${key}"`);
    }
  }
  if (report.kind === "explanation") {
    const [n, f, o] = report.shape;
    if (report.values.length !== n * f * o) {
      throw new Error(`${where}: explanation values hold ${report.values.length} numbers, shape ${JSON.stringify(report.shape)} needs ${n * f * o}`);
    }
  }
}

/** An explanation entry's `data`: the explained rows, one list of numbers (or null) per row. */
export function checkExplainedRows(data, [rows, features]) {
  if (!Array.isArray(data.values) || data.values.length !== rows) {
    throw new Error(`its "data" must hold the ${rows} explained rows, found ${Array.isArray(data.values) ? data.values.length : typeof data.values}`);
  }
  data.values.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== features) {
      throw new Error(`its "data" row ${i} must hold ${features} values, found ${Array.isArray(row) ? row.length : typeof row}`);
    }
    const bad = row.findIndex((v) => v !== null && (typeof v !== "number" || !Number.isFinite(v)));
    if (bad >= 0) throw new Error(`its "data" row ${i} holds ${JSON.stringify(row[bad])}; expected numbers or null`);
  });
  if (data.non_numeric !== undefined && !Array.isArray(data.non_numeric)) {
    throw new Error(`its "data".non_numeric must be a list of feature names`);
  }
}

/** The slider's columns: label, score or prediction, sensitive columns of one length. */
export function checkData(data, source = "the bundle") {
  const cols = data.columns;
  if (!cols || typeof cols !== "object") throw new Error(`${source}: data.columns must be an object of columns`);
  const names = [data.label, data.score ?? data.prediction, ...(data.sensitive || [])];
  if (!data.label) throw new Error(`${source}: data.label names no column`);
  if (!(data.score ?? data.prediction)) throw new Error(`${source}: data needs a "score" or "prediction" column`);
  if (!Array.isArray(data.sensitive) || data.sensitive.length === 0) {
    throw new Error(`${source}: data.sensitive must list at least one column`);
  }
  let n = null;
  for (const name of names) {
    const col = cols[name];
    if (!Array.isArray(col)) throw new Error(`${source}: data names column "${name}" but data.columns has no such column`);
    if (n === null) n = col.length;
    if (col.length !== n) throw new Error(`${source}: column "${name}" has ${col.length} values, "${names[0]}" has ${n}; every column needs one value per row`);
  }
  for (const name of [data.label, data.score ?? data.prediction]) {
    const bad = cols[name].findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${source}: column "${name}" must be numeric, found ${JSON.stringify(cols[name][bad])} at row ${bad}`);
  }
}

export function titleOf(kind) {
  return {
    metric_frame: "Fairness by group", explanation: "Explanation (SHAP values)",
    permutation_importance: "Permutation importance", partial_dependence: "Partial dependence",
    ale: "Accumulated local effects", drift: "Drift", noise_stability: "Robustness to noise",
    sensitive_flip: "Sensitive-attribute flips", attack: "Adversarial attack",
  }[kind] || kind;
}
