//! HopSkipJump (Chen, Jordan & Wainwright 2020): a decision-based attack that needs only the
//! model's labels. From an adversarial starting point it alternates a binary search to the
//! decision boundary, a Monte-Carlo estimate of the boundary's normal from the signs of
//! `B_t = init_eval·√(t+1)` queries around the boundary point, and a geometric step along
//! that estimate, in L2 or L∞. Tabular constraints are enforced on every query (immutable
//! columns never move, bounds clip, integers round, one-hot groups snap), so every reported
//! adversarial row was itself queried and respects them.
//!
//! Rows advance in lockstep, so each phase is one batched model call over all rows; the random
//! probe directions of an iteration are drawn once and shared by the rows ([`directions`]).
//! Starting points are the nearest rows of `X` the model labels differently (projected on the
//! constraints and checked), then uniform draws within the data's range.

mod geometry;
mod state;
#[cfg(test)]
mod tests;

use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::model::{check_features, Model};
use crate::report::robust::AttackReport;
use crate::rng::seeded;
use crate::robust::constraints::Constraints;
use crate::robust::hsj_probes::{build_probes, directions, weighted_offsets, ProbeRow, ProbeSpace};
use crate::robust::linear_attack::{build_report, sign, Norm};
use crate::robust::noise::check_budgets;
use crate::robust::{check_matrix, labels, predict_batched, uniform01};

use geometry::{clip, dist, stack, towards};
use state::State;

/// Rows of `X` scanned per attacked row for a starting point (the first ones the model labels
/// differently), so the start costs O(n · pool) distances, not O(n²).
pub const MAX_NEIGHBOUR_POOL: usize = 4096;

/// Options of [`hop_skip_jump`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HsjOptions {
    /// Norm of the perturbation.
    pub norm: Norm,
    /// Iterations (gradient estimate + step + binary search).
    pub max_iter: usize,
    /// Model queries allowed per row.
    pub max_queries: usize,
    /// Gradient-estimate queries at the first iteration (grows as `√(t+1)`).
    pub init_eval: usize,
    /// Largest gradient-estimate batch.
    pub max_eval: usize,
    /// Random starting points tried per row when no row of `X` serves.
    pub init_size: usize,
    /// Nearest differently-labelled rows of `X` tried as starting points.
    pub init_neighbours: usize,
    /// Seed.
    pub random_state: u32,
    /// Tabular constraints.
    pub constraints: Constraints,
    /// Label threshold of single-output models.
    pub threshold: f64,
    /// Budgets at which robust accuracy is reported.
    pub budgets: Vec<f64>,
    /// Rows per model call.
    pub batch_rows: usize,
    /// Targeted attack: the class index each row must reach (ART's `targeted=True` with `y`);
    /// `None` for the untargeted attack (any other label).
    pub y_target: Option<Vec<usize>>,
}

impl Default for HsjOptions {
    fn default() -> Self {
        HsjOptions {
            norm: Norm::L2,
            max_iter: 40,
            max_queries: 5000,
            init_eval: 100,
            max_eval: 10_000,
            init_size: 100,
            init_neighbours: 10,
            random_state: 0,
            constraints: Constraints::default(),
            threshold: 0.5,
            budgets: vec![],
            batch_rows: 65_536,
            y_target: None,
        }
    }
}

/// The HopSkipJump attack on the rows of `x`; `y` (class indices, optional) restricts the
/// attack to originally-correct rows. Untargeted, a row is adversarial when its label differs
/// from the original (or `y`); targeted (`options.y_target`), when it equals the row's target,
/// and rows already labelled with their target are not attacked.
#[inline]
pub fn hop_skip_jump<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    y: Option<ArrayView1<'_, f64>>,
    options: &HsjOptions,
) -> Result<AttackReport> {
    check_matrix(x, "X")?;
    check_features(model, x, "X")?;
    options.constraints.check(x)?;
    if !options.budgets.is_empty() {
        check_budgets(&options.budgets, "budgets")?;
    }
    for (name, v) in [
        ("max_iter", options.max_iter),
        ("max_queries", options.max_queries),
        ("init_eval", options.init_eval),
        ("max_eval", options.max_eval),
    ] {
        if v == 0 {
            return Err(Error::invalid(
                name,
                format!("expected a positive number, found {v}"),
            ));
        }
    }
    let (n, d) = x.dim();
    let norm = options.norm;
    let cons = &options.constraints;
    let mutable = cons.mutable(d);
    if !mutable.iter().any(|m| *m) {
        return Err(Error::invalid(
            "constraints",
            "every column is immutable: there is nothing the attack may change",
        ));
    }
    let counted = CountingModel::new(model);
    let base = predict_batched(&counted, x, options.batch_rows)?;
    let base_labels = labels(&base, options.threshold);
    let target: Vec<usize> = match y {
        None => base_labels.clone(),
        Some(y) => {
            if y.len() != n {
                return Err(Error::LengthMismatch {
                    argument: "y".into(),
                    expected: n,
                    found: y.len(),
                });
            }
            y.iter()
                .map(|&v| {
                    if v >= 0.0 && v.fract() == 0.0 && v < 1e9 {
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        Ok(v as usize)
                    } else {
                        Err(Error::invalid(
                            "y",
                            format!("expected class indices, found {v}"),
                        ))
                    }
                })
                .collect::<Result<_>>()?
        }
    };
    let attacked: Vec<bool> = (0..n)
        .map(|i| base_labels.get(i) == target.get(i))
        .collect();
    let (attacked, target, original) = match &options.y_target {
        None => (attacked, target.clone(), target),
        Some(goal) => {
            check_targets(goal, n, model.n_outputs().max(2))?;
            let attacked = (0..n)
                .map(|i| attacked.get(i) == Some(&true) && base_labels.get(i) != goal.get(i))
                .collect();
            (attacked, goal.clone(), base_labels.clone())
        }
    };
    let targeted = options.y_target.is_some();
    let mut st = State {
        counted,
        target: target.clone(),
        targeted,
        queries: vec![0; n],
        threshold: options.threshold,
        batch_rows: options.batch_rows,
    };
    // Data range per column (intersected with the bounds): clip box and random-start box.
    let lo: Vec<f64> = (0..d)
        .map(|j| {
            let m = x.column(j).iter().copied().fold(f64::INFINITY, f64::min);
            cons.lower.get(j).copied().flatten().map_or(m, |b| m.max(b))
        })
        .collect();
    let hi: Vec<f64> = (0..d)
        .map(|j| {
            let m = x
                .column(j)
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            cons.upper.get(j).copied().flatten().map_or(m, |b| m.min(b))
        })
        .collect();
    let range = lo
        .iter()
        .zip(hi.iter())
        .map(|(a, b)| b - a)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    #[allow(clippy::cast_precision_loss)]
    let df = d as f64;
    let theta = match norm {
        Norm::L2 => 0.01 / df.sqrt(),
        Norm::Linf => 0.01 / df,
    };
    let mut rng = seeded(options.random_state, 0);
    let space = ProbeSpace {
        norm,
        mutable: &mutable,
        lo: &lo,
        hi: &hi,
        constraints: cons,
        seed: options.random_state,
    };

    // Best verified adversarial point per row, its label and distance.
    let mut best: Vec<Option<(Array1<f64>, usize, f64)>> = vec![None; n];

    // 1. Starting points: nearest differently-labelled rows of X, then random draws.
    let active: Vec<usize> = (0..n).filter(|&i| attacked.get(i) == Some(&true)).collect();
    {
        let mut pts = Vec::new();
        let mut owners = Vec::new();
        for &i in &active {
            let x0 = x.row(i);
            let mut cand: Vec<(f64, usize)> = (0..n)
                .filter(|&k| (base_labels.get(k) == target.get(i)) == targeted)
                .take(MAX_NEIGHBOUR_POOL)
                .map(|k| (dist(norm, x.row(k), x0), k))
                .collect();
            cand.sort_by(|a, b| a.0.total_cmp(&b.0));
            for &(_, k) in cand.iter().take(options.init_neighbours) {
                let mut p = x.row(k).to_owned();
                cons.project(x0, p.view_mut());
                pts.push(p);
                owners.push(i);
            }
        }
        let res = st.query(&stack(&pts, d), &owners)?;
        for ((p, &i), (adv, lab)) in pts.into_iter().zip(owners.iter()).zip(res) {
            if adv {
                let dd = dist(norm, p.view(), x.row(i));
                let better = best
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_none_or(|b| dd < b.2);
                if better {
                    if let Some(slot) = best.get_mut(i) {
                        *slot = Some((p, lab, dd));
                    }
                }
            }
        }
    }
    let per_round = 20usize.min(options.init_size.max(1));
    let mut tried = 0;
    while tried < options.init_size {
        let missing: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&i| best.get(i).is_some_and(Option::is_none))
            .collect();
        if missing.is_empty() {
            break;
        }
        let mut pts = Vec::new();
        let mut owners = Vec::new();
        for &i in &missing {
            for _ in 0..per_round {
                let mut p: Array1<f64> = (0..d)
                    .map(|j| {
                        let (a, b) = (
                            lo.get(j).copied().unwrap_or(0.0),
                            hi.get(j).copied().unwrap_or(0.0),
                        );
                        a + (b - a) * uniform01(&mut rng)
                    })
                    .collect();
                cons.project(x.row(i), p.view_mut());
                pts.push(p);
                owners.push(i);
            }
        }
        let res = st.query(&stack(&pts, d), &owners)?;
        for ((p, &i), (adv, lab)) in pts.into_iter().zip(owners.iter()).zip(res) {
            if adv && best.get(i).is_some_and(Option::is_none) {
                let dd = dist(norm, p.view(), x.row(i));
                if let Some(slot) = best.get_mut(i) {
                    *slot = Some((p, lab, dd));
                }
            }
        }
        tried += per_round;
    }

    // Binary search from x0 toward each row's current point; updates `best`.
    let binary = |st: &mut State<'_, M>,
                  best: &mut Vec<Option<(Array1<f64>, usize, f64)>>,
                  rows: &[usize],
                  from: &[(Array1<f64>, usize)]|
     -> Result<Vec<(Array1<f64>, usize)>> {
        let mut lo_a = vec![0.0f64; rows.len()];
        let mut hi_a = vec![1.0f64; rows.len()];
        let mut at_hi: Vec<(Array1<f64>, usize)> = from.to_vec();
        loop {
            let open: Vec<usize> = (0..rows.len())
                .filter(|&k| {
                    hi_a.get(k).copied().unwrap_or(0.0) - lo_a.get(k).copied().unwrap_or(0.0)
                        > theta
                })
                .collect();
            if open.is_empty() {
                break;
            }
            let mut pts = Vec::with_capacity(open.len());
            let mut owners = Vec::with_capacity(open.len());
            for &k in &open {
                let (Some(&i), Some(f)) = (rows.get(k), from.get(k)) else {
                    continue;
                };
                let mid = 0.5
                    * (lo_a.get(k).copied().unwrap_or(0.0) + hi_a.get(k).copied().unwrap_or(1.0));
                pts.push(towards(norm, x.row(i), f.0.view(), mid, cons));
                owners.push(i);
            }
            let res = st.query(&stack(&pts, d), &owners)?;
            for ((&k, p), (adv, lab)) in open.iter().zip(pts).zip(res) {
                let mid = 0.5
                    * (lo_a.get(k).copied().unwrap_or(0.0) + hi_a.get(k).copied().unwrap_or(1.0));
                if adv {
                    if let Some(h) = hi_a.get_mut(k) {
                        *h = mid;
                    }
                    if let Some(slot) = at_hi.get_mut(k) {
                        *slot = (p, lab);
                    }
                } else if let Some(l) = lo_a.get_mut(k) {
                    *l = mid;
                }
            }
        }
        for (k, &i) in rows.iter().enumerate() {
            if let Some((p, lab)) = at_hi.get(k) {
                let dd = dist(norm, p.view(), x.row(i));
                let better = best
                    .get(i)
                    .and_then(Option::as_ref)
                    .is_none_or(|b| dd < b.2);
                if better {
                    if let Some(slot) = best.get_mut(i) {
                        *slot = Some((p.clone(), *lab, dd));
                    }
                }
            }
        }
        Ok(at_hi)
    };

    let mut rows: Vec<usize> = active
        .iter()
        .copied()
        .filter(|&i| best.get(i).is_some_and(Option::is_some))
        .collect();
    let start: Vec<(Array1<f64>, usize)> = rows
        .iter()
        .filter_map(|&i| {
            best.get(i)
                .and_then(Option::as_ref)
                .map(|b| (b.0.clone(), b.1))
        })
        .collect();
    let mut current = binary(&mut st, &mut best, &rows, &start)?;
    #[allow(clippy::cast_precision_loss)]
    let bs_steps = (1.0 / theta).log2().ceil() as usize + 1;

    for t in 0..options.max_iter {
        // Rows with budget left for a gradient estimate, a step search and a binary search.
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let want = ((options.init_eval as f64) * ((t + 1) as f64).sqrt()) as usize;
        let want = want.min(options.max_eval).max(1);
        let mut keep_rows = Vec::new();
        let mut keep_cur = Vec::new();
        let mut evals = Vec::new();
        for (&i, c) in rows.iter().zip(current.iter()) {
            let left = options
                .max_queries
                .saturating_sub(st.queries.get(i).copied().unwrap_or(usize::MAX));
            let m = want.min(left.saturating_sub(2 * bs_steps + 4));
            if m >= 2 {
                keep_rows.push(i);
                keep_cur.push(c.clone());
                evals.push(m);
            }
        }
        rows = keep_rows;
        current = keep_cur;
        if rows.is_empty() {
            break;
        }
        // 2. Gradient direction at each boundary point: all probes in one matrix, one call;
        // the random directions are drawn once per iteration and shared by the rows.
        let probe_rows: Vec<ProbeRow<'_>> = rows
            .iter()
            .zip(current.iter())
            .zip(evals.iter())
            .map(|((&i, c), &m)| {
                let x0 = x.row(i);
                let delta = if t == 0 {
                    0.1 * range
                } else {
                    0.01 * dist(norm, c.0.view(), x0).max(f64::MIN_POSITIVE)
                };
                ProbeRow {
                    x0,
                    center: c.0.view(),
                    m,
                    delta,
                }
            })
            .collect();
        let m_max = evals.iter().copied().max().unwrap_or(0);
        let us = directions(&space, m_max, d, 1 + ((t as u64) << 32));
        let pts = build_probes(&probe_rows, &space, &us, d);
        let owners: Vec<usize> = rows
            .iter()
            .zip(evals.iter())
            .flat_map(|(&i, &m)| std::iter::repeat_n(i, m))
            .collect();
        let res = st.query_owned(pts, &owners)?;
        let mut updates = Vec::with_capacity(rows.len());
        let mut r = 0usize;
        for (&m, row) in evals.iter().zip(probe_rows.iter()) {
            let signs = res.get(r..r + m).unwrap_or_default();
            r += m;
            let hits = signs.iter().filter(|q| q.0).count();
            #[allow(clippy::cast_precision_loss)]
            let mean_phi = (2.0 * hits as f64 - m as f64) / m.max(1) as f64;
            // Σ (φ_k − mean φ)·(p_k − c): the direction each probe really took (clip and
            // projection included), up to the factor 1/δ that the normalisation removes.
            let weights: Vec<f64> = signs
                .iter()
                .map(|q| {
                    let phi = if q.0 { 1.0 } else { -1.0 };
                    if mean_phi.abs() == 1.0 {
                        phi
                    } else {
                        phi - mean_phi
                    }
                })
                .collect();
            let g = weighted_offsets(row, &space, &us, &weights);
            let g = Array1::from(g);
            let upd = match norm {
                Norm::L2 => {
                    let gn = Norm::L2.of(g.iter().copied());
                    if gn > 0.0 {
                        g / gn
                    } else {
                        g
                    }
                }
                Norm::Linf => g.mapv(sign),
            };
            updates.push(upd);
        }
        // 3. Geometric step search: halve the step until the point is adversarial.
        #[allow(clippy::cast_precision_loss)]
        let sqrt_t = ((t + 1) as f64).sqrt();
        let mut eps: Vec<f64> = rows
            .iter()
            .zip(current.iter())
            .map(|(&i, c)| 2.0 * dist(norm, c.0.view(), x.row(i)) / sqrt_t)
            .collect();
        let mut stepped: Vec<Option<(Array1<f64>, usize)>> = vec![None; rows.len()];
        for _ in 0..25 {
            let open: Vec<usize> = (0..rows.len())
                .filter(|&k| stepped.get(k).is_some_and(Option::is_none))
                .collect();
            if open.is_empty() {
                break;
            }
            let mut pts = Vec::with_capacity(open.len());
            let mut owners = Vec::with_capacity(open.len());
            for &k in &open {
                let (Some(&i), Some(c), Some(u), Some(e)) =
                    (rows.get(k), current.get(k), updates.get(k), eps.get(k))
                else {
                    continue;
                };
                let x0 = x.row(i);
                let mut p = &c.0 + &(u * *e);
                for (j, v) in p.iter_mut().enumerate() {
                    *v = clip(*v, lo.get(j), hi.get(j), x0.get(j));
                }
                cons.project(x0, p.view_mut());
                pts.push(p);
                owners.push(i);
            }
            let res = st.query(&stack(&pts, d), &owners)?;
            for ((&k, p), (adv, lab)) in open.iter().zip(pts).zip(res) {
                if adv {
                    if let Some(s) = stepped.get_mut(k) {
                        *s = Some((p, lab));
                    }
                } else if let Some(e) = eps.get_mut(k) {
                    *e *= 0.5;
                }
            }
        }
        let from: Vec<(Array1<f64>, usize)> = stepped
            .into_iter()
            .zip(current.iter())
            .map(|(s, c)| s.unwrap_or_else(|| c.clone()))
            .collect();
        // 4. Back to the boundary.
        current = binary(&mut st, &mut best, &rows, &from)?;
    }

    let mut x_adv = x.to_owned();
    let mut adv_labels = base_labels.clone();
    for (i, b) in best.iter().enumerate() {
        if let Some((p, lab, _)) = b {
            x_adv.row_mut(i).assign(p);
            if let Some(l) = adv_labels.get_mut(i) {
                *l = *lab;
            }
        }
    }
    let budgets = options.budgets.clone();
    // Targeted, the adversarial label is the target wherever a point was found, so "label
    // changed" (over attacked rows, whose label was not the target) is "target reached".
    let mut report = build_report(
        "hop_skip_jump",
        norm,
        x,
        &x_adv,
        attacked,
        original,
        adv_labels,
        budgets,
        st.counted.calls(),
        st.counted.rows(),
        options.random_state,
    );
    report.target_label.clone_from(&options.y_target);
    Ok(report)
}

/// Check the targets of a targeted attack: one class index per row, below `n_classes`.
#[inline]
fn check_targets(goal: &[usize], n: usize, n_classes: usize) -> Result<()> {
    if goal.len() != n {
        return Err(Error::LengthMismatch {
            argument: "y_target".into(),
            expected: n,
            found: goal.len(),
        });
    }
    if let Some((i, c)) = goal.iter().enumerate().find(|(_, c)| **c >= n_classes) {
        return Err(Error::invalid(
            "y_target",
            format!(
                "expected class indices 0..{n_classes} (the model's outputs), found {c} at row \
                 {i}"
            ),
        ));
    }
    Ok(())
}
