"""Assembling a :class:`aequa.MetricFrame` report: the caller's metric names over the core's,
the reports of several passes merged into one, and custom (Python) metrics added."""

from __future__ import annotations

from typing import Any

import numpy as np

from aequa import _inputs


def _by_core_name(
    aliases: dict[str, list[str]], requested: list[str], returned: list[str]
) -> dict[str, list[str]]:
    """Key the caller's names by the core's canonical names: the core answers ``"tpr"`` as
    ``"true_positive_rate"`` (``returned`` is ``requested`` canonicalised, in order)."""
    out: dict[str, list[str]] = {}
    for req, canon in zip(requested, returned):
        for name in aliases.get(req, []):
            if name not in out.setdefault(canon, []):
                out[canon].append(name)
    return out


def _rename(report: dict[str, Any], aliases: dict[str, list[str]]) -> None:
    """Use the caller's metric names (dict keys) instead of the core's names; a core metric
    asked for under several names is copied to each."""

    def names(core: str) -> list[str]:
        return aliases.get(core, [core])

    def fix(values: dict[str, Any]) -> None:
        for row in values["overall"] + values["by_group"]:
            row["values"] = {n: v for k, v in row["values"].items() for n in names(k)}
        values["aggregates"] = [
            dict(agg, metric=n) for agg in values["aggregates"] for n in names(agg["metric"])
        ]

    fix(report["values"])
    for q in (report.get("intervals") or {}).get("quantiles", []):
        fix(q)
    report["undefined"] = [
        dict(u, metric=n) for u in report["undefined"] for n in names(u["metric"])
    ]
    report["tests"] = [dict(t, metric=n) for t in report["tests"] for n in names(t["metric"])]


def _merge_values(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    for ra, rb in zip(a["overall"] + a["by_group"], b["overall"] + b["by_group"]):
        ra["values"].update(rb["values"])
    a["aggregates"] = _interleave(a["aggregates"], b["aggregates"], len(a["overall"]))
    return a


def _interleave(a: list[Any], b: list[Any], strata: int) -> list[Any]:
    """Aggregates are stratum-major; keep that order when adding metrics."""
    na, nb = len(a) // strata, len(b) // strata
    out = []
    for s in range(strata):
        out += a[s * na : (s + 1) * na] + b[s * nb : (s + 1) * nb]
    return out


def _merge_reports(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    _merge_values(a["values"], b["values"])
    a["undefined"] += b["undefined"]
    a["tests"] += b["tests"]
    a["warnings"] += [w for w in b["warnings"] if w not in a["warnings"]]
    if b["params"]["weighted"] and not a["params"]["weighted"]:
        a["sizes"] = b["sizes"]  # report the weights that were used
    a["params"]["weighted"] = a["params"]["weighted"] or b["params"]["weighted"]
    if a.get("intervals") and b.get("intervals"):
        for qa, qb in zip(a["intervals"]["quantiles"], b["intervals"]["quantiles"]):
            _merge_values(qa, qb)
    return a


def _custom_metrics(
    report: dict[str, Any] | None,
    custom: list[str],
    named: dict[str, Any],
    params: dict[str, dict[str, Any]],
    y_true: np.ndarray,
    y_pred: np.ndarray,
    sens: list[_inputs.Grouping],
    ctrl: list[_inputs.Grouping],
    base: dict[str, Any],
    indices: np.ndarray | None,
    boot: dict[str, Any] | None,
) -> dict[str, Any]:
    """Evaluate Python callables per cell and add them to the report."""
    from aequa._custom import evaluate_custom

    return evaluate_custom(
        report, custom, named, params, y_true, y_pred, sens, ctrl, base, indices, boot
    )
