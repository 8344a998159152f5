"""Drift views: per-column statistic or p-value, coloured by the verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from aequa._core import InvalidArgumentError
from aequa.plot._mpl import ALERT, NEUTRAL, OK, axes

if TYPE_CHECKING:
    from aequa.drift import DriftReport

__all__ = ["drift_report"]


def drift_report(report: DriftReport, ax: Any = None, *, value: str = "auto") -> Any:
    """One bar per column (and the prediction), red where drift was detected.

    Parameters
    ----------
    value : {"auto", "statistic", "p_value"}
        ``"auto"`` (the default) is ``"p_value"`` when every column was judged by a p-value
        (the statistics of different tests do not share a scale), else ``"statistic"``.
        ``"statistic"``: each column's test statistic, labelled with the test; distance
        tests (PSI, Wasserstein, Jensen-Shannon) show their threshold as a black tick.
        ``"p_value"``: the p-value used for the verdict (adjusted when a correction was
        applied) on a log axis, with each p-value test's threshold as a tick; columns
        judged by a distance have no p-value and no bar.

    Returns
    -------
    matplotlib Axes
        Bars in the order of ``report.to_pandas()``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd
    >>> from aequa.drift import drift_report
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b"], 300)})
    >>> cur = pd.DataFrame({"x": rng.normal(1, size=300), "c": rng.choice(["a", "b"], 300)})
    >>> ax = drift_report(ref, cur).plot()  # KS and chi-square: p-values, log axis
    >>> ax.get_xscale(), [t.get_text() for t in ax.get_yticklabels()]
    ('log', ['x (ks)', 'c (chisquare)'])
    """
    if value not in ("auto", "statistic", "p_value"):
        raise InvalidArgumentError(
            f"value: expected 'auto', 'statistic' or 'p_value', found {value!r}"
        )
    table = report.to_pandas()
    p = table["p_value_adjusted"].where(table["p_value_adjusted"].notna(), table["p_value"])
    if value == "auto":
        value = "p_value" if p.notna().all() else "statistic"
    heights = (table["statistic"] if value == "statistic" else p).to_numpy(dtype=float)
    drifted = table["drifted"].to_numpy(dtype=bool)
    y = np.arange(len(table), dtype=float)
    ax = axes(ax, figsize=(6.4, 1.0 + 0.35 * len(table)))
    ax.barh(y, heights, color=[ALERT if d else OK for d in drifted])
    # A threshold belongs to the statistic for distance tests and to the p-value otherwise.
    on_p = p.notna().to_numpy()
    ticks = on_p if value == "p_value" else ~on_p
    thresholds = table["threshold"].to_numpy(dtype=float)
    ax.vlines(thresholds[ticks], y[ticks] - 0.4, y[ticks] + 0.4, color="black", lw=2)
    if value == "statistic":
        for yi, h in zip(y, heights):
            if np.isfinite(h):
                ax.annotate(f"{h:.3g}", (h, yi), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize="small")  # fmt: skip
    labels = [f"{c} ({t})" for c, t in zip(table.index, table["test"])]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    if value == "p_value":
        ax.set_xscale("log")
        ax.set_xlabel("p-value (tick: threshold; red: drift)")
    else:
        ax.set_xlabel("test statistic (tick: threshold of distance tests; red: drift)")
    verdict = "dataset drift" if report.dataset_drift else "no dataset drift"
    ax.set_title(f"{report.n_drifted} of {len(report.columns)} columns drifted: {verdict}")
    ax.axvline(0.0, color=NEUTRAL, lw=0.5)
    return ax
