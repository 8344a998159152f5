"""Explanations: Shapley values (exact, permutation, kernel, linear, TreeSHAP), permutation
importance, partial dependence / ICE and ALE, under SHAP's and scikit-learn's names."""

from __future__ import annotations

from aequa.explain._explanation import Explanation
from aequa.explain._models import model_callable, to_native

__all__ = ["Explanation", "model_callable", "to_native"]
