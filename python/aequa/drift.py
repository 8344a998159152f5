"""Data drift: a reference sample against a current one, per column and over whole frames.

The tests scipy has keep scipy's names, arguments and result fields (``ks_2samp``,
``chisquare``, ``wasserstein_distance``, ``anderson_ksamp``; results with ``.statistic`` and
``.pvalue``) and its numbers to 1e-9. ``psi`` and ``jensen_shannon`` follow Evidently's
definitions, with the binning recorded in the result. ``drift_report`` runs a test per column
over pandas, polars or pyarrow frames, with the default test chosen by column type and size
(Evidently's rule), multiple-testing correction, prediction drift and drift by group.

Examples
--------
>>> import numpy as np
>>> from aequa import drift
>>> rng = np.random.default_rng(0)
>>> res = drift.ks_2samp(rng.normal(size=200), rng.normal(0.5, size=300))
>>> bool(res.pvalue < 0.05), res.statistic_sign
(True, 1)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core
from aequa._core import InvalidArgumentError
from aequa._inputs import _columns, level_label, to_numpy
from aequa.report import Report

__all__ = [
    "AndersonKsampResult",
    "BinnedResult",
    "DriftReport",
    "DriftSummary",
    "KstestResult",
    "Power_divergenceResult",
    "anderson_ksamp",
    "chisquare",
    "drift_report",
    "jensen_shannon",
    "ks_2samp",
    "psi",
    "wasserstein_distance",
]

DriftSummary = _core.DriftSummary

_TESTS = ("ks", "chisquare", "anderson", "wasserstein", "psi", "jensen_shannon")


def _floats(x: Any, argument: str) -> np.ndarray:
    arr = to_numpy(x, argument)
    if arr.dtype.kind not in "iufb":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"{argument}: expected numbers, found dtype {arr.dtype} (e.g. {arr[:3].tolist()!r})"
            ) from None
    return np.ascontiguousarray(arr, dtype=np.float64)


# ---------------------------------------------------------------- scipy's tests


@dataclass(frozen=True)
class KstestResult:
    """Result of :func:`ks_2samp` (scipy's ``KstestResult``; unpacks as ``(statistic,
    pvalue)``)."""

    statistic: float
    pvalue: float
    statistic_location: float
    statistic_sign: int
    method: str

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))


def ks_2samp(
    data1: Any, data2: Any, alternative: str = "two-sided", method: str = "auto"
) -> KstestResult:
    """Two-sample Kolmogorov-Smirnov test, as ``scipy.stats.ks_2samp``.

    Parameters
    ----------
    data1, data2 : array-like of numbers
        The two samples (finite values; drop missing values first).
    alternative : {"two-sided", "less", "greater"}, default "two-sided"
        ``"less"``: the CDF of ``data1`` lies below that of ``data2`` somewhere.
    method : {"auto", "exact", "asymp"}, default "auto"
        ``"auto"`` is exact when both samples have at most 10,000 observations.

    Returns
    -------
    KstestResult
        ``statistic``, ``pvalue``, ``statistic_location``, ``statistic_sign`` as scipy, and
        ``method``, the method the p-value was computed with (an exact computation that
        overflows falls back to ``"asymp"``, as scipy does).

    Examples
    --------
    >>> from aequa.drift import ks_2samp
    >>> r = ks_2samp([1, 2, 3, 4, 5], [2.5, 6, 7, 8])
    >>> r.statistic, round(r.pvalue, 6), r.statistic_location
    (0.75, 0.142857, 5.0)
    """
    s, p, loc, sign, used = _core.ks_2samp(
        _floats(data1, "data1"), _floats(data2, "data2"), alternative, method
    )
    return KstestResult(s, p, loc, int(sign), used)


@dataclass(frozen=True)
class Power_divergenceResult:  # noqa: N801 - scipy's name
    """Result of :func:`chisquare` (scipy's name; unpacks as ``(statistic, pvalue)``)."""

    statistic: float
    pvalue: float
    dof: float

    def __iter__(self) -> Iterator[float]:
        return iter((self.statistic, self.pvalue))


def chisquare(f_obs: Any, f_exp: Any = None, ddof: int = 0) -> Power_divergenceResult:
    """Pearson's chi-square goodness-of-fit test, as ``scipy.stats.chisquare``.

    Parameters
    ----------
    f_obs : array-like
        Observed counts per category.
    f_exp : array-like, optional
        Expected counts (same total as ``f_obs`` to a relative 1.5e-8); uniform if omitted.
    ddof : int, default 0
        Degrees of freedom are ``k - 1 - ddof``.

    Returns
    -------
    Power_divergenceResult
        ``statistic``, ``pvalue`` and ``dof``.

    Examples
    --------
    >>> from aequa.drift import chisquare
    >>> r = chisquare([16, 18, 16, 14, 12, 12])
    >>> float(r.statistic), round(r.pvalue, 6)
    (2.0, 0.849145)
    """
    exp = None if f_exp is None else _floats(f_exp, "f_exp")
    s, p, dof = _core.chisquare(_floats(f_obs, "f_obs"), exp, int(ddof))
    return Power_divergenceResult(s, p, dof)


def wasserstein_distance(
    u_values: Any, v_values: Any, u_weights: Any = None, v_weights: Any = None
) -> float:
    """First Wasserstein distance of two 1-D samples, as ``scipy.stats.wasserstein_distance``.

    Examples
    --------
    >>> from aequa.drift import wasserstein_distance
    >>> wasserstein_distance([0, 1, 3], [5, 6, 8])
    5.0
    >>> wasserstein_distance([0, 1], [0, 1], [3, 1], [2, 2])
    0.25
    """
    uw = None if u_weights is None else _floats(u_weights, "u_weights")
    vw = None if v_weights is None else _floats(v_weights, "v_weights")
    return _core.wasserstein_distance(
        _floats(u_values, "u_values"), _floats(v_values, "v_values"), uw, vw
    )


@dataclass(frozen=True)
class AndersonKsampResult:
    """Result of :func:`anderson_ksamp` (scipy's ``Anderson_ksampResult``; unpacks as
    ``(statistic, critical_values, pvalue)``)."""

    statistic: float
    critical_values: np.ndarray
    pvalue: float
    pvalue_bound: str | None = None

    @property
    def significance_level(self) -> float:
        """Alias of ``pvalue`` (scipy's older name)."""
        return self.pvalue

    def __iter__(self) -> Iterator[Any]:
        return iter((self.statistic, self.critical_values, self.pvalue))


def anderson_ksamp(samples: Any, midrank: bool = True) -> AndersonKsampResult:
    """k-sample Anderson-Darling test, as ``scipy.stats.anderson_ksamp``.

    Parameters
    ----------
    samples : sequence of array-like
        Two or more samples.
    midrank : bool, default True
        The midrank statistic (for continuous and discrete data); ``False`` uses the
        right-continuous empirical distribution.

    Returns
    -------
    AndersonKsampResult
        ``statistic`` (standardised), ``critical_values`` at 25%, 10%, 5%, 2.5%, 1%, 0.5%,
        0.1%, and ``pvalue`` interpolated from them, capped at 0.25 and floored at 0.001
        (``pvalue_bound`` says which, where scipy warns).

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.drift import anderson_ksamp
    >>> rng = np.random.default_rng(1)
    >>> r = anderson_ksamp([rng.normal(size=50), rng.normal(2, size=30)])
    >>> r.pvalue, r.pvalue_bound
    (0.001, 'floored')
    """
    if isinstance(samples, np.ndarray) and samples.ndim == 2:
        samples = list(samples)
    arrays = [_floats(s, f"samples[{i}]") for i, s in enumerate(samples)]
    s, crit, p, bound = _core.anderson_ksamp(arrays, bool(midrank))
    return AndersonKsampResult(s, np.asarray(crit), p, bound)


# ---------------------------------------------------------------- PSI and Jensen-Shannon


@dataclass(frozen=True)
class BinnedResult:
    """PSI or Jensen-Shannon distance, with the bins it compared.

    ``bins`` is ``{"kind": "edges", "method": "quantile" | "sturges", "edges": [...]}`` or
    ``{"kind": "categories", "categories": [...]}``; ``details`` holds the counts per bin
    and, for PSI, the floors applied to empty bins.
    """

    statistic: float
    bins: dict[str, Any]
    reference_counts: list[float]
    current_counts: list[float]
    details: dict[str, Any] = field(default_factory=dict)


def _one_column(reference: Any, current: Any, test: str, options: dict[str, Any]) -> dict[str, Any]:
    ref = _Col.of("reference", reference)
    cur = _Col.of("current", current)
    col = _pair("x", ref, cur)
    opts = {**options, "tests": {"x": {"test": test}}}
    report = json.loads(_core.drift_report([col], None, None, json.dumps(opts)))
    return report["overall"]["columns"][0]


def _binned(entry: dict[str, Any]) -> BinnedResult:
    d = entry["details"]
    return BinnedResult(
        statistic=entry["statistic"],
        bins=entry["bins"],
        reference_counts=d["reference_counts"],
        current_counts=d["current_counts"],
        details={k: v for k, v in d.items() if not k.endswith("_counts")},
    )


def psi(
    reference: Any,
    current: Any,
    *,
    bins: int = 10,
    binning: str = "quantile",
    floor: float | None = None,
) -> BinnedResult:
    """Population Stability Index of ``current`` against ``reference`` (Evidently's).

    ``PSI = Σ (r_i - c_i) ln(r_i / c_i)`` over bin shares ``r_i``, ``c_i``; empty bins take a
    floor. Numeric samples use ``bins`` quantile bins of the reference (open outer bins), or
    Evidently's Sturges bins of both samples with ``binning="sturges"``; a numeric reference
    with at most 20 distinct values, and text or categorical data, get one bin per value.

    Parameters
    ----------
    reference, current : array-like
        The two samples (numbers, or text / categories). Missing values are dropped.
    bins : int, default 10
        Quantile bins of the reference.
    binning : {"quantile", "sturges"}, default "quantile"
    floor : float, optional
        Share given to empty bins; by default Evidently's (1e-4, or the smallest non-zero
        share / 1e6 when that is at most 1e-4).

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.drift import psi
    >>> rng = np.random.default_rng(0)
    >>> r = psi(rng.normal(size=5000), rng.normal(0.5, size=5000))
    >>> round(r.statistic, 3), r.bins["method"], len(r.bins["edges"])
    (0.266, 'quantile', 11)
    """
    options: dict[str, Any] = {"bins": int(bins), "binning": binning}
    if floor is not None:
        options["floor"] = {"fixed": float(floor)}
    return _binned(_one_column(reference, current, "psi", options))


def jensen_shannon(
    reference: Any,
    current: Any,
    *,
    bins: int = 10,
    binning: str = "quantile",
    base: float | None = None,
) -> BinnedResult:
    """Jensen-Shannon distance between the binned samples (scipy's ``jensenshannon`` on
    Evidently's shares; natural logarithm unless ``base`` is given).

    Bins as in :func:`psi`; no floor is applied.

    Examples
    --------
    >>> from aequa.drift import jensen_shannon
    >>> r = jensen_shannon(["a", "a", "b"], ["a", "b", "b"], base=2)
    >>> round(r.statistic, 6), r.bins["categories"]
    (0.285839, ['a', 'b'])
    """
    options: dict[str, Any] = {"bins": int(bins), "binning": binning}
    if base is not None:
        options["js_base"] = float(base)
    return _binned(_one_column(reference, current, "jensen_shannon", options))


# ---------------------------------------------------------------- frames


@dataclass
class _Col:
    """One side of a column: float64 values, or text / categorical values."""

    argument: str
    numeric: np.ndarray | None
    values: Any  # pandas Series for non-numeric data
    dtype: str

    @classmethod
    def of(cls, argument: str, x: Any) -> _Col:
        module = type(x).__module__.split(".")[0]
        if module in ("polars", "pyarrow"):
            from aequa._inputs import _as_series

            x = _as_series(x)
        if not isinstance(x, pd.Series):
            arr = np.asarray(x)
            if arr.ndim != 1:
                raise InvalidArgumentError(
                    f"{argument}: expected a 1-D column, found shape {arr.shape}"
                )
            x = pd.Series(arr)
        dtype = x.dtype
        if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            return cls(argument, None, x, str(dtype))
        if pd.api.types.is_numeric_dtype(dtype):
            if isinstance(dtype, np.dtype) and dtype.kind == "f":
                arr = x.to_numpy()  # NaN is already NaN: no copy for float64
            else:
                arr = x.to_numpy(dtype=np.float64, na_value=np.nan)
            return cls(argument, np.ascontiguousarray(arr, dtype=np.float64), None, str(dtype))
        if pd.api.types.is_object_dtype(dtype):
            nonnull = x.dropna()
            if len(nonnull) and all(
                isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
                for v in nonnull.iloc[:1000]
            ):
                arr = pd.to_numeric(x, errors="coerce").to_numpy(dtype=np.float64)
                return cls(argument, arr, None, "object (numbers)")
        return cls(argument, None, x, str(dtype))

    @property
    def kind(self) -> str:
        return "numeric" if self.numeric is not None else "categorical"


def _pair(name: str, ref: _Col, cur: _Col) -> tuple[str, Any, Any, list[str] | None]:
    if ref.kind != cur.kind:
        raise InvalidArgumentError(
            f"column '{name}': {ref.kind} in the reference (dtype {ref.dtype}) but "
            f"{cur.kind} in the current data (dtype {cur.dtype}); convert one so both match"
        )
    if ref.numeric is not None and cur.numeric is not None:
        return name, ref.numeric, cur.numeric, None
    rcodes, ccodes, levels = _encode_pair(ref.values, cur.values)
    return name, rcodes, ccodes, levels


def _encode_pair(ref: pd.Series, cur: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Codes of both samples over the sorted union of their values (missing = 2**32 - 1)."""
    missing = np.uint32(np.iinfo(np.uint32).max)
    if isinstance(ref.dtype, pd.CategoricalDtype) and isinstance(cur.dtype, pd.CategoricalDtype):
        values = list(dict.fromkeys([*ref.cat.categories, *cur.cat.categories]))
        try:
            ordered = sorted(values)
        except TypeError:
            ordered = sorted(values, key=str)
        index = {v: i for i, v in enumerate(ordered)}

        def remap(s: pd.Series) -> np.ndarray:
            table = np.array([index[v] for v in s.cat.categories] + [missing], dtype=np.uint32)
            return table[s.cat.codes.to_numpy()]  # code -1 picks the last entry: missing

        return remap(ref), remap(cur), [level_label(v) for v in ordered]
    arrow = _encode_arrow_pair(ref, cur)
    if arrow is not None:
        return arrow
    both = pd.concat([ref.reset_index(drop=True), cur.reset_index(drop=True)], ignore_index=True)
    try:
        codes, uniques = pd.factorize(both, sort=True)
    except TypeError:
        codes, uniques = pd.factorize(both.astype(str), sort=True)
    codes = np.where(codes < 0, missing, codes).astype(np.uint32)
    n = len(ref)
    levels = [level_label(v) for v in list(uniques)]
    return codes[:n], codes[n:], levels


def _encode_arrow_pair(
    ref: pd.Series, cur: pd.Series
) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """Arrow-backed text (pandas' default strings, polars, pyarrow): dictionary-encode each
    side in Arrow, then map both onto the sorted union of the (few) levels."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = []
        for s in (ref, cur):
            to_arrow = getattr(s.array, "__arrow_array__", None)
            if to_arrow is None:
                return None
            arr = to_arrow()
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            encoded.append(pc.dictionary_encode(arr))
        dicts = [e.dictionary.to_pylist() for e in encoded]
        levels = sorted(set(dicts[0]) | set(dicts[1]))
    except Exception:  # a type Arrow or sorting cannot handle: use pandas instead
        return None
    index = {v: i for i, v in enumerate(levels)}
    missing = np.iinfo(np.uint32).max
    out = []
    for e, d in zip(encoded, dicts):
        table = np.array([index[v] for v in d] + [missing], dtype=np.uint32)
        idx = e.indices.fill_null(len(d)).to_numpy(zero_copy_only=False)
        out.append(table[idx])
    return out[0], out[1], [level_label(v) for v in levels]


def _frame(x: Any, argument: str) -> dict[str, Any]:
    if x is None:
        raise InvalidArgumentError(f"{argument}: expected a data frame, found None")
    if isinstance(x, np.ndarray) and x.ndim == 1:
        x = x.reshape(-1, 1)
    cols = _columns(x, "x", argument)
    return dict(cols)


def _convert_columns(names: list[Any], ref: dict[str, Any], cur: dict[str, Any]) -> list[Any]:
    """Columns to core inputs, two at a time: Arrow's and pandas' encoders release the GIL."""

    def one(n: Any) -> Any:
        return _pair(n, _Col.of(f"reference['{n}']", ref[n]), _Col.of(f"current['{n}']", cur[n]))

    if len(names) < 4:
        return [one(n) for n in names]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return list(pool.map(one, names))


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
