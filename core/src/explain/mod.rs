//! Explanations: Shapley values (exact, permutation, kernel, linear, TreeSHAP), permutation
//! importance, partial dependence / ICE and ALE. Every method calls the model in batches
//! through [`CountingModel`], which records the calls and rows the report states.

pub mod counting;
pub mod exact;
pub mod kernel;
pub mod linear_shap;
pub mod masker;
pub mod permutation;

pub use counting::CountingModel;
