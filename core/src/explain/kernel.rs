//! KernelSHAP (Lundberg & Lee 2017) under the interventional masker, with SHAP's sampling plan.
//!
//! Coalitions `S` of the row's `m` varying features get the Shapley kernel weight
//! `(m−1) / (C(m,|S|) |S| (m−|S|))`; the attributions solve the weighted least squares
//! `min Σ_S w_S (v(S) − v(∅) − Σ_{j∈S} φ_j)²` subject to `Σ_j φ_j = f(x) − v(∅)`, the constraint
//! eliminated by substituting the last feature (as SHAP does) and the rest solved by a
//! Householder QR of the weighted design (no normal equations).
//!
//! Sampling plan (SHAP's `KernelExplainer.explain`): subset sizes are visited from the
//! outside in (size `s` paired with `m−s`); every size whose expected number of draws covers
//! all its subsets is enumerated in full with its exact weight, and the remaining budget is
//! spent on paired random draws (a subset and its complement), duplicates adding weight. When
//! `nsamples ≥ 2^m − 2` every coalition is enumerated and the result is the exact Shapley
//! value, deterministic. Random draws come from `rng::seeded(random_state, row)`.
//!
//! Unlike SHAP 0.51 (`l1_reg="num_features(10)"`), no feature selection is applied: every
//! varying feature keeps its own attribution.

use std::collections::HashMap;
use std::ops::Range;

use ndarray::{Array2, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::masker::{
    check_inputs, push_masked, varying_count, MaskerOptions, RowDiff, Setup,
};
use crate::model::Model;
use crate::report::ExplanationReport;
use crate::rng;

/// Options of [`kernel_shapley`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KernelOptions {
    /// Coalitions evaluated per row; `None`: SHAP's `2m + 2048`. Capped at `2^m − 2`.
    pub nsamples: Option<usize>,
    /// Seed of the sampled coalitions.
    pub random_state: u32,
    /// Background handling and batching.
    pub masker: MaskerOptions,
}

#[derive(Debug)]
struct RowPlan {
    row: usize,
    varying: Vec<usize>,
    /// Background rows × varying positions: does the background row differ there?
    differs: Vec<bool>,
    /// Coalitions (as `on` flags over varying positions) and their kernel weights.
    masks: Vec<Vec<bool>>,
    weights: Vec<f64>,
}

/// KernelSHAP values of `model` for the rows of `x` against `background`.
#[inline]
pub fn kernel_shapley<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
    options: &KernelOptions,
) -> Result<ExplanationReport> {
    check_inputs(model, x, background)?;
    if options.nsamples == Some(0) {
        return Err(Error::invalid(
            "nsamples",
            "expected a positive number of coalitions or None (auto), found 0",
        ));
    }
    let mut counts = Vec::new();
    let setup = Setup::new(model, x, background, &options.masker, |bg| {
        counts = (0..x.nrows())
            .map(|i| varying_count(x.row(i), bg))
            .collect();
        Ok(())
    })?;
    let n_bg = setup.background.nrows();
    let coalitions: Vec<usize> = counts
        .iter()
        .map(|m| planned(*m, options.nsamples))
        .collect();
    let costs: Vec<usize> = coalitions.iter().map(|c| c * n_bg).collect();
    let chunks = setup.chunks(&costs);
    let values = setup.map_chunks(&chunks, |rows| explain_rows(&setup, rows, options))?;
    let mut params = serde_json::Map::new();
    params.insert("nsamples".into(), options.nsamples.into());
    params.insert("random_state".into(), options.random_state.into());
    params.insert("l1_reg".into(), false.into());
    params.insert(
        "max_coalitions_per_row".into(),
        coalitions.iter().max().copied().unwrap_or(0).into(),
    );
    Ok(setup.report("kernel", values, params))
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Coalitions planned for a row with `m` varying features (at most; duplicates drawn in the
/// sampling phase add weight instead).
#[inline]
fn planned(m: usize, nsamples: Option<usize>) -> usize {
    let n = nsamples.unwrap_or(2 * m + 2048);
    match m {
        0 | 1 => 0,
        m if m <= 30 => n.min((1usize << m) - 2),
        _ => n,
    }
}

/// Kernel values of `rows` (rows × features × outputs, row-major).
#[inline]
fn explain_rows<M: Model + ?Sized>(
    setup: &Setup<'_, M>,
    rows: Range<usize>,
    options: &KernelOptions,
) -> Result<Vec<f64>> {
    let (x, bg) = (setup.x, setup.background.view());
    let (n_bg, m_all, k) = (bg.nrows(), setup.n_features(), setup.n_outputs());
    let plans: Vec<RowPlan> = rows
        .clone()
        .map(|i| plan_row(i, RowDiff::new(x.row(i), bg), n_bg, options))
        .collect();
    let mut values = vec![0.0; rows.len() * m_all * k];
    let mut ey = Array2::<f64>::zeros((0, k));
    let mut on = vec![false; m_all];
    let units = plans
        .iter()
        .flat_map(|p| (0..p.masks.len()).map(move |s| (p, s)));
    setup.run(
        units,
        |(plan, s), buf| {
            let Some(mask) = plan.masks.get(*s) else {
                return 0;
            };
            on.iter_mut().for_each(|o| *o = false);
            for (p, j) in plan.varying.iter().enumerate() {
                if mask.get(p).copied().unwrap_or(false) {
                    if let Some(o) = on.get_mut(*j) {
                        *o = true;
                    }
                }
            }
            let xr = x.row(plan.row);
            let mut added = 0;
            for r in 0..n_bg {
                if classify(plan, mask, r) == Masked::Evaluate {
                    push_masked(buf, xr, bg.row(r), &on);
                    added += 1;
                }
            }
            added
        },
        |(plan, s), out| {
            let Some(mask) = plan.masks.get(*s) else {
                return Ok(());
            };
            if *s == 0 {
                ey = Array2::zeros((plan.masks.len(), k));
            }
            let fx = setup.f_x.row(plan.row);
            let mut sum = vec![0.0; k];
            let mut next = 0;
            for r in 0..n_bg {
                let src = match classify(plan, mask, r) {
                    Masked::Background => setup.f_background.row(r),
                    Masked::Row => fx,
                    Masked::Evaluate => {
                        next += 1;
                        out.row(next - 1)
                    }
                };
                sum.iter_mut().zip(src.iter()).for_each(|(a, v)| *a += v);
            }
            ey.row_mut(*s)
                .iter_mut()
                .zip(&sum)
                .for_each(|(e, v)| *e = v / n_bg as f64);
            if *s + 1 == plan.masks.len() {
                let phi = solve(plan, &ey, setup, k)?;
                for (p, j) in plan.varying.iter().enumerate() {
                    let at = ((plan.row - rows.start) * m_all + j) * k;
                    if let (Some(d), Some(src)) =
                        (values.get_mut(at..at + k), phi.get(p * k..p * k + k))
                    {
                        d.copy_from_slice(src);
                    }
                }
            }
            Ok(())
        },
    )?;
    // Rows with one varying feature need no coalitions: it takes the whole difference.
    for plan in plans.iter().filter(|p| p.varying.len() == 1) {
        if let Some(j) = plan.varying.first() {
            let at = ((plan.row - rows.start) * m_all + j) * k;
            let fx = setup.f_x.row(plan.row);
            if let Some(d) = values.get_mut(at..at + k) {
                for ((d, f), b) in d.iter_mut().zip(fx.iter()).zip(setup.base.iter()) {
                    *d = f - b;
                }
            }
        }
    }
    Ok(values)
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Masked {
    /// The masked row equals the background row (known output `f(b_r)`).
    Background,
    /// The masked row equals `x` (known output `f(x)`).
    Row,
    /// Anything else: evaluate.
    Evaluate,
}

#[inline]
fn classify(plan: &RowPlan, mask: &[bool], r: usize) -> Masked {
    let m = plan.varying.len();
    let d = plan.differs.get(r * m..r * m + m).unwrap_or(&[]);
    let (mut any_in, mut any_out) = (false, false);
    for (on, diff) in mask.iter().zip(d) {
        if *diff {
            if *on {
                any_in = true;
            } else {
                any_out = true;
            }
        }
    }
    match (any_in, any_out) {
        (false, _) => Masked::Background,
        (true, false) => Masked::Row,
        (true, true) => Masked::Evaluate,
    }
}

#[inline]
fn plan_row(row: usize, diff: RowDiff, n_bg: usize, options: &KernelOptions) -> RowPlan {
    let m = diff.varying.len();
    let mut differs = vec![false; n_bg * m];
    for (p, j) in diff.varying.iter().enumerate() {
        for r in diff.rows_by_feature.get(*j).into_iter().flatten() {
            if let Some(d) = differs.get_mut(*r as usize * m + p) {
                *d = true;
            }
        }
    }
    let (masks, weights) = if m < 2 {
        (Vec::new(), Vec::new())
    } else {
        sample_coalitions(m, options.nsamples, options.random_state, row as u64)
    };
    RowPlan {
        row,
        varying: diff.varying,
        differs,
        masks,
        weights,
    }
}

#[inline]
fn binom(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |b, i| b * (n - i) as f64 / (i + 1) as f64)
}

/// SHAP's coalition plan for `m ≥ 2` varying features: (masks, kernel weights).
#[inline]
fn sample_coalitions(
    m: usize,
    nsamples: Option<usize>,
    seed: u32,
    stream: u64,
) -> (Vec<Vec<bool>>, Vec<f64>) {
    let mut nsamples = nsamples.unwrap_or(2 * m + 2048);
    if m <= 30 {
        nsamples = nsamples.min((1usize << m) - 2);
    }
    let n_sizes = m / 2; // ceil((m-1)/2)
    let n_paired = (m - 1) / 2; // floor((m-1)/2)
    let mut weight: Vec<f64> = (1..=n_sizes)
        .map(|s| (m as f64 - 1.0) / (s as f64 * (m - s) as f64))
        .collect();
    weight.iter_mut().take(n_paired).for_each(|w| *w *= 2.0);
    let total: f64 = weight.iter().sum();
    weight.iter_mut().for_each(|w| *w /= total);

    let (mut masks, mut weights) = (Vec::new(), Vec::new());
    let mut full_sizes = 0;
    let mut left = nsamples as f64;
    let mut remaining = weight.clone();
    for size in 1..=n_sizes {
        let paired = size <= n_paired;
        let nsubsets = binom(m, size) * if paired { 2.0 } else { 1.0 };
        let rw = remaining.get(size - 1).copied().unwrap_or(0.0);
        if left * rw / nsubsets < 1.0 - 1e-8 {
            break;
        }
        full_sizes += 1;
        left -= nsubsets;
        if rw < 1.0 {
            remaining.iter_mut().for_each(|w| *w /= 1.0 - rw);
        }
        let mut w = weight.get(size - 1).copied().unwrap_or(0.0) / binom(m, size);
        if paired {
            w /= 2.0;
        }
        let mut comb: Vec<usize> = (0..size).collect();
        loop {
            let mask = mask_of(&comb, m);
            let complement: Vec<bool> = mask.iter().map(|b| !b).collect();
            masks.push(mask);
            weights.push(w);
            if paired {
                masks.push(complement);
                weights.push(w);
            }
            if !next_combination(&mut comb, m) {
                break;
            }
        }
    }

    let n_fixed = masks.len();
    let mut samples_left = nsamples.saturating_sub(n_fixed);
    if full_sizes != n_sizes && samples_left > 0 {
        let mut rem: Vec<f64> = weight.clone();
        rem.iter_mut().take(n_paired).for_each(|w| *w /= 2.0);
        let rem: Vec<f64> = rem.into_iter().skip(full_sizes).collect();
        let total: f64 = rem.iter().sum();
        let mut r = rng::seeded(seed, stream);
        let mut used: HashMap<Vec<bool>, usize> = HashMap::new();
        let mut perm: Vec<usize> = (0..m).collect();
        let mut draws = 4 * samples_left;
        while samples_left > 0 && draws > 0 {
            draws -= 1;
            let u = unit_uniform(&mut r) * total;
            let mut acc = 0.0;
            let mut ind = rem.len() - 1;
            for (i, w) in rem.iter().enumerate() {
                acc += w;
                if u < acc {
                    ind = i;
                    break;
                }
            }
            let size = ind + full_sizes + 1;
            for a in 0..size {
                let b = a + rng::below(&mut r, (m - a) as u64) as usize;
                perm.swap(a, b);
            }
            let mask = mask_of(perm.get(..size).unwrap_or(&[]), m);
            let seen = used.get(&mask).copied();
            match seen {
                None => {
                    used.insert(mask.clone(), masks.len());
                    samples_left -= 1;
                    masks.push(mask.clone());
                    weights.push(1.0);
                }
                Some(at) => {
                    if let Some(w) = weights.get_mut(at) {
                        *w += 1.0;
                    }
                }
            }
            if samples_left > 0 && size <= n_paired {
                let comp: Vec<bool> = mask.iter().map(|b| !b).collect();
                match seen {
                    None => {
                        samples_left -= 1;
                        masks.push(comp);
                        weights.push(1.0);
                    }
                    Some(at) => {
                        if let Some(w) = weights.get_mut(at + 1) {
                            *w += 1.0;
                        }
                    }
                }
            }
        }
        let weight_left: f64 = weight.iter().skip(full_sizes).sum();
        let drawn: f64 = weights.iter().skip(n_fixed).sum();
        if drawn > 0.0 {
            weights
                .iter_mut()
                .skip(n_fixed)
                .for_each(|w| *w *= weight_left / drawn);
        }
    }
    (masks, weights)
}

/// `on` flags of length `m` for the listed positions.
#[inline]
fn mask_of(positions: &[usize], m: usize) -> Vec<bool> {
    let mut mask = vec![false; m];
    for p in positions {
        if let Some(b) = mask.get_mut(*p) {
            *b = true;
        }
    }
    mask
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
fn unit_uniform(r: &mut impl Rng) -> f64 {
    (r.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Advance `comb` (ascending indices < n) to the next combination in lexicographic order.
#[inline]
fn next_combination(comb: &mut [usize], n: usize) -> bool {
    let k = comb.len();
    for i in (0..k).rev() {
        let limit = n - k + i;
        if comb.get(i).is_some_and(|c| *c < limit) {
            let start = comb.get(i).copied().unwrap_or(0) + 1;
            for (off, c) in comb.iter_mut().skip(i).enumerate() {
                *c = start + off;
            }
            return true;
        }
    }
    false
}

/// The constrained weighted least squares for one row: φ (m × k).
#[inline]
fn solve<M: Model + ?Sized>(
    plan: &RowPlan,
    ey: &Array2<f64>,
    setup: &Setup<'_, M>,
    k: usize,
) -> Result<Vec<f64>> {
    let m = plan.varying.len();
    let ns = plan.masks.len();
    let fx = setup.f_x.row(plan.row);
    let total: Vec<f64> = fx
        .iter()
        .zip(setup.base.iter())
        .map(|(f, b)| f - b)
        .collect();
    let mut a = Array2::<f64>::zeros((ns, m - 1));
    let mut b = Array2::<f64>::zeros((ns, k));
    for (s, (mask, w)) in plan.masks.iter().zip(&plan.weights).enumerate() {
        let sw = w.sqrt();
        let last = if mask.last().copied().unwrap_or(false) {
            1.0
        } else {
            0.0
        };
        for (p, on) in mask.iter().take(m - 1).enumerate() {
            if let Some(v) = a.get_mut((s, p)) {
                *v = sw * (if *on { 1.0 } else { 0.0 } - last);
            }
        }
        for o in 0..k {
            let e = ey.get((s, o)).copied().unwrap_or(0.0);
            let (t, base) = (
                total.get(o).copied().unwrap_or(0.0),
                setup.base.get(o).copied().unwrap_or(0.0),
            );
            if let Some(v) = b.get_mut((s, o)) {
                *v = sw * (e - base - last * t);
            }
        }
    }
    let beta = least_squares(a, b).ok_or_else(|| {
        Error::invalid(
            "nsamples",
            format!(
                "the KernelSHAP regression for row {} is singular: {ns} coalitions do not \
                 identify {m} features; raise nsamples (e.g. to 2*{m}+2048) or use \
                 ExactExplainer",
                plan.row
            ),
        )
    })?;
    let mut phi = vec![0.0; m * k];
    for o in 0..k {
        let mut sum = 0.0;
        for p in 0..m - 1 {
            let v = beta.get((p, o)).copied().unwrap_or(0.0);
            sum += v;
            if let Some(f) = phi.get_mut(p * k + o) {
                *f = v;
            }
        }
        if let Some(f) = phi.get_mut((m - 1) * k + o) {
            *f = total.get(o).copied().unwrap_or(0.0) - sum;
        }
    }
    Ok(phi)
}

/// Least squares `min ‖A β − B‖` by Householder QR; `None` if `A` is (numerically) rank
/// deficient.
#[inline]
fn least_squares(mut a: Array2<f64>, mut b: Array2<f64>) -> Option<Array2<f64>> {
    let (rows, cols) = a.dim();
    if rows < cols {
        return None;
    }
    let mut diag = vec![0.0; cols];
    for c in 0..cols {
        let norm = a
            .column(c)
            .iter()
            .skip(c)
            .map(|v| v * v)
            .sum::<f64>()
            .sqrt();
        if norm == 0.0 {
            return None;
        }
        let head = *a.get((c, c))?;
        let alpha = if head > 0.0 { -norm } else { norm };
        // v = a[c.., c] - alpha e_1, stored in place; then reflect the remaining columns and B.
        *a.get_mut((c, c))? = head - alpha;
        let vnorm2: f64 = a.column(c).iter().skip(c).map(|v| v * v).sum();
        let v: Vec<f64> = a.column(c).iter().skip(c).copied().collect();
        let reflect = |col: ndarray::ArrayViewMut1<'_, f64>| {
            let mut col = col;
            let dot: f64 = col.iter().skip(c).zip(&v).map(|(x, y)| x * y).sum();
            let f = 2.0 * dot / vnorm2;
            col.iter_mut()
                .skip(c)
                .zip(&v)
                .for_each(|(x, y)| *x -= f * y);
        };
        for j in c + 1..cols {
            reflect(a.column_mut(j));
        }
        for j in 0..b.ncols() {
            reflect(b.column_mut(j));
        }
        if let Some(d) = diag.get_mut(c) {
            *d = alpha;
        }
    }
    let scale = diag.iter().fold(0.0f64, |s, d| s.max(d.abs()));
    if diag.iter().any(|d| d.abs() <= scale * 1e-12) {
        return None;
    }
    // Back substitution with R (upper triangle of `a`, diagonal in `diag`).
    let mut x = Array2::<f64>::zeros((cols, b.ncols()));
    for o in 0..b.ncols() {
        for c in (0..cols).rev() {
            let mut s = *b.get((c, o))?;
            for j in c + 1..cols {
                s -= a.get((c, j))? * x.get((j, o))?;
            }
            *x.get_mut((c, o))? = s / diag.get(c)?;
        }
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::exact::{exact_shapley, ExactOptions};
    use crate::model::{LinearModel, Link};
    use ndarray::array;

    #[test]
    fn full_enumeration_equals_exact() {
        let m = LinearModel::new(
            array![[1.0, -2.0, 0.5, 0.3, 0.0], [0.2, 0.1, -1.0, 2.0, 1.0]],
            array![3.0, -1.0],
            Link::Softmax,
        )
        .unwrap();
        let bg = Array2::from_shape_fn((6, 5), |(i, j)| ((i * 7 + j * 3) % 5) as f64 * 0.5);
        let x = array![[1.0, 1.0, 5.0, 2.0, 0.0], [4.0, -1.0, 2.0, 0.0, 1.5]];
        let exact = exact_shapley(&m, x.view(), bg.view(), &ExactOptions::default()).unwrap();
        let opts = KernelOptions {
            nsamples: Some(1000),
            ..KernelOptions::default()
        };
        let kern = kernel_shapley(&m, x.view(), bg.view(), &opts).unwrap();
        for (a, b) in kern.values.iter().zip(&exact.values) {
            assert!((a.0 - b.0).abs() < 1e-12, "{} {}", a.0, b.0);
        }
    }

    #[test]
    fn sampled_plan_is_seeded_and_additive() {
        let coef = Array2::from_shape_fn((1, 12), |(_, j)| j as f64 - 5.0);
        let m = LinearModel::new(coef, array![0.0], Link::Identity).unwrap();
        let bg = Array2::from_shape_fn((4, 12), |(i, j)| ((i + j) % 3) as f64);
        let x = Array2::from_shape_fn((2, 12), |(i, j)| (i * j) as f64 * 0.1 + 5.0);
        let opts = KernelOptions {
            nsamples: Some(100),
            random_state: 3,
            ..KernelOptions::default()
        };
        let a = kernel_shapley(&m, x.view(), bg.view(), &opts).unwrap();
        let b = kernel_shapley(&m, x.view(), bg.view(), &opts).unwrap();
        assert_eq!(a, b);
        assert!(a.additivity_residual.iter().all(|v| v.0.abs() < 1e-9));
        // A linear model is recovered exactly even from samples.
        let exact = exact_shapley(
            &m,
            x.view(),
            bg.view(),
            &ExactOptions {
                max_features: 12,
                ..ExactOptions::default()
            },
        )
        .unwrap();
        for (p, q) in a.values.iter().zip(&exact.values) {
            assert!((p.0 - q.0).abs() < 1e-9);
        }
    }

    #[test]
    fn combinations_are_lexicographic() {
        let mut c = vec![0, 1];
        let mut all = vec![c.clone()];
        while next_combination(&mut c, 4) {
            all.push(c.clone());
        }
        assert_eq!(all.len(), 6);
        assert_eq!(all[5], vec![2, 3]);
    }
}
