"""The two-sample tests scipy has, under scipy's names, arguments and result fields
(``ks_2samp``, ``chisquare``, ``wasserstein_distance``, ``anderson_ksamp``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from aequa import _core
from aequa._core import InvalidArgumentError
from aequa._inputs import to_numpy


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
