"""The dashboard bundle: one JSON document carrying reports, lineage and the slider's data.

See the bundle contract in ``ARCHITECTURE.md``. :func:`make_bundle` builds it,
:func:`bundle_json` serialises it safely for an HTML ``<script>`` element.
"""

from __future__ import annotations

import datetime as _dt
import json
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
        entries.append({"kind": kind, "title": TITLES[kind], "report": r.report})
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
