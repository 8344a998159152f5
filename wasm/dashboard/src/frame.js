// MetricFrame inputs for the WASM engine from the bundle's data columns. Sensitive values are
// passed as integer codes (cheap to hand to WASM) and the report's group labels are mapped
// back, so a recompute at 100k rows stays fast.

/** Prepared columns: typed label and score arrays, coded sensitive features (computed once). */
export function prepareData(data, levelsHint = []) {
  const cols = data.columns;
  const hint = new Map(levelsHint.map((f) => [f.name, f.levels]));
  const features = data.sensitive.map((name) => {
    const values = cols[name];
    const seen = [...new Set(values.map(String))];
    const order = hint.get(name);
    const levels = order && seen.every((v) => order.includes(v))
      ? order.filter((v) => seen.includes(v))
      : seen.sort((a, b) => compareLevels(a, b));
    const index = new Map(levels.map((l, i) => [l, i]));
    const codes = Uint32Array.from(values, (v) => index.get(String(v)));
    return { name, levels, codes };
  });
  const scoreName = data.score ?? data.prediction;
  return {
    n: cols[data.label].length,
    yTrue: Float64Array.from(cols[data.label]),
    yPred: Float64Array.from(cols[scoreName]),
    hasScore: Boolean(data.score),
    threshold: data.threshold ?? null,
    posLabel: data.pos_label ?? null,
    features,
  };
}

function compareLevels(a, b) {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y) && a.trim() !== "" && b.trim() !== "") return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function frameOptions(prepared, metrics, threshold) {
  const options = { metrics };
  if (prepared.hasScore) options.threshold = threshold;
  if (prepared.posLabel !== null) options.posLabel = prepared.posLabel;
  return options;
}

/** The arguments of `metricFrameColumns` for the chosen sensitive features (names). */
export function columnsArgs(prepared, { metrics, threshold, features, bootstrap }) {
  const chosen = prepared.features.filter((f) => features.includes(f.name));
  const key = chosen.map((f) => f.name).join("\u0000");
  if (prepared.codesKey !== key) {
    const codes = new Uint32Array(prepared.n * chosen.length);
    chosen.forEach((f, i) => codes.set(f.codes, i * prepared.n));
    prepared.codes = codes;
    prepared.codesKey = key;
  }
  const options = frameOptions(prepared, metrics, threshold);
  if (bootstrap) options.bootstrap = bootstrap;
  const levels = chosen.map((f) => ({ name: f.name, levels: f.levels.map((_, i) => String(i)) }));
  return [prepared.yTrue, prepared.yPred, prepared.codes, levels, options];
}

/** Replace the code labels ("0", "1", ...) in a report computed from codes by the levels. */
export function relabel(report, prepared) {
  const byName = new Map(prepared.features.map((f) => [f.name, f.levels]));
  const names = report.sensitive.map((f) => f.name);
  const map = (group) => group.map((code, i) => byName.get(names[i])[Number(code)] ?? code);
  report.sensitive = report.sensitive.map((f) => ({ name: f.name, levels: f.levels.map((c) => byName.get(f.name)[Number(c)] ?? c) }));
  const rows = (values) => values.by_group.forEach((r) => { r.group = map(r.group); });
  rows(report.values);
  report.sizes.forEach((s) => { s.group = map(s.group); });
  report.undefined.forEach((u) => { u.group = map(u.group); });
  if (report.intervals) report.intervals.quantiles.forEach(rows);
  return report;
}
