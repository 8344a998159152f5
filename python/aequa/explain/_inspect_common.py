"""What permutation importance, partial dependence and ALE share: the input matrix, seeds,
column lookup, how the model runs (a NativeModel, an estimator's native twin, or a Python
callable with one GIL acquisition per batch) and the JSON-to-array helpers."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np
import pandas as pd

from aequa import _core
from aequa._core import InvalidArgumentError

# Values (rows x columns) per model call. A Python model gets few, large batches (each call
# crosses into Python); a native one moderate batches (all repeats of a feature when they fit
# in a few MiB) spread over the cores: one giant batch is memory-bound and several times slower.
_PYTHON_BATCH = 1 << 23
_NATIVE_BATCH = 1 << 19


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


def _native_converter() -> Callable[..., Any] | None:
    """``aequa.explain._models.to_native`` when this build has it."""
    try:
        from aequa.explain._models import to_native  # type: ignore[import-not-found]
    except ImportError:
        return None
    return to_native  # type: ignore[no-any-return]


# The native output that reproduces an estimator method (``predict``: the model's default).
_NATIVE_OUTPUT = {"predict_proba": "probability", "decision_function": "raw"}


def _to_native(
    model: Any,
    method: str,
    probe: np.ndarray,
    expected: np.ndarray,
    encode: Callable[[Any], np.ndarray] | None,
    to_native: Callable[..., Any],
) -> Any:
    """The native twin of an estimator when ``to_native`` supports it AND its output on a
    probe equals ``expected`` (the estimator's own ``method``); otherwise None. The model's
    default output is tried first, then the output ``method`` stands for (``predict_proba`` of
    a logistic regression: probabilities, where its default is the log-odds)."""
    output = _NATIVE_OUTPUT.get(method)
    for kwargs in ({}, {"output": output}) if output is not None else ({},):
        try:
            native = to_native(model, **kwargs)
            got = np.asarray(native.predict(probe), dtype=np.float64)
        except (TypeError, ValueError, NotImplementedError, AttributeError):
            continue
        if _matches(model, method, got, expected.reshape(len(probe), -1), encode):
            return native
    return None


def _matches(
    model: Any,
    method: str,
    got: np.ndarray,
    want: np.ndarray,
    encode: Callable[[Any], np.ndarray] | None,
) -> bool:
    """Whether native outputs ``got`` reproduce ``want``, the estimator's ``method``."""
    if method == "predict" and _is_classifier(model) and got.ndim == 2 and got.shape[1] > 1:
        labels = np.asarray(model.classes_)[np.argmax(got, axis=1)]
        labels = encode(labels) if encode is not None else labels.astype(np.float64)
        return bool(np.array_equal(labels, want[:, 0]))
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-9, atol=1e-12))


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


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _array(values: list[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _array2(rows: list[list[Any]]) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float64)
