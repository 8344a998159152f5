//! The exact minimal perturbation of a single decision tree. Every leaf is a box of feature
//! values (the intersection of the split conditions on its path, in the model's own comparison
//! and float32 rounding); the nearest point of a box to `x` is `x` clipped into it, for any
//! Lp norm. The attack labels every leaf once (one batched query of a point inside each box),
//! then moves each row to the nearest box of a different label that its immutable columns and
//! the bounds allow, and checks every result with the model.

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::model::{check_features, Comparison, Tree, TreeEnsemble};
use crate::report::robust::AttackReport;
use crate::robust::constraints::Constraints;
use crate::robust::linear_attack::{build_report, Norm};
use crate::robust::{check_matrix, labels, predict_batched};

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// The next f64 above / below `v` (finite `v`).
#[inline]
fn next_f64(v: f64, up: bool) -> f64 {
    if v == 0.0 {
        let tiny = f64::from_bits(1);
        return if up { tiny } else { -tiny };
    }
    let bits = v.to_bits();
    let step_away = (v > 0.0) == up;
    f64::from_bits(if step_away { bits + 1 } else { bits - 1 })
}

/// The f32 nearest `t` on the requested side (`up`: smallest f32 ≥ t, else largest ≤ t).
#[allow(clippy::cast_possible_truncation)]
#[inline]
fn f32_side(t: f64, up: bool) -> f64 {
    let mut f = t as f32;
    if up && f64::from(f) < t {
        f = f32::from_bits(if f >= 0.0 {
            f.to_bits() + 1
        } else {
            f.to_bits() - 1
        });
        if f == 0.0 {
            f = 0.0;
        }
    } else if !up && f64::from(f) > t {
        f = f32::from_bits(if f > 0.0 {
            f.to_bits() - 1
        } else {
            f.to_bits() + 1
        });
    }
    f64::from(f)
}

/// Largest value that goes left at threshold `t`, and smallest that goes right.
#[inline]
fn sides(t: f64, comparison: Comparison, float32: bool) -> (f64, f64) {
    match (comparison, float32) {
        (Comparison::LessEqual, false) => (t, next_f64(t, true)),
        (Comparison::Less, false) => (next_f64(t, false), t),
        (Comparison::LessEqual, true) => {
            let left = f32_side(t, false);
            #[allow(clippy::cast_possible_truncation)]
            let right = f64::from(next_f32(left as f32));
            (left, right)
        }
        (Comparison::Less, true) => {
            let right = f32_side(t, true);
            #[allow(clippy::cast_possible_truncation)]
            let left = f64::from(prev_f32(right as f32));
            (left, right)
        }
    }
}

#[inline]
fn next_f32(f: f32) -> f32 {
    if f == 0.0 {
        return f32::from_bits(1);
    }
    f32::from_bits(if f > 0.0 {
        f.to_bits() + 1
    } else {
        f.to_bits() - 1
    })
}

#[inline]
fn prev_f32(f: f32) -> f32 {
    -next_f32(-f)
}

/// Each leaf's box `[lo, hi]` per feature (closed, in value space).
#[inline]
fn leaf_boxes(
    tree: &Tree,
    d: usize,
    comparison: Comparison,
    float32: bool,
) -> Vec<(usize, Vec<(f64, f64)>)> {
    let mut out = Vec::new();
    let mut stack = vec![(0usize, vec![(f64::NEG_INFINITY, f64::INFINITY); d])];
    let mut guard = 0;
    while let Some((node, b)) = stack.pop() {
        guard += 1;
        if guard > 2 * tree.n_nodes() + 2 {
            break;
        }
        if tree.is_leaf(node) {
            if b.iter().all(|(lo, hi)| lo <= hi) {
                out.push((node, b));
            }
            continue;
        }
        let f = tree.feature.get(node).copied().unwrap_or(0) as usize;
        let t = tree.threshold.get(node).copied().unwrap_or(f64::NAN);
        let (left_max, right_min) = sides(t, comparison, float32);
        let (l, r) = (
            tree.children_left.get(node).copied().unwrap_or(-1),
            tree.children_right.get(node).copied().unwrap_or(-1),
        );
        if let (Ok(l), Ok(r)) = (usize::try_from(l), usize::try_from(r)) {
            let mut bl = b.clone();
            if let Some(iv) = bl.get_mut(f) {
                iv.1 = iv.1.min(left_max);
            }
            let mut br = b;
            if let Some(iv) = br.get_mut(f) {
                iv.0 = iv.0.max(right_min);
            }
            stack.push((r, br));
            stack.push((l, bl));
        }
    }
    out
}

/// The exact minimal perturbation of a one-tree ensemble (e.g. a scikit-learn decision tree).
/// Honours immutable columns and bounds; integer and one-hot constraints are unsupported.
#[inline]
pub fn tree_minimal_perturbation(
    model: &TreeEnsemble,
    x: ArrayView2<'_, f64>,
    norm: Norm,
    constraints: &Constraints,
    threshold: f64,
) -> Result<AttackReport> {
    check_matrix(x, "X")?;
    check_features(model, x, "X")?;
    constraints.check(x)?;
    if model.trees.len() != 1 {
        return Err(Error::Unsupported(format!(
            "model: the exact tree attack needs a single tree, found {}; use hop_skip_jump",
            model.trees.len()
        )));
    }
    if !constraints.integer.is_empty() || !constraints.one_hot.is_empty() {
        return Err(Error::Unsupported(
            "constraints: the exact tree attack honours immutable columns and bounds; use \
             hop_skip_jump with integer or one-hot constraints"
                .into(),
        ));
    }
    let Some(tree) = model.trees.first() else {
        return Err(Error::invalid("model", "expected one tree, found none"));
    };
    let (n, d) = x.dim();
    let mut boxes = leaf_boxes(tree, d, model.comparison, model.float32_features);
    for (_, b) in &mut boxes {
        for (j, iv) in b.iter_mut().enumerate() {
            if let Some(lo) = constraints.lower.get(j).copied().flatten() {
                iv.0 = iv.0.max(lo);
            }
            if let Some(hi) = constraints.upper.get(j).copied().flatten() {
                iv.1 = iv.1.min(hi);
            }
        }
    }
    boxes.retain(|(_, b)| b.iter().all(|(lo, hi)| lo <= hi));
    let counted = CountingModel::new(model);
    // One point inside each box, labelled in one call.
    let mut reps = Array2::zeros((boxes.len(), d));
    for (mut row, (_, b)) in reps.outer_iter_mut().zip(boxes.iter()) {
        for (v, (lo, hi)) in row.iter_mut().zip(b.iter()) {
            *v = 0.0f64.clamp(*lo, *hi);
        }
    }
    let leaf_labels = labels(&predict_batched(&counted, reps.view(), 65_536)?, threshold);
    let base_labels = labels(&predict_batched(&counted, x, 65_536)?, threshold);
    let mutable = constraints.mutable(d);
    let mut x_adv = x.to_owned();
    for (i, mut row) in x_adv.outer_iter_mut().enumerate() {
        let x0 = x.row(i);
        let own = base_labels.get(i).copied();
        let mut best: Option<(f64, Vec<f64>)> = None;
        for ((_, b), lab) in boxes.iter().zip(leaf_labels.iter()) {
            if Some(*lab) == own {
                continue;
            }
            let p: Vec<f64> = x0
                .iter()
                .zip(b.iter())
                .map(|(v, (lo, hi))| v.clamp(*lo, *hi))
                .collect();
            let frozen_ok = p
                .iter()
                .zip(x0.iter())
                .zip(mutable.iter())
                .all(|((a, o), m)| *m || a == o);
            if !frozen_ok {
                continue;
            }
            let dist = norm.of(p.iter().zip(x0.iter()).map(|(a, o)| a - o));
            if best.as_ref().is_none_or(|(bd, _)| dist < *bd) {
                best = Some((dist, p));
            }
        }
        if let Some((_, p)) = best {
            for (v, q) in row.iter_mut().zip(p) {
                *v = q;
            }
        }
    }
    let adv_labels = labels(&predict_batched(&counted, x_adv.view(), 65_536)?, threshold);
    Ok(build_report(
        "tree_minimal_perturbation",
        norm,
        x,
        &x_adv,
        vec![true; n],
        base_labels,
        adv_labels,
        vec![],
        counted.calls(),
        counted.rows(),
        0,
    ))
}
