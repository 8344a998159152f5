// The message area: errors and notices stay on the page (aria-live), never thrown.
import { el } from "./format.js";

let area = null;

export function attachMessages(node) {
  area = node;
}

/** Show an error message (replaces the previous one). */
export function showError(message) {
  show(message, "error");
}

export function showNotice(message) {
  show(message, "notice");
}

export function clearMessages() {
  if (area) area.replaceChildren();
}

function show(message, kind) {
  if (!area) return;
  const close = el("button", { type: "button", className: "close", ariaLabel: "Dismiss" }, "×");
  const box = el("div", { className: `message ${kind}`, role: kind === "error" ? "alert" : "status" },
    el("span", { className: "text" }, message), close);
  close.addEventListener("click", () => box.remove());
  area.replaceChildren(box);
}

/** The text of anything thrown (JS Error from the WASM module, string, ...). */
export function errorText(e) {
  if (e instanceof Error) return e.message;
  return String(e);
}
