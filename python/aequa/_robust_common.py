"""Small helpers shared by the robustness probes (:mod:`aequa.robust`) and the attacks
(:mod:`aequa._attacks`): budgets, nullable numbers from the core's JSON, the default label
threshold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from aequa._core import InvalidArgumentError


def _budgets(budgets: Any) -> list[float]:
    try:
        values = [float(b) for b in np.atleast_1d(np.asarray(budgets, dtype=np.float64))]
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"budgets: expected a list of numbers ({exc})") from exc
    return values


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _arr(values: Sequence[Any]) -> np.ndarray:
    return np.asarray([_num(v) for v in values], dtype=np.float64)


def _threshold(resolved_method: str, threshold: float | None) -> float:
    if threshold is not None:
        return float(threshold)
    return 0.0 if resolved_method.endswith("decision_function") else 0.5
