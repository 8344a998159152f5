//! Explanations: Shapley values (exact, permutation, kernel, linear, TreeSHAP), permutation
//! importance, partial dependence / ICE and ALE. Every method calls the model in batches
//! through [`CountingModel`], which records the calls and rows the report states.

pub mod counting;

pub use counting::CountingModel;
