"""Explanation views: importance bars, a beeswarm summary, partial dependence / ICE and ALE."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from aequa._core import InvalidArgumentError
from aequa.plot._mpl import NEUTRAL, OK, axes

if TYPE_CHECKING:
    from aequa.explain import (
        AccumulatedLocalEffects,
        Explanation,
        PartialDependenceResult,
        PermutationImportanceResult,
    )

__all__ = [
    "accumulated_local_effects",
    "explanation_bar",
    "explanation_beeswarm",
    "partial_dependence",
    "permutation_importance",
]


def _top(importance: np.ndarray, max_display: int | None) -> np.ndarray:
    """Feature indices by decreasing importance (NaN last), at most ``max_display``."""
    order = np.argsort(-np.nan_to_num(importance, nan=-np.inf), kind="stable")
    return order if max_display is None else order[: max(int(max_display), 1)]


def _output(exp: Explanation, output: int | str | None) -> np.ndarray:
    """The ``(rows, features)`` values of one output."""
    if exp.values.ndim == 2:
        return exp.values
    if output is None:
        raise InvalidArgumentError(
            f"output: the explanation has {len(exp.output_names)} outputs "
            f"{exp.output_names}; pass output= (an index or a name)"
        )
    if isinstance(output, str):
        if output not in exp.output_names:
            raise InvalidArgumentError(f"output: {output!r} is not in {exp.output_names}")
        output = exp.output_names.index(output)
    return exp.values[:, :, int(output)]


def explanation_bar(
    exp: Explanation, ax: Any = None, *, max_display: int = 10, output: int | str | None = None
) -> Any:
    """Global importance: mean |value| per feature, largest at the top.

    A multi-output explanation without ``output`` draws one bar per (feature, output).

    Returns
    -------
    matplotlib Axes
        Bars in order of decreasing importance (of the first output when several).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa.explain import ExactExplainer
    >>> X = np.random.default_rng(0).normal(size=(30, 3))
    >>> exp = ExactExplainer(lambda a: a @ np.array([3.0, -1.0, 0.0]), X)(X[:10])
    >>> ax = exp.plot(max_display=2)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Feature 0', 'Feature 1']
    """
    multi = exp.values.ndim == 3 and output is None
    if multi:
        mean = np.abs(exp.values).mean(axis=0)  # (features, outputs)
        names = exp.output_names
    else:
        mean = np.abs(_output(exp, output)).mean(axis=0)[:, None]
        names = ["mean |value|"]
    order = _top(mean[:, 0] if not multi else mean.sum(axis=1), max_display)
    ax = axes(ax, figsize=(6.4, 1.0 + 0.35 * len(order)))
    k = mean.shape[1]
    height = 0.8 / k
    base = np.arange(len(order), dtype=float)
    for j in range(k):
        y = base - 0.4 + height * (j + 0.5)
        ax.barh(y, mean[order, j], height=height * 0.9, color=f"C{j}" if multi else OK,
                label=names[j])  # fmt: skip
    ax.set_yticks(base, [exp.feature_names[i] for i in order])
    ax.invert_yaxis()
    ax.set_xlabel("mean |attribution|")
    ax.set_title(f"{exp.method}: global importance")
    if multi:
        ax.legend(loc="best", fontsize="small")
    return ax


def _jitter(values: np.ndarray, width: float = 0.35, bins: int = 50) -> np.ndarray:
    """Deterministic vertical offsets: points sharing a value bin are spread symmetrically,
    so dense regions look wide (a beeswarm without randomness)."""
    finite = np.isfinite(values)
    out = np.zeros(len(values))
    if not finite.any():
        return out
    lo, hi = float(values[finite].min()), float(values[finite].max())
    span = hi - lo if hi > lo else 1.0
    idx = np.clip(((values - lo) / span * bins).astype(int, copy=False), 0, bins - 1)
    idx[~finite] = 0
    counts = np.bincount(idx, minlength=bins)
    scale = width / max(int(counts.max()), 1)
    seen = np.zeros(bins, dtype=int)
    for i in np.argsort(values, kind="stable"):
        r = seen[idx[i]]
        seen[idx[i]] += 1
        out[i] = (r + 1) // 2 * (1 if r % 2 else -1) * scale
    return out


def explanation_beeswarm(
    exp: Explanation, ax: Any = None, *, max_display: int = 10, output: int | str | None = None
) -> Any:
    """Summary: every row's attribution per feature, coloured by the feature's value.

    Features are ordered by mean |value| (largest at the top). Points are spread vertically
    where they are dense (deterministically). Colour is the feature's value scaled to its
    range within the explained rows (grey when ``exp.data`` is absent).

    Returns
    -------
    matplotlib Axes
        One scatter collection per displayed feature, x = the attributions.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa.explain import ExactExplainer
    >>> X = np.random.default_rng(0).normal(size=(30, 3))
    >>> exp = ExactExplainer(lambda a: a @ np.array([3.0, -1.0, 0.0]), X)(X[:10])
    >>> ax = exp.plot(kind="beeswarm")
    >>> len(ax.collections)  # one scatter per feature
    3
    """
    values = _output(exp, output)
    order = _top(np.abs(values).mean(axis=0), max_display)
    ax = axes(ax, figsize=(6.4, 1.0 + 0.4 * len(order)))
    data = None if exp.data is None else np.asarray(exp.data)
    for row, j in enumerate(order):
        x = values[:, j]
        y = row + _jitter(x)
        colour: Any = NEUTRAL
        if data is not None:
            try:
                v = data[:, j].astype(np.float64)
            except (TypeError, ValueError):
                v = None
            if v is not None and np.isfinite(v).any():
                lo, hi = np.nanmin(v), np.nanmax(v)
                colour = (v - lo) / (hi - lo) if hi > lo else np.full(len(v), 0.5)
        ax.scatter(x, y, s=8, c=colour, cmap="coolwarm" if data is not None else None,
                   vmin=0.0, vmax=1.0, alpha=0.8, linewidths=0)  # fmt: skip
    ax.axvline(0.0, color=NEUTRAL, lw=0.8)
    ax.set_yticks(np.arange(len(order)), [exp.feature_names[i] for i in order])
    ax.invert_yaxis()
    ax.set_xlabel("attribution (colour: feature value, low blue → high red)")
    ax.set_title(f"{exp.method}: attributions per row")
    return ax


def permutation_importance(
    result: PermutationImportanceResult, ax: Any = None, *, max_display: int | None = None
) -> Any:
    """Mean importance per feature with ±1 standard deviation over the repeats.

    Returns
    -------
    matplotlib Axes
        Bars in order of decreasing mean importance; error bars of ``importances_std``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa.explain import permutation_importance
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> y = 2 * X[:, 0]
    >>> r = permutation_importance(lambda a: 2 * a[:, 0], X, y, scoring="r2", random_state=0)
    >>> ax = r.plot()
    >>> ax.get_yticklabels()[0].get_text()  # the most important feature first
    'x0'
    """
    order = _top(result.importances_mean, max_display)
    ax = axes(ax, figsize=(6.4, 1.0 + 0.35 * len(order)))
    y = np.arange(len(order), dtype=float)
    ax.barh(y, result.importances_mean[order], xerr=result.importances_std[order], color=OK,
            error_kw={"ecolor": "black", "capsize": 3})  # fmt: skip
    ax.axvline(0.0, color=NEUTRAL, lw=0.8)
    ax.set_yticks(y, [result.feature_names[i] for i in order])
    ax.invert_yaxis()
    ax.set_xlabel(f"drop in {result.scoring} when permuted")
    ax.set_title(f"permutation importance (baseline {result.baseline_score:.4g})")
    return ax


def partial_dependence(
    result: PartialDependenceResult,
    ax: Any = None,
    *,
    output: int = 0,
    max_ice_lines: int = 100,
) -> Any:
    """Partial dependence (thick line) and ICE curves (thin lines) of one feature, or a
    filled contour of the average for a pair of features.

    Parameters
    ----------
    output : int
        Position in ``result.outputs`` to draw.
    max_ice_lines : int
        At most this many ICE curves, evenly spaced over the rows.

    Returns
    -------
    matplotlib Axes
        For one feature: the ICE lines first (when computed), then the average line (when
        computed).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa.explain import partial_dependence
    >>> X = np.random.default_rng(0).normal(size=(20, 2))
    >>> r = partial_dependence(lambda a: a[:, 0] ** 2, X, [0], kind="both", grid_resolution=5)
    >>> len(r.plot(max_ice_lines=10).lines)  # 10 ICE curves and the average
    11
    """
    if not 0 <= output < len(result.outputs):
        raise InvalidArgumentError(
            f"output: expected a position in 0..{len(result.outputs) - 1}, found {output}"
        )
    ax = axes(ax)
    grid = result.grid_values
    if len(grid) == 2:
        if result.average is None:
            raise InvalidArgumentError(
                "kind: a two-feature plot needs the average; use kind='average' or 'both'"
            )
        xx, yy = np.meshgrid(grid[0], grid[1], indexing="ij")
        filled = ax.contourf(xx, yy, result.average[output], levels=12, cmap="viridis")
        ax.figure.colorbar(filled, ax=ax, label="partial dependence")
        ax.set_xlabel(result.feature_names[0])
        ax.set_ylabel(result.feature_names[1])
        return ax
    if len(grid) != 1:
        raise InvalidArgumentError(f"features: can draw 1 or 2 features, found {len(grid)}")
    x = grid[0]
    if result.individual is not None:
        ice = result.individual[output]
        keep = np.unique(np.linspace(0, len(ice) - 1, min(max_ice_lines, len(ice))).astype(int))
        for i in keep:
            ax.plot(x, ice[i], color=NEUTRAL, lw=0.6, alpha=0.3)
    if result.average is not None:
        ax.plot(x, result.average[output], color=OK, lw=2.5, label="average")
        ax.legend(loc="best", fontsize="small")
    ax.set_xlabel(result.feature_names[0])
    ax.set_ylabel("prediction")
    kind = "ICE" if result.average is None else "PDP"
    if result.average is not None and result.individual is not None:
        kind = "PDP and ICE"
    ax.set_title(f"{kind} of {result.feature_names[0]} (output {result.outputs[output]})")
    return ax


def accumulated_local_effects(
    result: AccumulatedLocalEffects, ax: Any = None, *, output: int = 0
) -> Any:
    """The centred ALE curve at the bin edges (the title gives the rows used).

    Returns
    -------
    matplotlib Axes
        One line: ``x = result.edges``, ``y = result.ale[output]``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa.explain import accumulated_local_effects
    >>> X = np.random.default_rng(0).normal(size=(100, 2))
    >>> r = accumulated_local_effects(lambda a: 3 * a[:, 0], X, 0)
    >>> line = r.plot().lines[0]
    >>> bool(np.allclose(line.get_ydata(), r.ale[0]))
    True
    """
    if not 0 <= output < len(result.outputs):
        raise InvalidArgumentError(
            f"output: expected a position in 0..{len(result.outputs) - 1}, found {output}"
        )
    ax = axes(ax)
    ax.plot(result.edges, result.ale[output], color=OK, marker="o", ms=3, lw=2)
    ax.axhline(0.0, color=NEUTRAL, lw=0.8)
    ax.set_xlabel(result.feature_name)
    ax.set_ylabel("accumulated local effect")
    ax.set_title(f"ALE of {result.feature_name} ({int(result.counts.sum())} rows)")
    return ax
