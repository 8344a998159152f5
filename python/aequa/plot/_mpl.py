"""Lazy access to matplotlib (an optional extra: ``pip install 'aequa[plot]'``)."""

from __future__ import annotations

import importlib
from typing import Any

INSTALL_HINT = (
    "matplotlib is required for aequa's plots but is not installed; install it with "
    "`pip install 'aequa[plot]'` (or `pip install matplotlib`)"
)

# Drifted / not drifted, overall line, and the group palette cycle.
ALERT, OK, NEUTRAL = "#c0392b", "#4c72b0", "#555555"


def pyplot() -> Any:
    """``matplotlib.pyplot``, imported on first use; a clear ImportError when missing."""
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc


def axes(ax: Any = None, *, figsize: tuple[float, float] = (6.4, 4.0)) -> Any:
    """The given Axes, or a new figure's single Axes."""
    plt = pyplot()
    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize)
    return new


def label(level: Any) -> str:
    """A group label: tuples (intersections, control strata) joined with ", "."""
    if isinstance(level, tuple):
        return ", ".join(str(v) for v in level)
    return str(level)
