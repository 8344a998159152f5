// Drift per column from a `drift` report: the chosen test, its statistic against the threshold
// (or the adjusted p-value), and whether the column drifted.
import { drawChart } from "../charts.js";
import { el, numberCell } from "../format.js";
import { colour } from "../palette.js";

export function driftView(root, { report, title }) {
  const cols = report.overall.columns;
  const drifted = cols.filter((c) => c.drifted).length;
  const chartBox = el("div", { className: "chart", id: "drift-chart" });
  root.append(el("h2", {}, title),
    el("p", { className: "hint", id: "drift-summary" }, `${drifted} of ${cols.length} column(s) drifted (reference ${report.overall.n_reference} rows, current ${report.overall.n_current}).`),
    chartBox,
    el("div", { className: "table-wrap" }, el("table", { className: "data small", id: "drift-table" },
      el("thead", {}, el("tr", {}, ...["Column", "Test", "Statistic", "p-value (adjusted)", "Threshold", "Drifted"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...cols.map((c) => el("tr", { dataset: { column: c.column } }, el("th", { scope: "row" }, c.column), el("td", {}, c.test),
        numberCell(c.statistic, { column: c.column, field: "statistic" }),
        numberCell(c.p_value_adjusted ?? c.p_value, { column: c.column, field: "p_value" }),
        numberCell(c.threshold, { column: c.column, field: "threshold" }),
        el("td", { dataset: { column: c.column, field: "drifted" } }, c.drifted ? "yes" : "no")))))));
  drawChart(chartBox, {
    type: "bar",
    data: {
      labels: cols.map((c) => `${c.column} (${c.test})`),
      datasets: [{ label: "statistic", data: cols.map((c) => c.statistic), backgroundColor: cols.map((c) => (c.drifted ? colour(5) : colour(4))) }],
    },
    options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false }, title: { display: true, text: "Test statistic per column (vermillion: drifted)" } } },
  }, "Bar chart of the drift statistic per column");
}
