"""Fairness, drift, robustness and explanation checks for test suites.

Each ``assert_*`` function runs one aequa analysis, compares it with a threshold, and either
returns a :class:`CheckResult` or raises an :class:`AequaAssertionError` subclass whose
message says what broke, where, by how much, with what interval and on how many rows. They
work in pytest, unittest or plain Python; the pytest plugin (:mod:`aequa.testing.plugin`)
adds a ``fairness`` marker, fixtures, a summary at the end of the run and a JSON report.
"""

from __future__ import annotations

from aequa.testing._drift import assert_no_drift
from aequa.testing._errors import (
    AequaAssertionError,
    DriftAssertionError,
    ExplanationAssertionError,
    FairnessAssertionError,
    RobustnessAssertionError,
)
from aequa.testing._explanation import assert_explanation_stable
from aequa.testing._fairness import InconclusiveCheckWarning, assert_fairness
from aequa.testing._result import CheckResult
from aequa.testing._robust import assert_robust

__all__ = [
    "AequaAssertionError",
    "CheckResult",
    "DriftAssertionError",
    "ExplanationAssertionError",
    "FairnessAssertionError",
    "InconclusiveCheckWarning",
    "RobustnessAssertionError",
    "assert_explanation_stable",
    "assert_fairness",
    "assert_no_drift",
    "assert_robust",
]
