//! Quantiles of bootstrap replicates, bit-identical to numpy's `nanquantile` with the default
//! `linear` method (virtual index `(n-1)q`, numpy's two-sided lerp), NaNs skipped.

/// The `q`-quantiles of `values`, NaNs ignored; NaN when no value is defined.
pub fn nanquantiles(values: &mut Vec<f64>, qs: &[f64]) -> Vec<f64> {
    values.retain(|v| !v.is_nan());
    crate::math::sort_floats(values);
    qs.iter().map(|q| quantile_sorted(values, *q)).collect()
}

/// The `q`-quantile of a sorted sample (numpy's linear method); NaN when it is empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    #[allow(clippy::cast_precision_loss)]
    let virtual_index = (n - 1) as f64 * q;
    let below = virtual_index.floor();
    let gamma = virtual_index - below;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lo = (below.max(0.0) as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let (a, b) = (
        sorted.get(lo).copied().unwrap_or(f64::NAN),
        sorted.get(hi).copied().unwrap_or(f64::NAN),
    );
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_linear() {
        // np.nanquantile([3, 1, nan, 2, 10], [0, 0.05, 0.5, 0.95, 1]) = [1, 1.15, 2.5, 8.95, 10]
        let mut v = vec![3.0, 1.0, f64::NAN, 2.0, 10.0];
        let q = nanquantiles(&mut v, &[0.0, 0.05, 0.5, 0.95, 1.0]);
        let expected = [1.0, 1.15, 2.5, 8.95, 10.0];
        for (a, b) in q.iter().zip(expected) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
        assert!(nanquantiles(&mut vec![f64::NAN], &[0.5])[0].is_nan());
    }
}
