//! White-box attacks on native linear and logistic models: FGSM and PGD on the cross-entropy
//! loss (analytic gradients, no model queries), and the exact minimal perturbation of a binary
//! linear classifier in closed form:
//! L2: `δ = −s · w / ‖w‖²` (norm `|s| / ‖w‖₂`); L∞: `δ = −s · sign(w) / ‖w‖₁` (norm
//! `|s| / ‖w‖₁`), with `s = w·x + b` and `w` restricted to the mutable columns.

mod closed_form;
mod gradient;
#[cfg(test)]
mod tests;

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::model::{check_features, LinearModel, Link};
use crate::report::robust::AttackReport;
use crate::report::{Num, SCHEMA_VERSION};
use crate::robust::constraints::Constraints;
use crate::robust::multiclass_minimal::{multiclass_boundary_distance, multiclass_minimal};
use crate::robust::{check_matrix, predict_batched};

use closed_form::{binary_minimal, binary_score};
use gradient::gradient_attack;

/// The norm of a perturbation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// Euclidean.
    #[default]
    L2,
    /// Largest absolute change.
    Linf,
}

impl Norm {
    /// Norm of a vector.
    #[inline]
    pub fn of(self, v: impl Iterator<Item = f64>) -> f64 {
        match self {
            Norm::L2 => v.map(|a| a * a).sum::<f64>().sqrt(),
            Norm::Linf => v.map(f64::abs).fold(0.0, f64::max),
        }
    }

    /// Name in reports.
    #[inline]
    pub fn name(self) -> &'static str {
        match self {
            Norm::L2 => "l2",
            Norm::Linf => "linf",
        }
    }
}

/// Options of [`fgsm`] and [`pgd`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradientOptions {
    /// Perturbation budget (> 0).
    pub eps: f64,
    /// Norm of the budget.
    pub norm: Norm,
    /// PGD iterations.
    pub max_iter: usize,
    /// PGD step size (`None`: `2.5 · eps / max_iter`).
    pub step_size: Option<f64>,
    /// PGD: start from a random point of the ball.
    pub random_init: bool,
    /// Seed of the random start.
    pub random_state: u32,
    /// Tabular constraints.
    pub constraints: Constraints,
}

impl Default for GradientOptions {
    fn default() -> Self {
        GradientOptions {
            eps: 0.1,
            norm: Norm::L2,
            max_iter: 40,
            step_size: None,
            random_init: false,
            random_state: 0,
            constraints: Constraints::default(),
        }
    }
}

/// The sign of `v`: −1, 0 or 1 (`f64::signum` gives 1 for +0, which would move a column the
/// gradient or the mask leaves at zero).
#[inline]
pub fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Class labels from raw scores: arg-max, or `s >= 0` for a single score.
#[inline]
fn score_labels(scores: &Array2<f64>) -> Vec<usize> {
    scores
        .outer_iter()
        .map(|row| {
            if row.len() == 1 {
                usize::from(row.iter().all(|s| *s >= 0.0))
            } else {
                let mut best = (0, f64::NEG_INFINITY);
                for (k, v) in row.iter().enumerate() {
                    if *v > best.1 {
                        best = (k, *v);
                    }
                }
                best.0
            }
        })
        .collect()
}

#[inline]
fn check_model(model: &LinearModel) -> Result<()> {
    if model.link == Link::Identity && model.coef.nrows() > 1 {
        return Err(Error::Unsupported(
            "model: a linear model with several raw scores and no link is not a classifier; \
             use link 'softmax' or a single score"
                .into(),
        ));
    }
    Ok(())
}

#[inline]
fn median(mut v: Vec<f64>) -> Num {
    if v.is_empty() {
        return Num(f64::NAN);
    }
    crate::math::sort_floats(&mut v);
    let m = v.len() / 2;
    let at = |i: usize| v.get(i).copied().unwrap_or(f64::NAN);
    Num(if v.len() % 2 == 1 {
        at(m)
    } else {
        0.5 * (at(m - 1) + at(m))
    })
}

/// Assemble a report from the adversarial rows and their labels.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn build_report(
    kind: &str,
    norm: Norm,
    x: ArrayView2<'_, f64>,
    x_adv: &Array2<f64>,
    attacked: Vec<bool>,
    original: Vec<usize>,
    adversarial: Vec<usize>,
    budgets: Vec<f64>,
    calls: u64,
    rows: u64,
    random_state: u32,
) -> AttackReport {
    let n = x.nrows();
    let mut success = Vec::with_capacity(n);
    let mut norms = Vec::with_capacity(n);
    let mut ok_norms = Vec::new();
    let mut rel = Vec::new();
    for i in 0..n {
        let s = attacked.get(i).copied().unwrap_or(false) && original.get(i) != adversarial.get(i);
        success.push(s);
        let d = norm.of(x_adv.row(i).iter().zip(x.row(i).iter()).map(|(a, b)| a - b));
        if s {
            ok_norms.push(d);
            let base = norm.of(x.row(i).iter().copied());
            rel.push(if base > 0.0 { d / base } else { f64::INFINITY });
            norms.push(Num(d));
        } else {
            norms.push(Num(f64::NAN));
        }
    }
    let n_attacked = attacked.iter().filter(|a| **a).count();
    #[allow(clippy::cast_precision_loss)]
    let frac = |a: usize, b: usize| {
        Num(if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        })
    };
    let robust_accuracy = budgets
        .iter()
        .map(|&b| {
            let kept = (0..n)
                .filter(|&i| {
                    attacked.get(i).copied().unwrap_or(false)
                        && !(success.get(i).copied().unwrap_or(false)
                            && norms.get(i).map_or(f64::NAN, |v| v.0) <= b * (1.0 + 1e-9))
                })
                .count();
            frac(kept, n)
        })
        .collect();
    AttackReport {
        schema_version: SCHEMA_VERSION,
        kind: kind.into(),
        norm: norm.name().into(),
        x_adv: x_adv.outer_iter().map(|r| r.to_vec()).collect(),
        success_rate: frac(success.iter().filter(|s| **s).count(), n_attacked),
        median_perturbation: median(ok_norms),
        median_relative_perturbation: median(rel),
        attacked,
        success,
        perturbation_norm: norms,
        original_label: original,
        adversarial_label: adversarial,
        budgets,
        robust_accuracy,
        model_calls: calls,
        rows_evaluated: rows,
        elapsed_seconds: None,
        random_state,
        target_label: None,
    }
}

#[inline]
fn check_common(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    constraints: &Constraints,
) -> Result<()> {
    check_matrix(x, "X")?;
    check_features(model, x, "X")?;
    check_model(model)?;
    constraints.check(x)
}

/// Labels of a batch through a counted prediction (what the model really says).
#[inline]
fn counted_labels(
    counted: &CountingModel<'_, LinearModel>,
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
) -> Result<Vec<usize>> {
    predict_batched(counted, x, 65_536)?;
    Ok(score_labels(&model.decision_function(x)))
}

/// Fast gradient (sign) method: one step of size `eps` along the loss gradient.
#[inline]
pub fn fgsm(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    y: Option<ArrayView1<'_, f64>>,
    options: &GradientOptions,
) -> Result<AttackReport> {
    gradient_attack("fgsm", model, x, y, options, 1)
}

/// Projected gradient descent (Madry et al.) within the `eps` ball and the constraints.
#[inline]
pub fn pgd(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    y: Option<ArrayView1<'_, f64>>,
    options: &GradientOptions,
) -> Result<AttackReport> {
    gradient_attack("pgd", model, x, y, options, options.max_iter)
}

/// The exact minimal perturbation that changes a linear model's label, in closed form (binary
/// above; several scores: the nearest competitor's boundary, see
/// [`crate::robust::multiclass_minimal`]); the adversarial row is pushed a relative `overshoot`
/// past the boundary. Only immutable
/// columns are honoured (bounds, integers and one-hot groups make it a combinatorial problem:
/// use [`pgd`] or HopSkipJump).
#[inline]
pub fn minimal_perturbation(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    norm: Norm,
    constraints: &Constraints,
    overshoot: f64,
) -> Result<AttackReport> {
    check_common(model, x, constraints)?;
    if !constraints
        .lower
        .iter()
        .chain(constraints.upper.iter())
        .all(Option::is_none)
        || !constraints.integer.is_empty()
        || !constraints.one_hot.is_empty()
    {
        return Err(Error::Unsupported(
            "constraints: the closed-form minimal perturbation honours only immutable columns; \
             use pgd or hop_skip_jump with bounds, integer or one-hot constraints"
                .into(),
        ));
    }
    if !(overshoot.is_finite() && overshoot >= 0.0) {
        return Err(Error::invalid(
            "overshoot",
            format!("expected a finite number >= 0, found {overshoot}"),
        ));
    }
    let mutable = constraints.mutable(x.ncols());
    let x_adv = if model.coef.nrows() >= 2 {
        multiclass_minimal(model, x, norm, &mutable, overshoot)
    } else {
        binary_minimal(model, x, norm, &mutable, overshoot)?
    };
    let counted = CountingModel::new(model);
    let original = counted_labels(&counted, model, x)?;
    let adversarial = counted_labels(&counted, model, x_adv.view())?;
    let budgets = vec![];
    Ok(build_report(
        "minimal_perturbation",
        norm,
        x,
        &x_adv,
        vec![true; x.nrows()],
        original,
        adversarial,
        budgets,
        counted.calls(),
        counted.rows(),
        0,
    ))
}

/// The exact minimal distance of each row to the decision boundary (`|s| / ‖w‖_dual`; for
/// several scores, to the nearest competitor's boundary).
#[inline]
pub fn boundary_distance(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    norm: Norm,
) -> Result<Vec<f64>> {
    if model.coef.nrows() >= 2 {
        let mutable = vec![true; model.coef.ncols()];
        return Ok(multiclass_boundary_distance(model, x, norm, &mutable));
    }
    let (w, b) = binary_score(model)?;
    let dual = match norm {
        Norm::L2 => Norm::L2.of(w.iter().copied()),
        Norm::Linf => w.iter().map(|v| v.abs()).sum::<f64>(),
    };
    Ok(x.dot(&w).iter().map(|s| (s + b).abs() / dual).collect())
}
