//! The constrained weighted least squares of one row (last feature substituted out), solved by
//! a Householder QR of the weighted design.

use ndarray::Array2;

use crate::error::{Error, Result};
use crate::explain::masker::Setup;
use crate::model::Model;

use super::RowPlan;

/// The constrained weighted least squares for one row: φ (m × k).
#[inline]
pub(super) fn solve<M: Model + ?Sized>(
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
pub(super) fn least_squares(mut a: Array2<f64>, mut b: Array2<f64>) -> Option<Array2<f64>> {
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
