"""Replay the Fairlearn 0.15.0 / AIF360 0.6.1 golden fixtures through the public API.

Every record (overall, by_group, summaries, standalone functions, AIF360 forms, bootstrap
intervals drawn on Fairlearn's rows) must agree to 1e-12 under ``compat="fairlearn"``.
"""

from __future__ import annotations

import re
from typing import Any

import aequa
import numpy as np
from aequa.metric_frame import fairlearn_indices
from conftest import close

AIF360_NAMES = {"disparate_impact": "disparate_impact_ratio"}


def _frame(case: dict[str, Any], **extra: Any) -> aequa.MetricFrame:
    inp = case["inputs"]
    metrics = {m: getattr(aequa, m) for m in case["metrics"]}
    params = None
    if inp["sample_weight"] is not None:
        params = {m: {"sample_weight": inp["sample_weight"]} for m in metrics if m != "count"}
    control = dict(inp["control_features"]) if inp["control_features"] else None
    return aequa.MetricFrame(
        metrics=metrics,
        y_true=inp["y_true"],
        y_pred=inp["y_pred"],
        sensitive_features=dict(inp["sensitive_features"]),
        control_features=control,
        sample_params=params,
        pos_label=inp["pos_label"],
        compat="fairlearn",
        **extra,
    )


def _key(levels: list[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in levels)


def _lookup(mf: aequa.MetricFrame, rec: dict[str, Any], q: int | None = None) -> Any:
    quantity, metric = rec["quantity"], rec["metric"]
    base = re.sub(r"_ci(?=\[|$)", "", quantity)
    control = rec["control"] or []
    if base == "by_group":
        table = mf.by_group if q is None else mf.by_group_ci[q]
        index = {_key(k if isinstance(k, tuple) else (k,)): k for k in table.index}
        return table.loc[[index[_key(control + rec["sensitive"])]], metric].iloc[0]
    if base == "overall":
        table = mf.overall if q is None else mf.overall_ci[q]
    else:
        match = re.fullmatch(
            r"(group_min|group_max|difference|ratio)(?:_(\w+)|\[method=(\w+)\])?", base
        )
        assert match, quantity
        name, method = match.group(1), match.group(2) or match.group(3)
        if name.startswith("group_"):
            table = getattr(mf, name)() if q is None else getattr(mf, f"{name}_ci")()[q]
        else:
            table = getattr(mf, name)(method) if q is None else getattr(mf, f"{name}_ci")(method)[q]
    if control:
        index = {_key(k if isinstance(k, tuple) else (k,)): k for k in table.index}
        return table.loc[[index[_key(control)]], metric].iloc[0]
    return table[metric]


def test_metric_frame_records(case: dict[str, Any]) -> None:
    mf = _frame(case)
    checked = 0
    for rec in case["records"]:
        if "[" in rec["quantity"] or rec["quantity"].startswith("aif360:"):
            continue
        actual = _lookup(mf, rec)
        assert close(actual, rec["value"]), (rec, actual)
        checked += 1
    assert checked > 10


def test_standalone_functions(case: dict[str, Any]) -> None:
    inp = case["inputs"]
    records = [r for r in case["records"] if "[" in r["quantity"]]
    for rec in records:
        name, args = re.fullmatch(r"(\w+)\[(.*)\]", rec["quantity"]).groups()
        kwargs = dict(a.split("=") for a in args.split(","))
        actual = getattr(aequa, name)(
            inp["y_true"],
            inp["y_pred"],
            sensitive_features=dict(inp["sensitive_features"]),
            sample_weight=inp["sample_weight"],
            pos_label=inp["pos_label"],
            compat="fairlearn",
            **kwargs,
        )
        assert close(actual, rec["value"]), (rec, actual)


def test_aif360_forms(case: dict[str, Any]) -> None:
    inp = case["inputs"]
    records = [r for r in case["records"] if r["quantity"].startswith("aif360:")]
    if not records:
        return
    sens = dict(inp["sensitive_features"])
    privileged = next(v for v in next(iter(sens.values())) if str(v) == str(inp["privileged"]))
    got = aequa.reference_disparities(
        inp["y_true"], inp["y_pred"], sensitive_features=sens,
        privileged_group=privileged, pos_label=inp["pos_label"],
    )  # fmt: skip
    for rec in records:
        name = rec["quantity"].split(":", 1)[1]
        actual = got[AIF360_NAMES.get(name, name)]
        assert close(actual, rec["value"]), (rec, actual)


def test_bootstrap_on_fairlearns_rows(case: dict[str, Any]) -> None:
    boot = case["bootstrap"]
    if boot is None:
        return
    n = len(case["inputs"]["y_true"])
    drawn = fairlearn_indices(boot["n_boot"], boot["random_state"], n)
    np.testing.assert_array_equal(drawn, np.asarray(boot["indices"]))
    mf = _frame(
        case, n_boot=boot["n_boot"], ci_quantiles=boot["ci_quantiles"],
        random_state=boot["random_state"],
    )  # fmt: skip
    assert mf.report["intervals"]["resampling"] == "indices"
    for rec in boot["records"]:
        q = boot["ci_quantiles"].index(rec["q"])
        actual = _lookup(mf, rec, q)
        assert close(actual, rec["value"]), (rec, actual)
