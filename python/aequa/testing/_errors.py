"""The assertion errors of :mod:`aequa.testing`: one base class, one per kind of check.

They subclass :class:`AssertionError`, so pytest and unittest report a broken threshold as a
test *failure* (not an error). Bad arguments (an unknown metric, two thresholds at once) raise
:class:`aequa.InvalidArgumentError` instead: the check could not be run at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aequa.testing._result import CheckResult

__all__ = [
    "AequaAssertionError",
    "DriftAssertionError",
    "ExplanationAssertionError",
    "FairnessAssertionError",
    "RobustnessAssertionError",
]


class AequaAssertionError(AssertionError):
    """A check ran and its threshold was broken; ``result`` holds every number."""

    def __init__(self, message: str, result: CheckResult) -> None:
        super().__init__(message)
        self.result = result


class FairnessAssertionError(AequaAssertionError):
    """A group metric, difference or ratio broke its threshold (:func:`assert_fairness`)."""


class DriftAssertionError(AequaAssertionError):
    """Too many columns drifted (:func:`assert_no_drift`)."""


class RobustnessAssertionError(AequaAssertionError):
    """Predictions flipped too often under noise (:func:`assert_robust`)."""


class ExplanationAssertionError(AequaAssertionError):
    """Feature rankings moved too much across seeds or resamples
    (:func:`assert_explanation_stable`)."""


# Tracebacks and doctests name the public path, ``aequa.testing.FairnessAssertionError``.
for _cls in (AequaAssertionError, FairnessAssertionError, DriftAssertionError,
             RobustnessAssertionError, ExplanationAssertionError):  # fmt: skip
    _cls.__module__ = "aequa.testing"
