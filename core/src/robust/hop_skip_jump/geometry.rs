//! Point geometry of the attack: distances, the blend toward an adversarial point, the clip
//! to the data box and stacking points into one batch.

use ndarray::{Array1, Array2, ArrayView1};

use crate::robust::constraints::Constraints;
use crate::robust::linear_attack::Norm;

#[inline]
pub(super) fn dist(norm: Norm, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    norm.of(a.iter().zip(b.iter()).map(|(p, q)| p - q))
}

/// The point at fraction `alpha` from `x0` toward `adv`: a blend (L2) or a clip to the L∞
/// ball of `alpha · ‖adv − x0‖∞` (L∞), projected on the constraints.
#[inline]
pub(super) fn towards(
    norm: Norm,
    x0: ArrayView1<'_, f64>,
    adv: ArrayView1<'_, f64>,
    alpha: f64,
    c: &Constraints,
) -> Array1<f64> {
    let mut p = match norm {
        Norm::L2 => &x0 + &((&adv - &x0) * alpha),
        Norm::Linf => {
            let r = alpha * dist(Norm::Linf, adv, x0);
            adv.iter()
                .zip(x0.iter())
                .map(|(a, o)| a.clamp(o - r, o + r))
                .collect()
        }
    };
    c.project(x0, p.view_mut());
    p
}

/// Clip to the data box, widened to contain the original value.
#[inline]
pub(super) fn clip(v: f64, lo: Option<&f64>, hi: Option<&f64>, x0: Option<&f64>) -> f64 {
    let o = x0.copied().unwrap_or(v);
    let a = lo.copied().unwrap_or(v).min(o);
    let b = hi.copied().unwrap_or(v).max(o);
    v.clamp(a, b)
}

#[inline]
pub(super) fn stack(points: &[Array1<f64>], d: usize) -> Array2<f64> {
    let mut out = Array2::zeros((points.len(), d));
    for (mut row, p) in out.outer_iter_mut().zip(points.iter()) {
        row.assign(p);
    }
    out
}
