//! Robustness probes: how a model's predictions move when its inputs do. Noise stability over
//! budgets and per feature, a counterfactual probe of the sensitive attributes, and (for native
//! linear models) gradient attacks with the exact minimal perturbation. Every probe is seeded,
//! calls the model in batches through [`CountingModel`] and reports its model calls.

pub mod constraints;
pub mod hop_skip_jump;
pub mod hsj_probes;
pub mod linear_attack;
pub mod multiclass_minimal;
pub mod noise;
pub mod sensitive_flip;
pub mod tree_attack;

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;

use crate::data::groups::Feature;
use crate::data::Column;
use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::fairness::{metric_frame, FrameInput, FrameOptions};
use crate::math::{cos, ln};
use crate::model::Model;
use crate::report::robust::GroupValues;
use crate::report::Num;

/// The predicted label of each row: the arg-max output for several outputs, `output >=
/// threshold` (as 0/1) for a single one.
pub fn labels(out: &Array2<f64>, threshold: f64) -> Vec<usize> {
    out.axis_iter(Axis(0))
        .map(|row| {
            if row.len() == 1 {
                usize::from(row.iter().all(|v| *v >= threshold))
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

/// Predict `x` in batches of at most `batch_rows` rows; an error names the failing query.
pub fn predict_batched<M: Model + ?Sized>(
    model: &CountingModel<'_, M>,
    x: ArrayView2<'_, f64>,
    batch_rows: usize,
) -> Result<Array2<f64>> {
    let batch = batch_rows.max(1);
    let mut out = Array2::zeros((x.nrows(), model.n_outputs()));
    let mut start = 0;
    while start < x.nrows() {
        let end = (start + batch).min(x.nrows());
        let call = model.calls() + 1;
        let pred = model
            .predict(x.slice(ndarray::s![start..end, ..]))
            .map_err(|e| query_failed(call, start, end, &e))?;
        out.slice_mut(ndarray::s![start..end, ..]).assign(&pred);
        start = end;
    }
    Ok(out)
}

/// The error of a model query that failed, naming the query.
pub fn query_failed(call: u64, start: usize, end: usize, e: &Error) -> Error {
    Error::invalid(
        "model",
        format!("model query {call} (a batch of rows {start}..{end}) failed: {e}"),
    )
}

/// A uniform draw in `[0, 1)` from 53 random bits.
pub fn uniform01(rng: &mut impl Rng) -> f64 {
    // 53 bits fit a f64 mantissa exactly.
    #[allow(clippy::cast_precision_loss)]
    let v = (rng.next_u64() >> 11) as f64;
    v * (1.0 / 9_007_199_254_740_992.0)
}

/// A standard normal draw (Box–Muller, one value per pair of uniforms; libm for portability).
pub fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u1 = 1.0 - uniform01(rng); // (0, 1]
    let u2 = uniform01(rng);
    (-2.0 * ln(u1)).sqrt() * cos(std::f64::consts::TAU * u2)
}

/// Two independent standard normal draws (Marsaglia's polar method: one log, no trigonometry).
pub fn normal_pair(rng: &mut impl Rng) -> (f64, f64) {
    loop {
        let u = 2.0 * uniform01(rng) - 1.0;
        let v = 2.0 * uniform01(rng) - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            let m = (-2.0 * ln(s) / s).sqrt();
            return (u * m, v * m);
        }
    }
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Population standard deviation of each column.
#[inline]
pub fn column_spread(x: ArrayView2<'_, f64>) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    let n = x.nrows().max(1) as f64;
    x.axis_iter(Axis(1))
        .map(|c| {
            let mean = c.sum() / n;
            (c.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
        })
        .collect()
}

/// Check `x`: at least one row and one column, finite.
pub fn check_matrix(x: ArrayView2<'_, f64>, argument: &str) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::invalid(
            argument,
            format!(
                "expected at least one row and one column, found shape ({}, {})",
                x.nrows(),
                x.ncols()
            ),
        ));
    }
    if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            argument: argument.into(),
            index: i / x.ncols(),
            value: *v,
        });
    }
    Ok(())
}

/// Per-row values averaged within each sensitive group, through the fairness engine
/// (`mean_prediction` of each named per-row quantity).
#[inline]
pub fn by_group(
    sensitive: &[Feature<'_>],
    quantities: &[(&str, &[f64])],
) -> Result<(Vec<GroupValues>, Vec<String>)> {
    let mut groups: Vec<GroupValues> = Vec::new();
    let mut warnings = Vec::new();
    for (name, values) in quantities {
        let zeros = ndarray::Array1::<f64>::zeros(values.len());
        let pred = ndarray::ArrayView1::from(*values);
        let input = FrameInput {
            y_true: Column::F64(zeros.view()),
            y_pred: Column::F64(pred),
            sample_weight: None,
            sensitive: sensitive
                .iter()
                .map(|f| Feature {
                    name: f.name.clone(),
                    codes: f.codes.view(),
                    levels: f.levels.clone(),
                })
                .collect(),
            control: vec![],
        };
        let options = FrameOptions {
            metrics: vec!["mean_prediction".into()],
            ..FrameOptions::default()
        };
        let frame = metric_frame(&input, &options, None)?;
        if groups.is_empty() {
            groups = frame
                .values
                .by_group
                .iter()
                .zip(frame.sizes.iter())
                .map(|(row, size)| GroupValues {
                    group: row.group.clone(),
                    rows: size.rows,
                    values: BTreeMap::new(),
                })
                .collect();
            warnings.clone_from(&frame.warnings);
        }
        for (g, row) in groups.iter_mut().zip(frame.values.by_group.iter()) {
            let v = row
                .values
                .get("mean_prediction")
                .copied()
                .unwrap_or(Num(f64::NAN));
            g.values.insert((*name).to_string(), v);
        }
    }
    Ok((groups, warnings))
}
