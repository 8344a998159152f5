//! Pearson's chi-square goodness-of-fit test, as `scipy.stats.chisquare`, and its use for
//! categorical drift.
//!
//! `χ² = Σᵢ (Oᵢ − Eᵢ)² / Eᵢ` over `k` categories, with p-value `P(χ²_{k−1−ddof} ≥ χ²)`.
//! Without expected counts, `E` is the mean of `O`; with them, both must have the same total
//! to a relative tolerance of `√ε` (as scipy checks).
//!
//! For drift ([`chisquare_drift`], Evidently's `chisquare` test), `O` are the current counts
//! and `E` the reference counts scaled to the current total, `Eᵢ = Rᵢ · n_cur / n_ref`, over
//! the categories seen in either sample. A category seen in the current sample but never in
//! the reference has `Eᵢ = 0`: its term is infinite, so `χ² = ∞` and `p = 0` (drift) — as
//! scipy and Evidently give; the report lists such categories.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::math::chi2_sf;

/// The test's result, with scipy's field names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChisquareResult {
    /// Pearson's `χ²`.
    pub statistic: f64,
    /// `P(χ²_dof ≥ statistic)`; NaN when `dof < 1`.
    pub pvalue: f64,
    /// Degrees of freedom `k − 1 − ddof`.
    pub dof: f64,
}

/// `scipy.stats.chisquare(f_obs, f_exp, ddof)`.
pub fn chisquare(f_obs: &[f64], f_exp: Option<&[f64]>, ddof: i64) -> Result<ChisquareResult> {
    if f_obs.is_empty() {
        return Err(Error::invalid(
            "f_obs",
            "expected at least one observed frequency, found none",
        ));
    }
    check_finite("f_obs", f_obs)?;
    let k = f_obs.len();
    let mean;
    let expected: Vec<f64> = match f_exp {
        Some(e) => {
            if e.len() != k {
                return Err(Error::invalid(
                    "f_exp",
                    format!(
                        "expected one expected frequency per observed one ({k}), found {}",
                        e.len()
                    ),
                ));
            }
            check_finite("f_exp", e)?;
            let (so, se): (f64, f64) = (f_obs.iter().sum(), e.iter().sum());
            let rtol = f64::EPSILON.sqrt();
            let diff = (so - se).abs() / so.min(se);
            if diff > rtol {
                return Err(Error::invalid(
                    "f_exp",
                    format!(
                        "the expected frequencies must sum to the observed total to a relative \
                         tolerance of {rtol}, found sums {se} (expected) and {so} (observed); \
                         rescale f_exp to the observed total"
                    ),
                ));
            }
            e.to_vec()
        }
        None => {
            mean = f_obs.iter().sum::<f64>() / k as f64;
            vec![mean; k]
        }
    };
    let statistic = f_obs
        .iter()
        .zip(&expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum::<f64>();
    let dof = k as f64 - 1.0 - ddof as f64;
    Ok(ChisquareResult {
        statistic,
        pvalue: chi2_sf(statistic, dof),
        dof,
    })
}

fn check_finite(argument: &str, v: &[f64]) -> Result<()> {
    match v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        Some((index, value)) => Err(Error::NonFinite {
            argument: argument.into(),
            index,
            value: *value,
        }),
        None => Ok(()),
    }
}

/// Chi-square drift of current counts against reference counts (one entry per category; a
/// category with zero counts in both samples is skipped, as it would not exist in Evidently's
/// union of observed values). Returns the result and the indices of categories unseen in the
/// reference.
pub fn chisquare_drift(
    reference: &[f64],
    current: &[f64],
) -> Result<(ChisquareResult, Vec<usize>)> {
    let (n_ref, n_cur): (f64, f64) = (reference.iter().sum(), current.iter().sum());
    if n_ref <= 0.0 || n_cur <= 0.0 {
        let which = if n_ref <= 0.0 { "reference" } else { "current" };
        return Err(Error::invalid(
            which,
            "the chi-square test needs at least one observation in each sample, found none",
        ));
    }
    let k_norm = n_cur / n_ref;
    let mut unseen = Vec::new();
    let (mut obs, mut exp) = (Vec::new(), Vec::new());
    for (i, (r, c)) in reference.iter().zip(current).enumerate() {
        if *r == 0.0 && *c == 0.0 {
            continue;
        }
        if *r == 0.0 {
            unseen.push(i);
        }
        obs.push(*c);
        exp.push(r * k_norm);
    }
    let statistic = obs
        .iter()
        .zip(&exp)
        .map(|(o, e)| {
            if *e == 0.0 {
                f64::INFINITY
            } else {
                (o - e) * (o - e) / e
            }
        })
        .sum::<f64>();
    let dof = obs.len() as f64 - 1.0;
    Ok((
        ChisquareResult {
            statistic,
            pvalue: if statistic.is_infinite() {
                0.0
            } else {
                chi2_sf(statistic, dof)
            },
            dof,
        },
        unseen,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scipy_examples() {
        // scipy.stats.chisquare([16, 18, 16, 14, 12, 12]) -> (2.0, 0.8491450360846096)
        let r = chisquare(&[16.0, 18.0, 16.0, 14.0, 12.0, 12.0], None, 0).unwrap();
        assert!((r.statistic - 2.0).abs() < 1e-14);
        assert!((r.pvalue - 0.849_145_036_084_609_6).abs() < 1e-12);
        let r = chisquare(&[5.0], Some(&[5.0]), 0).unwrap();
        assert!(r.pvalue.is_nan());
        assert!(chisquare(&[1.0, 2.0], Some(&[1.0, 1.0]), 0).is_err());
    }

    #[test]
    fn unseen_category_is_infinite_drift() {
        let (r, unseen) = chisquare_drift(&[10.0, 5.0, 0.0], &[3.0, 3.0, 1.0]).unwrap();
        assert!(r.statistic.is_infinite());
        assert_eq!((r.pvalue, unseen), (0.0, vec![2]));
    }
}
