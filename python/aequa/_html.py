"""The single-file HTML export: the built dashboard with a bundle injected.

The dashboard (``wasm/dashboard``, built by ``scripts/build-dashboard.sh``) ships inside the
wheel as ``aequa/_dashboard/aequa-dashboard.html``: its JavaScript, CSS and WASM module are
inlined, and the bundle goes into its ``<script type="application/json" id="aequa-bundle">``
element, so the written file opens offline from ``file://``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aequa._bundle import bundle_json

PLACEHOLDER = '<script type="application/json" id="aequa-bundle">null</script>'


def asset(name: str) -> Path:
    """A built dashboard file: from the wheel, ``$AEQUA_DASHBOARD_DIR`` or a source checkout."""
    here = Path(__file__).resolve().parent
    candidates = []
    if os.environ.get("AEQUA_DASHBOARD_DIR"):
        candidates.append(Path(os.environ["AEQUA_DASHBOARD_DIR"]) / name)
    candidates.append(here / "_dashboard" / name)
    candidates += [p / "wasm" / "dashboard" / "dist" / name for p in here.parents]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"the built dashboard file {name!r} was not found (looked in aequa/_dashboard and "
        "wasm/dashboard/dist); build it with scripts/build-dashboard.sh or `make wheel`, or "
        "set AEQUA_DASHBOARD_DIR"
    )


def render_html(bundle: dict[str, Any]) -> str:
    """The dashboard page with ``bundle`` embedded."""
    page = asset("aequa-dashboard.html").read_text(encoding="utf-8")
    if PLACEHOLDER not in page:
        raise RuntimeError("the built dashboard has no bundle placeholder; rebuild it")
    title = str(bundle.get("title") or "aequa dashboard")
    safe_title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    page = page.replace("<title>aequa dashboard</title>", f"<title>{safe_title}</title>", 1)
    injected = f'<script type="application/json" id="aequa-bundle">{bundle_json(bundle)}</script>'
    return page.replace(PLACEHOLDER, injected, 1)


def write_html(bundle: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write the self-contained dashboard page for ``bundle`` to ``path``."""
    out = Path(path)
    out.write_text(render_html(bundle), encoding="utf-8")
    return out
