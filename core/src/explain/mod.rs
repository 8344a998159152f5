//! Explanations: Shapley values (exact, permutation, kernel, linear, TreeSHAP), permutation
//! importance, partial dependence / ICE and ALE. Every method calls the model in batches
//! through [`CountingModel`], which records the calls and rows the report states.

pub mod ale;
pub mod batches;
pub mod counting;
pub mod exact;
mod importance_linear;
mod importance_trees;
pub mod kernel;
pub mod linear_shap;
pub mod masker;
pub mod partial_dependence;
pub mod permutation;
pub mod permutation_importance;
mod permutation_trees;
pub mod scoring;

pub use counting::CountingModel;
pub mod tree_interventional;
pub mod tree_shap;
mod tree_walk;

pub use tree_shap::{
    tree_expected_value, tree_shap, tree_shap_interaction_values, trees_of, FeaturePerturbation,
    TreeShapParams,
};
