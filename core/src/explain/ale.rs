//! Accumulated Local Effects (Apley & Zhu 2020, "Visualizing the effects of predictor
//! variables in black box supervised learning models", JRSS B 82(4)), first order.
//!
//! Definition, for feature `j` and each model output:
//! 1. Bin edges `z_0 < z_1 < … < z_K`: the distinct values of the quantiles of `x_j` at
//!    `k / K`, `k = 0..K` (numpy's default `linear` quantile), or edges the caller gives.
//! 2. Row `i` falls in bin `k ≥ 1` when `z_{k−1} < x_ij ≤ z_k`; rows at `z_0` go to bin 1;
//!    rows outside `[z_0, z_K]` (possible only with given edges) are left out and counted.
//! 3. Local effect of bin `k`: `Δ_k = (1/n_k) Σ_{i in bin k} [f(x_i with x_j = z_k) −
//!    f(x_i with x_j = z_{k−1})]`; an empty bin has `Δ_k = 0` and a warning.
//! 4. Uncentred effect at the edges: `g(z_0) = 0`, `g(z_k) = Σ_{l ≤ k} Δ_l`.
//! 5. Centring: `c = Σ_k n_k (g(z_{k−1}) + g(z_k)) / 2 / Σ_k n_k` — the count-weighted mean of
//!    the piecewise-linear curve's value over each bin (Apley's `ALEPlot` convention), and
//!    `ALE(z_k) = g(z_k) − c`, so the curve averages to zero over the data.
//!
//! For a linear model `f(x) = β·x + …`, `Δ_k = β_j (z_k − z_{k−1})`, hence `ALE(z) = β_j z − c`:
//! the centred line. All `2·Σ n_k` evaluations go to the model in large batches.

use ndarray::{s, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::counting::CountingModel;
use crate::explain::permutation_importance::check_x;
use crate::fairness::quantile::nanquantiles;
use crate::model::{check_features, Model};
use crate::report::dependence::{AleParams, AleReport};
use crate::report::{Num, SCHEMA_VERSION};

/// How the bins are made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AleBins {
    /// `K` quantile bins (fewer when quantiles coincide).
    Count(usize),
    /// Explicit increasing edges.
    Edges(Vec<f64>),
}

/// Options of [`accumulated_local_effects`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AleOptions {
    /// Column index of the feature.
    pub feature: usize,
    /// Bins (default 20 quantile bins).
    pub bins: AleBins,
    /// Model output columns to report (default: all).
    pub outputs: Option<Vec<usize>>,
    /// Column names of `X` (default `x0, x1, ...`).
    pub feature_names: Option<Vec<String>>,
    /// Most values (rows × columns) sent to the model in one call.
    pub max_batch_elements: usize,
}

impl Default for AleOptions {
    fn default() -> Self {
        AleOptions {
            feature: 0,
            bins: AleBins::Count(20),
            outputs: None,
            feature_names: None,
            max_batch_elements: 1 << 23,
        }
    }
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
#[inline]
fn edges_of(column: &[f64], bins: &AleBins) -> Result<Vec<f64>> {
    let edges = match bins {
        AleBins::Count(0) => {
            return Err(Error::invalid("bins", "expected at least 1 bin, found 0"));
        }
        AleBins::Count(k) => {
            #[allow(clippy::cast_precision_loss)]
            let qs: Vec<f64> = (0..=*k).map(|i| i as f64 / *k as f64).collect();
            let mut e = nanquantiles(&mut column.to_vec(), &qs);
            e.dedup();
            e
        }
        AleBins::Edges(e) => {
            if e.iter().any(|v| !v.is_finite()) || e.windows(2).any(|w| w.first() >= w.get(1)) {
                return Err(Error::invalid(
                    "bins",
                    "expected finite, strictly increasing edges",
                ));
            }
            e.clone()
        }
    };
    if edges.len() < 2 {
        return Err(Error::invalid(
            "feature",
            "the feature takes a single value, so it has no local effect; ALE needs at least \
             two distinct values",
        ));
    }
    Ok(edges)
}

/// First-order ALE of `options.feature`.
#[inline]
pub fn accumulated_local_effects<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    options: &AleOptions,
) -> Result<AleReport> {
    check_x(x, x.nrows())?;
    check_features(model, x, "X")?;
    let (n, p) = (x.nrows(), x.ncols());
    let j = options.feature;
    if j >= p {
        return Err(Error::invalid(
            "feature",
            format!("feature index {j} is out of range: X has {p} columns (0..{p})"),
        ));
    }
    let column = x.column(j).to_vec();
    let edges = edges_of(&column, &options.bins)?;
    let k_bins = edges.len() - 1;
    let (lo, hi) = (
        edges.first().copied().unwrap_or(0.0),
        edges.last().copied().unwrap_or(0.0),
    );
    // Bin of each row (1-based), or None outside [z_0, z_K].
    let bin_of: Vec<Option<usize>> = column
        .iter()
        .map(|v| (*v >= lo && *v <= hi).then(|| edges.partition_point(|z| z < v).max(1)))
        .collect();
    let rows: Vec<(usize, usize)> = bin_of
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.map(|b| (i, b)))
        .collect();
    let n_out = model.n_outputs();
    let outputs = options
        .outputs
        .clone()
        .unwrap_or_else(|| (0..n_out).collect());
    if let Some(o) = outputs.iter().find(|o| **o >= n_out) {
        return Err(Error::invalid(
            "outputs",
            format!("output {o} is out of range: the model returns {n_out} outputs per row"),
        ));
    }
    let model = CountingModel::new(model);
    let mut sums = vec![0.0; outputs.len() * k_bins];
    let mut counts = vec![0u64; k_bins];
    let per_batch = (options.max_batch_elements / (2 * p).max(1)).max(1);
    for chunk in rows.chunks(per_batch) {
        let mut data = Array2::<f64>::zeros((2 * chunk.len(), p));
        for (r, (i, b)) in chunk.iter().enumerate() {
            let (upper, lower) = (edges.get(*b), edges.get(b - 1));
            for (row, value) in [(2 * r, upper), (2 * r + 1, lower)] {
                let mut dst = data.row_mut(row);
                dst.assign(&x.row(*i));
                if let (Some(d), Some(v)) = (dst.get_mut(j), value) {
                    *d = *v;
                }
            }
        }
        let out = model.predict(data.view())?;
        for (r, (_, b)) in chunk.iter().enumerate() {
            let pair = out.slice(s![2 * r..2 * r + 2, ..]);
            if let Some(c) = counts.get_mut(b - 1) {
                *c += 1;
            }
            for (k, o) in outputs.iter().enumerate() {
                let d = pair.get((0, *o)).copied().unwrap_or(f64::NAN)
                    - pair.get((1, *o)).copied().unwrap_or(f64::NAN);
                if let Some(s) = sums.get_mut(k * k_bins + b - 1) {
                    *s += d;
                }
            }
        }
    }
    let mut warnings = Vec::new();
    let empty: Vec<String> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == 0)
        .map(|(b, _)| {
            format!(
                "({}, {}]",
                edges.get(b).copied().unwrap_or(0.0),
                edges.get(b + 1).copied().unwrap_or(0.0)
            )
        })
        .collect();
    if !empty.is_empty() {
        warnings.push(format!(
            "{} bin(s) hold no row and are given no local effect: {}; use fewer bins",
            empty.len(),
            empty.join(", ")
        ));
    }
    let mut local = Vec::with_capacity(sums.len());
    let mut ale = Vec::with_capacity(outputs.len() * (k_bins + 1));
    let mut centring = Vec::with_capacity(outputs.len());
    #[allow(clippy::cast_precision_loss)]
    let total: f64 = counts.iter().sum::<u64>() as f64;
    for k in 0..outputs.len() {
        let mut g = vec![0.0; k_bins + 1];
        for b in 0..k_bins {
            let c = counts.get(b).copied().unwrap_or(0);
            #[allow(clippy::cast_precision_loss)]
            let delta = if c == 0 {
                0.0
            } else {
                sums.get(k * k_bins + b).copied().unwrap_or(0.0) / c as f64
            };
            local.push(Num(delta));
            let prev = g.get(b).copied().unwrap_or(0.0);
            if let Some(next) = g.get_mut(b + 1) {
                *next = prev + delta;
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let c: f64 = g
            .windows(2)
            .zip(&counts)
            .map(|(w, n)| *n as f64 * (w.iter().sum::<f64>() / 2.0))
            .sum::<f64>()
            / total;
        centring.push(Num(c));
        ale.extend(g.iter().map(|v| Num(v - c)));
    }
    let name = match &options.feature_names {
        Some(v) if v.len() != p => {
            return Err(Error::invalid(
                "feature_names",
                format!(
                    "expected {p} names (one per column of X), found {}",
                    v.len()
                ),
            ))
        }
        Some(v) => v.get(j).cloned().unwrap_or_default(),
        None => format!("x{j}"),
    };
    Ok(AleReport {
        schema_version: SCHEMA_VERSION,
        kind: "accumulated_local_effects".into(),
        feature: j,
        feature_name: name,
        edges,
        counts,
        outputs,
        local_effects: local,
        ale,
        centring,
        rows_outside: (n - rows.len()) as u64,
        warnings,
        model_calls: model.calls(),
        rows_evaluated: model.rows(),
        params: AleParams {
            bins: match options.bins {
                AleBins::Count(k) => Some(k),
                AleBins::Edges(_) => None,
            },
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
    fn linear_model_ale_is_the_centred_line() {
        let x = Array2::from_shape_fn((50, 2), |(i, j)| ((i * 37 + j * 11) % 23) as f64 * 0.3);
        let m = LinearModel::new(array![[1.5, -2.0]], array![3.0], Link::Identity).unwrap();
        let r = accumulated_local_effects(
            &m,
            x.view(),
            &AleOptions {
                feature: 0,
                bins: AleBins::Count(5),
                ..Default::default()
            },
        )
        .unwrap();
        let c0 = r.ale[0].0 - 1.5 * r.edges[0];
        for (z, a) in r.edges.iter().zip(&r.ale) {
            assert!((a.0 - (1.5 * z + c0)).abs() < 1e-12);
        }
        // Centred: the count-weighted mean over bins of the bin-average value is zero.
        let mean: f64 = r
            .counts
            .iter()
            .enumerate()
            .map(|(b, n)| *n as f64 * (r.ale[b].0 + r.ale[b + 1].0) / 2.0)
            .sum::<f64>();
        assert!(mean.abs() < 1e-10);
        assert_eq!(r.counts.iter().sum::<u64>(), 50);
        assert_eq!(r.model_calls, 1);
        assert_eq!(r.rows_evaluated, 100);
    }

    #[test]
    fn constant_feature_and_bad_edges_are_errors() {
        let x = Array2::from_shape_fn((10, 2), |(i, j)| if j == 0 { 1.0 } else { i as f64 });
        let m = LinearModel::new(array![[1.0, 1.0]], array![0.0], Link::Identity).unwrap();
        assert!(accumulated_local_effects(&m, x.view(), &AleOptions::default()).is_err());
        let o = AleOptions {
            feature: 1,
            bins: AleBins::Edges(vec![3.0, 1.0]),
            ..Default::default()
        };
        assert!(accumulated_local_effects(&m, x.view(), &o).is_err());
        let o = AleOptions {
            feature: 1,
            bins: AleBins::Edges(vec![2.0, 5.0, 7.5]),
            ..Default::default()
        };
        let r = accumulated_local_effects(&m, x.view(), &o).unwrap();
        assert_eq!(r.rows_outside, 10 - 6);
        assert_eq!(r.counts, vec![4, 2]);
    }
}
