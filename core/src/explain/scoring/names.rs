//! Scorer names: the enum, its parsing (`neg_<gap>_difference`, `<gap>_ratio`) and hints.

use crate::error::{Error, Result};
use crate::fairness::disparity::{Disparity, Kind};
use crate::fairness::Metric;

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

pub(super) const DISPARITIES: &[(&str, Disparity)] = &[
    ("demographic_parity", Disparity::DemographicParity),
    ("equalized_odds", Disparity::EqualizedOdds),
    ("equal_opportunity", Disparity::EqualOpportunity),
];

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// `neg_<gap>_difference` or `<gap>_ratio`, the gap a disparity or a metric name.
#[inline]
pub(super) fn fairness_from_name(name: &str) -> Option<Scorer> {
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

pub(super) const NAMES: &[(&str, Scorer)] = &[
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
