"""Audits: several reports, their lineage and optionally the data, as one dashboard bundle.

An :class:`Audit` is what the ``aequa audit`` command writes and what the dashboard, the HTML
export and the notebook widget read: the *bundle* (``{"schema": "aequa.bundle", ...}``) with
one entry per report (its kind, a title and the report's core JSON), the lineage that produced
it and, optionally, the columns the dashboard's threshold slider recomputes metrics from.

Lineage (:func:`lineage`) records *what* was audited so two reports can be told apart: a
fingerprint of the model (:func:`model_fingerprint`), a fingerprint of the data
(:func:`data_fingerprint`), the library version, the parameters, the seed and the time.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import pickle
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aequa._core import InvalidArgumentError
from aequa._core import __version__ as _version
from aequa.report import Report

__all__ = ["Audit", "lineage", "model_fingerprint", "data_fingerprint", "DataFingerprint"]

BUNDLE_SCHEMA = "aequa.bundle"
BUNDLE_VERSION = 1

# Report classes that predate the `_kind` class attribute, by class name.
_KIND_BY_CLASS = {
    "MetricFrame": "metric_frame",
    "Explanation": "explanation",
    "PermutationImportance": "permutation_importance",
    "PartialDependence": "partial_dependence",
    "AccumulatedLocalEffects": "ale",
    "DriftReport": "drift",
    "NoiseStabilityReport": "noise_stability",
    "SensitiveFlipReport": "sensitive_flip",
    "AttackReport": "attack",
}
KINDS = frozenset(_KIND_BY_CLASS.values())


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kind_of(report: Report) -> str:
    kind = getattr(report, "_kind", None) or _KIND_BY_CLASS.get(type(report).__name__)
    if kind is None:
        kind = report.report.get("kind") if isinstance(report.report, dict) else None
    if kind not in KINDS:
        raise InvalidArgumentError(
            f"reports: cannot tell the kind of a {type(report).__name__}; expected one of "
            f"{sorted(KINDS)}"
        )
    return str(kind)


# ----- fingerprints -------------------------------------------------------------------------
class DataFingerprint:
    """A streamed sha256 of a table: column names, dtypes and values, chunk by chunk.

    Each column has its own hash, fed chunk after chunk, so the result does not depend on how
    the rows were split into chunks. Values are hashed as Arrow sees them: numbers and booleans
    as their little-endian bytes (nulls as a validity mask plus zeros), everything else as
    UTF-8 text with each value's length; the validity of every value is hashed as one byte.

    Examples
    --------
    >>> import pyarrow as pa
    >>> fp = DataFingerprint()
    >>> fp.update(pa.record_batch({"x": [1, 2], "g": ["a", "b"]}))
    >>> fp.update(pa.record_batch({"x": [3], "g": ["a"]}))
    >>> whole = DataFingerprint()
    >>> whole.update(pa.record_batch({"x": [1, 2, 3], "g": ["a", "b", "a"]}))
    >>> fp.hexdigest() == whole.hexdigest(), fp.rows
    (True, 3)
    """

    def __init__(self) -> None:
        self._names: list[str] | None = None
        self._types: list[str] = []
        self._hashes: list[Any] = []
        self.rows = 0

    def update(self, batch: Any) -> None:
        """Add a ``pyarrow.RecordBatch`` (or ``Table``) with the same columns as before."""
        import pyarrow as pa

        if isinstance(batch, pa.Table):
            for b in batch.to_batches():
                self.update(b)
            return
        names = list(batch.schema.names)
        types = [str(t) for t in batch.schema.types]
        if self._names is None:
            self._names, self._types = names, types
            # Per column: validity, value lengths (text) and value bytes, each its own stream.
            self._hashes = [tuple(hashlib.sha256() for _ in range(3)) for _ in names]
        elif names != self._names:
            raise InvalidArgumentError(
                f"data: a chunk has columns {names}, expected {self._names} as before"
            )
        for h, col in zip(self._hashes, batch.columns):
            _hash_column(h, col)
        self.rows += batch.num_rows

    @property
    def columns(self) -> list[str]:
        """The column names."""
        return list(self._names or [])

    def hexdigest(self) -> str:
        """``sha256:<hex>`` over the names, the dtypes and each column's hash."""
        top = hashlib.sha256()
        top.update(json.dumps([self._names or [], self._types]).encode())
        for streams in self._hashes:
            for h in streams:
                top.update(h.digest())
        return "sha256:" + top.hexdigest()

    def summary(self) -> dict[str, Any]:
        """The bundle's ``lineage.data`` entry."""
        return {"fingerprint": self.hexdigest(), "rows": self.rows, "columns": self.columns}


def _hash_column(streams: tuple[Any, Any, Any], col: Any) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    t = col.type
    valid, lengths, h = streams
    valid.update(col.is_valid().to_numpy(zero_copy_only=False).astype(np.uint8).tobytes())
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        filled = col.fill_null(False if pa.types.is_boolean(t) else 0)
        values = filled.to_numpy(zero_copy_only=False)
        h.update(np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<")).tobytes())
        return
    text = pc.fill_null(col.cast(pa.large_string()), "")
    offsets = np.frombuffer(text.buffers()[1], dtype="<i8")[
        text.offset : text.offset + len(text) + 1
    ]
    lengths.update(np.diff(offsets).tobytes())
    data = text.buffers()[2]
    if data is not None and len(offsets):
        h.update(memoryview(data)[int(offsets[0]) : int(offsets[-1])])


def data_fingerprint(data: Any) -> dict[str, Any]:
    """The lineage entry of a data set: ``{"fingerprint", "rows", "columns"}``.

    Parameters
    ----------
    data : DataFrame (pandas, polars), pyarrow Table, mapping of columns or 2-D array
        Hashed over column names, dtypes and values (see :class:`DataFingerprint`).

    Examples
    --------
    >>> import pandas as pd
    >>> a = data_fingerprint(pd.DataFrame({"x": [1, 2], "g": ["a", "b"]}))
    >>> b = data_fingerprint(pd.DataFrame({"x": [1, 3], "g": ["a", "b"]}))
    >>> a["rows"], a["columns"], a["fingerprint"] == b["fingerprint"]
    (2, ['x', 'g'], False)
    """
    import pyarrow as pa

    fp = DataFingerprint()
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        table = data
    elif isinstance(data, pd.DataFrame):
        table = pa.Table.from_pandas(data, preserve_index=False)
    elif hasattr(data, "to_arrow"):  # polars
        table = data.to_arrow()
    elif isinstance(data, Mapping):
        table = pa.table({str(k): np.asarray(v) for k, v in data.items()})
    else:
        arr = np.asarray(data)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise InvalidArgumentError(f"data: expected a table or a 2-D array, found {arr.ndim}-D")
        table = pa.table({f"x{i}": arr[:, i] for i in range(arr.shape[1])})
    fp.update(table)
    return fp.summary()


def model_fingerprint(model: Any) -> dict[str, Any]:
    """The lineage entry of a model: ``{"fingerprint": "sha256:…", "kind": …, "method": …}``.

    ``method`` says what was hashed: ``"native_json"`` (the native model's JSON — the fitted
    parameters, exactly; used for ``NativeModel`` and for every estimator aequa converts),
    ``"pickle"`` (the pickled estimator: its parameters and fitted state, stable for one
    library version) or ``"repr"`` (the text of ``repr(model)``: hyper-parameters only, a last
    resort for objects that cannot be pickled).

    Examples
    --------
    >>> from aequa._core import NativeModel
    >>> m = NativeModel('{"kind": "linear", "coef": {"v": 1, "dim": [1, 1], "data": [2.0]},'
    ...                 ' "intercept": {"v": 1, "dim": [1], "data": [0.0]}, "link": "identity"}')
    >>> fp = model_fingerprint(m)
    >>> fp["kind"], fp["method"], fp["fingerprint"][:7]
    ('linear', 'native_json', 'sha256:')
    """
    from aequa._core import NativeModel

    native = model if isinstance(model, NativeModel) else None
    if native is None:
        try:
            from aequa.explain import to_native

            native = to_native(model)
        except Exception:  # noqa: BLE001 - any model aequa cannot convert is hashed otherwise
            native = None
    if native is not None:
        text = native.to_json()
        kind = str(json.loads(text).get("kind", "native"))
        if native is not model:
            kind = f"{type(model).__name__} ({kind})"
        return {"fingerprint": _sha(text.encode()), "kind": kind, "method": "native_json"}
    try:
        blob, method = pickle.dumps(model, protocol=4), "pickle"
    except Exception:  # noqa: BLE001 - unpicklable objects fall back to their repr
        blob, method = repr(model).encode(), "repr"
    return {"fingerprint": _sha(blob), "kind": type(model).__name__, "method": method}


def _sha(blob: bytes) -> str:
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def lineage(
    *,
    model: Any = None,
    data: Any = None,
    parameters: Mapping[str, Any] | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """What produced a report: model and data fingerprints, parameters, seed, version, time.

    Parameters
    ----------
    model : NativeModel, estimator, or a precomputed ``model_fingerprint`` dict, optional
    data : table, or a precomputed ``data_fingerprint`` dict, optional
    parameters : dict, optional
        The options that produced the report (JSON-serialisable).
    seed : int, optional
        The seed of any random procedure.

    Examples
    --------
    >>> lin = lineage(data={"x": [1, 2]}, parameters={"metrics": ["selection_rate"]}, seed=0)
    >>> sorted(lin)
    ['created', 'data', 'library_version', 'model', 'parameters', 'seed']
    >>> lin["data"]["rows"], lin["model"]
    (2, None)
    """

    def entry(x: Any, make: Any) -> Any:
        if x is None:
            return None
        if isinstance(x, Mapping) and "fingerprint" in x:
            return dict(x)
        return make(x)

    return {
        "model": entry(model, model_fingerprint),
        "data": entry(data, data_fingerprint),
        "parameters": json.loads(json.dumps(dict(parameters or {}), default=str)),
        "seed": None if seed is None else int(seed),
        "library_version": _version,
        "created": _now(),
    }


# ----- the bundle ---------------------------------------------------------------------------
class Audit(Report):
    """Several reports, their lineage and optionally the data: one dashboard bundle.

    Parameters
    ----------
    reports : list of Report or of (title, Report), or dict {title: Report}
        The reports (MetricFrame, Explanation, DriftReport, NoiseStabilityReport, ...).
    title : str
        The bundle's title.
    lineage : dict, optional
        From :func:`lineage`.
    data : dict, optional
        The dashboard's data: ``{"label", "score", "prediction", "threshold", "pos_label",
        "sensitive", "columns": {name: [values]}}`` (see :meth:`data_entry`).

    Examples
    --------
    >>> import aequa
    >>> from aequa.audit import Audit
    >>> mf = aequa.MetricFrame(metrics=["selection_rate"], y_true=[1, 0, 1, 0],
    ...                        y_pred=[1, 0, 0, 0], sensitive_features=["a", "a", "b", "b"])
    >>> audit = Audit([("Selection", mf)], title="Demo", lineage=lineage(seed=1))
    >>> bundle = audit._bundle()
    >>> bundle["schema"], [r["kind"] for r in bundle["reports"]], bundle["lineage"]["seed"]
    ('aequa.bundle', ['metric_frame'], 1)
    >>> Audit.from_json(audit.to_json()).to_pandas()[["kind", "metric", "statistic", "value"]]
               kind          metric                  statistic  value
    0  metric_frame  selection_rate  difference_between_groups    0.5
    1  metric_frame  selection_rate       ratio_between_groups    0.0
    """

    _kind = "audit"

    def __init__(
        self,
        reports: Sequence[Any] | Mapping[str, Report] = (),
        *,
        title: str = "aequa audit",
        lineage: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        items: Iterable[Any] = reports.items() if isinstance(reports, Mapping) else reports
        entries: list[dict[str, Any]] = []
        for item in items:
            if isinstance(item, tuple) and len(item) == 2:
                name, rep = item
            else:
                name, rep = None, item
            if not isinstance(rep, Report):
                raise InvalidArgumentError(
                    f"reports: expected aequa reports, found {type(rep).__name__}"
                )
            kind = _kind_of(rep)
            heading = str(name or type(rep).__name__)
            # _bundle_extra: e.g. an Explanation's explained rows, as make_bundle adds them.
            entries.append(
                {"kind": kind, "title": heading, "report": rep.report, **rep._bundle_extra()}
            )
        self._entries = entries
        self._title = str(title)
        self._lineage = dict(lineage) if lineage is not None else None
        self._data = dict(data) if data is not None else None
        self._created = _now()
        self._report = self._bundle()

    @staticmethod
    def data_entry(
        columns: Mapping[str, Any],
        *,
        label: str,
        sensitive: Sequence[str],
        score: str | None = None,
        prediction: str | None = None,
        threshold: float | None = None,
        pos_label: Any = 1,
    ) -> dict[str, Any]:
        """The bundle's ``data`` entry from columns (NaN becomes ``null``)."""
        cols = {}
        for name in [label, score, prediction, *sensitive]:
            if name is None:
                continue
            if name not in columns:
                raise InvalidArgumentError(f"data: no column '{name}'")
            cols[name] = [_plain(v) for v in np.asarray(columns[name]).tolist()]
        return {
            "label": label,
            "score": score,
            "prediction": prediction,
            "threshold": threshold,
            "pos_label": _plain(pos_label),
            "sensitive": list(sensitive),
            "columns": cols,
        }

    @property
    def title(self) -> str:
        """The bundle's title."""
        return self._title

    @property
    def lineage(self) -> dict[str, Any] | None:
        """The lineage (see :func:`lineage`)."""
        return self._lineage

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The reports as ``{"kind", "title", "report"}`` dicts."""
        return list(self._entries)

    def _bundle(self) -> dict[str, Any]:
        return {
            "schema": BUNDLE_SCHEMA,
            "schema_version": BUNDLE_VERSION,
            "title": self._title,
            "created": self._created,
            "aequa_version": _version,
            "lineage": self._lineage,
            "reports": self._entries,
            "data": self._data,
        }

    def to_json(self, path: str | None = None, *, indent: int | None = None) -> str:
        """Serialise the bundle (NaN is ``null``); write it to ``path`` when given."""
        self._report = self._bundle()
        text = json.dumps(_nan_to_none(self._report), indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return text

    @classmethod
    def from_json(cls, source: str) -> Audit:
        """Read a bundle: a path to a JSON file or the JSON text itself."""
        text = source
        if not source.lstrip().startswith("{"):
            with open(source, encoding="utf-8") as f:
                text = f.read()
        try:
            bundle = json.loads(text)
        except ValueError as e:
            raise InvalidArgumentError(f"bundle: not JSON ({e})") from None
        if not isinstance(bundle, dict) or bundle.get("schema") != BUNDLE_SCHEMA:
            raise InvalidArgumentError(
                f"bundle: expected a JSON object with schema '{BUNDLE_SCHEMA}'"
            )
        if bundle.get("schema_version") != BUNDLE_VERSION:
            raise InvalidArgumentError(
                f"bundle: schema_version {bundle.get('schema_version')!r} is not supported "
                f"(this aequa reads {BUNDLE_VERSION})"
            )
        out = cls.__new__(cls)
        out._entries = list(bundle.get("reports") or [])
        out._title = str(bundle.get("title", ""))
        out._lineage = bundle.get("lineage")
        out._data = bundle.get("data")
        out._created = str(bundle.get("created", ""))
        out._report = bundle
        return out

    def headline(self) -> list[dict[str, Any]]:
        """One record per headline number of each report (see :meth:`to_pandas`)."""
        rows: list[dict[str, Any]] = []
        for e in self._entries:
            rep: dict[str, Any] = e["report"]
            base: dict[str, Any] = {"kind": e["kind"], "title": e["title"]}
            if e["kind"] == "metric_frame":
                for agg in rep["values"]["aggregates"]:
                    if agg["metric"] == "count":
                        continue  # group sizes, not a disparity
                    control = ",".join(map(str, agg.get("control") or [])) or None
                    for stat in ("difference_between_groups", "ratio_between_groups"):
                        rows.append(
                            dict(
                                base,
                                metric=agg["metric"],
                                control=control,
                                statistic=stat,
                                value=_num(agg.get(stat)),
                            )
                        )
            elif e["kind"] == "drift":
                section = rep.get("overall") or {}
                for stat in ("drift_share", "n_drifted"):
                    if stat in section:
                        rows.append(
                            dict(base, metric="drift", statistic=stat, value=_num(section[stat]))
                        )
            elif e["kind"] in ("noise_stability",):
                for b, v in zip(rep.get("budgets", []), rep.get("flip_rate", [])):
                    rows.append(
                        dict(base, metric="flip_rate", statistic=f"budget={b:g}", value=_num(v))
                    )
            else:
                rows.append(dict(base, metric=None, statistic=None, value=np.nan))
        return rows

    def to_pandas(self) -> pd.DataFrame:
        """A tidy summary: one row per headline number (kind, title, metric, control,
        statistic, value) — a MetricFrame's between-groups difference and ratio per metric, a
        drift report's drift share, a noise-stability flip rate per budget."""
        cols = ["kind", "title", "metric", "control", "statistic", "value"]
        frame = pd.DataFrame(self.headline(), columns=cols)
        if frame["control"].isna().all():
            frame = frame.drop(columns="control")
        return frame

    def __repr__(self) -> str:
        kinds = [e["kind"] for e in self._entries]
        return f"Audit(title={self._title!r}, reports={kinds})"


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _nan_to_none(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return x
