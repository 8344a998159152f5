// Explanations: global importance (mean |SHAP value|), a beeswarm-style summary (one dot per
// row and feature, jittered, coloured by the feature's value when the bundle carries the
// explained rows) and one row's waterfall, from an `explanation` report; and the importance
// bars (± one standard deviation) of a `permutation_importance` report.
import { drawChart } from "../charts.js";
import { el, fmt, numberCell } from "../format.js";
import { colour, GREY, NEGATIVE, POSITIVE, SEQUENTIAL_GRADIENT, sequential } from "../palette.js";

const MAX_DOTS = 1000;

/** `data`: the bundle entry's explained rows ({values, non_numeric}) or null (grey points). */
export function explanationView(root, { report, title, data = null, dataProblem = null }) {
  const [n, f, o] = report.shape;
  const names = report.feature_names;
  const value = (row, feature, output) => report.values[(row * f + feature) * o + output];
  const base = (row, output) => report.base_values[row * o + output];
  const outputPick = el("select", { id: "output-pick" },
    ...report.output_names.map((name, i) => el("option", { value: String(i) }, name)));
  outputPick.disabled = o < 2;
  const rowPick = el("input", { type: "number", id: "row-pick", min: "0", max: String(n - 1), step: "1", value: "0" });
  const importanceBox = el("div", { className: "chart", id: "importance-chart" });
  const swarmBox = el("div", { className: "chart tall", id: "beeswarm-chart" });
  const swarmNote = el("p", { className: "hint", id: "beeswarm-note" });
  const featureValue = (row, feature) => (data ? data.values[row][feature] : null);
  // Each feature's values as positions on the colour scale, 0 (low) to 1 (high).
  const positions = names.map((_, j) => scalePositions(Array.from({ length: n }, (_, i) => featureValue(i, j))));
  const legend = el("p", { className: "scale-legend", id: "beeswarm-legend" },
    el("span", {}, "feature value: low"),
    el("span", { className: "ramp", "aria-hidden": "true", style: `background: ${SEQUENTIAL_GRADIENT}` }),
    el("span", { className: "sr-only" }, " → "),
    el("span", {}, "high"),
    el("span", { className: "no-value" },
      el("span", { className: "swatch", "aria-hidden": "true", style: `background: ${GREY}` }), " no numeric value"));
  legend.hidden = data === null;
  legend.querySelector(".no-value").hidden = !positions.some((column) => column.includes(null));
  const waterfallBox = el("div", { className: "chart", id: "waterfall-chart" });
  const tableBox = el("div", { className: "table-wrap", id: "waterfall-table" });
  root.append(el("h2", {}, title),
    el("p", { className: "hint" }, `${report.method} on ${n} rows × ${f} features.`),
    el("div", { className: "controls" }, el("label", {}, "Output ", outputPick)),
    el("h3", {}, "Global importance (mean |SHAP value|)"), importanceBox,
    el("h3", {}, "Summary (each dot is one row)"), legend, swarmNote, swarmBox,
    el("h3", {}, "One row's waterfall"),
    el("div", { className: "controls" }, el("label", {}, `Row (0–${n - 1}) `, rowPick)),
    waterfallBox, tableBox);

  function render() {
    const out = Number(outputPick.value);
    const meanAbs = names.map((_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.abs(value(i, j, out));
      return s / n;
    });
    const order = names.map((_, j) => j).sort((a, b) => meanAbs[b] - meanAbs[a]);
    drawChart(importanceBox, {
      type: "bar",
      data: { labels: order.map((j) => names[j]), datasets: [{ label: "mean |SHAP value|", data: order.map((j) => meanAbs[j]), backgroundColor: colour(0) }] },
      options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } } },
    }, "Bar chart of global feature importance");
    importanceBox.dataset.values = JSON.stringify(Object.fromEntries(names.map((name, j) => [name, meanAbs[j]])));
    // At most MAX_DOTS rows in the summary (every k-th row) keeps the chart responsive.
    const stride = Math.ceil(n / MAX_DOTS);
    swarmNote.textContent = [stride > 1 ? `Every ${stride}th row: ${Math.ceil(n / stride)} of ${n} rows.` : "", colourNote(data, dataProblem)].filter(Boolean).join(" ");
    const points = [];
    const colours = [];
    order.forEach((j, rank) => {
      for (let i = 0; i < n; i += stride) {
        points.push({ x: value(i, j, out), y: rank + jitter(i, j), row: i, feature: names[j], value: featureValue(i, j) });
        const t = positions[j][i];
        colours.push(t === null ? GREY : sequential(t));
      }
    });
    const swarm = drawChart(swarmBox, {
      type: "scatter",
      data: { datasets: [{ label: "SHAP value", data: points, pointRadius: 2.5, backgroundColor: colours, borderColor: "rgba(0, 0, 0, 0.35)", borderWidth: 0.5 }] },
      options: {
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (c) => `${c.raw.feature} = ${c.raw.value === null ? "—" : fmt(c.raw.value)} (row ${c.raw.row}): SHAP value ${fmt(c.raw.x)}` } },
        },
        scales: {
          y: {
            reverse: true, min: -0.5, max: f - 0.5,
            afterBuildTicks: (axis) => { axis.ticks = order.map((_, rank) => ({ value: rank })); },
            ticks: { autoSkip: false, callback: (v) => names[order[v]] ?? "" },
          },
          x: { title: { display: true, text: "SHAP value (impact on the output)" } } },
      },
    }, data ? "Beeswarm summary of SHAP values per feature, each dot coloured by the feature's value (viridis: dark purple low, yellow high; grey none)" : "Beeswarm summary of SHAP values per feature");
    swarm.canvas.setAttribute("aria-describedby", "beeswarm-legend beeswarm-note");
    renderWaterfall(out);
  }

  function renderWaterfall(out) {
    const row = Math.min(n - 1, Math.max(0, Math.trunc(Number(rowPick.value)) || 0));
    // Labelled "feature = value" (as SHAP's waterfall) when the bundle carries the rows.
    const label = (name, j) => (featureValue(row, j) === null ? name : `${name} = ${fmt(featureValue(row, j))}`);
    const contributions = names.map((name, j) => ({ name, label: label(name, j), v: value(row, j, out) }))
      .sort((a, b) => Math.abs(b.v) - Math.abs(a.v));
    let at = base(row, out);
    const bars = [];
    for (const c of contributions) { bars.push([at, at + c.v]); at += c.v; }
    drawChart(waterfallBox, {
      type: "bar",
      data: {
        labels: contributions.map((c) => c.label),
        datasets: [{
          label: `row ${row}`,
          data: bars,
          backgroundColor: contributions.map((c) => (c.v >= 0 ? POSITIVE : NEGATIVE)),
        }],
      },
      options: {
        indexAxis: "y", maintainAspectRatio: false,
        plugins: { legend: { display: false }, title: { display: true, text: `From the base value ${fmt(base(row, out))} to the output ${fmt(at)} (vermillion raises, blue lowers)` } },
      },
    }, `Waterfall of row ${row}'s SHAP values`);
    tableBox.replaceChildren(el("table", { className: "data small" },
      el("caption", {}, `Row ${row}: base value ${fmt(base(row, out))}, output ${fmt(at)}`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Feature"), el("th", { scope: "col" }, "SHAP value"))),
      el("tbody", {}, el("tr", {}, el("th", { scope: "row" }, "base value"), numberCell(base(row, out), { feature: "__base__" })),
        ...contributions.map((c) => el("tr", {}, el("th", { scope: "row" }, c.label), numberCell(c.v, { feature: c.name }))))));
  }

  outputPick.addEventListener("change", render);
  rowPick.addEventListener("change", () => renderWaterfall(Number(outputPick.value)));
  render();
}

/**
 * Where each value sits on the colour scale: 0 (low) to 1 (high), null for no value. As SHAP's
 * beeswarm, the scale spans the 5th to 95th percentile (values beyond take the end colours) so
 * a few outliers do not wash out the rest; the full range when those percentiles coincide.
 */
export function scalePositions(column) {
  const sorted = column.filter((v) => v !== null).sort((a, b) => a - b);
  if (sorted.length === 0) return column.map(() => null);
  let lo = quantile(sorted, 0.05);
  let hi = quantile(sorted, 0.95);
  if (!(hi > lo)) [lo, hi] = [sorted[0], sorted[sorted.length - 1]];
  return column.map((v) => {
    if (v === null) return null;
    return hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5;
  });
}

/** The q-quantile of sorted numbers, linear between order statistics (numpy's default). */
function quantile(sorted, q) {
  const at = (sorted.length - 1) * q;
  const i = Math.floor(at);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (at - i) : sorted[i];
}

/** What the grey points mean, for the note above the beeswarm. */
function colourNote(data, problem) {
  if (problem) return `The bundle's explained rows are not usable (${problem}); the points are grey.`;
  if (!data) return "This bundle carries no feature values (an explanation without its rows, or a bundle from an older aequa): the points are grey.";
  const text = data.non_numeric ?? [];
  const noun = text.length === 1 ? "feature has" : "features have";
  return text.length ? `Grey points: ${text.join(", ")} (this ${noun} no numeric values) and missing values.` : "";
}

/** A fixed pseudo-random offset in [-0.35, 0.35] per (row, feature): the same picture every time. */
function jitter(i, j) {
  let h = (i * 374761393 + j * 668265263) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
  return ((h % 1000) / 1000 - 0.5) * 0.7;
}

export function permutationImportanceView(root, { report, title }) {
  const names = report.feature_names;
  const order = names.map((_, j) => j).sort((a, b) => report.importances_mean[b] - report.importances_mean[a]);
  const chartBox = el("div", { className: "chart", id: "permutation-chart" });
  const mean = report.importances_mean;
  const sd = report.importances_std;
  root.append(el("h2", {}, title),
    el("p", { className: "hint" }, `Drop in ${report.scoring} when a feature is shuffled (baseline ${fmt(report.baseline_score)}); bars show ± one standard deviation over ${report.params?.n_repeats ?? "the"} repeats.`),
    chartBox,
    el("div", { className: "table-wrap" }, el("table", { className: "data small", id: "permutation-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Feature"), el("th", { scope: "col" }, "Mean"), el("th", { scope: "col" }, "Std"))),
      el("tbody", {}, ...order.map((j) => el("tr", {}, el("th", { scope: "row" }, names[j]),
        numberCell(mean[j], { feature: names[j], stat: "mean" }), numberCell(sd[j], { feature: names[j], stat: "std" })))))));
  drawChart(chartBox, {
    type: "bar",
    data: { labels: order.map((j) => names[j]), datasets: [{ label: "importance", data: order.map((j) => mean[j]), backgroundColor: colour(2), errorBars: order.map((j) => (mean[j] === null || sd[j] === null ? null : [mean[j] - sd[j], mean[j] + sd[j]])) }] },
    options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } } },
  }, "Bar chart of permutation importance");
}
