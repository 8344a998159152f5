"""Fairness statistics for data that arrives in chunks or lives in partitions.

The accumulator keeps weighted confusion counts per group; ``update`` adds a chunk, ``merge``
adds another accumulator (from another file, process, Dask or Spark partition), ``to_json``
ships it. The MetricFrame it produces equals the one computed on all rows at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core, _inputs
from aequa._core import InvalidArgumentError
from aequa._inputs import level_label


class FairnessAccumulator:
    """Mergeable fairness statistics over declared group levels.

    Parameters
    ----------
    sensitive_levels : dict
        ``{column: [levels...]}`` for every sensitive feature (levels are sorted).
    control_levels : dict, optional
        The same for control features.
    pos_label, threshold : optional
        As in :class:`aequa.MetricFrame` (numeric labels).

    Examples
    --------
    >>> import aequa
    >>> acc = aequa.FairnessAccumulator(sensitive_levels={"g": ["a", "b"]})
    >>> acc.update([1, 0], [1, 1], sensitive_features={"g": ["a", "b"]}).n_rows
    2
    >>> acc.update([1, 1], [0, 1], sensitive_features={"g": ["a", "b"]}).n_rows
    4
    >>> acc.metric_frame(["selection_rate"]).by_group["selection_rate"].to_dict()
    {'a': 0.5, 'b': 1.0}
    """

    def __init__(
        self,
        *,
        sensitive_levels: Mapping[str, Sequence[Any]],
        control_levels: Mapping[str, Sequence[Any]] | None = None,
        pos_label: float | None = None,
        threshold: float | None = None,
    ) -> None:
        self._sens = _declared(sensitive_levels, "sensitive_levels")
        self._ctrl = _declared(control_levels or {}, "control_levels")
        layout = {
            "sensitive": [_levels_for_core(n, lv) for n, lv in self._sens],
            "control": [_levels_for_core(n, lv) for n, lv in self._ctrl],
        }
        spec = {
            "pos_label": _inputs.finite_or_none(pos_label, "pos_label"),
            "threshold": _inputs.finite_or_none(threshold, "threshold"),
        }
        self._inner = _core.Accumulator(json.dumps(layout), json.dumps(spec))

    @property
    def n_rows(self) -> int:
        """Rows accumulated so far."""
        return int(self._inner.n_rows)

    def update(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive_features: Any,
        control_features: Any = None,
        sample_weight: Any = None,
    ) -> FairnessAccumulator:
        """Add a chunk of rows (all or nothing: a bad chunk leaves the state unchanged)."""
        t = _inputs.numeric(y_true, "y_true")
        p = _inputs.numeric(y_pred, "y_pred")
        w = _inputs.weights(sample_weight, len(t))
        s_codes = _codes(sensitive_features, self._sens, len(t), "sensitive_features")
        c_codes = (
            _codes(control_features, self._ctrl, len(t), "control_features") if self._ctrl else []
        )
        self._inner.update(t, p, w, s_codes, c_codes)
        return self

    def merge(self, other: FairnessAccumulator) -> FairnessAccumulator:
        """A new accumulator holding both (neither input changes)."""
        out = FairnessAccumulator.from_json(self.to_json())
        out._inner.merge(other._inner)
        return out

    def to_json(self) -> str:
        """The serialised state (declared levels included)."""
        state = json.loads(self._inner.to_json())
        state["python_levels"] = {
            "sensitive": [[n, list(map(_plain, lv))] for n, lv in self._sens],
            "control": [[n, list(map(_plain, lv))] for n, lv in self._ctrl],
        }
        return json.dumps(state)

    @classmethod
    def from_json(cls, text: str) -> FairnessAccumulator:
        """Restore a state written by :meth:`to_json`."""
        try:
            state = json.loads(text)
        except (TypeError, ValueError) as e:
            raise InvalidArgumentError(f"json: not a serialised accumulator ({e})") from None
        if not isinstance(state, dict):
            raise InvalidArgumentError(
                f"json: expected an object written by FairnessAccumulator.to_json, found "
                f"{type(state).__name__}"
            )
        levels = state.pop("python_levels", None)
        out = cls.__new__(cls)
        out._inner = _core.Accumulator.from_json(json.dumps(state))
        if levels is None:
            levels = {
                k: [[f["name"], f["levels"]] for f in state["layout"][k]]
                for k in ("sensitive", "control")
            }
        out._sens = [(n, list(lv)) for n, lv in levels["sensitive"]]
        out._ctrl = [(n, list(lv)) for n, lv in levels["control"]]
        return out

    def metric_frame(
        self, metrics: Sequence[str | Any], *, compat: str = "aequa", min_group_size: int = 30
    ) -> Any:
        """The :class:`aequa.MetricFrame` of everything accumulated (built-in metrics only)."""
        from aequa.metric_frame import MetricFrame
        from aequa.metrics import builtin_name

        names = []
        for m in metrics:
            name = builtin_name(m)
            if name is None:
                raise InvalidArgumentError(
                    f"metrics: {m!r} is not a built-in metric; accumulators hold counts, so only "
                    "built-in metrics can be computed from them"
                )
            names.append(name)
        options = {"metrics": names, "compat": compat, "min_group_size": int(min_group_size)}
        report = json.loads(self._inner.finish(json.dumps(options)))
        mf = MetricFrame.__new__(MetricFrame)
        mf._report = report
        mf._names = list(report["params"]["metrics"])
        mf._single = False
        mf._sens = [_inputs.Grouping(n, np.empty(0, np.uint32), lv) for n, lv in self._sens]
        mf._ctrl = [_inputs.Grouping(n, np.empty(0, np.uint32), lv) for n, lv in self._ctrl]
        return mf


def _levels_for_core(name: str, levels: list[Any]) -> dict[str, Any]:
    return {"name": name, "levels": [level_label(v) for v in levels]}


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _declared(levels: Mapping[str, Sequence[Any]], argument: str) -> list[tuple[str, list[Any]]]:
    if not isinstance(levels, Mapping):
        raise InvalidArgumentError(f"{argument}: expected a dict {{column: [levels]}}")
    out = []
    for name, lv in levels.items():
        values = list(pd.unique(np.asarray(list(lv), dtype=object)))
        if not values:
            raise InvalidArgumentError(f"{argument}: column '{name}' declares no levels")
        try:
            values.sort()
        except TypeError:
            values.sort(key=str)
        out.append((str(name), values))
    return out


def _codes(
    features: Any, declared: list[tuple[str, list[Any]]], n: int, argument: str
) -> list[np.ndarray]:
    columns = dict(_inputs._columns(features, "sensitive_feature_", argument))
    if len(declared) == 1 and len(columns) == 1:
        columns = {declared[0][0]: next(iter(columns.values()))}
    out = []
    for name, levels in declared:
        if name not in columns:
            raise InvalidArgumentError(f"{argument}: missing column '{name}'")
        values = _inputs.to_numpy(columns[name], f"{argument} column '{name}'")
        if len(values) != n:
            raise _core.LengthMismatchError(
                f"{argument} column '{name}': expected {n} rows, found {len(values)}"
            )
        codes = pd.Index(levels, dtype=object).get_indexer(values)
        if (codes < 0).any():
            row = int(np.flatnonzero(codes < 0)[0])
            raise InvalidArgumentError(
                f"{argument} column '{name}': row {row} has level {values[row]!r}, which is not "
                f"among the declared levels {levels}; declare every level up front"
            )
        out.append(codes.astype(np.uint32))
    return out
