//! First Wasserstein distance between two 1-D samples, as `scipy.stats.wasserstein_distance`,
//! and Evidently's normed form.
//!
//! `W₁(u, v) = ∫ |U(x) − V(x)| dx`, with `U`, `V` the (optionally weighted) empirical CDFs:
//! between consecutive distinct observations `z_t < z_{t+1}` of both samples the CDFs are
//! constant, so `W₁ = Σ_t |U(z_t) − V(z_t)| (z_{t+1} − z_t)` (compensated summation).
//! Normed (Evidently's `wasserstein` drift test): `W₁ / max(σ_ref, 0.001)`, with `σ_ref` the
//! reference's population standard deviation (`np.std`, ddof 0).

use crate::error::{Error, Result};

/// Neumaier's compensated sum. Each addition's exact rounding error is found by Knuth's
/// branch-free TwoSum (the same error Neumaier's magnitude test selects, without a branch
/// that mispredicts on values of mixed sizes).
#[derive(Debug, Default, Clone, Copy)]
pub struct Sum {
    s: f64,
    c: f64,
}

impl Sum {
    /// Add `x`.
    pub fn add(&mut self, x: f64) {
        let t = self.s + x;
        let x_part = t - self.s;
        self.c += (self.s - (t - x_part)) + (x - x_part);
        self.s = t;
    }
    /// The sum.
    pub fn value(&self) -> f64 {
        self.s + self.c
    }
}

/// `W₁` of two sorted, non-empty samples (unweighted), in its quantile form
/// `∫₀¹ |U⁻¹(t) − V⁻¹(t)| dt`: the quantile functions are steps at `i/n_u` and `j/n_v`, so the
/// integral is a merge of those breakpoints, kept exact in integer units of `1/(n_u n_v)` —
/// no comparison of values, hence no mispredicted branches on interleaved samples.
pub fn wasserstein_sorted(u: &[f64], v: &[f64]) -> f64 {
    let (nu, nv) = (u.len() as u64, v.len() as u64);
    if nu == 0 || nv == 0 {
        return f64::NAN;
    }
    let mut total = Sum::default();
    let (mut i, mut j) = (0_usize, 0_usize);
    let mut prev = 0_u64;
    while let (Some(a), Some(b)) = (u.get(i), v.get(j)) {
        let next_u = (i as u64 + 1) * nv;
        let next_v = (j as u64 + 1) * nu;
        let next = next_u.min(next_v);
        total.add((a - b).abs() * (next - prev) as f64);
        prev = next;
        i += usize::from(next_u == next);
        j += usize::from(next_v == next);
    }
    total.value() / (nu as f64 * nv as f64)
}

/// `W₁` of two sorted, non-empty samples in its CDF form `∫ |U(x) − V(x)| dx` (scipy's), and
/// the number of distinct values of their union, in one branch-free merge in value order:
/// between consecutive merged values `z`, the CDFs stay at `i/n_u` and `j/n_v`, kept exact in
/// integer units of `1/(n_u n_v)`. A drift report needs both (the distinct count picks the
/// default test), so one pass replaces two. Needs `n_u · n_v < 2⁶³` (the CDF difference is an
/// `i64`); larger samples return `None`.
pub fn wasserstein_with_distinct(u: &[f64], v: &[f64]) -> Option<(f64, usize)> {
    let (Some(u0), Some(v0)) = (u.first(), v.first()) else {
        return None;
    };
    let (nu, nv) = (i64::try_from(u.len()).ok()?, i64::try_from(v.len()).ok()?);
    nu.checked_mul(nv)?;
    let mut total = Sum::default();
    let (mut i, mut j, mut distinct) = (0_usize, 0_usize, 1_usize);
    let mut last = u0.min(*v0);
    let mut gap = 0_i64; // i·n_v − j·n_u: the CDF difference in units of 1/(n_u n_v)
    while let (Some(x), Some(y)) = (u.get(i), v.get(j)) {
        let z = x.min(*y);
        distinct += usize::from(z != last);
        // Zero where z repeats the last value: no branch needed.
        total.add(gap.unsigned_abs() as f64 * (z - last));
        last = z;
        let (ai, aj) = (usize::from(x <= y), usize::from(y <= x));
        i += ai;
        j += aj;
        gap += ai as i64 * nv - aj as i64 * nu;
    }
    // One sample is used up: the other's CDF climbs alone to 1.
    for (rest, step) in [(u.get(i..), nv), (v.get(j..), -nu)] {
        for z in rest.into_iter().flatten() {
            distinct += usize::from(*z != last);
            total.add(gap.unsigned_abs() as f64 * (z - last));
            last = *z;
            gap += step;
        }
    }
    Some((total.value() / (nu as f64 * nv as f64), distinct))
}

/// `scipy.stats.wasserstein_distance(u_values, v_values, u_weights, v_weights)`.
pub fn wasserstein_distance(
    u_values: &[f64],
    v_values: &[f64],
    u_weights: Option<&[f64]>,
    v_weights: Option<&[f64]>,
) -> Result<f64> {
    let u = weighted("u_values", "u_weights", u_values, u_weights)?;
    let v = weighted("v_values", "v_weights", v_values, v_weights)?;
    if u_weights.is_none() && v_weights.is_none() {
        let (us, vs): (Vec<f64>, Vec<f64>) = (
            u.iter().map(|p| p.0).collect(),
            v.iter().map(|p| p.0).collect(),
        );
        return Ok(wasserstein_sorted(&us, &vs));
    }
    let (tu, tv): (f64, f64) = (u.iter().map(|p| p.1).sum(), v.iter().map(|p| p.1).sum());
    let (mut i, mut j) = (0_usize, 0_usize);
    let (mut cu, mut cv) = (Sum::default(), Sum::default());
    let mut total = Sum::default();
    let mut prev: Option<(f64, f64)> = None;
    loop {
        let z = match (u.get(i), v.get(j)) {
            (Some(a), Some(b)) => a.0.min(b.0),
            (Some(a), None) => a.0,
            (None, Some(b)) => b.0,
            (None, None) => break,
        };
        while let Some(p) = u.get(i).filter(|p| p.0 <= z) {
            cu.add(p.1);
            i += 1;
        }
        while let Some(p) = v.get(j).filter(|p| p.0 <= z) {
            cv.add(p.1);
            j += 1;
        }
        if let Some((z0, gap)) = prev {
            total.add(gap * (z - z0));
        }
        prev = Some((z, (cu.value() / tu - cv.value() / tv).abs()));
    }
    Ok(total.value())
}

fn weighted(
    arg: &str,
    warg: &str,
    values: &[f64],
    weights: Option<&[f64]>,
) -> Result<Vec<(f64, f64)>> {
    let sorted = super::sample::sorted_finite(arg, values)?;
    let Some(w) = weights else {
        return Ok(sorted.into_iter().map(|x| (x, 1.0)).collect());
    };
    if w.len() != values.len() {
        return Err(Error::invalid(
            warg,
            format!(
                "expected one weight per value ({}), found {}",
                values.len(),
                w.len()
            ),
        ));
    }
    if let Some((i, x)) = w
        .iter()
        .enumerate()
        .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
    {
        return Err(Error::invalid(
            warg,
            format!("expected finite, non-negative weights, found {x} at position {i}"),
        ));
    }
    if w.iter().sum::<f64>() <= 0.0 {
        return Err(Error::invalid(
            warg,
            "expected a positive total weight, found 0",
        ));
    }
    let mut pairs: Vec<(f64, f64)> = values.iter().copied().zip(w.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(pairs)
}

/// Population standard deviation (`np.std`, ddof 0), compensated.
pub fn std_population(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mut s = Sum::default();
    x.iter().for_each(|v| s.add(*v));
    let mean = s.value() / n;
    let mut q = Sum::default();
    x.iter().for_each(|v| q.add((v - mean) * (v - mean)));
    libm::sqrt(q.value() / n)
}

/// Evidently's normed distance `W₁ / max(σ_ref, 0.001)` and the norm used.
pub fn wasserstein_normed_sorted(reference: &[f64], current: &[f64]) -> (f64, f64) {
    let norm = std_population(reference).max(0.001);
    (wasserstein_sorted(reference, current) / norm, norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fused_merge_matches_the_quantile_form_and_counts_distinct_values() {
        let mut rng = crate::rng::seeded(4, 0);
        for (n, m, levels) in [(5000, 3000, 0), (2000, 2500, 40), (7, 3, 3), (1, 1, 0)] {
            let mut draw = |k: usize| -> Vec<f64> {
                let mut v: Vec<f64> = (0..k)
                    .map(|_| {
                        let u = crate::robust::uniform01(&mut rng);
                        if levels > 0 {
                            (u * f64::from(levels)).floor()
                        } else {
                            u * 10.0 - 3.0
                        }
                    })
                    .collect();
                crate::math::sort_floats(&mut v);
                v
            };
            let (a, b) = (draw(n), draw(m));
            let (w, d) = wasserstein_with_distinct(&a, &b).unwrap();
            let expected = wasserstein_sorted(&a, &b);
            assert!(
                (w - expected).abs() <= 1e-12 * expected.max(1.0),
                "{w} vs {expected}"
            );
            let mut all: Vec<f64> = a.iter().chain(&b).copied().collect();
            crate::math::sort_floats(&mut all);
            all.dedup();
            assert_eq!(d, all.len());
        }
    }

    #[test]
    fn matches_scipy_examples() {
        // wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0
        assert!(
            (wasserstein_distance(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0], None, None).unwrap() - 5.0)
                .abs()
                < 1e-15
        );
        // wasserstein_distance([0, 1], [0, 1], [3, 1], [2, 2]) = 0.25
        let d = wasserstein_distance(
            &[0.0, 1.0],
            &[0.0, 1.0],
            Some(&[3.0, 1.0]),
            Some(&[2.0, 2.0]),
        )
        .unwrap();
        assert!((d - 0.25).abs() < 1e-15);
        // [3.4, 3.9, 7.5, 7.8] vs [4.5, 1.4], weights [1.4, 0.9, 3.1, 7.2], [3.2, 3.5] -> 4.0781331438047861
        let d = wasserstein_distance(
            &[3.4, 3.9, 7.5, 7.8],
            &[4.5, 1.4],
            Some(&[1.4, 0.9, 3.1, 7.2]),
            Some(&[3.2, 3.5]),
        )
        .unwrap();
        assert!((d - 4.078_133_143_804_786).abs() < 1e-14);
    }
}
