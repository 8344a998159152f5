"""The dashboard bundle from Python: every report's kind, the one-report bundle, the slider's
data of a MetricFrame, the safe JSON and the single-file HTML export (the page itself is
tested in Chromium by tests/browser)."""

from __future__ import annotations

import json
import re
import warnings

import aequa
import numpy as np
import pytest
from aequa import drift, robust
from aequa._bundle import KINDS, bundle_json, make_bundle
from aequa._html import PLACEHOLDER, render_html
from aequa.report import Report


def frame(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return aequa.MetricFrame(metrics=["selection_rate", "accuracy_score"], **kwargs)


Y = [1, 0, 1, 0, 1, 1]
S = [0.9, 0.2, 0.4, 0.7, 0.55, 0.1]
G = ["a", "a", "b", "b", "c", "c"]


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_every_report_class_has_a_bundle_kind():
    import aequa.audit  # noqa: F401 - the Audit class (a bundle of reports, not a report kind)

    kinds = {c.__name__: c._kind for c in all_subclasses(Report) if "_kind" in c.__dict__}
    assert kinds.pop("Audit") == "audit"
    assert set(kinds.values()) <= set(KINDS)
    for name in ("MetricFrame", "Explanation", "DriftReport", "NoiseStabilityReport"):
        assert kinds[name]
    expected = {"metric_frame", "explanation", "permutation_importance", "partial_dependence"}
    expected |= {"ale", "drift", "noise_stability", "sensitive_flip", "attack"}
    assert set(kinds.values()) == expected


def test_metric_frame_bundle_carries_scores_for_the_slider():
    mf = frame(y_true=Y, y_pred=S, threshold=0.5, sensitive_features=G)
    b = mf._bundle()
    assert b["schema"] == "aequa.bundle" and b["schema_version"] == 1
    assert b["aequa_version"] == aequa.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b["created"])
    assert b["reports"] == [
        {"kind": "metric_frame", "title": "Fairness by group", "report": mf.report}
    ]
    d = b["data"]
    assert (d["label"], d["score"], d["prediction"], d["threshold"]) == (
        "y_true",
        "y_pred",
        None,
        0.5,
    )
    assert d["columns"]["y_pred"] == S
    assert d["columns"]["y_true"] == [float(v) for v in Y]
    assert d["columns"][d["sensitive"][0]] == G


def test_predictions_text_labels_and_several_features():
    mf = frame(
        y_true=["yes", "no", "yes", "no", "yes", "yes"],
        y_pred=["yes", "no", "no", "no", "yes", "no"],
        pos_label="yes",
        sensitive_features={"g": G, "n": [3, 3, 10, 10, 3, 10]},
    )
    d = mf._bundle()["data"]
    assert d["score"] is None and d["prediction"] == "y_pred" and d["threshold"] is None
    assert d["columns"]["y_true"] == [1.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    assert d["columns"]["n"] == ["3", "3", "10", "10", "3", "10"]  # the report's level labels
    assert d["sensitive"] == ["g", "n"]


def test_no_data_when_the_slider_cannot_reproduce_the_frame():
    weighted = frame(y_true=Y, y_pred=S, threshold=0.5, sensitive_features=G, sample_weight=[1] * 6)
    assert weighted._bundle()["data"] is None
    controlled = frame(
        y_true=Y, y_pred=S, threshold=0.5, sensitive_features=G, control_features=[0, 1] * 3
    )
    assert controlled._bundle()["data"] is None


def test_other_reports_bundle_without_data():
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(size=(200, 2)), rng.normal(0.5, 1, size=(200, 2))
    rep = drift.drift_report(ref, cur)
    b = rep._bundle()
    assert b["data"] is None and b["reports"][0]["kind"] == "drift"
    ns = robust.noise_stability(
        lambda x: x @ np.array([1.0, -2.0]), ref, threshold=0.0, n_repeats=2, random_state=0
    )
    combined = make_bundle([rep, ns], title="two")
    assert [r["kind"] for r in combined["reports"]] == ["drift", "noise_stability"]
    with pytest.raises(TypeError, match="has no dashboard kind"):
        make_bundle([object()])  # type: ignore[list-item]


def test_bundle_json_cannot_close_its_script_element():
    b = {"title": "</script><!-- & -->", "x": "\u2028"}
    text = bundle_json(b)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == b
    assert json.loads(bundle_json({"x": [1.0, float("nan")]})) == {"x": [1.0, None]}


def test_render_html_injects_the_bundle_once(tmp_path):
    mf = frame(y_true=Y, y_pred=S, threshold=0.5, sensitive_features=G)
    page = render_html(mf._bundle())
    assert PLACEHOLDER not in page
    opening = '<script type="application/json" id="aequa-bundle">'
    start = page.index(opening) + len(opening)
    end = page.index("</script>", start)
    assert json.loads(page[start:end])["reports"][0]["report"] == mf.report
    out = mf.save_html(tmp_path / "mf.html")
    assert out.read_text(encoding="utf-8").count('id="aequa-bundle"') == 1
    assert "<title>Fairness by group</title>" in page
