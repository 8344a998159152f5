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

mod coalitions;
mod solve;
#[cfg(test)]
mod tests;

use std::ops::Range;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::masker::{
    check_inputs, push_masked, varying_count, MaskerOptions, RowDiff, Setup,
};
use crate::model::Model;
use crate::report::ExplanationReport;

use coalitions::sample_coalitions;
use solve::solve;

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
