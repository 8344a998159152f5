//! FGSM and PGD on the cross-entropy loss: the labels attacked, the analytic loss gradient, the
//! unit step in the chosen norm, the projection on the budget ball and the iteration itself.

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::math::sigmoid;
use crate::model::LinearModel;
use crate::report::robust::AttackReport;
use crate::rng::seeded;
use crate::robust::{standard_normal, uniform01};

use super::{
    build_report, check_common, counted_labels, score_labels, sign, GradientOptions, Norm,
};

/// The labels the attack moves away from: `y` (class indices) or the model's own labels.
#[inline]
fn targets(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    y: Option<ArrayView1<'_, f64>>,
) -> Result<Vec<usize>> {
    let n_classes = model.coef.nrows().max(2);
    match y {
        None => Ok(score_labels(&model.decision_function(x))),
        Some(y) => {
            if y.len() != x.nrows() {
                return Err(Error::LengthMismatch {
                    argument: "y".into(),
                    expected: x.nrows(),
                    found: y.len(),
                });
            }
            y.iter()
                .map(|&v| {
                    if v >= 0.0 && v.fract() == 0.0 && v < n_classes as f64 {
                        // Checked: a small non-negative integer.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        Ok(v as usize)
                    } else {
                        Err(Error::invalid(
                            "y",
                            format!("expected class indices 0..{n_classes}, found {v}"),
                        ))
                    }
                })
                .collect()
        }
    }
}

/// Gradient of the cross-entropy loss of class `label` with respect to the row.
#[inline]
fn loss_gradient(model: &LinearModel, x: ArrayView1<'_, f64>, label: usize) -> Array1<f64> {
    let s = model.coef.dot(&x) + &model.intercept;
    if model.coef.nrows() == 1 {
        let p = sigmoid(s.iter().sum());
        #[allow(clippy::cast_precision_loss)]
        let t = label as f64;
        return model.coef.row(0).mapv(|w| (p - t) * w);
    }
    let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = s.mapv(|v| crate::math::exp(v - max));
    let z = e.sum();
    let mut g = Array1::zeros(model.coef.ncols());
    for (k, (ek, w)) in e.iter().zip(model.coef.outer_iter()).enumerate() {
        let coef = ek / z - if k == label { 1.0 } else { 0.0 };
        g.scaled_add(coef, &w);
    }
    g
}

/// A step of unit norm along `g` (masked to mutable columns): `sign(g)` for L∞, `g/‖g‖` for L2.
#[inline]
fn unit_step(g: &Array1<f64>, norm: Norm, mutable: &[bool]) -> Array1<f64> {
    let masked: Array1<f64> = g
        .iter()
        .zip(mutable.iter())
        .map(|(v, m)| if *m { *v } else { 0.0 })
        .collect();
    match norm {
        Norm::Linf => masked.mapv(sign),
        Norm::L2 => {
            let n = Norm::L2.of(masked.iter().copied());
            if n > 0.0 {
                masked / n
            } else {
                masked
            }
        }
    }
}

/// Project `delta` onto the ball of radius `eps`.
#[inline]
fn clip_ball(delta: &mut Array1<f64>, eps: f64, norm: Norm) {
    match norm {
        Norm::Linf => delta.mapv_inplace(|v| v.clamp(-eps, eps)),
        Norm::L2 => {
            let n = Norm::L2.of(delta.iter().copied());
            if n > eps {
                delta.mapv_inplace(|v| v * eps / n);
            }
        }
    }
}

#[inline]
pub(super) fn gradient_attack(
    kind: &str,
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    y: Option<ArrayView1<'_, f64>>,
    options: &GradientOptions,
    iterations: usize,
) -> Result<AttackReport> {
    check_common(model, x, &options.constraints)?;
    if !(options.eps.is_finite() && options.eps > 0.0) {
        return Err(Error::invalid(
            "eps",
            format!("expected a finite budget > 0, found {}", options.eps),
        ));
    }
    if iterations == 0 {
        return Err(Error::invalid(
            "max_iter",
            "expected at least 1 iteration, found 0",
        ));
    }
    let eps = options.eps;
    #[allow(clippy::cast_precision_loss)]
    let step = options.step_size.unwrap_or(2.5 * eps / iterations as f64);
    if !(step.is_finite() && step > 0.0) {
        return Err(Error::invalid(
            "step_size",
            format!("expected a finite step > 0, found {step}"),
        ));
    }
    let (n, d) = x.dim();
    let labels = targets(model, x, y)?;
    let mutable = options.constraints.mutable(d);
    let mut rng = seeded(options.random_state, 0);
    let mut x_adv = x.to_owned();
    for (i, mut row) in x_adv.outer_iter_mut().enumerate() {
        let x0 = x.row(i);
        let label = labels.get(i).copied().unwrap_or(0);
        let mut delta = Array1::<f64>::zeros(d);
        if options.random_init && iterations > 1 {
            for (v, m) in delta.iter_mut().zip(mutable.iter()) {
                if *m {
                    *v = match options.norm {
                        Norm::Linf => eps * (2.0 * uniform01(&mut rng) - 1.0),
                        Norm::L2 => standard_normal(&mut rng),
                    };
                }
            }
            if options.norm == Norm::L2 {
                let nn = Norm::L2.of(delta.iter().copied());
                #[allow(clippy::cast_precision_loss)]
                let r = eps * libm::pow(uniform01(&mut rng), 1.0 / d as f64);
                if nn > 0.0 {
                    delta.mapv_inplace(|v| v * r / nn);
                }
            }
        }
        for _ in 0..iterations {
            let point = &x0 + &delta;
            let g = loss_gradient(model, point.view(), label);
            let s = if iterations == 1 { eps } else { step };
            delta.scaled_add(s, &unit_step(&g, options.norm, &mutable));
            clip_ball(&mut delta, eps, options.norm);
            let mut p = &x0 + &delta;
            options.constraints.project(x0, p.view_mut());
            delta = p - x0;
        }
        row.assign(&(&x0 + &delta));
    }
    let counted = CountingModel::new(model);
    let original = counted_labels(&counted, model, x)?;
    let adversarial = counted_labels(&counted, model, x_adv.view())?;
    let attacked = (0..n).map(|i| original.get(i) == labels.get(i)).collect();
    Ok(build_report(
        kind,
        options.norm,
        x,
        &x_adv,
        attacked,
        labels,
        adversarial,
        vec![eps],
        counted.calls(),
        counted.rows(),
        options.random_state,
    ))
}
