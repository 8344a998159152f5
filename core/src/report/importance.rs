//! The result of permutation importance (scikit-learn's `Bunch`, by field name).

use serde::{Deserialize, Serialize};

use crate::report::Num;

/// Permutation importances of features or feature groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportanceReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `permutation_importance`.
    pub kind: String,
    /// The scorer (greater is better).
    pub scoring: String,
    /// One name per feature or group.
    pub feature_names: Vec<String>,
    /// The columns permuted together, one list per entry of `feature_names`.
    pub feature_groups: Vec<Vec<usize>>,
    /// Unpermuted score (on the rows in `params.baseline`).
    pub baseline_score: Num,
    /// Mean importance per group over the repeats.
    pub importances_mean: Vec<Num>,
    /// Population standard deviation (ddof = 0) per group over the repeats.
    pub importances_std: Vec<Num>,
    /// `baseline_score - permuted score`, groups × repeats.
    pub importances: Vec<Vec<Num>>,
    /// Scores with the group permuted, groups × repeats.
    pub permuted_scores: Vec<Vec<Num>>,
    /// Calls of the model's `predict` (batches). 0 when a native model was read instead of
    /// called (a linear model's scores shifted by the permuted column, a tree ensemble's leaves
    /// re-walked): then only scikit-learn's full-data baseline with a subsample is a call.
    pub model_calls: u64,
    /// Rows the model's `predict` evaluated in total (0 when it was read, as above).
    pub rows_evaluated: u64,
    /// The parameters that produced the result.
    pub params: ImportanceParams,
}

/// Parameters of a permutation-importance run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportanceParams {
    /// Seed of the permutations and the subsample.
    pub random_state: u32,
    /// Permutations per group.
    pub n_repeats: usize,
    /// Rows of `X`.
    pub n_rows: usize,
    /// Rows permuted and scored per repeat (`max_samples` resolved).
    pub max_samples: usize,
    /// Rows of the baseline: `subsample` (the permuted rows) or `full` (all rows of `X`).
    pub baseline: String,
    /// The subsample's row indices (only when `max_samples < n_rows`).
    pub sample_indices: Option<Vec<usize>>,
    /// `seeded` (drawn from `random_state`) or `given` (caller-supplied permutations).
    pub permutations: String,
    /// Whether sample weights were used.
    pub weighted: bool,
}
