"""``assert_robust``: prediction flip rates under random noise against a limit per budget.

The flip rates are :func:`aequa.robust.noise_stability`'s (overall, per feature, per
sensitive group); this module checks the limits and writes the message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from aequa._core import InvalidArgumentError
from aequa.robust import noise_stability
from aequa.testing._args import exactly_one, number
from aequa.testing._errors import RobustnessAssertionError
from aequa.testing._result import CheckResult, finish, fmt, resolve_seed, table

__all__ = ["assert_robust"]


def _limits(value: Any, argument: str, n: int) -> list[float]:
    values = list(value) if isinstance(value, (Sequence, np.ndarray)) else [value] * n
    if len(values) != n:
        raise InvalidArgumentError(
            f"{argument}: expected one number or one per budget ({n}), found {len(values)}"
        )
    out = [number(v, argument) for v in values]
    for v in out:
        if not 0.0 <= v <= 1.0:
            raise InvalidArgumentError(f"{argument}: expected values in [0, 1], found {v:g}")
    return out


def assert_robust(
    model: Any,
    X: Any,
    *,
    budgets: Sequence[float] = (0.05, 0.1),
    max_flip_rate: float | Sequence[float] | None = None,
    min_stability: float | Sequence[float] | None = None,
    sensitive_features: Any = None,
    n_repeats: int = 10,
    noise: str = "gaussian",
    threshold: float | None = None,
    random_state: int | None = None,
) -> CheckResult:
    """Assert that predictions rarely change under small random noise.

    A noisy copy of a row adds ``budget`` × each feature's standard deviation × a random
    draw (:func:`aequa.robust.noise_stability`); the *flip rate* is the share of noisy
    copies whose predicted label changes and the *stability* is ``1 - flip rate``.

    Parameters
    ----------
    model : estimator, NativeModel or callable
    X : array-like or DataFrame
    budgets : sequence of float, default (0.05, 0.1)
        Noise scales, in units of each feature's spread.
    max_flip_rate, min_stability : float or sequence of float
        Exactly one: the limit at every budget, or one limit per budget, in [0, 1].
    sensitive_features : array-like, optional
        Apply the same limit within every group as well (no group may be more fragile).
    n_repeats : int, default 10
        Noisy copies per row and budget.
    noise : {"gaussian", "uniform"}
    threshold : float, optional
        Label threshold of single-output models (default 0.5).
    random_state : int, optional
        Seed of the noise; ``None`` draws one (recorded in the result and the message).

    Returns
    -------
    CheckResult
        ``report`` is the :class:`aequa.robust.NoiseStabilityReport`.

    Raises
    ------
    RobustnessAssertionError
        With the flip rate per budget (and group), the limit, the most sensitive features.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.testing import assert_robust
    >>> X = np.random.default_rng(0).normal(size=(200, 2))
    >>> model = lambda A: (A[:, 0] > 0).astype(float)
    >>> assert_robust(model, X, budgets=[0.01], max_flip_rate=0.05, random_state=0).passed
    True
    >>> assert_robust(model, X, budgets=[1.0], max_flip_rate=0.05,
    ...               random_state=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    aequa.testing.RobustnessAssertionError: flip rate at budget 1 is ..., above max_flip_rate=...
    ...
    """
    limit_name, raw = exactly_one(max_flip_rate=max_flip_rate, min_stability=min_stability)
    budget_list = [float(b) for b in np.atleast_1d(np.asarray(budgets, dtype=np.float64))]
    limits = _limits(raw, limit_name, len(budget_list))
    seed = resolve_seed(random_state)
    rep = noise_stability(
        model,
        X,
        budgets=budget_list,
        noise=noise,
        n_repeats=n_repeats,
        sensitive_features=sensitive_features,
        threshold=threshold,
        random_state=seed,
    )
    as_stability = limit_name == "min_stability"
    units: list[dict[str, Any]] = []
    for i, (b, lim) in enumerate(zip(budget_list, limits)):
        units.append(_unit(b, None, float(rep.flip_rate[i]), lim, as_stability))
    groups = rep.by_group
    sens_names = [s["name"] for s in rep.report["sensitive"]]
    if groups is not None:
        for _, row in groups.iterrows():
            lim = limits[budget_list.index(float(row["budget"]))]
            label = " / ".join(str(row[s]) for s in sens_names)
            units.append(_unit(float(row["budget"]), label, float(row["flip_rate"]), lim,
                               as_stability, int(row["rows"])))  # fmt: skip
    broken = [u for u in units if u["violated"]]
    worst = max(broken or units, key=lambda u: math.inf if math.isnan(u["value"]) else u["excess"])
    n = int(rep.report["params"].get("rows", 0)) or _rows(X)
    result = CheckResult(
        check="robustness",
        name=("stability" if as_stability else "flip rate") + " under noise",
        passed=not broken,
        value=worst["value"],
        threshold=worst["threshold"],
        operator=">=" if as_stability else "<=",
        n=n,
        seed=seed,
        details={
            "budgets": budget_list,
            "limit": limit_name,
            "limits": limits,
            "n_repeats": int(n_repeats),
            "noise": noise,
            "units": units,
        },  # fmt: skip
        report=rep,
    )
    result.message = _message(rep, units, worst, limit_name, n, n_repeats, noise, seed)
    return finish(result, RobustnessAssertionError)


def _rows(X: Any) -> int:
    return int(getattr(X, "shape", (len(X),))[0])


def _unit(
    budget: float, group: str | None, flip: float, lim: float, as_stability: bool, rows: int = 0
) -> dict[str, Any]:
    value = 1.0 - flip if as_stability else flip
    excess = lim - value if as_stability else value - lim
    return {"budget": budget, "group": group, "rows": rows, "value": value, "threshold": lim,
            "excess": excess, "violated": math.isnan(value) or excess > 0}  # fmt: skip


def _message(
    rep: Any,
    units: list[dict[str, Any]],
    worst: dict[str, Any],
    limit_name: str,
    n: int,
    n_repeats: int,
    noise: str,
    seed: int,
) -> str:
    what = "stability" if limit_name == "min_stability" else "flip rate"
    side = "below" if limit_name == "min_stability" else "above"
    where = f" in group {worst['group']}" if worst["group"] is not None else ""
    head = f"{what} at budget {worst['budget']:g}{where} is {fmt(worst['value'])}"
    if worst["violated"]:
        head += f", {side} {limit_name}={worst['threshold']:g} by {fmt(worst['excess'])}"
    else:
        head += f", within {limit_name}={worst['threshold']:g}"
    lines = [head + "."]
    broken_groups = [u for u in units if u["group"] is not None and u["violated"]]
    if broken_groups:
        lines.append(
            "Groups past the limit: "
            + "; ".join(
                f"{u['group']} at budget {u['budget']:g}: {fmt(u['value'])} ({u['rows']} rows)"
                for u in broken_groups
            )
            + "."
        )
    ff = rep.feature_flip_rate
    if len(ff):
        col = f"budget={worst['budget']:g}"
        if col in ff.columns:
            top = ff[col].sort_values(ascending=False).head(3)
            lines.append(
                f"Most sensitive features at budget {worst['budget']:g} (flip rate when only "
                "that feature is perturbed): "
                + ", ".join(f"{k} {fmt(v)}" for k, v in top.items())
                + "."
            )
    lines.append(
        f"Data: {n} rows, {n_repeats} noisy copies per row and budget ({noise} noise, "
        f"random_state={seed})."
    )
    lines.append("")
    header = ["budget", "group", "rows", what, limit_name, ""]
    body = [
        [f"{u['budget']:g}", "(all)" if u["group"] is None else u["group"],
         str(u["rows"] or n), fmt(u["value"]), f"{u['threshold']:g}",
         f"<- {side} by {fmt(u['excess'])}" if u["violated"] else ""]
        for u in units
    ]  # fmt: skip
    lines.append(table(header, body))
    for w in rep.warnings:
        lines.append(f"Note: {w}.")
    return "\n".join(lines)
