// A CSV in, a bundle out: column pickers for the label, the score or prediction and the
// sensitive features; or a native model JSON scoring the feature columns; or a model trained
// in the browser (seeded). The assessment runs in the worker.
import { el } from "../format.js";
import { runJob } from "../worker-client.js";

export const DEFAULT_METRICS = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score", "count"];

export function csvPanel(root, { csv, fileName, getModel, canTrain, onBundle, onError }) {
  const { names, numeric } = csv;
  const numericNames = names.filter((n) => numeric[n]);
  const guess = (re, list) => list.find((n) => re.test(n)) ?? list[0];
  const select = (id, list, value) => el("select", { id }, ...list.map((n) => el("option", { value: n, selected: n === value }, n)));
  const label = select("csv-label", names, guess(/^(label|y|target|y_true)$/i, names));
  const score = select("csv-score", names, guess(/score|prob|pred/i, numericNames));
  const source = el("select", { id: "csv-source" },
    el("option", { value: "score" }, "a score column (threshold slider)"),
    el("option", { value: "prediction" }, "a prediction column (0/1)"),
    el("option", { value: "model" }, "the loaded model JSON"),
    el("option", { value: "train", disabled: !canTrain }, canTrain ? "a model trained here" : "a model trained here (not in this build)"));
  const checks = (cls, list, on) => el("fieldset", { className: cls },
    ...list.map((n) => el("label", {}, el("input", { type: "checkbox", value: n, checked: on(n) }), ` ${n}`)));
  const sensitive = checks("csv-sensitive", names, (n) => /^(sex|gender|race|age_group|group)$/i.test(n));
  sensitive.prepend(el("legend", {}, "Sensitive features"));
  const features = checks("csv-features", numericNames, () => true);
  features.prepend(el("legend", {}, "Model features (numeric columns)"));
  const modelKind = el("select", { id: "csv-model-kind" },
    el("option", { value: "logistic_regression" }, "logistic regression"),
    el("option", { value: "random_forest" }, "random forest"));
  const seed = el("input", { type: "number", id: "csv-seed", value: "0", min: "0", step: "1" });
  const go = el("button", { type: "button", id: "csv-assess" }, "Assess");
  root.replaceChildren(el("h2", {}, `Audit ${fileName} (${csv.rows.toLocaleString("en")} rows)`),
    el("div", { className: "controls" },
      el("label", {}, "Label ", label),
      el("label", {}, " Decisions from ", source),
      el("label", {}, " Score / prediction column ", score)),
    sensitive, features,
    el("div", { className: "controls" }, el("label", {}, "Model to train ", modelKind),
      el("label", {}, " Seed ", seed)), go);
  const download = el("p", { className: "hint", id: "trained-model-box" });
  root.append(download);
  /** A link to the trained model's native JSON (loadable in Python with NativeModel). */
  function offerDownload(model) {
    download.replaceChildren();
    if (!model) {
      download.append("The random forest predicts labels (no scores), so the threshold slider is off; it stays in this page.");
      return;
    }
    const url = URL.createObjectURL(new Blob([JSON.stringify(model)], { type: "application/json" }));
    download.append(el("a", { href: url, download: "trained-model.json", id: "trained-model" }, "Download the trained model (native JSON)"));
  }
  const chosen = (box) => [...box.querySelectorAll("input:checked")].map((i) => i.value);

  go.addEventListener("click", async () => {
    go.disabled = true;
    try {
      onBundle(await assess());
    } catch (e) {
      onError(e);
    } finally {
      go.disabled = false;
    }
  });

  function column(name, role) {
    if (!numeric[name]) {
      const bad = csv.columns[name].find((v) => v.trim() === "" || !Number.isFinite(Number(v)));
      throw new Error(`the ${role} column "${name}" must be numeric, found ${JSON.stringify(bad)}; pick a numeric column`);
    }
    return csv.columns[name];
  }

  async function assess() {
    const sens = chosen(sensitive);
    if (sens.length === 0) throw new Error("pick at least one sensitive feature");
    const y = column(label.value, "label");
    const mode = source.value;
    let hardLabels = mode === "prediction";
    let scoreName = score.value;
    const columns = { [label.value]: y };
    for (const s of sens) columns[s] = csv.columns[s];
    if (mode === "score" || mode === "prediction") {
      columns[scoreName] = column(scoreName, mode);
    } else {
      const feats = chosen(features).filter((f) => f !== label.value);
      if (feats.length === 0) throw new Error("pick at least one numeric model feature");
      const cols = feats.map((f) => column(f, "feature"));
      const x = { data: new Float64Array(y.length * cols.length), nRows: y.length, nCols: cols.length };
      cols.forEach((c, j) => { for (let i = 0; i < y.length; i++) x.data[i * cols.length + j] = c[i]; });
      let scores;
      if (mode === "model") {
        const model = getModel();
        if (!model) throw new Error("load a model JSON first (the Model JSON picker), or choose another source");
        try {
          scores = await runJob("predict", { model, x }, "Scoring…");
        } catch (e) {
          throw new Error(`the model does not fit this CSV's ${feats.length} feature column(s) (${feats.join(", ")}): ${e.message}`);
        }
      } else {
        const trained = await runJob("trainAndScore", { x, y, kind: modelKind.value, seed: Number(seed.value) || 0 }, "Training…");
        scores = trained.values;
        hardLabels = trained.labels;
        offerDownload(trained.model);
      }
      scoreName = "model_score";
      columns[scoreName] = Array.from(scores);
    }
    // Probabilities are cut at 0.5; other scores (a decision function) at 0.
    const probabilities = columns[scoreName].every((v) => v >= 0 && v <= 1);
    const data = {
      label: label.value, score: hardLabels ? null : scoreName, prediction: hardLabels ? scoreName : null,
      threshold: hardLabels ? null : probabilities ? 0.5 : 0, pos_label: 1, sensitive: sens, columns,
    };
    const input = {
      yTrue: Float64Array.from(y), yPred: Float64Array.from(columns[scoreName]),
      sensitiveFeatures: sens.map((s) => ({ name: s, values: csv.columns[s] })),
      options: { metrics: DEFAULT_METRICS, ...(data.threshold !== null ? { threshold: data.threshold } : {}) },
    };
    const report = await runJob("metricFrame", { input }, "Assessing fairness…");
    return {
      schema: "aequa.bundle", schema_version: 1, title: `Audit of ${fileName}`, created: new Date().toISOString(),
      aequa_version: null, lineage: null,
      reports: [{ kind: "metric_frame", title: "Fairness by group", report }], data,
    };
  }
}
