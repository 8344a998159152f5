"""The fairness benchmark's synthetic data (labels, predictions, race and sex columns in three
dtypes) and an independent numpy count of its per-group metrics."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from _fairness_bench_config import RACE, RACE_P, SEED, SEX, SEX_P


# ----- data -----------------------------------------------------------------------------------
class Data:
    """Seeded synthetic rows: group-dependent base rates and prediction accuracy."""

    def __init__(self, n: int, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.race = rng.choice(len(RACE), size=n, p=RACE_P)
        self.sex = rng.choice(len(SEX), size=n, p=SEX_P)
        base = np.array([0.45, 0.30, 0.35, 0.40, 0.50])[self.race]
        right = np.array([0.85, 0.78, 0.80, 0.75, 0.88])[self.race]
        self.y_true = (rng.random(n) < base).astype(np.int64)
        flip = rng.random(n) >= right
        self.y_pred = np.where(flip, 1 - self.y_true, self.y_true).astype(np.int64)

    def race_feature(self, dtype: str) -> Any:
        """The 5-level feature as users hold it."""
        if dtype == "int64":
            return self.race.astype(np.int64)
        # What pandas makes of a column of strings (pyarrow-backed `str` on pandas 3).
        series = pd.Series(RACE[self.race], name="race")
        return series.astype("category") if dtype == "category" else series

    def two_features(self) -> pd.DataFrame:
        return pd.DataFrame({"race": RACE[self.race], "sex": SEX[self.sex]})

    def label_bytes(self) -> int:
        return int(self.y_true.nbytes + self.y_pred.nbytes)


def feature_bytes(feature: Any) -> int:
    """Bytes held by a feature column (string payload included)."""
    if isinstance(feature, (pd.Series, pd.DataFrame)):
        return int(np.sum(feature.memory_usage(deep=True, index=False)))
    return int(feature.nbytes)


def reference_by_group(data: Data, two: bool) -> np.ndarray:
    """The four metrics per group from plain numpy counts, in sorted group order."""
    cell = data.race * len(SEX) + data.sex if two else data.race
    n_cells = len(RACE) * (len(SEX) if two else 1)
    c = np.bincount(cell * 4 + data.y_true * 2 + data.y_pred, minlength=n_cells * 4)
    c = c.reshape(n_cells, 2, 2).astype(np.float64)  # [cell, truth, pred]
    total = c.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.column_stack(
            [
                c[:, :, 1].sum(axis=1) / total,
                c[:, 1, 1] / c[:, 1, :].sum(axis=1),
                c[:, 0, 1] / c[:, 0, :].sum(axis=1),
                (c[:, 0, 0] + c[:, 1, 1]) / total,
            ]
        )
