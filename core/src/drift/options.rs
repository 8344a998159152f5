//! Options of a drift report, defaulted and checked in one place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::binning::BinningMethod;
use super::correction::Correction;
use super::ks::KsMethod;
use super::psi::Floor;
use super::select::Test;
use crate::error::{Error, Result};

/// A user's choice of test for one column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestChoice {
    /// The test.
    pub test: Test,
    /// Its threshold (the test's default when absent).
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// Options of a drift report; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriftOptions {
    /// Threshold of p-value tests (default 0.05).
    pub alpha: f64,
    /// Multiple-testing correction of the feature columns' p-values (default `bh`).
    pub correction: Correction,
    /// Share of drifted columns at which the dataset drifts (default 0.5).
    pub drift_share: f64,
    /// Quantile bins for PSI, Jensen–Shannon and chi-square on numeric columns (default 10).
    pub bins: usize,
    /// `quantile` (default) or `sturges` (Evidently's) binning of numeric columns.
    pub binning: BinningMethod,
    /// PSI's floor for empty bins (default: Evidently's rule).
    pub floor: Floor,
    /// Logarithm base of the Jensen–Shannon distance (default: natural, as Evidently).
    pub js_base: Option<f64>,
    /// Kolmogorov–Smirnov p-value method (default `auto`).
    pub ks_method: KsMethod,
    /// Per-column test overrides.
    pub tests: BTreeMap<String, TestChoice>,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            alpha: 0.05,
            correction: Correction::Bh,
            drift_share: 0.5,
            bins: 10,
            binning: BinningMethod::Quantile,
            floor: Floor::Evidently,
            js_base: None,
            ks_method: KsMethod::Auto,
            tests: BTreeMap::new(),
        }
    }
}

impl DriftOptions {
    /// Check every option.
    pub fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::invalid(
                "alpha",
                format!("expected a level between 0 and 1, found {}", self.alpha),
            ));
        }
        if !(self.drift_share > 0.0 && self.drift_share <= 1.0) {
            return Err(Error::invalid(
                "drift_share",
                format!("expected a share in (0, 1], found {}", self.drift_share),
            ));
        }
        if self.bins < 2 {
            return Err(Error::invalid(
                "bins",
                format!("expected at least 2 bins, found {}", self.bins),
            ));
        }
        if let Floor::Fixed(f) = self.floor {
            if !(f > 0.0 && f < 1.0) {
                return Err(Error::invalid(
                    "floor",
                    format!("expected a share between 0 and 1, found {f}"),
                ));
            }
        }
        if let Some(b) = self.js_base {
            if !(b > 0.0 && b != 1.0 && b.is_finite()) {
                return Err(Error::invalid(
                    "js_base",
                    format!("expected a positive logarithm base other than 1, found {b}"),
                ));
            }
        }
        for (column, choice) in &self.tests {
            if let Some(t) = choice.threshold {
                if !(t.is_finite() && t > 0.0) {
                    return Err(Error::invalid(
                        "tests",
                        format!("column '{column}': expected a positive threshold, found {t}"),
                    ));
                }
            }
        }
        Ok(())
    }
}
