//! The default test per column, by column type and sample size.
//!
//! aequa follows Evidently's documented default (`DataDriftPreset`, `_get_default_stattest`):
//!
//! | reference rows | numeric, > 5 distinct values | numeric ≤ 5 distinct, or categorical |
//! |---|---|---|
//! | ≤ 1000 | Kolmogorov–Smirnov, drift when `p < α` (0.05) | chi-square, drift when `p < α` |
//! | > 1000 | normed Wasserstein, drift when `W ≥ 0.1` | Jensen–Shannon, drift when `JS ≥ 0.1` |
//!
//! Why: on small samples a test with a p-value is the meaningful question ("could these be
//! the same distribution?"); on large samples every test rejects for negligible shifts, so
//! an effect size with a fixed threshold is used instead (0.1 of a reference standard
//! deviation for Wasserstein; 0.1 for the Jensen–Shannon distance in natural logarithms).
//! Distinct values are counted over both samples, as Evidently does. One deviation:
//! Evidently uses a two-proportion z-test for binary columns on small samples; aequa uses the
//! chi-square test there too (same family, one fewer test to learn).

use serde::{Deserialize, Serialize};

/// A drift test a column can be checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    /// Two-sample Kolmogorov–Smirnov (p-value).
    Ks,
    /// Chi-square of current counts against reference shares (p-value).
    Chisquare,
    /// k-sample Anderson–Darling (p-value).
    Anderson,
    /// Wasserstein distance normed by the reference's standard deviation.
    Wasserstein,
    /// Population Stability Index.
    Psi,
    /// Jensen–Shannon distance.
    JensenShannon,
}

impl Test {
    /// Whether the test yields a p-value (drift when it is below the threshold) rather than a
    /// distance (drift when it reaches the threshold).
    pub fn has_pvalue(self) -> bool {
        matches!(self, Test::Ks | Test::Chisquare | Test::Anderson)
    }

    /// Whether the test needs numeric values.
    pub fn numeric_only(self) -> bool {
        matches!(self, Test::Ks | Test::Anderson | Test::Wasserstein)
    }

    /// The default threshold: `alpha` for p-value tests, 0.1 for distances (Evidently's).
    pub fn default_threshold(self, alpha: f64) -> f64 {
        if self.has_pvalue() {
            alpha
        } else {
            0.1
        }
    }

    /// The public name.
    pub fn name(self) -> &'static str {
        match self {
            Test::Ks => "ks",
            Test::Chisquare => "chisquare",
            Test::Anderson => "anderson",
            Test::Wasserstein => "wasserstein",
            Test::Psi => "psi",
            Test::JensenShannon => "jensen_shannon",
        }
    }
}

/// Reference rows above which distances replace tests.
pub const LARGE_SAMPLE: usize = 1000;
/// Distinct values above which a numeric column is treated as continuous.
pub const FEW_VALUES: usize = 5;

/// The default test of a column.
pub fn default_test(numeric: bool, n_reference: usize, n_distinct: usize) -> Test {
    let continuous = numeric && n_distinct > FEW_VALUES;
    match (n_reference <= LARGE_SAMPLE, continuous) {
        (true, true) => Test::Ks,
        (true, false) => Test::Chisquare,
        (false, true) => Test::Wasserstein,
        (false, false) => Test::JensenShannon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidently_rule() {
        assert_eq!(default_test(true, 500, 50), Test::Ks);
        assert_eq!(default_test(true, 500, 3), Test::Chisquare);
        assert_eq!(default_test(false, 500, 50), Test::Chisquare);
        assert_eq!(default_test(true, 5000, 50), Test::Wasserstein);
        assert_eq!(default_test(true, 5000, 2), Test::JensenShannon);
        assert_eq!(default_test(false, 1001, 2), Test::JensenShannon);
    }
}
