// The Web Worker: long computations (CSV parsing, bootstrap intervals, training, prediction)
// run here so the page never freezes. It gets the WASM bytes from the page in its first
// message; every job answers {id, result} or {id, error}, with {id, progress} on the way.
import init, * as wasm from "../../pkg/aequa_wasm.js";
import { parseCsv } from "./csv.js";
import { jobs } from "./jobs.js";

let ready = null;

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    ready = init({ module_or_path: msg.wasm });
    return;
  }
  const progress = (text, fraction) => self.postMessage({ id: msg.id, progress: text, fraction });
  try {
    await ready;
    let result;
    if (msg.job === "parseCsv") result = parseCsv(msg.args.text, progress);
    else if (jobs[msg.job]) result = jobs[msg.job](wasm, msg.args, progress);
    else throw new Error(`unknown job ${msg.job}`);
    self.postMessage({ id: msg.id, result });
  } catch (e) {
    self.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
};
