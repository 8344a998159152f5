"""What :func:`aequa.testing.assert_fairness` compares: one unit per metric, threshold and
control level (or group), read off the MetricFrame with its interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from aequa.metric_frame import MetricFrame


def _grid(obj: Any, names: list[str]) -> pd.DataFrame:
    """A summary (scalar, Series by metric, or DataFrame control × metric) as a frame."""
    if isinstance(obj, pd.DataFrame):
        return obj
    if isinstance(obj, pd.Series):
        return obj.to_frame().T.set_axis([None], axis=0)
    return pd.DataFrame([[obj]], columns=names[:1], index=[None])


def _label(key: Any) -> str:
    if isinstance(key, tuple):
        return " / ".join(str(k) for k in key)
    return "" if key is None else str(key)


@dataclass
class _Unit:
    metric: str
    where: Any  # control level (summaries) or group key (per-group limits)
    value: float
    lo: float
    hi: float
    limit: str  # the threshold's argument name
    threshold: float

    @property
    def upper(self) -> bool:
        return self.limit.startswith("max")

    @property
    def excess(self) -> float:
        """How far past the threshold (> 0: broken; NaN: undefined)."""
        return self.value - self.threshold if self.upper else self.threshold - self.value

    @property
    def violated(self) -> bool:
        return math.isnan(self.value) or self.excess > 0

    @property
    def significant(self) -> bool:
        if math.isnan(self.value):
            return True
        bound = self.lo if self.upper else self.hi
        if math.isnan(bound):
            return self.violated
        return bound > self.threshold if self.upper else bound < self.threshold


def _units(
    mf: MetricFrame, names: list[str], limits: dict[str, float], method: str, has_ci: bool
) -> list[_Unit]:
    units = []
    for limit, thr in limits.items():
        if limit in ("max_difference", "min_ratio"):
            fn = "difference" if limit == "max_difference" else "ratio"
            values = _grid(getattr(mf, fn)(method), names)
            cis = [_grid(q, names) for q in getattr(mf, f"{fn}_ci")(method)] if has_ci else []
        else:
            values = mf.by_group
            cis = mf.by_group_ci if has_ci else []
            if isinstance(values, pd.Series):
                values = values.to_frame(names[0])
                cis = [c.to_frame(names[0]) if isinstance(c, pd.Series) else c for c in cis]
        defined = _defined_groups(mf, names) if limit in ("max_difference", "min_ratio") else {}
        for where in values.index:
            for metric in names:
                v = float(values.loc[where, metric])
                if defined and defined.get((metric, where), 0) < 2:
                    v = math.nan  # a gap needs two groups with a value
                lo = float(cis[0].loc[where, metric]) if cis else math.nan
                hi = float(cis[1].loc[where, metric]) if cis else math.nan
                units.append(_Unit(metric, where, v, lo, hi, limit, thr))
    return units


def _defined_groups(mf: MetricFrame, names: list[str]) -> dict[tuple[str, Any], int]:
    """Groups with a defined value, per (metric, control level or None)."""
    by_group = mf.by_group
    if isinstance(by_group, pd.Series):
        by_group = by_group.to_frame(names[0])
    n_ctrl = len(mf.control_levels or [])
    out: dict[tuple[str, Any], int] = {}
    for key in by_group.index:
        where = _ctrl(key, n_ctrl) if n_ctrl else None
        for metric in names:
            if not math.isnan(float(by_group.loc[key, metric])):
                out[(metric, where)] = out.get((metric, where), 0) + 1
    for metric in names:  # make sure every (metric, level) is present
        for where in {_ctrl(k, n_ctrl) for k in by_group.index} if n_ctrl else {None}:
            out.setdefault((metric, where), 0)
    return out


def _group_rows(mf: MetricFrame, names: list[str]) -> list[dict[str, Any]]:
    by_group = mf.by_group
    if isinstance(by_group, pd.Series):
        by_group = by_group.to_frame(names[0])
    cis = mf.by_group_ci if mf.n_boot else []
    cis = [c.to_frame(names[0]) if isinstance(c, pd.Series) else c for c in cis]
    sizes = mf.sizes
    rows = []
    for key in by_group.index:
        row: dict[str, Any] = {"group": _label(key), "rows": int(sizes.loc[key, "rows"])}
        for metric in names:
            row[metric] = float(by_group.loc[key, metric])
            if cis:
                row[f"{metric} interval"] = [float(cis[0].loc[key, metric]),
                                             float(cis[1].loc[key, metric])]  # fmt: skip
        rows.append(row)
    return rows


def _ctrl(key: Any, n_ctrl: int) -> Any:
    parts = key if isinstance(key, tuple) else (key,)
    return parts[0] if n_ctrl == 1 else tuple(parts[:n_ctrl])
