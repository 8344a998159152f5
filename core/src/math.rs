//! Transcendental functions through `libm` (pure Rust), never the platform's maths library,
//! so every result is bit-identical natively and on wasm32. Everything in the core that needs
//! `exp`, `ln`, `erfc` or a chi-square tail comes here.

use ndarray::Array2;

use crate::model::linear::Link;

/// `e^x`.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// Complementary error function.
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// The logistic function, stable for large |s|.
pub fn sigmoid(s: f64) -> f64 {
    if s >= 0.0 {
        1.0 / (1.0 + exp(-s))
    } else {
        let e = exp(s);
        e / (1.0 + e)
    }
}

/// Apply a link to raw scores: identity; logistic (one score → two class probabilities);
/// softmax (one score per class).
pub fn apply_link(link: Link, raw: Array2<f64>) -> Array2<f64> {
    match link {
        Link::Identity => raw,
        Link::Logistic => {
            let mut out = Array2::zeros((raw.nrows(), 2));
            for (mut row, s) in out.rows_mut().into_iter().zip(raw.column(0)) {
                let p = sigmoid(*s);
                row.iter_mut().zip([1.0 - p, p]).for_each(|(o, v)| *o = v);
            }
            out
        }
        Link::Softmax => {
            let mut out = raw;
            for mut row in out.rows_mut() {
                let max = row.fold(f64::NEG_INFINITY, |a, b| a.max(*b));
                row.mapv_inplace(|v| exp(v - max));
                let sum = row.sum();
                row.mapv_inplace(|v| v / sum);
            }
            out
        }
    }
}

/// Upper tail `P(X > x)` of a chi-square distribution with `dof` degrees of freedom.
pub fn chi2_sf(x: f64, dof: f64) -> f64 {
    if x.is_nan() || dof <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(0.5 * dof, 0.5 * x)
}

/// Regularised upper incomplete gamma `Q(a, x)`: a series below `a + 1`, a continued fraction
/// (modified Lentz) above.
fn gamma_q(a: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-16;
    const TINY: f64 = 1e-300;
    let log_prefactor = -x + a * ln(x) - libm::lgamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        1.0 - sum * exp(log_prefactor)
    } else {
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < EPS {
                break;
            }
        }
        exp(log_prefactor) * h
    }
}

/// Cosine through libm (bit-identical on every target).
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// Sort floats ascending by `f64::total_cmp` (NaN last, -0 before +0). Every float sort goes
/// through here: one sort instantiated in the WASM module instead of one per call site and
/// flavour. Unstable is exact here: values equal under `total_cmp` have the same bits.
pub fn sort_floats(values: &mut [f64]) {
    values.sort_unstable_by(f64::total_cmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi2_tail_matches_scipy() {
        // scipy.stats.chi2.sf(x, df)
        let cases = [
            (4.8, 1.0, 0.028_459_736_916_310_638),
            (258.09, 9.0, 1.951_036_256_019_488_6e-50),
            (13.9, 9.0, 0.125_927_151_301_726_66),
            (0.5, 3.0, 0.918_891_411_654_675_8),
            (30.0, 30.0, 0.465_653_708_944_009_8),
        ];
        for (x, k, expected) in cases {
            let got = chi2_sf(x, k);
            assert!(
                ((got - expected) / expected).abs() < 1e-11,
                "chi2_sf({x}, {k}) = {got}, scipy {expected}"
            );
        }
        assert_eq!(chi2_sf(0.0, 2.0), 1.0);
    }
}

pub mod kolmogorov;
