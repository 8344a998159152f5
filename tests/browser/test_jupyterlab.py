"""The widget in a real JupyterLab 4 (a local server, no token, this venv's kernel), driven in
headless Chromium: a notebook cell showing ``Dashboard(mf)`` renders the dashboard in its
output with Python's numbers, and the threshold keys reach the dashboard, not JupyterLab."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from conftest import Page, free_port
from expected import compare, frame_cells

CELL = """import warnings
warnings.simplefilter("ignore")
import aequa
from aequa.widget import Dashboard
mf = aequa.MetricFrame(metrics=["selection_rate", "true_positive_rate"],
                       y_true=[1, 0, 1, 0, 1, 1, 0, 0],
                       y_pred=[0.9, 0.2, 0.4, 0.7, 0.6, 0.3, 0.8, 0.1], threshold=0.5,
                       sensitive_features=["a", "a", "b", "b", "a", "b", "a", "b"])
print(mf.to_json())
Dashboard(mf)"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(CELL)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, root / "widget.ipynb")
    port = free_port()
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
         "--allow-root", f"--ServerApp.root_dir={root}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "lab", timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail(f"JupyterLab did not answer: {(root / 'server.log').read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


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
