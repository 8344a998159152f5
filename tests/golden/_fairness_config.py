"""Settings of the fairness goldens: paths, the bootstrap plan, the metrics and their
Fairlearn/scikit-learn functions."""

from __future__ import annotations

from pathlib import Path

import fairlearn.metrics as flm
import sklearn.metrics as skm

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "tests" / "golden" / "fairness"
ADULT_PATH = REPO_ROOT / "data" / "adult" / "adult.data.gz"
# sha256 of the decompressed UCI adult.data (32561 rows + trailing blank line).
ADULT_SHA256 = "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"
GENERATOR = "tests/golden/generate_fairness.py"

N_BOOT = 20
CI_QUANTILES = [0.05, 0.5, 0.95]
BOOT_RANDOM_STATE = 13

METRIC_FUNCTIONS = {
    "count": flm.count,
    "selection_rate": flm.selection_rate,
    "true_positive_rate": flm.true_positive_rate,
    "false_positive_rate": flm.false_positive_rate,
    "true_negative_rate": flm.true_negative_rate,
    "false_negative_rate": flm.false_negative_rate,
    "mean_prediction": flm.mean_prediction,
    "accuracy_score": skm.accuracy_score,
    "precision_score": skm.precision_score,
    "recall_score": skm.recall_score,
    "balanced_accuracy_score": skm.balanced_accuracy_score,
    "mean_absolute_error": skm.mean_absolute_error,
    "mean_squared_error": skm.mean_squared_error,
    "root_mean_squared_error": skm.root_mean_squared_error,
}
NO_SAMPLE_WEIGHT = {"count"}

CLASSIFICATION_METRICS = [
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "mean_prediction",
    "accuracy_score",
    "precision_score",
    "recall_score",
    "balanced_accuracy_score",
]
REGRESSION_METRICS = [
    "count",
    "mean_prediction",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
]

METHODS = ["between_groups", "to_overall"]
AGGS = ["worst_case", "mean"]
