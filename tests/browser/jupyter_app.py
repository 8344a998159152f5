"""A Jupyter front end (JupyterLab 4 or Notebook 7) serving one notebook with the widget cell:
a local server on a free port, no token, this venv's kernel; stopped by its PID."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from conftest import free_port

# The cell both front ends run: a MetricFrame from scores (so the page has a slider), its
# JSON printed (the numbers the page must show) and the widget.
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


@contextmanager
def jupyter(app: str, root: Path, probe: str) -> Iterator[str]:
    """Run ``python -m <app>`` (``jupyterlab`` or ``notebook``) on ``root`` holding
    ``widget.ipynb``; yield its base URL once ``probe`` (a page path) answers."""
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
        [sys.executable, "-m", app, "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password=",
         "--allow-root", f"--ServerApp.root_dir={root}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + probe, timeout=1).close()
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail(f"{app} did not answer: {(root / 'server.log').read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def kernel_idle(url: str, timeout: float = 120.0) -> None:
    """Wait until the server's one session has a kernel that is idle (started and ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "api/sessions", timeout=5) as r:
            sessions = json.loads(r.read())
        if sessions and all(s["kernel"]["execution_state"] == "idle" for s in sessions):
            return
        time.sleep(0.25)
    pytest.fail(f"no idle kernel within {timeout:.0f} s")
