"""Fairness, drift, robustness and explanation checks for test suites.

Each ``assert_*`` function runs one aequa analysis, compares it with a threshold, and either
returns a :class:`CheckResult` or raises an :class:`AequaAssertionError` subclass whose
message says what broke, where, by how much, with what interval and on how many rows. They
work in pytest, unittest or plain Python; the pytest plugin (:mod:`aequa.testing.plugin`)
adds a ``fairness`` marker, fixtures, a summary at the end of the run and a JSON report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aequa import _lazy

if TYPE_CHECKING:
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

# Loaded on first use (PEP 562): the pytest plugin imports this package at every pytest start.
_EXPORTS = {
    "aequa.testing._drift": ("assert_no_drift",),
    "aequa.testing._errors": ("AequaAssertionError", "DriftAssertionError",
                              "ExplanationAssertionError", "FairnessAssertionError",
                              "RobustnessAssertionError"),
    "aequa.testing._explanation": ("assert_explanation_stable",),
    "aequa.testing._fairness": ("InconclusiveCheckWarning", "assert_fairness"),
    "aequa.testing._result": ("CheckResult",),
    "aequa.testing._robust": ("assert_robust",),
}  # fmt: skip
_ORIGIN = {name: module for module, names in _EXPORTS.items() for name in names}
__getattr__, __dir__ = _lazy.attach(__name__, _EXPORTS)


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
