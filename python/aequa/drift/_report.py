"""``drift_report`` over whole frames and its result, :class:`DriftReport`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core
from aequa._core import InvalidArgumentError
from aequa.drift._frames import _Col, _convert_columns, _encode_pair, _frame, _pair
from aequa.report import Report

_TESTS = ("ks", "chisquare", "anderson", "wasserstein", "psi", "jensen_shannon")


def _test_choice(column: str, spec: Any) -> dict[str, Any]:
    if isinstance(spec, str):
        test, threshold = spec, None
    elif isinstance(spec, Mapping):
        test, threshold = spec.get("test"), spec.get("threshold")
    elif isinstance(spec, (tuple, list)) and len(spec) == 2:
        test, threshold = spec
    else:
        raise InvalidArgumentError(
            f"tests: column '{column}': expected a test name, (name, threshold) or "
            f"{{'test': name, 'threshold': t}}, found {spec!r}"
        )
    if test not in _TESTS:
        raise InvalidArgumentError(
            f"tests: column '{column}': expected one of {', '.join(_TESTS)}, found {test!r}"
        )
    out: dict[str, Any] = {"test": test}
    if threshold is not None:
        out["threshold"] = float(threshold)
    return out


def _side_pair(spec: Any, ref: dict[str, Any], cur: dict[str, Any], argument: str) -> Any:
    """A column name present in both frames, or a (reference, current) pair of arrays."""
    if isinstance(spec, str):
        for frame, where in ((ref, "reference"), (cur, "current")):
            if spec not in frame:
                raise InvalidArgumentError(
                    f"{argument}: no column '{spec}' in the {where} data; pass a column name "
                    "present in both frames or a (reference, current) pair of arrays"
                )
        return spec, ref[spec], cur[spec]
    if isinstance(spec, (tuple, list)) and len(spec) == 2:
        return argument, spec[0], spec[1]
    raise InvalidArgumentError(
        f"{argument}: expected a column name or a (reference, current) pair, found "
        f"{type(spec).__name__}"
    )


def drift_report(
    reference: Any,
    current: Any,
    *,
    columns: list[str] | None = None,
    tests: Mapping[str, Any] | None = None,
    prediction: Any = None,
    sensitive_features: Any = None,
    correction: str | None = "bh",
    alpha: float = 0.05,
    drift_share: float = 0.5,
    bins: int = 10,
    binning: str = "quantile",
    ks_method: str = "auto",
) -> DriftReport:
    """Drift of every column of ``current`` against ``reference``.

    Parameters
    ----------
    reference, current : pandas, polars or pyarrow data frame (or a mapping of columns)
        The same columns with the same kinds (numeric, or text / categorical / bool).
        Missing values are counted and dropped.
    columns : list of str, optional
        The columns to compare (default: all but ``prediction`` and ``sensitive_features``).
    tests : mapping, optional
        Per-column test: ``{"age": "psi", "income": ("jensen_shannon", 0.2)}``. Tests: ``ks``,
        ``chisquare``, ``anderson``, ``wasserstein`` (normed), ``psi``, ``jensen_shannon``.
        Others get the default: with at most 1000 reference values, KS (numeric with more
        than 5 distinct values) or chi-square; above, normed Wasserstein (threshold 0.1) or
        Jensen-Shannon (0.1) — Evidently's rule.
    prediction : str or (array, array), optional
        The model's predictions, as a column of both frames or a pair of arrays; reported
        apart (``report.prediction``), not counted in the drift share.
    sensitive_features : str or (array, array), optional
        Report drift within each group as well (``report.by_group``).
    correction : {"bh", "bonferroni", None}, default "bh"
        Multiple-testing correction of the feature columns' p-values.
    alpha : float, default 0.05
        Threshold of the p-value tests.
    drift_share : float, default 0.5
        Share of drifted columns at which the dataset drifts.
    bins, binning : int, {"quantile", "sturges"}
        Binning of numeric columns for PSI, Jensen-Shannon and chi-square.
    ks_method : {"auto", "exact", "asymp"}

    Returns
    -------
    DriftReport

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from aequa.drift import drift_report
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
    >>> cur = pd.DataFrame({"x": rng.normal(1, size=400), "c": rng.choice(["a", "b"], 400)})
    >>> rep = drift_report(ref, cur)
    >>> rep.to_pandas()[["test", "drifted"]].to_dict("index")
    {'x': {'test': 'ks', 'drifted': True}, 'c': {'test': 'chisquare', 'drifted': False}}
    >>> rep.drift_share, rep.dataset_drift
    (0.5, True)
    """
    ref = _frame(reference, "reference")
    cur = _frame(current, "current")
    pred = None if prediction is None else _side_pair(prediction, ref, cur, "prediction")
    groups = (
        None
        if sensitive_features is None
        else _side_pair(sensitive_features, ref, cur, "sensitive_features")
    )
    aside = {p[0] for p in (pred, groups) if p is not None and isinstance(p[0], str)}
    if columns is None:
        only_ref = [c for c in ref if c not in cur]
        only_cur = [c for c in cur if c not in ref]
        if only_ref or only_cur:
            raise InvalidArgumentError(
                "current: the frames must have the same columns; "
                + (f"missing from current: {only_ref}; " if only_ref else "")
                + (f"not in reference: {only_cur}; " if only_cur else "")
                + "pass columns=[...] to compare a subset"
            )
        names = [c for c in ref if c not in aside]
    else:
        names = list(columns)
        for c in names:
            for frame, where in ((ref, "reference"), (cur, "current")):
                if c not in frame:
                    raise InvalidArgumentError(f"columns: no column '{c}' in the {where} data")
    cols = _convert_columns(names, ref, cur)
    pred_col = None
    if pred is not None:
        name = pred[0] if isinstance(pred[0], str) else "prediction"
        pred_col = _pair(name, _Col.of("prediction", pred[1]), _Col.of("prediction", pred[2]))
    group_arg = None
    if groups is not None:
        gname = groups[0] if isinstance(groups[0], str) else "sensitive_feature"
        rg, cg = _Col.of("sensitive_features", groups[1]), _Col.of("sensitive_features", groups[2])
        rs = pd.Series(rg.numeric) if rg.numeric is not None else rg.values
        cs = pd.Series(cg.numeric) if cg.numeric is not None else cg.values
        rcodes, ccodes, levels = _encode_pair(rs, cs)
        missing = np.iinfo(np.uint32).max
        if (rcodes == missing).any() or (ccodes == missing).any():
            raise InvalidArgumentError(
                "sensitive_features: found missing values; fill them with an explicit level "
                "(e.g. 'unknown') or drop those rows"
            )
        group_arg = (gname, rcodes, ccodes, levels)
    options: dict[str, Any] = {
        "alpha": float(alpha),
        "correction": "none" if correction is None else correction,
        "drift_share": float(drift_share),
        "bins": int(bins),
        "binning": binning,
        "ks_method": ks_method,
        "tests": {str(c): _test_choice(str(c), s) for c, s in (tests or {}).items()},
    }
    if options["correction"] not in ("none", "bh", "bonferroni"):
        raise InvalidArgumentError(
            f"correction: expected 'bh', 'bonferroni' or None, found {correction!r}"
        )
    text = _core.drift_report(cols, pred_col, group_arg, json.dumps(options))
    return DriftReport(json.loads(text))


_FIELDS = [
    "kind", "test", "statistic", "p_value", "p_value_adjusted", "threshold", "drifted",
    "n_reference", "n_current", "missing_reference", "missing_current", "n_distinct",
    "selected_by",
]  # fmt: skip


class DriftReport(Report):
    """A drift report: per column, the test, statistic, p-value, threshold and verdict.

    Attributes
    ----------
    drift_share : float
        Share of drifted feature columns.
    dataset_drift : bool
        Whether ``drift_share`` reaches the ``drift_share`` option.
    columns : list of str
        The feature columns compared.
    prediction : dict or None
        Drift of the predictions.
    by_group : dict of str to DriftReport
        The report within each group of ``sensitive_features`` (groups that could not be
        compared are listed in ``warnings``).
    """

    _kind = "drift"

    def __init__(self, report: dict[str, Any], section: dict[str, Any] | None = None) -> None:
        self._report = report
        self._section = section if section is not None else report["overall"]

    @classmethod
    def from_json(cls, text: str) -> DriftReport:
        """A report from its JSON (``to_json()``)."""
        return cls(json.loads(text))

    @property
    def drift_share(self) -> float:
        share = self._section["drift_share"]
        return float("nan") if share is None else float(share)

    @property
    def dataset_drift(self) -> bool:
        return bool(self._section["dataset_drift"])

    @property
    def n_drifted(self) -> int:
        return int(self._section["n_drifted"])

    @property
    def columns(self) -> list[str]:
        return [c["column"] for c in self._section["columns"]]

    @property
    def drifted_columns(self) -> list[str]:
        return [c["column"] for c in self._section["columns"] if c["drifted"]]

    @property
    def prediction(self) -> dict[str, Any] | None:
        return self._section.get("prediction")

    @property
    def warnings(self) -> list[str]:
        return list(self._report.get("warnings", []))

    def column(self, name: str) -> dict[str, Any]:
        """The full entry of one column (bins, counts, test details)."""
        for c in self._section["columns"]:
            if c["column"] == name:
                return c
        p = self.prediction
        if p is not None and p["column"] == name:
            return p
        raise KeyError(name)

    @property
    def by_group(self) -> dict[str, DriftReport]:
        out = {}
        for level, g in self._report.get("by_group", {}).items():
            if g.get("section") is not None:
                out[level] = DriftReport(self._report, g["section"])
        return out

    def to_pandas(self, *, by_group: bool = False) -> pd.DataFrame:
        """One row per column (and the prediction, ``role="prediction"``); with
        ``by_group=True``, every group's rows too, indexed by ``(group, column)``."""

        def rows(section: dict[str, Any]) -> pd.DataFrame:
            entries = [(c, "feature") for c in section["columns"]]
            if section.get("prediction") is not None:
                entries.append((section["prediction"], "prediction"))
            frame = pd.DataFrame(
                [
                    {"column": c["column"], "role": role, **{k: c[k] for k in _FIELDS}}
                    for c, role in entries
                ],  # fmt: skip
                columns=["column", "role", *_FIELDS],
            )
            for k in ("statistic", "p_value", "p_value_adjusted"):
                frame[k] = frame[k].astype(float)
            if (frame["role"] == "feature").all():
                frame = frame.drop(columns="role")
            return frame.set_index("column")

        if not by_group:
            return rows(self._section)
        parts = {"(all)": rows(self._section)}
        parts.update({k: rows(v._section) for k, v in self.by_group.items()})
        return pd.concat(parts, names=["group", "column"])

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Statistic (or p-value) per column, red where drifted (needs matplotlib); see
        :func:`aequa.plot.drift_report`."""
        from aequa.plot.drift import drift_report

        return drift_report(self, ax, **kw)

    def _repr_html_(self) -> str:
        verdict = "drift" if self.dataset_drift else "no drift"
        head = (
            f"<p>Dataset: <b>{verdict}</b> — {self.n_drifted} of {len(self.columns)} columns "
            f"drifted (share {self.drift_share:.3g}, threshold "
            f"{self._report['params']['drift_share']}).</p>"
        )
        return head + super()._repr_html_()

    def __repr__(self) -> str:
        return (
            f"DriftReport({self.n_drifted}/{len(self.columns)} columns drifted, "
            f"dataset_drift={self.dataset_drift})"
        )
