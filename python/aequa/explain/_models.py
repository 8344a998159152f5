"""Fitted models → native models evaluated in Rust (no Python in the loop), or plain callables.

:func:`to_native` converts a fitted scikit-learn tree ensemble or linear model, an XGBoost or a
LightGBM model to an :class:`aequa._core.NativeModel` whose predictions equal the library's;
:func:`model_callable` wraps any other model's ``predict`` / ``predict_proba`` /
``decision_function`` as a function ``X -> 2-D array``.

Which output a native model reproduces (``output=``), and the default — the output SHAP's
``TreeExplainer`` / ``LinearExplainer`` explain by default for that model:

==================================================  =================  ==========================
model                                               default            other outputs
==================================================  =================  ==========================
DecisionTree / RandomForest / ExtraTrees classif.   ``probability``    ``raw`` (same numbers)
DecisionTree / RandomForest / ExtraTrees regressor  ``raw``            ``predict`` (same)
(Hist)GradientBoosting classifier                   ``raw`` log-odds   ``probability``
(Hist)GradientBoosting regressor                    ``raw``            ``predict`` (identity loss)
XGBoost / LightGBM                                  ``raw`` margin     ``probability``, ``predict``
linear and logistic models                          ``raw``            ``probability``, ``predict``
==================================================  =================  ==========================

Binary boosted classifiers have one raw column (the log-odds); a linear model's raw output is
its ``decision_function`` (``predict`` for regressors).
``probability`` is ``predict_proba`` (two columns for binary models); ``predict`` is the
regression prediction (classifiers' labels are not a native output: use
``model_callable(model, "predict")``).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Literal

import numpy as np

from aequa._core import (
    InvalidArgumentError,
    NativeModel,
    UnsupportedError,
    load_lightgbm_text,
    load_xgboost_json,
)

Output = Literal["raw", "probability", "predict"]
_OUTPUTS = ("raw", "probability", "predict")
_METHODS = ("predict", "predict_proba", "decision_function")
# +inf thresholds (HistGradientBoosting's "split on NaN") are stored as the largest float, which
# sends every finite value the same way; JSON has no infinity.
_MAX = float(np.finfo(np.float64).max)


def _is(model: Any, package: str, *names: str) -> bool:
    """Whether a class named one of ``names`` from ``package`` is in ``model``'s MRO."""
    return any(
        c.__name__ in names and c.__module__.split(".")[0] == package for c in type(model).__mro__
    )


def _kind(model: Any) -> str | None:
    """The converter for ``model``, or None when it has no native form."""
    if isinstance(model, NativeModel):
        return "native"
    if _is(model, "xgboost", "Booster", "XGBModel"):
        return "xgboost"
    if _is(model, "lightgbm", "Booster", "LGBMModel"):
        return "lightgbm"
    if _is(model, "sklearn", "BaseDecisionTree"):
        return "tree"
    if _is(model, "sklearn", "RandomForestClassifier", "ExtraTreesClassifier"):
        return "forest"
    if _is(model, "sklearn", "RandomForestRegressor", "ExtraTreesRegressor"):
        return "forest"
    if _is(model, "sklearn", "BaseGradientBoosting"):
        return "gb"
    if _is(model, "sklearn", "BaseHistGradientBoosting"):
        return "hgb"
    if _is(model, "sklearn", "LinearClassifierMixin"):
        return "linear"
    if _is(model, "sklearn", "LinearModel", "BaseSGDRegressor"):
        return "linear"
    return None


def _is_classifier(model: Any) -> bool:
    return _is(model, "sklearn", "ClassifierMixin")


def default_output(model: Any) -> Output:
    """The output SHAP explains by default for ``model`` (see the module docstring).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from aequa.explain._models import default_output
    >>> X, y = load_iris(return_X_y=True)
    >>> default_output(RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y))
    'probability'
    """
    kind = _kind(model)
    if kind in ("tree", "forest") and _is_classifier(model):
        return "probability"
    return "raw"


def to_native(model: Any, *, output: Output | None = None) -> NativeModel:
    """Convert a fitted model to a native model whose predictions equal the library's.

    Parameters
    ----------
    model : estimator or booster
        A fitted scikit-learn ``DecisionTree*``, ``ExtraTree*``, ``RandomForest*``,
        ``ExtraTrees*``, ``GradientBoosting*``, ``HistGradientBoosting*`` (numerical splits),
        linear model (``LinearRegression``, ``Ridge``, ``Lasso``, ``ElasticNet``,
        ``SGDRegressor``, ``LogisticRegression``, ``SGDClassifier``, ``LinearSVC``, ...), an
        ``xgboost.Booster`` / ``XGBClassifier`` / ``XGBRegressor`` (gbtree) or a
        ``lightgbm.Booster`` / ``LGBMClassifier`` / ``LGBMRegressor``. A ``NativeModel`` is
        returned unchanged.
    output : {"raw", "probability", "predict"}, optional
        Which output to reproduce: the raw score (margin, log-odds, decision function, a
        forest's averaged leaf values), ``predict_proba``, or the regression ``predict``.
        Default: what SHAP explains by default for the model (module docstring).

    Returns
    -------
    NativeModel
        ``predict(X)`` gives a ``(rows, outputs)`` float64 array; ``to_json()`` serialises it.

    Raises
    ------
    aequa.UnsupportedError
        For models or outputs with no native form (categorical splits, dart/gblinear boosters,
        unknown objectives, classifiers' ``predict`` labels, ...); the message names what.

    Notes
    -----
    scikit-learn's trees compare ``float32(x) <= threshold`` and XGBoost ``float32(x) <
    float32(threshold)`` summing leaves in float32; the native models do the same, so their
    predictions equal the library's bit for bit (probabilities computed from a float32
    XGBoost margin differ from XGBoost's float32 probabilities by float32 rounding only).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from aequa.explain import to_native
    >>> X, y = load_diabetes(return_X_y=True)
    >>> forest = RandomForestRegressor(n_estimators=10, random_state=0).fit(X, y)
    >>> native = to_native(forest)
    >>> bool(np.array_equal(native.predict(X)[:, 0], forest.predict(X)))
    True
    """
    if output is not None and output not in _OUTPUTS:
        raise InvalidArgumentError(
            f'output: expected "raw", "probability" or "predict", found {output!r}'
        )
    kind = _kind(model)
    if kind is None:
        raise UnsupportedError(
            f"model: {type(model).__module__}.{type(model).__qualname__} has no native form; "
            "supported are scikit-learn trees, forests, gradient boosting and linear models, "
            "XGBoost and LightGBM. Use aequa.explain.model_callable(model, method) instead"
        )
    if kind == "native":
        if output is not None:
            raise InvalidArgumentError(
                "output: a NativeModel already has its output; pass output=None"
            )
        return model
    out: Output = output if output is not None else default_output(model)
    try:
        if kind == "xgboost":
            return load_xgboost_json(_xgboost_json(model), out)
        if kind == "lightgbm":
            booster = model if _is(model, "lightgbm", "Booster") else model.booster_
            return load_lightgbm_text(booster.model_to_string(), out)
        _check_fitted(model)
    except Exception as e:
        if type(e).__name__ not in ("NotFittedError", "LGBMNotFittedError"):
            raise
        raise InvalidArgumentError(
            f"model: this {type(model).__name__} is not fitted yet; call fit first"
        ) from e
    build = {"tree": _forest, "forest": _forest, "gb": _gb, "hgb": _hgb, "linear": _linear}[kind]
    return NativeModel(json.dumps(build(model, out), allow_nan=False))


def model_callable(
    model: Any,
    method: Literal["predict", "predict_proba", "decision_function"] = "predict",
) -> Callable[[np.ndarray], np.ndarray]:
    """A plain function ``X -> (rows, outputs)`` float64 array calling ``model.<method>``.

    For models with no native form; the explainers call it in large batches. Exceptions the
    model raises pass through unchanged.

    Parameters
    ----------
    model : object
        Anything with the method (an ``xgboost.Booster`` gets a ``DMatrix``), or a callable.
    method : {"predict", "predict_proba", "decision_function"}
        The method to call (ignored for a plain callable).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from aequa.explain import model_callable
    >>> X, y = load_iris(return_X_y=True)
    >>> f = model_callable(KNeighborsClassifier().fit(X, y), "predict_proba")
    >>> f(X[:4]).shape
    (4, 3)
    """
    if method not in _METHODS:
        raise InvalidArgumentError(
            f"method: expected one of {', '.join(_METHODS)}, found {method!r}"
        )
    if _is(model, "xgboost", "Booster"):
        import xgboost

        booster = model

        def fn(X: np.ndarray) -> Any:
            return booster.predict(xgboost.DMatrix(X))

    elif hasattr(model, method):
        fn = getattr(model, method)
    elif callable(model) and not hasattr(model, "fit"):
        fn = model
    else:
        raise InvalidArgumentError(
            f"model: {type(model).__qualname__} has no method {method}; pass one of its "
            "methods by name or a function X -> predictions"
        )

    def call(X: np.ndarray) -> np.ndarray:
        raw = fn(X)
        try:
            out = np.asarray(raw, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"model: {method} returned non-numeric values (class labels?); use "
                "method='predict_proba' or 'decision_function'"
            ) from None
        return out.reshape(-1, 1) if out.ndim == 1 else out

    return call


# --- scikit-learn ------------------------------------------------------------------------------


def _check_fitted(model: Any) -> None:
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)


def _unsupported_output(model: Any, output: str, why: str) -> UnsupportedError:
    return UnsupportedError(
        f'output="{output}" is not available natively for {type(model).__name__}: {why}'
    )


def _expectations(
    left: np.ndarray, right: np.ndarray, cover: np.ndarray, value: np.ndarray
) -> np.ndarray:
    """Internal node values ← the cover-weighted mean of their children's (0 when both covers
    are 0): the expectations SHAP's TreeSHAP uses. Level by level, deepest first."""
    value = value.copy()
    levels = []
    frontier = np.array([0])
    while frontier.size:
        frontier = frontier[left[frontier] >= 0]
        levels.append(frontier)
        frontier = np.concatenate([left[frontier], right[frontier]])
    for nodes in reversed(levels):
        lw, rw = cover[left[nodes]], cover[right[nodes]]
        lv, rv = value[left[nodes]], value[right[nodes]]
        total = (lw + rw)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (lw[:, None] * lv + rw[:, None] * rv) / total
        value[nodes] = np.where(total == 0, 0.0, mean)
    return value


def _tree_json(
    left: np.ndarray,
    right: np.ndarray,
    default: np.ndarray,
    feature: np.ndarray,
    threshold: np.ndarray,
    value: np.ndarray,
    cover: np.ndarray,
) -> dict[str, Any]:
    left = left.astype(np.int64)
    right = right.astype(np.int64)
    leaf = left < 0
    value = _expectations(left, right, cover.astype(np.float64), value.astype(np.float64))
    threshold = np.clip(np.where(leaf, 0.0, threshold), -_MAX, _MAX)
    return {
        "children_left": np.where(leaf, -1, left).tolist(),
        "children_right": np.where(leaf, -1, right).tolist(),
        "children_default": np.where(leaf, -1, default).tolist(),
        "feature": np.where(leaf, 0, feature).astype(np.int64).tolist(),
        "threshold": threshold.tolist(),
        "value": value.ravel().tolist(),
        "cover": cover.astype(np.float64).tolist(),
    }


def _sklearn_tree(tree: Any, value: np.ndarray, *, nan_follows_split: bool) -> dict[str, Any]:
    left, right = tree.children_left, tree.children_right
    if nan_follows_split and hasattr(tree, "missing_go_to_left"):
        default = np.where(tree.missing_go_to_left.astype(bool), left, right)
    else:  # NaN <= threshold is False: right
        default = right
    return _tree_json(
        left, right, default, tree.feature, tree.threshold, value, tree.weighted_n_node_samples
    )


def _ensemble(
    model: Any,
    trees: list[dict[str, Any]],
    *,
    n_raw: int,
    tree_output: list[int] | None,
    float32: bool,
    tree_weight: float,
    base_score: list[float],
    link: str,
    accumulate: str,
) -> dict[str, Any]:
    return {
        "kind": "trees",
        "n_features": int(model.n_features_in_),
        "n_raw_outputs": n_raw,
        "trees": trees,
        "tree_output": tree_output,
        "comparison": "less_equal",
        "float32_features": float32,
        "tree_weight": tree_weight,
        "base_score": base_score,
        "link": link,
        "source": f"{type(model).__module__.split('.')[0]}.{type(model).__name__}",
        "accumulate": accumulate,
    }


def _forest(model: Any, output: str) -> dict[str, Any]:
    """Decision trees and forests: the mean of the trees' leaf values (class fractions for
    classifiers, which is ``predict_proba``)."""
    classifier = _is_classifier(model)
    estimators = model.estimators_ if hasattr(model, "estimators_") else [model]
    first = estimators[0].tree_
    if classifier and int(model.n_outputs_) != 1:
        raise UnsupportedError(
            f"model: multi-output {type(model).__name__} has no native form "
            "(one classification target only)"
        )
    if output == "predict" and classifier:
        raise _unsupported_output(
            model, output, 'predict returns class labels; use output="probability"'
        )
    if output == "probability" and not classifier:
        raise _unsupported_output(model, output, "a regressor has no class probabilities")
    if classifier:
        n_raw = int(model.n_classes_)
        values = [e.tree_.value[:, 0, :n_raw] for e in estimators]
    else:
        n_raw = int(first.value.shape[1])
        values = [e.tree_.value[:, :, 0] for e in estimators]
    trees = [_sklearn_tree(e.tree_, v, nan_follows_split=True) for e, v in zip(estimators, values)]
    n = len(trees)
    return _ensemble(
        model,
        trees,
        n_raw=n_raw,
        tree_output=None,
        float32=True,
        tree_weight=1.0 / n,
        base_score=[0.0] * n_raw,
        link="identity",
        accumulate="mean" if n > 1 else "sum",
    )


def _gb_link(model: Any, output: str, n_raw: int, loss: str) -> str:
    classifier = _is_classifier(model)
    if output == "raw":
        return "identity"
    if output == "predict":
        if classifier:
            raise _unsupported_output(
                model, output, 'predict returns class labels; use output="probability" or "raw"'
            )
        if loss in ("gamma", "poisson"):
            raise _unsupported_output(
                model, output, f'the {loss} loss predicts exp(raw); use output="raw"'
            )
        return "identity"
    if not classifier:
        raise _unsupported_output(model, output, "a regressor has no class probabilities")
    if loss == "exponential":
        raise _unsupported_output(
            model, output, 'the exponential loss maps raw to σ(2·raw); use output="raw"'
        )
    return "logistic" if n_raw == 1 else "softmax"


def _gb(model: Any, output: str) -> dict[str, Any]:
    """GradientBoosting*: ``raw = init + Σ_stages learning_rate · tree_k(x)``, in that order."""
    init = model.init_
    if not (isinstance(init, str) and init == "zero") and not _is(
        init, "sklearn", "DummyClassifier", "DummyRegressor"
    ):
        raise UnsupportedError(
            f"model: the init estimator {type(init).__name__} of {type(model).__name__} depends "
            "on the features; only the default (prior) or init='zero' has a native form"
        )
    stages = model.estimators_
    n_raw = int(stages.shape[1])
    zeros = np.zeros((1, int(model.n_features_in_)))
    base = np.asarray(model._raw_predict_init(zeros), dtype=np.float64).reshape(-1)
    link = _gb_link(model, output, n_raw, str(model.loss))
    n_stages = stages.shape[0]
    trees = [
        _sklearn_tree(t.tree_, t.tree_.value[:, 0, :1], nan_follows_split=False)
        for t in stages.ravel()  # stage by stage, class by class
    ]
    return _ensemble(
        model,
        trees,
        n_raw=n_raw,
        tree_output=list(range(n_raw)) * n_stages if n_raw > 1 else None,
        float32=True,
        tree_weight=float(model.learning_rate),
        base_score=base.tolist(),
        link=link,
        accumulate="sequential",
    )


def _hgb(model: Any, output: str) -> dict[str, Any]:
    """HistGradientBoosting*: ``raw = baseline + Σ_iterations tree_k(x)`` on float64 features
    (leaf values already carry the learning rate)."""
    if getattr(model, "_preprocessor", None) is not None:
        raise UnsupportedError(
            f"model: {type(model).__name__} has categorical features (categorical splits are not "
            "supported natively); one-hot encode them or use model_callable(model, method)"
        )
    n_raw = int(model.n_trees_per_iteration_)
    base = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)
    link = _gb_link(model, output, n_raw, str(model.loss))
    trees = []
    for i, iteration in enumerate(model._predictors):
        for k, predictor in enumerate(iteration):
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            categorical = np.flatnonzero(nodes["is_categorical"].astype(bool) & ~leaf)
            if categorical.size:
                raise UnsupportedError(
                    f"model: {type(model).__name__} iteration {i}, tree {k}, node "
                    f"{int(categorical[0])} is a categorical split; categorical splits are not "
                    "supported natively"
                )
            left = np.where(leaf, -1, nodes["left"].astype(np.int64))
            right = np.where(leaf, -1, nodes["right"].astype(np.int64))
            default = np.where(nodes["missing_go_to_left"].astype(bool), left, right)
            trees.append(
                _tree_json(
                    left,
                    right,
                    default,
                    nodes["feature_idx"],
                    nodes["num_threshold"],
                    nodes["value"][:, None],
                    nodes["count"],
                )
            )
    return _ensemble(
        model,
        trees,
        n_raw=n_raw,
        tree_output=list(range(n_raw)) * len(model._predictors) if n_raw > 1 else None,
        float32=False,
        tree_weight=1.0,
        base_score=base.tolist(),
        link=link,
        accumulate="sequential",
    )


def _linear(model: Any, output: str) -> dict[str, Any]:
    """Linear models: ``decision_function`` / ``predict`` = ``X @ coef_.T + intercept_``."""
    coef = model.coef_
    coef = np.atleast_2d(np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef))
    coef = coef.astype(np.float64)
    intercept = np.broadcast_to(
        np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64)), (coef.shape[0],)
    )
    classifier = _is_classifier(model)
    link = "identity"
    if output == "predict" and classifier:
        raise _unsupported_output(
            model, output, 'predict returns class labels; use output="raw" or "probability"'
        )
    if output == "probability":
        if not classifier:
            raise _unsupported_output(model, output, "a regressor has no class probabilities")
        logistic = _is(model, "sklearn", "LogisticRegression") or (
            _is(model, "sklearn", "SGDClassifier") and model.loss == "log_loss"
        )
        if not logistic:
            raise _unsupported_output(
                model,
                output,
                "only logistic models (LogisticRegression, "
                "SGDClassifier(loss='log_loss')) have natively computed probabilities",
            )
        if coef.shape[0] == 1:
            link = "logistic"
        elif _is(model, "sklearn", "LogisticRegression"):
            link = "softmax"
        else:
            raise _unsupported_output(
                model, output, "multiclass SGDClassifier probabilities are one-vs-rest normalised"
            )
    return {
        "kind": "linear",
        "coef": {"v": 1, "dim": list(coef.shape), "data": coef.ravel().tolist()},
        "intercept": {"v": 1, "dim": [coef.shape[0]], "data": intercept.tolist()},
        "link": link,
    }


# --- XGBoost -----------------------------------------------------------------------------------


def _xgboost_json(model: Any) -> str:
    """The booster's JSON; for the scikit-learn wrappers, cut at ``best_iteration`` as their
    ``predict`` does after early stopping."""
    if _is(model, "xgboost", "Booster"):
        return bytes(model.save_raw("json")).decode()
    booster = model.get_booster()
    try:
        best = int(model.best_iteration)
    except AttributeError:  # no early stopping: every tree
        return bytes(booster.save_raw("json")).decode()
    booster = booster[: best + 1]
    return bytes(booster.save_raw("json")).decode()
