//! The drift report: per column, the test chosen, its statistic, p-value (raw and adjusted
//! for multiple testing), threshold, verdict and the bins it used; per section (the whole
//! data, and each sensitive group) the share of drifted columns and the dataset verdict.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::drift::binning::Bins;
use crate::drift::select::Test;
use crate::drift::DriftOptions;
use crate::report::Num;

/// A whole drift report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `drift`.
    pub kind: String,
    /// The options that produced the report, defaults filled in.
    pub params: DriftOptions,
    /// Every row of the reference and current data.
    pub overall: DriftSection,
    /// The sensitive feature the data was split by, if any.
    pub sensitive_feature: Option<String>,
    /// The same report within each level of the sensitive feature.
    pub by_group: BTreeMap<String, GroupDrift>,
    /// Notes worth reading (fallbacks, capped p-values, skipped groups).
    pub warnings: Vec<String>,
}

/// Drift of every column over one set of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftSection {
    /// Reference rows.
    pub n_reference: usize,
    /// Current rows.
    pub n_current: usize,
    /// One entry per feature column, in input order.
    pub columns: Vec<ColumnDrift>,
    /// Drift of the model's predictions, if given (not counted in the share).
    pub prediction: Option<ColumnDrift>,
    /// Feature columns tested.
    pub n_columns: usize,
    /// Feature columns that drifted.
    pub n_drifted: usize,
    /// `n_drifted / n_columns`.
    pub drift_share: Num,
    /// Whether `drift_share` reaches the `drift_share` option (Evidently's dataset drift).
    pub dataset_drift: bool,
}

/// A section for one sensitive group, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDrift {
    /// Reference rows in the group.
    pub n_reference: usize,
    /// Current rows in the group.
    pub n_current: usize,
    /// The group's report (absent when it could not be computed).
    pub section: Option<DriftSection>,
    /// Why the group has no report.
    pub error: Option<String>,
}

/// Drift of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// The test applied.
    pub test: Test,
    /// `default` (see `drift::select`) or `user`.
    pub selected_by: String,
    /// The test's statistic (distance or test statistic).
    pub statistic: Num,
    /// The test's p-value (null for distances).
    pub p_value: Num,
    /// The p-value after the report's multiple-testing correction (null for distances).
    pub p_value_adjusted: Num,
    /// Drift when the adjusted p-value is below it (tests) or the statistic reaches it
    /// (distances).
    pub threshold: f64,
    /// The verdict.
    pub drifted: bool,
    /// Non-missing reference values.
    pub n_reference: usize,
    /// Non-missing current values.
    pub n_current: usize,
    /// Missing reference values (NaN, ±∞, missing categories), dropped.
    pub missing_reference: usize,
    /// Missing current values, dropped.
    pub missing_current: usize,
    /// Distinct values (or observed categories) over both samples.
    pub n_distinct: usize,
    /// The bins PSI, Jensen–Shannon and chi-square compared (absent for other tests).
    pub bins: Option<Bins>,
    /// Test-specific numbers (KS location and method, AD critical values, PSI floors, ...).
    pub details: BTreeMap<String, serde_json::Value>,
}
