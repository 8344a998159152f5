//! The result of a feature-attribution method (SHAP's `Explanation`, by field name).

use serde::{Deserialize, Serialize};

use crate::report::Num;

/// Attributions for a batch of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `explanation`.
    pub kind: String,
    /// `exact`, `permutation`, `kernel`, `linear`, `tree_path_dependent`, `tree_interventional`.
    pub method: String,
    /// Shape of `values`: `[rows, features, outputs]`.
    pub shape: [usize; 3],
    /// Attributions, row-major over `shape`.
    pub values: Vec<Num>,
    /// Expected model output per row and output (`[rows, outputs]`, row-major).
    pub base_values: Vec<Num>,
    /// Feature names.
    pub feature_names: Vec<String>,
    /// Output names.
    pub output_names: Vec<String>,
    /// `f(x) - base_value - Σ values` per row and output: 0 up to rounding for exact methods.
    pub additivity_residual: Vec<Num>,
    /// Calls of the model (batches).
    pub model_calls: u64,
    /// Rows the model evaluated in total.
    pub rows_evaluated: u64,
    /// Method parameters (seed, permutations, background size, ...), as given.
    pub params: serde_json::Value,
}
