// The message area: errors and notices stay on the page (aria-live), never thrown. Each
// mounted dashboard has its own messenger (a notebook may show several widgets).
import { el } from "./format.js";

let last = null;

/** A messenger writing into `area`: {error, notice, clear}. */
export function messenger(area) {
  const show = (message, kind) => {
    const close = el("button", { type: "button", className: "close", ariaLabel: "Dismiss" }, "×");
    const box = el("div", { className: `message ${kind}`, role: kind === "error" ? "alert" : "status" },
      el("span", { className: "text" }, message), close);
    close.addEventListener("click", () => box.remove());
    area.replaceChildren(box);
  };
  last = {
    error: (message) => show(message, "error"),
    notice: (message) => show(message, "notice"),
    clear: () => area.replaceChildren(),
  };
  return last;
}

/** Show an error in the most recently mounted dashboard (for global handlers). */
export function showError(message) {
  last?.error(message);
}

/** The text of anything thrown (JS Error from the WASM module, string, ...). */
export function errorText(e) {
  if (e instanceof Error) return e.message;
  return String(e);
}
