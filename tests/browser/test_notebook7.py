"""The widget in a real Jupyter Notebook 7 (the classic-style front end, `notebook` on PyPI,
built on JupyterLab's components; a local server, no token, this venv's kernel), driven in
headless Chromium exactly as the JupyterLab test: a cell showing ``Dashboard(mf)`` renders the
dashboard in its output with Python's numbers, and the slider's keys reach the dashboard."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTIFACTS, Page
from expected import compare, frame_cells
from jupyter_app import jupyter, kernel_idle


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with jupyter("notebook", tmp_path_factory.mktemp("nb7"), "tree") as url:
        yield url


def test_widget_in_notebook7(browser, notebook7: str):
    import notebook

    assert int(notebook.__version__.split(".")[0]) == 7, notebook.__version__
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = Page(context.new_page())
    page.page.goto(notebook7 + "notebooks/widget.ipynb")
    page.page.wait_for_selector(".jp-Notebook .jp-InputArea-editor", timeout=60000)
    assert page.page.query_selector("#jp-main-statusbar") is None  # Notebook 7, not Lab
    kernel_idle(notebook7)
    page.page.wait_for_function(
        "() => !document.querySelector('.jp-NotebookKernelStatus')?.textContent"
        ".includes('Connecting')",
        timeout=120000,
    )
    # Notebook 7 itself may fail while it loads (its settings schema, offline here); from the
    # run of the cell on, every page error would be the dashboard's and must not happen.
    page.errors = []
    page.page.click(".jp-Cell .jp-InputArea-editor")
    page.page.keyboard.press("Shift+Enter")
    dash = ".jp-OutputArea .aequa-dashboard"
    try:
        page.page.wait_for_selector(f"{dash}[data-loaded=metric_frame]", timeout=120000)
    except Exception:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / "notebook7_failed.png"))
        raise
    printed = page.page.inner_text(".jp-OutputArea-output pre")
    report = json.loads(printed.strip().splitlines()[0])
    assert compare(page.cells(f"{dash} #fairness-table"), frame_cells(report)) == []
    page.page.focus(f"{dash} #threshold")
    page.page.keyboard.press("ArrowRight")
    page.wait_text(f"{dash} #fairness-table caption", "endsWith", "threshold 0.501")
    page.screenshot("notebook7")
    pageerrors = [e for e in page.errors if e.startswith("page error")]
    context.close()
    assert pageerrors == []
    assert Path(ARTIFACTS / "notebook7.png").is_file()
