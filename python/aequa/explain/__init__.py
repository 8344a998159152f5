"""Explanations: Shapley values (exact, permutation, kernel, linear, TreeSHAP), permutation
importance, partial dependence / ICE and ALE, under SHAP's and scikit-learn's names."""

from __future__ import annotations

from aequa.explain._ale import AccumulatedLocalEffects, accumulated_local_effects
from aequa.explain._dependence import PartialDependenceResult, partial_dependence
from aequa.explain._explainers import (
    ExactExplainer,
    KernelExplainer,
    LinearExplainer,
    PermutationExplainer,
)
from aequa.explain._explanation import Explanation
from aequa.explain._importance import PermutationImportanceResult, permutation_importance
from aequa.explain._models import model_callable, to_native
from aequa.explain._tree import TreeExplainer

__all__ = [
    "AccumulatedLocalEffects",
    "ExactExplainer",
    "Explanation",
    "KernelExplainer",
    "LinearExplainer",
    "PartialDependenceResult",
    "PermutationExplainer",
    "PermutationImportanceResult",
    "TreeExplainer",
    "accumulated_local_effects",
    "model_callable",
    "partial_dependence",
    "permutation_importance",
    "to_native",
]
