// Jobs the worker runs with the WASM module. Each takes (wasm, args, progress).
export const jobs = {
  /** A MetricFrame with bootstrap intervals (seconds at 100k rows × hundreds of replicates). */
  metricFrame(wasm, { input }, progress) {
    progress("Bootstrapping confidence intervals…", null);
    return wasm.metricFrame(input);
  },
  /** Train a seeded model on the CSV's feature columns (needs the module's `trainModel`). */
  trainModel(wasm, { x, y, options }, progress) {
    if (typeof wasm.trainModel !== "function") {
      throw new Error("this build of the WASM module has no trainModel; load a model JSON or a CSV with a score column");
    }
    progress(`Training a ${options.kind ?? "model"} on ${y.length} rows…`, null);
    return wasm.trainModel(x, y, options);
  },
  /** Scores of a native model JSON on the CSV's feature columns (needs the module's `predict`). */
  predict(wasm, { model, x }, progress) {
    if (typeof wasm.predict !== "function") {
      throw new Error("this build of the WASM module has no predict; load a CSV with a score column instead");
    }
    progress(`Scoring ${x.length} rows…`, null);
    return wasm.predict(model, x);
  },
};
