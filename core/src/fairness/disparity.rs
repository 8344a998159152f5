//! The one-number fairness functions.
//!
//! Fairlearn's, from a report's summaries (no control features):
//! demographic parity = selection-rate difference/ratio; equal opportunity = TPR
//! difference/ratio; equalized odds = the worse (`worst_case`) or the mean (`mean`) of the TPR
//! and FPR differences/ratios.
//!
//! AIF360's signed forms compare the unprivileged rows (every group but the privileged one,
//! pooled — as AIF360 does when given several unprivileged groups) with the privileged group:
//! statistical parity difference `SR_u - SR_p`, disparate impact `SR_u / SR_p`, average odds
//! difference `((FPR_u - FPR_p) + (TPR_u - TPR_p)) / 2`, average absolute odds difference
//! `(|FPR_u - FPR_p| + |TPR_u - TPR_p|) / 2`, equal opportunity difference `TPR_u - TPR_p`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fairness::accumulator::FairnessAccumulator;
use crate::fairness::counts::CellCounts;
use crate::fairness::metric::{Convention, Metric};
use crate::report::{AggregateRow, MetricFrameReport, Num};

/// Which summary: the gap (`difference`) or the quotient (`ratio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Largest gap.
    Difference,
    /// Smallest quotient.
    Ratio,
}

/// Compare groups with each other or with the overall value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Between the extreme groups.
    #[default]
    BetweenGroups,
    /// Each group against the overall value.
    ToOverall,
}

/// How equalized odds combines its two rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    /// The worse of the two.
    #[default]
    WorstCase,
    /// Their mean.
    Mean,
}

/// A one-number disparity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disparity {
    /// Selection-rate gap.
    DemographicParity,
    /// TPR gap.
    EqualOpportunity,
    /// TPR and FPR gaps.
    EqualizedOdds,
}

impl Disparity {
    /// Metrics the disparity needs.
    pub fn metrics(self) -> Vec<String> {
        let names: &[&str] = match self {
            Disparity::DemographicParity => &["selection_rate"],
            Disparity::EqualOpportunity => &["true_positive_rate"],
            Disparity::EqualizedOdds => &["true_positive_rate", "false_positive_rate"],
        };
        names.iter().map(|s| s.to_string()).collect()
    }
}

fn summary(row: &AggregateRow, kind: Kind, method: Method) -> f64 {
    match (kind, method) {
        (Kind::Difference, Method::BetweenGroups) => row.difference_between_groups.0,
        (Kind::Difference, Method::ToOverall) => row.difference_to_overall.0,
        (Kind::Ratio, Method::BetweenGroups) => row.ratio_between_groups.0,
        (Kind::Ratio, Method::ToOverall) => row.ratio_to_overall.0,
    }
}

/// A Fairlearn one-number disparity from a report computed with `disparity.metrics()`.
pub fn disparity(
    report: &MetricFrameReport,
    which: Disparity,
    kind: Kind,
    method: Method,
    agg: Agg,
) -> Result<f64> {
    if !report.control.is_empty() {
        return Err(Error::invalid(
            "control_features",
            "one-number disparities take no control features; use MetricFrame",
        ));
    }
    let values: Vec<f64> = which
        .metrics()
        .iter()
        .map(|m| {
            report
                .values
                .aggregates
                .iter()
                .find(|a| &a.metric == m)
                .map(|a| summary(a, kind, method))
                .ok_or_else(|| Error::invalid("metrics", format!("the report lacks {m}")))
        })
        .collect::<Result<_>>()?;
    Ok(combine(&values, kind, agg, report.params.compat))
}

/// Combine the per-rate summaries. Fairlearn applies Python's `max`/`min` to the (TPR, FPR)
/// pair, which keeps a leading NaN and drops a trailing one, and pandas' NaN-skipping mean;
/// the Aequa convention is undefined whenever a rate is.
fn combine(values: &[f64], kind: Kind, agg: Agg, convention: Convention) -> f64 {
    let first = values.first().copied().unwrap_or(f64::NAN);
    let strict_nan = values.iter().any(|v| v.is_nan());
    if convention == Convention::Aequa && strict_nan {
        return f64::NAN;
    }
    match agg {
        Agg::WorstCase => values.iter().skip(1).fold(first, |acc, v| match kind {
            Kind::Difference if *v > acc => *v,
            Kind::Ratio if *v < acc => *v,
            _ => acc,
        }),
        Agg::Mean => {
            let defined: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            #[allow(clippy::cast_precision_loss)]
            let n = defined.len() as f64;
            if defined.is_empty() {
                f64::NAN
            } else {
                defined.iter().sum::<f64>() / n
            }
        }
    }
}

/// AIF360's signed forms, unprivileged (pooled) minus privileged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceDisparities {
    /// The privileged group's levels.
    pub privileged: Vec<String>,
    /// Name → value.
    pub values: BTreeMap<String, Num>,
}

/// AIF360's forms against the privileged group `privileged` (a group index of the layout).
pub fn reference_disparities(
    acc: &FairnessAccumulator,
    privileged: usize,
) -> Result<ReferenceDisparities> {
    let layout = &acc.layout;
    let n_groups = layout.n_groups();
    if privileged >= n_groups {
        return Err(Error::invalid(
            "privileged_group",
            format!("group index {privileged} is outside 0..{n_groups}"),
        ));
    }
    acc.spec.check_binary(&acc.truth_seen, &acc.pred_seen)?;
    let mut priv_cells = CellCounts::default();
    let mut unpriv_cells = CellCounts::default();
    for (i, c) in acc.cells.iter().enumerate() {
        if i % n_groups == privileged {
            &mut priv_cells
        } else {
            &mut unpriv_cells
        }
        .merge(c);
    }
    if priv_cells.rows == 0 {
        return Err(Error::invalid(
            "privileged_group",
            "the privileged group has no rows",
        ));
    }
    let rate = |m: Metric, c: &CellCounts| m.strict(c).unwrap_or(f64::NAN);
    let (sr_u, sr_p) = (
        rate(Metric::SelectionRate, &unpriv_cells),
        rate(Metric::SelectionRate, &priv_cells),
    );
    let (tpr_u, tpr_p) = (
        rate(Metric::TruePositiveRate, &unpriv_cells),
        rate(Metric::TruePositiveRate, &priv_cells),
    );
    let (fpr_u, fpr_p) = (
        rate(Metric::FalsePositiveRate, &unpriv_cells),
        rate(Metric::FalsePositiveRate, &priv_cells),
    );
    let values = [
        ("statistical_parity_difference", sr_u - sr_p),
        ("disparate_impact_ratio", sr_u / sr_p),
        (
            "average_odds_difference",
            0.5 * ((fpr_u - fpr_p) + (tpr_u - tpr_p)),
        ),
        (
            "average_abs_odds_difference",
            0.5 * ((fpr_u - fpr_p).abs() + (tpr_u - tpr_p).abs()),
        ),
        ("equal_opportunity_difference", tpr_u - tpr_p),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Num(if v.is_finite() { v } else { f64::NAN })))
    .collect();
    Ok(ReferenceDisparities {
        privileged: layout.group_labels(privileged),
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fairlearn_combination_keeps_python_max_quirks() {
        let nan = f64::NAN;
        assert!(combine(
            &[nan, 0.3],
            Kind::Difference,
            Agg::WorstCase,
            Convention::Fairlearn
        )
        .is_nan());
        assert_eq!(
            combine(
                &[0.3, nan],
                Kind::Difference,
                Agg::WorstCase,
                Convention::Fairlearn
            ),
            0.3
        );
        assert_eq!(
            combine(
                &[0.3, nan],
                Kind::Difference,
                Agg::Mean,
                Convention::Fairlearn
            ),
            0.3
        );
        assert!(combine(&[0.3, nan], Kind::Difference, Agg::Mean, Convention::Aequa).is_nan());
        assert_eq!(
            combine(&[0.2, 0.5], Kind::Ratio, Agg::WorstCase, Convention::Aequa),
            0.2
        );
        assert_eq!(
            combine(
                &[0.2, 0.5],
                Kind::Difference,
                Agg::WorstCase,
                Convention::Aequa
            ),
            0.5
        );
    }
}
