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

use ndarray::{ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::data::groups::Feature;
use crate::data::validate::check_weights;
use crate::data::Column;
use crate::error::{Error, Result};
use crate::fairness::disparity::{disparity, Agg, Disparity, Kind, Method};
use crate::fairness::{metric_frame, Convention, FrameInput, FrameOptions, LabelSpec, Metric};
use crate::math::ln;

/// A scorer by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scorer {
    /// Fraction of correct labels.
    Accuracy,
    /// Mean per-class recall.
    BalancedAccuracy,
    /// Area under the ROC curve (binary).
    RocAuc,
    /// Negated log loss.
    NegLogLoss,
    /// Coefficient of determination.
    R2,
    /// Negated mean squared error.
    NegMeanSquaredError,
    /// Negated mean absolute error.
    NegMeanAbsoluteError,
    /// A fairness gap between the sensitive groups (differences negated).
    Fairness(GroupGap, Kind),
}

/// What a fairness scorer compares across the sensitive groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupGap {
    /// One of Fairlearn's one-number disparities.
    Disparity(Disparity),
    /// Any built-in metric of the fairness engine (its group difference or ratio).
    Metric(Metric),
}

const DISPARITIES: &[(&str, Disparity)] = &[
    ("demographic_parity", Disparity::DemographicParity),
    ("equalized_odds", Disparity::EqualizedOdds),
    ("equal_opportunity", Disparity::EqualOpportunity),
];

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// `neg_<gap>_difference` or `<gap>_ratio`, the gap a disparity or a metric name.
#[inline]
fn fairness_from_name(name: &str) -> Option<Scorer> {
    let (base, kind) = if let Some(b) = name
        .strip_prefix("neg_")
        .and_then(|r| r.strip_suffix("_difference"))
    {
        (b, Kind::Difference)
    } else {
        (name.strip_suffix("_ratio")?, Kind::Ratio)
    };
    let gap = match DISPARITIES.iter().find(|(n, _)| *n == base) {
        Some((_, d)) => GroupGap::Disparity(*d),
        None => GroupGap::Metric(Metric::from_name(base).ok()?),
    };
    Some(Scorer::Fairness(gap, kind))
}

const NAMES: &[(&str, Scorer)] = &[
    ("accuracy", Scorer::Accuracy),
    ("balanced_accuracy", Scorer::BalancedAccuracy),
    ("roc_auc", Scorer::RocAuc),
    ("neg_log_loss", Scorer::NegLogLoss),
    ("r2", Scorer::R2),
    ("neg_mean_squared_error", Scorer::NegMeanSquaredError),
    ("neg_mean_absolute_error", Scorer::NegMeanAbsoluteError),
];

impl Scorer {
    /// Look a scorer up by its scikit-learn-style name.
    #[inline]
    pub fn from_name(name: &str) -> Result<Scorer> {
        if let Some((_, s)) = NAMES.iter().find(|(n, _)| *n == name) {
            return Ok(*s);
        }
        if let Some(s) = fairness_from_name(name) {
            return Ok(s);
        }
        let negated = format!("neg_{name}");
        if NAMES.iter().any(|(n, _)| *n == negated) || fairness_from_name(&negated).is_some() {
            return Err(Error::invalid(
                "scoring",
                format!(
                    "'{name}' is lower-is-better, but scorers are greater-is-better; use \
                     '{negated}' (its negation, as scikit-learn names losses)"
                ),
            ));
        }
        let known: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
        Err(Error::invalid(
            "scoring",
            format!(
                "unknown scorer '{name}'; known scorers: {}",
                known.join(", ")
            ),
        ))
    }

    /// The scorer's canonical name.
    #[inline]
    pub fn name(self) -> String {
        if let Scorer::Fairness(gap, kind) = self {
            let base = match gap {
                GroupGap::Disparity(d) => DISPARITIES
                    .iter()
                    .find(|(_, x)| *x == d)
                    .map_or("unknown", |(n, _)| n),
                GroupGap::Metric(m) => m.name(),
            };
            return match kind {
                Kind::Difference => format!("neg_{base}_difference"),
                Kind::Ratio => format!("{base}_ratio"),
            };
        }
        NAMES
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("unknown", |(n, _)| n)
            .to_string()
    }

    /// Whether the scorer reads labels (accuracy, balanced accuracy, fairness).
    #[inline]
    pub fn needs_labels(self) -> bool {
        matches!(
            self,
            Scorer::Accuracy | Scorer::BalancedAccuracy | Scorer::Fairness(..)
        )
    }
}

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

/// `(Σ w f(y, ŷ), Σ w)`.
#[inline]
fn mean_sum(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    f: impl Fn(f64, f64) -> f64,
) -> (f64, f64) {
    match w {
        #[allow(clippy::cast_precision_loss)]
        None => (
            y.iter().zip(p).map(|(t, q)| f(*t, *q)).sum(),
            y.len() as f64,
        ),
        Some(w) => y
            .iter()
            .zip(p)
            .zip(w)
            .fold((0.0, 0.0), |(s, total), ((t, q), wi)| {
                (s + wi * f(*t, *q), total + wi)
            }),
    }
}

/// Weighted mean of `f(y, ŷ)` (numpy's `average`).
#[inline]
fn mean(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    f: impl Fn(f64, f64) -> f64,
) -> f64 {
    let (s, total) = mean_sum(y, p, w, f);
    s / total
}

/// scikit-learn's `r2_score` with `force_finite=True`; `total_ss` is `Σ w (y − ȳ_w)²`.
#[inline]
fn r2(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    total_ss: f64,
) -> f64 {
    if y.len() < 2 {
        return f64::NAN;
    }
    let num = mean_sum(y, p, w, |t, q| (t - q) * (t - q)).0;
    match (num != 0.0, total_ss != 0.0) {
        (false, _) => 1.0,
        (true, false) => 0.0,
        (true, true) => 1.0 - num / total_ss,
    }
}

/// Binary ROC AUC with `positive` the positive label; tied scores share one threshold.
#[inline]
#[allow(clippy::cast_possible_truncation)]
fn roc_auc(
    y: ArrayView1<'_, f64>,
    score: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    positive: Option<f64>,
) -> f64 {
    // (order key of the score, row), by increasing score. The key orders as the (finite)
    // scores do, and ties exactly when they are equal (−0 = 0).
    let key = |s: f64| {
        let bits = (s + 0.0).to_bits();
        if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        }
    };
    let mut rows: Vec<(u64, u32)> = score
        .iter()
        .enumerate()
        .map(|(i, s)| (key(*s), i as u32))
        .collect();
    sort_by_key(&mut rows);
    // Thresholds by decreasing score: one ROC point after each group of tied scores.
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut points = Vec::with_capacity(rows.len() + 1);
    points.push((0.0, 0.0));
    let mut iter = rows.iter().rev().peekable();
    while let Some((k, i)) = iter.next() {
        let i = *i as usize;
        let wi = weight(w, i);
        if y.get(i).copied() == positive {
            tp += wi;
        } else {
            fp += wi;
        }
        if iter.peek().map(|r| r.0) != Some(*k) {
            points.push((fp, tp));
        }
    }
    let (fp_total, tp_total) = points.last().copied().unwrap_or((0.0, 0.0));
    let mut area = 0.0;
    for pair in points.windows(2) {
        if let [(f0, t0), (f1, t1)] = pair {
            area += (f1 / fp_total - f0 / fp_total) * (t1 / tp_total + t0 / tp_total) / 2.0;
        }
    }
    area
}

/// Sort `(key, row)` pairs by key, ascending (the order of equal keys is unspecified): a
/// least-significant-digit radix sort, 11 bits per pass (six passes), skipping the passes in
/// which every key has the same digit; a comparison sort for few rows. Permutation importance
/// scores many permuted columns, so this sort dominates its ROC AUC.
#[allow(clippy::cast_possible_truncation)]
fn sort_by_key(items: &mut Vec<(u64, u32)>) {
    const BITS: usize = 11;
    const BUCKETS: usize = 1 << BITS;
    const PASSES: usize = 64usize.div_ceil(BITS);
    let n = items.len();
    if n < 256 {
        items.sort_unstable_by_key(|r| r.0);
        return;
    }
    let digit = |k: u64, pass: usize| ((k >> (BITS * pass)) as usize) & (BUCKETS - 1);
    let mut counts = vec![0usize; PASSES * BUCKETS];
    for (k, _) in items.iter() {
        for pass in 0..PASSES {
            if let Some(slot) = counts.get_mut(pass * BUCKETS + digit(*k, pass)) {
                *slot += 1;
            }
        }
    }
    let mut buf = vec![(0u64, 0u32); n];
    let mut offsets = vec![0usize; BUCKETS];
    for (pass, c) in counts.chunks(BUCKETS).enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for (o, count) in offsets.iter_mut().zip(c) {
            *o = sum;
            sum += count;
        }
        for item in items.iter() {
            if let Some(o) = offsets.get_mut(digit(item.0, pass)) {
                if let Some(slot) = buf.get_mut(*o) {
                    *slot = *item;
                }
                *o += 1;
            }
        }
        std::mem::swap(items, &mut buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn target(y: &ndarray::Array1<f64>) -> Target<'_> {
        Target {
            y_true: y.view(),
            sample_weight: None,
            sensitive: Vec::new(),
        }
    }

    fn spec(name: &str) -> ScorerSpec {
        ScorerSpec {
            scoring: name.into(),
            ..ScorerSpec::default()
        }
    }

    #[test]
    fn radix_sort_orders_keys() {
        let mut r = crate::rng::seeded(3, 0);
        for n in [0, 5, 300, 5000] {
            let mut v: Vec<(u64, u32)> = (0..n)
                .map(|i| {
                    // Few distinct high bytes (skipped passes) and many ties.
                    let k = crate::rng::below(&mut r, 1 << 40) | (0xabu64 << 56);
                    (if i % 3 == 0 { 7 } else { k }, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            sort_by_key(&mut v);
            let keys: Vec<u64> = v.iter().map(|x| x.0).collect();
            assert_eq!(keys, want.iter().map(|x| x.0).collect::<Vec<_>>());
            v.sort_unstable();
            assert_eq!(v, want);
        }
    }

    #[test]
    fn roc_auc_on_many_rows_is_the_pairwise_probability() {
        // AUC = P(s⁺ > s⁻) + P(s⁺ = s⁻)/2 over all (positive, negative) pairs.
        let mut r = crate::rng::seeded(5, 0);
        let n = 700;
        let y: ndarray::Array1<f64> = (0..n)
            .map(|_| crate::rng::below(&mut r, 2) as f64)
            .collect();
        let s: ndarray::Array1<f64> = (0..n)
            .map(|i| (crate::rng::below(&mut r, 60) as f64 - 30.0) * 0.1 + y[i] * 0.7)
            .collect();
        let (mut hits, mut pairs) = (0.0, 0.0);
        for i in (0..n).filter(|i| y[*i] == 1.0) {
            for j in (0..n).filter(|j| y[*j] == 0.0) {
                pairs += 1.0;
                hits += if s[i] > s[j] {
                    1.0
                } else if s[i] == s[j] {
                    0.5
                } else {
                    0.0
                };
            }
        }
        let got = roc_auc(y.view(), s.view(), None, Some(1.0));
        assert!(
            (got - hits / pairs).abs() < 1e-12,
            "{got} vs {}",
            hits / pairs
        );
    }

    #[test]
    fn roc_auc_with_ties_matches_sklearn() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        let y = array![0.0, 0.0, 1.0, 1.0];
        let s = PreparedScorer::new(&spec("roc_auc"), target(&y), 1).unwrap();
        let p = array![[0.1], [0.4], [0.35], [0.8]];
        assert!((s.score(p.view()).unwrap() - 0.75).abs() < 1e-15);
        // A tie between a positive and a negative counts one half.
        let p = array![[0.5], [0.1], [0.5], [0.9]];
        assert!((s.score(p.view()).unwrap() - 0.875).abs() < 1e-15);
    }

    #[test]
    fn names_and_sign_hints() {
        assert_eq!(Scorer::from_name("r2").unwrap(), Scorer::R2);
        let e = Scorer::from_name("log_loss").unwrap_err().to_string();
        assert!(e.contains("neg_log_loss"), "{e}");
        let e = Scorer::from_name("demographic_parity_difference")
            .unwrap_err()
            .to_string();
        assert!(e.contains("neg_demographic_parity_difference"), "{e}");
        assert!(Scorer::from_name("f1_weird")
            .unwrap_err()
            .to_string()
            .contains("known scorers"));
        for (n, s) in NAMES {
            assert_eq!(s.name(), *n);
        }
        for n in [
            "neg_demographic_parity_difference",
            "equalized_odds_ratio",
            "neg_false_positive_rate_difference",
            "selection_rate_ratio",
        ] {
            assert_eq!(Scorer::from_name(n).unwrap().name(), n);
        }
        assert!(Scorer::from_name("neg_bogus_difference").is_err());
    }

    #[test]
    fn regression_scorers() {
        let y = array![1.0, 2.0, 3.0, 4.0];
        let p = array![[1.5], [2.0], [2.0], [5.0]];
        let r2s = PreparedScorer::new(&spec("r2"), target(&y), 1).unwrap();
        // sum sq = 0.25 + 0 + 1 + 1 = 2.25; tss = 5
        assert!((r2s.score(p.view()).unwrap() - (1.0 - 2.25 / 5.0)).abs() < 1e-15);
        let mse = PreparedScorer::new(&spec("neg_mean_squared_error"), target(&y), 1).unwrap();
        assert!((mse.score(p.view()).unwrap() + 2.25 / 4.0).abs() < 1e-15);
        let mae = PreparedScorer::new(&spec("neg_mean_absolute_error"), target(&y), 1).unwrap();
        assert!((mae.score(p.view()).unwrap() + 2.5 / 4.0).abs() < 1e-15);
        assert!(PreparedScorer::new(&spec("r2"), target(&y), 2).is_err());
        let c = array![2.0, 2.0];
        let s = PreparedScorer::new(&spec("r2"), target(&c), 1).unwrap();
        assert_eq!(s.score(array![[2.0], [2.0]].view()).unwrap(), 1.0);
        assert_eq!(s.score(array![[2.0], [3.0]].view()).unwrap(), 0.0);
    }

    #[test]
    fn classification_scorers() {
        let y = array![0.0, 0.0, 1.0, 1.0, 1.0];
        let proba: Array2<f64> = array![[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.7, 0.3], [0.0, 1.0]];
        let acc = PreparedScorer::new(&spec("accuracy"), target(&y), 2).unwrap();
        assert!((acc.score(proba.view()).unwrap() - 0.6).abs() < 1e-15);
        let bal = PreparedScorer::new(&spec("balanced_accuracy"), target(&y), 2).unwrap();
        assert!((bal.score(proba.view()).unwrap() - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-15);
        let ll = PreparedScorer::new(&spec("neg_log_loss"), target(&y), 2).unwrap();
        let expected =
            -(-(0.9f64.ln() + 0.4f64.ln() + 0.8f64.ln() + 0.3f64.ln() + (1.0 - f64::EPSILON).ln())
                / 5.0);
        assert!((ll.score(proba.view()).unwrap() - expected).abs() < 1e-15);
        let one = proba.column(1).to_owned().insert_axis(Axis(1));
        let ll1 = PreparedScorer::new(&spec("neg_log_loss"), target(&y), 1).unwrap();
        assert!((ll1.score(one.view()).unwrap() - expected).abs() < 1e-12);
        assert!(PreparedScorer::new(&spec("neg_log_loss"), target(&y), 3).is_err());
    }
}
