//! Partial dependence and ICE with scikit-learn's `method="brute"` semantics.
//!
//! Grid: per feature, its sorted distinct values when it is categorical or has fewer than
//! `grid_resolution` of them; otherwise `grid_resolution` evenly spaced points (numpy's
//! `linspace`) between its empirical percentiles `percentiles` (default 0.05 and 0.95),
//! computed as `scipy.stats.mstats.mquantiles` does (plotting positions α = β = 0.4). Several
//! features give the cartesian product of their axes, the first feature varying slowest.
//!
//! For each grid point `v`, every row of `X` gets the features set to `v` and the model is
//! evaluated: the ICE curve of row `i` is `f(x_i with x_S = v)`, the partial dependence their
//! (optionally weighted) mean `Σ w_i f(…) / Σ w_i`. The outputs reported are the model's
//! columns the caller picks (e.g. only the positive class of a binary classifier, as
//! scikit-learn does). Grid points are batched: one model call holds as many points as fit in
//! `max_batch_elements` values.

use ndarray::{s, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::data::validate::check_weights;
use crate::error::{Error, Result};
use crate::explain::batches;
use crate::explain::counting::CountingModel;
use crate::explain::permutation_importance::{check_x, tiled};
use crate::model::{check_features, Model};
use crate::report::dependence::{DependenceParams, DependenceReport};
use crate::report::{Num, SCHEMA_VERSION};

/// Which curves to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurveKind {
    /// The partial dependence (mean over rows).
    #[default]
    Average,
    /// One ICE curve per row.
    Individual,
    /// Both.
    Both,
}

impl CurveKind {
    // `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
    // that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
    #[inline]
    fn name(self) -> &'static str {
        match self {
            CurveKind::Average => "average",
            CurveKind::Individual => "individual",
            CurveKind::Both => "both",
        }
    }
}

/// Options of [`partial_dependence`], defaulted and checked in one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DependenceOptions {
    /// Column indices of the features to vary together (one or two, usually).
    pub features: Vec<usize>,
    /// Lower and upper percentile of the grid, in `[0, 1]`.
    pub percentiles: [f64; 2],
    /// Points per axis (at least 2).
    pub grid_resolution: usize,
    /// Curves to return.
    pub kind: CurveKind,
    /// Per entry of `features`, whether it is categorical (grid = its distinct values).
    pub categorical: Vec<bool>,
    /// Per entry of `features`, an explicit grid axis (`None` to compute it).
    pub custom_values: Vec<Option<Vec<f64>>>,
    /// Model output columns to report (default: all).
    pub outputs: Option<Vec<usize>>,
    /// Column names of `X` (default `x0, x1, ...`).
    pub feature_names: Option<Vec<String>>,
    /// Most values (rows × columns) sent to the model in one call.
    pub max_batch_elements: usize,
}

impl Default for DependenceOptions {
    fn default() -> Self {
        DependenceOptions {
            features: Vec::new(),
            percentiles: [0.05, 0.95],
            grid_resolution: 100,
            kind: CurveKind::Average,
            categorical: Vec::new(),
            custom_values: Vec::new(),
            outputs: None,
            feature_names: None,
            max_batch_elements: 1 << 23,
        }
    }
}

impl DependenceOptions {
    /// Check the options against the number of columns of `X`.
    #[inline]
    pub fn check(&self, p: usize) -> Result<()> {
        if self.features.is_empty() {
            return Err(Error::invalid(
                "features",
                "expected at least one feature, found none",
            ));
        }
        if let Some(j) = self.features.iter().find(|j| **j >= p) {
            return Err(Error::invalid(
                "features",
                format!("feature index {j} is out of range: X has {p} columns (0..{p})"),
            ));
        }
        let mut sorted = self.features.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != self.features.len() {
            return Err(Error::invalid("features", "a feature is listed twice"));
        }
        let [lo, hi] = self.percentiles;
        if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo >= hi {
            return Err(Error::invalid(
                "percentiles",
                format!("expected two values 0 <= low < high <= 1, found ({lo}, {hi})"),
            ));
        }
        if self.grid_resolution < 2 {
            return Err(Error::invalid(
                "grid_resolution",
                format!("expected at least 2 points, found {}", self.grid_resolution),
            ));
        }
        for (arg, len) in [
            ("categorical", self.categorical.len()),
            ("custom_values", self.custom_values.len()),
        ] {
            if len != 0 && len != self.features.len() {
                return Err(Error::invalid(
                    arg,
                    format!(
                        "expected one entry per feature ({}), found {len}",
                        self.features.len()
                    ),
                ));
            }
        }
        for axis in self.custom_values.iter().flatten() {
            if axis.is_empty() || axis.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    "custom_values",
                    "expected a non-empty list of finite grid values per feature",
                ));
            }
        }
        Ok(())
    }
}

/// `scipy.stats.mstats.mquantiles(x, prob=p)` (α = β = 0.4) of sorted finite values.
#[inline]
pub fn mquantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n <= 1 {
        return sorted.first().copied().unwrap_or(f64::NAN);
    }
    let (alphap, betap) = (0.4, 0.4);
    let m = alphap + p * (1.0 - alphap - betap);
    #[allow(clippy::cast_precision_loss)]
    let aleph = n as f64 * p + m;
    #[allow(clippy::cast_precision_loss)]
    let k = aleph.clamp(1.0, (n - 1) as f64).floor();
    let gamma = (aleph - k).clamp(0.0, 1.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let k = k as usize;
    let at = |i: usize| sorted.get(i).copied().unwrap_or(f64::NAN);
    (1.0 - gamma) * at(k - 1) + gamma * at(k)
}

/// numpy's `linspace(start, stop, num)` (endpoint included), value for value.
#[inline]
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    let div = num.saturating_sub(1) as f64;
    let delta = stop - start;
    let step = delta / div;
    let mut v: Vec<f64> = (0..num)
        .map(|i| {
            #[allow(clippy::cast_precision_loss)]
            let i = i as f64;
            if step == 0.0 {
                i / div * delta + start
            } else {
                i * step + start
            }
        })
        .collect();
    if num > 1 {
        if let Some(last) = v.last_mut() {
            *last = stop;
        }
    }
    v
}

/// The grid axis of one column (scikit-learn's `_grid_from_X`).
#[inline]
pub fn grid_axis(
    column: ArrayView1<'_, f64>,
    percentiles: [f64; 2],
    grid_resolution: usize,
    categorical: bool,
) -> Result<Vec<f64>> {
    let mut sorted = column.to_vec();
    crate::math::sort_floats(&mut sorted);
    let mut uniques = sorted.clone();
    uniques.dedup();
    if categorical || uniques.len() < grid_resolution {
        return Ok(uniques);
    }
    let lo = mquantile(&sorted, percentiles[0]);
    let hi = mquantile(&sorted, percentiles[1]);
    if (lo - hi).abs() <= 1e-8 + 1e-5 * hi.abs() {
        return Err(Error::invalid(
            "percentiles",
            format!(
                "the percentiles give the same value ({lo}) for this feature, so no grid can be \
                 built; choose percentiles further apart or mark the feature categorical"
            ),
        ));
    }
    Ok(linspace(lo, hi, grid_resolution))
}

/// Partial dependence / ICE of `options.features`.
#[inline]
pub fn partial_dependence<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    options: &DependenceOptions,
) -> Result<DependenceReport> {
    check_x(x, x.nrows())?;
    check_features(model, x, "X")?;
    options.check(x.ncols())?;
    let (n, p) = (x.nrows(), x.ncols());
    if let Some(w) = sample_weight {
        check_weights(w, n)?;
    }
    let names: Vec<String> = match &options.feature_names {
        Some(v) if v.len() != p => {
            return Err(Error::invalid(
                "feature_names",
                format!(
                    "expected {p} names (one per column of X), found {}",
                    v.len()
                ),
            ))
        }
        Some(v) => v.clone(),
        None => (0..p).map(|j| format!("x{j}")).collect(),
    };
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
    let mut axes = Vec::with_capacity(options.features.len());
    for (k, j) in options.features.iter().enumerate() {
        let custom = options.custom_values.get(k).cloned().flatten();
        axes.push(match custom {
            Some(axis) => axis,
            None => grid_axis(
                x.column(*j),
                options.percentiles,
                options.grid_resolution,
                options.categorical.get(k).copied().unwrap_or(false),
            )?,
        });
    }
    let points = cartesian(&axes);
    let g = points.len();
    let model = CountingModel::new(model);
    let want_avg = options.kind != CurveKind::Individual;
    let want_ice = options.kind != CurveKind::Average;
    let mut average = vec![0.0; outputs.len() * g];
    let mut individual = if want_ice {
        vec![0.0; outputs.len() * n * g]
    } else {
        Vec::new()
    };
    let total_w: f64 = sample_weight.map_or(0.0, |w| w.sum());
    let per_batch = batches::chunk_size(n * p, options.max_batch_elements);
    let indices: Vec<usize> = (0..g).collect();
    let batch_list: Vec<&[usize]> = indices.chunks(per_batch).collect();
    // Each worker keeps `per_batch` copies of X and rewrites only the varied columns.
    let results = batches::run(
        &batch_list,
        || tiled(x, per_batch.min(g)),
        |data, batch| {
            for (b, point) in batch.iter().enumerate() {
                let values = points.get(*point).into_iter().flatten();
                for (j, v) in options.features.iter().zip(values) {
                    data.slice_mut(s![b * n..(b + 1) * n, *j]).fill(*v);
                }
            }
            model.predict(data.slice(s![..batch.len() * n, ..]))
        },
    )?;
    let blocks = results
        .iter()
        .flat_map(|out| (0..out.nrows() / n).map(move |b| out.slice(s![b * n..(b + 1) * n, ..])));
    for (point, block) in blocks.enumerate() {
        for (k, o) in outputs.iter().enumerate() {
            let col = block.column(*o);
            if want_avg {
                #[allow(clippy::cast_precision_loss)]
                let mean = match sample_weight {
                    Some(w) => col.iter().zip(w).map(|(v, w)| v * w).sum::<f64>() / total_w,
                    None => col.sum() / n as f64,
                };
                if let Some(slot) = average.get_mut(k * g + point) {
                    *slot = mean;
                }
            }
            if want_ice {
                for (i, v) in col.iter().enumerate() {
                    if let Some(slot) = individual.get_mut((k * n + i) * g + point) {
                        *slot = *v;
                    }
                }
            }
        }
    }
    let nums = |v: Vec<f64>| v.into_iter().map(Num).collect::<Vec<_>>();
    Ok(DependenceReport {
        schema_version: SCHEMA_VERSION,
        kind: "partial_dependence".into(),
        method: "brute".into(),
        features: options.features.clone(),
        feature_names: options
            .features
            .iter()
            .map(|j| names.get(*j).cloned().unwrap_or_default())
            .collect(),
        grid_values: axes,
        outputs,
        average: want_avg.then(|| nums(average)),
        individual: want_ice.then(|| nums(individual)),
        model_calls: model.calls(),
        rows_evaluated: model.rows(),
        params: DependenceParams {
            percentiles: options.percentiles,
            grid_resolution: options.grid_resolution,
            kind: options.kind.name().into(),
            n_rows: n,
            weighted: sample_weight.is_some(),
        },
    })
}

/// Cartesian product of the axes, first axis varying slowest (scikit-learn's `cartesian`).
#[inline]
fn cartesian(axes: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut points: Vec<Vec<f64>> = vec![Vec::new()];
    for axis in axes {
        points = points
            .iter()
            .flat_map(|prefix| {
                axis.iter().map(move |v| {
                    let mut p = prefix.clone();
                    p.push(*v);
                    p
                })
            })
            .collect();
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinearModel, Link};
    use ndarray::{array, Array1, Array2};

    #[test]
    fn mquantiles_and_linspace_match_numpy_scipy() {
        // x = np.arange(100.)**1.5/7; mquantiles(x, [0.05, 0.95]); np.linspace(lo, hi, 5)
        let x: Vec<f64> = (0..100).map(|i| f64::from(i).powf(1.5) / 7.0).collect();
        let (lo, hi) = (mquantile(&x, 0.05), mquantile(&x, 0.95));
        assert_eq!(lo, 1.3291341934106526);
        assert_eq!(hi, 131.42385520517047);
        let expected = [
            1.3291341934106526,
            33.85281444635061,
            66.37649469929056,
            98.90017495223051,
            131.42385520517047,
        ];
        assert_eq!(linspace(lo, hi, 5), expected);
    }

    #[test]
    fn linear_model_pd_is_its_line() {
        let x = Array2::from_shape_fn((30, 2), |(i, j)| {
            (i as f64) * 0.5 - (j as f64) * 3.0 + ((i * j) % 4) as f64
        });
        let m = LinearModel::new(array![[2.0, -1.0]], array![1.0], Link::Identity).unwrap();
        let options = DependenceOptions {
            features: vec![0],
            grid_resolution: 7,
            kind: CurveKind::Both,
            ..DependenceOptions::default()
        };
        let r = partial_dependence(&m, x.view(), None, &options).unwrap();
        let mean_x1 = x.column(1).mean().unwrap();
        for (k, v) in r.grid_values[0].iter().enumerate() {
            let expected = 1.0 + 2.0 * v - mean_x1;
            assert!((r.average.as_ref().unwrap()[k].0 - expected).abs() < 1e-12);
        }
        assert_eq!(r.model_calls, 1);
        assert_eq!(r.individual.as_ref().unwrap().len(), 30 * 7);
        let w = Array1::from_elem(30, 2.0);
        let rw = partial_dependence(&m, x.view(), Some(w.view()), &options).unwrap();
        for (a, b) in r.average.unwrap().iter().zip(rw.average.unwrap()) {
            assert!((a.0 - b.0).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_options() {
        let x = Array2::from_shape_fn((10, 2), |(i, j)| (i + j) as f64);
        let m = LinearModel::new(array![[1.0, 1.0]], array![0.0], Link::Identity).unwrap();
        let run = |o: DependenceOptions| {
            partial_dependence(&m, x.view(), None, &o)
                .unwrap_err()
                .to_string()
        };
        assert!(run(DependenceOptions {
            features: vec![2],
            ..Default::default()
        })
        .contains("out of range"));
        assert!(run(DependenceOptions {
            features: vec![0],
            grid_resolution: 1,
            ..Default::default()
        })
        .contains("grid_resolution"));
        assert!(run(DependenceOptions {
            features: vec![0],
            percentiles: [0.5, 0.2],
            ..Default::default()
        })
        .contains("percentiles"));
    }
}
