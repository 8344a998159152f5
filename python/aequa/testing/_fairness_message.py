"""The text of a fairness check: the headline, the groups behind a broken gap, and the
per-group table with its flags."""

from __future__ import annotations

import math

import pandas as pd

from aequa.metric_frame import MetricFrame
from aequa.testing._fairness_metric import _Metric
from aequa.testing._fairness_units import _ctrl, _label, _Unit
from aequa.testing._result import CheckResult, fmt, table


def _headline(m: _Metric, u: _Unit, method: str, kind: str) -> str:
    base = f"{m.label}: " if m.label != u.metric else ""
    where = f" within {_label(u.where)}" if u.where is not None and kind != "per-group value" \
        else ""  # fmt: skip
    if kind == "per-group value":
        subject = f"{base}{u.metric} of group {_label(u.where)}"
    else:
        subject = f"{base}{u.metric} {kind} ({method}){where}"
    if math.isnan(u.value):
        if kind == "per-group value":
            return f"{subject} is undefined"
        return f"{subject} is undefined: fewer than two groups have a defined {u.metric}"
    side = "above" if u.upper else "below"
    if u.excess > 0:
        return f"{subject} is {fmt(u.value)}, {side} {u.limit}={u.threshold:g} by {fmt(u.excess)}"
    return f"{subject} is {fmt(u.value)}, within {u.limit}={u.threshold:g}"


def _message(
    result: CheckResult,
    m: _Metric,
    mf: MetricFrame,
    units: list[_Unit],
    worst: _Unit,
    method: str,
    alpha: float,
) -> str:
    kind = result.name.split(" ", 1)[1].split(" (")[0]
    level = f"{(1 - alpha) * 100:g}%"
    lines = [_headline(m, worst, method, kind) + "."]
    if result.interval is not None and not math.isnan(worst.lo):
        lines.append(
            f"{level} bootstrap interval: [{fmt(worst.lo)}, {fmt(worst.hi)}] "
            f"(n_boot={result.details['n_boot']}, random_state={result.seed})."
        )
    if result.significance is not None:
        side = "above" if worst.upper else "below"
        if math.isnan(worst.value):
            lines.append(f"Significance mode (alpha={alpha:g}): an undefined value fails.")
        elif result.passed and worst.violated:
            lines.append(
                f"Significance mode (alpha={alpha:g}): the {level} interval contains "
                f"{worst.threshold:g}, so the violation is not statistically significant and "
                "the check passes."
            )
        elif result.passed:
            lines.append(
                f"Significance mode (alpha={alpha:g}): fails only when the {level} interval "
                f"lies entirely {side} the threshold."
            )
        else:
            lines.append(
                f"Significance mode (alpha={alpha:g}): the {level} interval lies entirely "
                f"{side} {worst.threshold:g}, so the violation is statistically significant."
            )
    if kind == "per-group value":
        over = [u for u in units if u.violated and not math.isnan(u.value)]
        if over:
            lines.append(
                "Groups past their limit: "
                + "; ".join(
                    f"{_label(u.where)} {u.metric}={fmt(u.value)} "
                    f"({'above' if u.upper else 'below'} {u.limit}={u.threshold:g} by "
                    f"{fmt(u.excess)})"
                    for u in over
                )
                + "."
            )
    elif not math.isnan(worst.value):
        lines.append(_culprits(mf, worst, method, kind))
    flags = _flags(mf, units, worst, method, kind)
    n_groups = len(mf.sizes)
    smallest = mf.sizes["rows"].idxmin()
    lines.append(
        f"Data: {result.n} rows, {n_groups} groups of {', '.join(mf.sensitive_levels)}"
        + (f" within {', '.join(mf.control_levels)}" if mf.control_levels else "")
        + f"; smallest group {_label(smallest)} with {int(mf.sizes['rows'].min())} rows."
    )
    lines.append("")
    lines.append(_table(result, mf, level, flags))
    undefined = mf.undefined
    for _, row in undefined.iterrows():
        group = _label(tuple([*(row["control"] or []), *(row["group"] or [])]))
        lines.append(f"Undefined: {row['metric']} for group {group}: {row['reason'].rstrip('.')}.")
    for w in mf.warnings:
        lines.append(f"Note: {w}.")
    return "\n".join(lines)


def _culprits(mf: MetricFrame, u: _Unit, method: str, kind: str) -> str:
    """Which groups make the gap of unit ``u``."""
    by_group = mf.by_group
    col = by_group[u.metric] if isinstance(by_group, pd.DataFrame) else by_group
    n_ctrl = len(mf.control_levels or [])
    if n_ctrl:
        keys = [k for k in col.index if _ctrl(k, n_ctrl) == u.where]
        col = col.loc[keys]
    col = col.dropna()
    if col.empty:
        return "No group has a defined value."
    if method == "between_groups":
        hi_key, lo_key = col.idxmax(), col.idxmin()
        text = (
            f"Groups furthest apart: {_label(hi_key)} ({fmt(col[hi_key])}) and "
            f"{_label(lo_key)} ({fmt(col[lo_key])})."
        )
        pairs = _broken_pairs(col, u, kind)
        if len(col) > 2 and len(pairs) > 1:
            shown = ", ".join(f"{a} vs {b} {fmt(gap)}" for a, b, gap in pairs[:_MAX_PAIRS])
            more = f" and {len(pairs) - _MAX_PAIRS} more" if len(pairs) > _MAX_PAIRS else ""
            what = "differences above" if kind == "difference" else "ratios below"
            text += f" {len(pairs)} pairs of groups have {what} {u.threshold:g}: {shown}{more}."
        return text
    ov = _overall_value(mf, u)
    if kind == "difference":
        off = [(k, float(v)) for k, v in col.items() if abs(float(v) - ov) > u.threshold]
        if not off:
            return f"Every group is within {u.threshold:g} of the overall value {fmt(ov)}."
        listed = ", ".join(f"{_label(k)} ({fmt(v)}, gap {fmt(abs(v - ov))})" for k, v in off)
        return f"Groups further than {u.threshold:g} from the overall value {fmt(ov)}: {listed}."
    off = [
        (k, float(v))
        for k, v in col.items()
        if ov and min(v / ov, ov / v if v else 0) < u.threshold
    ]
    if not off:
        return f"Every group's ratio to the overall value {fmt(ov)} is at least {u.threshold:g}."
    listed = ", ".join(f"{_label(k)} ({fmt(v)})" for k, v in off)
    return f"Groups whose ratio to the overall value {fmt(ov)} is below {u.threshold:g}: {listed}."


_MAX_PAIRS = 5


def _broken_pairs(col: pd.Series, u: _Unit, kind: str) -> list[tuple[str, str, float]]:
    """Every pair of groups whose gap (or ratio) breaks the threshold, worst first."""
    items = sorted(((k, float(v)) for k, v in col.items()), key=lambda kv: -kv[1])
    out = []
    for i, (ka, va) in enumerate(items):
        for kb, vb in items[i + 1 :]:
            if kind == "difference" and va - vb > u.threshold:
                out.append((_label(ka), _label(kb), va - vb))
            elif kind == "ratio" and va > 0 and vb / va < u.threshold:
                out.append((_label(kb), _label(ka), vb / va))
    return sorted(out, key=lambda p: -p[2] if kind == "difference" else p[2])


def _flags(
    mf: MetricFrame, units: list[_Unit], worst: _Unit, method: str, kind: str
) -> dict[str, str]:
    """A note per group row of the table: where it breaks the threshold."""
    if kind == "per-group value":
        notes: dict[str, list[str]] = {}
        for u in units:
            if u.violated and not math.isnan(u.value):
                side = "above" if u.upper else "below"
                notes.setdefault(_label(u.where), []).append(
                    f"{u.metric} {side} {u.limit} by {fmt(u.excess)}"
                )
        return {k: "<- " + "; ".join(v) for k, v in notes.items()}
    if math.isnan(worst.value) or not worst.violated:
        return {}
    by_group = mf.by_group
    col = by_group[worst.metric] if isinstance(by_group, pd.DataFrame) else by_group
    n_ctrl = len(mf.control_levels or [])
    if n_ctrl:
        col = col.loc[[k for k in col.index if _ctrl(k, n_ctrl) == worst.where]]
    col = col.dropna()
    if col.empty:
        return {}
    if method == "between_groups":
        return {_label(col.idxmax()): f"<- highest {worst.metric}",
                _label(col.idxmin()): f"<- lowest {worst.metric}"}  # fmt: skip
    ov = _overall_value(mf, worst)
    out = {}
    for k, v in col.items():
        gap = abs(float(v) - ov)
        bad = (
            gap > worst.threshold
            if kind == "difference"
            else _ratio_to(float(v), ov) < worst.threshold
        )
        if bad:
            out[_label(k)] = (
                f"<- {worst.metric} {'gap' if kind == 'difference' else 'ratio'} "
                + fmt(gap if kind == "difference" else _ratio_to(float(v), ov))
            )
    return out


def _ratio_to(v: float, ov: float) -> float:
    if v == ov:
        return 1.0
    if v <= 0 or ov <= 0:
        return 0.0
    return min(v / ov, ov / v)


def _overall_value(mf: MetricFrame, u: _Unit) -> float:
    overall = mf.overall
    if isinstance(overall, pd.DataFrame):
        return float(overall.loc[u.where, u.metric])
    if isinstance(overall, pd.Series):
        return float(overall[u.metric])
    return float(overall)


def _table(result: CheckResult, mf: MetricFrame, level: str, flags: dict[str, str]) -> str:
    names = result.details["base_metrics"]
    header = [" / ".join([*(mf.control_levels or []), *mf.sensitive_levels]), "rows"]
    for metric in names:
        header.append(metric)
        if result.interval is not None:
            header.append(f"{level} interval")
    rows = []
    for g in result.details["groups"]:
        row = [g["group"], str(g["rows"])]
        for metric in names:
            row.append(fmt(g[metric]))
            if result.interval is not None:
                lo, hi = g[f"{metric} interval"]
                row.append(f"[{fmt(lo)}, {fmt(hi)}]")
        row.append(flags.get(g["group"], ""))
        rows.append(row)
    header.append("")
    overall = mf.overall
    if not mf.control_levels:
        row = ["(overall)", str(result.n)]
        ov = overall if isinstance(overall, pd.Series) else pd.Series({names[0]: overall})
        ci = mf.overall_ci if result.interval is not None else []
        for metric in names:
            row.append(fmt(ov[metric]))
            if result.interval is not None:
                lo, hi = (c[metric] if isinstance(c, pd.Series) else c for c in ci)
                row.append(f"[{fmt(lo)}, {fmt(hi)}]")
        row.append("")
        rows.append(row)
    return table(header, rows)
