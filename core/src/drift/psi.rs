//! Population Stability Index, as Evidently defines it.
//!
//! With `rᵢ`, `cᵢ` the shares of the reference and current samples in bin `i` (see
//! [`super::binning`]), `PSI = Σᵢ (rᵢ − cᵢ) · ln(rᵢ / cᵢ)`. Empty bins would make a term
//! infinite, so a share of 0 is replaced by a floor before the sum. Evidently's floor (the
//! default, [`Floor::Evidently`]) is `10⁻⁴`, or the smallest non-zero share divided by `10⁶`
//! when that share is itself at most `10⁻⁴`, chosen per sample; [`Floor::Fixed`] uses one
//! given value. The floors applied are recorded. PSI is symmetric and 0 for equal shares.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The share that replaces empty bins.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Floor {
    /// `1e-4`, or (smallest non-zero share) / 1e6 when that share is ≤ 1e-4 (Evidently).
    #[default]
    Evidently,
    /// A fixed share.
    Fixed(f64),
}

/// PSI and the floors it applied.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PsiResult {
    /// The index.
    pub statistic: f64,
    /// Floor applied to the reference's empty bins (NaN when none was empty).
    pub floor_reference: f64,
    /// Floor applied to the current sample's empty bins (NaN when none was empty).
    pub floor_current: f64,
}

/// Shares `count / n` (Evidently divides by the sample size).
pub fn shares(counts: &[f64]) -> Vec<f64> {
    let n: f64 = counts.iter().sum();
    counts.iter().map(|c| c / n).collect()
}

fn apply_floor(shares: &mut [f64], floor: Floor) -> f64 {
    if !shares.contains(&0.0) {
        return f64::NAN;
    }
    let value = match floor {
        Floor::Fixed(f) => f,
        Floor::Evidently => {
            let min = shares
                .iter()
                .copied()
                .filter(|s| *s != 0.0)
                .fold(f64::INFINITY, f64::min);
            if min <= 1e-4 {
                min / 1e6
            } else {
                1e-4
            }
        }
    };
    shares
        .iter_mut()
        .filter(|s| **s == 0.0)
        .for_each(|s| *s = value);
    value
}

/// PSI from per-bin counts of the reference and current samples.
pub fn psi_from_counts(reference: &[f64], current: &[f64], floor: Floor) -> Result<PsiResult> {
    if reference.len() != current.len() || reference.is_empty() {
        return Err(Error::invalid(
            "current",
            format!(
                "expected counts over the same {} bins as the reference, found {}",
                reference.len(),
                current.len()
            ),
        ));
    }
    if let Floor::Fixed(f) = floor {
        if !(f > 0.0 && f.is_finite()) {
            return Err(Error::invalid(
                "floor",
                format!("expected a positive share, found {f}"),
            ));
        }
    }
    for (name, c) in [("reference", reference), ("current", current)] {
        if c.iter().sum::<f64>() <= 0.0 {
            return Err(Error::invalid(
                name,
                "PSI needs at least one observation in each sample, found none",
            ));
        }
    }
    let (mut r, mut c) = (shares(reference), shares(current));
    let floor_reference = apply_floor(&mut r, floor);
    let floor_current = apply_floor(&mut c, floor);
    let statistic = r
        .iter()
        .zip(&c)
        .map(|(r, c)| (r - c) * crate::math::ln(r / c))
        .sum();
    Ok(PsiResult {
        statistic,
        floor_reference,
        floor_current,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_for_equal_shares_and_symmetric() {
        let a = [10.0, 20.0, 30.0];
        assert_eq!(
            psi_from_counts(&a, &[1.0, 2.0, 3.0], Floor::Evidently)
                .unwrap()
                .statistic,
            0.0
        );
        let b = [30.0, 0.0, 30.0];
        let ab = psi_from_counts(&a, &b, Floor::Evidently).unwrap();
        let ba = psi_from_counts(&b, &a, Floor::Evidently).unwrap();
        assert!((ab.statistic - ba.statistic).abs() < 1e-15);
        assert_eq!(ab.floor_current, 1e-4);
        assert!(ab.floor_reference.is_nan());
    }
}
