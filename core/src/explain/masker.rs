//! The interventional (background) masker shared by the model-agnostic Shapley methods.
//!
//! For a row `x`, a coalition `S` of features and background rows `b_1..b_N`, the masked row
//! `z_r(S)` takes `x_j` for `j ∈ S` and `b_rj` elsewhere; the value of the coalition is
//! `v(S) = (1/N) Σ_r f(z_r(S))` (the interventional value function). `v(∅)` is the base value
//! (the same for every row) and `v(all) = f(x)`.
//!
//! A masked row equals `b_r` when `x` agrees with `b_r` on every feature of `S`, and equals `x`
//! when they agree outside `S`; those outputs are known (`f(b_r)`, `f(x)`) and never
//! re-evaluated. Features on which `x` agrees with every background row cannot change any
//! masked row: they are *invariant* for that row and get exactly zero attribution.
//!
//! The methods call the model through [`Setup::run`]: work units (a coalition, a permutation
//! half, ...) append their masked rows to one buffer, and the model is called once per buffer of
//! at most `batch_bytes` of input.

use std::ops::Range;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::CountingModel;
use crate::model::Model;
use crate::report::{ExplanationReport, Num, SCHEMA_VERSION};
use crate::rng;

/// Options shared by the exact, permutation and kernel methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaskerOptions {
    /// Input bytes (rows × features × 8) of one model call at most; a single work unit larger
    /// than this is still sent whole.
    pub batch_bytes: usize,
    /// Use at most this many background rows, drawn without replacement with
    /// `background_random_state` (recorded in the report). `None`: the background as given.
    pub max_background: Option<usize>,
    /// Seed of the background subsample.
    pub background_random_state: u32,
    /// Feature names (default `Feature 0`, `Feature 1`, ...).
    pub feature_names: Option<Vec<String>>,
    /// Output names (default `Output 0`, ...).
    pub output_names: Option<Vec<String>>,
    /// Explain independent chunks of rows on several threads (with the `parallel` feature).
    /// Only for models that are safe to call concurrently (native models are).
    pub parallel: bool,
}

impl Default for MaskerOptions {
    fn default() -> Self {
        MaskerOptions {
            batch_bytes: 8 << 20,
            max_background: None,
            background_random_state: 0,
            feature_names: None,
            output_names: None,
            parallel: true,
        }
    }
}

/// Check `X` and the background against each other and the model: equal widths, a non-empty
/// background, finite values.
#[inline]
pub fn check_inputs<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
) -> Result<()> {
    if background.nrows() == 0 {
        return Err(Error::invalid(
            "background",
            "expected at least one background row, found none; pass the data that \
             represents 'feature absent' (e.g. a sample of the training set)",
        ));
    }
    if background.ncols() == 0 {
        return Err(Error::invalid(
            "background",
            "expected at least one feature column, found none",
        ));
    }
    if x.ncols() != background.ncols() {
        return Err(Error::invalid(
            "X",
            format!(
                "expected {} feature columns (as in the background), found {}",
                background.ncols(),
                x.ncols()
            ),
        ));
    }
    if let Some(n) = model.n_features() {
        if n != background.ncols() {
            return Err(Error::invalid(
                "background",
                format!(
                    "the model expects {n} features, the background has {} columns",
                    background.ncols()
                ),
            ));
        }
    }
    check_finite("X", x)?;
    check_finite("background", background)
}

#[inline]
fn check_finite(argument: &str, a: ArrayView2<'_, f64>) -> Result<()> {
    for (i, row) in a.rows().into_iter().enumerate() {
        if let Some(v) = row.iter().find(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                argument: argument.into(),
                index: i,
                value: *v,
            });
        }
    }
    Ok(())
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// The background actually used: as given, or a seeded subsample of `max_background` rows.
/// Returns the rows and, when subsampled, the chosen indices (sorted).
#[inline]
pub fn select_background(
    background: ArrayView2<'_, f64>,
    options: &MaskerOptions,
) -> Result<(Array2<f64>, Option<Vec<usize>>)> {
    match options.max_background {
        Some(0) => Err(Error::invalid(
            "max_background",
            "expected a positive number of rows or None, found 0",
        )),
        Some(k) if k < background.nrows() => {
            let mut idx: Vec<usize> = (0..background.nrows()).collect();
            let mut r = rng::seeded(options.background_random_state, 0);
            for i in 0..k {
                let span = (idx.len() - i) as u64;
                let j = i + rng::below(&mut r, span) as usize;
                idx.swap(i, j);
            }
            idx.truncate(k);
            idx.sort_unstable();
            Ok((background.select(Axis(0), &idx), Some(idx)))
        }
        _ => Ok((background.to_owned(), None)),
    }
}

/// Where row `x` differs from the background.
#[derive(Debug, Clone)]
pub struct RowDiff {
    /// For each feature, the background rows whose value differs from `x`.
    pub rows_by_feature: Vec<Vec<u32>>,
    /// Features that differ from at least one background row (the varying features), ascending.
    pub varying: Vec<usize>,
}

impl RowDiff {
    /// Compare `x` with every background row.
    #[inline]
    pub fn new(x: ArrayView1<'_, f64>, background: ArrayView2<'_, f64>) -> Self {
        let mut rows_by_feature = vec![Vec::new(); x.len()];
        for (r, b) in background.rows().into_iter().enumerate() {
            for ((list, bv), xv) in rows_by_feature.iter_mut().zip(b.iter()).zip(x.iter()) {
                if bv != xv {
                    list.push(r as u32);
                }
            }
        }
        let varying = rows_by_feature
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(j, _)| j)
            .collect();
        RowDiff {
            rows_by_feature,
            varying,
        }
    }
}

/// Number of features where `x` differs from at least one background row.
#[inline]
pub fn varying_count(x: ArrayView1<'_, f64>, background: ArrayView2<'_, f64>) -> usize {
    x.iter()
        .enumerate()
        .filter(|(j, xv)| background.column(*j).iter().any(|b| b != *xv))
        .count()
}

/// Split rows `0..costs.len()` into contiguous chunks of at least `batch_rows` estimated model
/// rows each (the last may be smaller).
#[inline]
pub fn chunk_rows(costs: &[usize], batch_rows: usize) -> Vec<Range<usize>> {
    let (mut chunks, mut start, mut acc) = (Vec::new(), 0, 0usize);
    for (i, c) in costs.iter().enumerate() {
        acc = acc.saturating_add(*c);
        if acc >= batch_rows {
            chunks.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    if start < costs.len() {
        chunks.push(start..costs.len());
    }
    chunks
}

/// Append the masked row `x` on `on`, background row `b` elsewhere.
#[inline]
pub fn push_masked(
    buf: &mut Vec<f64>,
    x: ArrayView1<'_, f64>,
    b: ArrayView1<'_, f64>,
    on: &[bool],
) {
    buf.extend(
        x.iter()
            .zip(b.iter())
            .zip(on.iter())
            .map(|((xv, bv), o)| if *o { *xv } else { *bv }),
    );
}

/// A validated problem: the rows to explain, the background, the counted model, and the
/// model's outputs on the background and on the rows (one call for both).
#[derive(Debug)]
pub struct Setup<'a, M: Model + ?Sized> {
    /// The counted model.
    pub model: CountingModel<'a, M>,
    /// Rows to explain.
    pub x: ArrayView2<'a, f64>,
    /// Background used (possibly subsampled).
    pub background: Array2<f64>,
    /// Background indices kept by `max_background`, if it subsampled.
    pub background_indices: Option<Vec<usize>>,
    /// Rows of the background as given.
    pub background_rows_given: usize,
    /// `f(b_r)`, background rows × outputs.
    pub f_background: Array2<f64>,
    /// `f(x_i)`, rows × outputs.
    pub f_x: Array2<f64>,
    /// `v(∅)`: mean of `f_background` per output.
    pub base: Array1<f64>,
    /// Rows per model call.
    pub batch_rows: usize,
    /// Options as given.
    pub options: MaskerOptions,
}

impl<'a, M: Model + ?Sized> Setup<'a, M> {
    /// Validate, select the background, run the method's own `check` on it (before any model
    /// call), and evaluate `f` on background and rows in one call.
    #[inline]
    pub fn new(
        model: &'a M,
        x: ArrayView2<'a, f64>,
        background: ArrayView2<'_, f64>,
        options: &MaskerOptions,
        check: impl FnOnce(ArrayView2<'_, f64>) -> Result<()>,
    ) -> Result<Self> {
        if options.batch_bytes == 0 {
            return Err(Error::invalid(
                "batch_bytes",
                "expected a positive memory budget, found 0",
            ));
        }
        check_inputs(model, x, background)?;
        let (n_features, k) = (background.ncols(), model.n_outputs());
        for (argument, names, n) in [
            ("feature_names", &options.feature_names, n_features),
            ("output_names", &options.output_names, k),
        ] {
            if let Some(names) = names {
                if names.len() != n {
                    return Err(Error::invalid(
                        argument,
                        format!("expected {n} names, found {}", names.len()),
                    ));
                }
            }
        }
        let background_rows_given = background.nrows();
        let (background, background_indices) = select_background(background, options)?;
        check(background.view())?;
        let counted = CountingModel::new(model);
        let both = ndarray::concatenate(Axis(0), &[background.view(), x])
            .map_err(|e| Error::invalid("X", e.to_string()))?;
        let out = counted.predict(both.view())?;
        let n_bg = background.nrows();
        let f_background = out.slice(ndarray::s![..n_bg, ..]).to_owned();
        let f_x = out.slice(ndarray::s![n_bg.., ..]).to_owned();
        let base = mean_rows(f_background.view());
        let batch_rows = (options.batch_bytes / (8 * n_features)).max(1);
        Ok(Setup {
            model: counted,
            x,
            background,
            background_indices,
            background_rows_given,
            f_background,
            f_x,
            base,
            batch_rows,
            options: options.clone(),
        })
    }

    /// Outputs per row.
    #[inline]
    pub fn n_outputs(&self) -> usize {
        self.f_background.ncols()
    }

    /// Features.
    #[inline]
    pub fn n_features(&self) -> usize {
        self.background.ncols()
    }

    /// Chunks of rows for [`Setup::map_chunks`]: about one batch each when running in
    /// parallel, else all rows at once (so batches are as full as possible).
    #[inline]
    pub fn chunks(&self, costs: &[usize]) -> Vec<Range<usize>> {
        if self.options.parallel && cfg!(feature = "parallel") {
            chunk_rows(costs, self.batch_rows)
        } else {
            std::iter::once(0..costs.len()).collect()
        }
    }

    /// Explain each chunk of rows with `f` (values of those rows, row-major) and concatenate in
    /// row order; chunks run on several threads when `options.parallel` allows. The result
    /// does not depend on the number of threads.
    #[inline]
    pub fn map_chunks<F>(&self, chunks: &[Range<usize>], f: F) -> Result<Vec<f64>>
    where
        F: Fn(Range<usize>) -> Result<Vec<f64>> + Sync,
    {
        #[cfg(feature = "parallel")]
        if self.options.parallel && chunks.len() > 1 {
            use rayon::prelude::*;
            let parts = chunks
                .par_iter()
                .map(|r| f(r.clone()))
                // All chunks, then the first error in row order (not whichever thread failed first).
                .collect::<Vec<Result<Vec<f64>>>>()
                .into_iter()
                .collect::<Result<Vec<_>>>()?;
            return Ok(parts.into_iter().flatten().collect());
        }
        let mut out = Vec::new();
        for r in chunks {
            out.extend(f(r.clone())?);
        }
        Ok(out)
    }

    /// Stream `units` through the model: `build` appends a unit's masked rows to the buffer
    /// (row-major, `n_features` wide) and returns how many it added; once the buffer holds
    /// `batch_rows` rows the model is called once and `consume` receives each unit, in order,
    /// with its outputs.
    #[inline]
    pub fn run<U>(
        &self,
        units: impl IntoIterator<Item = U>,
        mut build: impl FnMut(&U, &mut Vec<f64>) -> usize,
        mut consume: impl FnMut(&U, ArrayView2<'_, f64>) -> Result<()>,
    ) -> Result<()> {
        let m = self.n_features();
        let mut buf: Vec<f64> = Vec::new();
        let mut pending: Vec<(U, usize, usize)> = Vec::new();
        let mut rows = 0usize;
        for unit in units {
            let added = build(&unit, &mut buf);
            pending.push((unit, rows, added));
            rows += added;
            if rows >= self.batch_rows {
                self.flush(&mut buf, &mut pending, rows, m, &mut consume)?;
                rows = 0;
            }
        }
        self.flush(&mut buf, &mut pending, rows, m, &mut consume)
    }

    #[inline]
    fn flush<U>(
        &self,
        buf: &mut Vec<f64>,
        pending: &mut Vec<(U, usize, usize)>,
        rows: usize,
        m: usize,
        consume: &mut impl FnMut(&U, ArrayView2<'_, f64>) -> Result<()>,
    ) -> Result<()> {
        let out = if rows > 0 {
            let view = ArrayView2::from_shape((rows, m), buf.as_slice())
                .map_err(|e| Error::invalid("X", e.to_string()))?;
            self.model.predict(view)?
        } else {
            Array2::zeros((0, self.n_outputs()))
        };
        for (unit, start, count) in pending.drain(..) {
            consume(&unit, out.slice(ndarray::s![start..start + count, ..]))?;
        }
        buf.clear();
        Ok(())
    }

    /// The report: `values` is rows × features × outputs (row-major); the base value is `v(∅)`
    /// for every row; the additivity residual is `f(x) - base - Σ_j values`.
    #[inline]
    pub fn report(
        &self,
        method: &str,
        values: Vec<f64>,
        mut params: serde_json::Map<String, serde_json::Value>,
    ) -> ExplanationReport {
        let (n, m, k) = (self.x.nrows(), self.n_features(), self.n_outputs());
        let base: Vec<f64> = (0..n).flat_map(|_| self.base.iter().copied()).collect();
        let residual = additivity_residual(&values, &base, self.f_x.view(), m);
        params.insert("method".into(), method.into());
        params.insert("background_rows".into(), self.background.nrows().into());
        params.insert(
            "background_rows_given".into(),
            self.background_rows_given.into(),
        );
        params.insert("max_background".into(), self.options.max_background.into());
        if let Some(idx) = &self.background_indices {
            params.insert(
                "background_random_state".into(),
                self.options.background_random_state.into(),
            );
            params.insert("background_indices".into(), idx.clone().into());
        }
        params.insert("batch_bytes".into(), self.options.batch_bytes.into());
        ExplanationReport {
            schema_version: SCHEMA_VERSION,
            kind: "explanation".into(),
            method: method.into(),
            shape: [n, m, k],
            values: values.into_iter().map(Num).collect(),
            base_values: base.into_iter().map(Num).collect(),
            feature_names: names(&self.options.feature_names, m, "Feature"),
            output_names: names(&self.options.output_names, k, "Output"),
            additivity_residual: residual.into_iter().map(Num).collect(),
            model_calls: self.model.calls(),
            rows_evaluated: self.model.rows(),
            params: serde_json::Value::Object(params),
        }
    }
}

/// Default names `prefix i` unless given.
#[inline]
pub fn names(given: &Option<Vec<String>>, n: usize, prefix: &str) -> Vec<String> {
    given
        .clone()
        .unwrap_or_else(|| (0..n).map(|i| format!("{prefix} {i}")).collect())
}

/// `f(x) - base - Σ_j values[i, j, k]` per row and output (`values` rows × m × k, row-major).
#[inline]
pub fn additivity_residual(
    values: &[f64],
    base: &[f64],
    f_x: ArrayView2<'_, f64>,
    m: usize,
) -> Vec<f64> {
    let k = f_x.ncols();
    f_x.rows()
        .into_iter()
        .enumerate()
        .flat_map(|(i, fx)| {
            fx.iter()
                .enumerate()
                .map(|(o, fv)| {
                    let sum: f64 = (0..m)
                        .map(|j| values.get((i * m + j) * k + o).copied().unwrap_or(0.0))
                        .sum();
                    fv - base.get(i * k + o).copied().unwrap_or(0.0) - sum
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Column means (sequential sums).
#[inline]
pub fn mean_rows(a: ArrayView2<'_, f64>) -> Array1<f64> {
    let n = a.nrows().max(1) as f64;
    a.sum_axis(Axis(0)) / n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinearModel, Link};
    use ndarray::array;

    #[test]
    fn bad_inputs_are_named() {
        let m = LinearModel::new(array![[1.0, 2.0]], array![0.0], Link::Identity).unwrap();
        let x = array![[1.0, 2.0]];
        let empty = Array2::<f64>::zeros((0, 2));
        let e = check_inputs(&m, x.view(), empty.view()).unwrap_err();
        assert!(e.to_string().contains("background"));
        let narrow = array![[1.0]];
        assert!(check_inputs(&m, narrow.view(), narrow.view())
            .unwrap_err()
            .to_string()
            .contains("model expects 2"));
        let nan = array![[1.0, f64::NAN]];
        assert!(matches!(
            check_inputs(&m, nan.view(), x.view()).unwrap_err(),
            Error::NonFinite { .. }
        ));
    }

    #[test]
    fn subsample_is_seeded_and_recorded() {
        let bg = Array2::from_shape_fn((10, 2), |(i, j)| (i * 2 + j) as f64);
        let opts = MaskerOptions {
            max_background: Some(4),
            background_random_state: 3,
            ..MaskerOptions::default()
        };
        let (a, ia) = select_background(bg.view(), &opts).unwrap();
        let (b, ib) = select_background(bg.view(), &opts).unwrap();
        assert_eq!(a, b);
        assert_eq!(ia, ib);
        assert_eq!(a.nrows(), 4);
        let (c, ic) = select_background(bg.view(), &MaskerOptions::default()).unwrap();
        assert_eq!(c, bg);
        assert!(ic.is_none());
    }

    #[test]
    fn diff_finds_varying_features() {
        let bg = array![[1.0, 5.0, 0.0], [1.0, 6.0, 0.0]];
        let d = RowDiff::new(array![1.0, 5.0, 2.0].view(), bg.view());
        assert_eq!(d.varying, vec![1, 2]);
        assert_eq!(d.rows_by_feature[1], vec![1]);
        assert_eq!(d.rows_by_feature[2], vec![0, 1]);
    }
}
