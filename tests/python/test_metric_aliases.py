"""Metric names given as aliases ("tpr", "precision", "mae", ...) give the same numbers as the
canonical names, also under their own column name and in one-vs-rest frames (they were NaN)."""

from __future__ import annotations

import aequa
import numpy as np

ALIASES = {
    "tpr": "true_positive_rate", "sensitivity": "true_positive_rate",
    "recall_score": "true_positive_rate", "fpr": "false_positive_rate",
    "tnr": "true_negative_rate", "specificity": "true_negative_rate",
    "fnr": "false_negative_rate", "precision": "precision_score", "ppv": "precision_score",
    "positive_predictive_value": "precision_score", "npv": "negative_predictive_value",
    "fdr": "false_discovery_rate", "for": "false_omission_rate", "accuracy": "accuracy_score",
    "balanced_accuracy": "balanced_accuracy_score", "mae": "mean_absolute_error",
    "mse": "mean_squared_error", "rmse": "root_mean_squared_error",
}  # fmt: skip

rng = np.random.default_rng(0)
Y, P, G = rng.integers(0, 2, 300), rng.integers(0, 2, 300), rng.integers(0, 3, 300)


def test_alias_equals_canonical_name():
    canonical_names = sorted(set(ALIASES.values()))
    ref = aequa.MetricFrame(metrics=canonical_names, y_true=Y, y_pred=P, sensitive_features=G)
    for alias, canonical in ALIASES.items():
        others = [c for c in canonical_names if c != canonical]
        mf = aequa.MetricFrame(metrics=[alias, *others], y_true=Y, y_pred=P, sensitive_features=G)
        assert list(mf.by_group.columns) == [alias, *others]
        assert not mf.by_group.isna().any().any(), alias
        np.testing.assert_array_equal(mf.by_group[alias].to_numpy(), ref.by_group[canonical])
        assert mf.difference()[alias] == ref.difference()[canonical]


def test_single_alias_and_one_vs_rest():
    single = aequa.MetricFrame(metrics="tpr", y_true=Y, y_pred=P, sensitive_features=G)
    full = aequa.MetricFrame(metrics="true_positive_rate", y_true=Y, y_pred=P, sensitive_features=G)
    np.testing.assert_array_equal(single.by_group.to_numpy(), full.by_group.to_numpy())
    y3, p3 = rng.integers(0, 3, 300), rng.integers(0, 3, 300)
    ovr = aequa.MetricFrame(metrics=["tpr", "accuracy"], y_true=y3, y_pred=p3,
                            sensitive_features=G, multiclass="ovr")  # fmt: skip
    ref = aequa.MetricFrame(metrics=["true_positive_rate", "accuracy_score"], y_true=y3,
                            y_pred=p3, sensitive_features=G, multiclass="ovr")  # fmt: skip
    np.testing.assert_array_equal(ovr.by_group.to_numpy(), ref.by_group.to_numpy())
    assert not ovr.by_group.isna().any().any()
    assert ovr.worst_case.index.tolist() == ["tpr", "accuracy"]
