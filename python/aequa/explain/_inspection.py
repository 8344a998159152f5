"""Model inspection under scikit-learn's names: permutation importance, partial dependence /
ICE, and accumulated local effects (ALE). The computation runs in the Rust core
(``aequa_core::explain``); the model is evaluated in large batches, natively when it can be
(an ``aequa._core.NativeModel``, or an estimator ``to_native`` converts), otherwise as a Python
callable with one GIL acquisition per batch."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Callable

import numpy as np
import pandas as pd

from aequa import _core, _inputs
from aequa._core import InvalidArgumentError, LengthMismatchError
from aequa.report import Report

__all__ = [
    "AccumulatedLocalEffects",
    "PartialDependenceResult",
    "PermutationImportanceResult",
    "accumulated_local_effects",
    "partial_dependence",
    "permutation_importance",
]


def _is_fairness(scoring: str) -> bool:
    """``neg_<gap>_difference`` / ``<gap>_ratio``: a gap between the sensitive groups."""
    return scoring.endswith("_ratio") or (
        scoring.startswith("neg_") and scoring.endswith("_difference")
    )


def _is_label_scorer(scoring: str) -> bool:
    return scoring in ("accuracy", "balanced_accuracy") or _is_fairness(scoring)


# Values (rows x columns) per model call. A Python model gets few, large batches (each call
# crosses into Python); a native one moderate batches (all repeats of a feature when they fit
# in a few MiB) spread over the cores: one giant batch is memory-bound and several times slower.
_PYTHON_BATCH = 1 << 23
_NATIVE_BATCH = 1 << 19
# The estimator methods each scorer reads, in order of preference (as scikit-learn's scorers).
_RESPONSE = {
    "roc_auc": ("decision_function", "predict_proba"),
    "neg_log_loss": ("predict_proba",),
}


# ---------------------------------------------------------------- inputs


def _matrix(X: Any) -> tuple[np.ndarray, list[str], list[str] | None]:
    """X as a C-contiguous float64 matrix, its column names, and the DataFrame columns."""
    columns: list[str] | None = None
    module = type(X).__module__.split(".")[0]
    if module == "polars" and hasattr(X, "columns"):
        columns = [str(c) for c in X.columns]
        X = X.to_pandas()
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        bad = [c for c, t in X.dtypes.items() if t.kind not in "biuf"]
        if bad:
            raise InvalidArgumentError(
                f"X: expected numeric columns, found non-numeric column(s) {bad}; "
                "encode them (e.g. one-hot) before explaining the model"
            )
        arr = X.to_numpy(dtype=np.float64)
    else:
        try:
            arr = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"X: expected a numeric 2-D array ({exc})") from exc
    if arr.ndim != 2:
        raise InvalidArgumentError(f"X: expected a 2-D array, found shape {arr.shape}")
    names = columns or [f"x{j}" for j in range(arr.shape[1])]
    return np.ascontiguousarray(arr), names, columns


def _seed(random_state: Any) -> int:
    """An explicit u32 seed: None draws a fresh one (recorded in the result, as every aequa
    random method does); a numpy generator gives one draw."""
    if random_state is None:
        return secrets.randbelow(2**32)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(2**32, dtype=np.uint64))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32))
    if isinstance(random_state, (int, np.integer)) and 0 <= int(random_state) < 2**32:
        return int(random_state)
    raise InvalidArgumentError(
        f"random_state: expected None, an int in [0, 2**32) or a numpy generator, "
        f"found {random_state!r}"
    )


def _column_index(feature: Any, names: list[str], argument: str) -> int:
    if isinstance(feature, str):
        if feature not in names:
            raise InvalidArgumentError(f"{argument}: unknown column {feature!r}; X has {names}")
        return names.index(feature)
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, bool):
        j = int(feature)
        if not 0 <= j < len(names):
            raise InvalidArgumentError(
                f"{argument}: feature index {j} is out of range: X has {len(names)} columns "
                f"(0..{len(names)})"
            )
        return j
    raise InvalidArgumentError(f"{argument}: expected a column index or name, found {feature!r}")


# ---------------------------------------------------------------- models


def _is_estimator(model: Any) -> bool:
    return hasattr(model, "predict") and not isinstance(model, _core.NativeModel)


def _is_classifier(model: Any) -> bool:
    try:
        from sklearn.base import is_classifier

        if is_classifier(model):
            return True
    except ImportError:  # pragma: no cover - scikit-learn is optional
        pass
    return hasattr(model, "classes_") or hasattr(model, "predict_proba")


def _method(model: Any, names: Sequence[str], argument: str) -> tuple[Callable[..., Any], str]:
    for name in names:
        fn = getattr(model, name, None)
        if fn is not None:
            return fn, name
    raise InvalidArgumentError(
        f"{argument}: the model has none of the methods {list(names)} this needs"
    )


def _framed(fn: Callable[..., Any], model: Any, columns: list[str] | None) -> Callable[..., Any]:
    """Give an estimator fitted on a DataFrame its column names back (no sklearn warning)."""
    if columns is None or not hasattr(model, "feature_names_in_"):
        return fn
    return lambda a: fn(pd.DataFrame(a, columns=columns))


def _native_converter() -> Callable[[Any], Any] | None:
    """``aequa.explain._models.to_native`` when this build has it."""
    try:
        from aequa.explain._models import to_native  # type: ignore[import-not-found]
    except ImportError:
        return None
    return to_native  # type: ignore[no-any-return]


def _to_native(
    model: Any,
    method: str,
    probe: np.ndarray,
    expected: np.ndarray,
    encode: Callable[[Any], np.ndarray] | None,
    to_native: Callable[[Any], Any],
) -> Any:
    """The native twin of an estimator when ``to_native`` supports it AND its output on a
    probe equals ``expected`` (the estimator's own ``method``); otherwise None."""
    try:
        native = to_native(model)
        got = np.asarray(native.predict(probe), dtype=np.float64)
    except (TypeError, ValueError, NotImplementedError, AttributeError):
        return None
    want = expected.reshape(len(probe), -1)
    if method == "predict" and _is_classifier(model) and got.ndim == 2 and got.shape[1] > 1:
        labels = np.asarray(model.classes_)[np.argmax(got, axis=1)]
        labels = encode(labels) if encode is not None else labels.astype(np.float64)
        return native if np.array_equal(labels, want[:, 0]) else None
    ok = got.shape == want.shape and np.allclose(got, want, rtol=1e-9, atol=1e-12)
    return native if ok else None


class _Resolved:
    """A model ready for the core (a NativeModel or a callable) and the method it stands for:
    ``native`` / ``callable`` (taken as given), ``native:<method>`` (an estimator's native
    twin) or ``<method>`` (the estimator's method called from Rust)."""

    def __init__(self, model: Any, method: str, n_outputs: int | None = None) -> None:
        self.model = model
        self.method = method
        self.n_outputs = n_outputs


def _resolve(
    model: Any,
    X: np.ndarray,
    columns: list[str] | None,
    names: Sequence[str],
    encode: Callable[[Any], np.ndarray] | None = None,
) -> _Resolved:
    """Pick the estimator method among ``names`` (a NativeModel or a callable is taken as is);
    use the native twin of the estimator when there is one that gives the same numbers."""
    if isinstance(model, _core.NativeModel):
        return _Resolved(model, "native", int(model.n_outputs))
    if not _is_estimator(model):
        if not callable(model):
            raise InvalidArgumentError(
                "model: expected an aequa NativeModel, an estimator with predict, or a "
                f"callable f(X) -> predictions, found {type(model).__name__}"
            )
        fn = model if encode is None else (lambda a: encode(model(a)))
        return _Resolved(fn, "callable")
    method, name = _method(model, names, "model")
    fn = _framed(method, model, columns)
    wrapped = fn if encode is None else (lambda a: encode(fn(a)))
    classes = getattr(model, "classes_", None)
    n_outputs = len(classes) if name == "predict_proba" and classes is not None else None
    to_native = _native_converter()
    probe = X[: min(len(X), 64)]
    if to_native is not None and len(probe):
        expected = np.asarray(wrapped(probe), dtype=np.float64)
        native = _to_native(model, name, probe, expected, encode, to_native)
        if native is not None:
            return _Resolved(native, f"native:{name}", n_outputs)
    return _Resolved(wrapped, name, n_outputs)


def _batch(resolved: _Resolved, values_per_feature: int = 0) -> int:
    if not isinstance(resolved.model, _core.NativeModel):
        return _PYTHON_BATCH
    return max(_NATIVE_BATCH, min(values_per_feature, 4 * _NATIVE_BATCH))


# ---------------------------------------------------------------- permutation importance


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


# ---------------------------------------------------------------- partial dependence


class PartialDependenceResult(Report):
    """Partial dependence and ICE, with scikit-learn's ``Bunch`` field names.

    Attributes
    ----------
    grid_values : list of ndarray
        The grid axis of each feature.
    average : ndarray of shape (n_outputs, *grid_shape) or None
    individual : ndarray of shape (n_outputs, n_samples, *grid_shape) or None
    features : list of int
    feature_names : list of str
    outputs : list of int
        The model output columns reported.
    model_calls, rows_evaluated : int
    model_used : str
        How the model ran (see :class:`PermutationImportanceResult`).
    """

    _kind = "partial_dependence"

    model_used: str = ""

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.grid_values = [np.asarray(v, dtype=np.float64) for v in report["grid_values"]]
        shape = [len(v) for v in self.grid_values]
        k = len(report["outputs"])
        n = int(report["params"]["n_rows"])
        self.average = (
            None if report["average"] is None else _array(report["average"]).reshape(k, *shape)
        )
        self.individual = (
            None
            if report["individual"] is None
            else _array(report["individual"]).reshape(k, n, *shape)
        )
        self.features: list[int] = list(report["features"])
        self.feature_names: list[str] = list(report["feature_names"])
        self.outputs: list[int] = list(report["outputs"])
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])

    def __getitem__(self, key: str) -> Any:
        """Bunch-style access: ``result["average"]``."""
        if key in self.keys():
            return getattr(self, key)
        raise KeyError(key)

    def keys(self) -> list[str]:
        keys = ["grid_values"]
        keys += [k for k in ("average", "individual") if getattr(self, k) is not None]
        return keys

    def to_pandas(self) -> pd.DataFrame:
        """Long form: one row per (output, grid point) with the ``average``, or — for
        ``kind="individual"`` — one row per (output, row, grid point) with the ICE value."""
        grid = np.array(np.meshgrid(*self.grid_values, indexing="ij")).reshape(
            len(self.grid_values), -1
        )
        frames = []
        for k, out in enumerate(self.outputs):
            df = pd.DataFrame({name: grid[i] for i, name in enumerate(self.feature_names)})
            if self.average is not None:
                df.insert(0, "output", out)
                df["average"] = self.average[k].ravel()
                frames.append(df)
                continue
            ice = self.individual[k].reshape(len(self.individual[k]), -1)  # type: ignore[index]
            long = df.loc[np.tile(np.arange(grid.shape[1]), len(ice))].reset_index(drop=True)
            long.insert(0, "row", np.repeat(np.arange(len(ice)), grid.shape[1]))
            long.insert(0, "output", out)
            long["individual"] = ice.ravel()
            frames.append(long)
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """PDP and ICE curves, or a contour for two features (needs matplotlib); see
        :func:`aequa.plot.partial_dependence`."""
        from aequa.plot.explain import partial_dependence

        return partial_dependence(self, ax, **kw)

    def __repr__(self) -> str:
        return (
            f"PartialDependenceResult(features={self.feature_names}, "
            f"grid={[len(v) for v in self.grid_values]}, model_calls={self.model_calls})"
        )


_METHODS = {
    "predict": ("predict",),
    "predict_proba": ("predict_proba",),
    "decision_function": ("decision_function",),
}


def _response(model: Any, response_method: str) -> tuple[tuple[str, ...], bool]:
    """Methods to try, and whether a binary classifier's positive column alone is kept."""
    if response_method not in ("auto", *_METHODS):
        raise InvalidArgumentError(
            "response_method: expected 'auto', 'predict', 'predict_proba' or "
            f"'decision_function', found {response_method!r}"
        )
    if not _is_estimator(model):
        return ("predict",), False
    classifier = _is_classifier(model)
    if response_method == "auto":
        names = ("predict_proba", "decision_function") if classifier else ("predict",)
    else:
        names = _METHODS[response_method]
    return names, classifier


def _outputs(resolved: _Resolved, positive_only: bool) -> list[int] | None:
    """scikit-learn keeps only the positive class of a binary classifier's probabilities."""
    if positive_only and resolved.method.endswith("predict_proba") and resolved.n_outputs == 2:
        return [1]
    return None


def partial_dependence(
    model: Any,
    X: Any,
    features: Any,
    *,
    response_method: str = "auto",
    percentiles: tuple[float, float] = (0.05, 0.95),
    grid_resolution: int = 100,
    kind: str = "average",
    sample_weight: Any = None,
    categorical_features: Any = None,
    custom_values: Mapping[Any, Any] | None = None,
) -> PartialDependenceResult:
    """Partial dependence and ICE curves, scikit-learn's ``method="brute"``.

    Parameters
    ----------
    model : NativeModel, estimator or callable
        For an estimator, ``response_method`` picks ``predict`` (regressors),
        ``predict_proba`` or ``decision_function`` (classifiers); a binary classifier's
        probabilities are reported for the positive class only, as scikit-learn does. A
        callable or NativeModel is evaluated as is, every output column reported.
    X : array-like or DataFrame of shape (n_samples, n_features)
    features : int, str, or a list of one or two of them
        The feature (or pair of features, varied jointly on the 2-D grid).
    response_method : {"auto", "predict", "predict_proba", "decision_function"}
    percentiles : (float, float), default=(0.05, 0.95)
        The grid spans these percentiles of each feature (scipy's ``mquantiles``).
    grid_resolution : int, default=100
        Points per axis; a feature with fewer distinct values uses those values.
    kind : {"average", "individual", "both"}, default="average"
    sample_weight : array-like, default=None
        Weights of the average (the ICE curves are unweighted).
    categorical_features : list of int or str, default=None
        Features whose grid is their distinct values.
    custom_values : dict, default=None
        Explicit grid axis per feature (index or name → values).

    Returns
    -------
    PartialDependenceResult
        ``grid_values``, ``average`` (n_outputs, *grid), ``individual``
        (n_outputs, n_samples, *grid), plus ``model_calls``, ``rows_evaluated``.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import partial_dependence
    >>> X = np.column_stack([np.linspace(0, 1, 50), np.linspace(2, 3, 50) ** 2])
    >>> pd_ = partial_dependence(lambda A: 2 * A[:, 0] + A[:, 1], X, [0], grid_resolution=5)
    >>> pd_.grid_values[0].round(3).tolist()
    [0.039, 0.269, 0.5, 0.731, 0.961]
    >>> bool(np.allclose(np.diff(pd_.average[0]), 2 * np.diff(pd_.grid_values[0])))
    True
    """
    Xa, names, columns = _matrix(X)
    if isinstance(features, (str, int, np.integer)):
        features = [features]
    idx = [_column_index(f, names, "features") for f in features]
    if len(tuple(percentiles)) != 2:
        raise InvalidArgumentError(
            f"percentiles: expected two values (low, high), found {tuple(percentiles)!r}"
        )
    if kind not in ("average", "individual", "both"):
        raise InvalidArgumentError(
            f"kind: expected 'average', 'individual' or 'both', found {kind!r}"
        )
    if isinstance(grid_resolution, bool) or not isinstance(grid_resolution, (int, np.integer)):
        raise InvalidArgumentError(f"grid_resolution: expected an int, found {grid_resolution!r}")
    methods, classifier = _response(model, response_method)
    resolved = _resolve(model, Xa, columns, methods)
    outputs = _outputs(resolved, classifier)
    cats = set()
    if categorical_features is not None:
        cats = {_column_index(c, names, "categorical_features") for c in categorical_features}
    custom: dict[int, list[float]] = {}
    for key, values in (custom_values or {}).items():
        custom[_column_index(key, names, "custom_values")] = [
            float(v) for v in np.asarray(values, dtype=np.float64).ravel()
        ]
    options = {
        "features": idx,
        "percentiles": [float(percentiles[0]), float(percentiles[1])],
        "grid_resolution": int(grid_resolution),
        "kind": kind,
        "categorical": [j in cats for j in idx],
        "custom_values": [custom.get(j) for j in idx],
        "outputs": outputs,
        "feature_names": names,
        "max_batch_elements": _batch(resolved),
    }
    weights = _inputs.weights(sample_weight, len(Xa))
    text = _core.partial_dependence(resolved.model, Xa, json.dumps(options), weights)
    result = PartialDependenceResult(json.loads(text))
    result.model_used = resolved.method
    return result


# ---------------------------------------------------------------- ALE


class AccumulatedLocalEffects(Report):
    """First-order ALE of one feature.

    Attributes
    ----------
    edges : ndarray of shape (n_bins + 1,)
    ale : ndarray of shape (n_outputs, n_bins + 1)
        The centred effect at each edge.
    local_effects : ndarray of shape (n_outputs, n_bins)
        Mean prediction difference across each bin.
    counts : ndarray of shape (n_bins,)
    centring : ndarray of shape (n_outputs,)
    feature, feature_name, outputs, warnings, model_calls, rows_evaluated, model_used
    """

    _kind = "ale"

    model_used: str = ""

    def __init__(self, report: dict[str, Any]) -> None:
        self._report = report
        self.edges = np.asarray(report["edges"], dtype=np.float64)
        k = len(report["outputs"])
        self.ale = _array(report["ale"]).reshape(k, -1)
        self.local_effects = _array(report["local_effects"]).reshape(k, -1)
        self.counts = np.asarray(report["counts"], dtype=np.int64)
        self.centring = _array(report["centring"])
        self.feature: int = int(report["feature"])
        self.feature_name: str = report["feature_name"]
        self.outputs: list[int] = list(report["outputs"])
        self.warnings: list[str] = list(report["warnings"])
        self.model_calls = int(report["model_calls"])
        self.rows_evaluated = int(report["rows_evaluated"])

    def to_pandas(self) -> pd.DataFrame:
        """One row per (output, edge): the edge value and the centred effect."""
        frames = [
            pd.DataFrame({"output": out, self.feature_name: self.edges, "ale": self.ale[k]})
            for k, out in enumerate(self.outputs)
        ]
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax: Any = None, **kw: Any) -> Any:
        """The ALE curve (needs matplotlib); see :func:`aequa.plot.accumulated_local_effects`."""
        from aequa.plot.explain import accumulated_local_effects

        return accumulated_local_effects(self, ax, **kw)

    def __repr__(self) -> str:
        return (
            f"AccumulatedLocalEffects(feature={self.feature_name!r}, bins={len(self.counts)}, "
            f"model_calls={self.model_calls})"
        )


def accumulated_local_effects(
    model: Any,
    X: Any,
    feature: Any,
    *,
    bins: int | Sequence[float] = 20,
    response_method: str = "auto",
) -> AccumulatedLocalEffects:
    """Accumulated local effects (Apley & Zhu 2020) of one feature.

    Quantile bins of the feature; in each bin the mean change of the prediction when the
    feature moves from the bin's lower to its upper edge (every row keeping its other
    features); accumulated over the bins and centred so the curve averages to zero over the
    data. Unlike partial dependence, it never evaluates the model on unlikely combinations of
    correlated features. The definition is spelled out in ``aequa_core::explain::ale``.

    Parameters
    ----------
    model : NativeModel, estimator or callable
        As in :func:`partial_dependence` (a binary classifier's positive class only).
    X : array-like or DataFrame of shape (n_samples, n_features)
    feature : int or str
    bins : int or sequence of float, default=20
        The number of quantile bins, or explicit increasing edges.
    response_method : {"auto", "predict", "predict_proba", "decision_function"}

    Returns
    -------
    AccumulatedLocalEffects

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import accumulated_local_effects
    >>> X = np.random.default_rng(0).normal(size=(300, 2))
    >>> ale = accumulated_local_effects(lambda A: 2 * A[:, 0] - A[:, 1], X, 0, bins=10)
    >>> bool(np.allclose(np.diff(ale.ale[0]), 2 * np.diff(ale.edges)))
    True
    """
    Xa, names, columns = _matrix(X)
    j = _column_index(feature, names, "feature")
    methods, classifier = _response(model, response_method)
    resolved = _resolve(model, Xa, columns, methods)
    outputs = _outputs(resolved, classifier)
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        bins_json: Any = int(bins)
    else:
        bins_json = [float(v) for v in np.asarray(bins, dtype=np.float64).ravel()]
    options = {"feature": j, "bins": bins_json, "outputs": outputs, "feature_names": names}
    text = _core.accumulated_local_effects(resolved.model, Xa, json.dumps(options))
    result = AccumulatedLocalEffects(json.loads(text))
    result.model_used = resolved.method
    return result


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _array(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _array2(rows: list[list[Any]]) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float64)
