"""Fixtures of the browser tests: the built dashboard served over HTTP, headless Chromium
driven by Playwright (Debian's /usr/bin/chromium, no downloaded browser), pages that fail the
test on any console error or page error, and the Adult audit built by the Python API."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "wasm" / "dashboard" / "dist"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = os.environ.get("AEQUA_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def dist() -> Path:
    for name in ("index.html", "app.js", "aequa-dashboard.html"):
        if not (DIST / name).is_file():
            pytest.fail(f"{DIST / name} is missing: run scripts/build-dashboard.sh first")
    return DIST


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(dist: Path) -> Iterator[str]:
    """``python3 -m http.server`` on a free port serving dist/; stopped by its PID."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=dist,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(url + "index.html", timeout=1) as r:
                    if b"aequa-bundle" in r.read():
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the dashboard server on port {port} did not answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium (make test-browser does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


class Page:
    """A Playwright page that records console errors and page errors."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("#app[data-ready=true]", timeout=30000)

    def load_file(self, selector: str, path: Path | str) -> None:
        self.page.set_input_files(selector, str(path))

    def cells(self, scope: str) -> list[dict[str, str]]:
        """Every numeric cell (its data-* attributes) under ``scope``."""
        return self.page.eval_on_selector_all(
            f"{scope} td[data-value]", "els => els.map(e => ({...e.dataset}))"
        )

    def wait_text(self, selector: str, test: str, text: str) -> None:
        """Wait until the text of ``selector`` passes ``test`` (a String method: ``includes``,
        ``startsWith``, ``endsWith``) with ``text``."""
        self.page.wait_for_function(
            "([s, m, t]) => document.querySelector(s)?.textContent[m](t) ?? false",
            arg=[selector, test, text],
            timeout=30000,
        )

    def message(self) -> str:
        self.page.wait_for_selector("#messages .message", timeout=30000)
        return self.page.inner_text("#messages .message .text")

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = Page(context.new_page())
    yield p
    context.close()
    assert p.errors == [], f"console or page errors: {p.errors}"


@pytest.fixture(scope="session")
def audit() -> Any:
    import warnings

    from audit_fixture import build_audit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_audit()


@pytest.fixture(scope="session")
def bundle_file(audit: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "adult_audit.json"
    path.write_text(json.dumps(audit.bundle, allow_nan=False), encoding="utf-8")
    return path
