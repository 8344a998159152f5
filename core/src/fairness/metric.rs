//! The built-in metrics, each a function of a cell's weighted confusion counts.
//!
//! With `W` the total weight and `tp, fp, fn, tn` the weighted confusion counts:
//! selection rate `(tp+fp)/W`; TPR (recall) `tp/(tp+fn)`; FPR `fp/(fp+tn)`; TNR `tn/(tn+fp)`;
//! FNR `fn/(tp+fn)`; precision (PPV) `tp/(tp+fp)`; NPV `tn/(tn+fn)`; FDR `fp/(tp+fp)`;
//! FOR `fn/(fn+tn)`; accuracy `(tp+tn)/W`; error rate `(fp+fn)/W`; balanced accuracy the mean of
//! TPR and TNR; mean prediction, MAE, MSE the weighted means of `p`, `|y-p|`, `(y-p)^2`; RMSE
//! `sqrt(MSE)`; count the number of rows (unweighted, as Fairlearn).
//!
//! A zero denominator makes a metric undefined: NaN with a reason under [`Convention::Aequa`];
//! under [`Convention::Fairlearn`] the value Fairlearn/scikit-learn return (0 for the rates and
//! precision, balanced accuracy averaged over the classes present), so migrating users get
//! their old numbers.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fairness::counts::CellCounts;

/// Conventions for undefined values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Convention {
    /// NaN with a recorded reason.
    #[default]
    Aequa,
    /// Fairlearn 0.15 / scikit-learn's values.
    Fairlearn,
}

macro_rules! metrics {
    ($($variant:ident => $name:literal, binary: $binary:literal, aliases: [$($alias:literal),*];)*) => {
        /// A built-in metric.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Metric { $(#[doc = $name] $variant),* }

        impl Metric {
            /// Every built-in metric.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),*];

            /// The canonical (Fairlearn / scikit-learn) name.
            pub fn name(self) -> &'static str {
                match self { $(Metric::$variant => $name),* }
            }

            /// Needs binary labels.
            pub fn is_binary(self) -> bool {
                match self { $(Metric::$variant => $binary),* }
            }

            /// Look a metric up by its name or an alias.
            pub fn from_name(name: &str) -> Result<Metric> {
                match name {
                    $($name $(| $alias)* => Ok(Metric::$variant),)*
                    _ => Err(Error::invalid(
                        "metrics",
                        format!(
                            "unknown metric '{name}'; known metrics: {}",
                            Metric::ALL.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
                        ),
                    )),
                }
            }
        }
    };
}

metrics! {
    Count => "count", binary: false, aliases: [];
    SelectionRate => "selection_rate", binary: true, aliases: [];
    TruePositiveRate => "true_positive_rate", binary: true, aliases: ["recall_score", "tpr", "sensitivity"];
    FalsePositiveRate => "false_positive_rate", binary: true, aliases: ["fpr"];
    TrueNegativeRate => "true_negative_rate", binary: true, aliases: ["tnr", "specificity"];
    FalseNegativeRate => "false_negative_rate", binary: true, aliases: ["fnr"];
    Precision => "precision_score", binary: true, aliases: ["precision", "positive_predictive_value", "ppv"];
    NegativePredictiveValue => "negative_predictive_value", binary: true, aliases: ["npv"];
    FalseDiscoveryRate => "false_discovery_rate", binary: true, aliases: ["fdr"];
    FalseOmissionRate => "false_omission_rate", binary: true, aliases: ["for"];
    Accuracy => "accuracy_score", binary: true, aliases: ["accuracy"];
    ErrorRate => "error_rate", binary: true, aliases: [];
    BalancedAccuracy => "balanced_accuracy_score", binary: true, aliases: ["balanced_accuracy"];
    MeanPrediction => "mean_prediction", binary: false, aliases: [];
    MeanAbsoluteError => "mean_absolute_error", binary: false, aliases: ["mae"];
    MeanSquaredError => "mean_squared_error", binary: false, aliases: ["mse"];
    RootMeanSquaredError => "root_mean_squared_error", binary: false, aliases: ["rmse"];
}

/// A metric's value, or why it is undefined.
pub type MetricValue = std::result::Result<f64, &'static str>;

fn ratio(num: f64, den: f64, why: &'static str) -> MetricValue {
    if den > 0.0 {
        Ok(num / den)
    } else {
        Err(why)
    }
}

const EMPTY: &str = "empty cell: no rows have this combination of feature values";
const NO_WEIGHT: &str = "no rows (or zero total weight) in this cell";
const NO_POSITIVES: &str = "no rows with y_true = pos_label, so the denominator tp+fn is 0";
const NO_NEGATIVES: &str = "no rows with y_true != pos_label, so the denominator fp+tn is 0";
const NO_PRED_POS: &str = "no rows predicted positive, so the denominator tp+fp is 0";
const NO_PRED_NEG: &str = "no rows predicted negative, so the denominator tn+fn is 0";

impl Metric {
    /// The metric on one cell under the Aequa convention (undefined → `Err(reason)`).
    pub fn strict(self, c: &CellCounts) -> MetricValue {
        let (w, tp, fp, fn_, tn) = (
            c.weight.value(),
            c.tp.value(),
            c.fp.value(),
            c.fn_.value(),
            c.tn.value(),
        );
        if c.rows == 0 && self != Metric::Count {
            return Err(EMPTY);
        }
        match self {
            #[allow(clippy::cast_precision_loss)]
            Metric::Count => Ok(c.rows as f64),
            Metric::SelectionRate => ratio(tp + fp, w, NO_WEIGHT),
            Metric::TruePositiveRate => ratio(tp, tp + fn_, NO_POSITIVES),
            Metric::FalsePositiveRate => ratio(fp, fp + tn, NO_NEGATIVES),
            Metric::TrueNegativeRate => ratio(tn, tn + fp, NO_NEGATIVES),
            Metric::FalseNegativeRate => ratio(fn_, tp + fn_, NO_POSITIVES),
            Metric::Precision => ratio(tp, tp + fp, NO_PRED_POS),
            Metric::NegativePredictiveValue => ratio(tn, tn + fn_, NO_PRED_NEG),
            Metric::FalseDiscoveryRate => ratio(fp, tp + fp, NO_PRED_POS),
            Metric::FalseOmissionRate => ratio(fn_, tn + fn_, NO_PRED_NEG),
            Metric::Accuracy => ratio(tp + tn, w, NO_WEIGHT),
            Metric::ErrorRate => ratio(fp + fn_, w, NO_WEIGHT),
            Metric::BalancedAccuracy => {
                let tpr = Metric::TruePositiveRate.strict(c)?;
                let tnr = Metric::TrueNegativeRate.strict(c)?;
                Ok(0.5 * (tpr + tnr))
            }
            Metric::MeanPrediction => ratio(c.pred.value(), w, NO_WEIGHT),
            Metric::MeanAbsoluteError => ratio(c.abs_err.value(), w, NO_WEIGHT),
            Metric::MeanSquaredError => ratio(c.sq_err.value(), w, NO_WEIGHT),
            Metric::RootMeanSquaredError => ratio(c.sq_err.value(), w, NO_WEIGHT).map(f64::sqrt),
        }
    }

    /// The metric under a convention: `(value, reason it is undefined or was substituted)`.
    pub fn evaluate(self, c: &CellCounts, convention: Convention) -> (f64, Option<&'static str>) {
        if c.rows == 0 && convention == Convention::Fairlearn {
            // Fairlearn reindexes empty intersections to NaN rows, for every metric.
            return (f64::NAN, Some(EMPTY));
        }
        match (self.strict(c), convention) {
            (Ok(v), _) => (v, None),
            (Err(why), Convention::Aequa) => (f64::NAN, Some(why)),
            (Err(why), Convention::Fairlearn) => (self.fairlearn_fallback(c), Some(why)),
        }
    }

    /// What Fairlearn 0.15 returns where the strict value is undefined.
    fn fairlearn_fallback(self, c: &CellCounts) -> f64 {
        match self {
            // confusion_matrix(normalize="true") turns 0/0 into 0; sklearn's zero_division
            // default also gives 0 for precision.
            Metric::TruePositiveRate
            | Metric::FalsePositiveRate
            | Metric::TrueNegativeRate
            | Metric::FalseNegativeRate
            | Metric::Precision => 0.0,
            // sklearn averages the recall of the classes present in y_true.
            Metric::BalancedAccuracy => {
                let present: Vec<f64> = [Metric::TruePositiveRate, Metric::TrueNegativeRate]
                    .iter()
                    .filter_map(|m| m.strict(c).ok())
                    .collect();
                if present.is_empty() {
                    f64::NAN
                } else {
                    #[allow(clippy::cast_precision_loss)]
                    let n = present.len() as f64;
                    present.iter().sum::<f64>() / n
                }
            }
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(rows: &[(bool, bool)]) -> CellCounts {
        let mut c = CellCounts::default();
        rows.iter().for_each(|(t, p)| {
            c.add(
                *t,
                *p,
                f64::from(u8::from(*t)),
                f64::from(u8::from(*p)),
                1.0,
            )
        });
        c
    }

    #[test]
    fn rates_from_counts() {
        // tp=2 fp=1 fn=1 tn=3
        let c = cell(&[
            (true, true),
            (true, true),
            (false, true),
            (true, false),
            (false, false),
            (false, false),
            (false, false),
        ]);
        let v = |m: Metric| m.strict(&c).unwrap();
        assert_eq!(v(Metric::SelectionRate), 3.0 / 7.0);
        assert_eq!(v(Metric::TruePositiveRate), 2.0 / 3.0);
        assert_eq!(v(Metric::FalsePositiveRate), 1.0 / 4.0);
        assert_eq!(v(Metric::Precision), 2.0 / 3.0);
        assert_eq!(v(Metric::NegativePredictiveValue), 3.0 / 4.0);
        assert_eq!(v(Metric::Accuracy), 5.0 / 7.0);
        assert_eq!(v(Metric::BalancedAccuracy), 0.5 * (2.0 / 3.0 + 3.0 / 4.0));
        assert_eq!(v(Metric::Count), 7.0);
        assert_eq!(v(Metric::MeanSquaredError), 2.0 / 7.0);
    }

    #[test]
    fn undefined_values_follow_the_convention() {
        let c = cell(&[(false, false), (false, true)]);
        let (v, why) = Metric::TruePositiveRate.evaluate(&c, Convention::Aequa);
        assert!(v.is_nan() && why.is_some());
        let (v, why) = Metric::TruePositiveRate.evaluate(&c, Convention::Fairlearn);
        assert_eq!(v, 0.0);
        assert!(why.is_some());
        let (v, _) = Metric::BalancedAccuracy.evaluate(&c, Convention::Fairlearn);
        assert_eq!(v, 0.5);
        let empty = CellCounts::default();
        assert_eq!(Metric::Count.evaluate(&empty, Convention::Aequa).0, 0.0);
        assert!(Metric::Count
            .evaluate(&empty, Convention::Fairlearn)
            .0
            .is_nan());
    }

    #[test]
    fn names_round_trip_and_unknown_is_an_error() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()).unwrap(), *m);
        }
        assert_eq!(
            Metric::from_name("recall_score").unwrap(),
            Metric::TruePositiveRate
        );
        let e = Metric::from_name("accuracy_scor").unwrap_err().to_string();
        assert!(e.contains("unknown metric 'accuracy_scor'") && e.contains("accuracy_score"));
    }
}
