// The notebook widget (anywidget): the same dashboard, its bundle from the `bundle` trait.
import { mountDashboard } from "./app.js";
import css from "./style.css";

function render({ model, el }) {
  const style = document.createElement("style");
  style.textContent = css;
  const root = document.createElement("div");
  // Keys typed in the dashboard (arrows on the slider, Enter in a number) are the dashboard's,
  // not the notebook's shortcuts. Lumino (JupyterLab, Notebook 7) matches a shortcut's selector
  // from the focused element up and stops at an element marked so: the root is marked, and so
  // is every element as it takes focus (Notebook 7's command-mode ArrowLeft/Right selector
  // `.jp-Notebook.jp-mod-commandMode :focus` matches the focused slider itself). The keydown
  // also stops here for front ends that listen while it bubbles.
  root.dataset.lmSuppressShortcuts = "true";
  root.addEventListener("focusin", (event) => {
    if (event.target instanceof Element) event.target.setAttribute("data-lm-suppress-shortcuts", "true");
  });
  root.addEventListener("keydown", (event) => event.stopPropagation());
  el.replaceChildren(style, root);
  const load = () => mountDashboard(root, { bundle: model.get("bundle") || null, loaders: false });
  load();
  model.on("change:bundle", load);
}

export default { render };
