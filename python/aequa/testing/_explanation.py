"""``assert_explanation_stable``: feature rankings across seeds and data resamples.

Each run explains the rows with an :mod:`aequa.explain` explainer (a fresh seed, and with
``resample`` a bootstrap sample of the rows); the global importance of a feature is its mean
absolute attribution. The check compares each run's ranking with the first run's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from aequa._core import InvalidArgumentError
from aequa.testing._args import exactly_one, number
from aequa.testing._errors import ExplanationAssertionError
from aequa.testing._result import CheckResult, finish, fmt, resolve_seed, table

__all__ = ["assert_explanation_stable"]

_METHODS = ("permutation", "kernel", "exact", "tree", "linear")
_RESAMPLE = ("seeds", "rows", "both")


def _explain(method: str, model: Any, background: Any, X: Any, seed: int) -> Any:
    from aequa import explain

    if method == "permutation":
        return explain.PermutationExplainer(model, background, random_state=seed)(X)
    if method == "kernel":
        return explain.KernelExplainer(model, background, random_state=seed)(X)
    if method == "exact":
        return explain.ExactExplainer(model, background)(X)
    if method == "tree":
        return explain.TreeExplainer(model, background)(X)
    return explain.LinearExplainer(model, background)(X)


def _importance(explanation: Any) -> pd.Series:
    values = np.abs(np.asarray(explanation.values, dtype=np.float64))
    mean = values.mean(axis=0)
    if mean.ndim == 2:  # several outputs: average over them
        mean = mean.mean(axis=1)
    return pd.Series(mean, index=explanation.feature_names)


def _ranks(importance: pd.Series) -> pd.Series:
    return importance.rank(ascending=False, method="min").astype(int)


def _spearman(a: pd.Series, b: pd.Series) -> float:
    ra = a.rank().to_numpy(dtype=np.float64)
    rb = b.rank().to_numpy(dtype=np.float64)
    if ra.std() == 0 or rb.std() == 0:
        return 1.0 if np.array_equal(ra, rb) else math.nan
    return float(np.corrcoef(ra, rb)[0, 1])


def _take(X: Any, rows: np.ndarray) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    return np.asarray(X)[rows]


def assert_explanation_stable(
    model: Any,
    X: Any,
    *,
    background: Any = None,
    method: str = "permutation",
    top_k: int = 5,
    max_rank_change: int | None = None,
    min_rank_correlation: float | None = None,
    n_runs: int = 5,
    resample: str = "both",
    max_background: int = 100,
    random_state: int | None = None,
) -> CheckResult:
    """Assert that the model's most important features do not change from run to run.

    Run 0 explains ``X`` as given; runs 1..``n_runs``-1 use a new seed (``resample="seeds"``),
    a bootstrap sample of the rows (``"rows"``), or both. A feature's importance is its mean
    absolute attribution; features are ranked 1 (most important) onwards.

    Parameters
    ----------
    model : estimator, NativeModel or callable
    X : array-like or DataFrame
        Rows to explain.
    background : array-like or DataFrame, optional
        Background data of the explainer (default: ``X``, at most ``max_background`` rows
        drawn with the seed). ``method="tree"`` with ``None`` uses path-dependent TreeSHAP.
    method : {"permutation", "kernel", "exact", "tree", "linear"}
        The :mod:`aequa.explain` explainer.
    top_k : int, default 5
        The features of run 0's top ``top_k`` whose rank changes are checked.
    max_rank_change, min_rank_correlation : optional
        Exactly one: the largest rank change of a top-``top_k`` feature in any run (an
        integer >= 0), or the smallest Spearman correlation of all importances between run
        0 and any run (in [-1, 1]).
    n_runs : int, default 5
        Runs, including run 0 (at least 2).
    resample : {"both", "seeds", "rows"}
    max_background : int, default 100
    random_state : int, optional
        Seed of everything random; ``None`` draws one (recorded).

    Returns
    -------
    CheckResult
        ``report`` is run 0's :class:`aequa.explain.Explanation`; ``details`` has every
        run's importances and ranks.

    Raises
    ------
    ExplanationAssertionError
        With each top feature's rank in every run and the largest change.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.testing import assert_explanation_stable
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> model = lambda A: 3 * A[:, 0] + A[:, 1] + 0.1 * A[:, 2]
    >>> r = assert_explanation_stable(model, X, method="exact", top_k=2, max_rank_change=0,
    ...                               random_state=0)
    >>> r.passed, r.details["reference_ranks"]
    (True, {'Feature 0': 1, 'Feature 1': 2, 'Feature 2': 3})
    """
    if method not in _METHODS:
        raise InvalidArgumentError(
            f"method: expected one of {', '.join(map(repr, _METHODS))}, found {method!r}"
        )
    if resample not in _RESAMPLE:
        raise InvalidArgumentError(
            f"resample: expected one of {', '.join(map(repr, _RESAMPLE))}, found {resample!r}"
        )
    for arg, v, lo in (("top_k", top_k, 1), ("n_runs", n_runs, 2), ("max_background",
                       max_background, 1)):  # fmt: skip
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise InvalidArgumentError(f"{arg}: expected an integer >= {lo}, found {v!r}")
    exactly_one(max_rank_change=max_rank_change, min_rank_correlation=min_rank_correlation)
    if max_rank_change is not None and (
        isinstance(max_rank_change, bool)
        or not isinstance(max_rank_change, (int, np.integer))
        or max_rank_change < 0
    ):
        raise InvalidArgumentError(
            f"max_rank_change: expected an integer >= 0, found {max_rank_change!r}"
        )
    if min_rank_correlation is not None:
        c = number(min_rank_correlation, "min_rank_correlation")
        if not -1.0 <= c <= 1.0:
            raise InvalidArgumentError(
                f"min_rank_correlation: expected a value in [-1, 1], found {c:g}"
            )
    seed = resolve_seed(random_state)
    rng = np.random.default_rng(seed)
    n = int(getattr(X, "shape", (len(X),))[0])
    if background is None and method != "tree":
        rows = np.arange(n) if n <= max_background else rng.choice(n, max_background, False)
        background = _take(X, np.sort(rows))
    seeds = [int(s) for s in rng.integers(0, 2**32, size=n_runs, dtype=np.uint64)]
    importances, ranks, explanations = [], [], []
    for i in range(n_runs):
        rows_i = np.arange(n)
        if i > 0 and resample in ("rows", "both"):
            rows_i = np.sort(rng.integers(0, n, size=n))
        run_seed = seeds[0] if i > 0 and resample == "rows" else seeds[i]
        e = _explain(method, model, background, _take(X, rows_i), run_seed)
        explanations.append(e)
        importances.append(_importance(e))
        ranks.append(_ranks(importances[-1]))
    ref_imp, ref_rank = importances[0], ranks[0]
    top = list(ref_rank.sort_values(kind="stable").index[:top_k])
    changes = {f: max(abs(int(r[f]) - int(ref_rank[f])) for r in ranks[1:]) for f in top}
    correlations = [_spearman(ref_imp, imp) for imp in importances[1:]]
    if max_rank_change is not None:
        worst_f = max(top, key=lambda f: changes[f])
        value, thr, op = float(changes[worst_f]), float(max_rank_change), "<="
        passed = value <= thr
    else:
        value = min(correlations, key=lambda c: -math.inf if math.isnan(c) else c)
        thr, op = float(c), ">="
        passed = not math.isnan(value) and value >= thr
    result = CheckResult(
        check="explanation",
        name=f"{method} rank " + ("change" if op == "<=" else "correlation"),
        passed=passed,
        value=value,
        threshold=thr,
        operator=op,
        n=n,
        seed=seed,
        details={
            "method": method,
            "resample": resample,
            "n_runs": n_runs,
            "top_k": top_k,
            "reference_ranks": {str(k): int(v) for k, v in ref_rank.items()},
            "importances": [{str(k): float(v) for k, v in imp.items()} for imp in importances],
            "ranks": [{str(k): int(v) for k, v in r.items()} for r in ranks],
            "rank_changes": {str(k): int(v) for k, v in changes.items()},
            "rank_correlations": correlations,
        },  # fmt: skip
        report=explanations[0],
    )
    bg_rows = None if background is None else int(getattr(background, "shape", (0,))[0])
    result.message = _message(result, top, ranks, importances, changes, correlations, bg_rows)
    return finish(result, ExplanationAssertionError)


def _message(
    result: CheckResult,
    top: list[str],
    ranks: list[pd.Series],
    importances: list[pd.Series],
    changes: dict[str, int],
    correlations: list[float],
    bg_rows: int | None,
) -> str:
    d = result.details
    if result.operator == "<=":
        worst = max(top, key=lambda f: changes[f])
        head = (
            f"feature {worst!r} (rank {int(ranks[0][worst])} in run 0) moved by "
            f"{changes[worst]} rank(s) across {d['n_runs']} runs"
        )
        if result.passed:
            head += f", within max_rank_change={result.threshold:g}"
        else:
            head += (
                f", above max_rank_change={result.threshold:g} by "
                f"{fmt(result.value - result.threshold)}"
            )
        moved = [f for f in top if changes[f] > result.threshold]
        extra = f"Top-{d['top_k']} features past the limit: {', '.join(moved)}." if moved else ""
    else:
        head = (
            f"Spearman rank correlation of importances with run 0 is {fmt(result.value)} at worst"
        )
        if result.passed:
            head += f", within min_rank_correlation={result.threshold:g}"
        else:
            head += (
                f", below min_rank_correlation={result.threshold:g} by "
                f"{fmt(result.threshold - result.value)}"
            )
        extra = "Correlation per run: " + ", ".join(fmt(c) for c in correlations) + "."
    lines = [head + "."]
    if extra:
        lines.append(extra)
    lines.append(
        f"Data: {result.n} rows explained, method {d['method']}, background "
        + (f"{bg_rows} rows" if bg_rows is not None else "the trees' cover")
        + f", {d['n_runs']} runs varying {d['resample']} (random_state={result.seed})."
    )
    lines.append("")
    shown = list(ranks[0].sort_values(kind="stable").index[: max(d["top_k"], 1) + 2])
    header = ["feature", "importance", *[f"rank run {i}" for i in range(len(ranks))], "change"]
    body = []
    for f in shown:
        change = changes.get(f)
        body.append(
            [str(f), fmt(importances[0][f]), *[str(int(r[f])) for r in ranks],
             "-" if change is None else str(change)]
        )  # fmt: skip
    lines.append(table(header, body))
    return "\n".join(lines)
