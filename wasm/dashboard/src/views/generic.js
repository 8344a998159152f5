// Reports without a dedicated view (partial dependence, ALE, flips, attacks): their scalar
// fields in a table and the full JSON on demand.
import { el } from "../format.js";

export function genericView(root, { report, title }) {
  const scalars = Object.entries(report).filter(([, v]) => v === null || typeof v !== "object");
  root.append(el("h2", {}, title),
    el("table", { className: "data small" }, el("tbody", {}, ...scalars.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, String(v)))))),
    el("details", {}, el("summary", {}, "Report JSON"), el("pre", {}, JSON.stringify(report, null, 1).slice(0, 200000))));
}
