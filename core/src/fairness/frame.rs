//! MetricFrame: the disaggregated assessment (Fairlearn's semantics). One pass accumulates the
//! cell counts; `finish` checks the labels, evaluates every metric, flags small groups and runs
//! the significance tests; the bootstrap adds confidence intervals.

use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::data::groups::{levels_of, Feature, FeatureLevels, GroupLayout};
use crate::data::Column;
use crate::error::{Error, Result};
use crate::fairness::accumulator::{Codes, FairnessAccumulator};
use crate::fairness::bootstrap::{bootstrap, BootstrapOptions, RowData};
use crate::fairness::counts::CellCounts;
use crate::fairness::disparity::{reference_disparities, ReferenceDisparities};
use crate::fairness::evaluate::{evaluate_flat, to_values};
use crate::fairness::labels::LabelSpec;
use crate::fairness::metric::{Convention, Metric};
use crate::fairness::significance::significance_tests;
use crate::report::{CellSize, FrameParams, MetricFrameReport, SCHEMA_VERSION};

/// The data of an assessment.
#[derive(Debug, Clone)]
pub struct FrameInput<'a> {
    /// Ground truth.
    pub y_true: Column<'a>,
    /// Predictions (labels, or scores with a threshold).
    pub y_pred: Column<'a>,
    /// Optional non-negative sample weights.
    pub sample_weight: Option<ArrayView1<'a, f64>>,
    /// Sensitive features (at least one).
    pub sensitive: Vec<Feature<'a>>,
    /// Control features (may be empty).
    pub control: Vec<Feature<'a>>,
}

/// Options of an assessment, defaulted and checked in one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrameOptions {
    /// Metrics to compute, by name.
    pub metrics: Vec<String>,
    /// Positive label and threshold.
    pub spec: LabelSpec,
    /// Undefined-value convention.
    pub compat: Convention,
    /// Groups with fewer rows are flagged as too small to judge.
    pub min_group_size: u64,
    /// Bootstrap intervals, when wanted.
    pub bootstrap: Option<BootstrapOptions>,
}

impl Default for FrameOptions {
    fn default() -> Self {
        FrameOptions {
            metrics: vec!["selection_rate".into()],
            spec: LabelSpec::default(),
            compat: Convention::Aequa,
            min_group_size: 30,
            bootstrap: None,
        }
    }
}

impl FrameOptions {
    /// Check the options; returns the parsed metrics.
    pub fn check(&self) -> Result<Vec<Metric>> {
        if self.metrics.is_empty() {
            return Err(Error::invalid(
                "metrics",
                "expected at least one metric, found none",
            ));
        }
        let metrics = self
            .metrics
            .iter()
            .map(|m| Metric::from_name(m))
            .collect::<Result<Vec<_>>>()?;
        // A few metrics: a quadratic scan, not a sort (one sort fewer in the WASM module).
        let twice = (0..metrics.len()).any(|i| {
            metrics
                .get(..i)
                .is_some_and(|seen| metrics.get(i).is_some_and(|m| seen.contains(m)))
        });
        if twice {
            return Err(Error::invalid(
                "metrics",
                "a metric is listed twice (possibly under an alias)",
            ));
        }
        self.spec.check()?;
        if let Some(b) = &self.bootstrap {
            b.check()?;
        }
        Ok(metrics)
    }
}

/// Compute a full assessment. `indices` (replicates × rows) replaces the seeded resampling
/// with caller-chosen rows, e.g. to reproduce another library's bootstrap draw for draw.
pub fn metric_frame(
    input: &FrameInput<'_>,
    options: &FrameOptions,
    indices: Option<ArrayView2<'_, i64>>,
) -> Result<MetricFrameReport> {
    let metrics = options.check()?;
    let layout = GroupLayout::new(levels_of(&input.sensitive), levels_of(&input.control))?;
    let mut acc = FairnessAccumulator::new(layout, options.spec)?;
    let sensitive: Vec<ArrayView1<'_, u32>> = input.sensitive.iter().map(|f| f.codes).collect();
    let control: Vec<ArrayView1<'_, u32>> = input.control.iter().map(|f| f.codes).collect();
    let codes = Codes {
        sensitive: &sensitive,
        control: &control,
    };
    acc.update(&input.y_true, &input.y_pred, input.sample_weight, codes)?;
    let mut report = finish(&acc, options)?;
    if let Some(b) = &options.bootstrap {
        let n = input.y_true.len();
        let rows = RowData {
            y_true: input.y_true.to_vec(),
            y_pred: input.y_pred.to_vec(),
            weights: input.sample_weight.map(|w| w.to_vec()),
            cells: acc.cell_indices(codes, n)?,
        };
        report.intervals = Some(bootstrap(
            &rows,
            &acc,
            &metrics,
            options.compat,
            b,
            indices,
        )?);
    } else if indices.is_some() {
        return Err(Error::invalid(
            "bootstrap_indices",
            "given without bootstrap options (n_boot, ci_quantiles)",
        ));
    }
    Ok(report)
}

/// Metrics over all rows, without groups (the standalone metric functions such as
/// `selection_rate(y_true, y_pred)`). Values follow `options.compat`.
pub fn overall_metrics(
    y_true: &Column<'_>,
    y_pred: &Column<'_>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    options: &FrameOptions,
) -> Result<Vec<f64>> {
    let metrics = options.check()?;
    crate::data::validate::check_rows(y_true, y_pred, sample_weight)?;
    let all = FeatureLevels {
        name: "all".into(),
        levels: vec!["all".into()],
    };
    let mut acc = FairnessAccumulator::new(GroupLayout::new(vec![all], Vec::new())?, options.spec)?;
    let zeros = ndarray::Array1::<u32>::zeros(y_true.len());
    let sensitive = [zeros.view()];
    acc.update(
        y_true,
        y_pred,
        sample_weight,
        Codes {
            sensitive: &sensitive,
            control: &[],
        },
    )?;
    if metrics.iter().any(|m| m.is_binary()) {
        acc.spec.check_binary(&acc.truth_seen, &acc.pred_seen)?;
    }
    let total = CellCounts::total(&acc.cells);
    Ok(metrics
        .iter()
        .map(|m| m.evaluate(&total, options.compat).0)
        .collect())
}

/// AIF360's reference-group disparities, the privileged group given by its level labels.
pub fn reference_disparities_of(
    input: &FrameInput<'_>,
    spec: LabelSpec,
    privileged: &[String],
) -> Result<ReferenceDisparities> {
    let layout = GroupLayout::new(levels_of(&input.sensitive), Vec::new())?;
    let index = (0..layout.n_groups())
        .find(|g| layout.group_labels(*g) == privileged)
        .ok_or_else(|| {
            Error::invalid(
                "privileged_group",
                format!(
                    "({}) is not a group of sensitive_features; groups are labelled by {}",
                    privileged.join(", "),
                    layout
                        .sensitive
                        .iter()
                        .map(|f| format!("{} in {:?}", f.name, f.levels))
                        .collect::<Vec<_>>()
                        .join(" x ")
                ),
            )
        })?;
    let mut acc = FairnessAccumulator::new(layout, spec)?;
    let sensitive: Vec<ArrayView1<'_, u32>> = input.sensitive.iter().map(|f| f.codes).collect();
    acc.update(
        &input.y_true,
        &input.y_pred,
        input.sample_weight,
        Codes {
            sensitive: &sensitive,
            control: &[],
        },
    )?;
    reference_disparities(&acc, index)
}

/// Evaluate an accumulator into a report (no intervals).
pub fn finish(acc: &FairnessAccumulator, options: &FrameOptions) -> Result<MetricFrameReport> {
    let metrics = options.check()?;
    let layout = &acc.layout;
    if acc.n_rows() == 0 {
        return Err(Error::invalid(
            "y_true",
            "expected at least one row, found none",
        ));
    }
    if layout.n_groups() < 2 {
        return Err(Error::invalid(
            "sensitive_features",
            format!(
                "found a single group ({}); a fairness assessment compares at least two groups",
                layout.group_labels(0).join(", ")
            ),
        ));
    }
    if metrics.iter().any(|m| m.is_binary()) {
        acc.spec.check_binary(&acc.truth_seen, &acc.pred_seen)?;
    }
    let mut undefined = Vec::new();
    let flat = evaluate_flat(
        &acc.cells,
        layout,
        &metrics,
        options.compat,
        Some(&mut undefined),
    );
    let n_groups = layout.n_groups();
    let sizes: Vec<CellSize> = acc
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| CellSize {
            control: layout.stratum_labels(i / n_groups),
            group: layout.group_labels(i % n_groups),
            rows: c.rows,
            weight: c.weight.value(),
        })
        .collect();
    let warnings = small_group_warnings(&sizes, options.min_group_size);
    let tests = if metrics.iter().any(|m| m.is_binary()) {
        significance_tests(acc, &metrics)
    } else {
        Vec::new()
    };
    Ok(MetricFrameReport {
        schema_version: SCHEMA_VERSION,
        kind: "metric_frame".into(),
        params: FrameParams {
            metrics: metrics.iter().map(|m| m.name().to_string()).collect(),
            pos_label: acc.spec.pos_label,
            threshold: acc.spec.threshold,
            compat: options.compat,
            n_rows: acc.n_rows(),
            weighted: acc.weighted,
            min_group_size: options.min_group_size,
        },
        sensitive: layout.sensitive.clone(),
        control: layout.control.clone(),
        sizes,
        values: to_values(&flat, layout, &metrics),
        undefined,
        warnings,
        tests,
        intervals: None,
    })
}

fn describe(size: &CellSize) -> String {
    let group = size.group.join(", ");
    if size.control.is_empty() {
        format!("group ({group})")
    } else {
        format!("group ({group}) within ({})", size.control.join(", "))
    }
}

fn small_group_warnings(sizes: &[CellSize], min_group_size: u64) -> Vec<String> {
    sizes
        .iter()
        .filter(|s| s.rows < min_group_size)
        .map(|s| {
            if s.rows == 0 {
                format!("{} has no rows: it is shown as an empty row, with undefined metrics", describe(s))
            } else {
                format!(
                    "{} has only {} rows (< min_group_size={min_group_size}): its metrics are too noisy to judge alone; read its confidence interval",
                    describe(s),
                    s.rows
                )
            }
        })
        .collect()
}
