//! Results of the robustness probes (`aequa.robust`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::groups::FeatureLevels;
use crate::report::Num;

/// Per-row quantities averaged within one sensitive group (computed by the fairness engine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupValues {
    /// Sensitive levels of the group.
    pub group: Vec<String>,
    /// Rows in the group.
    pub rows: u64,
    /// Quantity name → group mean (`null` for an empty group).
    pub values: BTreeMap<String, Num>,
}

/// Noise stability of a model over perturbation budgets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseStabilityReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `noise_stability`.
    pub kind: String,
    /// Column names.
    pub feature_names: Vec<String>,
    /// Perturbation budgets (noise scale in units of each feature's spread).
    pub budgets: Vec<f64>,
    /// Fraction of (row, repeat) pairs whose predicted label changed, per budget.
    pub flip_rate: Vec<Num>,
    /// Mean absolute change of the outputs (averaged over outputs), per budget.
    pub mean_output_change: Vec<Num>,
    /// Flip rate when only one feature is perturbed, features × budgets (empty when
    /// `per_feature` is off).
    pub feature_flip_rate: Vec<Vec<Num>>,
    /// Mean output change when only one feature is perturbed, features × budgets.
    pub feature_output_change: Vec<Vec<Num>>,
    /// Sensitive features and their levels (empty without sensitive features).
    pub sensitive: Vec<FeatureLevels>,
    /// Per budget, `flip_rate` and `mean_output_change` by sensitive group.
    pub by_group: Vec<Vec<GroupValues>>,
    /// Warnings (groups too small to judge, constant features, ...).
    pub warnings: Vec<String>,
    /// Calls of the model (batches).
    pub model_calls: u64,
    /// Rows the model evaluated in total.
    pub rows_evaluated: u64,
    /// Wall time in seconds (filled by the binding; `null` where no clock exists).
    pub elapsed_seconds: Option<f64>,
    /// The parameters that produced the result.
    pub params: NoiseParams,
}

/// Parameters of a noise-stability run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseParams {
    /// `gaussian` or `uniform`.
    pub noise: String,
    /// Noisy copies of each row per budget.
    pub n_repeats: usize,
    /// Seed of the noise.
    pub random_state: u32,
    /// Label threshold of single-output models.
    pub threshold: f64,
    /// Spread (population standard deviation) of each feature, the unit of the budgets.
    pub spread: Vec<f64>,
    /// Rows of `X`.
    pub n_rows: usize,
}

/// The counterfactual probe of the sensitive attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitiveFlipReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `sensitive_flip`.
    pub kind: String,
    /// Names of the sensitive columns of `X`.
    pub sensitive_columns: Vec<String>,
    /// Their indices in `X`.
    pub sensitive_indices: Vec<usize>,
    /// The value combinations every row is moved to (one list per combination).
    pub values: Vec<Vec<f64>>,
    /// Fraction of rows whose label changes for at least one counterfactual.
    pub flip_rate: Num,
    /// Fraction of (row, counterfactual) pairs whose label changes.
    pub counterfactual_flip_rate: Num,
    /// Mean over rows of the largest absolute output change over counterfactuals.
    pub mean_max_output_change: Num,
    /// Per row: whether some counterfactual changes its label.
    pub flipped: Vec<bool>,
    /// Per row: the largest absolute output change.
    pub max_output_change: Vec<f64>,
    /// Per value combination: fraction of the rows moved to it (rows already there excluded)
    /// whose label changes.
    pub flip_rate_to: Vec<Num>,
    /// Groups of the rows' original sensitive values.
    pub sensitive: Vec<FeatureLevels>,
    /// `flip_rate` and `mean_max_output_change` by original group.
    pub by_group: Vec<GroupValues>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Calls of the model (batches).
    pub model_calls: u64,
    /// Rows the model evaluated in total.
    pub rows_evaluated: u64,
    /// Wall time in seconds (filled by the binding).
    pub elapsed_seconds: Option<f64>,
    /// Label threshold of single-output models.
    pub threshold: f64,
}

/// The result of an adversarial attack (FGSM, PGD, minimal perturbation, HopSkipJump).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttackReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// `fgsm`, `pgd`, `minimal_perturbation` or `hop_skip_jump`.
    pub kind: String,
    /// `l2` or `linf`.
    pub norm: String,
    /// The adversarial rows (the original row where the attack found nothing).
    pub x_adv: Vec<Vec<f64>>,
    /// Per row: the row was attacked (originally correct; all rows without `y`).
    pub attacked: Vec<bool>,
    /// Per row: the adversarial row's label differs from the original label.
    pub success: Vec<bool>,
    /// Per row: norm of `x_adv - x` (`null` where the attack failed).
    pub perturbation_norm: Vec<Num>,
    /// Per row: label of `x`.
    pub original_label: Vec<usize>,
    /// Per row: label of `x_adv`.
    pub adversarial_label: Vec<usize>,
    /// Successes over attacked rows.
    pub success_rate: Num,
    /// Median perturbation norm over successful rows.
    pub median_perturbation: Num,
    /// Median of `‖x_adv - x‖ / ‖x‖` over successful rows.
    pub median_relative_perturbation: Num,
    /// Budgets at which robust accuracy is reported.
    pub budgets: Vec<f64>,
    /// Per budget: fraction of all rows correct and not broken within the budget.
    pub robust_accuracy: Vec<Num>,
    /// Model calls (batches).
    pub model_calls: u64,
    /// Rows the model evaluated (queries).
    pub rows_evaluated: u64,
    /// Wall time in seconds (filled by the binding).
    pub elapsed_seconds: Option<f64>,
    /// Seed.
    pub random_state: u32,
    /// Targeted attacks: the class index each row had to reach (absent when untargeted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_label: Option<Vec<usize>>,
}
