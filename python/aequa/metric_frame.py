"""MetricFrame: metrics overall and per group, with Fairlearn's names and semantics.

Built-in metrics (see :mod:`aequa.metrics`) are computed in one Rust pass over the rows;
any other callable ``f(y_true, y_pred, **sample_params)`` runs per group in Python.
"""

from __future__ import annotations

import json
import secrets
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from aequa import _core, _inputs
from aequa._core import InvalidArgumentError
from aequa._metric_frame_args import (
    _check_errors,
    _check_names,
    _method,
    _named_metrics,
    _sample_params,
    _weight_groups,
)
from aequa._metric_frame_merge import _by_core_name, _custom_metrics, _merge_reports, _rename
from aequa.metrics import builtin_name
from aequa.report import Report

Method = Literal["between_groups", "to_overall"]


class SmallGroupWarning(UserWarning):
    """Some groups have too few rows for their metrics to be judged alone."""


class MetricFrame(Report):
    """Metrics overall and disaggregated by sensitive (and control) features.

    Parameters
    ----------
    metrics : callable, str, list or dict
        One metric, a list, or a dict ``{name: metric}``. A metric is a built-in name
        (``"selection_rate"``), an ``aequa`` metric function, the Fairlearn / scikit-learn
        function of a built-in, or any callable ``f(y_true, y_pred, **sample_params)``.
    y_true, y_pred : array-like
        Labels and predictions (lists, numpy, pandas, polars, pyarrow).
    sensitive_features : array-like, DataFrame or dict
        One or more columns; several columns give intersectional groups (every combination
        is a row, empty ones included).
    control_features : array-like, DataFrame or dict, optional
        Columns to stratify by: every quantity is computed within each control level.
    sample_params : dict, optional
        Fairlearn's per-metric parameters: ``{"sample_weight": w}`` for a single metric,
        ``{name: {"sample_weight": w}}`` for a dict.
    sample_weight : array-like, optional
        Weights for every metric (shorthand for ``sample_params``; ``count`` ignores them).
    n_boot : int, optional
        Bootstrap replicates for confidence intervals (with ``ci_quantiles``).
    ci_quantiles : list of float, optional
        Quantiles of the bootstrap distribution to report, e.g. ``[0.025, 0.5, 0.975]``.
    random_state : int, optional
        Seed of the bootstrap. ``None`` draws a fresh seed, recorded in the report.
    resampling : {"rows", "stratified", "fairlearn"}, optional
        ``rows`` resamples all rows (Fairlearn's scheme, seeded ChaCha in Rust; the default),
        ``stratified`` resamples within each group (group sizes fixed), ``fairlearn`` draws
        exactly Fairlearn's rows with numpy (bit-identical intervals; the default with
        ``compat="fairlearn"`` or custom metrics).
    pos_label : scalar, optional
        Positive label (default 1; required for text labels).
    threshold : float, optional
        Decision threshold turning scores in ``y_pred`` into decisions (``>=`` is positive).
    compat : {"aequa", "fairlearn"}
        Undefined values are NaN with a reason (``"aequa"``) or Fairlearn's value.
    min_group_size : int
        Groups smaller than this are flagged in :attr:`warnings`.
    multiclass : {None, "ovr"}
        ``"ovr"`` assesses multiclass labels one-vs-rest: every metric per class (columns
        ``"metric[class]"``), :attr:`per_class` frames and :attr:`worst_case` gaps.

    Examples
    --------
    >>> import aequa
    >>> mf = aequa.MetricFrame(metrics=aequa.selection_rate, y_true=[1, 0, 1, 1],
    ...                        y_pred=[1, 0, 0, 1], sensitive_features=["a", "a", "b", "b"])
    >>> mf.by_group.to_dict()
    {'a': 0.5, 'b': 0.5}
    >>> float(mf.difference())
    0.0
    """

    _kind = "metric_frame"

    def __init__(
        self,
        *,
        metrics: Any,
        y_true: Any,
        y_pred: Any,
        sensitive_features: Any,
        control_features: Any = None,
        sample_params: Mapping[str, Any] | None = None,
        sample_weight: Any = None,
        n_boot: int | None = None,
        ci_quantiles: Sequence[float] | None = None,
        random_state: int | None = None,
        resampling: str | None = None,
        pos_label: Any = None,
        threshold: float | None = None,
        compat: str = "aequa",
        min_group_size: int = 30,
        multiclass: str | None = None,
    ) -> None:
        if compat not in ("aequa", "fairlearn"):
            raise InvalidArgumentError(f"compat: expected 'aequa' or 'fairlearn', found {compat!r}")
        if multiclass not in (None, "ovr"):
            raise InvalidArgumentError(f"multiclass: expected None or 'ovr', found {multiclass!r}")
        threshold = _inputs.finite_or_none(threshold, "threshold")
        if isinstance(min_group_size, bool) or not isinstance(min_group_size, (int, np.integer)):
            raise InvalidArgumentError(
                f"min_group_size: expected an integer, found {min_group_size!r}"
            )
        if min_group_size < 0:
            raise InvalidArgumentError(f"min_group_size: expected >= 0, found {min_group_size}")
        single_metric = not isinstance(metrics, (Mapping, list, tuple))
        self._single = single_metric and multiclass is None
        named = _named_metrics(metrics)
        params = _sample_params(named, sample_params, single_metric)
        t_raw = _inputs.to_numpy(y_true, "y_true")
        p_raw = _inputs.to_numpy(y_pred, "y_pred")
        classes: list[Any] = []
        if multiclass == "ovr":
            t, p, classes = _inputs.class_codes(t_raw, p_raw)
            pos = None
            if threshold is not None:
                raise InvalidArgumentError("threshold: one-vs-rest compares labels; drop threshold")
        else:
            t, p, pos = _inputs.labels(t_raw, p_raw, pos_label, threshold)
        n = len(t)
        sens = _inputs.groupings(sensitive_features, n, "sensitive_feature_", "sensitive_features")
        ctrl = (
            _inputs.groupings(control_features, n, "control_feature_", "control_features")
            if control_features is not None
            else []
        )
        _check_names(sens, ctrl)
        self._sens, self._ctrl = sens, ctrl
        # What the dashboard's threshold slider recomputes from (see _bundle_data).
        plain = multiclass is None and not ctrl and sample_weight is None and not sample_params
        self._slider = (t, p, pos, threshold) if plain else None
        base: dict[str, Any] = {
            "spec": {"pos_label": pos, "threshold": threshold},
            "compat": compat,
            "min_group_size": int(min_group_size),
        }
        boot, indices = _bootstrap_plan(
            n_boot, ci_quantiles, random_state, resampling, compat, named, n
        )
        if boot is not None:
            base["bootstrap"] = boot
        global_w = _inputs.weights(sample_weight, n)
        custom = [k for k, f in named.items() if builtin_name(f) is None]
        if multiclass == "ovr" and custom:
            raise InvalidArgumentError(
                f"metrics: one-vs-rest takes built-in metrics only, found custom {custom}"
            )
        report: dict[str, Any] | None = None
        self._per_class: dict[Any, MetricFrame] = {}
        self._worst_case: list[dict[str, Any]] = []
        for weights, names in _weight_groups(named, params, global_w, n):
            # Custom metrics alone still need one core pass for the layout and sizes.
            core_names = list(dict.fromkeys(builtin_name(named[k]) for k in names)) or ["count"]
            options = json.dumps(dict(base, metrics=core_names), allow_nan=False)
            args = (t, p, weights, [g.for_core() for g in sens], [g.for_core() for g in ctrl])
            aliases: dict[str, list[str]] = {}
            for k in names:
                aliases.setdefault(str(builtin_name(named[k])), []).append(k)
            if multiclass == "ovr":
                part = self._one_vs_rest(args, options, indices, aliases, classes)
            else:
                part = json.loads(_core.metric_frame(*args, options, indices))
                aliases = _by_core_name(aliases, core_names, part["params"]["metrics"])
                _rename(part, aliases)
            report = part if report is None else _merge_reports(report, part)
        if custom:
            report = _custom_metrics(
                report, custom, named, params, t_raw, p_raw, sens, ctrl, base, indices, boot
            )
        assert report is not None
        self._names = (
            [f"{k}[{_inputs.level_label(c)}]" for c in classes for k in named]
            if multiclass == "ovr"
            else list(named)
        )
        report["params"]["metrics"] = list(self._names)
        self._report = report
        small = [w for w in report["warnings"] if "too noisy" in w]
        if small:
            warnings.warn(
                f"{len(small)} group(s) are smaller than min_group_size={min_group_size}; "
                f"their metrics are noisy (see MetricFrame.warnings and the intervals). "
                f"First: {small[0]}",
                SmallGroupWarning,
                stacklevel=2,
            )

    def _bundle_data(self) -> dict[str, Any] | None:
        """The bundle's ``data``: labels, scores (or predictions) and the sensitive columns.

        Present for a binary, unweighted frame without control features; ``score`` is set when
        the frame was built from scores with ``threshold=`` (then the dashboard's threshold
        slider works), ``prediction`` otherwise.
        """
        if self._slider is None:
            return None
        from aequa._bundle import frame_data

        t, p, pos, threshold = self._slider
        return frame_data(t, p, pos, threshold, [g.for_core() for g in self._sens])

    # ----- Fairlearn's API ---------------------------------------------------------------
    @property
    def overall(self) -> Any:
        """Metrics on all rows (per control level when there are control features)."""
        return self._overall(self._report["values"])

    @property
    def by_group(self) -> pd.Series | pd.DataFrame:
        """Metrics per group (every combination of sensitive levels, empty ones included)."""
        return self._by_group(self._report["values"])

    @property
    def sensitive_levels(self) -> list[str]:
        """Names of the sensitive features."""
        return [g.name for g in self._sens]

    @property
    def control_levels(self) -> list[str] | None:
        """Names of the control features (``None`` without any)."""
        return [g.name for g in self._ctrl] or None

    def group_min(self, errors: str = "raise") -> Any:
        """Smallest group value of each metric (undefined groups skipped)."""
        _check_errors(errors)
        return self._summary(self._report["values"], "group_min")

    def group_max(self, errors: str = "raise") -> Any:
        """Largest group value of each metric (undefined groups skipped)."""
        _check_errors(errors)
        return self._summary(self._report["values"], "group_max")

    def difference(self, method: Method = "between_groups", errors: str = "coerce") -> Any:
        """Largest gap: ``group_max - group_min`` or the largest ``|group - overall|``."""
        _check_errors(errors)
        return self._summary(self._report["values"], f"difference_{_method(method)}")

    def ratio(self, method: Method = "between_groups", errors: str = "coerce") -> Any:
        """Smallest quotient: ``group_min / group_max`` or the smallest group/overall (≤ 1)."""
        _check_errors(errors)
        return self._summary(self._report["values"], f"ratio_{_method(method)}")

    # ----- confidence intervals ---------------------------------------------------------
    @property
    def n_boot(self) -> int | None:
        """Bootstrap replicates, if any."""
        iv = self._report.get("intervals")
        return None if iv is None else int(iv["n_boot"])

    @property
    def ci_quantiles(self) -> list[float] | None:
        """Quantiles reported, if any."""
        iv = self._report.get("intervals")
        return None if iv is None else list(iv["ci_quantiles"])

    @property
    def overall_ci(self) -> list[Any]:
        """``overall`` at each of ``ci_quantiles``."""
        return [self._overall(q) for q in self._quantiles()]

    @property
    def by_group_ci(self) -> list[Any]:
        """``by_group`` at each of ``ci_quantiles``."""
        return [self._by_group(q) for q in self._quantiles()]

    def group_min_ci(self) -> list[Any]:
        """``group_min()`` at each of ``ci_quantiles``."""
        return [self._summary(q, "group_min") for q in self._quantiles()]

    def group_max_ci(self) -> list[Any]:
        """``group_max()`` at each of ``ci_quantiles``."""
        return [self._summary(q, "group_max") for q in self._quantiles()]

    def difference_ci(self, method: Method = "between_groups") -> list[Any]:
        """``difference(method)`` at each of ``ci_quantiles``."""
        return [self._summary(q, f"difference_{_method(method)}") for q in self._quantiles()]

    def ratio_ci(self, method: Method = "between_groups") -> list[Any]:
        """``ratio(method)`` at each of ``ci_quantiles``."""
        return [self._summary(q, f"ratio_{_method(method)}") for q in self._quantiles()]

    # ----- aequa's additions ------------------------------------------------------------
    @property
    def warnings(self) -> list[str]:
        """Groups too small to judge, empty intersections."""
        return list(self._report["warnings"])

    @property
    def undefined(self) -> pd.DataFrame:
        """Every undefined value and why (metric, control, group, reason)."""
        rows = self._report["undefined"]
        return pd.DataFrame(rows, columns=["metric", "control", "group", "reason"])

    @property
    def sizes(self) -> pd.DataFrame:
        """Rows and total weight of each group."""
        frame = pd.DataFrame(
            [(s["rows"], s["weight"]) for s in self._report["sizes"]],
            columns=["rows", "weight"],
        )
        frame.index = self._group_index()
        return frame

    @property
    def tests(self) -> pd.DataFrame:
        """Significance of each proportion metric's gap: chi-square test of independence across
        groups, and a two-proportion z-test of the highest vs the lowest group."""
        cols = ["metric", "control", "chi2", "dof", "pvalue", "min_group", "max_group", "z",
                "z_pvalue", "groups_tested"]  # fmt: skip
        return pd.DataFrame(self._report["tests"], columns=cols).replace({None: np.nan})

    def to_pandas(self) -> pd.DataFrame:
        """A tidy table: one row per (group, metric) with the value and any intervals."""
        values = self._report["values"]["by_group"]
        rows = []
        quantiles = self._report["intervals"]["quantiles"] if self._report.get("intervals") else []
        qs = self.ci_quantiles or []
        for i, row in enumerate(values):
            for metric in self._names:
                rec: dict[str, Any] = {}
                for name, level in zip(self._level_names(), row["control"] + row["group"]):
                    rec[name] = level
                rec["metric"] = metric
                rec["value"] = _num(row["values"].get(metric))
                for q, slice_ in zip(qs, quantiles):
                    rec[f"q{q:g}"] = _num(slice_["by_group"][i]["values"].get(metric))
                rows.append(rec)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return f"MetricFrame(metrics={self._names}, groups={len(self._report['sizes'])})"

    # ----- multiclass ------------------------------------------------------------------
    @property
    def per_class(self) -> dict[Any, MetricFrame]:
        """One-vs-rest frames by class (``multiclass="ovr"`` only)."""
        if not self._per_class:
            raise InvalidArgumentError("per_class: pass multiclass='ovr' to MetricFrame")
        return dict(self._per_class)

    @property
    def worst_case(self) -> pd.DataFrame:
        """Worst gap over classes per metric: the largest differences, the smallest ratios,
        and the class with the largest between-groups difference (``multiclass="ovr"``)."""
        if not self._per_class:
            raise InvalidArgumentError("worst_case: pass multiclass='ovr' to MetricFrame")
        frame = pd.DataFrame(self._worst_case).replace({None: np.nan})
        if not self._ctrl:
            return frame.drop(columns="control").set_index("metric")
        frame["control"] = frame["control"].map(tuple)
        return frame.set_index(["control", "metric"])

    def _one_vs_rest(
        self,
        args: tuple[Any, ...],
        options: str,
        indices: np.ndarray | None,
        aliases: dict[str, list[str]],
        classes: list[Any],
    ) -> dict[str, Any]:
        multi = json.loads(_core.metric_frame_ovr(*args, options, indices))
        if multi["per_class"]:
            requested = list(json.loads(options)["metrics"])
            returned = multi["per_class"][0]["params"]["metrics"]
            aliases = _by_core_name(aliases, requested, returned)
        combined: dict[str, Any] | None = None
        for cls, part in zip(classes, multi["per_class"]):
            _rename(part, aliases)
            frame = MetricFrame.__new__(MetricFrame)
            frame._report = json.loads(json.dumps(part))
            frame._names = [k for names in aliases.values() for k in names]
            frame._single, frame._sens, frame._ctrl = False, self._sens, self._ctrl
            frame._per_class, frame._worst_case = {}, []
            if cls in self._per_class:
                _merge_reports(self._per_class[cls]._report, frame._report)
                self._per_class[cls]._names += frame._names
            else:
                self._per_class[cls] = frame
            label = _inputs.level_label(cls)
            _rename(part, {k: [f"{k}[{label}]"] for names in aliases.values() for k in names})
            combined = part if combined is None else _merge_reports(combined, part)
        for row in multi["worst_case"]:
            for name in aliases.get(row["metric"], [row["metric"]]):
                row = dict(row, metric=name)
                idx = int(row.pop("worst_class")) if row["worst_class"] != "" else None
                row["worst_class"] = classes[idx] if idx is not None else None
                self._worst_case.append(row)
        assert combined is not None
        return combined

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Bars per group with the bootstrap interval (needs matplotlib); see
        :func:`aequa.plot.metric_frame`."""
        from aequa.plot.fairness import metric_frame

        return metric_frame(self, ax, **kw)

    # ----- shaping ---------------------------------------------------------------------
    def _level_names(self) -> list[str]:
        return [g.name for g in self._ctrl] + [g.name for g in self._sens]

    def _index(self, groupings: list[_inputs.Grouping]) -> pd.Index:
        if len(groupings) == 1:
            return pd.Index(groupings[0].levels, name=groupings[0].name)
        return pd.MultiIndex.from_product(
            [g.levels for g in groupings], names=[g.name for g in groupings]
        )

    def _group_index(self) -> pd.Index:
        return self._index(self._ctrl + self._sens)

    def _quantiles(self) -> list[dict[str, Any]]:
        iv = self._report.get("intervals")
        if iv is None:
            raise InvalidArgumentError(
                "n_boot, ci_quantiles: confidence intervals were not requested; pass n_boot "
                "and ci_quantiles to MetricFrame"
            )
        return list(iv["quantiles"])

    def _table(self, rows: list[dict[str, Any]], index: pd.Index) -> pd.DataFrame:
        data = [[_num(r["values"].get(m)) for m in self._names] for r in rows]
        return pd.DataFrame(data, index=index, columns=self._names)

    def _overall(self, values: dict[str, Any]) -> Any:
        if not self._ctrl:
            series = pd.Series(
                [_num(values["overall"][0]["values"].get(m)) for m in self._names],
                index=self._names,
                dtype=object if self._has_objects(values["overall"]) else float,
            )
            return series.iloc[0] if self._single else series
        frame = self._table(values["overall"], self._index(self._ctrl))
        return frame.iloc[:, 0] if self._single else frame

    def _by_group(self, values: dict[str, Any]) -> pd.Series | pd.DataFrame:
        frame = self._table(values["by_group"], self._group_index())
        return frame.iloc[:, 0] if self._single else frame

    def _summary(self, values: dict[str, Any], key: str) -> Any:
        aggs = values["aggregates"]
        if not self._ctrl:
            by_metric = {a["metric"]: _num(a[key]) for a in aggs}
            series = pd.Series([by_metric.get(m) for m in self._names], index=self._names)
            return series.iloc[0] if self._single else series.astype(float)
        index = self._index(self._ctrl)
        per_stratum = len(aggs) // len(index)
        data = []
        for s in range(len(index)):
            found = {
                a["metric"]: _num(a[key]) for a in aggs[s * per_stratum : (s + 1) * per_stratum]
            }
            data.append([found.get(m) for m in self._names])
        frame = pd.DataFrame(data, index=index, columns=self._names)
        return frame.iloc[:, 0] if self._single else frame

    @staticmethod
    def _has_objects(rows: list[dict[str, Any]]) -> bool:
        return any(isinstance(v, (list, dict)) for r in rows for v in r["values"].values())


def _num(v: Any) -> Any:
    return np.nan if v is None else v


def _bootstrap_plan(
    n_boot: int | None,
    ci_quantiles: Sequence[float] | None,
    random_state: int | None,
    resampling: str | None,
    compat: str,
    named: dict[str, Any],
    n: int,
) -> tuple[dict[str, Any] | None, np.ndarray | None]:
    if n_boot is None and not ci_quantiles:
        return None, None
    if n_boot is None or not ci_quantiles:
        raise InvalidArgumentError(
            "n_boot, ci_quantiles: pass both to get confidence intervals, or neither"
        )
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise InvalidArgumentError(f"n_boot: expected a positive integer, found {n_boot!r}")
    if n_boot > 100_000:
        raise InvalidArgumentError(f"n_boot: expected at most 100000 replicates, found {n_boot}")
    try:
        qs = [float(q) for q in ci_quantiles]
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"ci_quantiles: expected numbers in [0, 1], found {list(ci_quantiles)!r}"
        ) from None
    bad = [q for q in qs if not 0.0 <= q <= 1.0]
    if bad:
        raise InvalidArgumentError(f"ci_quantiles: expected quantiles in [0, 1], found {bad}")
    has_custom = any(builtin_name(f) is None for f in named.values())
    if resampling is None:
        resampling = "fairlearn" if compat == "fairlearn" or has_custom else "rows"
    if resampling not in ("rows", "stratified", "fairlearn"):
        raise InvalidArgumentError(
            f"resampling: expected 'rows', 'stratified' or 'fairlearn', found {resampling!r}"
        )
    if has_custom and resampling != "fairlearn":
        raise InvalidArgumentError(
            "resampling: custom (Python) metrics are bootstrapped with resampling='fairlearn'"
        )
    if random_state is None:
        random_state = secrets.randbelow(2**32)
    if isinstance(random_state, np.random.RandomState) or not 0 <= int(random_state) < 2**32:
        raise InvalidArgumentError(
            f"random_state: expected an integer seed in [0, 2**32), found {random_state!r}"
        )
    boot = {
        "n_boot": int(n_boot),
        "ci_quantiles": qs,
        "random_state": int(random_state),
        "stratified": resampling == "stratified",
    }
    indices = (
        fairlearn_indices(int(n_boot), int(random_state), n) if resampling == "fairlearn" else None
    )
    return boot, indices


def fairlearn_indices(n_boot: int, random_state: int, n: int) -> np.ndarray:
    """The rows Fairlearn 0.15's bootstrap draws: per-replicate seeds from
    ``default_rng(random_state)``, then ``RandomState(seed).randint(0, n, n)`` (what
    ``DataFrame.sample(frac=1, replace=True)`` does). Uses local generators only."""
    seeds = np.random.default_rng(seed=random_state).integers(
        low=0, high=np.iinfo(np.uint32).max, size=n_boot, dtype=np.uint32
    )
    out = np.empty((n_boot, n), dtype=np.int64)
    for b, seed in enumerate(seeds):
        out[b] = np.random.RandomState(int(seed)).randint(0, n, size=n)
    return out
