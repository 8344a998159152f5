// The page's entry: the dashboard with the bundle embedded in the page, if any.
import { mountDashboard } from "./app.js";
import { showError } from "./messages.js";
import "./style.css";

function embedded() {
  const node = document.getElementById("aequa-bundle");
  const text = node?.textContent.trim() ?? "";
  return text === "" || text === "null" ? null : text;
}

window.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  showError(`Unexpected error: ${e.reason?.message ?? e.reason}`);
});

mountDashboard(document.getElementById("app"), { bundle: embedded() });
