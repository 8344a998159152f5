"""A small private converter from fitted scikit-learn trees to aequa's TreeEnsemble JSON, so
the TreeSHAP tests and fixtures do not depend on ``aequa.explain.to_native``.

Covers DecisionTree{Regressor,Classifier}, RandomForest{Regressor,Classifier},
GradientBoosting{Regressor,Classifier} (binary) and HistGradientBoostingClassifier.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _sk_tree(tree: Any, normalize: bool) -> dict[str, Any]:
    """One ``sklearn.tree._tree.Tree`` as aequa's node arrays."""
    left = tree.children_left.astype(np.int64)
    right = tree.children_right.astype(np.int64)
    leaf = left < 0
    values = tree.value.reshape(tree.node_count, -1).astype(np.float64)
    if normalize:
        sums = values.sum(axis=1, keepdims=True)
        values = values / np.where(sums == 0.0, 1.0, sums)
    missing_left = getattr(tree, "missing_go_to_left", np.ones(tree.node_count, dtype=bool))
    default = np.where(leaf, -1, np.where(missing_left.astype(bool), left, right))
    return {
        "children_left": left.tolist(),
        "children_right": right.tolist(),
        "children_default": default.tolist(),
        "feature": np.where(leaf, 0, tree.feature).astype(np.int64).tolist(),
        # sklearn splits "non-missing vs missing" at +inf, which JSON cannot hold; the largest
        # float routes every finite value the same way.
        "threshold": np.where(leaf, 0.0, np.minimum(tree.threshold, np.finfo(np.float64).max))
        .astype(np.float64)
        .tolist(),
        "value": values.ravel().tolist(),
        "cover": tree.weighted_n_node_samples.astype(np.float64).tolist(),
    }


def _hgb_tree(nodes: np.ndarray) -> dict[str, Any]:
    """One HistGradientBoosting predictor's node records as aequa's node arrays."""
    leaf = nodes["is_leaf"].astype(bool)
    left = np.where(leaf, -1, nodes["left"].astype(np.int64))
    right = np.where(leaf, -1, nodes["right"].astype(np.int64))
    default = np.where(leaf, -1, np.where(nodes["missing_go_to_left"].astype(bool), left, right))
    return {
        "children_left": left.tolist(),
        "children_right": right.tolist(),
        "children_default": default.tolist(),
        "feature": np.where(leaf, 0, nodes["feature_idx"].astype(np.int64)).tolist(),
        "threshold": np.where(leaf, 0.0, nodes["num_threshold"]).astype(np.float64).tolist(),
        "value": nodes["value"].astype(np.float64).tolist(),
        "cover": nodes["count"].astype(np.float64).tolist(),
    }


def to_tree_json(model: Any) -> dict[str, Any]:
    """The NativeModel JSON (as a dict) of a fitted scikit-learn tree model."""
    name = type(model).__name__
    out: dict[str, Any] = {
        "kind": "trees",
        "n_features": int(model.n_features_in_),
        "tree_output": None,
        "comparison": "less_equal",
        "float32_features": True,
        "tree_weight": 1.0,
        "link": "identity",
        "source": f"sklearn.{name}",
    }
    if name in ("DecisionTreeRegressor", "DecisionTreeClassifier"):
        classifier = name.endswith("Classifier")
        out["trees"] = [_sk_tree(model.tree_, normalize=classifier)]
        out["n_raw_outputs"] = len(model.classes_) if classifier else 1
    elif name in ("RandomForestRegressor", "RandomForestClassifier"):
        classifier = name.endswith("Classifier")
        out["trees"] = [_sk_tree(e.tree_, normalize=classifier) for e in model.estimators_]
        out["n_raw_outputs"] = len(model.classes_) if classifier else 1
        out["tree_weight"] = 1.0 / len(model.estimators_)
    elif name in ("GradientBoostingRegressor", "GradientBoostingClassifier"):
        if model.estimators_.shape[1] != 1:
            raise ValueError("this test converter handles binary GradientBoostingClassifier only")
        out["trees"] = [_sk_tree(e.tree_, normalize=False) for e in model.estimators_[:, 0]]
        out["n_raw_outputs"] = 1
        out["tree_weight"] = float(model.learning_rate)
        if name.endswith("Classifier"):
            out["link"] = "logistic"
    elif name == "HistGradientBoostingClassifier":
        n_classes = len(model.classes_)
        per_stage = len(model._predictors[0])
        out["trees"] = [_hgb_tree(p.nodes) for stage in model._predictors for p in stage]
        out["n_raw_outputs"] = per_stage
        if per_stage > 1:
            out["tree_output"] = [i % per_stage for i in range(len(out["trees"]))]
        out["float32_features"] = False
        out["link"] = "softmax" if n_classes > 2 else "logistic"
    else:
        raise ValueError(f"unsupported model for the test converter: {name}")
    out["base_score"] = [float(v) for v in np.ravel(base_score(model, out["n_raw_outputs"]))]
    return out


def base_score(model: Any, n_outputs: int) -> np.ndarray:
    """The raw output before any tree (the boosting init prediction; 0 for forests)."""
    name = type(model).__name__
    if name.startswith("GradientBoosting"):
        x0 = np.zeros((1, model.n_features_in_), dtype=np.float32)
        return np.asarray(model._raw_predict_init(x0), dtype=np.float64).ravel()
    if name.startswith("HistGradientBoosting"):
        return np.asarray(model._baseline_prediction, dtype=np.float64).ravel()
    return np.zeros(n_outputs)


def raw_output(model: Any, X: np.ndarray) -> np.ndarray:
    """What TreeSHAP explains, from the library itself: rows × raw outputs."""
    name = type(model).__name__
    if name.endswith("Regressor"):
        out = model.predict(X)
    elif name.startswith(("GradientBoosting", "HistGradientBoosting")):
        out = model.decision_function(X)
    else:
        out = model.predict_proba(X)
    out = np.asarray(out, dtype=np.float64)
    return out.reshape(len(X), -1)
