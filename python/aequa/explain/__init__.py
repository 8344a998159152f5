"""Explanations: Shapley values (exact, permutation, kernel, linear, TreeSHAP), permutation
importance, partial dependence / ICE and ALE, under SHAP's and scikit-learn's names."""

from __future__ import annotations

from aequa.explain._explainers import (
    ExactExplainer,
    KernelExplainer,
    LinearExplainer,
    PermutationExplainer,
)
from aequa.explain._explanation import Explanation

__all__ = [
    "ExactExplainer",
    "Explanation",
    "KernelExplainer",
    "LinearExplainer",
    "PermutationExplainer",
]
