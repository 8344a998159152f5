//! The closed-form minimal perturbation of a single-score linear model: the score `w·x + b` and
//! the step onto (and a relative overshoot past) its boundary.

use ndarray::{Array1, Array2, ArrayView2};

use crate::error::{Error, Result};
use crate::model::LinearModel;

use super::{sign, Norm};

/// The decision score `w·x + b` of a single-score model (label 1 iff score ≥ 0).
#[inline]
pub(super) fn binary_score(model: &LinearModel) -> Result<(Array1<f64>, f64)> {
    match model.coef.nrows() {
        1 => Ok((model.coef.row(0).to_owned(), model.intercept.iter().sum())),
        k => Err(Error::invalid(
            "model",
            format!("expected a single score, found {k}"),
        )),
    }
}

/// The closed-form minimal perturbation of a single-score model (label 1 iff `s ≥ 0`).
#[inline]
pub(super) fn binary_minimal(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    norm: Norm,
    mutable: &[bool],
    overshoot: f64,
) -> Result<Array2<f64>> {
    let (w_full, b) = binary_score(model)?;
    let w: Array1<f64> = w_full
        .iter()
        .zip(mutable.iter())
        .map(|(v, m)| if *m { *v } else { 0.0 })
        .collect();
    let dual = match norm {
        Norm::L2 => w.iter().map(|v| v * v).sum::<f64>(),
        Norm::Linf => w.iter().map(|v| v.abs()).sum::<f64>(),
    };
    let mut x_adv = x.to_owned();
    if dual > 0.0 {
        for (mut row, x0) in x_adv.outer_iter_mut().zip(x.outer_iter()) {
            let s = w_full.dot(&x0) + b;
            let dir = match norm {
                Norm::L2 => w.clone(),
                Norm::Linf => w.mapv(sign),
            };
            // Exactly on the boundary at factor 1; `overshoot` moves just past it. From s == 0
            // (label 1), the smallest step of the overshoot's size crosses to label 0.
            let factor = -(s / dual) * (1.0 + overshoot);
            let nudge = if s == 0.0 {
                -overshoot.max(f64::EPSILON) / dual.sqrt()
            } else {
                0.0
            };
            row.scaled_add(factor + nudge, &dir);
        }
    }
    Ok(x_adv)
}
