"""The beeswarm colours each point by its feature's value (viridis, dark purple low → yellow
high, read from the Chart.js chart behind the canvas); bundles without the explained rows
(older exports, bare report JSON) still render, with grey points and a note saying why."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
from aequa._html import write_html
from aequa.explain import Explanation
from conftest import Page

GREY = "#a0a0a0"
POINTS = """c => {
  const ds = c.aequaChart.data.datasets[0];
  return ds.data.map((p, k) => ({feature: p.feature, row: p.row, value: p.value,
                                 colour: ds.backgroundColor[k]}));
}"""


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``rgb(r, g, b)`` or ``#rrggbb``."""
    if colour.startswith("#"):
        channels = [int(colour[k : k + 2], 16) for k in (1, 3, 5)]
    else:
        channels = [int(v) for v in re.findall(r"\d+", colour)[:3]]
    lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
           for c in channels]  # fmt: skip
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def points(page: Page, view: str = "#view-1") -> list[dict[str, Any]]:
    return page.page.eval_on_selector(f"{view} #beeswarm-chart canvas", POINTS)


def open_bundle(page: Page, bundle: dict[str, Any], path: Path) -> None:
    page.open(write_html(bundle, path).as_uri())
    page.page.wait_for_selector("#app[data-loaded]")
    assert "explanation" in page.page.get_attribute("#app", "data-loaded").split(",")


def test_point_colours_follow_the_feature_values(page: Page, server: str, audit, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    page.page.wait_for_selector("#app[data-loaded]")
    ex: Explanation = audit.reports[1]
    shown = points(page)
    assert len(shown) == ex.values.size  # 200 rows x 5 features, every row drawn
    for j, name in enumerate(ex.feature_names):
        mine = [p for p in shown if p["feature"] == name]
        # Each point carries its row's value of the feature, exactly as Python's .data.
        assert [p["value"] for p in mine] == ex.data[[p["row"] for p in mine], j].tolist()
        assert GREY not in {p["colour"] for p in mine}, name
        mine.sort(key=lambda p: p["value"])
        lum = [luminance(p["colour"]) for p in mine]
        # Viridis grows lighter from low to high; 2e-3 allows for 8-bit rounding of channels.
        drops = [(a, b) for a, b in zip(lum, lum[1:], strict=False) if b < a - 2e-3]
        assert drops == [], (name, drops[:3])
        assert lum[0] < 0.06 and lum[-1] > 0.6, name  # the low end is dark, the high end bright
        by_value: dict[float, set[str]] = {}
        for p in mine:
            by_value.setdefault(p["value"], set()).add(p["colour"])
        assert all(len(c) == 1 for c in by_value.values()), name  # equal values, equal colours
    # A labelled legend, tied to the chart for assistive technology.
    legend = page.page.locator("#view-1 #beeswarm-legend")
    assert legend.is_visible()
    assert legend.text_content().startswith("feature value: low → high")
    assert page.page.is_hidden("#view-1 #beeswarm-legend .no-value")  # nothing is grey
    described = page.page.get_attribute("#view-1 #beeswarm-chart canvas", "aria-describedby")
    assert described == "beeswarm-legend beeswarm-note"
    assert "coloured by the feature's value" in page.page.get_attribute(
        "#view-1 #beeswarm-chart canvas", "aria-label"
    )
    # The waterfall labels each feature with the row's value, as SHAP's does.
    age = ex.feature_names.index("age")
    assert f"age = {ex.data[0, age]:g}" in page.page.inner_text("#view-1 #waterfall-table")
    page.screenshot("beeswarm_coloured")


def test_an_old_bundle_without_rows_renders_grey(page: Page, audit, tmp_path: Path):
    old = copy.deepcopy(audit.bundle)
    entry = next(e for e in old["reports"] if e["kind"] == "explanation")
    del entry["data"]  # as bundles were written before the rows were carried
    assert set(entry) == {"kind", "title", "report"}
    open_bundle(page, old, tmp_path / "old.html")
    colours = {p["colour"] for p in points(page)}
    assert colours == {GREY}
    assert page.page.is_hidden("#view-1 #beeswarm-legend")
    assert "carries no feature values" in page.page.inner_text("#view-1 #beeswarm-note")
    assert page.page.inner_text("#messages") == ""
    # A bare report JSON (the core's, without rows) too.
    page.open(page_with_report(audit.reports[1], tmp_path))
    page.page.wait_for_selector("#app[data-loaded=explanation]")
    assert {p["colour"] for p in points(page, "#view-0")} == {GREY}
    page.screenshot("beeswarm_old_bundle")


def page_with_report(ex: Explanation, tmp_path: Path) -> str:
    bare = {"schema": "aequa.bundle", "schema_version": 1, "title": "bare", "created": None,
            "aequa_version": None, "lineage": None, "data": None,
            "reports": [{"kind": "explanation", "title": "bare", "report": ex.report}]}  # fmt: skip
    return write_html(bare, tmp_path / "bare.html").as_uri()


def test_non_numeric_features_and_bad_rows_are_grey(page: Page, audit, tmp_path: Path):
    ex: Explanation = audit.reports[1]
    data = ex.data.astype(object)
    age = ex.feature_names.index("age")
    data[:, age] = np.where(ex.data[:, age] < 40, "young", "older")
    text_age = Explanation.from_json(ex.to_json(), data)
    page.open(text_age.save_html(tmp_path / "text.html").as_uri())
    page.page.wait_for_selector("#app[data-loaded=explanation]")
    shown = points(page, "#view-0")
    assert {p["colour"] for p in shown if p["feature"] == "age"} == {GREY}
    assert GREY not in {p["colour"] for p in shown if p["feature"] != "age"}
    note = page.page.inner_text("#view-0 #beeswarm-note")
    assert "Grey points: age (this feature has no numeric values)" in note
    assert page.page.is_visible("#view-0 #beeswarm-legend .no-value")
    # Rows of the wrong length: grey points and a note; the report itself still shows.
    bad = copy.deepcopy(audit.bundle)
    entry = next(e for e in bad["reports"] if e["kind"] == "explanation")
    entry["data"]["values"][7] = entry["data"]["values"][7][:2]
    open_bundle(page, json.loads(json.dumps(bad)), tmp_path / "bad.html")
    assert {p["colour"] for p in points(page)} == {GREY}
    note = page.page.inner_text("#view-1 #beeswarm-note")
    assert 'not usable (its "data" row 7 must hold 5 values, found 2)' in note
    assert page.page.query_selector("#view-1 #importance-chart canvas") is not None
