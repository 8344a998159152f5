"""Group metrics of a data file: whole in memory, or streamed through the accumulator.

The same :class:`DataSpec` drives ``aequa audit`` and the ``[data]`` table of a policy: which
column holds the labels, the predictions, the scores (with a threshold) or which native model
computes the scores from feature columns, and the sensitive columns.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np

from aequa.audit import DataFingerprint, model_fingerprint
from aequa.cli._errors import CliError
from aequa.cli._io import Table, numeric_matrix, numpy_column


@dataclasses.dataclass
class DataSpec:
    """Which columns mean what (``where`` names the option or policy key in errors)."""

    label: str
    sensitive: list[str]
    prediction: str | None = None
    score: str | None = None
    model: str | None = None
    features: list[str] | None = None
    threshold: float | None = None
    pos_label: Any = None
    where: dict[str, str] = dataclasses.field(default_factory=dict)

    def at(self, key: str) -> str:
        return self.where.get(key, f"--{key}")

    def check(self, table: Table) -> None:
        """Every named column exists; exactly one source of predictions."""
        sources = [k for k in ("prediction", "score", "model") if getattr(self, k) is not None]
        if len(sources) != 1:
            raise CliError(
                f"{self.at('prediction')}: give exactly one of prediction, score or model, "
                f"found {sources or 'none'}"
            )
        if not self.sensitive:
            raise CliError(f"{self.at('sensitive')}: expected at least one sensitive column")
        table.require([self.label], self.at("label"))
        table.require(self.sensitive, self.at("sensitive"))
        for k in ("prediction", "score"):
            if getattr(self, k) is not None:
                table.require([getattr(self, k)], self.at(k))
        if self.model is not None:
            table.require(self.feature_names(table.columns), self.at("features"))
        if self.threshold is not None and self.prediction is not None:
            raise CliError(
                f"{self.at('threshold')}: a threshold turns scores into decisions; use it with "
                "score or model, not prediction"
            )

    def feature_names(self, columns: list[str]) -> list[str]:
        """``features``, else every column that is not label, prediction, score or sensitive."""
        if self.features:
            return list(self.features)
        used = {self.label, self.prediction, self.score, *self.sensitive}
        return [c for c in columns if c not in used]

    def parameters(self) -> dict[str, Any]:
        """The column roles, for the lineage's ``parameters``."""
        import os

        return {
            "label": self.label,
            "prediction": self.prediction,
            "score": self.score,
            "model": os.path.basename(self.model) if self.model else None,
            "features": self.features,
            "threshold": self.decision_threshold(),
            "pos_label": self.pos_label,
            "sensitive": list(self.sensitive),
        }

    def decision_threshold(self) -> float | None:
        if self.prediction is not None:
            return None
        return 0.5 if self.threshold is None else float(self.threshold)


def load_model(path: str, where: str) -> Any:
    """A native model from its JSON file (``aequa.explain.to_native(...).to_json()``)."""
    from aequa._core import AequaError, NativeModel

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise CliError(f"{where}: cannot read model file {path} ({e.strerror or e})") from None
    if not text.strip():
        raise CliError(f"{where}: model file {path} is empty")
    try:
        return NativeModel(text)
    except (AequaError, ValueError) as e:
        raise CliError(f"{where}: {path} is not a native model JSON ({e})") from None


def model_scores(model: Any, x: np.ndarray, where: str) -> np.ndarray:
    """One score per row: the single output, or the second of two (positive class)."""
    from aequa._core import AequaError

    try:
        out = np.asarray(model.predict(x))
    except (AequaError, ValueError) as e:
        raise CliError(f"{where}: the model cannot score these features ({e})") from None
    if out.ndim == 1:
        return out
    if out.shape[1] == 1:
        return out[:, 0]
    if out.shape[1] == 2:
        return out[:, 1]
    raise CliError(
        f"{where}: the model has {out.shape[1]} outputs; expected 1 (a score) or 2 (class "
        "probabilities, the second is the positive class)"
    )


@dataclasses.dataclass
class Frame:
    """What one pass over the data gives."""

    metric_frame: Any
    data: dict[str, Any]
    model: dict[str, Any] | None
    streamed: bool
    table: Any = None  # the pyarrow table (in memory only)
    y_true: np.ndarray | None = None
    y_pred: np.ndarray | None = None
    sensitive: dict[str, np.ndarray] | None = None
    native_model: Any = None


def _y_pred(spec: DataSpec, batch: Any, model: Any, features: list[str]) -> np.ndarray:
    if spec.prediction is not None:
        return numpy_column(batch, spec.prediction)
    if spec.score is not None:
        return numpy_column(batch, spec.score)
    x = numeric_matrix(batch, features, spec.at("features"))
    return model_scores(model, x, spec.at("model"))


def compute(
    table: Table,
    spec: DataSpec,
    metrics: list[str],
    *,
    n_boot: int | None = None,
    seed: int | None = None,
    min_group_size: int = 30,
) -> Frame:
    """The MetricFrame of ``metrics`` over the file, with the data and model fingerprints.

    Errors of the fairness engine (text labels against numeric predictions, missing values,
    ...) are reported with the options or policy keys that named the columns.
    """
    from aequa._core import AequaError

    try:
        return _compute(
            table, spec, metrics, n_boot=n_boot, seed=seed, min_group_size=min_group_size
        )
    except AequaError as e:
        source = next(k for k in ("prediction", "score", "model") if getattr(spec, k) is not None)
        names = f"{spec.at('label')} {spec.label}, {spec.at(source)} {getattr(spec, source)}"
        raise CliError(f"{names}: " + " ".join(str(e).split())) from None


def _compute(
    table: Table,
    spec: DataSpec,
    metrics: list[str],
    *,
    n_boot: int | None = None,
    seed: int | None = None,
    min_group_size: int = 30,
) -> Frame:
    import warnings

    from aequa import FairnessAccumulator, MetricFrame
    from aequa.metric_frame import SmallGroupWarning

    spec.check(table)
    model = load_model(spec.model, spec.at("model")) if spec.model else None
    features = spec.feature_names(table.columns) if model is not None else []
    if model is not None and model.n_features is not None and model.n_features != len(features):
        raise CliError(
            f"{spec.at('features')}: the model takes {model.n_features} features, found "
            f"{len(features)} ({', '.join(features)}); list them in order with --features"
        )
    model_fp = model_fingerprint(model) if model is not None else None
    fp = DataFingerprint()
    threshold = spec.decision_threshold()
    if not table.streamed:
        data = table.read()
        fp.update(data)
        y_true = numpy_column(data, spec.label)
        y_pred = _y_pred(spec, data, model, features)
        sens = {s: numpy_column(data, s) for s in spec.sensitive}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallGroupWarning)
            mf = MetricFrame(
                metrics=list(metrics),
                y_true=y_true,
                y_pred=y_pred,
                sensitive_features=sens,
                threshold=threshold,
                pos_label=spec.pos_label,
                n_boot=n_boot,
                ci_quantiles=[0.025, 0.975] if n_boot else None,
                random_state=seed,
                min_group_size=min_group_size,
            )
        return Frame(mf, fp.summary(), model_fp, False, data, y_true, y_pred, sens, model)
    if n_boot:
        raise CliError(
            f"--bootstrap: {table.path} is streamed (larger than the memory cap, or "
            "--chunk-rows given) and bootstrap intervals need every row in memory; raise "
            "--memory-cap or drop --bootstrap"
        )
    levels: dict[str, set[Any]] = {s: set() for s in spec.sensitive}
    for batch in table.batches(spec.sensitive, "scanning groups in"):
        for s in spec.sensitive:
            levels[s].update(_plain_values(numpy_column(batch, s)))
    pos = spec.pos_label
    if pos is not None and (isinstance(pos, bool) or not isinstance(pos, (int, float))):
        raise CliError(
            f"{spec.at('pos_label')}: a streamed file needs numeric labels (the accumulator "
            f"counts numbers), found pos_label {pos!r}; encode the labels as 0/1"
        )
    acc = FairnessAccumulator(
        sensitive_levels={s: sorted(v, key=_sort_key) for s, v in levels.items()},
        pos_label=None if pos is None else float(pos),
        threshold=threshold,
    )
    for batch in table.batches(None, "streaming"):
        fp.update(batch)
        acc.update(
            numpy_column(batch, spec.label),
            _y_pred(spec, batch, model, features),
            sensitive_features={s: numpy_column(batch, s) for s in spec.sensitive},
        )
    mf = acc.metric_frame(list(metrics), min_group_size=min_group_size)
    return Frame(mf, fp.summary(), model_fp, True, native_model=model)


def _plain_values(values: np.ndarray) -> list[Any]:
    import pandas as pd

    return [v.item() if isinstance(v, np.generic) else v for v in pd.unique(values)]


def _sort_key(v: Any) -> Any:
    return (0, v, "") if isinstance(v, (int, float)) else (1, 0, str(v))


def frame_json(mf: Any) -> dict[str, Any]:
    """A MetricFrame's report as plain JSON (NaN as null)."""
    return json.loads(mf.to_json())
