//! Bootstrap confidence intervals of every number in a report. A replicate resamples rows with
//! replacement — all rows at once (`rows`, Fairlearn's scheme) or within each cell
//! (`stratified`, which keeps every group's size) — re-accumulates the cell counts and
//! re-evaluates; quantiles follow numpy's `nanquantile`. Replicate `b` draws from ChaCha stream
//! `b` of the seed, so results do not depend on threads or platform.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fairness::accumulator::FairnessAccumulator;
use crate::fairness::counts::CellCounts;
use crate::fairness::evaluate::{evaluate_flat, to_values};
use crate::fairness::metric::{Convention, Metric};
use crate::fairness::quantile::nanquantiles;
use crate::report::Intervals;
use crate::rng;

/// Bootstrap parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootstrapOptions {
    /// Number of replicates (1 ..= 100 000).
    pub n_boot: u32,
    /// Quantiles to report, each in [0, 1].
    pub ci_quantiles: Vec<f64>,
    /// Seed.
    pub random_state: u32,
    /// Resample within each cell instead of across all rows.
    pub stratified: bool,
}

impl BootstrapOptions {
    /// Check the parameters.
    pub fn check(&self) -> Result<()> {
        if self.n_boot == 0 || self.n_boot > 100_000 {
            return Err(Error::invalid(
                "n_boot",
                format!(
                    "expected between 1 and 100000 replicates, found {}",
                    self.n_boot
                ),
            ));
        }
        if self.ci_quantiles.is_empty() {
            return Err(Error::invalid(
                "ci_quantiles",
                "expected at least one quantile, found none",
            ));
        }
        if let Some(q) = self.ci_quantiles.iter().find(|q| !(0.0..=1.0).contains(*q)) {
            return Err(Error::invalid(
                "ci_quantiles",
                format!("expected quantiles in [0, 1], found {q}"),
            ));
        }
        Ok(())
    }
}

/// Row-level data a bootstrap needs.
#[derive(Debug, Clone)]
pub struct RowData {
    /// Labels.
    pub y_true: Vec<f64>,
    /// Predictions.
    pub y_pred: Vec<f64>,
    /// Weights.
    pub weights: Option<Vec<f64>>,
    /// Each row's cell.
    pub cells: Vec<u32>,
}

impl RowData {
    fn add(&self, acc: &FairnessAccumulator, cells: &mut [CellCounts], i: usize) {
        let (Some(y), Some(p), Some(c)) =
            (self.y_true.get(i), self.y_pred.get(i), self.cells.get(i))
        else {
            return;
        };
        let w = self
            .weights
            .as_ref()
            .and_then(|w| w.get(i).copied())
            .unwrap_or(1.0);
        if let Some(cell) = cells.get_mut(*c as usize) {
            cell.add(
                acc.spec.is_positive_label(*y),
                acc.spec.is_positive_prediction(*p),
                *y,
                *p,
                w,
            );
        }
    }
}

/// Run the bootstrap.
pub fn bootstrap(
    rows: &RowData,
    acc: &FairnessAccumulator,
    metrics: &[Metric],
    convention: Convention,
    options: &BootstrapOptions,
    indices: Option<ArrayView2<'_, i64>>,
) -> Result<Intervals> {
    options.check()?;
    let n = rows.y_true.len();
    if let Some(ix) = indices {
        if ix.nrows() != options.n_boot as usize || ix.ncols() != n {
            return Err(Error::invalid(
                "bootstrap_indices",
                format!(
                    "expected shape ({}, {n}), found ({}, {})",
                    options.n_boot,
                    ix.nrows(),
                    ix.ncols()
                ),
            ));
        }
        if let Some(bad) = ix.iter().find(|v| **v < 0 || **v as u64 >= n as u64) {
            return Err(Error::invalid(
                "bootstrap_indices",
                format!("row index {bad} is outside 0..{n}"),
            ));
        }
    }
    let by_cell = rows_by_cell(&rows.cells, acc.cells.len());
    let replicate = |b: usize| -> Vec<f64> {
        let mut cells = vec![CellCounts::default(); acc.cells.len()];
        match (indices, options.stratified) {
            (Some(ix), _) => {
                if let Some(row) = ix.outer_iter().nth(b) {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    row.iter()
                        .for_each(|i| rows.add(acc, &mut cells, *i as usize));
                }
            }
            (None, false) => {
                let mut r = rng::seeded(options.random_state, b as u64);
                for _ in 0..n {
                    #[allow(clippy::cast_possible_truncation)]
                    rows.add(acc, &mut cells, rng::below(&mut r, n as u64) as usize);
                }
            }
            (None, true) => {
                let mut r = rng::seeded(options.random_state, b as u64);
                for members in &by_cell {
                    for _ in 0..members.len() {
                        #[allow(clippy::cast_possible_truncation)]
                        let pick = rng::below(&mut r, members.len() as u64) as usize;
                        if let Some(i) = members.get(pick) {
                            rows.add(acc, &mut cells, *i as usize);
                        }
                    }
                }
            }
        }
        evaluate_flat(&cells, &acc.layout, metrics, convention, None)
    };
    let replicates: Vec<Vec<f64>> = run(options.n_boot as usize, &replicate);
    let width = replicates.first().map_or(0, Vec::len);
    let mut per_quantile = vec![vec![f64::NAN; width]; options.ci_quantiles.len()];
    let mut column = Vec::with_capacity(replicates.len());
    for k in 0..width {
        column.clear();
        column.extend(
            replicates
                .iter()
                .map(|r| r.get(k).copied().unwrap_or(f64::NAN)),
        );
        for (q, v) in nanquantiles(&mut column, &options.ci_quantiles)
            .into_iter()
            .enumerate()
        {
            if let Some(slot) = per_quantile.get_mut(q).and_then(|p| p.get_mut(k)) {
                *slot = v;
            }
        }
    }
    Ok(Intervals {
        n_boot: options.n_boot,
        ci_quantiles: options.ci_quantiles.clone(),
        random_state: indices.is_none().then_some(options.random_state),
        resampling: match (indices.is_some(), options.stratified) {
            (true, _) => "indices",
            (false, true) => "stratified",
            (false, false) => "rows",
        }
        .into(),
        quantiles: per_quantile
            .iter()
            .map(|flat| to_values(flat, &acc.layout, metrics))
            .collect(),
    })
}

fn rows_by_cell(cells: &[u32], n_cells: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); n_cells];
    for (i, c) in cells.iter().enumerate() {
        if let (Some(list), Ok(i)) = (out.get_mut(*c as usize), u32::try_from(i)) {
            list.push(i);
        }
    }
    out
}

#[cfg(feature = "parallel")]
fn run(n: usize, f: &(dyn Fn(usize) -> Vec<f64> + Sync)) -> Vec<Vec<f64>> {
    use rayon::prelude::*;
    (0..n).into_par_iter().map(f).collect()
}

#[cfg(not(feature = "parallel"))]
fn run(n: usize, f: &dyn Fn(usize) -> Vec<f64>) -> Vec<Vec<f64>> {
    (0..n).map(f).collect()
}
