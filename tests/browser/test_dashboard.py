"""The dashboard in real headless Chromium: the numbers on the page are the Python report's,
the threshold slider recomputes exactly what ``MetricFrame(..., threshold=t)`` computes, and
every view renders with no console or page error."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import aequa
import numpy as np
from aequa._html import write_html
from audit_fixture import CSV_METRICS, METRICS, SENSITIVE
from conftest import Page
from expected import compare, frame_cells, key, page_value, same

FAIR = "#fairness-table"


def quiet_frame(**kwargs: Any) -> aequa.MetricFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return aequa.MetricFrame(**kwargs)


def set_threshold(page: Page, t: float) -> None:
    page.page.fill("#threshold-value", repr(t))
    page.page.press("#threshold-value", "Enter")
    page.wait_text("#fairness-table caption", "endsWith", f"threshold {float(f'{t:.4g}')}")


def test_bundle_numbers_equal_the_python_reports(page: Page, server: str, audit, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    page.page.wait_for_selector("#app[data-loaded]")
    loaded = page.page.get_attribute("#app", "data-loaded")
    assert loaded == "metric_frame,explanation,permutation_importance,drift,noise_stability"
    assert compare(page.cells(FAIR), frame_cells(audit.mf.report)) == []
    # The intervals are on the page (bootstrap of the Python report).
    assert any(c.get("bound") == "lo" for c in page.cells(FAIR))
    # Gaps of the chosen metric.
    agg = next(a for a in audit.mf.report["values"]["aggregates"] if a["metric"] == METRICS[0])
    for c in page.cells("#fairness-gaps"):
        assert same(page_value(c["value"]), agg[c["aggregate"]]), c
    page.screenshot("dashboard_bundle")


def test_explanation_drift_and_robustness_views(page: Page, server: str, audit, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    page.page.wait_for_selector("#app[data-loaded]")
    _, ex, pi, dr, ns = audit.reports
    # Global importance: mean |SHAP value| per feature.
    shown = page.page.eval_on_selector("#importance-chart", "e => JSON.parse(e.dataset.values)")
    mean_abs = ex.mean_abs()
    for name, v in shown.items():
        assert abs(v - mean_abs[name]) <= 1e-12 * max(1.0, abs(v)), name
    # Row 3's waterfall: base value and each feature's SHAP value, exactly.
    page.page.fill("#row-pick", "3")
    page.page.press("#row-pick", "Enter")
    page.page.wait_for_function(
        "() => document.querySelector('#waterfall-table caption').textContent.startsWith('Row 3')"
    )
    cells = {c["feature"]: page_value(c["value"]) for c in page.cells("#waterfall-table")}
    assert cells.pop("__base__") == ex.base_values[3]
    assert cells == dict(zip(ex.feature_names, ex.values[3].tolist(), strict=True))
    # Permutation importance.
    pcells = page.cells("#permutation-table")
    for c in pcells:
        j = pi.feature_names.index(c["feature"])
        want = pi.importances_mean[j] if c["stat"] == "mean" else pi.importances_std[j]
        assert page_value(c["value"]) == want
    # Drift: statistic per column.
    for col in dr.report["overall"]["columns"]:
        cell = page.page.get_attribute(
            f'#drift-table td[data-column="{col["column"]}"][data-field="statistic"]', "data-value"
        )
        assert same(page_value(cell), col["statistic"])
    # Robustness: flip rate per budget, overall and by group.
    rcells = page.cells("#robustness-table")
    overall = [page_value(c["value"]) for c in rcells if c["series"] == "overall"]
    assert overall == ns.report["flip_rate"]
    female = [page_value(c["value"]) for c in rcells if c["series"] == "Female"]
    assert female == [b[0]["values"]["flip_rate"] for b in ns.report["by_group"]]
    page.screenshot("dashboard_views")


def test_threshold_slider_recomputes_python_values(page: Page, server: str, audit, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    page.page.wait_for_selector("#threshold")
    for t in (0.3, 0.62):
        set_threshold(page, t)
        want = frame_cells(audit.frame_at(t).report)
        assert compare(page.cells(FAIR), want) == [], t
        ms = float(page.page.get_attribute("#threshold-status", "data-ms"))
        assert ms >= 0
    # The range input by keyboard: one step right of 0.62 is 0.621.
    page.page.focus("#threshold")
    page.page.keyboard.press("ArrowRight")
    page.page.wait_for_function(
        "() => document.querySelector('#threshold-value').value === '0.621'"
    )
    assert compare(page.cells(FAIR), frame_cells(audit.frame_at(0.621).report)) == []
    # Back to the exported threshold: the exported report (with intervals) again.
    set_threshold(page, 0.5)
    assert compare(page.cells(FAIR), frame_cells(audit.mf.report)) == []
    page.screenshot("dashboard_threshold")


def test_recomputed_intervals_equal_python_bootstrap(page: Page, server: str, audit, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    set_threshold(page, 0.4)
    page.page.click("#recompute-intervals")
    page.page.wait_for_selector(f'{FAIR} td[data-bound="lo"]', timeout=60000)
    boot = audit.mf.report["intervals"]
    want = quiet_frame(
        metrics=METRICS,
        y_true=audit.frame["label"].to_numpy(),
        y_pred=audit.scores,
        threshold=0.4,
        sensitive_features=audit.frame[SENSITIVE],
        n_boot=boot["n_boot"],
        ci_quantiles=boot["ci_quantiles"],
        random_state=boot["random_state"],
    )
    assert compare(page.cells(FAIR), frame_cells(want.report)) == []


def test_one_sensitive_feature_alone(page: Page, server: str, audit, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    page.page.wait_for_selector("#feature-pick")
    page.page.select_option("#feature-pick", "race")
    page.wait_text("#fairness-table caption", "startsWith", "Metrics by race ")
    assert compare(page.cells(FAIR), frame_cells(audit.frame_at(0.5, ["race"]).report)) == []
    page.page.select_option("#metric-pick", "true_positive_rate")
    assert "Gaps in true_positive_rate" in page.page.inner_text("#fairness-gaps")


def test_single_file_export_opens_from_file_url(page: Page, audit, tmp_path: Path):
    out = write_html(audit.bundle, tmp_path / "adult audit.html")
    text = out.read_text(encoding="utf-8")
    assert "<script src" not in text and "stylesheet" not in text  # nothing to fetch
    page.open(out.as_uri())
    page.page.wait_for_selector("#app[data-loaded]")
    assert page.page.title() == "Adult audit"
    assert compare(page.cells(FAIR), frame_cells(audit.mf.report)) == []
    set_threshold(page, 0.35)
    assert compare(page.cells(FAIR), frame_cells(audit.frame_at(0.35).report)) == []
    page.screenshot("single_file_export")


def test_save_html_of_each_report_kind(page: Page, audit, tmp_path: Path):
    for report in audit.reports:
        out = report.save_html(tmp_path / f"{report._kind}.html")
        page.open(out.as_uri())
        page.page.wait_for_selector("#app[data-loaded]")
        assert page.page.get_attribute("#app", "data-loaded") == report._kind
    # The MetricFrame's export carries the slider's columns.
    out = audit.mf.save_html(tmp_path / "mf.html")
    page.open(out.as_uri())
    set_threshold(page, 0.45)
    assert compare(page.cells(FAIR), frame_cells(audit.frame_at(0.45).report)) == []


def test_script_in_a_title_cannot_escape_the_bundle(page: Page, tmp_path: Path):
    mf = quiet_frame(
        metrics="selection_rate",
        y_true=[1, 0, 1, 0],
        y_pred=[1, 0, 0, 1],
        sensitive_features=["</script><script>window.pwned=1</script>", "a", "b", "b"],
    )
    out = mf.save_html(tmp_path / "evil.html")
    page.open(out.as_uri())
    page.page.wait_for_selector("#app[data-loaded]")
    assert page.page.evaluate("() => window.pwned") is None
    groups = [c["group"] for c in page.cells(FAIR) if c["metric"] == "rows"]
    assert key(["</script><script>window.pwned=1</script>"]) in groups


def test_csv_with_a_score_column(page: Page, server: str, audit, tmp_path: Path):
    df = audit.frame[["label", "sex", "race"]].iloc[:5000].copy()
    df["score"] = np.round(audit.scores[:5000], 6)
    path = tmp_path / "scores.csv"
    df.to_csv(path, index=False)
    page.open(server + "index.html")
    page.load_file("#csv-file", path)
    page.page.wait_for_selector("#csv-assess")
    page.page.select_option("#csv-label", "label")
    page.page.select_option("#csv-source", "score")
    page.page.select_option("#csv-score", "score")
    page.page.check('.csv-sensitive input[value="sex"]')
    page.page.uncheck('.csv-sensitive input[value="race"]')
    page.page.click("#csv-assess")
    page.page.wait_for_selector(FAIR)
    for t in (0.5, 0.25):
        if t != 0.5:
            set_threshold(page, t)
        want = quiet_frame(
            metrics=CSV_METRICS,
            y_true=df["label"].to_numpy(),
            y_pred=df["score"].to_numpy(),
            threshold=t,
            sensitive_features={"sex": df["sex"].to_numpy()},
        )
        assert compare(page.cells(FAIR), frame_cells(want.report)) == [], t
    page.screenshot("csv_audit")


def test_controls_are_labelled_and_keyboard_reachable(page: Page, server: str, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    page.page.wait_for_selector("#app[data-loaded]")
    unlabelled = page.page.evaluate(
        """() => [...document.querySelectorAll('input, select')]
             .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                          && !e.closest('label'))
             .map(e => e.id || e.outerHTML.slice(0, 60))"""
    )
    assert unlabelled == []
    assert page.page.get_attribute("#drop-zone", "tabindex") == "0"
    # Tab reaches the metric picker and the threshold slider.
    reached = set()
    for _ in range(40):
        page.page.keyboard.press("Tab")
        reached.add(page.page.evaluate("() => document.activeElement.id"))
    assert {"metric-pick", "threshold"} <= reached


def test_drag_and_drop_a_bundle(page: Page, server: str, audit, bundle_file):
    page.open(server + "index.html")
    page.page.evaluate(
        """(text) => {
          const data = new DataTransfer();
          data.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
          const zone = document.querySelector('#drop-zone');
          zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true }));
          zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true }));
        }""",
        bundle_file.read_text(encoding="utf-8"),
    )
    page.page.wait_for_selector("#app[data-loaded]")
    assert compare(page.cells(FAIR), frame_cells(audit.mf.report)) == []


def test_a_bare_report_json(page: Page, server: str, audit, tmp_path: Path):
    path = tmp_path / "frame.json"
    audit.mf.to_json(str(path))
    page.open(server + "index.html")
    page.load_file("#bundle-file", path)
    page.page.wait_for_selector("#app[data-loaded=metric_frame]")
    assert compare(page.cells(FAIR), frame_cells(audit.mf.report)) == []
    # No data columns in a bare report: no slider, and the page says why.
    assert page.page.query_selector("#threshold") is None
    assert "no data columns" in page.page.inner_text("#view-0")


def test_lineage_is_shown(page: Page, audit, tmp_path: Path):
    bundle = dict(audit.bundle)
    bundle["lineage"] = {
        "model": {"fingerprint": "sha256:abc123", "kind": "GradientBoostingClassifier"},
        "data": {"fingerprint": "sha256:def456", "rows": 45222, "columns": ["age", "sex"]},
        "parameters": {"threshold": 0.5},
        "seed": 7,
        "library_version": aequa.__version__,
        "created": "2026-11-28T00:00:00Z",
    }
    out = write_html(bundle, tmp_path / "lineage.html")
    page.open(out.as_uri())
    page.page.click("#lineage summary")
    text = page.page.inner_text("#lineage")
    assert "GradientBoostingClassifier sha256:abc123" in text
    assert "45222 rows, 2 columns, sha256:def456" in text and "Seed\t7" in text


def test_control_features_are_shown_per_stratum(page: Page, audit, tmp_path: Path):
    df = audit.frame.iloc[:3000]
    mf = quiet_frame(
        metrics=["selection_rate"],
        y_true=df["label"].to_numpy(),
        y_pred=audit.scores[:3000],
        threshold=0.5,
        sensitive_features=df["sex"],
        control_features=df["race"],
    )
    page.open(mf.save_html(tmp_path / "control.html").as_uri())
    page.page.wait_for_selector("#app[data-loaded]")
    shown = page.page.eval_on_selector_all(
        f"{FAIR} tbody tr",
        """rows => rows.map(r => [r.dataset.control, r.dataset.group,
             r.querySelector('td[data-metric="selection_rate"]').dataset.value])""",
    )
    want = [
        [key(r["control"]), key(r["group"]), r["values"]["selection_rate"]]
        for r in mf.report["values"]["overall"] + mf.report["values"]["by_group"]
    ]
    assert [[c, g, page_value(v)] for c, g, v in shown] == want
    assert page.page.query_selector("#threshold") is None  # control features: no slider data


def test_progress_shows_while_the_worker_runs(page: Page, server: str, bundle_file):
    page.open(server + "index.html")
    page.load_file("#bundle-file", bundle_file)
    set_threshold(page, 0.4)
    page.page.evaluate(
        """() => {
          window.progressSeen = false;
          const node = document.querySelector('#progress');
          new MutationObserver(() => { if (!node.hidden) window.progressSeen = true; })
            .observe(node, { attributes: true, attributeFilter: ['hidden'] });
        }"""
    )
    page.page.click("#recompute-intervals")
    page.page.wait_for_selector(f'{FAIR} td[data-bound="lo"]', timeout=60000)
    assert page.page.evaluate("() => window.progressSeen") is True
    assert page.page.is_hidden("#progress")


def test_an_audit_of_several_reports(page: Page, audit, tmp_path: Path):
    from aequa.audit import Audit, lineage

    mf, ex, _, dr, ns = audit.reports
    data = mf._bundle_data()
    columns = dict(data["columns"], y_pred=list(data["columns"]["y_pred"]))
    columns["y_pred"][0] = float("nan")  # a missing score: the slider goes, the reports stay
    bad = dict(data, columns=columns)
    combined = Audit(
        [("Fairness", mf), ("Why", ex), ("Drift", dr), ("Noise", ns)],
        title="Audit of Adult",
        lineage=lineage(data=audit.frame[["age", "sex"]], seed=7),
        data=bad,
    )
    page.open(combined.save_html(tmp_path / "audit.html").as_uri())
    page.page.wait_for_selector("#app[data-loaded]")
    kinds = page.page.get_attribute("#app", "data-loaded")
    assert kinds == "metric_frame,explanation,drift,noise_stability"
    assert compare(page.cells(FAIR), frame_cells(mf.report)) == []
    assert 'column "y_pred" must be numeric, found null at row 0' in page.message()
    assert page.page.query_selector("#threshold") is None
    assert page.page.inner_text("#toc") == "Fairness\nWhy\nDrift\nNoise"
