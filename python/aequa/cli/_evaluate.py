"""Evaluating a policy's checks on computed metrics: value, verdict and an actionable message."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from aequa.cli._data import Frame
from aequa.cli._errors import CliError
from aequa.cli._io import Table
from aequa.cli._policy import AIF360, FAIRLEARN, RATES, SIGNED, Check, Policy


def needed_metrics(policy: Policy) -> list[str]:
    """Every base metric the checks need, computed in one pass (``count`` for sizes)."""
    out = ["count"]
    for c in policy.checks:
        if c.table != "check":
            continue
        fam = c.options["_family"]
        if fam == "fairlearn":
            out += RATES[FAIRLEARN[c.metric][0]]
        elif fam == "metric":
            out.append(c.metric)
    return list(dict.fromkeys(out))


def direction(c: Check) -> str:
    """How a worse value moves: ``up``, ``down``, ``abs_up`` (signed) or ``away_from_one``."""
    if c.table == "drift" or c.table == "robustness":
        return "up"
    if c.metric in SIGNED:
        return "abs_up"
    if c.metric == "disparate_impact_ratio":
        return "away_from_one"
    if "max" in c.options and "min" not in c.options:
        return "up"
    if "min" in c.options and "max" not in c.options:
        return "down"
    return "down" if c.metric.endswith("ratio") or c.options.get("summary") == "ratio" else "up"


def _verdict(value: float, lo: float | None, hi: float | None) -> tuple[bool, str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False, "undefined"
    if hi is not None and value > hi:
        return False, f"{value:.4g} > max {hi:g} (by {value - hi:.4g})"
    if lo is not None and value < lo:
        return False, f"{value:.4g} < min {lo:g} (by {lo - value:.4g})"
    bound = " and ".join(
        s
        for s in (
            f">= min {lo:g}" if lo is not None else "",
            f"<= max {hi:g}" if hi is not None else "",
        )
        if s
    )
    return True, f"{value:.4g} {bound}"


def _groups_text(mf: Any, metrics: list[str], limit: int = 6) -> str:
    """The groups with the lowest and highest value of ``metrics[0]``, with their sizes."""
    rep = mf.report
    names = [s["name"] for s in rep["sensitive"]]
    sizes = {tuple(s["group"]): s["rows"] for s in rep["sizes"] if not s["control"]}
    rows = [r for r in rep["values"]["by_group"] if not r["control"]]
    rows = [r for r in rows if r["values"].get(metrics[0]) is not None]
    rows.sort(key=lambda r: r["values"][metrics[0]])
    if len(rows) > limit:
        rows = rows[: limit // 2] + rows[-(limit // 2) :]
    parts = []
    for row in rows:
        label = ",".join(f"{n}={g}" for n, g in zip(names, row["group"]))
        vals = " ".join(f"{m}={_f(row['values'].get(m))}" for m in metrics if m in row["values"])
        parts.append(f"{label}: {vals} (n={sizes.get(tuple(row['group']), '?')})")
    total = len([r for r in rep["values"]["by_group"] if not r["control"]])
    head = f"lowest and highest of {total} groups" if total > limit else f"{total} groups"
    return f"{head}: " + "; ".join(parts)


def _f(v: Any) -> str:
    return "undefined" if v is None else f"{v:.4g}"


def _pvalue(mf: Any, metrics: list[str]) -> float | None:
    ps = [
        t["pvalue"]
        for t in mf.report["tests"]
        if t["metric"] in metrics and not t["control"] and t["pvalue"] is not None
    ]
    return min(ps) if ps else None


def evaluate_check(policy: Policy, c: Check, frame: Frame) -> dict[str, Any]:
    """One ``[[check]]`` entry on the computed frame."""
    from aequa import _core

    o, mf = c.options, frame.metric_frame
    lo, hi = o.get("min"), o.get("max")
    fam = o["_family"]
    details: dict[str, Any] = {"rows": int(mf.report["params"]["n_rows"])}
    if fam == "fairlearn":
        family, kind = FAIRLEARN[c.metric]
        value = _core.disparity(
            mf.to_json(),
            family,
            kind,
            o.get("method", "between_groups"),
            o.get("agg", "worst_case"),
        )
        value = float("nan") if value is None else float(value)
        rates = RATES[family]
        passed, text = _verdict(value, lo, hi)
        p = _pvalue(mf, rates)
        details["pvalue"] = p
        text += f"; {_groups_text(mf, rates)}"
        if "significance" in o:
            alpha = float(o["significance"])
            if not passed and p is not None and p >= alpha and text[:9] != "undefined":
                passed = True
                text = f"not significant (chi-square p={p:.3g} >= {alpha:g}): " + text
            elif p is not None:
                text += f"; chi-square p={p:.3g}"
    elif fam == "aif360":
        if frame.y_true is None:
            raise CliError(
                f"{policy.where('check', c.index, 'metric')}: {c.metric} needs the rows in memory "
                "but the data is streamed; raise --memory-cap"
            )
        value = _aif360(policy, c, frame)
        shown = abs(value) if c.metric in SIGNED else value
        passed, text = _verdict(shown, lo, hi)
        if c.metric in SIGNED:
            text = f"|{c.metric}| = " + text + f" (signed value {value:.4g})"
        text += f"; privileged = {o['privileged']}"
    else:
        value, passed, text = _metric(policy, c, mf)
    details["value"] = None if value is None or math.isnan(value) else value
    return _record(c, value, passed, text, details)


def _aif360(policy: Policy, c: Check, frame: Frame) -> float:
    from aequa import _core
    from aequa.fairness import reference_disparities

    priv = c.options["privileged"]
    if isinstance(priv, list):
        priv = tuple(priv)
    try:
        out = reference_disparities(
            frame.y_true,
            frame.y_pred,
            sensitive_features=frame.sensitive,
            privileged_group=priv,
            pos_label=policy.data.pos_label,
            threshold=policy.data.decision_threshold(),
        )
    except _core.AequaError as e:
        raise CliError(f"{policy.where('check', c.index, 'privileged')}: {e}") from None
    return float(out[AIF360[c.metric]])


def _metric(policy: Policy, c: Check, mf: Any) -> tuple[float, bool, str]:
    o, m = c.options, c.metric
    lo, hi = o.get("min"), o.get("max")
    summary = o.get("summary", "by_group")
    method = o.get("method", "between_groups")
    if summary != "by_group":
        getter = {
            "overall": lambda: mf.overall[m],
            "group_min": lambda: mf.group_min()[m],
            "group_max": lambda: mf.group_max()[m],
            "difference": lambda: mf.difference(method)[m],
            "ratio": lambda: mf.ratio(method)[m],
        }[summary]
        value = float(getter())
        passed, text = _verdict(value, lo, hi)
        return value, passed, f"{summary} of {m} = {text}; {_groups_text(mf, [m])}"
    rep = mf.report
    names = [s["name"] for s in rep["sensitive"]]
    want = o.get("group")
    if want is not None:
        want = [str(x) for x in (want if isinstance(want, list) else [want])]
        if len(want) != len(names):
            raise CliError(
                f"{policy.where('check', c.index, 'group')}: expected {len(names)} level(s), one "
                f"per sensitive column ({', '.join(names)}), found {len(want)}"
            )
    rows = [r for r in rep["values"]["by_group"] if not r["control"]]
    if want is not None:
        rows = [r for r in rows if [str(g) for g in r["group"]] == want]
        if not rows:
            levels = "; ".join(
                f"{s['name']}: {', '.join(map(str, s['levels']))}" for s in rep["sensitive"]
            )
            raise CliError(
                f"{policy.where('check', c.index, 'group')}: no group {want} in the data "
                f"(levels: {levels})"
            )
    sizes = {tuple(s["group"]): s["rows"] for s in rep["sizes"] if not s["control"]}
    bad, undefined, worst = [], [], None
    for r in rows:
        v = r["values"].get(m)
        label = ",".join(f"{n}={g}" for n, g in zip(names, r["group"]))
        if v is None:
            if sizes.get(tuple(r["group"]), 0) > 0:
                undefined.append(label)
            continue
        ok, why = _verdict(float(v), lo, hi)
        if not ok:
            bad.append(f"{label}: {m} = {why} (n={sizes.get(tuple(r['group']))})")
        key = -float(v) if (lo is not None and hi is None) else float(v)
        if worst is None or key > worst[0]:
            worst = (key, float(v))
    value = float("nan") if worst is None else worst[1]
    if bad:
        text = f"{len(bad)} of {len(rows)} groups outside the bounds: " + "; ".join(bad)
    else:
        text = f"every group within the bounds; {_groups_text(mf, [m])}"
    if undefined:
        text += f"; undefined for {', '.join(undefined)} (not judged)"
    return value, not bad, text


def _record(
    c: Check, value: Any, passed: bool, text: str, details: dict[str, Any]
) -> dict[str, Any]:
    v = None if value is None or (isinstance(value, float) and math.isnan(value)) else value
    clean = {k: v for k, v in c.options.items() if not k.startswith("_")}
    return {
        "id": c.id,
        "table": c.table,
        "metric": c.metric,
        "line": c.line,
        "options": json.loads(json.dumps(clean, default=str)),
        "value": v,
        "min": c.options.get("min"),
        "max": c.options.get(
            "max", c.options.get("max_drift_share", c.options.get("max_flip_rate"))
        ),
        "direction": direction(c),
        "passed": bool(passed),
        "status": "passed" if passed else "failed",
        "message": text,
        "details": details,
    }


def evaluate_drift(policy: Policy, c: Check, frame: Frame, memory_cap_mb: float) -> dict[str, Any]:
    """One ``[[drift]]`` entry: drift report of DATA against the reference file."""
    from aequa.drift import drift_report

    o = c.options
    if frame.table is None:
        raise CliError(
            f"{policy.where('drift', c.index, None)}: drift checks need the rows in memory but "
            "the data is streamed; raise --memory-cap"
        )
    ref_table = Table(o["reference"], memory_cap_mb=memory_cap_mb)
    spec = policy.data
    exclude = {spec.label, spec.prediction, spec.score, *spec.sensitive}
    cols = o.get("columns") or [c_ for c_ in frame.table.column_names if c_ not in exclude]
    loc = policy.where("drift", c.index, "columns" if "columns" in o else "reference")
    ref_table.require(cols, loc)
    missing = [x for x in cols if x not in frame.table.column_names]
    if missing:
        raise CliError(f"{loc}: column '{missing[0]}' is not in the data")
    ref = ref_table.read(cols).to_pandas()
    cur = frame.table.select(cols).to_pandas()
    kwargs: dict[str, Any] = {"columns": cols}
    if "alpha" in o:
        kwargs["alpha"] = float(o["alpha"])
    report = drift_report(ref, cur, **kwargs)
    share = float(report.drift_share)
    passed, text = _verdict(share, None, float(o["max_drift_share"]))
    text = f"drift share {text}; drifted: {', '.join(report.drifted_columns) or 'none'}"
    return _record(
        c,
        share,
        passed,
        text,
        {"columns": cols, "drifted": report.drifted_columns, "report": report.report},
    )


def evaluate_robustness(policy: Policy, c: Check, frame: Frame) -> dict[str, Any]:
    """One ``[[robustness]]`` entry: flip rate under noise of the given budget."""
    from aequa.cli._data import load_model
    from aequa.cli._io import numeric_matrix
    from aequa.robust import noise_stability

    o = c.options
    if frame.table is None:
        raise CliError(
            f"{policy.where('robustness', c.index, None)}: robustness checks need the rows in "
            "memory but the data is streamed; raise --memory-cap"
        )
    loc = policy.where("robustness", c.index, "model")
    model = load_model(o["model"], loc)
    spec = policy.data
    features = o.get("features") or spec.feature_names(frame.table.column_names)
    missing = [x for x in features if x not in frame.table.column_names]
    if missing:
        raise CliError(
            f"{policy.where('robustness', c.index, 'features')}: column '{missing[0]}' is not in "
            "the data"
        )
    x = numeric_matrix(frame.table, features, policy.where("robustness", c.index, "features"))
    seed = o.get("seed", policy.seed if policy.seed is not None else 0)
    report = noise_stability(
        model,
        x,
        budgets=[float(o["budget"])],
        noise=o.get("noise", "gaussian"),
        n_repeats=int(o.get("n_repeats", 10)),
        per_feature=False,
        threshold=spec.decision_threshold() if spec.prediction is None else None,
        random_state=int(seed),
    )
    rate = float(report.flip_rate[0])
    passed, text = _verdict(rate, None, float(o["max_flip_rate"]))
    text = f"flip rate at budget {float(o['budget']):g}: {text} (rows={x.shape[0]}, seed={seed})"
    return _record(c, rate, passed, text, {"report": report.report})


def to_number(v: Any) -> float:
    return float("nan") if v is None else float(np.float64(v))
