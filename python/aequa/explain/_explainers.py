"""Model-agnostic Shapley values under SHAP's names, computed by the Rust core.

``ExactExplainer``, ``PermutationExplainer`` and ``KernelExplainer`` use the interventional
(background) masker: a feature outside the coalition takes each background row's value in
turn and the model output is averaged over the background. ``LinearExplainer`` is the closed
form for linear models. The model is a native model (no Python in the loop), a fitted
estimator (converted to a native model when aequa supports it, else its ``predict``), or any
callable ``f(X) -> array``, called in large batches.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import numpy as np

from aequa import _core
from aequa.explain._explanation import Explanation

_BATCH_BYTES = 8 << 20


def _matrix(argument: str, data: Any) -> tuple[np.ndarray, list[str] | None]:
    """numpy / pandas / polars → a C-contiguous float64 matrix and its column names."""
    names = None
    if hasattr(data, "columns") and hasattr(data, "to_numpy"):
        names = [str(c) for c in data.columns]
        data = data.to_numpy()
    try:
        arr = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise _core.InvalidArgumentError(
            f"{argument}: expected a numeric matrix (rows x features), found values that are "
            f"not numbers ({e}); encode categorical columns first"
        ) from None
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise _core.InvalidArgumentError(
            f"{argument}: expected a 2-D matrix (rows x features), found {arr.ndim} dimensions"
        )
    return np.ascontiguousarray(arr), names


def _background(masker: Any) -> tuple[np.ndarray, list[str] | None]:
    """Background data as given: an array, a DataFrame, or a SHAP tabular masker's data."""
    if not hasattr(masker, "shape") and hasattr(masker, "data"):
        data, names = _matrix("masker", masker.data)
        given = getattr(masker, "feature_names", None)
        if names is None and given is not None:
            names = [str(n) for n in given]
        return data, names
    return _matrix("masker", masker)


def _resolve_model(model: Any) -> Any:
    """A NativeModel or a callable the core can batch."""
    if isinstance(model, _core.NativeModel):
        return model
    if not callable(model) and hasattr(model, "predict"):
        try:
            from aequa.explain._models import to_native
        except ImportError:
            return model.predict
        try:
            return to_native(model)
        except (TypeError, ValueError, NotImplementedError):
            return model.predict
    if callable(model):
        return model
    raise _core.InvalidArgumentError(
        f"model: expected a callable f(X) -> predictions, a fitted estimator or an aequa "
        f"NativeModel, found {type(model).__name__}"
    )


def _seed(random_state: int | None) -> int:
    if random_state is None:
        return secrets.randbelow(2**32)
    if isinstance(random_state, (bool, np.random.RandomState, np.random.Generator)) or not (
        0 <= int(random_state) < 2**32
    ):
        raise _core.InvalidArgumentError(
            f"random_state: expected an integer seed in [0, 2**32) or None, found {random_state!r}"
        )
    return int(random_state)


class _MaskerExplainer:
    """Shared set-up: the model, the background and the options of the masker."""

    _method = ""

    def __init__(
        self,
        model: Any,
        masker: Any,
        *,
        feature_names: list[str] | None = None,
        output_names: list[str] | None = None,
        max_background: int | None = None,
        background_random_state: int = 0,
        batch_bytes: int = _BATCH_BYTES,
    ) -> None:
        self.model = _resolve_model(model)
        self.data, names = _background(masker)
        self.feature_names = list(feature_names) if feature_names is not None else names
        self.output_names = list(output_names) if output_names is not None else None
        self.max_background = max_background
        self.background_random_state = background_random_state
        self.batch_bytes = batch_bytes
        self._expected_value: Any = None

    def _masker_options(self, names: list[str] | None) -> dict[str, Any]:
        return {
            "batch_bytes": int(self.batch_bytes),
            "max_background": None if self.max_background is None else int(self.max_background),
            "background_random_state": int(self.background_random_state),
            "feature_names": self.feature_names if self.feature_names is not None else names,
            "output_names": self.output_names,
            # Native models run on several threads; a Python model is called from one.
            "parallel": isinstance(self.model, _core.NativeModel),
        }

    def _run(self, X: Any, options: dict[str, Any]) -> Explanation:
        x, names = _matrix("X", X)
        options["masker"] = self._masker_options(names)
        report = _core.shapley_values(self._method, self.model, x, self.data, json.dumps(options))
        explanation = Explanation(json.loads(report), data=x)
        if len(explanation):
            self._expected_value = explanation.base_values[0]
        return explanation

    @property
    def expected_value(self) -> Any:
        """Mean model output over the background (SHAP's ``expected_value``)."""
        if self._expected_value is None:
            model = self.model
            out = (
                model.predict(self.data)
                if isinstance(model, _core.NativeModel)
                else model(self.data)
            )
            mean = np.asarray(out, dtype=np.float64).mean(axis=0)
            self._expected_value = float(mean) if mean.ndim == 0 else mean
        return self._expected_value

    def shap_values(self, X: Any, **kwargs: Any) -> np.ndarray:
        """The attributions alone: ``(rows, features)`` or ``(rows, features, outputs)``."""
        return self(X, **kwargs).values

    def __call__(self, X: Any, **kwargs: Any) -> Explanation:  # pragma: no cover - abstract
        raise NotImplementedError


class ExactExplainer(_MaskerExplainer):
    """Exact Shapley values by enumerating every coalition (SHAP's ``ExactExplainer``).

    Parameters
    ----------
    model : NativeModel, estimator or callable
        ``f(X) -> (rows,) or (rows, outputs)``.
    masker : array-like or DataFrame
        Background data, used as given (every row); its columns name the features.
    max_features : int, default 16
        Refuse rows with more features differing from the background (cost ``2**m``).
    algorithm : {"auto", "enumerate"}, default "auto"
        ``"auto"`` computes the values of a native tree ensemble with an identity link (forest
        and boosting regressors, forest classifiers' probabilities) by interventional TreeSHAP:
        the same exact values in polynomial time, with no feature limit. ``"enumerate"``
        always enumerates coalitions.
    feature_names, output_names : list of str, optional
    max_background : int, optional
        Subsample the background to this many rows (seeded, recorded in the result).
    background_random_state : int, default 0
    batch_bytes : int, default 8 MiB
        Input bytes per model call at most.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import ExactExplainer
    >>> background = np.array([[0.0, 0.0], [2.0, 2.0]])
    >>> explainer = ExactExplainer(lambda X: X[:, 0] * X[:, 1], background)
    >>> e = explainer(np.array([[3.0, 1.0]]))
    >>> e.values.round(6).tolist(), float(e.base_values[0])
    ([[1.5, -0.5]], 2.0)
    """

    _method = "exact"

    def __init__(
        self,
        model: Any,
        masker: Any,
        *,
        max_features: int = 16,
        algorithm: str = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(model, masker, **kwargs)
        if algorithm not in ("auto", "enumerate"):
            raise _core.InvalidArgumentError(
                f"algorithm: expected 'auto' or 'enumerate', found {algorithm!r}"
            )
        self.max_features = max_features
        self.algorithm = algorithm
        self._additive_trees = _is_additive_trees(self.model)

    def __call__(self, X: Any, *, max_evals: int | str = "auto") -> Explanation:
        """Explain the rows of ``X``.

        ``max_evals`` (SHAP's name) caps the coalitions per row: rows with more than
        ``log2(max_evals)`` varying features are refused; ``"auto"`` uses ``max_features``.
        """
        limit = self.max_features
        if max_evals != "auto":
            limit = min(int(np.floor(np.log2(max(int(max_evals), 1)))), 30)
            if limit < 1:
                raise _core.InvalidArgumentError(
                    f"max_evals: expected at least 2 coalitions, found {max_evals!r}"
                )
        if self.algorithm == "auto" and self._additive_trees and self.max_background is None:
            return self._tree_interventional(X)
        return self._run(X, {"max_features": int(limit)})

    def _tree_interventional(self, X: Any) -> Explanation:
        """The same exact interventional Shapley values, computed by walking the trees
        (interventional TreeSHAP: polynomial time, no model calls, no feature limit)."""
        x, names = _matrix("X", X)
        params = {
            "feature_perturbation": "interventional",
            "feature_names": self.feature_names if self.feature_names is not None else names,
            "output_names": self.output_names,
        }
        report = json.loads(_core.tree_shap(self.model, x, self.data, json.dumps(params)))
        report["params"]["algorithm"] = "interventional TreeSHAP (exact, same values)"
        explanation = Explanation(report, data=x)
        if len(explanation):
            self._expected_value = explanation.base_values[0]
        return explanation


def _is_additive_trees(model: Any) -> bool:
    """A native tree ensemble whose output is its raw sum (identity link): exactly what
    interventional TreeSHAP explains."""
    if not isinstance(model, _core.NativeModel):
        return False
    head = json.loads(model.to_json())
    return bool(head.get("kind") == "trees" and head.get("link") == "identity")


class PermutationExplainer(_MaskerExplainer):
    """Shapley values by antithetic permutation sampling (SHAP's ``PermutationExplainer``).

    Each sampled permutation is evaluated forward and reversed; ``max_evals`` is SHAP's
    budget (``max_evals // (2 m + 1)`` permutations for ``m`` features that vary). Exact for
    models with at most pairwise interactions; always additive.

    Parameters
    ----------
    model : NativeModel, estimator or callable
    masker : array-like or DataFrame
        Background data, used as given.
    random_state : int, optional
        Seed of the permutations; ``None`` draws one (recorded in the result's params).
    **kwargs
        ``feature_names``, ``output_names``, ``max_background``, ``batch_bytes``.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import PermutationExplainer
    >>> background = np.zeros((3, 3))
    >>> explainer = PermutationExplainer(lambda X: X @ [1.0, 2.0, 3.0], background,
    ...                                  random_state=0)
    >>> explainer(np.ones((1, 3))).values.round(6).tolist()
    [[1.0, 2.0, 3.0]]
    """

    _method = "permutation"

    def __init__(
        self, model: Any, masker: Any, *, random_state: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(model, masker, **kwargs)
        self.random_state = random_state

    def __call__(
        self,
        X: Any,
        *,
        max_evals: int = 500,
        permutations: Any = None,
    ) -> Explanation:
        """Explain the rows of ``X``.

        ``permutations``: explicit permutations of all feature indices, one list for every
        row or one list per row (then ``max_evals`` and ``random_state`` are unused).
        """
        options: dict[str, Any] = {
            "max_evals": int(max_evals),
            "random_state": _seed(self.random_state),
        }
        if permutations is not None:
            perms = [[[int(j) for j in p] for p in lst] for lst in _as_lists(permutations)]
            options["permutations"] = perms
        return self._run(X, options)


def _as_lists(permutations: Any) -> list[Any]:
    arr = [list(p) for p in permutations]
    if arr and arr[0] and not hasattr(arr[0][0], "__len__"):
        return [arr]  # one list of permutations for every row
    return arr


class KernelExplainer(_MaskerExplainer):
    """KernelSHAP (SHAP's ``KernelExplainer``) without SHAP's silent feature selection.

    Every feature that varies keeps its attribution (SHAP 0.51 keeps only 10 by default,
    ``l1_reg="num_features(10)"``). With ``nsamples >= 2**m - 2`` every coalition is
    enumerated and the result is the exact Shapley value.

    Parameters
    ----------
    model : NativeModel, estimator or callable
    data : array-like or DataFrame
        Background data, used as given.
    random_state : int, optional
        Seed of the sampled coalitions; ``None`` draws one (recorded).
    **kwargs
        ``feature_names``, ``output_names``, ``max_background``, ``batch_bytes``.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import KernelExplainer
    >>> background = np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    >>> explainer = KernelExplainer(lambda X: X[:, 0] * X[:, 1] + X[:, 2], background)
    >>> explainer(np.array([[2.0, 3.0, 1.0]]), nsamples=100).values.round(6).tolist()
    [[2.5, 3.0, 0.5]]
    """

    _method = "kernel"

    def __init__(
        self, model: Any, data: Any, *, random_state: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(model, data, **kwargs)
        self.random_state = random_state

    def __call__(self, X: Any, *, nsamples: int | str = "auto", l1_reg: Any = False) -> Explanation:
        """Explain the rows of ``X`` with ``nsamples`` coalitions per row (``"auto"``:
        ``2 m + 2048``). ``l1_reg`` must be ``False``: no feature selection is done."""
        if l1_reg not in (False, 0, None):
            raise _core.UnsupportedError(
                f"l1_reg={l1_reg!r}: aequa's KernelExplainer does no feature selection, so "
                "every feature keeps its attribution; drop l1_reg (or pass False)"
            )
        options = {
            "nsamples": None if nsamples == "auto" else int(nsamples),
            "random_state": _seed(self.random_state),
        }
        return self._run(X, options)


class LinearExplainer:
    """Interventional linear SHAP in closed form (SHAP's ``LinearExplainer``).

    ``values[i, j] = coef[j] * (X[i, j] - mean(background[:, j]))`` per score; the base value
    is the score at the background mean. Explains the linear score: the regression output,
    the decision function, or a logistic model's log-odds.

    Parameters
    ----------
    model : NativeModel (linear), fitted linear estimator, or ``(coef, intercept)``
    masker : array-like or DataFrame
        Background data (its mean is what matters).
    **kwargs
        ``feature_names``, ``output_names``, ``max_background``, ``background_random_state``.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import LinearExplainer
    >>> background = np.array([[0.0, 1.0], [2.0, 3.0]])
    >>> explainer = LinearExplainer((np.array([1.0, -2.0]), 0.5), background)
    >>> e = explainer(np.array([[3.0, 0.0]]))
    >>> e.values.tolist(), float(e.base_values[0])
    ([[2.0, 4.0]], -2.5)
    """

    def __init__(
        self,
        model: Any,
        masker: Any,
        *,
        feature_names: list[str] | None = None,
        output_names: list[str] | None = None,
        max_background: int | None = None,
        background_random_state: int = 0,
    ) -> None:
        self.model = _linear_native(model)
        self.data, names = _background(masker)
        self.feature_names = list(feature_names) if feature_names is not None else names
        self.output_names = list(output_names) if output_names is not None else None
        self.max_background = max_background
        self.background_random_state = background_random_state
        self._expected_value: Any = None

    def __call__(self, X: Any) -> Explanation:
        """Explain the rows of ``X``."""
        x, names = _matrix("X", X)
        options = {
            "masker": {
                "max_background": None if self.max_background is None else int(self.max_background),
                "background_random_state": int(self.background_random_state),
                "feature_names": self.feature_names if self.feature_names is not None else names,
                "output_names": self.output_names,
            }
        }
        report = _core.linear_shap(self.model, x, self.data, json.dumps(options))
        explanation = Explanation(json.loads(report), data=x)
        if len(explanation):
            self._expected_value = explanation.base_values[0]
        return explanation

    @property
    def expected_value(self) -> Any:
        """The score at the background mean."""
        if self._expected_value is None:
            self._expected_value = self(self.data[:1]).base_values[0]
        return self._expected_value

    def shap_values(self, X: Any) -> np.ndarray:
        """The attributions alone."""
        return self(X).values


def _linear_native(model: Any) -> Any:
    """A linear NativeModel from a NativeModel, a linear estimator or ``(coef, intercept)``."""
    if isinstance(model, _core.NativeModel):
        return model
    if isinstance(model, tuple) and len(model) == 2:
        coef, intercept = model
    elif hasattr(model, "coef_") and hasattr(model, "intercept_"):
        try:
            from aequa.explain._models import to_native
        except ImportError:
            to_native = None
        if to_native is not None:
            try:
                native = to_native(model)
                if json.loads(native.to_json()).get("kind") == "linear":
                    return native
            except (TypeError, ValueError, NotImplementedError):
                pass
        coef, intercept = model.coef_, model.intercept_
    else:
        raise _core.InvalidArgumentError(
            f"model: LinearExplainer expects a linear NativeModel, a fitted linear estimator "
            f"(coef_, intercept_) or a (coef, intercept) tuple, found {type(model).__name__}"
        )
    return linear_model(coef, intercept)


def linear_model(coef: Any, intercept: Any, link: str = "identity") -> Any:
    """A linear :class:`aequa._core.NativeModel` from coefficients (scores x features).

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain._explainers import linear_model
    >>> linear_model([1.0, 2.0], 0.5).predict(np.array([[1.0, 1.0]])).tolist()
    [[3.5]]
    """
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(intercept, dtype=np.float64)).reshape(-1)
    if intercept.size == 1 and coef.shape[0] > 1:
        intercept = np.repeat(intercept, coef.shape[0])
    spec = {
        "kind": "linear",
        "coef": {"v": 1, "dim": list(coef.shape), "data": coef.ravel().tolist()},
        "intercept": {"v": 1, "dim": [intercept.size], "data": intercept.tolist()},
        "link": link,
    }
    return _core.NativeModel(json.dumps(spec))
