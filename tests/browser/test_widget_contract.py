"""The widget under anywidget's front-end module contract (AFM), as VS Code's Jupyter renderer
uses it (VS Code cannot run headless here, so this contract test is its only coverage).

The page is a stand-in for a notebook output in a webview: an origin of its own with no server
behind it. The test takes the state Python syncs to any front end (``Dashboard.get_state()``:
the ``_esm`` text and the ``bundle``), loads ``_esm`` as anywidget does (a Blob URL, dynamic
``import``, the default export or the object a default function returns), calls
``initialize`` and ``render({model, el, signal})`` with a model offering only AFM's members
(``get``, ``set``, ``on``, ``off``, ``save_changes``, ``send``, ``widget_manager``), then
changes the ``bundle`` trait the way the model does (``set`` + ``change:bundle``) and
disposes the view (abort the signal, call the returned clean-up)."""

from __future__ import annotations

from typing import Any

from aequa._bundle import bundle_json
from aequa.widget import Dashboard
from conftest import Page
from expected import compare, frame_cells

ORIGIN = "https://vscode-webview.invalid/"
LOAD = """async ({ esm, state }) => {
  const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
  const mod = await import(url);
  URL.revokeObjectURL(url);
  const def = typeof mod.default === "function" ? await mod.default() : mod.default;
  const values = { ...state };
  const listeners = {};
  const afm = {
    get: (name) => values[name],
    set: (name, value) => { values[name] = value; },
    save_changes: () => {},
    send: () => {},
    on: (name, fn) => { (listeners[name] ??= []).push(fn); },
    off: (name, fn) => {
      for (const key of name ? [name] : Object.keys(listeners)) {
        listeners[key] = fn ? (listeners[key] ?? []).filter((f) => f !== fn) : [];
      }
    },
    widget_manager: {},
  };
  const outside = [];
  const model = new Proxy(afm, {
    get(target, key) {
      if (!(key in target) && typeof key === "string") outside.push(key);
      return target[key];
    },
  });
  const el = document.createElement("div");
  el.id = "host";
  document.body.append(el);
  const controller = new AbortController();
  if (def.initialize) await def.initialize({ model, experimental: {} });
  const cleanup = await def.render({ model, el, signal: controller.signal, experimental: {} });
  window.afm = { values, listeners, outside, cleanup, controller, model };
  return { moduleExports: Object.keys(mod), hasRender: typeof def.render };
}"""
CHANGE = """(bundle) => {
  const { model, listeners } = window.afm;
  model.set("bundle", bundle);
  for (const fn of listeners["change:bundle"] ?? []) fn(model, bundle);
  return (listeners["change:bundle"] ?? []).length;
}"""
DISPOSE = """() => {
  const { controller, cleanup, model, outside } = window.afm;
  controller.abort();
  if (typeof cleanup === "function") cleanup();
  model.off(null, null);
  return outside;
}"""


def test_widget_module_under_the_anywidget_contract(page: Page, audit):
    requests: list[str] = []

    def webview(route: Any) -> None:
        requests.append(route.request.url)
        if route.request.url == ORIGIN:
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><body>")
        else:
            route.abort()

    page.page.route("**/*", webview)
    page.page.goto(ORIGIN)
    widget = Dashboard(audit.mf)
    state = widget.get_state()
    assert state["_model_module"] == "anywidget" and state["_view_name"] == "AnyView"
    loaded = page.page.evaluate(LOAD, {"esm": state["_esm"], "state": {"bundle": state["bundle"]}})
    assert loaded == {"moduleExports": ["default"], "hasRender": "function"}
    host = "#host .aequa-dashboard"
    page.page.wait_for_selector(f"{host}[data-loaded=metric_frame]", timeout=30000)
    assert compare(page.cells(f"{host} #fairness-table"), frame_cells(audit.mf.report)) == []
    page.page.focus(f"{host} #threshold")
    page.page.keyboard.press("ArrowRight")
    page.wait_text(f"{host} #fairness-table caption", "endsWith", "threshold 0.501")
    # A new bundle through the trait: the view follows (here an explanation, coloured rows).
    explanation = audit.reports[1]
    assert page.page.evaluate(CHANGE, bundle_json(explanation._bundle())) == 1
    page.page.wait_for_selector(f"{host}[data-loaded=explanation]", timeout=30000)
    colours = page.page.eval_on_selector(
        f"{host} #beeswarm-chart canvas", "c => c.aequaChart.data.datasets[0].backgroundColor"
    )
    assert len(colours) == explanation.values.size and "#a0a0a0" not in colours
    page.screenshot("widget_contract")
    assert page.page.evaluate(DISPOSE) == []  # nothing outside AFM's model was touched
    assert requests == [ORIGIN]  # nothing fetched: the module carries its WASM and styles
