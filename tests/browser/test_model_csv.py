"""A CSV plus a native model JSON: the page scores the rows in WASM (`predict`) and audits
them; the numbers equal Python's MetricFrame on the native model's own predictions."""

from __future__ import annotations

import warnings
from pathlib import Path

import aequa
import numpy as np
from aequa import _core
from aequa.explain import to_native
from audit_fixture import CSV_METRICS as METRICS
from audit_fixture import FEATURES
from conftest import Page
from expected import compare, frame_cells
from sklearn.linear_model import LogisticRegression


def setup(audit, tmp_path: Path) -> tuple[Path, Path, np.ndarray]:
    df = audit.frame[[*FEATURES, "sex", "label"]].iloc[:4000].copy()
    X = df[FEATURES].astype(float).to_numpy()
    native = to_native(LogisticRegression(max_iter=500).fit(X, df["label"]))
    csv = tmp_path / "people.csv"
    df.to_csv(csv, index=False)
    model = tmp_path / "model.json"
    model.write_text(native.to_json(), encoding="utf-8")
    scores = np.asarray(native.predict(X)).reshape(len(df), -1)[:, -1]
    return csv, model, scores


def pick_model_features(page: Page) -> None:
    page.page.select_option("#csv-label", "label")
    page.page.select_option("#csv-source", "model")
    for box in page.page.query_selector_all(".csv-features input"):
        if box.get_attribute("value") not in FEATURES:
            box.uncheck()
    page.page.check('.csv-sensitive input[value="sex"]')


def test_csv_scored_by_a_model_json(page: Page, server: str, audit, tmp_path: Path):
    csv, model, scores = setup(audit, tmp_path)
    page.open(server + "index.html")
    page.load_file("#csv-file", csv)
    page.page.wait_for_selector("#csv-assess")
    page.load_file("#model-file", model)
    page.wait_text("#messages", "includes", "Model model.json loaded")
    pick_model_features(page)
    page.page.click("#csv-assess")
    page.page.wait_for_selector("#fairness-table")
    df = audit.frame.iloc[:4000]
    threshold = 0.5 if scores.min() >= 0 and scores.max() <= 1 else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = aequa.MetricFrame(
            metrics=METRICS,
            y_true=df["label"].to_numpy(),
            y_pred=scores,
            threshold=threshold,
            sensitive_features={"sex": df["sex"].to_numpy()},
        )
    assert compare(page.cells("#fairness-table"), frame_cells(want.report)) == []
    page.screenshot("csv_model_audit")


def test_a_model_for_another_feature_count(page: Page, server: str, audit, tmp_path: Path):
    csv, model, _ = setup(audit, tmp_path)
    page.open(server + "index.html")
    page.load_file("#csv-file", csv)
    page.page.wait_for_selector("#csv-assess")
    page.load_file("#model-file", model)
    pick_model_features(page)
    page.page.uncheck('.csv-features input[value="age"]')
    page.page.click("#csv-assess")
    page.wait_text("#messages", "includes", "the model does not fit")
    text = page.message()
    assert "the model does not fit this CSV's 4 feature column(s)" in text
    assert "the model expects 5 features, found 4 columns" in text


def test_a_model_file_that_is_not_a_model(page: Page, server: str, tmp_path: Path):
    bad = tmp_path / "nope.json"
    bad.write_text('{"weights": [1, 2]}', encoding="utf-8")
    page.open(server + "index.html")
    page.load_file("#model-file", bad)
    assert 'nope.json is not a native model JSON (no "kind")' in page.message()


def train_on_page(page: Page, server: str, csv: Path, kind: str, seed: int) -> None:
    page.open(server + "index.html")
    page.load_file("#csv-file", csv)
    page.page.wait_for_selector("#csv-assess")
    pick_model_features(page)
    page.page.select_option("#csv-source", "train")
    page.page.select_option("#csv-model-kind", kind)
    page.page.fill("#csv-seed", str(seed))
    page.page.click("#csv-assess")
    page.page.wait_for_selector("#fairness-table", timeout=120000)


def test_train_a_logistic_regression_in_the_page(page: Page, server: str, audit, tmp_path: Path):
    csv, _, _ = setup(audit, tmp_path)
    train_on_page(page, server, csv, "logistic_regression", 3)
    # The trained model's native JSON, as the page offers it for download.
    text = page.page.evaluate(
        "() => fetch(document.querySelector('#trained-model').href).then((r) => r.text())"
    )
    native = _core.NativeModel(text)
    df = audit.frame.iloc[:4000]
    probabilities = np.asarray(native.predict(df[FEATURES].astype(float).to_numpy()))
    assert probabilities.shape == (4000, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = aequa.MetricFrame(
            metrics=METRICS,
            y_true=df["label"].to_numpy(),
            y_pred=probabilities[:, 1],
            threshold=0.5,
            sensitive_features={"sex": df["sex"].to_numpy()},
        )
    assert compare(page.cells("#fairness-table"), frame_cells(want.report)) == []
    assert page.page.query_selector("#threshold") is not None  # probabilities: slider on
    page.screenshot("csv_trained_model")


def test_train_a_seeded_random_forest_in_the_page(page: Page, server: str, audit, tmp_path: Path):
    csv, _, _ = setup(audit, tmp_path)
    tables = []
    for _ in range(2):
        train_on_page(page, server, csv, "random_forest", 11)
        tables.append(page.cells("#fairness-table"))
    assert tables[0] == tables[1]  # same seed, same forest, same numbers
    assert "predicts labels (no scores)" in page.page.inner_text("#trained-model-box")
    assert page.page.query_selector("#threshold") is None
    accuracy = [c for c in tables[0] if c["metric"] == "accuracy_score" and c["group"] == "[]"]
    assert float(accuracy[0]["value"]) > 0.75
