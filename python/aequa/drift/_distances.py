"""PSI and the Jensen-Shannon distance of one column, Evidently's definitions, with the bins
recorded in the result."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aequa import _core
from aequa.drift._frames import _Col, _pair


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
