"""The remaining report kinds in the page: partial dependence (one and two features),
accumulated local effects, and the reports shown as tables (sensitive flips, attacks)."""

from __future__ import annotations

from pathlib import Path

from aequa import explain, robust
from audit_fixture import FEATURES
from conftest import Page
from expected import page_value
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression


def open_report(page: Page, report, path: Path) -> None:
    page.open(report.save_html(path).as_uri())
    page.page.wait_for_selector("#app[data-loaded], #messages .message", timeout=30000)
    assert page.page.inner_text("#messages") == ""
    assert page.page.get_attribute("#app", "data-loaded") == report._kind


def column(page: Page, selector: str, role: str) -> list[float | None]:
    return [page_value(c["value"]) for c in page.cells(selector) if c["role"] == role]


def test_partial_dependence_and_ale(page: Page, audit, tmp_path: Path):
    df = audit.frame.iloc[:1500]
    X = df[FEATURES].astype(float)
    model = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(X, df["label"])
    one = explain.partial_dependence(model, X, features=[0], grid_resolution=20)
    open_report(page, one, tmp_path / "pd.html")
    page.page.click("#view-0 details summary")
    assert column(page, "#pd-table", "grid") == one.report["grid_values"][0]
    assert column(page, "#pd-table", "average") == one.report["average"]
    two = explain.partial_dependence(model, X, features=[0, 1], grid_resolution=10)
    open_report(page, two, tmp_path / "pd2.html")
    assert page.page.query_selector("#pd-chart canvas") is not None
    ale = explain.accumulated_local_effects(model, X, 0)
    open_report(page, ale, tmp_path / "ale.html")
    assert column(page, "#ale-table", "edge") == ale.report["edges"]
    assert column(page, "#ale-table", "ale") == ale.report["ale"][: len(ale.report["edges"])]
    page.screenshot("ale")


def test_flip_and_attack_reports_as_tables(page: Page, audit, tmp_path: Path):
    df = audit.frame.iloc[:300]
    X = df[FEATURES].astype(float).to_numpy()
    model = LogisticRegression(max_iter=500).fit(X, df["label"])
    with_sex = df[FEATURES].astype(float).assign(sex=(df["sex"] == "Male").astype(float))
    flip_model = LogisticRegression(max_iter=500).fit(with_sex, df["label"])
    flips = robust.sensitive_flip(flip_model, with_sex, sensitive_features=["sex"])
    open_report(page, flips, tmp_path / "flips.html")
    assert str(flips.report["flip_rate"]) in page.page.inner_text("#view-0")
    attack = robust.fgsm(model, X[:50], df["label"].to_numpy()[:50], eps=0.5)
    open_report(page, attack, tmp_path / "attack.html")
    assert "Report JSON" in page.page.inner_text("#view-0")
