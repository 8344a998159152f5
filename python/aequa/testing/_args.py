"""Argument checks shared by the assertions (messages name the argument, what was expected
and what was found)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aequa._core import InvalidArgumentError


def number(value: Any, argument: str) -> float:
    """A finite real number (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"{argument}: expected a number, found {value!r}")
    f = float(value)
    if not math.isfinite(f):
        raise InvalidArgumentError(f"{argument}: expected a finite number, found {value!r}")
    return f


def exactly_one(**options: Any) -> tuple[str, Any]:
    """The one option that is not ``None``; the error names the first option."""
    given = [(k, v) for k, v in options.items() if v is not None]
    if len(given) != 1:
        names = list(options)
        raise InvalidArgumentError(
            f"{names[0]}: pass exactly one of {' or '.join(names)}, found "
            + ("both" if given else "neither")
        )
    return given[0]
