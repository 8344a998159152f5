//! k-sample Anderson–Darling test, as `scipy.stats.anderson_ksamp` (Scholz & Stephens 1987).
//!
//! For `k` samples of sizes `nᵢ` pooled into `N` observations with distinct values `z_j`
//! (multiplicity `l_j`), the midrank statistic (equation 7, scipy's default) is
//! `A²_akN = (N−1)/N Σᵢ 1/nᵢ Σ_j l_j/N (N M_ij − B_j nᵢ)² / (B_j (N − B_j) − N l_j/4)` with
//! `B_j = #{Z < z_j} + l_j/2` and `M_ij = #{sampleᵢ < z_j} + f_ij/2`; the right-continuous
//! variant (`midrank = false`, equation 6) sums over all but the last `z_j` with
//! `B_j = #{Z ≤ z_j}`, `M_ij = #{sampleᵢ ≤ z_j}` and denominator `B_j (N − B_j)`.
//! The reported statistic is standardised, `(A² − (k−1)) / σ_N`, and compared to the
//! critical values `b₀ + b₁/√m + b₂/m` (`m = k − 1`) at significance levels
//! 25%, 10%, 5%, 2.5%, 1%, 0.5% and 0.1%. The p-value interpolates `ln(level)` by a quadratic
//! least-squares fit in the critical values, capped at 0.25 and floored at 0.001 outside
//! their range (as scipy, which then warns).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::math::{exp, ln};

/// Significance levels of the critical values.
pub const SIGNIFICANCE_LEVELS: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/// The test's result, with scipy's field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AndersonResult {
    /// Standardised `A²`.
    pub statistic: f64,
    /// Critical values at [`SIGNIFICANCE_LEVELS`].
    pub critical_values: Vec<f64>,
    /// Interpolated p-value (scipy's `pvalue`, alias `significance_level`).
    pub pvalue: f64,
    /// `"capped"` (true p-value above 0.25), `"floored"` (below 0.001) or `None`.
    pub pvalue_bound: Option<String>,
}

/// `anderson_ksamp` on unsorted samples (every value finite).
pub fn anderson_ksamp(samples: &[&[f64]], midrank: bool) -> Result<AndersonResult> {
    if samples.len() < 2 {
        return Err(Error::invalid(
            "samples",
            format!(
                "anderson_ksamp needs at least two samples, found {}",
                samples.len()
            ),
        ));
    }
    let sorted = samples
        .iter()
        .enumerate()
        .map(|(i, s)| super::sample::sorted_finite(&format!("samples[{i}]"), s))
        .collect::<Result<Vec<_>>>()?;
    let views: Vec<&[f64]> = sorted.iter().map(Vec::as_slice).collect();
    anderson_ksamp_sorted(&views, midrank)
}

/// `anderson_ksamp` on samples sorted ascending.
pub fn anderson_ksamp_sorted(samples: &[&[f64]], midrank: bool) -> Result<AndersonResult> {
    let k = samples.len();
    if k < 2 {
        return Err(Error::invalid(
            "samples",
            format!("anderson_ksamp needs at least two samples, found {k}"),
        ));
    }
    if let Some(i) = samples.iter().position(|s| s.is_empty()) {
        return Err(Error::invalid(
            format!("samples[{i}]"),
            "anderson_ksamp needs at least one observation in every sample, found none",
        ));
    }
    let n_total: usize = samples.iter().map(|s| s.len()).sum();
    if n_total < 4 {
        return Err(Error::invalid(
            "samples",
            format!("anderson_ksamp needs at least 4 observations in all, found {n_total}"),
        ));
    }
    let a2kn = if midrank {
        a2_midrank(samples, n_total)
    } else {
        a2_right(samples, n_total)
    };
    let Some(a2kn) = a2kn else {
        return Err(Error::invalid(
            "samples",
            "anderson_ksamp needs more than one distinct observation, found a single value",
        ));
    };
    let nf = n_total as f64;
    let kf = k as f64;
    let big_h: f64 = samples.iter().map(|s| 1.0 / s.len() as f64).sum();
    // hs_cs = cumsum(1 / arange(N-1, 1, -1)); h = hs_cs[-1] + 1; g = Σ hs_cs / arange(2, N)
    let (mut cum, mut g) = (0.0, 0.0);
    for (t, i) in (2..n_total).rev().enumerate() {
        cum += 1.0 / i as f64;
        g += cum / (t + 2) as f64;
    }
    let h = cum + 1.0;
    let a = (4.0 * g - 6.0) * (kf - 1.0) + (10.0 - 6.0 * g) * big_h;
    let b = (2.0 * g - 4.0) * kf * kf + 8.0 * h * kf + (2.0 * g - 14.0 * h - 4.0) * big_h - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * kf * kf
        + (4.0 * h - 4.0 * g + 6.0) * kf
        + (2.0 * h - 6.0) * big_h
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * kf * kf - 4.0 * h * kf;
    let sigmasq =
        (a * nf * nf * nf + b * nf * nf + c * nf + d) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let m = kf - 1.0;
    let statistic = (a2kn - m) / libm::sqrt(sigmasq);
    const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    let critical: Vec<f64> = B0
        .iter()
        .zip(B1)
        .zip(B2)
        .map(|((b0, b1), b2)| b0 + b1 / libm::sqrt(m) + b2 / m)
        .collect();
    let cmin = critical.iter().copied().fold(f64::INFINITY, f64::min);
    let cmax = critical.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (pvalue, bound) = if statistic < cmin {
        (0.25, Some("capped".to_string()))
    } else if statistic > cmax {
        (0.001, Some("floored".to_string()))
    } else {
        let logs: Vec<f64> = SIGNIFICANCE_LEVELS.iter().map(|s| ln(*s)).collect();
        let coef = polyfit2(&critical, &logs);
        (
            exp((coef[0] * statistic + coef[1]) * statistic + coef[2]),
            None,
        )
    };
    Ok(AndersonResult {
        statistic,
        critical_values: critical,
        pvalue,
        pvalue_bound: bound,
    })
}

/// Distinct pooled values with, per sample, the count `≤ z` and the multiplicity at `z`.
fn walk(samples: &[&[f64]], mut visit: impl FnMut(f64, usize, &[(usize, usize)])) -> usize {
    let k = samples.len();
    let mut pos = vec![0_usize; k];
    let mut per = vec![(0_usize, 0_usize); k];
    let mut distinct = 0;
    loop {
        let z = samples
            .iter()
            .zip(&pos)
            .filter_map(|(s, p)| s.get(*p))
            .copied()
            .fold(f64::INFINITY, f64::min);
        if z == f64::INFINITY {
            break;
        }
        let mut l = 0;
        for ((s, p), slot) in samples.iter().zip(pos.iter_mut()).zip(per.iter_mut()) {
            let start = *p;
            while s.get(*p).is_some_and(|x| *x <= z) {
                *p += 1;
            }
            *slot = (*p, *p - start);
            l += *p - start;
        }
        distinct += 1;
        visit(z, l, &per);
    }
    distinct
}

fn a2_midrank(samples: &[&[f64]], n_total: usize) -> Option<f64> {
    let nf = n_total as f64;
    let k = samples.len();
    let mut sums = vec![0.0; k];
    let mut below = 0_usize;
    let distinct = walk(samples, |_, l, per| {
        let lj = l as f64;
        let bj = below as f64 + lj / 2.0;
        for ((sum, s), (le, f)) in sums.iter_mut().zip(samples).zip(per) {
            let mij = *le as f64 - *f as f64 / 2.0;
            let ni = s.len() as f64;
            let diff = nf * mij - bj * ni;
            *sum += lj / nf * (diff * diff) / (bj * (nf - bj) - nf * lj / 4.0);
        }
        below += l;
    });
    if distinct < 2 {
        return None;
    }
    let total: f64 = sums
        .iter()
        .zip(samples)
        .map(|(s, x)| s / x.len() as f64)
        .sum();
    Some(total * (nf - 1.0) / nf)
}

fn a2_right(samples: &[&[f64]], n_total: usize) -> Option<f64> {
    let nf = n_total as f64;
    let k = samples.len();
    let mut sums = vec![0.0; k];
    let mut cum = 0_usize;
    let distinct = walk(samples, |_, l, per| {
        cum += l;
        if cum == n_total {
            return; // the last distinct value is excluded
        }
        let (lj, bj) = (l as f64, cum as f64);
        for ((sum, s), (le, _)) in sums.iter_mut().zip(samples).zip(per) {
            let ni = s.len() as f64;
            let diff = nf * *le as f64 - bj * ni;
            *sum += lj / nf * (diff * diff) / (bj * (nf - bj));
        }
    });
    if distinct < 2 {
        return None;
    }
    Some(
        sums.iter()
            .zip(samples)
            .map(|(s, x)| s / x.len() as f64)
            .sum(),
    )
}

/// Least-squares quadratic `[c₂, c₁, c₀]` through `(x, y)` (numpy's `polyfit(x, y, 2)`):
/// columns scaled to unit norm, then Householder QR.
fn polyfit2(x: &[f64], y: &[f64]) -> [f64; 3] {
    let cols: [Vec<f64>; 3] = [
        x.iter().map(|v| v * v).collect(),
        x.to_vec(),
        vec![1.0; x.len()],
    ];
    let scale: Vec<f64> = cols
        .iter()
        .map(|c| libm::sqrt(c.iter().map(|v| v * v).sum::<f64>()))
        .collect();
    let mut a: Vec<Vec<f64>> = cols
        .iter()
        .zip(&scale)
        .map(|(c, s)| c.iter().map(|v| v / s).collect())
        .collect();
    let mut b = y.to_vec();
    let rows = x.len();
    for j in 0..3 {
        // Householder reflection zeroing a[j][j+1..].
        let Some(col) = a.get(j).cloned() else { break };
        let tail: f64 = col.iter().skip(j).map(|v| v * v).sum();
        let norm = libm::sqrt(tail);
        let ajj = col.get(j).copied().unwrap_or(0.0);
        let alpha = if ajj > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = col.iter().skip(j).copied().collect();
        if let Some(v0) = v.first_mut() {
            *v0 -= alpha;
        }
        let vnorm2: f64 = v.iter().map(|t| t * t).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        let reflect = |target: &mut [f64]| {
            let dot: f64 = target.iter().skip(j).zip(&v).map(|(t, w)| t * w).sum();
            let f = 2.0 * dot / vnorm2;
            target
                .iter_mut()
                .skip(j)
                .zip(&v)
                .for_each(|(t, w)| *t -= f * w);
        };
        for c in a.iter_mut().skip(j) {
            reflect(c);
        }
        reflect(&mut b);
        let _ = rows;
    }
    // Back substitution on the upper-triangular R (a[col][row]).
    let r = |row: usize, col: usize| a.get(col).and_then(|c| c.get(row)).copied().unwrap_or(0.0);
    let mut coef = [0.0; 3];
    for i in (0..3).rev() {
        let mut s = b.get(i).copied().unwrap_or(0.0);
        for (jj, cj) in coef.iter().enumerate().skip(i + 1) {
            s -= r(i, jj) * cj;
        }
        if let Some(c) = coef.get_mut(i) {
            *c = s / r(i, i);
        }
    }
    for (c, s) in coef.iter_mut().zip(&scale) {
        *c /= s;
    }
    coef
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_two_samples_and_two_values() {
        assert!(anderson_ksamp(&[&[1.0, 2.0]], true).is_err());
        assert!(anderson_ksamp(&[&[1.0, 1.0], &[1.0, 1.0]], true).is_err());
        assert!(anderson_ksamp(&[&[], &[1.0, 2.0, 3.0, 4.0]], true).is_err());
    }

    #[test]
    fn polyfit_recovers_a_parabola() {
        let x = [0.5, 1.0, 1.5, 2.0, 3.0];
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v * v - 3.0 * v + 0.5).collect();
        let c = polyfit2(&x, &y);
        assert!(
            (c[0] - 2.0).abs() < 1e-12 && (c[1] + 3.0).abs() < 1e-12 && (c[2] - 0.5).abs() < 1e-12
        );
    }
}
