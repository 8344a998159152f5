"""PNG plots of the command line's results (``--plots DIR``).

Figures are built on matplotlib's Agg canvas directly (``Figure`` + ``FigureCanvasAgg``): no
display, no pyplot figure manager, and the caller's global backend is left alone. matplotlib
is the optional extra ``aequa[plot]``; :func:`require` ends the command with exit code 2 and
one line saying how to install it.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import numpy as np

from aequa.cli._errors import CliError
from aequa.cli._policy import AIF360, FAIRLEARN, RATES

INSTALL = "matplotlib is not installed; install it with `pip install 'aequa[plot]'`"

# The rates an AIF360 signed form compares between the privileged and the other groups.
_AIF360_RATES = {
    "statistical_parity_difference": ["selection_rate"],
    "disparate_impact_ratio": ["selection_rate"],
    "average_odds_difference": ["true_positive_rate", "false_positive_rate"],
    "average_abs_odds_difference": ["true_positive_rate", "false_positive_rate"],
    "equal_opportunity_difference_aif360": ["true_positive_rate"],
}
_DIRECT_SUMMARIES = ("by_group", "overall", "group_min", "group_max")
_ALERT, _OK = "#c0392b", "#4c72b0"


def available() -> bool:
    """Whether matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def require(option: str = "--plots") -> None:
    """Exit code 2 (``CliError``) with the install hint when matplotlib is missing."""
    if not available():
        raise CliError(f"{option}: {INSTALL}")


def figure(width: float = 6.4, height: float = 4.0) -> Any:
    """A figure on the Agg canvas (no display, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def slug(text: str) -> str:
    """A file-name-safe form of a metric or check id."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "plot"


def save(fig: Any, path: str) -> str:
    """Write ``fig`` as a PNG; an unwritable folder ends with exit code 2."""
    try:
        fig.tight_layout()
    except (ValueError, RuntimeError):  # pragma: no cover - layout failures keep the default
        pass
    try:
        fig.savefig(path, format="png", dpi=100)
    except OSError as e:
        raise CliError(f"{path}: cannot write ({e.strerror or e})") from None
    return path


def make_dir(path: str, option: str) -> None:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise CliError(f"{option} {path}: cannot create the folder ({e.strerror or e})") from None


# ----- audit --------------------------------------------------------------------------------


def audit_plots(frame: Any, spec: Any, metrics: list[str], out_dir: str) -> list[str]:
    """``metric_<m>.png`` per metric (bars per group with intervals) and, when the decisions
    come from scores held in memory, ``threshold_<m>.png`` per metric except ``count`` (the
    metric per group as the threshold moves; a dotted line at the decision threshold)."""
    import pandas as pd

    written = []
    mf = frame.metric_frame
    n_groups = len(mf.by_group)
    for m in metrics:
        fig = figure(6.4, 1.6 + 0.35 * n_groups)
        ax = mf.plot(ax=fig.add_subplot(), metrics=[m])
        ax.set_title(f"{m} {ax.get_title()}")
        written.append(save(fig, os.path.join(out_dir, f"metric_{slug(m)}.png")))
    if spec.prediction is None and frame.y_true is not None and frame.sensitive:
        from aequa.plot import threshold_curve

        sens = pd.DataFrame({k: np.asarray(v) for k, v in frame.sensitive.items()})
        for m in metrics:
            if m == "count":
                continue
            fig = figure()
            ax = threshold_curve(
                frame.y_true,
                np.asarray(frame.y_pred, dtype=np.float64),
                sensitive_features=sens,
                metric=m,
                pos_label=spec.pos_label,
                ax=fig.add_subplot(),
            )
            t = spec.decision_threshold()
            t = 0.5 if t is None else float(t)
            ax.axvline(t, color="black", lw=1, ls=":", label=f"threshold {t:g}")
            ax.legend(loc="best", fontsize="small")
            written.append(save(fig, os.path.join(out_dir, f"threshold_{slug(m)}.png")))
    return written


# ----- check --------------------------------------------------------------------------------


def _group_values(mf: Any, rates: list[str]) -> tuple[list[str], dict[str, list[float]]]:
    """Group labels and, per rate, the value of each group (NaN when undefined)."""
    rep = mf.report
    names = [s["name"] for s in rep["sensitive"]]
    rows = [r for r in rep["values"]["by_group"] if not r["control"]]
    labels = [",".join(f"{n}={g}" for n, g in zip(names, r["group"])) for r in rows]
    values = {
        m: [float("nan") if r["values"].get(m) is None else float(r["values"][m]) for r in rows]
        for m in rates
    }
    return labels, values


def _group_levels(mf: Any) -> list[list[Any]]:
    """Each group's levels, in the order of :func:`_group_values`."""
    return [r["group"] for r in mf.report["values"]["by_group"] if not r["control"]]


def check_rates(result: dict[str, Any]) -> list[str]:
    """The per-group metrics a ``[[check]]`` result is about."""
    m = result["metric"]
    if m in FAIRLEARN:
        return list(RATES[FAIRLEARN[m][0]])
    if m in AIF360:
        return list(_AIF360_RATES[m])
    return [m]


def check_metric_frame(result: dict[str, Any], frame: Any, spec: Any) -> Any:
    """A MetricFrame holding the check's rates: the command's one, or (AIF360 forms, whose
    rates the command does not compute) a new one from the rows in memory; None if streamed."""
    rates = check_rates(result)
    mf = frame.metric_frame
    if all(r in mf.report["params"]["metrics"] for r in rates):
        return mf
    if frame.y_true is None:
        return None
    import warnings

    from aequa import MetricFrame
    from aequa.metric_frame import SmallGroupWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        return MetricFrame(
            metrics=rates,
            y_true=frame.y_true,
            y_pred=frame.y_pred,
            sensitive_features=frame.sensitive,
            threshold=spec.decision_threshold(),
            pos_label=spec.pos_label,
        )


def _bounds(result: dict[str, Any], mf: Any, rate: str, vals: list[float]) -> list[tuple]:
    """``(y, text)`` lines that the group values of ``rate`` must respect, when the check's
    bound translates exactly to the group scale; else an empty list."""
    o, m = result["options"], result["metric"]
    lo, hi = o.get("min"), o.get("max")
    finite = [v for v in vals if math.isfinite(v)]
    if not finite:
        return []
    fam = "fairlearn" if m in FAIRLEARN else "aif360" if m in AIF360 else "metric"
    summary = o.get("summary", "by_group")
    if fam == "metric" and summary in _DIRECT_SUMMARIES:
        return [(b, f"{k} {b:g}") for k, b in (("min", lo), ("max", hi)) if b is not None]
    if fam == "aif360":
        return []  # the privileged group against the pooled others: no per-group line
    if fam == "fairlearn":
        kind = FAIRLEARN[m][1]
        if o.get("agg", "worst_case") != "worst_case" and len(check_rates(result)) > 1:
            return []
    else:
        kind = summary
    method = o.get("method", "between_groups")
    out: list[tuple] = []
    if method == "between_groups":
        if kind == "difference" and hi is not None:
            out.append((min(finite) + hi, f"lowest + max {hi:g}"))
        if kind == "ratio" and lo is not None:
            out.append((max(finite) * lo, f"highest × min {lo:g}"))
    elif method == "to_overall":
        import pandas as pd

        overall = mf.overall
        base = float(overall[rate]) if isinstance(overall, pd.Series) else float(overall)
        if kind == "difference" and hi is not None:
            out += [(base - hi, f"overall - max {hi:g}"), (base + hi, f"overall + max {hi:g}")]
        if kind == "ratio" and lo is not None and lo > 0:
            out += [(base * lo, f"overall × min {lo:g}"), (base / lo, f"overall / min {lo:g}")]
    return out


def _judged(levels: list[list[Any]], group: Any) -> list[bool]:
    """Which groups a per-group check judges: all, or the one its ``group`` option names."""
    if group is None:
        return [True] * len(levels)
    want = [str(g) for g in (group if isinstance(group, list) else [group])]
    return [[str(g) for g in groups] == want for groups in levels]


def check_figure(result: dict[str, Any], mf: Any) -> Any:
    """One ``[[check]]``: a bar per group (per rate when the check uses several) with the
    check's bound as horizontal lines where it applies to the group values.

    Bars are in the order: rate by rate (``check_rates(result)``), groups in the order of the
    MetricFrame. Direct bounds (a base metric judged per group, or its overall / group min /
    group max) are drawn as given and the groups outside them in red; differences and ratios
    between groups or to the overall value show the band the groups must fit in (worst-case
    aggregation); AIF360's forms (privileged against the pooled other groups) show no line.
    """
    rates = check_rates(result)
    labels, values = _group_values(mf, rates)
    n, k = len(labels), len(rates)
    fig = figure(max(6.4, 1.5 + 0.45 * n * k), 4.2)
    ax = fig.add_subplot()
    width = 0.8 / k
    base = np.arange(n, dtype=float)
    o = result["options"]
    direct = result["metric"] not in FAIRLEARN and result["metric"] not in AIF360
    direct = direct and o.get("summary", "by_group") == "by_group"
    for j, rate in enumerate(rates):
        x = base - 0.4 + width * (j + 0.5)
        vals = values[rate]
        colours = [f"C{j}"] * n
        if direct:
            lo, hi = o.get("min"), o.get("max")
            judged = _judged(_group_levels(mf), o.get("group"))
            colours = [
                _ALERT
                if ok
                and math.isfinite(v)
                and ((lo is not None and v < lo) or (hi is not None and v > hi))
                else _OK
                for v, ok in zip(vals, judged)
            ]
        ax.bar(x, vals, width=width * 0.9, color=colours, label=rate if k > 1 else None)
        for y, text in _bounds(result, mf, rate, vals):
            ax.hlines(y, x[0] - width / 2, x[-1] + width / 2, colors="black", linestyles="--")
            ax.annotate(text, (x[-1] + width / 2, y), xytext=(2, 2), textcoords="offset points",
                        fontsize="small")  # fmt: skip
    ax.set_xticks(base, labels, rotation=30 if n > 4 else 0, ha="right" if n > 4 else "center")
    ax.set_ylabel(rates[0] if k == 1 else "value")
    value = result["value"]
    shown = "undefined" if value is None else f"{value:.4g}"
    bound = ", ".join(
        f"{b} {result[b]:g}" for b in ("min", "max") if result.get(b) is not None
    )  # fmt: skip
    ax.set_title(f"{_mark(result)} {result['id']}: {shown} ({bound})", fontsize="medium")
    if k > 1:
        ax.legend(loc="best", fontsize="small")
    ax.axhline(0.0, color="#555555", lw=0.5)
    return fig


def _mark(result: dict[str, Any]) -> str:
    return "PASS" if result["passed"] else "FAIL"


def drift_figure(result: dict[str, Any]) -> Any:
    """A ``[[drift]]`` result: the drift report's per-column view (``DriftReport.plot``),
    titled with the drift share against ``max_drift_share``."""
    from aequa.drift import DriftReport

    report = DriftReport(result["details"]["report"])
    fig = figure(6.4, 1.6 + 0.35 * len(report.columns))
    ax = report.plot(ax=fig.add_subplot())
    head = f"{_mark(result)} {result['id']}: drift share {report.drift_share:.3g}"
    if result.get("max") is not None:
        head += f" (max {result['max']:g})"
    ax.set_title(f"{head}\n{ax.get_title()}", fontsize="medium")
    return fig


def robustness_figure(result: dict[str, Any]) -> Any:
    """A ``[[robustness]]`` result (one noise budget): the flip rate as a bar, one more bar per
    sensitive group when the report has groups, and ``max_flip_rate`` as a dashed line."""
    from aequa.robust import NoiseStabilityReport

    report = NoiseStabilityReport(result["details"]["report"])
    names, values = ["overall"], [float(report.flip_rate[0])]
    if report.by_group is not None:
        g = report.by_group
        g = g[g["budget"] == report.budgets[0]]
        keys = [
            c for c in g.columns if c not in ("budget", "rows", "flip_rate", "mean_output_change")
        ]
        for _, row in g.iterrows():
            names.append(",".join(f"{k}={row[k]}" for k in keys))
            values.append(float(row["flip_rate"]))
    fig = figure(max(6.4, 1.5 + 0.6 * len(names)), 4.0)
    ax = fig.add_subplot()
    limit = result.get("max")
    colours = [_ALERT if limit is not None and v > limit else _OK for v in values]
    ax.bar(np.arange(len(names), dtype=float), values, width=0.5, color=colours)
    ax.set_xlim(-0.75, len(names) - 0.25)
    ax.set_xticks(np.arange(len(names), dtype=float), names)
    if limit is not None:
        ax.axhline(float(limit), color="black", ls="--", label=f"max_flip_rate {limit:g}")
        ax.legend(loc="best", fontsize="small")
    ax.set_ylabel(f"flip rate at budget {report.budgets[0]:g}")
    ax.set_title(f"{_mark(result)} {result['id']}: {values[0]:.4g}", fontsize="medium")
    return fig


def check_plots(results: list[dict[str, Any]], frame: Any, spec: Any, out_dir: str) -> list[str]:
    """One PNG per check: ``check_<id>.png``, ``drift_<id>.png``, ``robustness_<id>.png``.
    Group checks of a streamed file whose rates were not computed are skipped."""
    written = []
    for r in results:
        name = slug(r["id"])
        if name.startswith(f"{r['table']}_"):  # drift and robustness ids start with the table
            name = name[len(r["table"]) + 1 :]
        if r["table"] == "check":
            mf = check_metric_frame(r, frame, spec)
            if mf is None:
                continue
            fig = check_figure(r, mf)
        elif r["table"] == "drift":
            fig = drift_figure(r)
        else:
            fig = robustness_figure(r)
        written.append(save(fig, os.path.join(out_dir, f"{r['table']}_{name}.png")))
    return written
