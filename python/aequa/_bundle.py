"""The dashboard bundle: one JSON document carrying reports, lineage and the slider's data.

See the bundle contract in ``ARCHITECTURE.md``. :func:`make_bundle` builds it,
:func:`bundle_json` serialises it safely for an HTML ``<script>`` element.

An entry of ``reports`` is ``{"kind", "title", "report"}``; an ``explanation`` entry may also
carry ``"data"``, the explained rows (SHAP's ``Explanation.data``, see :func:`explained_rows`),
which the dashboard's beeswarm colours its points by. Bundles without it still load (grey
points).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from aequa.report import Report

KINDS = (
    "metric_frame",
    "explanation",
    "permutation_importance",
    "partial_dependence",
    "ale",
    "drift",
    "noise_stability",
    "sensitive_flip",
    "attack",
)

TITLES = {
    "metric_frame": "Fairness by group",
    "explanation": "Explanation (SHAP values)",
    "permutation_importance": "Permutation importance",
    "partial_dependence": "Partial dependence",
    "ale": "Accumulated local effects",
    "drift": "Drift",
    "noise_stability": "Robustness to noise",
    "sensitive_flip": "Sensitive-attribute flips",
    "attack": "Adversarial attack",
}


def make_bundle(
    reports: Sequence[Report],
    *,
    title: str | None = None,
    data: dict[str, Any] | None = None,
    lineage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A bundle of ``reports`` (each a :class:`aequa.report.Report` with a ``_kind``)."""
    from aequa import __version__

    entries = []
    for r in reports:
        kind = getattr(r, "_kind", "")
        if kind not in KINDS:
            raise TypeError(f"{type(r).__name__} has no dashboard kind (expected one of {KINDS})")
        entries.append(
            {"kind": kind, "title": TITLES[kind], "report": r.report, **r._bundle_extra()}
        )
    if title is None:
        title = entries[0]["title"] if len(entries) == 1 else "aequa audit"
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    return {
        "schema": "aequa.bundle",
        "schema_version": 1,
        "title": title,
        "created": now.isoformat().replace("+00:00", "Z"),
        "aequa_version": __version__,
        "lineage": lineage,
        "reports": entries,
        "data": data,
    }


def frame_data(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    pos_label: float | None,
    threshold: float | None,
    sensitive: Sequence[tuple[str, np.ndarray, list[str]]],
) -> dict[str, Any] | None:
    """A MetricFrame's columns for the bundle's ``data`` (``None`` when names collide).

    ``y_pred`` is the score column when ``threshold`` is set, the prediction column otherwise;
    each sensitive column holds its level labels (as the report writes them), row by row.
    """
    label, scored = "y_true", "y_pred"
    names = [name for name, _, _ in sensitive]
    if label in names or scored in names:
        return None
    columns: dict[str, Any] = {
        label: np.asarray(y_true, dtype=np.float64).tolist(),
        scored: np.asarray(y_pred, dtype=np.float64).tolist(),
    }
    for name, codes, levels in sensitive:
        columns[name] = np.asarray(levels, dtype=object)[np.asarray(codes)].tolist()
    return {
        "label": label,
        "score": scored if threshold is not None else None,
        "prediction": None if threshold is not None else scored,
        "threshold": threshold,
        "pos_label": pos_label,
        "sensitive": names,
        "columns": columns,
    }


def explained_rows(data: Any, feature_names: Sequence[str], rows: int) -> dict[str, Any]:
    """An Explanation's explained rows as its bundle entry's ``data``.

    ``{"values": [[x, ...], ...], "non_numeric": [name, ...]}``: one list per row holding one
    JSON number per feature, ``null`` where the value is missing (NaN, None, ±inf) or where its
    feature is not numeric (text, categories of text, dates); ``non_numeric`` names those
    features. Booleans count as numbers (0 and 1).

    Examples
    --------
    >>> import numpy as np
    >>> explained_rows(np.array([[1.5, "a"], [np.nan, "b"]], dtype=object), ["x", "g"], 2)
    {'values': [[1.5, None], [None, None]], 'non_numeric': ['g']}
    """
    features = len(feature_names)
    if hasattr(data, "iloc") and getattr(data, "ndim", 0) == 2:  # a pandas DataFrame
        shape = tuple(data.shape)
        columns = [data.iloc[:, j].to_numpy() for j in range(shape[1])]
    else:
        arr = np.asarray(data)
        shape = arr.shape
        columns = [arr[:, j] for j in range(shape[1])] if arr.ndim == 2 else []
    if shape != (rows, features):
        from aequa._core import InvalidArgumentError

        raise InvalidArgumentError(
            f"data: expected the explained rows, shape ({rows}, {features}) like the "
            f"explanation's values, found shape {shape}; set Explanation.data to the rows "
            "that were explained (or to None)"
        )
    matrix = np.full((rows, features), np.nan)
    non_numeric = []
    for j, column in enumerate(columns):
        numbers = _numeric(column)
        if numbers is None:
            non_numeric.append(str(feature_names[j]))
        else:
            matrix[:, j] = numbers
    values = [[v if math.isfinite(v) else None for v in row] for row in matrix.tolist()]
    return {"values": values, "non_numeric": non_numeric}


def _numeric(column: np.ndarray) -> np.ndarray | None:
    """The column as float64 (missing values NaN), or None when it holds non-numbers."""
    if column.dtype.kind in "biuf":
        return column.astype(np.float64)
    if column.dtype.kind != "O":  # text, dates, durations, complex numbers
        return None
    import pandas as pd

    out = np.empty(len(column))
    for i, v in enumerate(column):
        if isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)):
            out[i] = float(v)
        elif v is None or v is pd.NA or v is pd.NaT:
            out[i] = np.nan
        else:
            return None
    return out


def bundle_json(bundle: dict[str, Any]) -> str:
    """The bundle as JSON text safe inside an HTML ``<script>`` element.

    Every ``<``, ``>`` and ``&`` is written as a JSON ``\\u`` escape, so no ``</script>`` or
    ``<!--`` can end the element early; ``JSON.parse`` reads back the same text. NaN is written
    as ``null``, as reports write an undefined value.

    Examples
    --------
    >>> bundle_json({"title": "</script><b>"})
    '{"title": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    try:
        text = json.dumps(bundle, allow_nan=False, ensure_ascii=False)
    except ValueError:  # a NaN somewhere (e.g. a custom metric): JSON null, as reports write it
        text = json.dumps(_nan_to_null(bundle), allow_nan=False, ensure_ascii=False)
    for ch, esc in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(ch, esc)
    # U+2028/2029 are valid in JSON but end a line in older JS engines.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _nan_to_null(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _nan_to_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_null(v) for v in value]
    return value
