//! The result of a disaggregated (MetricFrame) assessment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::groups::FeatureLevels;
use crate::fairness::metric::Convention;
use crate::report::Num;

/// Metric values of one row: the overall values of a control stratum, or one group's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Control levels (empty without control features).
    pub control: Vec<String>,
    /// Sensitive levels (empty for overall rows).
    pub group: Vec<String>,
    /// Metric name → value (`null` when undefined).
    pub values: BTreeMap<String, Num>,
}

/// Group-level summaries of one metric within one control stratum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateRow {
    /// Control levels (empty without control features).
    pub control: Vec<String>,
    /// Metric name.
    pub metric: String,
    /// Smallest group value (undefined groups skipped).
    pub group_min: Num,
    /// Largest group value.
    pub group_max: Num,
    /// `group_max - group_min`.
    pub difference_between_groups: Num,
    /// Largest `|group - overall|`.
    pub difference_to_overall: Num,
    /// `group_min / group_max`.
    pub ratio_between_groups: Num,
    /// Smallest of `group / overall`, each inverted when above 1.
    pub ratio_to_overall: Num,
}

/// Point values (or one quantile of their bootstrap distribution).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FrameValues {
    /// One row per control stratum (a single row without control features).
    pub overall: Vec<Row>,
    /// One row per (control stratum × sensitive group), empty intersections included.
    pub by_group: Vec<Row>,
    /// One row per (control stratum × metric).
    pub aggregates: Vec<AggregateRow>,
}

/// Size of one group cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSize {
    /// Control levels.
    pub control: Vec<String>,
    /// Sensitive levels.
    pub group: Vec<String>,
    /// Rows.
    pub rows: u64,
    /// Total weight (equals rows when unweighted).
    pub weight: f64,
}

/// An undefined value and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undefined {
    /// Metric name.
    pub metric: String,
    /// Control levels.
    pub control: Vec<String>,
    /// Sensitive levels (empty for an overall value).
    pub group: Vec<String>,
    /// Why it is undefined (and, under the Fairlearn convention, what was substituted).
    pub reason: String,
}

/// A test that a proportion differs between groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignificanceTest {
    /// The proportion metric tested.
    pub metric: String,
    /// Control levels.
    pub control: Vec<String>,
    /// Pearson chi-square statistic of independence between group and outcome.
    pub chi2: Num,
    /// Degrees of freedom (groups tested − 1).
    pub dof: u32,
    /// p-value of the chi-square test.
    pub pvalue: Num,
    /// Group with the lowest proportion.
    pub min_group: Vec<String>,
    /// Group with the highest proportion.
    pub max_group: Vec<String>,
    /// Two-proportion z statistic, highest vs lowest group (pooled variance).
    pub z: Num,
    /// Two-sided p-value of the z test.
    pub z_pvalue: Num,
    /// Number of groups with a defined proportion.
    pub groups_tested: u32,
}

/// Bootstrap confidence intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervals {
    /// Number of bootstrap replicates.
    pub n_boot: u32,
    /// Quantiles reported.
    pub ci_quantiles: Vec<f64>,
    /// Seed (absent when the caller supplied the resampled indices).
    pub random_state: Option<u32>,
    /// `rows` (all rows with replacement, as Fairlearn), `stratified` (within each cell) or
    /// `indices` (caller-supplied replicates).
    pub resampling: String,
    /// One set of values per quantile, in `ci_quantiles` order.
    pub quantiles: Vec<FrameValues>,
}

/// Parameters that produced a [`MetricFrameReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameParams {
    /// Metrics, in the caller's order.
    pub metrics: Vec<String>,
    /// Positive label (`None`: 1 by default).
    pub pos_label: Option<f64>,
    /// Decision threshold on scores, if any.
    pub threshold: Option<f64>,
    /// Undefined-value convention.
    pub compat: Convention,
    /// Rows assessed.
    pub n_rows: u64,
    /// Whether sample weights were given.
    pub weighted: bool,
    /// Groups below this many rows are flagged as too small to judge.
    pub min_group_size: u64,
}

/// A disaggregated assessment: overall, per-group and summary values of every metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricFrameReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `metric_frame`.
    pub kind: String,
    /// Parameters.
    pub params: FrameParams,
    /// Sensitive features and their levels.
    pub sensitive: Vec<FeatureLevels>,
    /// Control features and their levels.
    pub control: Vec<FeatureLevels>,
    /// Size of each group cell, in `by_group` order.
    pub sizes: Vec<CellSize>,
    /// The values.
    pub values: FrameValues,
    /// Every undefined value and its reason.
    pub undefined: Vec<Undefined>,
    /// Warnings (groups too small to judge, ...).
    pub warnings: Vec<String>,
    /// Significance tests of each proportion metric.
    pub tests: Vec<SignificanceTest>,
    /// Bootstrap intervals, when requested.
    pub intervals: Option<Intervals>,
}
