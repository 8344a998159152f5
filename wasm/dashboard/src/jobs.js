// Jobs the worker runs with the WASM module. Each takes (wasm, args, progress).
export const jobs = {
  /** A MetricFrame of an input object (the CSV audit). */
  metricFrame(wasm, { input }, progress) {
    progress("Assessing fairness…", null);
    return wasm.metricFrame(input);
  },
  /** A MetricFrame of typed columns, with bootstrap intervals (seconds at 100k rows). */
  metricFrameColumns(wasm, { args }, progress) {
    progress("Bootstrapping confidence intervals…", null);
    return wasm.metricFrameColumns(...args);
  },
  /**
   * Train a seeded model on the CSV's feature columns and score the same rows (the module's
   * `trainModel` and `predict`). A logistic regression gives probabilities (and its native
   * JSON, returned for download); a random forest comes back as a function predicting labels,
   * which cannot leave the worker, so only its predictions do.
   */
  trainAndScore(wasm, { x, y, kind, seed }, progress) {
    if (typeof wasm.trainModel !== "function") {
      throw new Error("this build of the WASM module has no trainModel; load a model JSON or a CSV with a score column");
    }
    progress(`Training a ${kind.replace("_", " ")} on ${y.length} rows…`, null);
    const model = wasm.trainModel({ x, y, kind, randomState: seed });
    progress(`Scoring ${y.length} rows…`, null);
    const native = typeof model !== "function";
    return { values: scoreColumn(wasm.predict(model, x)), labels: !native, model: native ? model : null };
  },
  /** Scores of a native model JSON on the CSV's feature columns (the module's `predict`). */
  predict(wasm, { model, x }, progress) {
    progress(`Scoring ${x.nRows} rows…`, null);
    return scoreColumn(wasm.predict(model, x));
  },
};

/** One score per row: the single output, or the positive class of two. */
function scoreColumn(out) {
  const data = Array.from(out.data);
  if (out.nCols === 1) return data;
  if (out.nCols === 2) return data.filter((_, i) => i % 2 === 1);
  throw new Error(`the model has ${out.nCols} outputs; the dashboard audits one score (or two class probabilities)`);
}
