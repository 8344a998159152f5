//! Scorers: one number from a model's predictions, greater is better (scikit-learn's
//! convention; losses are negated and named `neg_…`). With weights `w` (1 when absent):
//!
//! - `accuracy` `Σ w·[ŷ = y] / Σ w`; `balanced_accuracy` the mean over the classes of `y` with
//!   positive weight of the weighted recall `Σ_{y=c} w·[ŷ = c] / Σ_{y=c} w`;
//! - `roc_auc` (binary `y`, the larger label positive) the trapezoidal area under the weighted
//!   ROC curve, tied scores forming one threshold (one diagonal step), as `sklearn.metrics`;
//! - `neg_log_loss` `−Σ w·(−ln clip(p_{i,y_i}, ε, 1−ε)) / Σ w` with `ε` the f64 machine epsilon
//!   (scikit-learn 1.9's clipping); one output column is the positive (larger) class's
//!   probability;
//! - `r2` `1 − Σ w(y−ŷ)² / Σ w(y−ȳ_w)²` (1 for a perfect fit, 0 when `y` is constant and the
//!   fit is not, NaN under two rows), `neg_mean_squared_error`, `neg_mean_absolute_error`;
//! - fairness gaps over the sensitive groups, computed by the fairness engine
//!   (`fairness::metric_frame`): `neg_<gap>_difference` (a difference is lower-is-better, so
//!   negated) and `<gap>_ratio`, where `<gap>` is one of Fairlearn's disparities
//!   (`demographic_parity`, `equalized_odds`, `equal_opportunity`) or any built-in metric of
//!   the engine (`false_positive_rate`, `selection_rate`, `accuracy_score`, ...), summarised
//!   between groups (default) or to the overall value.
//!
//! The model output a scorer reads: label scorers take one column of labels, or several columns
//! (probabilities or scores) whose arg-max indexes `classes`; `roc_auc` takes one score column,
//! or the second of two; `neg_log_loss` takes probabilities; regression scorers one column.

mod metrics;
mod names;
#[cfg(test)]
mod tests;

use ndarray::{ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::data::groups::Feature;
use crate::data::validate::check_weights;
use crate::data::Column;
use crate::error::{Error, Result};
use crate::fairness::disparity::{disparity, Agg, Kind, Method};
use crate::fairness::{metric_frame, Convention, FrameInput, FrameOptions, LabelSpec};
use crate::math::ln;

use metrics::{mean, mean_sum, r2, roc_auc};
pub use names::{GroupGap, Scorer};

/// A scorer and how it reads the model's output, defaulted and checked in one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScorerSpec {
    /// Scorer name (`accuracy`, `r2`, `neg_demographic_parity_difference`, ...).
    pub scoring: String,
    /// Class label of each output column (argmax → label; log-loss columns); default
    /// `0..k` for labels and the sorted labels of `y` for log loss.
    pub classes: Option<Vec<f64>>,
    /// Positive label of fairness scorers (default 1).
    pub pos_label: Option<f64>,
    /// Undefined-value convention of fairness scorers.
    pub compat: Convention,
    /// Fairness summaries: between groups or to overall.
    pub method: Method,
    /// Equalized odds: worst case or mean of its two rates.
    pub agg: Agg,
}

impl Default for ScorerSpec {
    fn default() -> Self {
        ScorerSpec {
            scoring: "r2".into(),
            classes: None,
            pos_label: None,
            compat: Convention::Aequa,
            method: Method::BetweenGroups,
            agg: Agg::WorstCase,
        }
    }
}

/// The rows a scorer compares predictions with.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// True labels or values.
    pub y_true: ArrayView1<'a, f64>,
    /// Optional non-negative weights.
    pub sample_weight: Option<ArrayView1<'a, f64>>,
    /// Sensitive features (fairness scorers only).
    pub sensitive: Vec<Feature<'a>>,
}

impl Target<'_> {
    /// The same rows, borrowed for a shorter lifetime.
    #[inline]
    pub fn reborrow(&self) -> Target<'_> {
        Target {
            y_true: self.y_true.view(),
            sample_weight: self.sample_weight.as_ref().map(|w| w.view()),
            sensitive: self.sensitive.iter().map(reborrow).collect(),
        }
    }
}

/// A feature's codes borrowed for a shorter lifetime.
#[inline]
fn reborrow<'b>(f: &'b Feature<'_>) -> Feature<'b> {
    Feature {
        name: f.name.clone(),
        codes: f.codes.view(),
        levels: f.levels.clone(),
    }
}

/// A scorer bound to its target rows, validated once and applied to many predictions.
#[derive(Debug)]
pub struct PreparedScorer<'a> {
    scorer: Scorer,
    spec: ScorerSpec,
    target: Target<'a>,
    n_outputs: usize,
    /// Sorted distinct labels of `y_true`, or the log-loss classes.
    classes: Vec<f64>,
    /// Per row, the index of its label in `classes` (classification scorers).
    class_of: Vec<usize>,
    /// `Σ w (y − ȳ_w)²`, the r2 denominator (fixed by the target).
    total_ss: f64,
}

#[inline]
fn weight(w: Option<ArrayView1<'_, f64>>, i: usize) -> f64 {
    w.and_then(|w| w.get(i).copied()).unwrap_or(1.0)
}

#[inline]
fn sorted_unique(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    crate::math::sort_floats(&mut v);
    v.dedup();
    v
}

impl<'a> PreparedScorer<'a> {
    /// Check the scorer against the target and the model's number of outputs.
    #[inline]
    pub fn new(spec: &ScorerSpec, target: Target<'a>, n_outputs: usize) -> Result<Self> {
        let scorer = Scorer::from_name(&spec.scoring)?;
        let n = target.y_true.len();
        if n == 0 {
            return Err(Error::invalid("y", "expected at least one row, found none"));
        }
        if let Some((i, v)) = target
            .y_true
            .iter()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(Error::NonFinite {
                argument: "y".into(),
                index: i,
                value: *v,
            });
        }
        if let Some(w) = target.sample_weight {
            check_weights(w, n)?;
        }
        for f in &target.sensitive {
            if f.codes.len() != n {
                return Err(Error::LengthMismatch {
                    argument: format!("sensitive_features column '{}'", f.name),
                    expected: n,
                    found: f.codes.len(),
                });
            }
        }
        let mut classes = sorted_unique(target.y_true.iter().copied());
        let shape_err = |what: &str| {
            Error::invalid(
                "model",
                format!(
                    "the scorer '{}' needs {what}, but the model returns {n_outputs} outputs per row; \
                     pick the model's response (response_method) that gives it",
                    spec.scoring
                ),
            )
        };
        match scorer {
            Scorer::R2 | Scorer::NegMeanSquaredError | Scorer::NegMeanAbsoluteError => {
                if n_outputs != 1 {
                    return Err(shape_err("one value per row (a regressor's predict)"));
                }
            }
            Scorer::RocAuc => {
                if n_outputs > 2 {
                    return Err(Error::Unsupported(format!(
                        "roc_auc is supported for binary targets: the model returns {n_outputs} \
                         outputs per row; pass one score column (or two class probabilities)"
                    )));
                }
                if classes.len() != 2 {
                    return Err(Error::invalid(
                        "y",
                        format!(
                            "roc_auc needs exactly two classes in y, found {}",
                            classes.len()
                        ),
                    ));
                }
            }
            Scorer::NegLogLoss => {
                if let Some(c) = &spec.classes {
                    classes = sorted_unique(c.iter().copied());
                    if classes.len() != c.len() {
                        return Err(Error::invalid("classes", "expected distinct labels"));
                    }
                    if let Some(y) = target.y_true.iter().find(|y| !classes.contains(y)) {
                        return Err(Error::invalid(
                            "y",
                            format!("found the label {y}, which is not one of classes {c:?}"),
                        ));
                    }
                }
                if classes.len() < 2 {
                    return Err(Error::invalid(
                        "y",
                        "log loss needs at least two classes; y has one: pass classes=...",
                    ));
                }
                let k = if n_outputs == 1 { 2 } else { n_outputs };
                if k != classes.len() {
                    return Err(Error::invalid(
                        "model",
                        format!(
                            "the model returns {n_outputs} probability columns but there are {} \
                             classes ({classes:?}); pass the model's classes explicitly",
                            classes.len()
                        ),
                    ));
                }
            }
            Scorer::Accuracy | Scorer::BalancedAccuracy | Scorer::Fairness(..) => {
                if let Some(c) = &spec.classes {
                    if n_outputs > 1 && c.len() != n_outputs {
                        return Err(Error::invalid(
                            "classes",
                            format!(
                                "expected one label per model output ({n_outputs}), found {}",
                                c.len()
                            ),
                        ));
                    }
                }
                if matches!(scorer, Scorer::Fairness(..)) && target.sensitive.is_empty() {
                    return Err(Error::invalid(
                        "sensitive_features",
                        format!("the scorer '{}' needs sensitive features", spec.scoring),
                    ));
                }
            }
        }
        let regression = matches!(
            scorer,
            Scorer::R2 | Scorer::NegMeanSquaredError | Scorer::NegMeanAbsoluteError
        );
        let class_of = if regression {
            Vec::new()
        } else {
            target
                .y_true
                .iter()
                .map(|y| classes.partition_point(|c| c < y))
                .collect()
        };
        let total_ss = if scorer == Scorer::R2 {
            let y = target.y_true;
            let w = target.sample_weight;
            let y_mean = mean(y, y, w, |t, _| t);
            mean_sum(y, y, w, |t, _| (t - y_mean) * (t - y_mean)).0
        } else {
            f64::NAN
        };
        Ok(PreparedScorer {
            total_ss,
            scorer,
            spec: spec.clone(),
            target,
            n_outputs,
            classes,
            class_of,
        })
    }

    /// The scorer.
    #[inline]
    pub fn scorer(&self) -> Scorer {
        self.scorer
    }

    /// Score one block of predictions (rows × outputs, rows in target order).
    #[inline]
    pub fn score(&self, output: ArrayView2<'_, f64>) -> Result<f64> {
        let n = self.target.y_true.len();
        if output.nrows() != n || output.ncols() != self.n_outputs {
            return Err(Error::invalid(
                "model",
                format!(
                    "expected predictions of shape ({n}, {}), found ({}, {})",
                    self.n_outputs,
                    output.nrows(),
                    output.ncols()
                ),
            ));
        }
        let w = self.target.sample_weight;
        let y = self.target.y_true;
        Ok(match self.scorer {
            Scorer::Accuracy => {
                let labels = self.labels(output)?;
                let (mut hit, mut total) = (0.0, 0.0);
                for (i, (t, p)) in y.iter().zip(&labels).enumerate() {
                    let wi = weight(w, i);
                    total += wi;
                    if t == p {
                        hit += wi;
                    }
                }
                hit / total
            }
            Scorer::BalancedAccuracy => self.balanced_accuracy(&self.labels(output)?),
            Scorer::RocAuc => {
                let col = usize::from(output.ncols() == 2);
                roc_auc(y, output.column(col), w, self.classes.get(1).copied())
            }
            Scorer::NegLogLoss => -self.log_loss(output)?,
            Scorer::R2 => r2(y, output.column(0), w, self.total_ss),
            Scorer::NegMeanSquaredError => -mean(y, output.column(0), w, |t, p| (t - p) * (t - p)),
            Scorer::NegMeanAbsoluteError => -mean(y, output.column(0), w, |t, p| (t - p).abs()),
            Scorer::Fairness(gap, kind) => {
                let value = self.fairness(&self.labels(output)?, gap, kind)?;
                match kind {
                    Kind::Difference => -value,
                    Kind::Ratio => value,
                }
            }
        })
    }

    /// Predicted labels: the column itself, or the label of the arg-max column.
    #[inline]
    fn labels(&self, output: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        if output.ncols() == 1 {
            return Ok(output.column(0).to_vec());
        }
        output
            .axis_iter(Axis(0))
            .map(|row| {
                let mut best = 0;
                let mut best_v = f64::NEG_INFINITY;
                for (j, v) in row.iter().enumerate() {
                    if *v > best_v {
                        best = j;
                        best_v = *v;
                    }
                }
                #[allow(clippy::cast_precision_loss)]
                let default = best as f64;
                Ok(match &self.spec.classes {
                    Some(c) => c.get(best).copied().unwrap_or(default),
                    None => default,
                })
            })
            .collect()
    }

    #[inline]
    fn balanced_accuracy(&self, labels: &[f64]) -> f64 {
        let k = self.classes.len();
        let (mut hit, mut total) = (vec![0.0; k], vec![0.0; k]);
        let y = self.target.y_true;
        for (i, ((t, p), c)) in y.iter().zip(labels).zip(&self.class_of).enumerate() {
            let wi = weight(self.target.sample_weight, i);
            if let (Some(h), Some(s)) = (hit.get_mut(*c), total.get_mut(*c)) {
                *s += wi;
                if t == p {
                    *h += wi;
                }
            }
        }
        let recalls: Vec<f64> = hit
            .iter()
            .zip(&total)
            .filter(|(_, s)| **s != 0.0)
            .map(|(h, s)| h / s)
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let m = recalls.len() as f64;
        recalls.iter().sum::<f64>() / m
    }

    #[inline]
    fn log_loss(&self, output: ArrayView2<'_, f64>) -> Result<f64> {
        let eps = f64::EPSILON;
        if let Some(v) = output.iter().find(|v| **v < 0.0 || **v > 1.0) {
            return Err(Error::invalid(
                "model",
                format!(
                    "log loss needs probabilities in [0, 1], found {v}; use the model's \
                     predict_proba"
                ),
            ));
        }
        let (mut loss, mut total) = (0.0, 0.0);
        for (i, (row, c)) in output.axis_iter(Axis(0)).zip(&self.class_of).enumerate() {
            let p = if row.len() == 1 {
                let pos = row.first().copied().unwrap_or(f64::NAN);
                if *c == 1 {
                    pos
                } else {
                    1.0 - pos
                }
            } else {
                row.get(*c).copied().unwrap_or(f64::NAN)
            };
            let wi = weight(self.target.sample_weight, i);
            loss += wi * -ln(p.clamp(eps, 1.0 - eps));
            total += wi;
        }
        Ok(loss / total)
    }

    #[inline]
    fn fairness(&self, labels: &[f64], gap: GroupGap, kind: Kind) -> Result<f64> {
        let pred = ndarray::ArrayView1::from(labels);
        let input = FrameInput {
            y_true: Column::F64(self.target.y_true),
            y_pred: Column::F64(pred),
            sample_weight: self.target.sample_weight,
            sensitive: self.target.sensitive.iter().map(reborrow).collect(),
            control: Vec::new(),
        };
        let metrics = match gap {
            GroupGap::Disparity(d) => d.metrics(),
            GroupGap::Metric(m) => vec![m.name().to_string()],
        };
        let options = FrameOptions {
            metrics,
            spec: LabelSpec {
                pos_label: self.spec.pos_label,
                ..LabelSpec::default()
            },
            compat: self.spec.compat,
            min_group_size: 0,
            bootstrap: None,
        };
        let report = metric_frame(&input, &options, None)?;
        match gap {
            GroupGap::Disparity(d) => disparity(&report, d, kind, self.spec.method, self.spec.agg),
            GroupGap::Metric(m) => {
                let row = report
                    .values
                    .aggregates
                    .iter()
                    .find(|a| a.metric == m.name())
                    .ok_or_else(|| Error::invalid("scoring", "the metric was not computed"))?;
                Ok(match (kind, self.spec.method) {
                    (Kind::Difference, Method::BetweenGroups) => row.difference_between_groups.0,
                    (Kind::Difference, Method::ToOverall) => row.difference_to_overall.0,
                    (Kind::Ratio, Method::BetweenGroups) => row.ratio_between_groups.0,
                    (Kind::Ratio, Method::ToOverall) => row.ratio_to_overall.0,
                })
            }
        }
    }
}
