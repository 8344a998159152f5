"""Bad input in the browser: a clear message on the page, the page stays usable, and nothing
is thrown uncaught (the page fixture fails a test on any console or page error)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import Page


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def still_usable(page: Page, bundle_file: Path) -> None:
    """After the message, a good bundle still loads."""
    page.load_file("#bundle-file", bundle_file)
    page.page.wait_for_selector("#fairness-table")
    assert page.page.get_attribute("#app", "data-loaded").startswith("metric_frame")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.json", '{"schema": "aequa.bundle", ', "broken.json is not valid JSON"),
        (
            "list.json",
            "[1, 2, 3]",
            "expected a JSON object (an aequa bundle or report), found an array",
        ),
        (
            "other.json",
            '{"hello": 1}',
            'not an aequa bundle or report (expected "schema": "aequa.bundle"',
        ),
        (
            "future.json",
            '{"schema": "aequa.bundle", "schema_version": 9, "reports": []}',
            "bundle schema_version 9 is not supported",
        ),
        (
            "kind.json",
            '{"kind": "horoscope", "schema_version": 1}',
            'unknown report kind "horoscope"',
        ),
        (
            "short.json",
            json.dumps(
                {
                    "schema": "aequa.bundle",
                    "schema_version": 1,
                    "reports": [],
                    "data": {
                        "label": "y",
                        "score": "s",
                        "sensitive": ["g"],
                        "columns": {"y": [1, 0], "s": [0.5], "g": ["a", "b"]},
                    },
                }
            ),
            'column "s" has 1 values, "y" has 2',
        ),
        (
            "text_label.json",
            json.dumps(
                {
                    "schema": "aequa.bundle",
                    "schema_version": 1,
                    "reports": [],
                    "data": {
                        "label": "y",
                        "score": "s",
                        "sensitive": ["g"],
                        "columns": {"y": ["yes", 0], "s": [0.5, 0.1], "g": ["a", "b"]},
                    },
                }
            ),
            'column "y" must be numeric, found "yes" at row 0',
        ),
    ],
)
def test_bad_json(page: Page, server: str, bundle_file: Path, tmp_path: Path, name, text, message):
    page.open(server + "index.html")
    page.load_file("#bundle-file", write(tmp_path, name, text))
    assert message in page.message()
    still_usable(page, bundle_file)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the CSV file is empty"),
        ("a,b\n", "the CSV file has a header but no data rows"),
        ("a,b\n1,2\n3\n", "CSV line 3 has 1 fields, the header has 2"),
        ('a,b\n1,"2\n', "CSV line 2: a quoted field never closes"),
        ("a,a\n1,2\n", 'the CSV header names column "a" twice'),
    ],
)
def test_malformed_csv(page: Page, server: str, bundle_file: Path, tmp_path: Path, text, message):
    page.open(server + "index.html")
    page.load_file("#csv-file", write(tmp_path, "bad.csv", text))
    assert message in page.message()
    still_usable(page, bundle_file)


def assess_csv(page: Page, server: str, path: Path) -> None:
    """Open the CSV, pick label, score and sex, and press Assess."""
    page.open(server + "index.html")
    page.load_file("#csv-file", path)
    page.page.wait_for_selector("#csv-assess")
    page.page.select_option("#csv-label", "label")
    page.page.select_option("#csv-score", "score")
    page.page.check('.csv-sensitive input[value="sex"]')
    page.page.click("#csv-assess")


def test_csv_with_a_non_numeric_or_missing_column(page: Page, server: str, tmp_path: Path):
    csv = "label,score,sex\n1,0.9,F\n0,high,M\n1,0.2,M\n"
    assess_csv(page, server, write(tmp_path, "mixed.csv", csv))
    assert 'the score column "score" must be numeric, found "high"' in page.message()
    page.page.uncheck('.csv-sensitive input[value="sex"]')
    page.page.click("#csv-assess")
    page.wait_text("#messages", "includes", "pick at least one sensitive feature")


def test_csv_with_a_missing_value(page: Page, server: str, tmp_path: Path):
    assess_csv(
        page, server, write(tmp_path, "gap.csv", "label,score,sex\n1,0.9,F\n0,,M\n1,0.2,M\n")
    )
    assert 'the score column "score" must be numeric, found ""' in page.message()


def test_csv_labels_that_are_not_binary(page: Page, server: str, tmp_path: Path):
    csv = "label,score,sex\n1,0.9,F\n2,0.1,M\n0,0.2,M\n"
    assess_csv(page, server, write(tmp_path, "three.csv", csv))
    assert "y_true" in page.message()


def test_a_200_mb_file_is_refused(page: Page, server: str, bundle_file: Path, tmp_path: Path):
    big = tmp_path / "huge.csv"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: no disk used
    assert os.path.getsize(big) == 200 * 1024 * 1024
    page.open(server + "index.html")
    page.load_file("#csv-file", big)
    assert "huge.csv is 200.0 MB; the dashboard reads files up to 100 MB" in page.message()
    still_usable(page, bundle_file)
    page.screenshot("bad_input_message")


def test_unknown_file_type(page: Page, server: str, tmp_path: Path):
    page.open(server + "index.html")
    page.load_file("#bundle-file", write(tmp_path, "notes.txt", "hello"))
    assert "notes.txt: expected a .json bundle/report/model or a .csv file" in page.message()
