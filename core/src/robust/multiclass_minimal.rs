//! The exact minimal perturbation that changes the arg-max of a linear multi-class model
//! (scores `s_k = w_k·x + b_k`, label `c = argmax_k s_k`). The label leaves `c` exactly when
//! some competitor `k` reaches `s_k ≥ s_c`, so the set of adversarial points is the union over
//! `k ≠ c` of the half-spaces `(w_k − w_c)·δ ≥ m_k`, `m_k = s_c − s_k ≥ 0`. The distance to a
//! half-space is closed form, and the distance to a union is the smallest of them:
//! L2: `m_k / ‖w_k − w_c‖₂` along `w_k − w_c`; L∞: `m_k / ‖w_k − w_c‖₁` along
//! `sign(w_k − w_c)` (the L∞-dual norm is L1), with `w` restricted to the mutable columns.
//! (Making one given class `k` the arg-max instead is an LP over all classes; not done here.)

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::model::LinearModel;
use crate::robust::linear_attack::{sign, Norm};

/// The nearest competitor of one row: the margin `m_k ≥ 0` and the masked
/// direction `w_k − w_c`, with the dual norm of that direction.
struct Nearest {
    margin: f64,
    direction: Array1<f64>,
    dual: f64,
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// The arg-max (first of equal maxima), as the attacks label raw scores.
#[inline]
fn argmax(scores: ArrayView1<'_, f64>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (k, v) in scores.iter().enumerate() {
        if *v > best.1 {
            best = (k, *v);
        }
    }
    best.0
}

#[inline]
fn dual_norm(norm: Norm, v: &Array1<f64>) -> f64 {
    match norm {
        Norm::L2 => v.iter().map(|a| a * a).sum::<f64>().sqrt(),
        Norm::Linf => v.iter().map(|a| a.abs()).sum::<f64>(),
    }
}

/// The competitor reached by the smallest perturbation of `x0` (`None` when no competitor can
/// be reached through the mutable columns).
#[inline]
fn nearest(
    model: &LinearModel,
    x0: ArrayView1<'_, f64>,
    norm: Norm,
    mutable: &[bool],
) -> Option<Nearest> {
    let scores = model.coef.dot(&x0) + &model.intercept;
    let c = argmax(scores.view());
    let wc = model.coef.row(c);
    let sc = scores.get(c).copied().unwrap_or(f64::NAN);
    let mut best: Option<(f64, Nearest)> = None;
    for (k, wk) in model.coef.outer_iter().enumerate() {
        if k == c {
            continue;
        }
        let direction: Array1<f64> = wk
            .iter()
            .zip(wc.iter())
            .zip(mutable.iter())
            .map(|((a, b), m)| if *m { a - b } else { 0.0 })
            .collect();
        let dual = dual_norm(norm, &direction);
        if dual <= 0.0 {
            continue;
        }
        let margin = (sc - scores.get(k).copied().unwrap_or(f64::NAN)).max(0.0);
        let distance = margin / dual;
        if best.as_ref().is_none_or(|(d, _)| distance < *d) {
            best = Some((
                distance,
                Nearest {
                    margin,
                    direction,
                    dual,
                },
            ));
        }
    }
    best.map(|(_, n)| n)
}

/// The exact minimal distance of each row to a point the model labels differently (`+∞` where
/// the mutable columns cannot change the label).
#[inline]
pub fn multiclass_boundary_distance(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    norm: Norm,
    mutable: &[bool],
) -> Vec<f64> {
    x.outer_iter()
        .map(|x0| nearest(model, x0, norm, mutable).map_or(f64::INFINITY, |n| n.margin / n.dual))
        .collect()
}

/// Each row moved by the exact minimal perturbation onto the nearest competitor's boundary,
/// then a relative `overshoot` past it (from an exact tie, a step of the overshoot's size).
/// Rows that cannot change label stay put.
#[inline]
pub fn multiclass_minimal(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    norm: Norm,
    mutable: &[bool],
    overshoot: f64,
) -> Array2<f64> {
    let mut x_adv = x.to_owned();
    for (mut row, x0) in x_adv.outer_iter_mut().zip(x.outer_iter()) {
        let Some(n) = nearest(model, x0, norm, mutable) else {
            continue;
        };
        let dir = match norm {
            Norm::L2 => n.direction.clone(),
            Norm::Linf => n.direction.mapv(sign),
        };
        // `dir · direction` is ‖direction‖²₂ (L2) or ‖direction‖₁ (L∞): both equal `dual`
        // after the scaling below, so the step gains exactly `margin` on the competitor.
        let scale = match norm {
            Norm::L2 => n.dual * n.dual,
            Norm::Linf => n.dual,
        };
        let factor = if n.margin > 0.0 {
            n.margin / scale * (1.0 + overshoot)
        } else {
            // Already tied, and the first of equal scores (ours) wins: step just past the tie.
            overshoot.max(f64::EPSILON) / scale
        };
        row.scaled_add(factor, &dir);
    }
    x_adv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Link;
    use ndarray::array;

    #[test]
    fn reaches_the_nearest_competitor_exactly() {
        let m = LinearModel::new(
            array![[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]],
            array![0.0, 0.0, 0.0],
            Link::Softmax,
        )
        .unwrap();
        let x = array![[2.0, 0.5]];
        let mutable = [true, true];
        // Class 0 (score 2) vs class 1 (0.5): margin 1.5 over ‖(−1, 1)‖₂ = √2.
        let d = multiclass_boundary_distance(&m, x.view(), Norm::L2, &mutable);
        assert!((d[0] - 1.5 / 2f64.sqrt()).abs() < 1e-15);
        let d = multiclass_boundary_distance(&m, x.view(), Norm::Linf, &mutable);
        assert!((d[0] - 0.75).abs() < 1e-15);
        for norm in [Norm::L2, Norm::Linf] {
            let a = multiclass_minimal(&m, x.view(), norm, &mutable, 0.0);
            let s = m.decision_function(a.view());
            assert!((s[[0, 0]] - s[[0, 1]]).abs() < 1e-12);
            let a = multiclass_minimal(&m, x.view(), norm, &mutable, 1e-9);
            let s = m.decision_function(a.view());
            assert!(s[[0, 1]] > s[[0, 0]]);
        }
        // Only the second column may move: class 1 needs x2 ≥ 2.
        let d = multiclass_boundary_distance(&m, x.view(), Norm::L2, &[false, true]);
        assert!((d[0] - 1.5).abs() < 1e-15);
        assert!(
            multiclass_boundary_distance(&m, x.view(), Norm::L2, &[false, false])[0].is_infinite()
        );
    }
}
