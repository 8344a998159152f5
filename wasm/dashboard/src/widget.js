// The notebook widget (anywidget): the same dashboard, its bundle from the `bundle` trait.
import { mountDashboard } from "./app.js";
import css from "./style.css";

function render({ model, el }) {
  const style = document.createElement("style");
  style.textContent = css;
  const root = document.createElement("div");
  el.replaceChildren(style, root);
  const load = () => mountDashboard(root, { bundle: model.get("bundle") || null, loaders: false });
  load();
  model.on("change:bundle", load);
}

export default { render };
