"""Robustness probes: noise stability, the counterfactual sensitive-attribute probe, and
(for native linear models) gradient attacks with the exact minimal perturbation.

Every probe is seeded (``random_state``), calls the model in batches (a Python model crosses
into Rust once per batch), and reports its model calls, rows evaluated and wall time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core, _inputs
from aequa._attacks import (
    AttackReport,
    fgsm,
    hop_skip_jump,
    minimal_perturbation,
    pgd,
)
from aequa._attacks import _linear_model as _linear_model  # used as robust._linear_model
from aequa._core import InvalidArgumentError
from aequa._robust_common import _arr, _budgets, _num, _threshold
from aequa.explain._inspect_common import _column_index, _matrix, _resolve, _seed
from aequa.report import Report

__all__ = [
    "AttackReport",
    "NoiseStabilityReport",
    "SensitiveFlipReport",
    "fgsm",
    "hop_skip_jump",
    "minimal_perturbation",
    "noise_stability",
    "pgd",
    "sensitive_flip",
]

_METHODS = ("predict_proba", "decision_function", "predict")


def _group_frame(groups: list[dict[str, Any]], names: list[str]) -> pd.DataFrame:
    rows = []
    for g in groups:
        row: dict[str, Any] = dict(zip(names, g["group"], strict=False))
        row["rows"] = g["rows"]
        row.update({k: (np.nan if v is None else v) for k, v in g["values"].items()})
        rows.append(row)
    return pd.DataFrame(rows)


class NoiseStabilityReport(Report):
    """Result of :func:`noise_stability`.

    Attributes
    ----------
    budgets : ndarray
        The budgets, in units of each feature's spread.
    flip_rate, mean_output_change : ndarray
        Per budget: fraction of noisy copies whose predicted label changed, and the mean
        absolute change of the outputs.
    feature_flip_rate, feature_output_change : DataFrame
        Features × budgets, when only that feature is perturbed.
    by_group : DataFrame or None
        ``flip_rate`` and ``mean_output_change`` per budget and sensitive group.
    model_calls, rows_evaluated : int
    elapsed_seconds : float
    """

    _kind = "noise_stability"

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.budgets = np.asarray(report["budgets"], dtype=np.float64)
        self.flip_rate = _arr(report["flip_rate"])
        self.mean_output_change = _arr(report["mean_output_change"])
        names = report["feature_names"]
        cols = [f"budget={b:g}" for b in self.budgets]
        self.feature_flip_rate = pd.DataFrame(
            [_arr(r) for r in report["feature_flip_rate"]] or None, columns=cols
        ).set_axis(names[: len(report["feature_flip_rate"])], axis=0)
        self.feature_output_change = pd.DataFrame(
            [_arr(r) for r in report["feature_output_change"]] or None, columns=cols
        ).set_axis(names[: len(report["feature_output_change"])], axis=0)
        self.by_group: pd.DataFrame | None = None
        if report["by_group"]:
            sens = [s["name"] for s in report["sensitive"]]
            frames = []
            for b, groups in zip(self.budgets, report["by_group"], strict=True):
                f = _group_frame(groups, sens)
                f.insert(0, "budget", b)
                frames.append(f)
            self.by_group = pd.concat(frames, ignore_index=True)
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])
        self.elapsed_seconds = report["elapsed_seconds"]
        self.warnings = list(report["warnings"])

    def to_pandas(self) -> pd.DataFrame:
        """One row per budget: ``flip_rate`` and ``mean_output_change``."""
        return pd.DataFrame(
            {"flip_rate": self.flip_rate, "mean_output_change": self.mean_output_change},
            index=pd.Index(self.budgets, name="budget"),
        )

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Flip rate against the budget, overall and by group (needs matplotlib); see
        :func:`aequa.plot.noise_stability`."""
        from aequa.plot.robust import noise_stability

        return noise_stability(self, ax, **kw)


class SensitiveFlipReport(Report):
    """Result of :func:`sensitive_flip`.

    Attributes
    ----------
    flipped : ndarray of bool
        Per row: some counterfactual value of the sensitive feature(s) changes the label.
    max_output_change : ndarray
        Per row: the largest mean absolute output change over the counterfactuals.
    flip_rate, counterfactual_flip_rate, mean_max_output_change : float
    by_group : DataFrame
        ``flip_rate`` and ``mean_max_output_change`` by the rows' original group.
    model_calls, rows_evaluated : int
    elapsed_seconds : float
    """

    _kind = "sensitive_flip"

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.flipped = np.asarray(report["flipped"], dtype=bool)
        self.max_output_change = np.asarray(report["max_output_change"], dtype=np.float64)
        self.flip_rate = _num(report["flip_rate"])
        self.counterfactual_flip_rate = _num(report["counterfactual_flip_rate"])
        self.mean_max_output_change = _num(report["mean_max_output_change"])
        self.by_group = _group_frame(report["by_group"], report["sensitive_columns"])
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])
        self.elapsed_seconds = report["elapsed_seconds"]
        self.warnings = list(report["warnings"])

    def to_pandas(self) -> pd.DataFrame:
        """The breakdown by original sensitive group."""
        return self.by_group

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Counterfactual flip rate per group (needs matplotlib); see
        :func:`aequa.plot.sensitive_flip`."""
        from aequa.plot.robust import sensitive_flip

        return sensitive_flip(self, ax, **kw)


def noise_stability(
    model: Any,
    X: Any,
    *,
    budgets: Sequence[float] = (0.01, 0.05, 0.1, 0.2),
    noise: str = "gaussian",
    n_repeats: int = 10,
    per_feature: bool = True,
    sensitive_features: Any = None,
    threshold: float | None = None,
    random_state: Any = None,
) -> NoiseStabilityReport:
    """Prediction flip rate and mean output change under random noise, over budgets.

    A noisy copy of row ``x`` is ``x_j + budget * s_j * z_j`` with ``s_j`` the standard
    deviation of column ``j`` in ``X`` and ``z_j`` standard normal (``gaussian``) or uniform on
    ``[-1, 1]`` (``uniform``). The label of a row is the arg-max output (``predict_proba``) or
    ``output >= threshold`` for a single output.

    Parameters
    ----------
    model : NativeModel, estimator or callable
        An estimator (``predict_proba``, else ``decision_function``, else ``predict``; its
        native twin is used when aequa has one), an ``aequa._core.NativeModel`` or a callable
        ``f(X) -> predictions``.
    X : array-like or DataFrame of shape (n_samples, n_features)
    budgets : sequence of float
        Noise scales in units of each feature's spread; each must be > 0.
    noise : {"gaussian", "uniform"}
    n_repeats : int
        Noisy copies of each row per budget.
    per_feature : bool
        Also perturb one feature at a time (per-feature sensitivity).
    sensitive_features : array-like, DataFrame or dict, optional
        Groups for the breakdown (computed by the fairness engine).
    threshold : float, optional
        Label threshold of single-output models (default 0.5; 0 for ``decision_function``).
    random_state : int, numpy generator or None

    Returns
    -------
    NoiseStabilityReport

    Examples
    --------
    >>> import numpy as np
    >>> from aequa import robust
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> r = robust.noise_stability(lambda a: a[:, 0] > 0, X, budgets=[0.1], random_state=0)
    >>> float(r.feature_flip_rate.loc["x2"].iloc[0])
    0.0
    """
    Xa, names, columns = _matrix(X)
    resolved = _resolve(model, Xa, columns, _METHODS)
    groups = []
    if sensitive_features is not None:
        groups = [
            g.for_core()
            for g in _inputs.groupings(
                sensitive_features, len(Xa), "sensitive_feature_", "sensitive_features"
            )
        ]
    if noise not in ("gaussian", "uniform"):
        raise InvalidArgumentError(f"noise: expected 'gaussian' or 'uniform', found {noise!r}")
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, (int, np.integer)):
        raise InvalidArgumentError(f"n_repeats: expected an int >= 1, found {n_repeats!r}")
    options = {
        "budgets": _budgets(budgets),
        "noise": noise,
        "n_repeats": int(n_repeats),
        "per_feature": bool(per_feature),
        "threshold": _threshold(resolved.method, threshold),
        "random_state": _seed(random_state),
        "feature_names": names,
    }
    text = _core.noise_stability(resolved.model, Xa, json.dumps(options), groups)
    return NoiseStabilityReport(json.loads(text))


def sensitive_flip(
    model: Any,
    X: Any,
    *,
    sensitive_features: Any,
    threshold: float | None = None,
    random_state: Any = None,
) -> SensitiveFlipReport:
    """Counterfactual probe: set each row's sensitive column(s) to every other value in ``X``.

    Every other feature stays put; the report says how often the predicted label changes and
    how much the outputs move, per row and by the rows' original group.

    Parameters
    ----------
    model : NativeModel, estimator or callable
    X : array-like or DataFrame of shape (n_samples, n_features)
        Must contain the sensitive column(s), numerically encoded.
    sensitive_features : column name, index, or list of them
        The sensitive columns of ``X``; with several, every combination of their observed
        values is probed.
    threshold : float, optional
        Label threshold of single-output models.
    random_state : ignored
        Accepted for a uniform signature (the probe is exhaustive, not random).

    Returns
    -------
    SensitiveFlipReport

    Examples
    --------
    >>> import numpy as np
    >>> from aequa import robust
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 0.0]])
    >>> r = robust.sensitive_flip(lambda a: a[:, 0] + 2 * a[:, 1] - 1.5, X,
    ...                           sensitive_features=1, threshold=0.0)
    >>> r.flipped.tolist()
    [True, True, False]
    """
    del random_state
    Xa, names, columns = _matrix(X)
    feats = (
        list(sensitive_features)
        if isinstance(sensitive_features, (list, tuple))
        else [sensitive_features]
    )
    idx = [_column_index(f, names, "sensitive_features") for f in feats]
    resolved = _resolve(model, Xa, columns, _METHODS)
    options = {
        "sensitive_indices": idx,
        "threshold": _threshold(resolved.method, threshold),
        "feature_names": names,
    }
    text = _core.sensitive_flip(resolved.model, Xa, json.dumps(options))
    return SensitiveFlipReport(json.loads(text))
