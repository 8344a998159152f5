//! Multiclass labels, one-vs-rest: each class in turn is the positive label (`y == c` against
//! `y != c`, for truth and prediction alike), giving one full assessment per class, plus the
//! worst case over classes of every gap (largest difference, smallest ratio). Every class uses
//! the same bootstrap replicates (same seed, same rows).

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fairness::frame::{metric_frame, FrameInput, FrameOptions};
use crate::fairness::labels::{fmt_label, LabelSpec};
use crate::report::{MetricFrameReport, Num, SCHEMA_VERSION};

/// Most classes accepted (each costs one assessment).
pub const MAX_CLASSES: usize = 1000;

/// The worst case over classes of one metric's gaps within one control stratum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstCaseRow {
    /// Control levels.
    pub control: Vec<String>,
    /// Metric name.
    pub metric: String,
    /// Largest `difference_between_groups` over classes.
    pub difference_between_groups: Num,
    /// Largest `difference_to_overall` over classes.
    pub difference_to_overall: Num,
    /// Smallest `ratio_between_groups` over classes.
    pub ratio_between_groups: Num,
    /// Smallest `ratio_to_overall` over classes.
    pub ratio_to_overall: Num,
    /// The class with the largest between-groups difference.
    pub worst_class: String,
}

/// One-vs-rest assessment of multiclass labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MulticlassReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `multiclass_metric_frame`.
    pub kind: String,
    /// Class labels, in `per_class` order.
    pub classes: Vec<String>,
    /// One assessment per class (that class positive, the others negative).
    pub per_class: Vec<MetricFrameReport>,
    /// Worst case over classes, per (control stratum × metric).
    pub worst_case: Vec<WorstCaseRow>,
}

/// Assess every class of multiclass labels one-vs-rest.
pub fn one_vs_rest(
    input: &FrameInput<'_>,
    options: &FrameOptions,
    indices: Option<ArrayView2<'_, i64>>,
) -> Result<MulticlassReport> {
    if options.spec.threshold.is_some() {
        return Err(Error::invalid(
            "threshold",
            "one-vs-rest assessment compares labels; a threshold does not apply",
        ));
    }
    let mut classes: Vec<f64> = input.y_true.to_vec();
    classes.extend(input.y_pred.to_vec());
    if let Some((i, v)) = classes.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        let argument = if i < input.y_true.len() {
            "y_true"
        } else {
            "y_pred"
        };
        return Err(Error::NonFinite {
            argument: argument.into(),
            index: i % input.y_true.len().max(1),
            value: *v,
        });
    }
    crate::math::sort_floats(&mut classes);
    classes.dedup();
    if classes.len() > MAX_CLASSES {
        return Err(Error::invalid(
            "y_true",
            format!(
                "found {} classes, more than {MAX_CLASSES}; are these labels or scores?",
                classes.len()
            ),
        ));
    }
    let per_class = classes
        .iter()
        .map(|c| {
            let spec = LabelSpec {
                pos_label: Some(*c),
                threshold: None,
                one_vs_rest: true,
            };
            metric_frame(
                input,
                &FrameOptions {
                    spec,
                    ..options.clone()
                },
                indices,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let class_names: Vec<String> = classes.iter().map(|c| fmt_label(*c)).collect();
    Ok(MulticlassReport {
        schema_version: SCHEMA_VERSION,
        kind: "multiclass_metric_frame".into(),
        worst_case: worst_case(&per_class, &class_names),
        classes: class_names,
        per_class,
    })
}

fn worst_case(per_class: &[MetricFrameReport], classes: &[String]) -> Vec<WorstCaseRow> {
    let Some(first) = per_class.first() else {
        return Vec::new();
    };
    first
        .values
        .aggregates
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let rows: Vec<_> = per_class
                .iter()
                .filter_map(|r| r.values.aggregates.get(i))
                .collect();
            let pick =
                |f: fn(&crate::report::AggregateRow) -> f64, largest: bool| -> (f64, usize) {
                    rows.iter()
                        .enumerate()
                        .filter(|(_, r)| !f(r).is_nan())
                        .fold((f64::NAN, 0), |acc, (k, r)| {
                            let v = f(r);
                            if acc.0.is_nan() || (largest && v > acc.0) || (!largest && v < acc.0) {
                                (v, k)
                            } else {
                                acc
                            }
                        })
                };
            let (diff_between, worst) = pick(|r| r.difference_between_groups.0, true);
            WorstCaseRow {
                control: row.control.clone(),
                metric: row.metric.clone(),
                difference_between_groups: Num(diff_between),
                difference_to_overall: Num(pick(|r| r.difference_to_overall.0, true).0),
                ratio_between_groups: Num(pick(|r| r.ratio_between_groups.0, false).0),
                ratio_to_overall: Num(pick(|r| r.ratio_to_overall.0, false).0),
                worst_class: if diff_between.is_nan() {
                    String::new()
                } else {
                    classes.get(worst).cloned().unwrap_or_default()
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::groups::Feature;
    use ndarray::array;

    #[test]
    fn each_class_is_assessed_against_the_rest() {
        let y_true = array![0.0, 1.0, 2.0, 2.0, 1.0, 0.0];
        let y_pred = array![0.0, 2.0, 2.0, 1.0, 1.0, 0.0];
        let g = array![0u32, 0, 0, 1, 1, 1];
        let input = FrameInput {
            y_true: y_true.view().into(),
            y_pred: y_pred.view().into(),
            sample_weight: None,
            sensitive: vec![Feature {
                name: "g".into(),
                codes: g.view(),
                levels: vec!["a".into(), "b".into()],
            }],
            control: vec![],
        };
        let options = FrameOptions {
            metrics: vec!["selection_rate".into(), "true_positive_rate".into()],
            ..FrameOptions::default()
        };
        let r = one_vs_rest(&input, &options, None).unwrap();
        assert_eq!(r.classes, vec!["0", "1", "2"]);
        // class 2: group a predicts 2 for rows 1, 2 (2/3); group b for none (0/3)
        let sr = &r.per_class[2].values.by_group;
        assert_eq!(sr[0].values["selection_rate"].0, 2.0 / 3.0);
        assert_eq!(sr[1].values["selection_rate"].0, 0.0);
        let worst = r
            .worst_case
            .iter()
            .find(|w| w.metric == "selection_rate")
            .unwrap();
        assert_eq!(worst.difference_between_groups.0, 2.0 / 3.0);
        // classes 1 and 2 tie at 2/3; the first is reported
        assert_eq!(worst.worst_class, "1");
        let bad = FrameOptions {
            spec: LabelSpec {
                threshold: Some(0.5),
                ..LabelSpec::default()
            },
            ..options
        };
        assert!(one_vs_rest(&input, &bad, None).is_err());
    }
}
