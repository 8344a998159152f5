//! Exact Shapley values under the interventional masker, by enumerating every coalition.
//!
//! `φ_j = Σ_{S ⊆ V∖{j}} |S|! (m−|S|−1)! / m! · (v(S ∪ {j}) − v(S))` over the `m` features `V`
//! that differ from the background for the row (the others get exactly 0, as in SHAP's
//! `ExactExplainer`). `v` is the interventional value function of [`super::masker`].
//!
//! Model rows: a masked row depends on a coalition only through its intersection with the
//! features where `x` differs from that background row (`D_r`), so each background row needs
//! one evaluation per proper, non-empty subset of `D_r` (`2^|D_r| − 2`; `f(b_r)` and `f(x)` are
//! known). That is never more than SHAP's gray-code walk evaluates. The cost grows as `2^m`,
//! so rows with more than `max_features` varying features are refused.

use std::ops::Range;

use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::masker::{check_inputs, varying_count, MaskerOptions, RowDiff, Setup};
use crate::model::Model;
use crate::report::ExplanationReport;

/// Largest `max_features` accepted (`2^30` coalitions per row).
pub const MAX_FEATURES_CAP: usize = 30;

/// Options of [`exact_shapley`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExactOptions {
    /// Refuse rows with more varying features than this (cost `2^m` coalitions).
    pub max_features: usize,
    /// Background handling and batching.
    pub masker: MaskerOptions,
}

impl Default for ExactOptions {
    fn default() -> Self {
        ExactOptions {
            max_features: 16,
            masker: MaskerOptions::default(),
        }
    }
}

/// One explained row: its varying features and, per background row, the bit set of varying
/// positions where that background row differs from `x`.
#[derive(Debug)]
struct RowPlan {
    row: usize,
    varying: Vec<usize>,
    differs: Vec<u64>,
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Exact Shapley values of `model` for the rows of `x` against `background`.
#[inline]
pub fn exact_shapley<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
    options: &ExactOptions,
) -> Result<ExplanationReport> {
    if options.max_features == 0 || options.max_features > MAX_FEATURES_CAP {
        return Err(Error::invalid(
            "max_features",
            format!(
                "expected 1 to {MAX_FEATURES_CAP}, found {}",
                options.max_features
            ),
        ));
    }
    check_inputs(model, x, background)?;
    let mut counts = Vec::new();
    let setup = Setup::new(model, x, background, &options.masker, |bg| {
        counts = (0..x.nrows())
            .map(|i| varying_count(x.row(i), bg))
            .collect();
        match counts
            .iter()
            .enumerate()
            .find(|(_, m)| **m > options.max_features)
        {
            Some((i, m)) => Err(too_many_features(i, *m, options.max_features)),
            None => Ok(()),
        }
    })?;
    let n_bg = setup.background.nrows();
    let costs: Vec<usize> = counts.iter().map(|m| n_bg << m).collect();
    let chunks = setup.chunks(&costs);
    let values = setup.map_chunks(&chunks, |rows| explain_rows(&setup, rows))?;
    let mut params = serde_json::Map::new();
    params.insert("max_features".into(), options.max_features.into());
    Ok(setup.report("exact", values, params))
}

/// Exact values of `rows` (rows × features × outputs, row-major).
#[inline]
fn explain_rows<M: Model + ?Sized>(setup: &Setup<'_, M>, rows: Range<usize>) -> Result<Vec<f64>> {
    let (x, bg) = (setup.x, setup.background.view());
    let (n_bg, m_all, k) = (bg.nrows(), setup.n_features(), setup.n_outputs());
    let plans: Vec<RowPlan> = rows.clone().map(|i| plan_row(i, x.row(i), bg)).collect();
    let mut values = vec![0.0; rows.len() * m_all * k];
    let mut vsum: Vec<f64> = Vec::new();
    let mut table: Vec<f64> = Vec::new();
    let units = plans.iter().flat_map(|p| (0..n_bg).map(move |r| (p, r)));
    setup.run(
        units,
        |(plan, r), buf| {
            let d = plan.differs.get(*r).copied().unwrap_or(0);
            let (xr, br) = (x.row(plan.row), bg.row(*r));
            let mut added = 0;
            let mut t = 0u64;
            loop {
                t = t.wrapping_sub(d) & d;
                if t == 0 || t == d {
                    break;
                }
                // The background row, then x on the coalition's features.
                let start = buf.len();
                buf.extend(br.iter());
                let mut bits = t;
                while bits != 0 {
                    let p = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if let Some(j) = plan.varying.get(p) {
                        if let (Some(dst), Some(v)) = (buf.get_mut(start + j), xr.get(*j)) {
                            *dst = *v;
                        }
                    }
                }
                added += 1;
            }
            added
        },
        |(plan, r), out| {
            let m = plan.varying.len();
            let size = 1usize << m;
            if *r == 0 {
                vsum.clear();
                vsum.resize(size * k, 0.0);
                table.resize(size * k, 0.0);
            }
            let d = plan.differs.get(*r).copied().unwrap_or(0);
            put(&mut table, k, 0, setup.f_background.row(*r));
            put(&mut table, k, d, setup.f_x.row(plan.row));
            let mut t = 0u64;
            let mut next = 0usize;
            loop {
                t = t.wrapping_sub(d) & d;
                if t == 0 || t == d {
                    break;
                }
                put(&mut table, k, t, out.row(next));
                next += 1;
            }
            let d = d as usize;
            for (s, acc) in vsum.chunks_exact_mut(k).enumerate() {
                let at = (s & d) * k;
                if let Some(src) = table.get(at..at + k) {
                    acc.iter_mut().zip(src).for_each(|(a, v)| *a += v);
                }
            }
            if *r + 1 == n_bg {
                let phi = shapley_from_values(&vsum, m, k, n_bg as f64);
                for (p, j) in plan.varying.iter().enumerate() {
                    let at = ((plan.row - rows.start) * m_all + j) * k;
                    if let (Some(dst), Some(src)) =
                        (values.get_mut(at..at + k), phi.get(p * k..p * k + k))
                    {
                        dst.copy_from_slice(src);
                    }
                }
            }
            Ok(())
        },
    )?;
    Ok(values)
}

#[inline]
fn plan_row(row: usize, x: ArrayView1<'_, f64>, bg: ArrayView2<'_, f64>) -> RowPlan {
    let diff = RowDiff::new(x, bg);
    let mut differs = vec![0u64; bg.nrows()];
    for (p, j) in diff.varying.iter().enumerate() {
        for r in diff.rows_by_feature.get(*j).into_iter().flatten() {
            if let Some(d) = differs.get_mut(*r as usize) {
                *d |= 1 << p;
            }
        }
    }
    RowPlan {
        row,
        varying: diff.varying,
        differs,
    }
}

#[inline]
fn put(table: &mut [f64], k: usize, t: u64, src: ndarray::ArrayView1<'_, f64>) {
    let at = t as usize * k;
    if let Some(dst) = table.get_mut(at..at + k) {
        dst.iter_mut().zip(src.iter()).for_each(|(d, s)| *d = *s);
    }
}

/// `φ` (m × k) from the coalition sums `vsum` (2^m × k, divided by `n` to give `v`).
#[inline]
fn shapley_from_values(vsum: &[f64], m: usize, k: usize, n: f64) -> Vec<f64> {
    let coef = shapley_coefficients(m);
    let v = |s: usize, o: usize| vsum.get(s * k + o).copied().unwrap_or(0.0) / n;
    let mut phi = vec![0.0; m * k];
    for s in 0..(1usize << m) {
        let w = coef.get(s.count_ones() as usize).copied().unwrap_or(0.0);
        for p in (0..m).filter(|p| s >> p & 1 == 0) {
            let with = s | 1 << p;
            for o in 0..k {
                if let Some(f) = phi.get_mut(p * k + o) {
                    *f += w * (v(with, o) - v(s, o));
                }
            }
        }
    }
    phi
}

/// `c[s] = s! (m−s−1)! / m! = 1 / (m · C(m−1, s))` for `s = 0..m`.
#[inline]
pub fn shapley_coefficients(m: usize) -> Vec<f64> {
    (0..m)
        .map(|s| {
            let mut binom = 1.0;
            for i in 0..s {
                binom = binom * (m - 1 - i) as f64 / (i + 1) as f64;
            }
            1.0 / (m as f64 * binom)
        })
        .collect()
}

#[inline]
fn too_many_features(row: usize, m: usize, limit: usize) -> Error {
    Error::invalid(
        "X",
        format!(
            "row {row} has {m} features that differ from the background; exact enumeration needs \
             2^{m} coalitions per row, above the limit max_features={limit} (2^{limit}). Use \
             PermutationExplainer or KernelExplainer (sampled, any number of features), group \
             correlated or one-hot features together, or raise max_features (at most \
             {MAX_FEATURES_CAP}) if the cost is acceptable"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinearModel, Link};
    use ndarray::{array, Array2};

    #[test]
    fn linear_model_gives_coef_times_centred_x() {
        let m = LinearModel::new(array![[1.0, -2.0, 0.5]], array![3.0], Link::Identity).unwrap();
        let bg = array![[0.0, 1.0, 2.0], [2.0, 3.0, 2.0], [1.0, 0.0, 2.0]];
        let x = array![[1.0, 1.0, 5.0], [4.0, -1.0, 2.0]];
        let r = exact_shapley(&m, x.view(), bg.view(), &ExactOptions::default()).unwrap();
        let mean = [1.0, 4.0 / 3.0, 2.0];
        let coef = [1.0, -2.0, 0.5];
        for i in 0..2 {
            for j in 0..3 {
                let want = coef[j] * (x[[i, j]] - mean[j]);
                assert!((r.values[i * 3 + j].0 - want).abs() < 1e-12, "{i} {j}");
            }
        }
        assert!(r.additivity_residual.iter().all(|v| v.0.abs() < 1e-12));
        // Row 1's third feature equals every background value: exactly zero, no rows spent.
        assert_eq!(r.values[5].0, 0.0);
    }

    #[test]
    fn too_many_features_names_the_limit_and_alternatives() {
        let m = LinearModel::new(Array2::ones((1, 5)), array![0.0], Link::Identity).unwrap();
        let bg = Array2::zeros((2, 5));
        let x = Array2::ones((1, 5));
        let opts = ExactOptions {
            max_features: 4,
            ..ExactOptions::default()
        };
        let e = exact_shapley(&m, x.view(), bg.view(), &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("max_features=4") && e.contains("PermutationExplainer"),
            "{e}"
        );
    }

    #[test]
    fn coefficients_sum_to_one_over_sizes() {
        let m = 6;
        let c = shapley_coefficients(m);
        // Σ_s C(m-1, s) c[s] = 1
        let mut binom = 1.0;
        let mut total = 0.0;
        for (s, cs) in c.iter().enumerate() {
            total += binom * cs;
            binom = binom * (m - 1 - s) as f64 / (s + 1) as f64;
        }
        assert!((total - 1.0).abs() < 1e-14);
    }
}
