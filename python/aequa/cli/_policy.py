"""Policy files (TOML): parsing and validation, with errors that name the line and the key.

Format::

    [data]
    label = "y"                  # column names in DATA
    prediction = "y_hat"         # or score = "p" (+ threshold = 0.5), or model = "model.json"
    sensitive = ["race", "sex"]

    [[check]]
    metric = "demographic_parity_difference"   # any fairness function or base metric name
    max = 0.10                                 # or min = 0.8 for ratios

    [[drift]]
    reference = "train.csv"      # relative to the policy file
    max_drift_share = 0.3

    [[robustness]]
    model = "model.json"
    budget = 0.1
    max_flip_rate = 0.05
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import sys
from typing import Any

from aequa.cli._data import DataSpec
from aequa.cli._errors import CliError, read_text

# Fairlearn's one-number disparities: name → (family, kind); the rates each family needs.
FAIRLEARN = {
    "demographic_parity_difference": ("demographic_parity", "difference"),
    "demographic_parity_ratio": ("demographic_parity", "ratio"),
    "equalized_odds_difference": ("equalized_odds", "difference"),
    "equalized_odds_ratio": ("equalized_odds", "ratio"),
    "equal_opportunity_difference": ("equal_opportunity", "difference"),
    "equal_opportunity_ratio": ("equal_opportunity", "ratio"),
}
RATES = {
    "demographic_parity": ["selection_rate"],
    "equal_opportunity": ["true_positive_rate"],
    "equalized_odds": ["true_positive_rate", "false_positive_rate"],
}
# AIF360's signed forms (against `privileged`): name → the key of reference_disparities.
AIF360 = {
    "statistical_parity_difference": "statistical_parity_difference",
    "disparate_impact_ratio": "disparate_impact_ratio",
    "average_odds_difference": "average_odds_difference",
    "average_abs_odds_difference": "average_abs_odds_difference",
    "equal_opportunity_difference_aif360": "equal_opportunity_difference",
}
SIGNED = {
    "statistical_parity_difference",
    "average_odds_difference",
    "equal_opportunity_difference_aif360",
}
UNBOUNDED = {
    "count",
    "mean_prediction",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
}
SUMMARIES = ("by_group", "overall", "group_min", "group_max", "difference", "ratio")

DATA_KEYS = {
    "label",
    "prediction",
    "score",
    "model",
    "features",
    "threshold",
    "pos_label",
    "sensitive",
    "bootstrap",
    "seed",
    "min_group_size",
}
CHECK_KEYS = {
    "metric",
    "max",
    "min",
    "method",
    "agg",
    "group",
    "significance",
    "privileged",
    "summary",
    "name",
}
DRIFT_KEYS = {"reference", "max_drift_share", "columns", "alpha", "name"}
ROBUST_KEYS = {"model", "budget", "max_flip_rate", "features", "n_repeats", "noise", "seed", "name"}


def base_metrics() -> list[str]:
    from aequa.metrics import __all__ as names

    return [n for n in names if n != "builtin_name"]


@dataclasses.dataclass
class Check:
    """One ``[[check]]``, ``[[drift]]`` or ``[[robustness]]`` entry."""

    table: str  # "check", "drift", "robustness"
    index: int  # 0-based position among its table's entries
    line: int
    options: dict[str, Any]
    id: str = ""

    @property
    def metric(self) -> str:
        return str(self.options.get("metric", self.table))


@dataclasses.dataclass
class Policy:
    path: str
    text: str
    data: DataSpec
    bootstrap: int | None
    seed: int | None
    min_group_size: int
    checks: list[Check]

    def where(self, table: str, index: int | None, key: str | None) -> str:
        """``aequa.toml:7: [[check]] #2 max`` (the line of the key, else of the table)."""
        line = line_of(self.text, table, index, key)
        head = f"[[{table}]] #{index + 1}" if index is not None else f"[{table}]"
        return f"{self.path}:{line}: {head}" + (f" {key}" if key else "")


def line_of(text: str, table: str, index: int | None, key: str | None) -> int:
    """The 1-based line of ``key`` in the ``index``-th ``[[table]]`` (or in ``[table]``)."""
    if index is None:
        header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]\s*(#.*)?$")
    else:
        header = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]\s*(#.*)?$")
    lines = text.splitlines()
    seen, start = -1, None
    for i, ln in enumerate(lines):
        if header.match(ln):
            seen += 1
            if index is None or seen == index:
                start = i
                break
    if start is None:
        return 1
    if key is None:
        return start + 1
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for j in range(start + 1, len(lines)):
        if re.match(r"^\s*\[", lines[j]):
            break
        if pattern.match(lines[j]):
            return j + 1
    return start + 1


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:
        import tomli
    except ImportError:  # pragma: no cover - tomli is a dependency on Python < 3.11
        raise CliError("reading a policy needs tomli on Python < 3.11: pip install tomli") from None
    return tomli


def load(path: str) -> Policy:
    """Read and validate a policy file (exit 2 with the line and key on any error)."""
    toml = _toml()
    text = read_text(path, "the policy")
    try:
        doc = toml.loads(text)
    except toml.TOMLDecodeError as e:
        raise CliError(f"{path}: invalid TOML: {e}") from None
    return _validate(path, text, doc)


def _validate(path: str, text: str, doc: dict[str, Any]) -> Policy:
    proto = Policy(path, text, DataSpec(label="", sensitive=[]), None, None, 30, [])
    unknown = set(doc) - {"data", "check", "drift", "robustness"}
    if unknown:
        name = sorted(unknown)[0]
        raise CliError(
            f"{path}:{_top_line(text, name)}: unknown table or key '{name}'; expected [data], "
            "[[check]], [[drift]], [[robustness]]"
        )
    data = doc.get("data")
    if not isinstance(data, dict):
        raise CliError(f"{path}: missing [data] table (label, prediction/score/model, sensitive)")
    _keys(proto, "data", None, data, DATA_KEYS)
    where = {k: proto.where("data", None, k) for k in DATA_KEYS}

    def text_key(key: str, required: bool = False) -> str | None:
        v = data.get(key)
        if v is None:
            if required:
                raise CliError(f"{proto.where('data', None, None)}: missing key '{key}'")
            return None
        if not isinstance(v, str) or not v:
            raise CliError(f"{where[key]}: expected a column name (text), found {v!r}")
        return v

    sens = data.get("sensitive")
    if isinstance(sens, str):
        sens = [sens]
    if not isinstance(sens, list) or not sens or not all(isinstance(s, str) for s in sens):
        raise CliError(
            f"{where['sensitive'] if 'sensitive' in data else proto.where('data', None, None)}: "
            f"expected a column name or a list of names, found {data.get('sensitive')!r}"
        )
    features = data.get("features")
    if features is not None and (
        not isinstance(features, list) or not all(isinstance(f, str) for f in features)
    ):
        raise CliError(f"{where['features']}: expected a list of column names")
    model = text_key("model")
    if model is not None:
        model = _relative(path, model)
    threshold = _number(data, "threshold", where)
    spec = DataSpec(
        label=str(text_key("label", required=True)),
        sensitive=list(sens),
        prediction=text_key("prediction"),
        score=text_key("score"),
        model=model,
        features=features,
        threshold=threshold,
        pos_label=data.get("pos_label"),
        where=where,
    )
    bootstrap = _integer(data, "bootstrap", where, 1)
    seed = _integer(data, "seed", where, 0)
    mgs = _integer(data, "min_group_size", where, 0)
    policy = Policy(path, text, spec, bootstrap, seed, 30 if mgs is None else mgs, [])
    for table, keys in (("check", CHECK_KEYS), ("drift", DRIFT_KEYS), ("robustness", ROBUST_KEYS)):
        entries = doc.get(table, [])
        if not isinstance(entries, list):
            raise CliError(
                f"{path}:{_top_line(text, table)}: '{table}' must be an array of tables "
                f"([[{table}]]), found a single table or value"
            )
        for i, entry in enumerate(entries):
            _keys(policy, table, i, entry, keys)
            check = Check(table, i, line_of(text, table, i, None), dict(entry))
            {"check": _check_metric, "drift": _check_drift, "robustness": _check_robust}[table](
                policy, check
            )
            policy.checks.append(check)
    if not policy.checks:
        raise CliError(f"{path}: the policy has no [[check]], [[drift]] or [[robustness]] entry")
    _assign_ids(policy.checks)
    return policy


def _top_line(text: str, name: str) -> int:
    for i, ln in enumerate(text.splitlines()):
        if re.match(r"^\s*\[*\s*" + re.escape(name) + r"\b", ln):
            return i + 1
    return 1


def _relative(policy_path: str, path: str) -> str:
    if os.path.isabs(path):
        return path
    return os.path.join(os.path.dirname(os.path.abspath(policy_path)), path)


def _keys(policy: Policy, table: str, index: int | None, entry: Any, allowed: set[str]) -> None:
    if not isinstance(entry, dict):
        raise CliError(f"{policy.where(table, index, None)}: expected a table of keys")
    for key in entry:
        if key not in allowed:
            raise CliError(
                f"{policy.where(table, index, key)}: unknown key '{key}'; expected one of "
                + ", ".join(sorted(allowed))
            )


def _number(entry: dict[str, Any], key: str, where: Any) -> float | None:
    v = entry.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        loc = where[key] if isinstance(where, dict) else where(key)
        raise CliError(f"{loc}: expected a finite number, found {v!r}")
    return float(v)


def _integer(entry: dict[str, Any], key: str, where: Any, low: int) -> int | None:
    v = entry.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < low:
        loc = where[key] if isinstance(where, dict) else where(key)
        raise CliError(f"{loc}: expected an integer >= {low}, found {v!r}")
    return int(v)


def _bounds(policy: Policy, c: Check, low: float, high: float, what: str) -> None:
    def loc(key: str) -> str:
        return policy.where(c.table, c.index, key)

    lo, hi = _number(c.options, "min", loc), _number(c.options, "max", loc)
    if lo is None and hi is None:
        raise CliError(f"{policy.where(c.table, c.index, 'metric')}: give max = ... or min = ...")
    for key, v in (("min", lo), ("max", hi)):
        if v is not None and not low <= v <= high:
            raise CliError(
                f"{loc(key)}: {key} = {v:g} is out of range for {c.metric} ({what}: expected a "
                f"value in [{low:g}, {high:g}])"
            )
    if lo is not None and hi is not None and lo > hi:
        raise CliError(f"{loc('min')}: min = {lo:g} is above max = {hi:g}")


def _check_metric(policy: Policy, c: Check) -> None:
    o = c.options

    def loc(key: str) -> str:
        return policy.where("check", c.index, key)

    metric = o.get("metric")
    if metric is None:
        raise CliError(f"{policy.where('check', c.index, None)}: missing key 'metric'")
    if not isinstance(metric, str):
        raise CliError(f"{loc('metric')}: expected a metric name (text), found {metric!r}")
    base = base_metrics()
    if metric in FAIRLEARN:
        c.options["_family"] = "fairlearn"
        if metric.endswith("_ratio"):
            _bounds(policy, c, 0.0, 1.0, "a ratio")
        else:
            _bounds(policy, c, 0.0, 1.0, "a difference of rates")
    elif metric in AIF360:
        c.options["_family"] = "aif360"
        if "privileged" not in o:
            raise CliError(
                f"{loc('metric')}: {metric} compares against a privileged group; add "
                'privileged = "level" (or a list, one level per sensitive column)'
            )
        if metric in SIGNED:
            if "min" in o:
                raise CliError(f"{loc('min')}: {metric} is signed; max bounds its absolute value")
            _bounds(policy, c, 0.0, 1.0, "the absolute value of a signed difference")
        elif metric == "disparate_impact_ratio":
            _bounds(policy, c, 0.0, math.inf, "a ratio of rates")
        else:
            _bounds(policy, c, 0.0, 1.0, "a mean of absolute differences")
    elif metric in base:
        c.options["_family"] = "metric"
        summary = o.get("summary", "by_group")
        if summary not in SUMMARIES:
            raise CliError(f"{loc('summary')}: expected one of {', '.join(SUMMARIES)}")
        if summary == "ratio":
            _bounds(policy, c, 0.0, 1.0, "a ratio")
        elif metric in UNBOUNDED and summary != "difference":
            _bounds(
                policy, c, 0.0 if metric != "mean_prediction" else -math.inf, math.inf, "a metric"
            )
        elif metric in UNBOUNDED:
            _bounds(policy, c, 0.0, math.inf, "a difference")
        else:
            _bounds(policy, c, 0.0, 1.0, "a rate")
        if "group" in o and summary != "by_group":
            raise CliError(f'{loc("group")}: group applies to summary = "by_group" only')
    else:
        known = sorted(FAIRLEARN) + sorted(AIF360) + base
        near = [k for k in known if metric.lower() in k or k in metric.lower()]
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise CliError(
            f"{loc('metric')}: unknown metric '{metric}'{hint}; expected a fairness function "
            f"({', '.join(sorted(FAIRLEARN) + sorted(AIF360))}) or a base metric "
            f"({', '.join(base)})"
        )
    method = o.get("method", "between_groups")
    if method not in ("between_groups", "to_overall"):
        raise CliError(f"{loc('method')}: expected 'between_groups' or 'to_overall'")
    if o.get("agg", "worst_case") not in ("worst_case", "mean"):
        raise CliError(f"{loc('agg')}: expected 'worst_case' or 'mean'")
    if "significance" in o:
        alpha = _number(o, "significance", loc)
        if alpha is None or not 0.0 < alpha < 1.0:
            raise CliError(f"{loc('significance')}: expected a level in (0, 1), e.g. 0.05")
        if o["_family"] != "fairlearn":
            raise CliError(
                f"{loc('significance')}: significance applies to Fairlearn's disparities "
                f"(their chi-square test across groups), not to {metric}"
            )


def _check_drift(policy: Policy, c: Check) -> None:
    o = c.options

    def loc(key: str) -> str:
        return policy.where("drift", c.index, key)

    ref = o.get("reference")
    if not isinstance(ref, str) or not ref:
        raise CliError(
            f"{loc('reference') if 'reference' in o else policy.where('drift', c.index, None)}: "
            'expected reference = "FILE" (the data to compare with)'
        )
    o["reference"] = _relative(policy.path, ref)
    share = _number(o, "max_drift_share", loc)
    if share is None:
        raise CliError(f"{policy.where('drift', c.index, None)}: missing key 'max_drift_share'")
    if not 0.0 <= share <= 1.0:
        raise CliError(f"{loc('max_drift_share')}: expected a share in [0, 1], found {share:g}")
    cols = o.get("columns")
    if cols is not None and (
        not isinstance(cols, list) or not all(isinstance(x, str) for x in cols)
    ):
        raise CliError(f"{loc('columns')}: expected a list of column names")
    alpha = _number(o, "alpha", loc)
    if alpha is not None and not 0.0 < alpha < 1.0:
        raise CliError(f"{loc('alpha')}: expected a level in (0, 1)")


def _check_robust(policy: Policy, c: Check) -> None:
    o = c.options

    def loc(key: str) -> str:
        return policy.where("robustness", c.index, key)

    model = o.get("model") or policy.data.model
    if not isinstance(model, str) or not model:
        raise CliError(
            f'{policy.where("robustness", c.index, None)}: expected model = "FILE" (a native '
            "model JSON), here or in [data]"
        )
    o["model"] = _relative(policy.path, model) if "model" in o else model
    budget = _number(o, "budget", loc)
    if budget is None or budget <= 0:
        raise CliError(f"{loc('budget')}: expected a noise budget > 0 (in feature spreads)")
    flip = _number(o, "max_flip_rate", loc)
    if flip is None:
        raise CliError(f"{policy.where('robustness', c.index, None)}: missing 'max_flip_rate'")
    if not 0.0 <= flip <= 1.0:
        raise CliError(f"{loc('max_flip_rate')}: expected a rate in [0, 1], found {flip:g}")
    if o.get("noise", "gaussian") not in ("gaussian", "uniform"):
        raise CliError(f"{loc('noise')}: expected 'gaussian' or 'uniform'")
    _integer(o, "n_repeats", loc, 1)
    _integer(o, "seed", loc, 0)


def _assign_ids(checks: list[Check]) -> None:
    seen: dict[str, int] = {}
    for c in checks:
        o = c.options
        if "name" in o:
            base = str(o["name"])
        elif c.table == "check":
            parts = [c.metric]
            for k in ("summary", "method", "agg", "group", "privileged"):
                if k in o and o[k] not in ("by_group", "between_groups", "worst_case"):
                    parts.append(f"{k}={_fmt(o[k])}")
            base = " ".join(parts)
        elif c.table == "drift":
            base = f"drift {os.path.basename(o['reference'])}"
        else:
            base = f"robustness {os.path.basename(o['model'])} budget={o['budget']:g}"
        seen[base] = seen.get(base, 0) + 1
        c.id = base if seen[base] == 1 else f"{base} #{seen[base]}"


def _fmt(v: Any) -> str:
    if isinstance(v, list):
        return ",".join(map(str, v))
    if isinstance(v, dict):
        return ",".join(f"{k}={x}" for k, x in v.items())
    return str(v)
