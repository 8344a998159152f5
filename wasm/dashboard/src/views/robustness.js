// Robustness curves from a `noise_stability` report: the flip rate against the noise budget,
// overall and for each sensitive group, with a table of the same numbers.
import { drawChart } from "../charts.js";
import { el, groupLabel, numberCell } from "../format.js";
import { colour } from "../palette.js";

export function robustnessView(root, { report, title }) {
  const budgets = report.budgets;
  const groups = report.by_group && report.by_group.length ? report.by_group[0].map((g) => g.group) : [];
  const series = [{ label: "overall", values: report.flip_rate }];
  groups.forEach((g, gi) => series.push({ label: groupLabel(g), values: budgets.map((_, b) => report.by_group[b][gi].values.flip_rate) }));
  const chartBox = el("div", { className: "chart", id: "robustness-chart" });
  root.append(el("h2", {}, title),
    el("p", { className: "hint" }, "Share of rows whose predicted label flips under random noise of each budget (in units of each feature's spread)."),
    chartBox,
    el("div", { className: "table-wrap" }, el("table", { className: "data small", id: "robustness-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Budget"), ...series.map((s) => el("th", { scope: "col" }, s.label)))),
      el("tbody", {}, ...budgets.map((b, bi) => el("tr", {}, el("th", { scope: "row" }, String(b)),
        ...series.map((s) => numberCell(s.values[bi], { series: s.label, budget: String(b) }))))))));
  drawChart(chartBox, {
    type: "line",
    data: { labels: budgets.map(String), datasets: series.map((s, i) => ({ label: s.label, data: s.values, borderColor: colour(i), backgroundColor: colour(i), borderDash: i === 0 ? [] : [4 + 2 * i, 3] })) },
    options: { maintainAspectRatio: false, scales: { x: { title: { display: true, text: "noise budget" } }, y: { title: { display: true, text: "flip rate" }, beginAtZero: true } } },
  }, "Line chart of flip rate against noise budget, by group");
}
