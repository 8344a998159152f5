"""The notebook widget's front end (dist/widget.js, the ES module anywidget loads) in Chromium:
rendered with a stand-in for anywidget's model, it shows the report Python sent, and the
threshold slider recomputes in WASM as on the page."""

from __future__ import annotations

import json

from aequa.widget import Dashboard
from conftest import Page
from expected import compare, frame_cells

RENDER = """async (bundle) => {
  const mod = await import('/widget.js');
  const listeners = {};
  const model = { get: (k) => (k === 'bundle' ? bundle : null),
                  on: (name, fn) => { listeners[name] = fn; } };
  const el = document.createElement('div');
  el.id = 'widget-host';
  document.body.replaceChildren(el);
  mod.default.render({ model, el });
}"""


def test_widget_renders_the_report(page: Page, server: str, audit):
    widget = Dashboard(audit.mf)
    assert json.loads(widget.bundle)["reports"][0]["report"] == audit.mf.report
    # Any page of the server's origin will do for the module import; it has no favicon.
    page.page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.page.goto(server + "widget.js")
    page.page.evaluate(RENDER, widget.bundle)
    page.page.wait_for_selector("#widget-host .aequa-dashboard[data-loaded]", timeout=30000)
    assert page.page.query_selector("#widget-host #bundle-file") is None  # no file pickers
    assert compare(page.cells("#fairness-table"), frame_cells(audit.mf.report)) == []
    page.page.fill("#threshold-value", "0.3")
    page.page.press("#threshold-value", "Enter")
    page.wait_text("#fairness-table caption", "endsWith", "threshold 0.3")
    assert compare(page.cells("#fairness-table"), frame_cells(audit.frame_at(0.3).report)) == []
    page.screenshot("widget")
