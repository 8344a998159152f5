"""The widget in a real JupyterLab 4 (a local server, no token, this venv's kernel), driven in
headless Chromium: a notebook cell showing ``Dashboard(mf)`` renders the dashboard in its
output with Python's numbers, and the threshold keys reach the dashboard, not JupyterLab."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Page
from expected import compare, frame_cells
from jupyter_app import jupyter


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with jupyter("jupyterlab", tmp_path_factory.mktemp("lab"), "lab") as url:
        yield url


def test_widget_in_jupyterlab(browser, lab: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = Page(context.new_page())
    # JupyterLab itself may log (e.g. news checks, offline here); the dashboard's errors
    # surface as page errors, which must stay empty.
    page.errors = []
    page.page.goto(lab + "lab/tree/widget.ipynb")
    page.page.wait_for_selector(".jp-Notebook .jp-InputArea-editor", timeout=60000)
    # The kernel must be up before the cell runs (else Shift+Enter just moves on).
    page.page.wait_for_function(
        "() => document.querySelector('.jp-StatusBar-Widget')?.closest('#jp-main-statusbar')"
        "?.textContent.includes('| Idle')",
        timeout=120000,
    )
    page.page.click(".jp-Cell .jp-InputArea-editor")
    page.page.keyboard.press("Shift+Enter")
    dash = ".jp-OutputArea .aequa-dashboard"
    try:
        page.page.wait_for_selector(f"{dash}[data-loaded=metric_frame]", timeout=120000)
    except Exception:
        page.page.screenshot(
            path=str(Path(__file__).parents[1] / "artifacts" / "jupyterlab_failed.png")
        )
        raise
    printed = page.page.inner_text(".jp-OutputArea-output pre")
    report = json.loads(printed.strip().splitlines()[0])
    assert compare(page.cells(f"{dash} #fairness-table"), frame_cells(report)) == []
    page.page.focus(f"{dash} #threshold")
    page.page.keyboard.press("ArrowRight")
    page.wait_text(f"{dash} #fairness-table caption", "endsWith", "threshold 0.501")
    page.page.screenshot(path=str(Path(__file__).parents[1] / "artifacts" / "jupyterlab.png"))
    pageerrors = [e for e in page.errors if e.startswith("page error")]
    context.close()
    assert pageerrors == []
