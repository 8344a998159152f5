//! Noise stability: how often the predicted label flips, and how much the outputs move, when
//! every feature (or one feature at a time) gets random noise scaled by its spread.
//!
//! For budget `b`, a noisy copy of row `x` is `x_j + b · s_j · z_j`, with `s_j` the population
//! standard deviation of column `j` and `z_j` standard normal (`gaussian`) or uniform on
//! `[-1, 1]` (`uniform`). A constant column (`s_j = 0`) is never perturbed.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::data::groups::{Feature, FeatureLevels};
use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::model::{check_features, Model};
use crate::report::robust::{GroupValues, NoiseParams, NoiseStabilityReport};
use crate::report::{Num, SCHEMA_VERSION};
use crate::rng::seeded;
use crate::robust::{
    by_group, check_matrix, column_spread, labels, predict_batched, standard_normal, uniform01,
};

/// The noise distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Noise {
    /// Standard normal, times budget × spread.
    #[default]
    Gaussian,
    /// Uniform on `[-1, 1]`, times budget × spread.
    Uniform,
}

/// Options of [`noise_stability`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoiseOptions {
    /// Budgets, in units of each feature's spread (each > 0).
    pub budgets: Vec<f64>,
    /// Noise distribution.
    pub noise: Noise,
    /// Noisy copies of each row per budget.
    pub n_repeats: usize,
    /// Also perturb one feature at a time (per-feature sensitivity).
    pub per_feature: bool,
    /// Label threshold of single-output models (`output >= threshold` is label 1).
    pub threshold: f64,
    /// Seed.
    pub random_state: u32,
    /// Column names (empty: `x0`, `x1`, ...).
    pub feature_names: Vec<String>,
    /// Rows per model call.
    pub batch_rows: usize,
}

impl Default for NoiseOptions {
    fn default() -> Self {
        NoiseOptions {
            budgets: vec![0.01, 0.05, 0.1, 0.2],
            noise: Noise::Gaussian,
            n_repeats: 10,
            per_feature: true,
            threshold: 0.5,
            random_state: 0,
            feature_names: vec![],
            batch_rows: 65_536,
        }
    }
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Check a list of budgets: non-empty, each finite and > 0.
#[inline]
pub fn check_budgets(budgets: &[f64], argument: &str) -> Result<()> {
    if budgets.is_empty() {
        return Err(Error::invalid(
            argument,
            "expected at least one budget, found none",
        ));
    }
    if let Some(b) = budgets.iter().find(|b| !(b.is_finite() && **b > 0.0)) {
        return Err(Error::invalid(
            argument,
            format!("expected budgets that are finite and > 0, found {b}; pass e.g. [0.05, 0.1]"),
        ));
    }
    Ok(())
}

#[inline]
pub(crate) fn feature_names(names: &[String], d: usize) -> Result<Vec<String>> {
    if names.is_empty() {
        return Ok((0..d).map(|j| format!("x{j}")).collect());
    }
    if names.len() != d {
        return Err(Error::invalid(
            "feature_names",
            format!(
                "expected {d} names (one per column of X), found {}",
                names.len()
            ),
        ));
    }
    Ok(names.to_vec())
}

#[inline]
pub(crate) fn check_sensitive(sensitive: &[Feature<'_>], n: usize) -> Result<()> {
    for f in sensitive {
        if f.codes.len() != n {
            return Err(Error::LengthMismatch {
                argument: format!("sensitive_features column '{}'", f.name),
                expected: n,
                found: f.codes.len(),
            });
        }
    }
    Ok(())
}

/// Flip fraction and mean output change per row of `base` against `repeats` stacked noisy
/// copies (`noisy` is repeats·n × outputs, repeat-major).
#[inline]
fn per_row(
    base: &Array2<f64>,
    base_labels: &[usize],
    noisy: &Array2<f64>,
    repeats: usize,
    threshold: f64,
) -> (Vec<f64>, Vec<f64>) {
    let n = base.nrows();
    let k = base.ncols().max(1);
    let noisy_labels = labels(noisy, threshold);
    let mut flips = vec![0.0; n];
    let mut change = vec![0.0; n];
    for (r, row) in noisy.axis_iter(Axis(0)).enumerate() {
        let i = r % n;
        if noisy_labels.get(r) != base_labels.get(i) {
            if let Some(f) = flips.get_mut(i) {
                *f += 1.0;
            }
        }
        let d: f64 = row
            .iter()
            .zip(base.row(i).iter())
            .map(|(a, b)| (a - b).abs())
            .sum();
        #[allow(clippy::cast_precision_loss)]
        let per_output = d / k as f64;
        if let Some(c) = change.get_mut(i) {
            *c += per_output;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let reps = repeats.max(1) as f64;
    flips.iter_mut().for_each(|f| *f /= reps);
    change.iter_mut().for_each(|c| *c /= reps);
    (flips, change)
}

#[inline]
fn mean(v: &[f64]) -> Num {
    #[allow(clippy::cast_precision_loss)]
    let n = v.len() as f64;
    Num(if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / n
    })
}

/// Noise stability of `model` on `x`, by budget, per feature and by sensitive group.
#[inline]
pub fn noise_stability<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    sensitive: &[Feature<'_>],
    options: &NoiseOptions,
) -> Result<NoiseStabilityReport> {
    check_matrix(x, "X")?;
    check_features(model, x, "X")?;
    check_budgets(&options.budgets, "budgets")?;
    if options.n_repeats == 0 {
        return Err(Error::invalid(
            "n_repeats",
            "expected at least 1 noisy copy per row, found 0",
        ));
    }
    if !options.threshold.is_finite() {
        return Err(Error::invalid("threshold", "expected a finite number"));
    }
    let (n, d) = x.dim();
    let names = feature_names(&options.feature_names, d)?;
    check_sensitive(sensitive, n)?;
    let counted = CountingModel::new(model);
    let spread = column_spread(x);
    let base = predict_batched(&counted, x, options.batch_rows)?;
    let base_labels = labels(&base, options.threshold);
    let reps = options.n_repeats;

    // Noisy copies of x, repeat-major, perturbing the columns in `cols` (stream per call).
    let noisy = |budget: f64, cols: &[usize], stream: u64| -> Result<Array2<f64>> {
        let mut rng = seeded(options.random_state, stream);
        let mut xs = Array2::zeros((n * reps, d));
        for r in 0..reps {
            xs.slice_mut(ndarray::s![r * n..(r + 1) * n, ..]).assign(&x);
        }
        for mut row in xs.axis_iter_mut(Axis(0)) {
            for &j in cols {
                let z = match options.noise {
                    Noise::Gaussian => standard_normal(&mut rng),
                    Noise::Uniform => 2.0 * uniform01(&mut rng) - 1.0,
                };
                if let (Some(v), Some(s)) = (row.get_mut(j), spread.get(j)) {
                    *v += budget * s * z;
                }
            }
        }
        predict_batched(&counted, xs.view(), options.batch_rows)
    };

    let all: Vec<usize> = (0..d).collect();
    let mut flip_rate = Vec::new();
    let mut mean_change = Vec::new();
    let mut groups: Vec<Vec<GroupValues>> = Vec::new();
    let mut warnings = Vec::new();
    let streams = d as u64 + 1;
    for (b, &budget) in options.budgets.iter().enumerate() {
        let out = noisy(budget, &all, b as u64 * streams)?;
        let (flips, change) = per_row(&base, &base_labels, &out, reps, options.threshold);
        flip_rate.push(mean(&flips));
        mean_change.push(mean(&change));
        if !sensitive.is_empty() {
            let (g, w) = by_group(
                sensitive,
                &[("flip_rate", &flips), ("mean_output_change", &change)],
            )?;
            groups.push(g);
            if b == 0 {
                warnings.extend(w);
            }
        }
    }
    let mut feature_flip = Vec::new();
    let mut feature_change = Vec::new();
    if options.per_feature {
        for j in 0..d {
            let mut f_row = Vec::new();
            let mut c_row = Vec::new();
            for (b, &budget) in options.budgets.iter().enumerate() {
                let out = noisy(budget, &[j], b as u64 * streams + 1 + j as u64)?;
                let (flips, change) = per_row(&base, &base_labels, &out, reps, options.threshold);
                f_row.push(mean(&flips));
                c_row.push(mean(&change));
            }
            feature_flip.push(f_row);
            feature_change.push(c_row);
        }
    }
    for (name, s) in names.iter().zip(spread.iter()) {
        if *s == 0.0 {
            warnings.push(format!(
                "feature '{name}' is constant in X (spread 0): it is never perturbed"
            ));
        }
    }
    Ok(NoiseStabilityReport {
        schema_version: SCHEMA_VERSION,
        kind: "noise_stability".into(),
        feature_names: names,
        budgets: options.budgets.clone(),
        flip_rate,
        mean_output_change: mean_change,
        feature_flip_rate: feature_flip,
        feature_output_change: feature_change,
        sensitive: sensitive
            .iter()
            .map(|f| FeatureLevels {
                name: f.name.clone(),
                levels: f.levels.clone(),
            })
            .collect(),
        by_group: groups,
        warnings,
        model_calls: counted.calls(),
        rows_evaluated: counted.rows(),
        elapsed_seconds: None,
        params: NoiseParams {
            noise: match options.noise {
                Noise::Gaussian => "gaussian".into(),
                Noise::Uniform => "uniform".into(),
            },
            n_repeats: reps,
            random_state: options.random_state,
            threshold: options.threshold,
            spread,
            n_rows: n,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinearModel, Link};
    use ndarray::array;

    #[test]
    fn ignored_feature_has_zero_sensitivity_and_runs_are_deterministic() {
        let m = LinearModel::new(array![[1.0, 0.0]], array![-0.5], Link::Logistic).unwrap();
        let x = array![[0.0, 1.0], [0.4, 2.0], [0.6, 3.0], [1.0, 4.0]];
        let opts = NoiseOptions {
            budgets: vec![0.1, 0.5],
            ..NoiseOptions::default()
        };
        let a = noise_stability(&m, x.view(), &[], &opts).unwrap();
        let b = noise_stability(&m, x.view(), &[], &opts).unwrap();
        assert_eq!(a, b);
        assert!(a.feature_flip_rate[1].iter().all(|v| v.0 == 0.0));
        assert!(a.feature_output_change[1].iter().all(|v| v.0 == 0.0));
        assert!(a.feature_output_change[0][1].0 > 0.0);
        assert!(noise_stability(
            &m,
            x.view(),
            &[],
            &NoiseOptions {
                budgets: vec![0.0],
                ..NoiseOptions::default()
            }
        )
        .is_err());
    }
}
