"""Argument checks and normalisation of :class:`aequa.MetricFrame`: ``errors`` and ``method``,
metric names, per-metric ``sample_params``, the weight groups of built-in metrics, and
distinct feature names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from aequa import _inputs
from aequa._core import InvalidArgumentError
from aequa.metrics import builtin_name


def _check_errors(errors: str) -> None:
    if errors not in ("raise", "coerce"):
        raise InvalidArgumentError(f"errors: expected 'raise' or 'coerce', found {errors!r}")


def _method(method: str) -> str:
    if method not in ("between_groups", "to_overall"):
        raise InvalidArgumentError(
            f"method: expected 'between_groups' or 'to_overall', found {method!r}"
        )
    return method


def _metric_name(m: Any) -> str:
    if isinstance(m, str):
        return m
    name = getattr(m, "__name__", None)
    if name is None:
        raise InvalidArgumentError(f"metrics: {m!r} has no __name__; pass a dict {{name: metric}}")
    return str(name)


def _named_metrics(metrics: Any) -> dict[str, Any]:
    if isinstance(metrics, Mapping):
        named = {str(k): v for k, v in metrics.items()}
    elif isinstance(metrics, (list, tuple)):
        named = {_metric_name(m): m for m in metrics}
    else:
        named = {_metric_name(metrics): metrics}
    if not named:
        raise InvalidArgumentError("metrics: expected at least one metric, found none")
    for name, m in named.items():
        if not (isinstance(m, str) or callable(m)):
            raise InvalidArgumentError(
                f"metrics: '{name}' must be a metric name or a callable, found {type(m).__name__}"
            )
    return named


def _sample_params(
    named: dict[str, Any], sample_params: Mapping[str, Any] | None, single: bool
) -> dict[str, dict[str, Any]]:
    if sample_params is None:
        return {k: {} for k in named}
    if not isinstance(sample_params, Mapping):
        raise InvalidArgumentError("sample_params: expected a dict")
    if single:
        return {next(iter(named)): dict(sample_params)}
    unknown = set(sample_params) - set(named)
    if unknown:
        raise InvalidArgumentError(
            f"sample_params: keys {sorted(unknown)} are not metric names ({list(named)})"
        )
    out = {}
    for k in named:
        p = sample_params.get(k, {})
        if not isinstance(p, Mapping):
            raise InvalidArgumentError(f"sample_params['{k}']: expected a dict of parameters")
        out[k] = dict(p)
    return out


def _weight_groups(
    named: dict[str, Any],
    params: dict[str, dict[str, Any]],
    global_w: np.ndarray | None,
    n: int,
) -> list[tuple[np.ndarray | None, list[str]]]:
    """Built-in metrics grouped by the weight array they use (one Rust pass per group)."""
    groups: list[tuple[np.ndarray | None, list[str]]] = []
    for name, metric in named.items():
        core = builtin_name(metric)
        if core is None:
            continue
        extra = set(params[name]) - {"sample_weight"}
        if extra:
            raise InvalidArgumentError(
                f"sample_params['{name}']: built-in metrics take only sample_weight, found "
                f"{sorted(extra)}; pass pos_label/threshold to MetricFrame itself"
            )
        w = params[name].get("sample_weight")
        w = _inputs.weights(w, n) if w is not None else global_w
        if core == "count":
            w = None
        for existing, members in groups:
            if existing is w or (
                existing is not None and w is not None and np.array_equal(existing, w)
            ):
                members.append(name)
                break
        else:
            groups.append((w, [name]))
    if not groups:  # only custom metrics: one pass for sizes and layout
        groups.append((None, []))
    return groups


def _check_names(sens: list[_inputs.Grouping], ctrl: list[_inputs.Grouping]) -> None:
    names = [g.name for g in sens + ctrl]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise InvalidArgumentError(
            f"sensitive_features, control_features: duplicate feature name(s) {sorted(dup)}"
        )
