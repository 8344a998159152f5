//! Two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp`.
//!
//! With `F₁`, `F₂` the empirical CDFs of samples of sizes `n₁`, `n₂`, the statistic is
//! `D = sup_x |F₁(x) − F₂(x)|` (two-sided), `D⁻ = sup_x (F₂(x) − F₁(x))` (`less`) or
//! `D⁺ = sup_x (F₁(x) − F₂(x))` (`greater`), evaluated at every observation. The p-value is
//! exact (`method = "exact"`: lattice-path counts of Hodges 1958, in Viehmann's 2021 stable
//! recursion for the two-sided test) or asymptotic (`"asymp"`: the one-sample Kolmogorov
//! distribution `kstwo` with `n = round(n₁n₂/(n₁+n₂))`, or Hodges' one-sided approximation);
//! `"auto"` is exact when both samples have at most 10,000 observations. Like scipy, an
//! exact computation that overflows falls back to the asymptotic one, and the reported
//! statistic of an exact test is `h / lcm(n₁, n₂)`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::math::exp;
use crate::math::kolmogorov::{binom, kolmogorov_sf};

/// The alternative hypothesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    /// The distributions differ.
    #[default]
    TwoSided,
    /// The CDF of the first sample lies below the second's somewhere.
    Less,
    /// The CDF of the first sample lies above the second's somewhere.
    Greater,
}

/// How the p-value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KsMethod {
    /// Exact up to 10,000 observations per sample, asymptotic above.
    #[default]
    Auto,
    /// Exact lattice-path probability (asymptotic when it cannot be computed).
    Exact,
    /// Asymptotic distribution.
    Asymp,
}

/// The test's result, with scipy's field names.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KsResult {
    /// `D`, `D⁻` or `D⁺`.
    pub statistic: f64,
    /// The p-value.
    pub pvalue: f64,
    /// The observation at which the statistic is attained.
    pub statistic_location: f64,
    /// `+1` when `F₁ − F₂` attains the statistic, `−1` when `F₂ − F₁` does.
    pub statistic_sign: i8,
    /// The method the p-value was computed with (`exact` or `asymp`).
    pub method: KsMethod,
    /// Whether an exact computation was asked for but fell back to the asymptotic one.
    pub exact_fallback: bool,
}

/// Largest sample size at which `auto` is exact.
const MAX_AUTO_N: usize = 10_000;

/// `ks_2samp` on unsorted samples (every value finite).
pub fn ks_2samp(
    data1: &[f64],
    data2: &[f64],
    alternative: Alternative,
    method: KsMethod,
) -> Result<KsResult> {
    let s1 = super::sample::sorted_finite("data1", data1)?;
    let s2 = super::sample::sorted_finite("data2", data2)?;
    ks_2samp_sorted(&s1, &s2, alternative, method)
}

/// `ks_2samp` on samples already sorted ascending.
pub fn ks_2samp_sorted(
    s1: &[f64],
    s2: &[f64],
    alternative: Alternative,
    method: KsMethod,
) -> Result<KsResult> {
    let (n1, n2) = (s1.len(), s2.len());
    if n1 == 0 || n2 == 0 {
        let which = if n1 == 0 { "data1" } else { "data2" };
        return Err(Error::invalid(
            which,
            "the Kolmogorov-Smirnov test needs at least one observation in each sample, found none",
        ));
    }
    ks_from_extremes(n1, n2, &extremes(s1, s2), alternative, method)
}

/// `ks_2samp` from the extremes of `F₁ − F₂` over samples of sizes `n1`, `n2` (both > 0).
pub(crate) fn ks_from_extremes(
    n1: usize,
    n2: usize,
    ext: &Extremes,
    alternative: Alternative,
    method: KsMethod,
) -> Result<KsResult> {
    if n1 == 0 || n2 == 0 {
        let which = if n1 == 0 { "data1" } else { "data2" };
        return Err(Error::invalid(
            which,
            "the Kolmogorov-Smirnov test needs at least one observation in each sample, found none",
        ));
    }
    let (mut d, location, sign) = match alternative {
        Alternative::Less => (ext.min_s, ext.loc_min, -1),
        Alternative::Greater => (ext.max_s, ext.loc_max, 1),
        Alternative::TwoSided if ext.min_s > ext.max_s => (ext.min_s, ext.loc_min, -1),
        Alternative::TwoSided => (ext.max_s, ext.loc_max, 1),
    };
    let g = gcd(n1 as u64, n2 as u64);
    let (n1g, n2g) = (n1 as u64 / g, n2 as u64 / g);
    let mut mode = match method {
        KsMethod::Auto if n1.max(n2) <= MAX_AUTO_N => KsMethod::Exact,
        KsMethod::Auto => KsMethod::Asymp,
        KsMethod::Exact if n1g as f64 >= f64::from(i32::MAX) / n2g as f64 => KsMethod::Asymp,
        other => other,
    };
    let mut fallback = method == KsMethod::Exact && mode == KsMethod::Asymp;
    let mut prob = f64::NAN;
    if mode == KsMethod::Exact {
        let (ok, d_exact, p) = attempt_exact(n1 as u64, n2 as u64, g, d, alternative);
        d = d_exact;
        prob = p;
        if !ok {
            mode = KsMethod::Asymp;
            fallback = true;
        }
    }
    if mode == KsMethod::Asymp {
        let (m, n) = if n1 >= n2 {
            (n1 as f64, n2 as f64)
        } else {
            (n2 as f64, n1 as f64)
        };
        let en = m * n / (m + n);
        prob = if alternative == Alternative::TwoSided {
            kolmogorov_sf(en.round_ties_even() as u64, d)
        } else {
            let z = libm::sqrt(en) * d;
            let expt = -2.0 * z * z - 2.0 * z * (m + 2.0 * n) / libm::sqrt(m * n * (m + n)) / 3.0;
            exp(expt)
        };
    }
    Ok(KsResult {
        statistic: d,
        pvalue: prob.clamp(0.0, 1.0),
        statistic_location: location,
        statistic_sign: sign,
        method: mode,
        exact_fallback: fallback,
    })
}

/// The extremes of `F₁ − F₂` over all observations, located as numpy's `argmin`/`argmax`
/// over `concatenate([sorted1, sorted2])` would (first occurrence).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Extremes {
    min_s: f64,
    max_s: f64,
    loc_min: f64,
    loc_max: f64,
}

/// The running extremes of `F₁ − F₂`, fed every distinct value in ascending order with the
/// counts of observations `≤` it and whether each sample holds it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtremesTracker {
    n1: f64,
    n2: f64,
    /// Best `(difference, location)` among observations of sample 1 (`[0]`) and 2 (`[1]`);
    /// ±∞ until the sample has one.
    max: [(f64, f64); 2],
    min: [(f64, f64); 2],
}

impl ExtremesTracker {
    pub(crate) fn new(n1: usize, n2: usize) -> Self {
        ExtremesTracker {
            n1: n1 as f64,
            n2: n2 as f64,
            max: [(f64::NEG_INFINITY, f64::NAN); 2],
            min: [(f64::INFINITY, f64::NAN); 2],
        }
    }

    /// Record the distinct value `z`, with `i` and `j` observations `≤ z` in the samples.
    #[inline]
    pub(crate) fn record(&mut self, z: f64, i: usize, j: usize, in1: bool, in2: bool) {
        let diff = i as f64 / self.n1 - j as f64 / self.n2;
        // Non-short-circuit `&`: whether a sample holds `z` is a coin flip on interleaved
        // samples, a new extreme is rare, so one well-predicted branch each.
        for ((present, max), min) in [in1, in2].into_iter().zip(&mut self.max).zip(&mut self.min) {
            if present & (diff > max.0) {
                *max = (diff, z);
            }
            if present & (diff < min.0) {
                *min = (diff, z);
            }
        }
    }

    pub(crate) fn finish(&self) -> Extremes {
        let some = |(d, z): (f64, f64)| if d.is_finite() { Some((d, z)) } else { None };
        let pick = |a: Option<(f64, f64)>, b: Option<(f64, f64)>, want_max: bool| match (a, b) {
            (Some(a), Some(b)) => {
                let b_wins = if want_max { b.0 > a.0 } else { b.0 < a.0 };
                if b_wins {
                    b
                } else {
                    a
                }
            }
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => (0.0, f64::NAN),
        };
        let [max1, max2] = self.max;
        let [min1, min2] = self.min;
        let (max_s, loc_max) = pick(some(max1), some(max2), true);
        let (min_d, loc_min) = pick(some(min1), some(min2), false);
        Extremes {
            min_s: (-min_d).clamp(0.0, 1.0),
            max_s,
            loc_min,
            loc_max,
        }
    }
}

fn extremes(s1: &[f64], s2: &[f64]) -> Extremes {
    let mut tracker = ExtremesTracker::new(s1.len(), s2.len());
    // A branch-free merge (samples are finite, so +∞ marks an exhausted one); a distinct
    // value is recorded once every observation equal to it has been counted.
    let (mut i, mut j) = (0_usize, 0_usize);
    let (mut last, mut in1, mut in2) = (f64::NAN, false, false);
    loop {
        let x = s1.get(i).copied().unwrap_or(f64::INFINITY);
        let y = s2.get(j).copied().unwrap_or(f64::INFINITY);
        let z = x.min(y);
        if z != last {
            if !last.is_nan() {
                tracker.record(last, i, j, in1, in2);
            }
            if z == f64::INFINITY {
                break;
            }
            (last, in1, in2) = (z, false, false);
        }
        let (a, b) = (x <= y, y <= x);
        in1 |= a;
        in2 |= b;
        i += usize::from(a);
        j += usize::from(b);
    }
    tracker.finish()
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy's `_attempt_exact_2kssamp`: `(success, h / lcm, p)`.
fn attempt_exact(n1: u64, n2: u64, g: u64, d: f64, alternative: Alternative) -> (bool, f64, f64) {
    let lcm = (n1 / g) * n2;
    let h_f = (d * lcm as f64).round_ties_even();
    let d = h_f / lcm as f64;
    let h = h_f as u64;
    if h == 0 {
        return (true, d, 1.0);
    }
    let prob = if alternative == Alternative::TwoSided {
        if n1 == n2 {
            prob_outside_square(n1, h)
        } else {
            outer_prob_inside(n1, n2, g, h)
        }
    } else if n1 == n2 {
        (0..h).fold(1.0, |p, j| {
            p * ((n1 - j) as f64 / (n1 as f64 + j as f64 + 1.0))
        })
    } else {
        let paths = count_paths_outside(n1, n2, g, h);
        let total = binom((n1 + n2) as f64, n1 as f64);
        if !paths.is_finite() || !total.is_finite() || paths > total {
            return (false, d, f64::NAN);
        }
        paths / total
    };
    if !(0.0..=1.0).contains(&prob) {
        return (false, d, prob);
    }
    (true, d, prob)
}

/// `P(D_{n,n} ≥ h/n)`: `2 Σ_k (−1)^(k−1) C(2n, n−kh) / C(2n, n)` in Horner form.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let mut p = 0.0;
    let mut k = n / h;
    loop {
        let mut p1 = 1.0;
        for j in 0..h {
            let (kh, j) = ((k * h) as f64, j as f64);
            p1 = (n as f64 - kh - j) * p1 / (n as f64 + kh + j + 1.0);
        }
        p = p1 * (1.0 - p);
        if k == 0 {
            break;
        }
        k -= 1;
    }
    2.0 * p
}

fn floor_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b)
}

fn ceil_div(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
}

/// The proportion of lattice paths from (0,0) to (m,n) leaving the band
/// `|x/m − y/n| < h / lcm(m, n)`, by Viehmann's recursion for `1 − p`.
fn outer_prob_inside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (m, n, g, h) = (m as i64, n as i64, g as i64, h as i64);
    let (mg, ng) = (m / g, n / g);
    let mut minj = 0_i64;
    let mut maxj = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1).max(1) as usize;
    let mut a = vec![1.0_f64; len_a];
    for x in a.iter_mut().take(maxj as usize) {
        *x = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = (floor_div(ng * i - h, mg) + 1).max(0).min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        let fi = i as f64;
        let shift = (minj - lastminj) as usize;
        for jj in 0..(maxj - minj) as usize {
            let j = (jj as i64 + minj) as f64;
            let prev = a.get(jj + shift).copied().unwrap_or(1.0);
            val = (prev * fi + val * j) / (fi + j);
            if let Some(x) = a.get_mut(jj) {
                *x = val;
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let from = curlen as usize;
            for x in a.iter_mut().skip(from).take((lastlen - curlen) as usize) {
                *x = 1.0;
            }
        }
    }
    a.get((maxj - minj - 1) as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

/// The number of lattice paths from (0,0) to (m,n) crossing `m y ≤ n x − h g` (Hodges).
fn count_paths_outside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (m, n, g, h) = (m as i64, n as i64, g as i64, h as i64);
    let (mg, ng) = (m / g, n / g);
    let lxj = n + floor_div(mg - h, mg);
    if lxj <= 0 {
        return binom((m + n) as f64, n as f64);
    }
    let xj: Vec<i64> = (0..lxj)
        .map(|j| floor_div(h + mg * j + ng - 1, ng))
        .collect();
    let mut b = vec![0.0_f64; lxj as usize];
    if let Some(x) = b.first_mut() {
        *x = 1.0;
    }
    for j in 1..lxj as usize {
        let xjj = xj.get(j).copied().unwrap_or(0);
        let mut bj = binom((xjj + j as i64) as f64, j as f64);
        for (i, (bi, xi)) in b.iter().zip(&xj).take(j).enumerate() {
            let c = binom((xjj - xi + (j - i) as i64) as f64, (j - i) as f64);
            bj -= c * bi;
        }
        if let Some(x) = b.get_mut(j) {
            *x = bj;
        }
    }
    b.iter()
        .zip(&xj)
        .enumerate()
        .map(|(j, (bj, xjj))| {
            bj * binom(((m - xjj) + (n - j as i64)) as f64, (n - j as i64) as f64)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_exact_case_matches_scipy() {
        // scipy.stats.ks_2samp([1, 2, 3, 4, 5], [2.5, 6, 7, 8]) -> D=0.75, p=1/7, at 5.0, +1
        let r = ks_2samp(
            &[1.0, 2.0, 3.0, 4.0, 5.0],
            &[2.5, 6.0, 7.0, 8.0],
            Alternative::TwoSided,
            KsMethod::Auto,
        )
        .unwrap();
        assert!((r.statistic - 0.75).abs() < 1e-15);
        assert!(
            (r.pvalue - 0.142_857_142_857_142_85).abs() < 1e-14,
            "{}",
            r.pvalue
        );
        assert_eq!(r.statistic_sign, 1);
        assert_eq!(r.statistic_location, 5.0);
    }

    #[test]
    fn identical_samples_have_zero_statistic() {
        let x = [3.0, 1.0, 2.0, 2.0];
        let r = ks_2samp(&x, &x, Alternative::TwoSided, KsMethod::Auto).unwrap();
        assert_eq!((r.statistic, r.pvalue), (0.0, 1.0));
    }

    #[test]
    fn empty_sample_is_an_error() {
        assert!(ks_2samp(&[], &[1.0], Alternative::TwoSided, KsMethod::Auto).is_err());
        assert!(ks_2samp(&[f64::NAN], &[1.0], Alternative::TwoSided, KsMethod::Auto).is_err());
    }
}
