"""TreeSHAP for tree ensembles, computed natively: SHAP's ``TreeExplainer`` by name."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from aequa import _core
from aequa._core import InvalidArgumentError, NativeModel
from aequa.explain._explanation import Explanation

_PERTURBATIONS = ("auto", "tree_path_dependent", "interventional")


class TreeExplainer:
    """Exact SHAP values of a tree ensemble's raw output, computed in Rust (TreeSHAP).

    Parameters
    ----------
    model : aequa NativeModel, str, dict or fitted estimator
        A native tree ensemble (``aequa._core.NativeModel`` of kind ``"trees"``), its JSON
        (``str`` or ``dict``), or a fitted scikit-learn tree ensemble / XGBoost / LightGBM
        model, converted with ``aequa.explain._models.to_native``.
    data : array-like of shape (n_background, n_features), optional
        Background rows. With ``feature_perturbation="interventional"`` absent features take
        the background's values and results are averaged over every background row (all of
        them: nothing is subsampled). With ``"tree_path_dependent"`` the background's counts
        replace the trees' training covers, as in SHAP.
    feature_perturbation : {"auto", "tree_path_dependent", "interventional"}, default "auto"
        ``"auto"`` is interventional when `data` is given, else tree path-dependent.
        Interventional without `data` is an error (SHAP silently falls back).
    model_output : {"raw"}, default "raw"
        The trees' raw output: the prediction for regressors and forests of classifiers
        (probabilities), the margin (log-odds) for boosted classifiers -- what SHAP explains
        by default.
    feature_names : list of str, optional
        Defaults to the columns of ``X`` or `data` when they are DataFrames, then the model's
        ``feature_names_in_``, then ``"Feature 0"``, ``"Feature 1"``, ...

    Attributes
    ----------
    expected_value : float or ndarray
        The base value: the cover-weighted mean raw output (path-dependent) or the mean raw
        output over `data` (interventional); one value per output for multi-output models.
    feature_perturbation : str
        The resolved method: ``"tree_path_dependent"`` or ``"interventional"``.
    model : aequa._core.NativeModel
        The native model explained.
    data : ndarray or None
        The background as float64.

    Examples
    --------
    >>> import numpy as np
    >>> from aequa.explain import TreeExplainer
    >>> stump = {"kind": "trees", "n_features": 2, "n_raw_outputs": 1, "trees": [{
    ...     "children_left": [1, -1, -1], "children_right": [2, -1, -1],
    ...     "children_default": [1, -1, -1], "feature": [0, 0, 0],
    ...     "threshold": [0.5, 0.0, 0.0], "value": [2.0, 1.0, 3.0], "cover": [4.0, 2.0, 2.0]}],
    ...     "tree_output": None, "comparison": "less_equal", "float32_features": False,
    ...     "tree_weight": 1.0, "base_score": [0.0], "link": "identity", "source": "example"}
    >>> explainer = TreeExplainer(stump)
    >>> explainer.expected_value
    2.0
    >>> explainer.shap_values(np.array([[0.0, 7.0], [1.0, 7.0]]))
    array([[-1.,  0.],
           [ 1.,  0.]])
    >>> explanation = explainer(np.array([[0.0, 7.0]]))
    >>> explanation.values.tolist(), explanation.base_values.tolist()
    ([[-1.0, 0.0]], [2.0])
    """

    def __init__(
        self,
        model: Any,
        data: Any = None,
        feature_perturbation: str = "auto",
        model_output: str = "raw",
        feature_names: list[str] | None = None,
    ) -> None:
        if feature_perturbation not in _PERTURBATIONS:
            raise InvalidArgumentError(
                f"feature_perturbation: expected one of {', '.join(map(repr, _PERTURBATIONS))}, "
                f"found {feature_perturbation!r}"
            )
        if model_output != "raw":
            raise _core.UnsupportedError(
                f"model_output: only 'raw' is supported (the trees' own output), found "
                f"{model_output!r}; transform the SHAP values of the raw output yourself or use "
                "an explainer with a Python model for other outputs"
            )
        self.model: NativeModel = _native(model)
        self._estimator = model
        self.model_output = model_output
        self.data: np.ndarray | None = None
        data_columns: list[str] | None = None
        if data is not None:
            self.data, data_columns = _matrix(data, "data")
        self._requested = feature_perturbation
        self.feature_perturbation = (
            ("interventional" if self.data is not None else "tree_path_dependent")
            if feature_perturbation == "auto"
            else feature_perturbation
        )
        self._feature_names = feature_names
        self._data_columns = data_columns
        how = json.dumps(
            {"feature_perturbation": feature_perturbation, "feature_names": feature_names}
        )
        base = _core.tree_expected_value(self.model, self.data, how)
        self._n_outputs = len(base)
        self.expected_value: float | np.ndarray = (
            float(base[0]) if len(base) == 1 else np.asarray(base, dtype=np.float64)
        )

    def __call__(self, X: Any) -> Explanation:
        """Explain the rows of `X`.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
            Rows to explain (numpy, pandas, polars). NaN is a missing value and follows
            each split's default branch, as the model's own predictions do.

        Returns
        -------
        Explanation
            ``values`` ``(n_rows, n_features[, n_outputs])``, ``base_values``, ``data``,
            the additivity residual per row, ``model_calls == 0``.
        """
        x, columns = _matrix(X, "X")
        text = _core.tree_shap(self.model, x, self.data, self._params(columns))
        return Explanation(json.loads(text), data=x)

    def shap_values(self, X: Any) -> np.ndarray:
        """SHAP values as SHAP returns them.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features) or (n_features,)

        Returns
        -------
        ndarray
            ``(n_rows, n_features)`` for one output, ``(n_rows, n_features, n_outputs)``
            otherwise; without the row axis when `X` is one row given as a 1-D array.
        """
        flat = np.ndim(X) == 1
        values = self(np.asarray(X).reshape(1, -1) if flat else X).values
        return values[0] if flat else values

    def shap_interaction_values(self, X: Any) -> np.ndarray:
        """SHAP interaction values (path-dependent).

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features) or (n_features,)

        Returns
        -------
        ndarray
            ``(n_rows, n_features, n_features)`` for one output, with a trailing outputs axis
            otherwise. Each matrix is symmetric; its rows sum to the SHAP values and the whole
            matrix sums to ``f(x) - expected_value``. Off-diagonal entries hold half of each
            pairwise interaction, the diagonal the main effects.

        Raises
        ------
        aequa.UnsupportedError
            For an interventional explainer (SHAP returns zeros there).
        """
        flat = np.ndim(X) == 1
        x, columns = _matrix(np.asarray(X).reshape(1, -1) if flat else X, "X")
        params = self._params(columns)
        values = _core.tree_shap_interaction_values(self.model, x, self.data, params)
        if self._n_outputs == 1:
            values = values[..., 0]
        return values[0] if flat else values

    def _params(self, columns: list[str] | None) -> str:
        n_features = self.model.n_features
        names = self._feature_names or columns or self._data_columns
        if names is None:
            fitted = getattr(self._estimator, "feature_names_in_", None)
            names = None if fitted is None else [str(c) for c in fitted]
        if names is not None and len(names) != n_features:
            names = None if self._feature_names is None else list(names)
        classes = getattr(self._estimator, "classes_", None)
        outputs = None
        if classes is not None and len(classes) == self._n_outputs:
            outputs = [str(c) for c in classes]
        return json.dumps(
            {
                "feature_perturbation": self._requested,
                "feature_names": None if names is None else [str(n) for n in names],
                "output_names": outputs,
            }
        )

    def __repr__(self) -> str:
        return (
            f"TreeExplainer(feature_perturbation={self.feature_perturbation!r}, "
            f"model_output={self.model_output!r})"
        )


def _native(model: Any) -> NativeModel:
    """The native model for `model` (a NativeModel, its JSON, or a fitted estimator)."""
    if isinstance(model, NativeModel):
        return model
    if isinstance(model, str):
        return NativeModel(model)
    if isinstance(model, dict):
        return NativeModel(json.dumps(model))
    from aequa.explain._models import to_native  # type: ignore[import-not-found,unused-ignore]

    native: NativeModel = to_native(model)
    return native


def _matrix(X: Any, argument: str) -> tuple[np.ndarray, list[str] | None]:
    """A C-contiguous float64 matrix and the column names when `X` has them."""
    columns = None
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        X = X.to_numpy(dtype=np.float64, na_value=np.nan)
    elif type(X).__module__.split(".")[0] == "polars":
        columns = [str(c) for c in X.columns]
        X = X.to_numpy()
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidArgumentError(
            f"{argument}: expected a numeric matrix (rows x features), found values that are "
            f"not numbers ({err}); encode categorical columns first"
        ) from None
    if arr.ndim != 2:
        raise InvalidArgumentError(
            f"{argument}: expected a 2-D array (rows x features), found shape {arr.shape}"
        )
    return np.ascontiguousarray(arr), columns
