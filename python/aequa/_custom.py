"""Python callables as MetricFrame metrics: evaluated per cell on the rows the core grouped,
summarised by the core, bootstrapped on the same replicate rows as the built-in metrics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aequa import _core
from aequa._inputs import Grouping


def evaluate_custom(
    report: dict[str, Any] | None,
    custom: list[str],
    named: dict[str, Any],
    params: dict[str, dict[str, Any]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    sens: list[Grouping],
    ctrl: list[Grouping],
    base: dict[str, Any],
    indices: np.ndarray | None,
    boot: dict[str, Any] | None,
) -> dict[str, Any]:
    assert report is not None
    builtin = set(named) - set(custom)
    if not builtin:
        _drop_metric(report, "count")
    n = len(y_true)
    cells = _core.cell_indices([g.for_core() for g in sens], [g.for_core() for g in ctrl], n)
    n_groups = math.prod(len(g.levels) for g in sens)
    n_strata = math.prod(len(g.levels) for g in ctrl) if ctrl else 1
    arrays = {k: {p: np.asarray(v) for p, v in params[k].items() if v is not None} for k in custom}
    rows = np.arange(n)
    point = _evaluate_all(custom, named, arrays, y_true, y_pred, cells, rows, n_groups, n_strata)
    _insert(report["values"], point, custom, n_groups, n_strata)
    if boot is not None and indices is not None:
        reps = [
            _evaluate_all(custom, named, arrays, y_true, y_pred, cells, idx, n_groups, n_strata)
            for idx in indices
        ]
        # Summaries (min, max, differences, ratios) per replicate, so that their intervals are
        # quantiles of the replicate summaries (as for built-in metrics and in Fairlearn), not
        # summaries of the per-group quantiles.
        summaries = [_summaries(r, custom, n_groups, n_strata) for r in reps]
        for qi, q in enumerate(boot["ci_quantiles"]):
            quantile = {
                key: [float(_nanquantile([r[key][i] for r in reps], q)) for i in range(len(vals))]
                for key, vals in point.items()
            }
            section = report["intervals"]["quantiles"][qi]
            _insert(section, quantile, custom, n_groups, n_strata)
            rows_of_custom = [row for row in section["aggregates"] if row["metric"] in custom]
            for row, (s_k, _) in zip(rows_of_custom, sorted(summaries[0].items())):
                for j, name in enumerate(_SUMMARY_NAMES):
                    row[name] = _jsonable(_nanquantile([rep[s_k][j] for rep in summaries], q))
    return report


_SUMMARY_NAMES = (
    "group_min",
    "group_max",
    "difference_between_groups",
    "difference_to_overall",
    "ratio_between_groups",
    "ratio_to_overall",
)


def _summaries(
    computed: dict[str, list[Any]], custom: list[str], n_groups: int, n_strata: int
) -> dict[tuple[int, int], tuple[float, ...]]:
    """``(stratum, metric index) -> the six summaries`` of one evaluation (as ``_insert``)."""
    out = {}
    for s in range(n_strata):
        for ki, k in enumerate(custom):
            vals = computed[k]
            overall = vals[s]
            groups = vals[n_strata + s * n_groups : n_strata + (s + 1) * n_groups]
            out[(s, ki)] = _summary(overall, groups)
    return out


def _summary(overall: Any, groups: list[Any]) -> tuple[float, ...]:
    """The six summaries of one stratum (NaN for non-scalar metric values)."""
    if _is_scalar(overall) and all(_is_scalar(v) for v in groups):
        return tuple(_core.summarize(float(overall), [float(v) for v in groups]))
    return (math.nan,) * 6


def _nanquantile(values: list[Any], q: float) -> float:
    arr = np.array([v if _is_scalar(v) else np.nan for v in values], dtype=float)
    if np.isnan(arr).all():
        return math.nan
    return float(np.nanquantile(arr, q))


def _is_scalar(v: Any) -> bool:
    return np.isscalar(v) or (isinstance(v, np.ndarray) and v.ndim == 0)


def _evaluate_all(
    custom: list[str],
    named: dict[str, Any],
    arrays: dict[str, dict[str, np.ndarray]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    cells: np.ndarray,
    rows: np.ndarray,
    n_groups: int,
    n_strata: int,
) -> dict[str, list[Any]]:
    """Per metric: ``n_strata`` overall values followed by ``n_strata * n_groups`` cell values."""
    row_cells = cells[rows]
    order = np.argsort(row_cells, kind="stable")
    sorted_rows = rows[order]
    bounds = np.searchsorted(row_cells[order], np.arange(n_strata * n_groups + 1))
    out: dict[str, list[Any]] = {}
    for k in custom:
        fn, extra = named[k], arrays[k]

        def call(idx: np.ndarray, fn: Any = fn, extra: dict[str, np.ndarray] = extra) -> Any:
            if len(idx) == 0:
                return math.nan
            value = fn(y_true[idx], y_pred[idx], **{p: a[idx] for p, a in extra.items()})
            return value.item() if isinstance(value, np.generic) else value

        overall = []
        for s in range(n_strata):
            lo, hi = bounds[s * n_groups], bounds[(s + 1) * n_groups]
            overall.append(call(rows if n_strata == 1 else np.sort(sorted_rows[lo:hi])))
        groups = [call(sorted_rows[bounds[c] : bounds[c + 1]]) for c in range(n_strata * n_groups)]
        out[k] = overall + groups
    return out


def _jsonable(v: Any) -> Any:
    if _is_scalar(v):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    return v.tolist() if hasattr(v, "tolist") else v


def _insert(
    values: dict[str, Any],
    computed: dict[str, list[Any]],
    custom: list[str],
    n_groups: int,
    n_strata: int,
) -> None:
    aggregates: list[dict[str, Any]] = []
    per_stratum = len(values["aggregates"]) // n_strata
    for s in range(n_strata):
        aggregates += values["aggregates"][s * per_stratum : (s + 1) * per_stratum]
        for k in custom:
            vals = computed[k]
            overall = vals[s]
            groups = vals[n_strata + s * n_groups : n_strata + (s + 1) * n_groups]
            values["overall"][s]["values"][k] = _jsonable(overall)
            for g, v in enumerate(groups):
                values["by_group"][s * n_groups + g]["values"][k] = _jsonable(v)
            summary = _summary(overall, groups)
            row: dict[str, Any] = {"control": values["overall"][s]["control"], "metric": k}
            row.update({name: _jsonable(v) for name, v in zip(_SUMMARY_NAMES, summary)})
            aggregates.append(row)
    values["aggregates"] = aggregates


def _drop_metric(report: dict[str, Any], metric: str) -> None:
    def drop(values: dict[str, Any]) -> None:
        for row in values["overall"] + values["by_group"]:
            row["values"].pop(metric, None)
        values["aggregates"] = [a for a in values["aggregates"] if a["metric"] != metric]

    drop(report["values"])
    for q in (report.get("intervals") or {}).get("quantiles", []):
        drop(q)
    report["undefined"] = [u for u in report["undefined"] if u["metric"] != metric]
