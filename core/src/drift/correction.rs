//! Multiple-testing correction of the p-values of one report.
//!
//! Over the `m` defined p-values of a report (NaN ones are left out and stay NaN):
//! * Bonferroni: `p̃ᵢ = min(1, m pᵢ)` — controls the family-wise error rate;
//! * Benjamini–Hochberg: with `p₍₁₎ ≤ … ≤ p₍ₘ₎`, `p̃₍ᵢ₎ = min(1, min_{j ≥ i} m p₍ⱼ₎ / j)` —
//!   controls the false discovery rate (statsmodels' `multipletests(method="fdr_bh")`).
//!
//! A column drifts when its adjusted p-value is below the threshold.

use serde::{Deserialize, Serialize};

/// Which correction to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// No correction.
    None,
    /// Bonferroni.
    Bonferroni,
    /// Benjamini–Hochberg (the default).
    #[default]
    Bh,
}

/// Adjusted p-values, in the input's order.
pub fn adjust(pvalues: &[f64], correction: Correction) -> Vec<f64> {
    let defined: Vec<usize> = (0..pvalues.len())
        .filter(|i| pvalues.get(*i).is_some_and(|p| !p.is_nan()))
        .collect();
    let m = defined.len() as f64;
    let mut out = pvalues.to_vec();
    match correction {
        Correction::None => {}
        Correction::Bonferroni => {
            for i in &defined {
                if let Some(p) = out.get_mut(*i) {
                    *p = (*p * m).min(1.0);
                }
            }
        }
        Correction::Bh => {
            let mut order = defined;
            order.sort_by(|a, b| {
                let (pa, pb) = (
                    pvalues.get(*a).copied().unwrap_or(0.0),
                    pvalues.get(*b).copied().unwrap_or(0.0),
                );
                pa.total_cmp(&pb)
            });
            let mut running = f64::INFINITY;
            for (rank, i) in order.iter().enumerate().rev() {
                let p = pvalues.get(*i).copied().unwrap_or(f64::NAN);
                running = running.min(p * m / (rank + 1) as f64);
                if let Some(o) = out.get_mut(*i) {
                    *o = running.min(1.0);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_statsmodels() {
        // multipletests([0.01, 0.04, 0.03, 0.2], method="fdr_bh")[1] = [0.04, 0.05333.., 0.05333.., 0.2]
        let p = [0.01, 0.04, 0.03, 0.2];
        let bh = adjust(&p, Correction::Bh);
        let expected = [0.04, 0.16 / 3.0, 0.16 / 3.0, 0.2];
        for (a, b) in bh.iter().zip(expected) {
            assert!((a - b).abs() < 1e-15, "{a} vs {b}");
        }
        assert_eq!(
            adjust(&p, Correction::Bonferroni),
            vec![0.04, 0.16, 0.12, 0.8]
        );
        let with_nan = adjust(&[0.5, f64::NAN], Correction::Bonferroni);
        assert!(with_nan[1].is_nan() && with_nan[0] == 0.5);
    }
}
