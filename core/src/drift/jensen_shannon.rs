//! Jensen–Shannon distance, as `scipy.spatial.distance.jensenshannon` on Evidently's binned
//! shares.
//!
//! With `p`, `q` the bin shares of the reference and current samples (each renormalised to
//! sum 1) and `m = (p + q) / 2`, `JS = √((KL(p‖m) + KL(q‖m)) / 2)`, where
//! `KL(a‖b) = Σ aᵢ ln(aᵢ/bᵢ)` (terms with `aᵢ = 0` are 0). Logarithms are natural unless a
//! `base` is given (then the divergence is divided by `ln(base)`; base 2 bounds the distance
//! by 1). No floor is applied to empty bins (Evidently passes `feel_zeroes=False`). The
//! distance is symmetric and 0 for equal shares.

use crate::error::{Error, Result};
use crate::math::ln;

/// `scipy.special.rel_entr(x, y)`.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * ln(x / y)
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// `jensenshannon(p, q, base)` for non-negative weights `p`, `q` (renormalised).
pub fn jensenshannon(p: &[f64], q: &[f64], base: Option<f64>) -> Result<f64> {
    if p.len() != q.len() || p.is_empty() {
        return Err(Error::invalid(
            "current",
            format!(
                "expected frequencies over the same {} bins as the reference, found {}",
                p.len(),
                q.len()
            ),
        ));
    }
    if let Some(b) = base {
        if !(b > 0.0 && b != 1.0 && b.is_finite()) {
            return Err(Error::invalid(
                "base",
                format!("expected a positive logarithm base other than 1, found {b}"),
            ));
        }
    }
    let (sp, sq): (f64, f64) = (p.iter().sum(), q.iter().sum());
    if sp <= 0.0 || sq <= 0.0 {
        let which = if sp <= 0.0 { "reference" } else { "current" };
        return Err(Error::invalid(
            which,
            "the Jensen-Shannon distance needs at least one observation in each sample",
        ));
    }
    let (mut left, mut right) = (0.0, 0.0);
    for (a, b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    let mut js = left + right;
    if let Some(b) = base {
        js /= ln(b);
    }
    Ok(libm::sqrt(js / 2.0))
}

/// Jensen–Shannon distance between per-bin counts (Evidently: shares `count / n` first).
pub fn jensen_shannon_from_counts(
    reference: &[f64],
    current: &[f64],
    base: Option<f64>,
) -> Result<f64> {
    let p = super::psi::shares(reference);
    let q = super::psi::shares(current);
    jensenshannon(&p, &q, base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scipy() {
        // scipy.spatial.distance.jensenshannon([1, 0, 0], [0, 1, 0]) = 0.8325546111576977
        let d = jensenshannon(&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], None).unwrap();
        assert!((d - 0.832_554_611_157_697_7).abs() < 1e-15);
        let d2 = jensenshannon(&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], Some(2.0)).unwrap();
        assert!((d2 - 1.0).abs() < 1e-15);
        assert_eq!(jensenshannon(&[1.0, 2.0], &[2.0, 4.0], None).unwrap(), 0.0);
    }
}
