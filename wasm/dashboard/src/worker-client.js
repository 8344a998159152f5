// The page's side of the worker: started from a Blob URL (no file to fetch, so file:// works),
// jobs as promises, progress shown in the progress bar.
import workerSource from "virtual:worker-source";
import { wasmBytes } from "./engine.js";

let worker = null;
let next = 1;
const pending = new Map();
let onProgress = () => {};

export function setProgressHandler(fn) {
  onProgress = fn;
}

function start() {
  const url = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
  worker = new Worker(url);
  worker.onmessage = (event) => {
    const msg = event.data;
    const job = pending.get(msg.id);
    if (!job) return;
    if (msg.progress !== undefined) {
      onProgress(msg.progress, msg.fraction);
      return;
    }
    pending.delete(msg.id);
    onProgress(null);
    if (msg.error !== undefined) job.reject(new Error(msg.error));
    else job.resolve(msg.result);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    for (const job of pending.values()) job.reject(new Error(`the worker failed: ${event.message}`));
    pending.clear();
    onProgress(null);
  };
  worker.postMessage({ type: "init", wasm: wasmBytes.slice() });
}

/** Run `job` in the worker with `args`; resolves with its result. */
export function runJob(job, args, label) {
  if (!worker) start();
  const id = next++;
  onProgress(label ?? "Working…", null);
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, job, args });
  });
}
