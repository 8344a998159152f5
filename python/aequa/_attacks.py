"""Adversarial attacks behind :mod:`aequa.robust` (which re-exports the public names):
FGSM, PGD and the exact minimal perturbation of native linear models, and the decision-based
HopSkipJump attack, with their report class and argument conversion."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core
from aequa._core import InvalidArgumentError
from aequa._robust_common import _arr, _budgets, _num, _threshold
from aequa.explain._inspect_common import _column_index, _matrix, _resolve, _seed
from aequa.report import Report


class AttackReport(Report):
    """Result of an adversarial attack.

    Attributes
    ----------
    x_adv : ndarray of shape (n_samples, n_features)
        Adversarial rows (the original row where the attack failed).
    success : ndarray of bool
        Per row: the label of ``x_adv`` differs from the original label.
    attacked : ndarray of bool
        Per row: the row was attacked (originally correct when ``y`` is given).
    perturbation_norm : ndarray
        Per row: norm of ``x_adv - x`` (NaN where the attack failed).
    success_rate, median_perturbation, median_relative_perturbation : float
    robust_accuracy : ndarray
        Per budget in ``budgets``: fraction of rows correct and not broken within it.
    target_label : ndarray of int or None
        Targeted attacks: the class index each row had to reach.
    queries : int
        Rows the model evaluated.
    model_calls : int
    elapsed_seconds : float
    """

    _kind = "attack"

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.x_adv = np.asarray(report["x_adv"], dtype=np.float64)
        self.success = np.asarray(report["success"], dtype=bool)
        self.attacked = np.asarray(report["attacked"], dtype=bool)
        self.perturbation_norm = _arr(report["perturbation_norm"])
        self.original_label = np.asarray(report["original_label"], dtype=np.int64)
        self.adversarial_label = np.asarray(report["adversarial_label"], dtype=np.int64)
        self.success_rate = _num(report["success_rate"])
        self.median_perturbation = _num(report["median_perturbation"])
        self.median_relative_perturbation = _num(report["median_relative_perturbation"])
        self.budgets = np.asarray(report["budgets"], dtype=np.float64)
        self.robust_accuracy = _arr(report["robust_accuracy"])
        self.queries = int(report["rows_evaluated"])
        self.model_calls = int(report["model_calls"])
        self.elapsed_seconds = report["elapsed_seconds"]
        target = report.get("target_label")
        self.target_label = None if target is None else np.asarray(target, dtype=np.int64)

    def to_pandas(self) -> pd.DataFrame:
        """One row per input row: attacked, success, labels and perturbation norm."""
        frame = pd.DataFrame(
            {
                "attacked": self.attacked,
                "success": self.success,
                "original_label": self.original_label,
                "adversarial_label": self.adversarial_label,
                "perturbation_norm": self.perturbation_norm,
            }
        )
        if self.target_label is not None:
            frame.insert(2, "target_label", self.target_label)
        return frame

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Robust accuracy by budget, or perturbation sizes (needs matplotlib); see
        :func:`aequa.plot.attack`."""
        from aequa.plot.robust import attack

        return attack(self, ax, **kw)


def _norm(norm: Any) -> str:
    if norm in (2, "2", "l2", "L2"):
        return "l2"
    if norm in ("inf", "linf", np.inf, float("inf")):
        return "linf"
    raise InvalidArgumentError(f"norm: expected 2 or 'inf', found {norm!r}")


def _constraints(constraints: Any, names: list[str]) -> dict[str, Any]:
    """Constraints as the core's JSON: columns by name or index; ``bounds`` maps a column to
    ``(lower, upper)`` (None for open)."""
    if constraints is None:
        return {}
    if not isinstance(constraints, dict):
        raise InvalidArgumentError(
            "constraints: expected a dict with keys immutable, bounds, integer, one_hot"
        )
    known = {"immutable", "bounds", "integer", "one_hot"}
    extra = set(constraints) - known
    if extra:
        raise InvalidArgumentError(
            f"constraints: unknown key(s) {sorted(extra)}; expected some of {sorted(known)}"
        )
    out: dict[str, Any] = {}

    def cols(v: Any) -> list[int]:
        return [_column_index(c, names, "constraints") for c in v]

    out["immutable"] = cols(constraints.get("immutable", []))
    out["integer"] = cols(constraints.get("integer", []))
    out["one_hot"] = [cols(g) for g in constraints.get("one_hot", [])]
    bounds = constraints.get("bounds")
    if bounds:
        lower: list[float | None] = [None] * len(names)
        upper: list[float | None] = [None] * len(names)
        for c, (lo, hi) in bounds.items():
            j = _column_index(c, names, "constraints")
            lower[j] = None if lo is None else float(lo)
            upper[j] = None if hi is None else float(hi)
        out["lower"], out["upper"] = lower, upper
    return out


def _linear_model(coef: Any, intercept: Any, link: str = "logistic") -> Any:
    """A native linear model from coefficients (scores x features) and intercepts."""
    c = np.asarray(coef, dtype=np.float64)
    b = np.asarray(intercept, dtype=np.float64)
    spec = {
        "kind": "linear",
        "coef": {"v": 1, "dim": list(c.shape), "data": c.ravel().tolist()},
        "intercept": {"v": 1, "dim": list(b.shape), "data": b.tolist()},
        "link": link,
    }
    return _core.NativeModel(json.dumps(spec))


def _native_linear(model: Any) -> Any:
    if isinstance(model, _core.NativeModel):
        return model
    from aequa.explain import to_native

    try:
        # A classifier's probability form carries its link (logistic / softmax), which the
        # attacks need to label rows and to differentiate the loss.
        if hasattr(model, "predict_proba"):
            return to_native(model, output="probability")
        return to_native(model)
    except (TypeError, ValueError, NotImplementedError) as exc:
        raise InvalidArgumentError(
            f"model: expected a native linear/logistic model or an estimator aequa converts "
            f"to one ({exc})"
        ) from exc


def _class_indices(model: Any, y: Any, n: int, name: str = "y") -> np.ndarray | None:
    if y is None:
        return None
    ya = np.asarray(y)
    if ya.shape != (n,):
        raise InvalidArgumentError(f"{name}: expected {n} labels, found shape {ya.shape}")
    classes = getattr(model, "classes_", None)
    if classes is not None:
        pos = np.searchsorted(classes, ya)
        if np.any(pos >= len(classes)) or np.any(np.asarray(classes)[pos] != ya):
            raise InvalidArgumentError(
                f"{name}: labels must be among the model's classes {classes}"
            )
        return pos.astype(np.float64)
    return ya.astype(np.float64)


def _gradient(
    kind: str,
    model: Any,
    X: Any,
    y: Any,
    eps: float,
    norm: Any,
    constraints: Any,
    max_iter: int,
    step_size: float | None,
    random_init: bool,
    random_state: Any,
) -> AttackReport:
    Xa, names, _ = _matrix(X)
    native = _native_linear(model)
    options: dict[str, Any] = {
        "eps": float(eps),
        "norm": _norm(norm),
        "max_iter": int(max_iter),
        "step_size": None if step_size is None else float(step_size),
        "random_init": bool(random_init),
        "random_state": _seed(random_state),
        "constraints": _constraints(constraints, names),
    }
    yy = _class_indices(model, y, len(Xa))
    text = _core.gradient_attack(kind, native, Xa, json.dumps(options), yy)
    return AttackReport(json.loads(text))


def fgsm(
    model: Any,
    X: Any,
    y: Any = None,
    *,
    eps: float,
    norm: Any = 2,
    constraints: Any = None,
    random_state: Any = None,
) -> AttackReport:
    """Fast gradient (sign) method on a native linear or logistic model.

    One step of size ``eps`` along the gradient of the cross-entropy loss (its sign for
    ``norm="inf"``), then projected on the constraints. Gradients are analytic; the model is
    queried only to label ``X`` and ``x_adv``.

    Parameters
    ----------
    model : NativeModel or estimator
        A native linear/logistic model, or an estimator ``aequa.explain.to_native`` converts.
    X : array-like of shape (n_samples, n_features)
    y : array-like, optional
        True labels (default: the model's own labels).
    eps : float
        Budget (> 0).
    norm : {2, "inf"}
    constraints : dict, optional
        ``immutable`` (columns), ``bounds`` ({column: (lower, upper)}), ``integer`` (columns),
        ``one_hot`` (lists of columns).
    random_state : ignored for FGSM (kept for a uniform signature).

    Returns
    -------
    AttackReport

    Examples
    --------
    >>> import numpy as np
    >>> from aequa import robust
    >>> m = robust._linear_model([[1.0, -1.0]], [0.0])
    >>> r = robust.fgsm(m, np.array([[0.1, 0.0]]), eps=0.2, norm="inf")
    >>> bool(r.success[0])
    True
    """
    return _gradient("fgsm", model, X, y, eps, norm, constraints, 1, None, False, random_state)


def pgd(
    model: Any,
    X: Any,
    y: Any = None,
    *,
    eps: float,
    norm: Any = 2,
    max_iter: int = 40,
    step_size: float | None = None,
    random_init: bool = False,
    constraints: Any = None,
    random_state: Any = None,
) -> AttackReport:
    """Projected gradient descent (Madry et al. 2018) on a native linear or logistic model.

    ``max_iter`` steps of ``step_size`` (default ``2.5 * eps / max_iter``) along the loss
    gradient, each projected on the ``eps`` ball and the constraints. See :func:`fgsm`.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa import robust
    >>> m = robust._linear_model([[1.0, -1.0]], [0.0])
    >>> r = robust.pgd(m, np.array([[0.1, 0.0]]), eps=0.2, norm="inf",
    ...                constraints={"immutable": [1]})
    >>> float(r.x_adv[0, 1])
    0.0
    """
    return _gradient(
        "pgd", model, X, y, eps, norm, constraints, max_iter, step_size, random_init, random_state
    )


def minimal_perturbation(
    model: Any,
    X: Any,
    *,
    norm: Any = 2,
    constraints: Any = None,
    overshoot: float = 1e-9,
) -> AttackReport:
    """The exact smallest perturbation that changes a linear model's or a single decision
    tree's label.

    For a single tree (e.g. ``DecisionTreeClassifier``), every leaf is a box of feature values
    and the nearest point of a box is ``x`` clipped into it: the row moves to the nearest box
    of another label that its immutable columns and the ``bounds`` allow (exact for L2 and
    L-infinity; every result is checked with the model).

    With score ``s = w @ x + b``: L2 moves along ``-w`` by ``|s| / ||w||_2``; L-infinity
    moves along ``-sign(w)`` by ``|s| / ||w||_1`` (``w`` restricted to mutable columns), then
    a relative ``overshoot`` past the boundary. A multi-class model (scores ``s_k``, label
    ``c = argmax s``) leaves ``c`` as soon as one competitor ``k`` reaches ``s_c``, so the
    minimum is ``min_k (s_c - s_k) / ||w_k - w_c||`` (dual norm), reached along
    ``w_k - w_c`` (L2) or its sign (L-infinity). Linear models support ``immutable``
    constraints only; trees also ``bounds``.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa import robust
    >>> m = robust._linear_model([[3.0, 4.0]], [-5.0])
    >>> r = robust.minimal_perturbation(m, np.array([[0.0, 0.0]]))
    >>> round(float(r.perturbation_norm[0]), 6)
    1.0
    """
    Xa, names, _ = _matrix(X)
    native = _native_linear(model)
    options = {
        "norm": _norm(norm),
        "constraints": _constraints(constraints, names),
        "overshoot": float(overshoot),
    }
    return AttackReport(json.loads(_core.minimal_perturbation(native, Xa, json.dumps(options))))


def hop_skip_jump(
    model: Any,
    X: Any,
    y: Any = None,
    *,
    norm: Any = 2,
    constraints: Any = None,
    max_queries: int = 5000,
    max_iter: int = 40,
    init_eval: int = 100,
    max_eval: int = 10_000,
    init_size: int = 100,
    budgets: Sequence[float] | None = None,
    threshold: float | None = None,
    targeted: bool = False,
    y_target: Any = None,
    random_state: Any = None,
) -> AttackReport:
    """HopSkipJump (Chen, Jordan & Wainwright 2020): a decision-based minimal attack.

    Needs only the model's labels. From an adversarial start (the nearest rows of ``X`` the
    model labels differently, then random draws within the data's range) it alternates a binary
    search to the decision boundary, a Monte-Carlo estimate of the boundary's normal from
    ``init_eval * sqrt(t + 1)`` label queries, and a geometric step. All rows advance together,
    so each phase is one batched model call. Constraints hold on every query, so every
    adversarial row was itself evaluated and respects them.

    Parameters
    ----------
    model : NativeModel, estimator or callable
        Labels are the arg-max of ``predict_proba`` (or ``output >= threshold`` for a single
        output). An estimator aequa can evaluate natively (linear and logistic models, trees,
        forests, gradient boosting) runs with no Python in the loop; a callable is called once
        per phase with a fresh array of every row's queries, which it may keep or modify.
    X : array-like of shape (n_samples, n_features)
    y : array-like, optional
        True labels: only originally-correct rows are attacked.
    norm : {2, "inf"}
    constraints : dict, optional
        ``immutable``, ``bounds`` ({column: (lower, upper)}), ``integer``, ``one_hot``.
    max_queries : int
        Model queries allowed per row.
    max_iter, init_eval, max_eval, init_size : int
        Iterations; gradient-estimate queries at the first iteration and at most; random
        starting points per row.
    budgets : sequence of float, optional
        Budgets at which ``robust_accuracy`` is reported.
    threshold : float, optional
    targeted : bool
        Move each row to the class ``y_target`` names (as ART's ``targeted=True`` with
        ``y``) instead of to any other class. Rows already in their target class are not
        attacked; ``success`` means the target was reached.
    y_target : array-like, optional
        The target class of each row (labels as the model's ``classes_``, else class
        indices); required when ``targeted``.
    random_state : int, numpy generator or None

    Returns
    -------
    AttackReport

    Examples
    --------
    >>> import numpy as np
    >>> from aequa import robust
    >>> X = np.random.default_rng(0).normal(size=(20, 3))
    >>> r = robust.hop_skip_jump(lambda a: a[:, 0] - a[:, 1], X, threshold=0.0, random_state=0)
    >>> r.success_rate
    1.0
    """
    Xa, names, columns = _matrix(X)
    resolved = _resolve(model, Xa, columns, ("predict_proba", "decision_function", "predict"))
    options: dict[str, Any] = {
        "norm": _norm(norm),
        "constraints": _constraints(constraints, names),
        "max_queries": int(max_queries),
        "max_iter": int(max_iter),
        "init_eval": int(init_eval),
        "max_eval": int(max_eval),
        "init_size": int(init_size),
        "budgets": [] if budgets is None else _budgets(budgets),
        "threshold": _threshold(resolved.method, threshold),
        "random_state": _seed(random_state),
    }
    for k in ("max_queries", "max_iter", "init_eval", "max_eval"):
        if options[k] <= 0:
            raise InvalidArgumentError(f"{k}: expected a positive int, found {options[k]}")
    if targeted != (y_target is not None):
        raise InvalidArgumentError(
            "y_target: expected target classes exactly when targeted=True, found targeted="
            f"{targeted!r} and y_target {'given' if y_target is not None else 'None'}"
        )
    if y_target is not None:
        goal = _class_indices(model, y_target, len(Xa), "y_target")
        if goal is not None and np.any((goal < 0) | (goal != np.floor(goal))):
            raise InvalidArgumentError("y_target: expected non-negative class indices")
        options["y_target"] = None if goal is None else goal.astype(np.int64).tolist()
    yy = _class_indices(model, y, len(Xa))
    text = _core.hop_skip_jump(resolved.model, Xa, json.dumps(options), yy)
    return AttackReport(json.loads(text))


# The public names are documented, pickled and shown as ``aequa.robust``'s, where users find
# them.
for _public in (AttackReport, fgsm, pgd, minimal_perturbation, hop_skip_jump):
    _public.__module__ = "aequa.robust"
