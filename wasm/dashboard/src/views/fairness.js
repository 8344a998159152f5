// Fairness by group: metric and sensitive-feature pickers, a table of every metric per group
// (with bootstrap intervals when the report has them), a chart of the chosen metric with its
// intervals, the between-group gaps, and — when the bundle carries data with a score column —
// the decision-threshold slider that recomputes every group metric in WASM.
import { drawChart } from "../charts.js";
import { el, fmt, groupLabel, numberCell } from "../format.js";
import { columnsArgs, prepareData, relabel } from "../frame.js";
import { errorText } from "../messages.js";
import { colour } from "../palette.js";
import { runJob } from "../worker-client.js";

const ALL = "__all__";

export function fairnessView(root, { report, data, wasm, title, notify }) {
  const metrics = report.params.metrics;
  const featureNames = report.sensitive.map((f) => f.name);
  const prepared = data ? prepareData(data, report.sensitive) : null;
  const canonical = new Map();
  for (const m of metrics) {
    try { canonical.set(m, wasm.canonicalMetric(m)); } catch { /* a custom metric: not recomputable */ }
  }
  const state = {
    metric: metrics[0],
    features: ALL,
    threshold: prepared?.threshold ?? null,
    shown: report,
    recomputed: false,
  };

  const metricPick = el("select", { id: "metric-pick" },
    ...metrics.map((m) => el("option", { value: m }, m)));
  const featurePick = el("select", { id: "feature-pick" },
    el("option", { value: ALL }, featureNames.join(" × ") + (featureNames.length > 1 ? " (intersectional)" : "")),
    ...(prepared && featureNames.length > 1 ? featureNames.map((f) => el("option", { value: f }, f)) : []));
  featurePick.disabled = featurePick.options.length < 2;
  const controls = el("div", { className: "controls" },
    el("label", {}, "Metric ", metricPick),
    el("label", {}, " Sensitive feature ", featurePick));
  const slider = prepared && prepared.hasScore ? thresholdControl(prepared, state, update) : null;
  const chartBox = el("div", { className: "chart", id: "fairness-chart" });
  const gaps = el("div", { className: "gaps", id: "fairness-gaps" });
  const tableBox = el("div", { className: "table-wrap", id: "fairness-table" });
  const intervalsBox = el("div", { className: "intervals-note", id: "intervals-note" });
  const noData = prepared ? null : el("p", { className: "hint" },
    "This bundle carries no data columns, so the threshold slider and per-feature views are off. ",
    "Build the MetricFrame from scores with threshold=… in Python to enable them.");
  const scoreHint = prepared && !prepared.hasScore ? el("p", { className: "hint" },
    "The data holds hard predictions, not scores: the threshold slider needs a score column.") : null;
  root.append(...[el("h2", { id: "fairness-h" }, title), controls, slider?.node, noData, scoreHint,
    el("div", { className: "two-col" }, chartBox, el("div", {}, gaps, intervalsBox)), tableBox].filter(Boolean));

  metricPick.addEventListener("change", () => { state.metric = metricPick.value; render(); });
  featurePick.addEventListener("change", () => { state.features = featurePick.value; update(); });

  function update() {
    const original = state.features === ALL && (!prepared || state.threshold === prepared.threshold);
    if (original) {
      state.shown = report;
      state.recomputed = false;
      render();
      return;
    }
    try {
      const t0 = performance.now();
      const { args, finish } = plan(null);
      const computed = finish(wasm.metricFrameColumns(...columnsArgs(prepared, args)));
      const ms = performance.now() - t0;
      state.shown = computed;
      state.recomputed = true;
      render();
      slider?.timing(ms, prepared.n);
    } catch (e) {
      notify.error(`Could not recompute the group metrics: ${errorText(e)}`);
    }
  }

  /** The engine input for the current view, and how to turn the engine's report into ours. */
  function plan(bootstrap) {
    const names = metrics.filter((m) => canonical.has(m));
    const features = state.features === ALL ? featureNames : [state.features];
    const args = {
      metrics: [...new Set(names.map((m) => canonical.get(m)))],
      threshold: state.threshold, features, bootstrap,
    };
    return { args, finish: (r) => rename(relabel(r, prepared), names, canonical) };
  }

  function render() {
    const shown = state.shown;
    renderTable(tableBox, shown, metrics);
    renderChart(chartBox, shown, state.metric);
    renderGaps(gaps, shown, state.metric);
    renderIntervalsNote();
  }

  function renderIntervalsNote() {
    intervalsBox.replaceChildren();
    const boot = report.intervals;
    if (!boot || !state.recomputed || state.shown.intervals) return;
    const button = el("button", { type: "button", id: "recompute-intervals" },
      `Recompute intervals (${boot.n_boot} bootstrap replicates)`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const { args, finish } = plan({
          nBoot: boot.n_boot, ciQuantiles: boot.ci_quantiles,
          randomState: boot.random_state ?? 0, stratified: boot.resampling === "stratified",
        });
        const asked = [state.threshold, state.features];
        const raw = await runJob("metricFrameColumns", { args: columnsArgs(prepared, args) }, "Bootstrapping confidence intervals…");
        // The slider may have moved meanwhile: these intervals belong to the asked view only.
        if (asked[0] !== state.threshold || asked[1] !== state.features) return;
        state.shown = finish(raw);
        render();
        const how = ["rows", "stratified"].includes(boot.resampling) ? ""
          : ` (seeded row resampling; the exported intervals used "${boot.resampling}")`;
        notify.notice(`Intervals recomputed at the current threshold${how}.`);
      } catch (e) {
        notify.error(`Could not compute the intervals: ${errorText(e)}`);
        button.disabled = false;
      }
    });
    intervalsBox.append(el("p", { className: "hint" },
      "The intervals belong to the exported threshold; they are hidden while the values are recomputed."), button);
  }

  render();
  return { state };
}

/** Rename canonical metric keys back to the report's names (one canonical may serve several). */
function rename(report, names, canonical) {
  const fix = (values) => {
    const out = {};
    for (const m of names) out[m] = values[canonical.get(m)] ?? null;
    return out;
  };
  const rows = (v) => {
    v.overall.forEach((r) => { r.values = fix(r.values); });
    v.by_group.forEach((r) => { r.values = fix(r.values); });
    v.aggregates = v.aggregates.flatMap((a) => names.filter((m) => canonical.get(m) === a.metric)
      .map((m) => ({ ...a, metric: m })));
  };
  rows(report.values);
  if (report.intervals) report.intervals.quantiles.forEach(rows);
  report.params.metrics = names;
  return report;
}

function bounds(report) {
  const q = report.intervals?.quantiles;
  if (!q || q.length < 2) return null;
  return { lo: q[0], hi: q[q.length - 1], quantiles: report.intervals.ci_quantiles };
}

function find(rows, group, control = []) {
  const key = JSON.stringify(group);
  const ctl = JSON.stringify(control);
  return rows.find((r) => JSON.stringify(r.group) === key && JSON.stringify(r.control) === ctl);
}

/** A row's label: its group, after its control level when the report has control features. */
function rowLabel(row) {
  const group = row.group.length ? groupLabel(row.group) : "Overall";
  return row.control.length ? `${row.control.join(" × ")} | ${group}` : group;
}

function renderTable(box, report, metrics) {
  const ci = bounds(report);
  const sizes = new Map(report.sizes.map((s) => [JSON.stringify([s.control, s.group]), s.rows]));
  const head = el("tr", {}, el("th", { scope: "col" }, "Group"), el("th", { scope: "col" }, "Rows"),
    ...metrics.flatMap((m) => [
      el("th", { scope: "col" }, m),
      ...(ci ? [el("th", { scope: "col" }, `${m} ${fmtQ(ci.quantiles[0])}`), el("th", { scope: "col" }, `${m} ${fmtQ(ci.quantiles.at(-1))}`)] : []),
    ]));
  const body = [];
  const rowOf = (row, label, rows, kind) => {
    const key = JSON.stringify(row.group);
    const tr = el("tr", { dataset: { group: key, control: JSON.stringify(row.control), kind } }, el("th", { scope: "row" }, label),
      numberCell(rows ?? null, { metric: "rows", group: key }));
    for (const m of metrics) {
      tr.append(numberCell(row.values[m] ?? null, { metric: m, group: key }));
      if (ci) {
        const lo = find(kind === "overall" ? ci.lo.overall : ci.lo.by_group, row.group, row.control);
        const hi = find(kind === "overall" ? ci.hi.overall : ci.hi.by_group, row.group, row.control);
        tr.append(numberCell(lo?.values[m] ?? null, { metric: m, group: key, bound: "lo" }),
          numberCell(hi?.values[m] ?? null, { metric: m, group: key, bound: "hi" }));
      }
    }
    return tr;
  };
  const controlRows = (control) => report.sizes.filter((s) => JSON.stringify(s.control) === JSON.stringify(control)).reduce((n, s) => n + s.rows, 0);
  for (const row of report.values.overall) {
    body.push(rowOf(row, rowLabel(row), row.control.length ? controlRows(row.control) : report.params.n_rows, "overall"));
  }
  for (const row of report.values.by_group) {
    body.push(rowOf(row, rowLabel(row), sizes.get(JSON.stringify([row.control, row.group])), "group"));
  }
  const caption = el("caption", {}, `Metrics by ${report.sensitive.map((f) => f.name).join(" × ")}`
    + (report.params.threshold !== null ? ` at threshold ${fmt(report.params.threshold)}` : ""));
  box.replaceChildren(el("table", { className: "data" }, caption, el("thead", {}, head), el("tbody", {}, ...body)));
  const undef = report.undefined.filter((u) => u.group.length);
  if (undef.length) {
    box.append(el("details", {}, el("summary", {}, `${undef.length} undefined value(s) (shown as —)`),
      el("ul", {}, ...undef.slice(0, 50).map((u) => el("li", {}, `${groupLabel(u.group)} · ${u.metric}: ${u.reason}`)))));
  }
}

function fmtQ(q) {
  return `q${String(Number((q * 100).toPrecision(4)))}%`;
}

function renderChart(box, report, metric) {
  const rows = report.values.by_group;
  const ci = bounds(report);
  const errorBars = ci ? rows.map((r) => {
    const lo = find(ci.lo.by_group, r.group, r.control)?.values[metric];
    const hi = find(ci.hi.by_group, r.group, r.control)?.values[metric];
    return lo === undefined || hi === undefined ? null : [lo, hi];
  }) : null;
  const overall = report.values.overall.find((r) => r.control.length === 0)?.values[metric] ?? null;
  drawChart(box, {
    type: "bar",
    data: {
      labels: rows.map(rowLabel),
      datasets: [
        { label: metric, data: rows.map((r) => r.values[metric]), backgroundColor: colour(0), errorBars },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, plugins: {
      legend: { display: false },
      title: { display: true, text: `${metric} by group${ci ? " (whiskers: bootstrap interval)" : ""}${overall !== null ? `; dashed: overall ${fmt(overall)}` : ""}` },
      aequaReference: { value: overall, colour: colour(1) },
    } },
  }, `Bar chart of ${metric} by group`);
}

function renderGaps(box, report, metric) {
  const agg = report.values.aggregates.find((a) => a.metric === metric && a.control.length === 0);
  if (!agg) { box.replaceChildren(); return; }
  const item = (name, key) => el("tr", {}, el("th", { scope: "row" }, name), numberCell(agg[key], { metric, aggregate: key }));
  box.replaceChildren(el("table", { className: "data small" }, el("caption", {}, `Gaps in ${metric}`),
    el("tbody", {}, item("Lowest group", "group_min"), item("Highest group", "group_max"),
      item("Difference between groups", "difference_between_groups"),
      item("Ratio between groups", "ratio_between_groups"),
      item("Largest difference to overall", "difference_to_overall"))));
}

function thresholdControl(prepared, state, onChange) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of prepared.yPred) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo >= 0 && hi <= 1) { lo = 0; hi = 1; }
  const step = lo === 0 && hi === 1 ? 0.001 : (hi - lo) / 1000 || 1;
  const start = state.threshold ?? (lo + hi) / 2;
  state.threshold = start;
  const range = el("input", { type: "range", id: "threshold", min: String(lo), max: String(hi), step: String(step), value: String(start) });
  const number = el("input", { type: "number", id: "threshold-value", ariaLabel: "Threshold value", min: String(lo), max: String(hi), step: String(step), value: String(start) });
  range.setAttribute("aria-describedby", "threshold-status");
  const status = el("span", { id: "threshold-status", className: "status", role: "status" },
    `Exported at threshold ${fmt(prepared.threshold)}.`);
  const set = (v, from) => {
    if (!Number.isFinite(v)) return;
    state.threshold = v;
    if (from !== range) range.value = String(v);
    if (from !== number) number.value = String(v);
    onChange();
  };
  range.addEventListener("input", () => set(Number(range.value), range));
  // "input" as well as "change": a notebook may swallow the Enter that commits a number.
  const typed = () => {
    if (number.value.trim() !== "" && Number(number.value) !== state.threshold) set(Number(number.value), number);
  };
  number.addEventListener("input", typed);
  number.addEventListener("change", typed);
  const node = el("div", { className: "threshold" },
    el("label", {}, "Decision threshold (score ≥ t is positive) ", range),
    number, status);
  return {
    node,
    timing(ms, n) {
      status.dataset.ms = String(ms);
      status.textContent = `Recomputed ${n.toLocaleString("en")} rows in ${ms.toFixed(1)} ms (WASM).`;
    },
  };
}
