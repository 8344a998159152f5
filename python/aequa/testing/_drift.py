"""``assert_no_drift``: the share of drifted columns against a threshold.

The tests and verdicts are :func:`aequa.drift.drift_report`'s; this module checks the
threshold and writes the message (every column's test, statistic, p-value and verdict).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from aequa._core import InvalidArgumentError
from aequa.drift import drift_report
from aequa.drift._frames import _frame
from aequa.testing._args import number
from aequa.testing._errors import DriftAssertionError
from aequa.testing._result import CheckResult, finish, fmt, table

__all__ = ["assert_no_drift"]


def assert_no_drift(
    reference: Any,
    current: Any,
    *,
    columns: list[str] | None = None,
    max_drift_share: float = 0.0,
    alpha: float = 0.05,
    stattest: str | Mapping[str, Any] | None = None,
    correction: str | None = "bh",
) -> CheckResult:
    """Assert that ``current`` has not drifted from ``reference``.

    Each column is tested as :func:`aequa.drift.drift_report` does (KS or chi-square for
    small samples, normed Wasserstein or Jensen–Shannon above 1000 rows, unless
    ``stattest`` says otherwise); the check fails when the share of drifted columns exceeds
    ``max_drift_share``.

    Parameters
    ----------
    reference, current : data frame or mapping of columns
    columns : list of str, optional
        The columns to compare (default: all).
    max_drift_share : float, default 0.0
        Largest share of drifted columns allowed, in [0, 1]; 0 means no column may drift.
    alpha : float, default 0.05
        Significance level of the p-value tests, in (0, 1).
    stattest : str or mapping, optional
        One test for every column (``"ks"``, ``"chisquare"``, ``"anderson"``,
        ``"wasserstein"``, ``"psi"``, ``"jensen_shannon"``) or a mapping per column, e.g.
        ``{"age": ("psi", 0.2)}`` (test, threshold).
    correction : {"bh", "bonferroni", None}, default "bh"
        Multiple-testing correction of the p-values.

    Returns
    -------
    CheckResult
        ``report`` is the :class:`aequa.drift.DriftReport`.

    Raises
    ------
    DriftAssertionError
        With the per-column table (test, statistic, p-value, threshold, verdict, sizes).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from aequa.testing import assert_no_drift
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=300)})
    >>> assert_no_drift(ref, pd.DataFrame({"x": rng.normal(size=300)})).passed
    True
    >>> assert_no_drift(ref, pd.DataFrame({"x": rng.normal(2, size=300)}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aequa.testing.DriftAssertionError: 1 of 1 columns drifted (share 1), above ...
    ...
    """
    share_limit = number(max_drift_share, "max_drift_share")
    if not 0.0 <= share_limit <= 1.0:
        raise InvalidArgumentError(
            f"max_drift_share: expected a share in [0, 1], found {share_limit:g}"
        )
    a = number(alpha, "alpha")
    if not 0.0 < a < 1.0:
        raise InvalidArgumentError(f"alpha: expected a value in (0, 1) such as 0.05, found {a:g}")
    tests: Mapping[str, Any] | None
    if stattest is None or isinstance(stattest, Mapping):
        tests = stattest
    elif isinstance(stattest, str):
        names = list(columns) if columns is not None else list(_frame(reference, "reference"))
        tests = {str(c): stattest for c in names}
    else:
        raise InvalidArgumentError(
            f"stattest: expected a test name or a mapping column -> test, found {stattest!r}"
        )
    rep = drift_report(
        reference, current, columns=columns, tests=tests, alpha=a, correction=correction
    )
    share = rep.drift_share
    frame = rep.to_pandas()
    n_ref = int(frame["n_reference"].max()) if len(frame) else 0
    n_cur = int(frame["n_current"].max()) if len(frame) else 0
    passed = not math.isnan(share) and share <= share_limit
    rows = [
        {
            "column": str(col),
            "test": r["test"],
            "statistic": float(r["statistic"]),
            "p_value": float(r["p_value"]),
            "p_value_adjusted": float(r["p_value_adjusted"]),
            "threshold": float(r["threshold"]),
            "drifted": bool(r["drifted"]),
            "n_reference": int(r["n_reference"]),
            "n_current": int(r["n_current"]),
        }
        for col, r in frame.iterrows()
    ]
    result = CheckResult(
        check="drift",
        name="drifted-column share",
        passed=passed,
        value=share,
        threshold=share_limit,
        operator="<=",
        n=n_cur,
        details={"columns": rows, "alpha": a, "correction": correction, "n_reference": n_ref},
        report=rep,
    )
    result.message = _message(rep, rows, share, share_limit, n_ref, n_cur, correction)
    return finish(result, DriftAssertionError)


def _message(
    rep: Any,
    rows: list[dict[str, Any]],
    share: float,
    limit: float,
    n_ref: int,
    n_cur: int,
    correction: str | None,
) -> str:
    n = len(rows)
    head = f"{rep.n_drifted} of {n} columns drifted (share {fmt(share)})"
    if math.isnan(share):
        head = f"no column could be compared (drift share undefined); max_drift_share={limit:g}"
    elif share > limit:
        head += f", above max_drift_share={limit:g} by {fmt(share - limit)}"
    else:
        head += f", within max_drift_share={limit:g}"
    lines = [head + "."]
    drifted = [r for r in rows if r["drifted"]]
    if drifted:
        parts = []
        for r in drifted:
            if math.isnan(r["p_value"]):
                parts.append(
                    f"{r['column']} ({r['test']} {fmt(r['statistic'])} >= {fmt(r['threshold'])})"
                )
            else:
                p = r["p_value_adjusted"] if not math.isnan(r["p_value_adjusted"]) else r["p_value"]
                parts.append(f"{r['column']} ({r['test']} p={fmt(p, 3)} < {fmt(r['threshold'])})")
        lines.append("Drifted: " + ", ".join(parts) + ".")
    lines.append(
        f"Data: reference {n_ref} rows, current {n_cur} rows; p-values corrected with "
        f"{correction or 'no correction'}."
    )
    lines.append("")
    header = ["column", "test", "statistic", "p-value", "adjusted", "threshold", "drifted"]

    def cell(v: float, digits: int = 4) -> str:
        return "-" if math.isnan(v) else fmt(v, digits)

    body = [
        [r["column"], r["test"], cell(r["statistic"]), cell(r["p_value"], 3),
         cell(r["p_value_adjusted"], 3), cell(r["threshold"]), "yes" if r["drifted"] else "no"]
        for r in rows
    ]  # fmt: skip
    lines.append(table(header, body))
    for w in rep.warnings:
        lines.append(f"Note: {w}.")
    return "\n".join(lines)
