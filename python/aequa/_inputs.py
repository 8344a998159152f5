"""Turn what users hold (lists, numpy, pandas, polars, pyarrow) into what the core takes.

Numeric columns pass through without a copy where their dtype is one the core reads
(float64, float32, int64, int32, bool). Grouping features become sorted level codes, in the
order pandas' ``groupby`` (and so Fairlearn) sorts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aequa._core import InvalidArgumentError, LengthMismatchError

_NATIVE = (np.float64, np.float32, np.int64, np.int32, np.bool_)


def to_numpy(x: Any, argument: str) -> np.ndarray:
    """A 1-D numpy view of a column-like object (no copy where avoidable)."""
    if x is None:
        raise InvalidArgumentError(f"{argument}: expected an array of values, found None")
    module = type(x).__module__.split(".")[0]
    if module == "polars":
        x = x.to_numpy()
    elif module == "pyarrow":
        x = x.to_numpy(zero_copy_only=False)
    if isinstance(x, (pd.Series, pd.Index)):
        if x.hasnans and not pd.api.types.is_float_dtype(x.dtype):
            bad = int(np.flatnonzero(pd.isna(np.asarray(x, dtype=object)))[0])
            raise InvalidArgumentError(
                f"{argument}: found a missing value at row {bad}; drop or impute missing values"
            )
        if isinstance(x.dtype, pd.CategoricalDtype):
            x = np.asarray(x.astype(object))
        else:
            x = x.to_numpy()
    arr = np.asarray(x)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise InvalidArgumentError(
            f"{argument}: expected a 1-D array (one value per row), found shape {arr.shape}"
        )
    return arr


def numeric(x: Any, argument: str) -> np.ndarray:
    """A numeric 1-D column in a dtype the core reads."""
    arr = to_numpy(x, argument)
    if arr.dtype.type in _NATIVE:
        return arr
    if arr.dtype.kind in "iuf":
        return arr.astype(np.float64)
    if arr.dtype == object:
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError):
            pass
    raise InvalidArgumentError(
        f"{argument}: expected numbers, found dtype {arr.dtype} (e.g. {arr[:3].tolist()!r}); "
        "for text labels pass pos_label=... so they can be mapped to 1/0"
    )


def labels(
    y_true: Any, y_pred: Any, pos_label: Any, threshold: float | None
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """Labels and predictions as numeric columns, plus the numeric positive label.

    Text labels (e.g. ``">50K"``) are mapped to 1 (``pos_label``) and 0 (the other label).
    """
    t = to_numpy(y_true, "y_true")
    p = to_numpy(y_pred, "y_pred")
    if len(t) != len(p):
        raise LengthMismatchError(
            f"y_pred: expected {len(t)} rows (the length of y_true), found {len(p)}; "
            "all inputs must have one entry per row"
        )
    text_t = t.dtype.kind in "OUS" and not _all_numbers(t)
    text_p = p.dtype.kind in "OUS" and not _all_numbers(p)
    if threshold is not None and text_p:
        raise InvalidArgumentError(
            f"y_pred: a threshold needs numeric scores, found text such as {p[:3].tolist()!r}"
        )
    if text_t != text_p and threshold is None:
        text, nums = ("y_pred", "y_true") if text_p else ("y_true", "y_pred")
        sample = (p if text_p else t)[:3].tolist()
        raise InvalidArgumentError(
            f"{text}: holds text labels (e.g. {sample!r}) but {nums} holds numbers; "
            "use the same labels in both"
        )
    if not (text_t or text_p):
        return numeric(t, "y_true"), numeric(p, "y_pred"), _as_float(pos_label, "pos_label")
    if pos_label is None:
        raise InvalidArgumentError(
            "pos_label: labels are text, so the positive label is ambiguous; pass pos_label=..."
        )
    seen = pd.unique(np.concatenate([t, p]) if text_p else t)
    if len(seen) > 2:
        shown = ", ".join(repr(_plain(v)) for v in seen[:3])
        raise InvalidArgumentError(
            f"y_true: binary metrics need at most two distinct labels, found {shown}, ...; "
            "for multiclass labels pass multiclass='ovr' (one-vs-rest)"
        )
    if pos_label not in set(seen):
        shown = ", ".join(repr(_plain(v)) for v in seen)
        raise InvalidArgumentError(
            f"pos_label: {pos_label!r} does not occur in the labels ({shown})"
        )
    t01 = (t == pos_label).astype(np.float64)
    p01 = (p == pos_label).astype(np.float64) if text_p else numeric(p, "y_pred")
    return t01, p01, 1.0


def _all_numbers(a: np.ndarray) -> bool:
    if a.dtype.kind in "US":
        return False
    return all(isinstance(v, (int, float, np.number, bool, np.bool_)) for v in a[:1000])


def _as_float(v: Any, argument: str) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"{argument}: expected a number that occurs in the data, found {v!r}"
        ) from None
    if not np.isfinite(f):
        raise InvalidArgumentError(f"{argument}: expected a finite number, found {v!r}")
    return f


def finite_or_none(v: Any, argument: str) -> float | None:
    """An optional finite number option (``threshold``), checked before it reaches the core."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        raise InvalidArgumentError(f"{argument}: expected a number, found {v!r}")
    return _as_float(v, argument)


def class_codes(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Multiclass labels as float class codes over the sorted union of both columns."""
    if len(y_true) != len(y_pred):
        raise LengthMismatchError(
            f"y_pred: expected {len(y_true)} rows (the length of y_true), found {len(y_pred)}; "
            "all inputs must have one entry per row"
        )
    both = np.concatenate([np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)])
    if pd.isna(both).any():
        raise InvalidArgumentError("y_true, y_pred: found missing labels; drop those rows")
    try:
        codes, classes = pd.factorize(both, sort=True)
    except TypeError:
        codes, classes = pd.factorize(both.astype(str), sort=True)
    codes = codes.astype(np.float64)
    n = len(y_true)
    return codes[:n], codes[n:], [_plain(c) for c in classes]


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def weights(w: Any, n: int) -> np.ndarray | None:
    """Sample weights as float64 (validated in the core)."""
    if w is None:
        return None
    arr = numeric(w, "sample_weight").astype(np.float64, copy=False)
    if len(arr) != n:
        raise LengthMismatchError(
            f"sample_weight: expected {n} rows (the length of y_true), found {len(arr)}; "
            "all inputs must have one entry per row"
        )
    return arr


@dataclass
class Grouping:
    """One grouping feature: its name, per-row codes, and its level values."""

    name: str
    codes: np.ndarray
    levels: list[Any]

    def for_core(self) -> tuple[str, np.ndarray, list[str]]:
        return self.name, self.codes, [level_label(v) for v in self.levels]


def level_label(v: Any) -> str:
    """A level as text, written as JavaScript's ``String(v)`` writes it (``1`` for ``1.0``), so
    reports are byte-identical in Python and the browser."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer() and abs(v) < 1e21:
        return str(int(v))
    return str(v)


def groupings(features: Any, n: int, base_name: str, argument: str) -> list[Grouping]:
    """Split a features argument into named columns and encode each."""
    columns = _columns(features, base_name, argument)
    if not columns:
        raise InvalidArgumentError(f"{argument}: expected at least one column, found none")
    out = []
    seen: set[str] = set()
    for name, values in columns:
        if name in seen:
            raise InvalidArgumentError(f"{argument}: duplicate feature name '{name}'")
        seen.add(name)
        values = _as_series(values)
        if isinstance(values, pd.Series):
            if len(values) != n:
                raise LengthMismatchError(
                    f"{argument} column '{name}': expected {n} rows (the length of y_true), "
                    f"found {len(values)}; all inputs must have one entry per row"
                )
            if isinstance(values.dtype, pd.CategoricalDtype):
                out.append(_encode_categorical(values, name, argument))
            else:
                out.append(_encode_series(values, name, argument))
            continue
        arr = to_numpy(values, f"{argument} column '{name}'")
        if len(arr) != n:
            raise LengthMismatchError(
                f"{argument} column '{name}': expected {n} rows (the length of y_true), "
                f"found {len(arr)}; all inputs must have one entry per row"
            )
        out.append(encode(arr, name, argument))
    return out


def _columns(features: Any, base_name: str, argument: str) -> list[tuple[str, Any]]:
    module = type(features).__module__.split(".")[0]
    if module == "polars" and hasattr(features, "columns"):
        return [(str(c), features[c]) for c in features.columns]
    if module == "pyarrow" and hasattr(features, "column_names"):
        return [(str(c), features.column(c)) for c in features.column_names]
    if isinstance(features, pd.DataFrame):
        return [(_name(c, argument), features[c]) for c in features.columns]
    if isinstance(features, Mapping):
        return [(_name(k, argument), v) for k, v in features.items()]
    if isinstance(features, pd.Series) or module in ("polars", "pyarrow"):
        name = getattr(features, "name", None) or getattr(features, "_name", None)
        return [(str(name) if name is not None else f"{base_name}0", features)]
    if isinstance(features, np.ndarray) and features.dtype != object:
        arr = features  # numeric or text arrays stay unboxed
    else:
        arr = np.asarray(features, dtype=object)
    if arr.ndim == 1:
        return [(f"{base_name}0", arr)]
    if arr.ndim == 2:
        return [(f"{base_name}{i}", arr[:, i]) for i in range(arr.shape[1])]
    raise InvalidArgumentError(f"{argument}: expected 1-D or 2-D data, found shape {arr.shape}")


def _name(c: Any, argument: str) -> str:
    if not isinstance(c, str):
        raise InvalidArgumentError(
            f"{argument}: column names must be strings, found {c!r} of type {type(c).__name__}"
        )
    return c


def encode(arr: np.ndarray, name: str, argument: str) -> Grouping:
    """Sorted level codes of one grouping column; missing values are an error."""
    missing = pd.isna(arr) if arr.dtype.kind in "Of" else None
    if missing is not None and missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidArgumentError(
            f"{argument} column '{name}': found a missing value at row {row}; "
            "fill it with an explicit level (e.g. 'unknown') or drop those rows"
        )
    try:
        codes, uniques = pd.factorize(arr, sort=True)
    except TypeError:  # unorderable mix of types: order by text
        codes, uniques = pd.factorize(arr.astype(str), sort=True)
    levels = list(uniques.tolist() if hasattr(uniques, "tolist") else uniques)
    return Grouping(name, codes.astype(np.uint32), levels)


def _encode_categorical(values: pd.Series, name: str, argument: str) -> Grouping:
    """Categorical columns keep their codes: only observed categories, sorted by value."""
    codes = values.cat.codes.to_numpy()
    if (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise InvalidArgumentError(
            f"{argument} column '{name}': found a missing value at row {row}; "
            "fill it with an explicit level (e.g. 'unknown') or drop those rows"
        )
    categories = list(values.cat.categories)
    observed = np.flatnonzero(np.bincount(codes, minlength=len(categories)) > 0)
    try:
        order = sorted(observed, key=lambda i: categories[i])
    except TypeError:
        order = sorted(observed, key=lambda i: str(categories[i]))
    remap = np.zeros(len(categories), dtype=np.uint32)
    remap[order] = np.arange(len(order), dtype=np.uint32)
    return Grouping(name, remap[codes], [categories[i] for i in order])


def _as_series(values: Any) -> Any:
    """Polars and pyarrow columns as pandas Series backed by the same Arrow memory, so text
    columns are never turned into Python objects."""
    module = type(values).__module__.split(".")[0]
    if module == "polars" and hasattr(values, "to_arrow"):
        values = values.to_arrow()
        module = "pyarrow"
    if module == "pyarrow" and hasattr(values, "type"):
        return pd.Series(pd.arrays.ArrowExtensionArray(values))
    return values


def _encode_series(values: pd.Series, name: str, argument: str) -> Grouping:
    """Factorize a Series in its own storage (Arrow strings, numbers) without boxing."""
    missing = values.isna()
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise InvalidArgumentError(
            f"{argument} column '{name}': found a missing value at row {row}; "
            "fill it with an explicit level (e.g. 'unknown') or drop those rows"
        )
    arrow = _encode_arrow(values, name)
    if arrow is not None:
        return arrow
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # unorderable mix of types: order by text
        codes, uniques = pd.factorize(values.astype(str), sort=True)
    levels = [_plain(v) for v in uniques.tolist()]
    return Grouping(name, codes.astype(np.uint32), levels)


def _encode_arrow(values: pd.Series, name: str) -> Grouping | None:
    """Arrow-backed columns (pandas' default strings, polars, pyarrow): dictionary-encode in
    Arrow, then sort the (few) levels — several times faster than ``pd.factorize``."""
    to_arrow = getattr(values.array, "__arrow_array__", None)
    if to_arrow is None:
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = to_arrow()
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        encoded = pc.dictionary_encode(arr)
        levels = encoded.dictionary.to_pylist()
        order = sorted(range(len(levels)), key=lambda i: levels[i])
    except Exception:  # any type Arrow or sorting cannot handle: use pandas instead
        return None
    remap = np.empty(len(levels), dtype=np.uint32)
    remap[order] = np.arange(len(levels), dtype=np.uint32)
    codes = remap[encoded.indices.to_numpy(zero_copy_only=False)]
    return Grouping(name, codes, [levels[i] for i in order])
