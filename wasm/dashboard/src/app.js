// The dashboard: mounts the loaders, the message area, the progress bar and one view per
// report of a bundle into a root element. The page (main.js) and the notebook widget
// (widget.js) both call `mountDashboard`.
import { KINDS, kindOf, parseBundle, titleOf, toBundle } from "./bundle.js";
import { loadEngine } from "./engine.js";
import { el } from "./format.js";
import { dropZone, fileKind, readText } from "./loaders.js";
import { errorText, messenger } from "./messages.js";
import { setProgressHandler, runJob } from "./worker-client.js";
import { csvPanel } from "./views/csv.js";
import { driftView } from "./views/drift.js";
import { explanationView, permutationImportanceView } from "./views/explain.js";
import { fairnessView } from "./views/fairness.js";
import { genericView } from "./views/generic.js";
import { robustnessView } from "./views/robustness.js";
import { aleView, partialDependenceView } from "./views/dependence.js";

const VIEWS = {
  metric_frame: fairnessView,
  explanation: explanationView,
  permutation_importance: permutationImportanceView,
  drift: driftView,
  noise_stability: robustnessView,
  partial_dependence: partialDependenceView,
  ale: aleView,
};

/** Build the dashboard inside `root`; show `bundle` (a parsed bundle or report) when given. */
export async function mountDashboard(root, { bundle = null, loaders = true } = {}) {
  root.classList.add("aequa-dashboard");
  const messages = el("div", { className: "messages", id: "messages", ariaLive: "polite" });
  const progressText = el("span", { id: "progress-text" });
  const progressBar = el("progress", { id: "progress-bar", max: "1" });
  const progress = el("div", { className: "progress", id: "progress", role: "status", hidden: true }, progressBar, progressText);
  const header = el("header", {}, el("h1", { id: "title" }, "aequa dashboard"), el("p", { className: "subtitle", id: "subtitle" }));
  const nav = el("nav", { id: "toc", ariaLabel: "Views" });
  const views = el("main", { id: "views" });
  const csvBox = el("section", { id: "csv-panel", className: "card", hidden: true });
  root.replaceChildren(header, loaders ? loadSection() : "", messages, progress, csvBox, nav, views);
  const notify = messenger(messages);
  setProgressHandler((text, fraction) => {
    progress.hidden = text === null;
    progressText.textContent = text ?? "";
    if (fraction === null || fraction === undefined) progressBar.removeAttribute("value");
    else progressBar.value = fraction;
  });
  let model = null;
  let wasm;
  try {
    wasm = await loadEngine();
  } catch (e) {
    notify.error(`The WASM engine failed to load: ${errorText(e)}`);
    return;
  }
  root.dataset.engine = wasm.version();
  if (bundle) show(bundle, "the embedded bundle");
  root.dataset.ready = "true";

  function show(doc, source) {
    let checked;
    try {
      checked = typeof doc === "string" ? parseBundle(doc, source) : toBundle(doc, source);
    } catch (e) {
      notify.error(errorText(e));
      return false;
    }
    const rendered = [];
    const sections = [];
    const links = [];
    checked.reports.forEach((entry, i) => {
      const section = el("section", { className: "card view", id: `view-${i}`, dataset: { kind: entry.kind } });
      const view = VIEWS[entry.kind] ?? genericView;
      const title = entry.title || titleOf(entry.kind);
      try {
        // A MetricFrame's view gets the bundle's slider columns; an explanation its explained rows.
        const data = { metric_frame: checked.data, explanation: entry.data ?? null }[entry.kind] ?? null;
        view(section, { report: entry.report, data, dataProblem: entry.dataProblem, wasm, title, notify });
      } catch (e) {
        section.replaceChildren(el("h2", {}, title), el("p", { className: "message error", role: "alert" }, `This ${entry.kind} report could not be shown: ${errorText(e)}`));
      }
      sections.push(section);
      links.push(el("a", { href: `#view-${i}` }, title));
      rendered.push(entry.kind);
    });
    if (checked.lineage) sections.unshift(lineageView(checked.lineage));
    views.replaceChildren(...sections);
    nav.replaceChildren(...links);
    header.querySelector("h1").textContent = checked.title || "aequa dashboard";
    header.querySelector("p").textContent = [checked.created && `created ${checked.created}`, checked.aequa_version && `aequa ${checked.aequa_version}`, `${checked.reports.length} report(s)`].filter(Boolean).join(" · ");
    if (checked.dataProblem) notify.notice(checked.dataProblem);
    root.dataset.loaded = rendered.join(",");
    // Milliseconds from navigation start to this render (read by the benchmark).
    root.dataset.renderMs = performance.now().toFixed(1);
    return true;
  }

  async function openFiles(files) {
    notify.clear();
    for (const file of files) {
      try {
        const kind = fileKind(file);
        if (kind === null) throw new Error(`${file.name}: expected a .json bundle/report/model or a .csv file`);
        const text = await readText(file);
        if (kind === "csv") await openCsv(text, file.name);
        else openJson(text, file.name);
      } catch (e) {
        notify.error(errorText(e));
      }
    }
  }

  function openJson(text, name) {
    let doc;
    try { doc = JSON.parse(text); } catch (e) {
      throw new Error(`${name} is not valid JSON (${e.message}); expected an aequa bundle, report or model`);
    }
    const isReport = doc && typeof doc === "object" && (doc.schema === "aequa.bundle" || KINDS.includes(kindOf(doc)));
    if (!isReport && !csvBox.hidden && doc && typeof doc.kind === "string") {
      openModel(text, name);
      return;
    }
    if (show(doc, name)) csvBox.hidden = true;
  }

  function openModel(text, name) {
    let doc;
    try { doc = JSON.parse(text); } catch (e) {
      throw new Error(`${name} is not valid JSON (${e.message}); expected a native model JSON (NativeModel.to_json() in Python)`);
    }
    if (!doc || typeof doc !== "object" || typeof doc.kind !== "string") {
      throw new Error(`${name} is not a native model JSON (no "kind"); export one with aequa.explain.to_native(model).to_json()`);
    }
    model = doc;
    notify.notice(csvBox.hidden
      ? `Model ${name} loaded; now load a CSV of its feature columns.`
      : `Model ${name} loaded; choose "the loaded model JSON" and press Assess.`);
  }

  async function openCsv(text, name) {
    const csv = await runJob("parseCsv", { text }, "Parsing CSV…");
    csvBox.hidden = false;
    csvPanel(csvBox, {
      csv, fileName: name, getModel: () => model, canTrain: typeof wasm.trainModel === "function",
      onBundle: (b) => { notify.clear(); show(b, name); },
      onError: (e) => notify.error(errorText(e)),
    });
  }

  function loadSection() {
    const bundlePick = el("input", { type: "file", id: "bundle-file", accept: ".json,application/json" });
    const csvPick = el("input", { type: "file", id: "csv-file", accept: ".csv,text/csv" });
    const modelPick = el("input", { type: "file", id: "model-file", accept: ".json,application/json" });
    const zone = el("div", { className: "drop", id: "drop-zone", tabIndex: 0, role: "button", ariaLabel: "Drop files here or press Enter to pick a bundle" },
      "Drop a bundle or report JSON here, or a CSV (plus a model JSON).");
    for (const pick of [bundlePick, csvPick]) {
      pick.addEventListener("change", () => { openFiles([...pick.files]); pick.value = ""; });
    }
    modelPick.addEventListener("change", async () => {
      const file = modelPick.files[0];
      modelPick.value = "";
      if (!file) return;
      notify.clear();
      try {
        openModel(await readText(file), file.name);
      } catch (e) {
        notify.error(errorText(e));
      }
    });
    dropZone(zone, bundlePick, openFiles);
    return el("section", { className: "card load", id: "load" },
      el("h2", {}, "Load"), zone,
      el("div", { className: "controls" },
        el("label", {}, "Bundle or report JSON ", bundlePick),
        el("label", {}, " CSV ", csvPick),
        el("label", {}, " Model JSON (optional) ", modelPick)));
  }

  return { show };
}

/** Where the numbers come from: the bundle's lineage (model and data fingerprints, seed). */
function lineageView(lineage) {
  const rows = [
    ["Model", lineage.model && `${lineage.model.kind ?? ""} ${lineage.model.fingerprint ?? ""}`.trim()],
    ["Data", lineage.data && `${lineage.data.rows ?? "?"} rows, ${(lineage.data.columns ?? []).length} columns, ${lineage.data.fingerprint ?? ""}`],
    ["Seed", lineage.seed ?? null],
    ["Library", lineage.library_version ?? null],
    ["Created", lineage.created ?? null],
    ["Parameters", lineage.parameters && Object.keys(lineage.parameters).length ? JSON.stringify(lineage.parameters) : null],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  return el("details", { className: "card lineage", id: "lineage" }, el("summary", {}, "Lineage"),
    el("table", { className: "data small" }, el("tbody", {}, ...rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", {}, String(v)))))));
}
