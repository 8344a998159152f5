"""Fairlearn's MetricFrame results (values, group summaries, bootstrap intervals) as flat golden
records."""

from __future__ import annotations

import math

import pandas as pd
from _fairness_config import CI_QUANTILES, METHODS


def to_value(v):
    """Convert a metric value to float, NaN/None to None."""
    if v is None:
        return None
    f = float(v)
    if math.isnan(f):
        return None
    assert math.isfinite(f), f"non-finite value {v!r}"
    return f


def level_list(key, start: int, stop: int | None = None) -> list[str]:
    key = key if isinstance(key, tuple) else (key,)
    return [str(x) for x in key[start:stop]]


def record(quantity, metric, sensitive, control, value, q=None) -> dict:
    r = {
        "quantity": quantity,
        "metric": metric,
        "sensitive": sensitive,
        "control": control,
        "value": to_value(value),
    }
    if q is not None:
        r["q"] = q
    return r


def frame_records(quantity, obj, metrics, n_cf: int, by_group: bool, q=None) -> list[dict]:
    """Flatten a MetricFrame result (Series or DataFrame) into records."""
    out = []
    if isinstance(obj, pd.Series):
        assert not by_group and n_cf == 0
        assert list(obj.index) == metrics, (quantity, list(obj.index))
        for m in metrics:
            out.append(record(quantity, m, None, None, obj[m], q))
        return out
    assert isinstance(obj, pd.DataFrame), type(obj)
    assert sorted(obj.columns) == sorted(metrics), (quantity, list(obj.columns))
    keys = list(obj.index)
    for m in metrics:
        col = obj[m].to_numpy()
        for key, v in zip(keys, col, strict=True):
            if by_group:
                control = level_list(key, 0, n_cf) if n_cf else None
                sensitive = level_list(key, n_cf)
            else:
                assert n_cf > 0
                control = level_list(key, 0)
                sensitive = None
            out.append(record(quantity, m, sensitive, control, v, q))
    return out


def metric_frame_records(mf, metrics, n_cf) -> list[dict]:
    recs = []
    recs += frame_records("overall", mf.overall, metrics, n_cf, False)
    recs += frame_records("by_group", mf.by_group, metrics, n_cf, True)
    recs += frame_records("group_min", mf.group_min(), metrics, n_cf, False)
    recs += frame_records("group_max", mf.group_max(), metrics, n_cf, False)
    for method in METHODS:
        diff = mf.difference(method=method)
        recs += frame_records(f"difference_{method}", diff, metrics, n_cf, False)
    for method in METHODS:
        ratio = mf.ratio(method=method)
        recs += frame_records(f"ratio_{method}", ratio, metrics, n_cf, False)
    return recs


def bootstrap_ci_records(mf, metrics, n_cf) -> list[dict]:
    recs = []
    for i, q in enumerate(CI_QUANTILES):
        recs += frame_records("overall_ci", mf.overall_ci[i], metrics, n_cf, False, q)
        recs += frame_records("by_group_ci", mf.by_group_ci[i], metrics, n_cf, True, q)
        recs += frame_records("group_min_ci", mf.group_min_ci()[i], metrics, n_cf, False, q)
        recs += frame_records("group_max_ci", mf.group_max_ci()[i], metrics, n_cf, False, q)
        for method in METHODS:
            recs += frame_records(
                f"difference_ci[method={method}]",
                mf.difference_ci(method)[i],
                metrics,
                n_cf,
                False,
                q,
            )
        for method in METHODS:
            recs += frame_records(
                f"ratio_ci[method={method}]",
                mf.ratio_ci(method)[i],
                metrics,
                n_cf,
                False,
                q,
            )
    return recs
