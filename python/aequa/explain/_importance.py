"""Permutation importance, scikit-learn's method; the computation runs in the Rust core
(``aequa_core::explain``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core, _inputs
from aequa._core import InvalidArgumentError, LengthMismatchError
from aequa.explain._inspect_common import (
    _array,
    _array2,
    _batch,
    _column_index,
    _is_classifier,
    _is_estimator,
    _matrix,
    _num,
    _resolve,
    _seed,
)
from aequa.report import Report

__all__ = ["PermutationImportanceResult", "permutation_importance"]


def _is_fairness(scoring: str) -> bool:
    """``neg_<gap>_difference`` / ``<gap>_ratio``: a gap between the sensitive groups."""
    return scoring.endswith("_ratio") or (
        scoring.startswith("neg_") and scoring.endswith("_difference")
    )


def _is_label_scorer(scoring: str) -> bool:
    return scoring in ("accuracy", "balanced_accuracy") or _is_fairness(scoring)


# The estimator methods each scorer reads, in order of preference (as scikit-learn's scorers).
_RESPONSE = {
    "roc_auc": ("decision_function", "predict_proba"),
    "neg_log_loss": ("predict_proba",),
}


class PermutationImportanceResult(Report):
    """Permutation importances, with scikit-learn's attribute names.

    Attributes
    ----------
    importances_mean, importances_std : ndarray of shape (n_features,)
        Mean and population standard deviation (ddof=0) over the repeats.
    importances : ndarray of shape (n_features, n_repeats)
        ``baseline_score - permuted score`` per repeat.
    baseline_score : float
    permuted_scores : ndarray of shape (n_features, n_repeats)
    feature_names : list of str
        One per feature or group of features.
    scoring : str
    model_calls, rows_evaluated : int
        Calls of the model's prediction (batches) and rows predicted. A native model is read,
        not called: a linear model's scores are shifted by each permuted column, a tree
        ensemble's leaves re-walked only where a permutation can move them, so both are 0
        (1 and the full rows with ``baseline="full"`` and a subsample: that baseline is one
        prediction).
    model_used : str
        How the model ran: ``native``, ``native:<method>`` (an estimator's native twin),
        ``callable``, or the estimator method called from Rust (``predict``, ...).
    """

    _kind = "permutation_importance"

    model_used: str = ""

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.scoring: str = report["scoring"]
        self.feature_names: list[str] = list(report["feature_names"])
        self.feature_groups: list[list[int]] = [list(g) for g in report["feature_groups"]]
        self.baseline_score = _num(report["baseline_score"])
        self.importances_mean = _array(report["importances_mean"])
        self.importances_std = _array(report["importances_std"])
        self.importances = _array2(report["importances"])
        self.permuted_scores = _array2(report["permuted_scores"])
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])

    def __getitem__(self, key: str) -> Any:
        """Bunch-style access: ``result["importances_mean"]``."""
        if key in ("importances_mean", "importances_std", "importances"):
            return getattr(self, key)
        raise KeyError(key)

    def keys(self) -> list[str]:
        return ["importances_mean", "importances_std", "importances"]

    def to_pandas(self) -> pd.DataFrame:
        """One row per feature (or group): mean, std and each repeat's importance."""
        df = pd.DataFrame(
            {"importances_mean": self.importances_mean, "importances_std": self.importances_std},
            index=pd.Index(self.feature_names, name="feature"),
        )
        for r in range(self.importances.shape[1]):
            df[f"repeat_{r}"] = self.importances[:, r]
        return df

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """Mean importance bars with ±1 std (needs matplotlib); see
        :func:`aequa.plot.permutation_importance`."""
        from aequa.plot.explain import permutation_importance

        return permutation_importance(self, ax, **kw)

    def __repr__(self) -> str:
        return (
            f"PermutationImportanceResult(scoring={self.scoring!r}, "
            f"features={len(self.feature_names)}, model_calls={self.model_calls})"
        )


def _groups(
    feature_groups: Any, names: list[str]
) -> tuple[list[list[int]], list[str]] | tuple[None, None]:
    """Groups as column lists (ungrouped columns stay alone), in order of first column."""
    if feature_groups is None:
        return None, None
    if isinstance(feature_groups, Mapping):
        items = [(str(k), v) for k, v in feature_groups.items()]
    else:
        items = [(None, v) for v in feature_groups]
    entries: list[tuple[str, list[int]]] = []
    used: set[int] = set()
    for label, cols in items:
        if isinstance(cols, (str, int, np.integer)):
            cols = [cols]
        idx = [_column_index(c, names, "feature_groups") for c in cols]
        if not idx:
            raise InvalidArgumentError("feature_groups: a group is empty")
        if used & set(idx):
            raise InvalidArgumentError(
                f"feature_groups: column(s) {sorted(used & set(idx))} are in two groups"
            )
        used |= set(idx)
        entries.append((label or "+".join(names[j] for j in idx), idx))
    entries += [(names[j], [j]) for j in range(len(names)) if j not in used]
    entries.sort(key=lambda e: min(e[1]))
    return [e[1] for e in entries], [e[0] for e in entries]


def _targets(y: Any, n: int, model: Any) -> tuple[np.ndarray, Any, list[float] | None]:
    """y as float64, a function mapping predicted labels the same way, and the classes."""
    raw = np.asarray(y)
    if raw.ndim != 1:
        raise InvalidArgumentError(f"y: expected a 1-D array, found shape {raw.shape}")
    if len(raw) != n:
        raise LengthMismatchError(f"y: expected {n} values (one per row of X), found {len(raw)}")
    classes = getattr(model, "classes_", None) if _is_estimator(model) else None
    if raw.dtype.kind in "biuf" and (classes is None or np.asarray(classes).dtype.kind in "biuf"):
        listed = None if classes is None else [float(c) for c in np.asarray(classes)]
        return raw.astype(np.float64), None, listed
    # Text (or mixed) labels: codes in the order of the classes (the model's, else sorted).
    levels = pd.Index(np.asarray(classes) if classes is not None else np.unique(raw.astype(str)))

    def encode(values: Any) -> np.ndarray:
        v = np.asarray(values)
        if v.ndim == 2:
            return v.astype(np.float64)  # probabilities / scores pass through
        return levels.get_indexer(v).astype(np.float64)

    codes = encode(raw)
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise InvalidArgumentError(
            f"y: label {raw[row]!r} at row {row} is not a class of the model"
        )
    return codes, encode, [float(i) for i in range(len(levels))]


def permutation_importance(
    model: Any,
    X: Any,
    y: Any,
    *,
    scoring: str | None = None,
    n_repeats: int = 5,
    random_state: Any = None,
    sample_weight: Any = None,
    max_samples: float | int = 1.0,
    feature_groups: Any = None,
    sensitive_features: Any = None,
    baseline: str = "subsample",
    permutations: Any = None,
    sample_indices: Any = None,
    pos_label: float | None = None,
) -> PermutationImportanceResult:
    """Permutation importance of each feature (or group of features), scikit-learn's method.

    Each feature is shuffled ``n_repeats`` times; its importance is the drop of the score from
    the unpermuted baseline. The model is evaluated in Rust when it is native, and in a few
    large batches otherwise.

    Parameters
    ----------
    model : NativeModel, estimator or callable
        A fitted estimator (its ``predict``, ``predict_proba`` or ``decision_function`` is
        chosen by the scorer, as scikit-learn's scorers do; converted to a native model when
        ``aequa.explain._models.to_native`` supports it), an ``aequa._core.NativeModel``, or a
        callable ``f(X) -> predictions``.
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    scoring : str, default=None
        ``accuracy``, ``balanced_accuracy``, ``roc_auc``, ``neg_log_loss``, ``r2``,
        ``neg_mean_squared_error``, ``neg_mean_absolute_error``, or a fairness gap between
        the ``sensitive_features`` groups: ``neg_<gap>_difference`` (negated: greater is
        better, as scikit-learn's ``neg_`` losses) or ``<gap>_ratio``, with ``<gap>`` one of
        ``demographic_parity``, ``equalized_odds``, ``equal_opportunity`` or any fairness
        metric (``neg_false_positive_rate_difference``, ``selection_rate_ratio``, ...).
        A positive importance then means permuting the feature *widens* the gap. None:
        ``accuracy`` for classifiers and ``r2`` for regressors (an estimator's default
        ``score``); required for callables and native models.
    n_repeats : int, default=5
    random_state : int, numpy generator or None, default=None
        Seed of the permutations; None draws a fresh seed, recorded in the result's
        ``params["random_state"]`` so the run can be repeated.
    sample_weight : array-like of shape (n_samples,), default=None
    max_samples : int or float, default=1.0
        Rows used per repeat (an int count, or a fraction of the rows); the subsample is
        seeded and recorded in the report.
    feature_groups : dict or list, default=None
        Columns permuted together (the same row permutation), e.g. the one-hot columns of one
        variable: ``{"workclass": ["wc_private", "wc_self_emp"]}``. Columns in no group stay
        single features.
    sensitive_features : array-like, DataFrame or dict, default=None
        Group membership for fairness scorers (rows stay with their groups when permuting).
    baseline : {"subsample", "full"}, default="subsample"
        With ``max_samples``, score the baseline on the same rows as the permutations
        (a feature the model ignores then gets exactly 0), or on all rows as scikit-learn does.
    permutations : array of shape (n_repeats, n_rows_used), default=None
        Explicit row permutations (instead of seeded ones), e.g. to replay another library.
    sample_indices : array of int, default=None
        Explicit subsample rows (instead of the seeded ``max_samples`` draw).
    pos_label : float, default=None
        Positive label of fairness scorers (default 1).

    Returns
    -------
    PermutationImportanceResult
        ``importances_mean``, ``importances_std``, ``importances`` (as scikit-learn), plus
        ``baseline_score``, ``model_calls``, ``rows_evaluated``, ``to_pandas()``, ``to_json()``.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import permutation_importance
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = 3 * X[:, 0] + X[:, 1]
    >>> r = permutation_importance(lambda A: 3 * A[:, 0] + A[:, 1], X, y, scoring="r2",
    ...                            random_state=0)
    >>> bool(r.importances_mean[0] > r.importances_mean[1] > 0), float(r.importances_mean[2])
    (True, 0.0)
    """
    Xa, names, columns = _matrix(X)
    if scoring is None:
        if not _is_estimator(model):
            raise InvalidArgumentError(
                "scoring: pass a scorer name (e.g. 'r2', 'accuracy', 'roc_auc') when the model "
                "is a callable or a NativeModel"
            )
        scoring = "accuracy" if _is_classifier(model) else "r2"
    if not isinstance(scoring, str):
        raise InvalidArgumentError(
            f"scoring: expected a scorer name, found {type(scoring).__name__}"
        )
    y_arr, encode, classes = _targets(y, len(Xa), model)
    response = _RESPONSE.get(scoring, ("predict",))
    label_encode = encode if _is_label_scorer(scoring) else None
    resolved = _resolve(model, Xa, columns, response, label_encode)
    sens: list[Any] = []
    if sensitive_features is not None:
        sens = [
            g.for_core()
            for g in _inputs.groupings(
                sensitive_features, len(Xa), "sensitive_feature_", "sensitive_features"
            )
        ]
    elif _is_fairness(scoring):
        raise InvalidArgumentError(f"sensitive_features: the scorer '{scoring}' needs them")
    groups, group_names = _groups(feature_groups, names)
    if isinstance(max_samples, bool) or not isinstance(max_samples, (int, float, np.number)):
        raise InvalidArgumentError(
            f"max_samples: expected an int or a float, found {max_samples!r}"
        )
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, (int, np.integer)) or n_repeats < 0:
        raise InvalidArgumentError(f"n_repeats: expected a positive int, found {n_repeats!r}")
    options = {
        "scorer": {"scoring": scoring, "classes": classes, "pos_label": pos_label},
        "n_repeats": int(n_repeats),
        "random_state": _seed(random_state),
        "max_samples": int(max_samples)
        if isinstance(max_samples, (int, np.integer))
        else float(max_samples),
        "baseline": baseline,
        "feature_names": names,
        "feature_groups": groups,
        "group_names": group_names,
        "max_batch_elements": _batch(resolved, Xa.size * int(n_repeats)),
    }
    weights = _inputs.weights(sample_weight, len(Xa))
    perms = None if permutations is None else np.ascontiguousarray(permutations, dtype=np.int64)
    rows = None if sample_indices is None else np.ascontiguousarray(sample_indices, dtype=np.int64)
    text = _core.permutation_importance(
        resolved.model, Xa, y_arr, json.dumps(options), weights, sens, perms, rows
    )
    result = PermutationImportanceResult(json.loads(text))
    result.model_used = resolved.method
    return result
