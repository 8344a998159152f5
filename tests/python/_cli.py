"""Helpers of the command-line tests: synthetic prediction files, running the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SCHEMA = Path(__file__).resolve().parent / "schemas" / "junit.xsd"


def frame(n: int = 4000, seed: int = 0, bias: float = 0.15) -> pd.DataFrame:
    """Labels, scores and decisions whose selection rate depends on the group by ``bias``."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    sex = rng.choice(["F", "M"], n)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = (x1 + 0.5 * x2 + rng.normal(scale=0.8, size=n) > 0).astype(int)
    shift = np.where(group == "a", bias, 0.0)
    score = 1.0 / (1.0 + np.exp(-(x1 + 0.5 * x2))) * 0.8 + shift
    score = np.round(np.clip(score, 0, 1), 6)
    return pd.DataFrame(
        {
            "y": y,
            "score": score,
            "y_hat": (score >= 0.5).astype(int),
            "group": group,
            "sex": sex,
            "x1": x1,
            "x2": x2,
        }
    )


def native_model_json(df: pd.DataFrame, features: list[str] | None = None) -> str:
    """A logistic regression fitted on the features, as native model JSON (probability)."""
    from aequa.explain import to_native
    from sklearn.linear_model import LogisticRegression

    features = features or ["x1", "x2"]
    model = LogisticRegression().fit(df[features], df["y"])
    return to_native(model, output="probability").to_json()


def write_policy(path: Path, text: str) -> Path:
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """``python -m aequa.cli ARGS`` in a subprocess (the installed command's entry point)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "aequa.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=300,
    )


def load(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def validate_junit(path: Path) -> Any:
    """Validate against the JUnit schema; returns the parsed tree."""
    import xml.etree.ElementTree as ET

    import xmlschema

    xmlschema.XMLSchema(str(SCHEMA)).validate(str(path))
    return ET.parse(path).getroot()
