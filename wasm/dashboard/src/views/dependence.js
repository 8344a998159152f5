// Feature effects: partial dependence (one feature: a curve; two: one curve of the first per
// value of the second) and accumulated local effects (ALE against the bin edges).
import { drawChart } from "../charts.js";
import { el, fmt, numberCell } from "../format.js";
import { colour } from "../palette.js";

const MAX_CURVES = 8;

export function partialDependenceView(root, { report, title }) {
  const grids = report.grid_values;
  const names = report.feature_names;
  const chartBox = el("div", { className: "chart", id: "pd-chart" });
  const n0 = grids[0].length;
  const n1 = grids.length > 1 ? grids[1].length : 1;
  // `average` is outputs × grid(s), row-major; the first output is drawn.
  const at = (i, j) => report.average[i * n1 + j];
  const picks = n1 === 1 ? [0] : spread(n1, MAX_CURVES);
  const datasets = picks.map((j, k) => ({
    label: n1 === 1 ? "partial dependence" : `${names[1]} = ${fmt(grids[1][j])}`,
    data: grids[0].map((x, i) => ({ x, y: at(i, j) })),
    borderColor: colour(k), backgroundColor: colour(k), pointRadius: 0, showLine: true,
  }));
  root.append(el("h2", {}, title),
    el("p", { className: "hint" }, `Average model output as ${names.join(" and ")} vary over ${n0}${n1 > 1 ? ` × ${n1}` : ""} grid values (${report.params?.n_rows ?? "?"} rows).`),
    chartBox,
    n1 === 1 ? el("details", {}, el("summary", {}, "Values"), el("table", { className: "data small", id: "pd-table" },
      el("tbody", {}, ...grids[0].map((x, i) => el("tr", {}, numberCell(x, { role: "grid" }), numberCell(at(i, 0), { role: "average" })))))) : "");
  drawChart(chartBox, {
    type: "scatter",
    data: { datasets },
    options: { maintainAspectRatio: false, plugins: { legend: { display: n1 > 1 } }, scales: { x: { title: { display: true, text: names[0] } }, y: { title: { display: true, text: "average output" } } } },
  }, `Partial dependence on ${names.join(" and ")}`);
}

export function aleView(root, { report, title }) {
  const edges = report.edges;
  const ale = report.ale.slice(0, edges.length);
  const chartBox = el("div", { className: "chart", id: "ale-chart" });
  root.append(el("h2", {}, title),
    el("p", { className: "hint" }, `Accumulated local effect of ${report.feature_name} (centred), over ${edges.length - 1} bins.`),
    chartBox,
    el("details", {}, el("summary", {}, "Values"), el("table", { className: "data small", id: "ale-table" },
      el("tbody", {}, ...edges.map((x, i) => el("tr", {}, numberCell(x, { role: "edge" }), numberCell(ale[i], { role: "ale" })))))));
  drawChart(chartBox, {
    type: "scatter",
    data: { datasets: [{ label: "ALE", data: edges.map((x, i) => ({ x, y: ale[i] })), borderColor: colour(0), backgroundColor: colour(0), showLine: true }] },
    options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { title: { display: true, text: report.feature_name } }, y: { title: { display: true, text: "effect on the output" } } } },
  }, `Accumulated local effects of ${report.feature_name}`);
}

/** Up to `k` indices spread evenly over 0..n-1. */
function spread(n, k) {
  if (n <= k) return [...Array(n).keys()];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1))))];
}
