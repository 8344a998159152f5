"""Shared helpers: the golden fixtures written by tests/golden/generate_fairness.py."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

# pytester runs the aequa.testing plugin in a sandbox (tests/python/test_testing_plugin.py).
pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "fairness"


def fixtures() -> list[Path]:
    found = sorted(GOLDEN.glob("*.json"))
    assert found, f"no golden fixtures in {GOLDEN}: run tests/golden/generate_fairness.py"
    return found


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def close(actual: Any, expected: Any, tol: float = 1e-12) -> bool:
    """Equal to ``tol`` (absolute or relative); NaN/None match only each other."""
    a = math.nan if actual is None else float(actual)
    e = math.nan if expected is None else float(expected)
    if math.isnan(a) or math.isnan(e):
        return math.isnan(a) and math.isnan(e)
    return abs(a - e) <= tol * max(1.0, abs(e))


@pytest.fixture(params=fixtures(), ids=lambda p: p.stem)
def case(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(request.param)
