//! Explanations: Shapley values (exact, permutation, kernel, linear, TreeSHAP), permutation
//! importance, partial dependence / ICE and ALE. Every method calls the model in batches
//! through [`CountingModel`], which records the calls and rows the report states.

pub mod ale;
pub mod batches;
pub mod counting;
pub mod partial_dependence;
pub mod permutation_importance;
pub mod scoring;

pub use counting::CountingModel;
