//! The mergeable, serialisable state of a fairness assessment: one [`CellCounts`] per
//! (control stratum × sensitive group) plus the distinct labels seen. Feed data in chunks with
//! `update`, combine partitions with `merge`; the result equals one pass over all the rows.

use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::data::groups::GroupLayout;
use crate::data::{validate, Column};
use crate::error::{Error, Result};
use crate::fairness::counts::CellCounts;
use crate::fairness::labels::{DistinctValues, LabelSpec};

/// Group codes of one chunk, one array per feature, in layout order.
#[derive(Debug, Clone, Copy)]
pub struct Codes<'a> {
    /// One code array per sensitive feature.
    pub sensitive: &'a [ArrayView1<'a, u32>],
    /// One code array per control feature.
    pub control: &'a [ArrayView1<'a, u32>],
}

/// Accumulated sufficient statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessAccumulator {
    /// Feature levels defining the cells.
    pub layout: GroupLayout,
    /// Binarisation of labels and predictions.
    pub spec: LabelSpec,
    /// Whether any chunk carried weights.
    pub weighted: bool,
    /// One entry per cell: `stratum * n_groups + group`.
    pub cells: Vec<CellCounts>,
    /// Distinct `y_true` values seen (up to three).
    pub truth_seen: DistinctValues,
    /// Distinct `y_pred` values seen (up to three).
    pub pred_seen: DistinctValues,
}

impl FairnessAccumulator {
    /// An empty accumulator.
    pub fn new(layout: GroupLayout, spec: LabelSpec) -> Result<Self> {
        spec.check()?;
        let cells = vec![CellCounts::default(); layout.n_cells()];
        Ok(FairnessAccumulator {
            layout,
            spec,
            weighted: false,
            cells,
            truth_seen: DistinctValues::default(),
            pred_seen: DistinctValues::default(),
        })
    }

    /// Check a state that came from outside (deserialised): layout, cell count, counts.
    pub fn check(&self) -> Result<()> {
        let layout = GroupLayout::new(self.layout.sensitive.clone(), self.layout.control.clone())
            .map_err(|e| {
            Error::invalid("json", format!("the state's levels are invalid: {e}"))
        })?;
        self.spec.check()?;
        if self.cells.len() != layout.n_cells() {
            return Err(Error::invalid(
                "json",
                format!(
                    "the state has {} cells but its levels define {}; it was not written by aequa or was altered",
                    self.cells.len(),
                    layout.n_cells()
                ),
            ));
        }
        for (i, c) in self.cells.iter().enumerate() {
            let sums = [
                c.weight, c.tp, c.fp, c.fn_, c.tn, c.pred, c.abs_err, c.sq_err,
            ]
            .map(|s| s.value());
            let confusion =
                [c.weight, c.tp, c.fp, c.fn_, c.tn, c.abs_err, c.sq_err].map(|s| s.value());
            if sums.iter().any(|v| !v.is_finite()) || confusion.iter().any(|v| *v < 0.0) {
                return Err(Error::invalid(
                    "json",
                    format!("cell {i} has negative or non-finite sums"),
                ));
            }
            if c.n_tp + c.n_fp + c.n_fn + c.n_tn != c.rows {
                return Err(Error::invalid(
                    "json",
                    format!("cell {i}: confusion counts do not add up to its rows"),
                ));
            }
        }
        Ok(())
    }

    /// Rows accumulated so far.
    pub fn n_rows(&self) -> u64 {
        self.cells.iter().map(|c| c.rows).sum()
    }

    /// Add a chunk of rows.
    pub fn update(
        &mut self,
        y_true: &Column<'_>,
        y_pred: &Column<'_>,
        weights: Option<ArrayView1<'_, f64>>,
        codes: Codes<'_>,
    ) -> Result<()> {
        if y_true.is_empty() && y_pred.is_empty() && weights.is_none_or(|w| w.is_empty()) {
            // An empty chunk or partition adds nothing (filtered batches, empty Dask partitions).
            return Ok(());
        }
        let n = validate::check_rows(y_true, y_pred, weights)?;
        let cell_of = self.cell_indices(codes, n)?;
        let mut cells = self.cells.clone();
        let (mut truth_seen, mut pred_seen) = (self.truth_seen.clone(), self.pred_seen.clone());
        let spec = self.spec;
        let mut add = |i: usize, y: f64, p: f64| {
            let w = weights
                .as_ref()
                .and_then(|w| w.get(i).copied())
                .unwrap_or(1.0);
            truth_seen.see(y);
            pred_seen.see(p);
            let cell = cell_of.get(i).and_then(|c| cells.get_mut(*c as usize));
            if let Some(cell) = cell {
                cell.add(
                    spec.is_positive_label(y),
                    spec.is_positive_prediction(p),
                    y,
                    p,
                    w,
                );
            }
        };
        with_pair(y_true, y_pred, &mut add);
        // Commit only after the whole chunk succeeded: a failed update leaves no half-written state.
        self.cells = cells;
        self.truth_seen = truth_seen;
        self.pred_seen = pred_seen;
        self.weighted |= weights.is_some();
        Ok(())
    }

    /// Combine with the accumulator of another chunk or partition.
    pub fn merge(&mut self, other: &FairnessAccumulator) -> Result<()> {
        if self.layout != other.layout {
            return Err(Error::invalid(
                "other",
                "cannot merge accumulators built over different features or levels; \
                 declare the same levels for every partition",
            ));
        }
        if self.spec != other.spec {
            return Err(Error::invalid(
                "other",
                "cannot merge accumulators with different pos_label or threshold",
            ));
        }
        self.cells
            .iter_mut()
            .zip(&other.cells)
            .for_each(|(a, b)| a.merge(b));
        self.truth_seen.merge(&other.truth_seen);
        self.pred_seen.merge(&other.pred_seen);
        self.weighted |= other.weighted;
        Ok(())
    }

    /// Each row's cell index, checking the codes against the layout.
    pub fn cell_indices(&self, codes: Codes<'_>, n_rows: usize) -> Result<Vec<u32>> {
        cell_indices(&self.layout, codes, n_rows)
    }
}

/// Each row's cell index (`stratum * n_groups + group`), checking the codes against the layout.
pub fn cell_indices(layout: &GroupLayout, codes: Codes<'_>, n_rows: usize) -> Result<Vec<u32>> {
    let mut cells = vec![0u32; n_rows];
    let parts = [
        ("control_features", codes.control, &layout.control),
        ("sensitive_features", codes.sensitive, &layout.sensitive),
    ];
    for (arg, arrays, features) in parts {
        if arrays.len() != features.len() {
            return Err(Error::invalid(
                arg,
                format!(
                    "expected {} columns, found {}",
                    features.len(),
                    arrays.len()
                ),
            ));
        }
        for (codes, feature) in arrays.iter().zip(features.iter()) {
            if codes.len() != n_rows {
                return Err(Error::LengthMismatch {
                    argument: format!("{arg} column '{}'", feature.name),
                    expected: n_rows,
                    found: codes.len(),
                });
            }
            let radix = u32::try_from(feature.levels.len())
                .map_err(|_| Error::invalid(arg, "too many levels"))?;
            for (i, (cell, code)) in cells.iter_mut().zip(codes.iter()).enumerate() {
                if *code >= radix {
                    return Err(Error::invalid(
                            arg,
                            format!(
                                "column '{}' row {i} has code {code} but only {radix} levels are declared",
                                feature.name
                            ),
                        ));
                }
                *cell = *cell * radix + *code;
            }
        }
    }
    Ok(cells)
}

/// Visit `(row, y_true, y_pred)` with both columns monomorphised to their dtypes.
pub fn with_pair(y_true: &Column<'_>, y_pred: &Column<'_>, f: &mut impl FnMut(usize, f64, f64)) {
    macro_rules! inner {
        ($t:expr, $conv_t:expr) => {
            match y_pred {
                Column::F64(p) => $t
                    .iter()
                    .zip(p.iter())
                    .enumerate()
                    .for_each(|(i, (y, p))| f(i, $conv_t(*y), *p)),
                Column::F32(p) => $t
                    .iter()
                    .zip(p.iter())
                    .enumerate()
                    .for_each(|(i, (y, p))| f(i, $conv_t(*y), f64::from(*p))),
                #[allow(clippy::cast_precision_loss)]
                Column::I64(p) => $t
                    .iter()
                    .zip(p.iter())
                    .enumerate()
                    .for_each(|(i, (y, p))| f(i, $conv_t(*y), *p as f64)),
                Column::I32(p) => $t
                    .iter()
                    .zip(p.iter())
                    .enumerate()
                    .for_each(|(i, (y, p))| f(i, $conv_t(*y), f64::from(*p))),
                Column::Bool(p) => $t
                    .iter()
                    .zip(p.iter())
                    .enumerate()
                    .for_each(|(i, (y, p))| f(i, $conv_t(*y), f64::from(u8::from(*p)))),
            }
        };
    }
    match y_true {
        Column::F64(t) => inner!(t, |v: f64| v),
        Column::F32(t) => inner!(t, f64::from),
        #[allow(clippy::cast_precision_loss)]
        Column::I64(t) => inner!(t, |v: i64| v as f64),
        Column::I32(t) => inner!(t, f64::from),
        Column::Bool(t) => inner!(t, |v: bool| f64::from(u8::from(v))),
    }
}
