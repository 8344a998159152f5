// The WASM engine on the main thread (fast calls such as the threshold recompute). The module's
// bytes are bundled into the script, so nothing is fetched: it works from file://.
import init, * as wasm from "../../pkg/aequa_wasm.js";
import wasmBytes from "../../pkg/aequa_wasm_bg.wasm";

let ready = null;

/** The initialised module's exports. */
export function loadEngine() {
  if (!ready) ready = init({ module_or_path: wasmBytes }).then(() => wasm);
  return ready;
}

export { wasmBytes };
