//! Counterfactual probe of the sensitive attributes: each row's sensitive column(s) are set to
//! every other observed value (combination) while all other features stay put, and the probe
//! reports how often the predicted label changes and how much the outputs move, by the rows'
//! original group (through the fairness engine).

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::data::groups::{Feature, FeatureLevels};
use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::model::{check_features, Model};
use crate::report::robust::SensitiveFlipReport;
use crate::report::{Num, SCHEMA_VERSION};
use crate::robust::noise::feature_names;
use crate::robust::{by_group, check_matrix, labels, predict_batched};

/// Largest number of value combinations probed.
pub const MAX_COMBINATIONS: usize = 4096;

/// Options of [`sensitive_flip`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlipOptions {
    /// Indices of the sensitive columns of `X`.
    pub sensitive_indices: Vec<usize>,
    /// Label threshold of single-output models.
    pub threshold: f64,
    /// Column names (empty: `x0`, `x1`, ...).
    pub feature_names: Vec<String>,
    /// Rows per model call.
    pub batch_rows: usize,
}

impl Default for FlipOptions {
    fn default() -> Self {
        FlipOptions {
            sensitive_indices: vec![],
            threshold: 0.5,
            feature_names: vec![],
            batch_rows: 65_536,
        }
    }
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// A value as a level label, written as JavaScript's `String(v)` writes it.
#[inline]
fn label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        // Exact: an integral value below 2^53.
        #[allow(clippy::cast_possible_truncation)]
        let i = v as i64;
        format!("{i}")
    } else {
        format!("{v}")
    }
}

/// Sorted distinct values of a column.
#[inline]
fn distinct(col: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = col.collect();
    crate::math::sort_floats(&mut v);
    v.dedup();
    v
}

/// The counterfactual sensitive-attribute probe.
#[inline]
pub fn sensitive_flip<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    options: &FlipOptions,
) -> Result<SensitiveFlipReport> {
    check_matrix(x, "X")?;
    check_features(model, x, "X")?;
    let (n, d) = x.dim();
    let names = feature_names(&options.feature_names, d)?;
    let idx = &options.sensitive_indices;
    if idx.is_empty() {
        return Err(Error::invalid(
            "sensitive_features",
            "expected at least one sensitive column of X, found none",
        ));
    }
    for (k, &j) in idx.iter().enumerate() {
        if j >= d {
            return Err(Error::invalid(
                "sensitive_features",
                format!("column index {j} is out of range: X has {d} columns"),
            ));
        }
        if idx.iter().take(k).any(|&o| o == j) {
            return Err(Error::invalid(
                "sensitive_features",
                format!("column {j} is listed twice"),
            ));
        }
    }
    let levels: Vec<Vec<f64>> = idx
        .iter()
        .map(|&j| distinct(x.column(j).iter().copied()))
        .collect();
    let n_combos = levels
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))
        .unwrap_or(usize::MAX);
    if n_combos > MAX_COMBINATIONS {
        return Err(Error::invalid(
            "sensitive_features",
            format!(
                "expected at most {MAX_COMBINATIONS} combinations of sensitive values, found \
                 {n_combos}; pass categorical columns (a continuous column has a value per row)"
            ),
        ));
    }
    if n_combos < 2 {
        return Err(Error::invalid(
            "sensitive_features",
            "expected the sensitive column(s) to take at least two values in X, found one",
        ));
    }
    // Mixed-radix combinations, first column most significant.
    let combos: Vec<Vec<f64>> = (0..n_combos)
        .map(|mut c| {
            let mut out = vec![0.0; levels.len()];
            for (slot, l) in out.iter_mut().zip(levels.iter()).rev() {
                let len = l.len().max(1);
                *slot = l.get(c % len).copied().unwrap_or(0.0);
                c /= len;
            }
            out
        })
        .collect();
    // Each row's own combination.
    let own: Vec<usize> = (0..n)
        .map(|i| {
            idx.iter().zip(levels.iter()).fold(0usize, |acc, (&j, l)| {
                let v = x.get([i, j]).copied().unwrap_or(f64::NAN);
                let code = l.binary_search_by(|p| p.total_cmp(&v)).unwrap_or(0);
                acc * l.len() + code
            })
        })
        .collect();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (0..n_combos).map(move |c| (i, c)))
        .filter(|(i, c)| own.get(*i) != Some(c))
        .collect();
    let mut xs = Array2::zeros((pairs.len(), d));
    for (r, &(i, c)) in pairs.iter().enumerate() {
        let mut row = xs.row_mut(r);
        row.assign(&x.row(i));
        if let Some(values) = combos.get(c) {
            for (&j, &v) in idx.iter().zip(values.iter()) {
                if let Some(slot) = row.get_mut(j) {
                    *slot = v;
                }
            }
        }
    }
    let counted = CountingModel::new(model);
    let base = predict_batched(&counted, x, options.batch_rows)?;
    let base_labels = labels(&base, options.threshold);
    let out = predict_batched(&counted, xs.view(), options.batch_rows)?;
    let out_labels = labels(&out, options.threshold);
    let k = base.ncols().max(1);

    let mut flipped = vec![false; n];
    let mut max_change = vec![0.0f64; n];
    let mut to_flips = vec![0u64; n_combos];
    let mut to_rows = vec![0u64; n_combos];
    let mut pair_flips = 0u64;
    for (r, &(i, c)) in pairs.iter().enumerate() {
        let flip = out_labels.get(r) != base_labels.get(i);
        #[allow(clippy::cast_precision_loss)]
        let change = out
            .row(r)
            .iter()
            .zip(base.row(i).iter())
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
            / k as f64;
        if let Some(m) = max_change.get_mut(i) {
            *m = m.max(change);
        }
        if flip {
            if let Some(f) = flipped.get_mut(i) {
                *f = true;
            }
            pair_flips += 1;
            if let Some(t) = to_flips.get_mut(c) {
                *t += 1;
            }
        }
        if let Some(t) = to_rows.get_mut(c) {
            *t += 1;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let frac = |a: u64, b: u64| {
        Num(if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        })
    };
    let flip_ind: Vec<f64> = flipped.iter().map(|f| f64::from(u8::from(*f))).collect();

    // Groups: the rows' original sensitive values, one feature per sensitive column.
    let codes: Vec<Array1<u32>> = idx
        .iter()
        .zip(levels.iter())
        .map(|(&j, l)| {
            x.column(j)
                .iter()
                .map(|v| {
                    let c = l.binary_search_by(|p| p.total_cmp(v)).unwrap_or(0);
                    u32::try_from(c).unwrap_or(u32::MAX)
                })
                .collect()
        })
        .collect();
    let features: Vec<Feature<'_>> = idx
        .iter()
        .zip(levels.iter())
        .zip(codes.iter())
        .map(|((&j, l), c)| Feature {
            name: names.get(j).cloned().unwrap_or_default(),
            codes: c.view(),
            levels: l.iter().map(|v| label(*v)).collect(),
        })
        .collect();
    let (groups, warnings) = by_group(
        &features,
        &[
            ("flip_rate", &flip_ind),
            ("mean_max_output_change", &max_change),
        ],
    )?;
    #[allow(clippy::cast_precision_loss)]
    let mean_max = Num(max_change.iter().sum::<f64>() / n as f64);
    Ok(SensitiveFlipReport {
        schema_version: SCHEMA_VERSION,
        kind: "sensitive_flip".into(),
        sensitive_columns: idx
            .iter()
            .map(|&j| names.get(j).cloned().unwrap_or_default())
            .collect(),
        sensitive_indices: idx.clone(),
        values: combos,
        flip_rate: frac(flipped.iter().filter(|f| **f).count() as u64, n as u64),
        counterfactual_flip_rate: frac(pair_flips, pairs.len() as u64),
        mean_max_output_change: mean_max,
        flipped,
        max_output_change: max_change,
        flip_rate_to: to_flips
            .iter()
            .zip(to_rows.iter())
            .map(|(a, b)| frac(*a, *b))
            .collect(),
        sensitive: features
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
        threshold: options.threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinearModel, Link};
    use ndarray::array;

    #[test]
    fn flips_exactly_where_the_sensitive_column_decides() {
        // score = x0 + 2·s − 1.5: s matters for rows with x0 in (−0.5, 1.5).
        let m = LinearModel::new(array![[1.0, 2.0]], array![-1.5], Link::Identity).unwrap();
        let x = array![[0.0, 0.0], [1.0, 1.0], [3.0, 0.0], [-3.0, 1.0]];
        let opts = FlipOptions {
            sensitive_indices: vec![1],
            threshold: 0.0,
            ..FlipOptions::default()
        };
        let r = sensitive_flip(&m, x.view(), &opts).unwrap();
        assert_eq!(r.flipped, vec![true, true, false, false]);
        assert_eq!(r.rows_evaluated, 8);
        let blind = LinearModel::new(array![[1.0, 0.0]], array![-1.5], Link::Identity).unwrap();
        let r = sensitive_flip(&blind, x.view(), &opts).unwrap();
        assert!(r.flipped.iter().all(|f| !f));
        assert_eq!(r.flip_rate.0, 0.0);
    }
}
