"""Settings of the fairness benchmark: seeds, quantiles, tolerance, metrics, the synthetic
groups and where results go."""

from __future__ import annotations

from pathlib import Path

import numpy as np

SEED = 20261128
BOOT_SEED = 12345
QUANTILES = [0.025, 0.5, 0.975]
TOL = 1e-12
METRICS = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score"]
# Sorted, so level codes equal positions in pandas' (and so both libraries') group order.
RACE = np.array(["Asian", "Black", "Hispanic", "Other", "White"], dtype=object)
RACE_P = [0.10, 0.15, 0.20, 0.05, 0.50]
SEX = np.array(["Female", "Male", "Unknown"], dtype=object)
SEX_P = [0.49, 0.49, 0.02]
DTYPES = ("str", "category", "int64")
RESULTS = Path(__file__).resolve().parent / "results" / "fairness.json"
