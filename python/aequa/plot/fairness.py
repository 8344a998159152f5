"""Fairness views: group metrics with their bootstrap intervals, and threshold trade-offs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aequa._core import InvalidArgumentError
from aequa.plot._mpl import NEUTRAL, axes, label

if TYPE_CHECKING:
    from aequa.metric_frame import MetricFrame

__all__ = ["metric_frame", "threshold_curve", "threshold_table"]


def _frame(values: Any, names: list[str]) -> pd.DataFrame:
    return values.to_frame(name=names[0]) if isinstance(values, pd.Series) else values


def metric_frame(
    mf: MetricFrame, ax: Any = None, *, metrics: Sequence[str] | None = None, overall: bool = True
) -> Any:
    """Horizontal bars of each metric per group, with the bootstrap interval as a line.

    Parameters
    ----------
    mf : MetricFrame
        The assessment to draw.
    ax : matplotlib Axes, optional
        Where to draw (a new figure when omitted).
    metrics : list of str, optional
        The metrics to draw (default: all). Pick metrics that share a scale.
    overall : bool
        Draw each metric's overall value as a dashed vertical line (without control features).

    Returns
    -------
    matplotlib Axes
        One bar per (group, metric), in the order of ``mf.by_group``; when the frame has
        intervals, one horizontal line per bar from the lowest to the highest quantile.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import aequa
    >>> mf = aequa.MetricFrame(metrics="selection_rate", y_true=[1, 0, 1, 1, 0, 1],
    ...                        y_pred=[1, 0, 0, 1, 1, 1], sensitive_features=list("aaabbb"),
    ...                        n_boot=50, ci_quantiles=[0.025, 0.975], random_state=0)
    >>> ax = mf.plot()
    >>> [round(float(p.get_width()), 3) for p in ax.patches]
    [0.333, 1.0]
    """
    names: list[str] = list(mf.report["params"]["metrics"])
    chosen = list(metrics) if metrics is not None else names
    unknown = [m for m in chosen if m not in names]
    if unknown:
        raise InvalidArgumentError(f"metrics: {unknown} are not in the MetricFrame ({names})")
    values = _frame(mf.by_group, names)[chosen].astype(float)
    lo = hi = None
    if mf.ci_quantiles is not None and len(mf.ci_quantiles) >= 2:
        qs = mf.ci_quantiles
        cis = mf.by_group_ci
        lo = _frame(cis[int(np.argmin(qs))], names)[chosen].astype(float)
        hi = _frame(cis[int(np.argmax(qs))], names)[chosen].astype(float)
    ax = axes(ax, figsize=(6.4, 1.2 + 0.35 * len(values) * max(1, len(chosen))))
    groups = [label(g) for g in values.index]
    n, m = len(groups), len(chosen)
    height = 0.8 / m
    base = np.arange(n, dtype=float)
    colours = [f"C{i}" for i in range(m)]
    for j, metric in enumerate(chosen):
        y = base - 0.4 + height * (j + 0.5)
        ax.barh(y, values[metric].to_numpy(), height=height * 0.9, color=colours[j], label=metric)
        if lo is not None and hi is not None:
            ax.hlines(y, lo[metric].to_numpy(), hi[metric].to_numpy(), color="black", lw=1.5)
    if overall and mf.control_levels is None:
        total = mf.overall
        total = pd.Series({names[0]: total}) if not isinstance(total, pd.Series) else total
        for j, metric in enumerate(chosen):
            ax.axvline(float(total[metric]), color=colours[j], ls="--", lw=1, alpha=0.8)
    ax.set_yticks(base, groups)
    ax.invert_yaxis()
    ax.set_xlabel(chosen[0] if m == 1 else "value")
    title = "by group" + (" (bars: value, lines: interval)" if lo is not None else "")
    ax.set_title(title)
    if m > 1:
        ax.legend(loc="best", fontsize="small")
    return ax


def _metric_name(metric: Any) -> str:
    return metric if isinstance(metric, str) else str(getattr(metric, "__name__", "metric"))


def _default_thresholds(y_score: np.ndarray) -> np.ndarray:
    if y_score.size and np.nanmin(y_score) >= 0.0 and np.nanmax(y_score) <= 1.0:
        return np.round(np.linspace(0.05, 0.95, 19), 10)
    return np.unique(np.nanquantile(y_score, np.linspace(0.05, 0.95, 19)))


def threshold_table(
    y_true: Any,
    y_score: Any,
    *,
    sensitive_features: Any,
    metric: Any = "selection_rate",
    thresholds: Sequence[float] | None = None,
    pos_label: Any = None,
    sample_weight: Any = None,
) -> pd.DataFrame:
    """A metric per group at each decision threshold, through ``MetricFrame(threshold=t)``.

    Returns
    -------
    DataFrame
        Indexed by threshold; one column per group and ``"overall"``.

    Examples
    --------
    >>> from aequa.plot import threshold_table
    >>> threshold_table([1, 0, 1, 0], [0.9, 0.4, 0.6, 0.2], sensitive_features=list("aabb"),
    ...                 thresholds=[0.3, 0.5]).to_dict("list")
    {'a': [1.0, 0.5], 'b': [0.5, 0.5], 'overall': [0.75, 0.5]}
    """
    from aequa import _inputs
    from aequa.metric_frame import MetricFrame

    score = _inputs.to_numpy(y_score, "y_score").astype(np.float64)
    grid = _default_thresholds(score) if thresholds is None else np.asarray(thresholds, float)
    name = _metric_name(metric)
    rows = []
    for t in grid:
        mf = MetricFrame(
            metrics=metric,
            y_true=y_true,
            y_pred=score,
            sensitive_features=sensitive_features,
            threshold=float(t),
            pos_label=pos_label,
            sample_weight=sample_weight,
        )
        by = mf.by_group
        row = {label(g): float(v) for g, v in by.items()}
        row["overall"] = float(mf.overall)
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(grid, name="threshold"))
    table.columns.name = name
    return table


def threshold_curve(
    y_true: Any,
    y_score: Any,
    *,
    sensitive_features: Any,
    metric: Any = "selection_rate",
    thresholds: Sequence[float] | None = None,
    pos_label: Any = None,
    sample_weight: Any = None,
    ax: Any = None,
) -> Any:
    """Trade-off curve: a metric per group as the decision threshold moves.

    Each point is a :class:`~aequa.MetricFrame` computed with ``threshold=t`` (scores
    ``>= t`` are positive); see :func:`threshold_table` for the numbers.

    Parameters
    ----------
    y_true, y_score : array-like
        Labels and scores (probabilities or any real score).
    sensitive_features : array-like
        One or more group columns (several give intersectional groups).
    metric : str or callable
        A built-in metric name or function (default ``"selection_rate"``).
    thresholds : list of float, optional
        Default: 0.05, 0.10, ..., 0.95 for scores in [0, 1], else 19 quantiles of the scores.
    pos_label, sample_weight : optional
        As for :class:`~aequa.MetricFrame`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        One line per group, then a dashed black line for ``overall``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from aequa.plot import threshold_curve
    >>> ax = threshold_curve([1, 0, 1, 0], [0.9, 0.4, 0.6, 0.2],
    ...                      sensitive_features=list("aabb"), thresholds=[0.3, 0.5])
    >>> [line.get_ydata().tolist() for line in ax.lines]
    [[1.0, 0.5], [0.5, 0.5], [0.75, 0.5]]
    """
    table = threshold_table(
        y_true,
        y_score,
        sensitive_features=sensitive_features,
        metric=metric,
        thresholds=thresholds,
        pos_label=pos_label,
        sample_weight=sample_weight,
    )
    ax = axes(ax)
    x = table.index.to_numpy()
    for i, col in enumerate(c for c in table.columns if c != "overall"):
        ax.plot(x, table[col].to_numpy(), marker="o", ms=3, color=f"C{i}", label=col)
    ax.plot(x, table["overall"].to_numpy(), ls="--", color=NEUTRAL, label="overall")
    ax.set_xlabel("threshold")
    ax.set_ylabel(str(table.columns.name))
    ax.set_title(f"{table.columns.name} by threshold")
    ax.legend(loc="best", fontsize="small")
    return ax
