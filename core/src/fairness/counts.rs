//! Weighted confusion counts of one cell (control stratum × sensitive group): the sufficient
//! statistics every built-in metric derives from. Counts merge by addition, so chunked,
//! streamed and partitioned data give the single-pass result: exactly for unweighted or
//! integer-weighted data (integer sums are exact in f64 below 2^53), and to within one
//! rounding for fractional weights (sums are compensated, Neumaier).

use serde::{Deserialize, Serialize};

/// A compensated sum: `value()` is the sum of everything added, to within one rounding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Sum {
    s: f64,
    c: f64,
}

impl Sum {
    /// Add one term.
    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.s + x;
        if self.s.abs() >= x.abs() {
            self.c += (self.s - t) + x;
        } else {
            self.c += (x - t) + self.s;
        }
        self.s = t;
    }

    /// Add another compensated sum.
    pub fn merge(&mut self, other: &Sum) {
        self.add(other.s);
        self.c += other.c;
    }

    /// The total.
    #[inline]
    pub fn value(&self) -> f64 {
        self.s + self.c
    }
}

/// Sufficient statistics of one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CellCounts {
    /// Rows (unweighted).
    pub rows: u64,
    /// Unweighted confusion counts (true positives, false positives, false negatives, true
    /// negatives), for significance tests and small-group warnings.
    pub n_tp: u64,
    /// See `n_tp`.
    pub n_fp: u64,
    /// See `n_tp`.
    pub n_fn: u64,
    /// See `n_tp`.
    pub n_tn: u64,
    /// Total weight.
    pub weight: Sum,
    /// Weighted true positives.
    pub tp: Sum,
    /// Weighted false positives.
    pub fp: Sum,
    /// Weighted false negatives.
    pub fn_: Sum,
    /// Weighted true negatives.
    pub tn: Sum,
    /// Weighted sum of raw predictions.
    pub pred: Sum,
    /// Weighted sum of absolute errors `|y_true - y_pred|`.
    pub abs_err: Sum,
    /// Weighted sum of squared errors.
    pub sq_err: Sum,
}

impl CellCounts {
    /// Add one row. `truth`/`pred_pos` are the binarised label and prediction; `y`/`p` the raw
    /// values (for regression metrics and the mean prediction).
    #[inline]
    pub fn add(&mut self, truth: bool, pred_pos: bool, y: f64, p: f64, w: f64) {
        self.rows += 1;
        self.weight.add(w);
        match (truth, pred_pos) {
            (true, true) => {
                self.n_tp += 1;
                self.tp.add(w);
            }
            (false, true) => {
                self.n_fp += 1;
                self.fp.add(w);
            }
            (true, false) => {
                self.n_fn += 1;
                self.fn_.add(w);
            }
            (false, false) => {
                self.n_tn += 1;
                self.tn.add(w);
            }
        }
        self.pred.add(w * p);
        let e = y - p;
        self.abs_err.add(w * e.abs());
        self.sq_err.add(w * e * e);
    }

    /// Add every statistic of `other`.
    pub fn merge(&mut self, other: &CellCounts) {
        self.rows += other.rows;
        self.n_tp += other.n_tp;
        self.n_fp += other.n_fp;
        self.n_fn += other.n_fn;
        self.n_tn += other.n_tn;
        for (a, b) in [
            (&mut self.weight, &other.weight),
            (&mut self.tp, &other.tp),
            (&mut self.fp, &other.fp),
            (&mut self.fn_, &other.fn_),
            (&mut self.tn, &other.tn),
            (&mut self.pred, &other.pred),
            (&mut self.abs_err, &other.abs_err),
            (&mut self.sq_err, &other.sq_err),
        ] {
            a.merge(b);
        }
    }

    /// The sum of a set of cells.
    pub fn total<'a>(cells: impl IntoIterator<Item = &'a CellCounts>) -> CellCounts {
        let mut out = CellCounts::default();
        cells.into_iter().for_each(|c| out.merge(c));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_beats_naive() {
        let mut s = Sum::default();
        let mut naive = 0.0;
        for _ in 0..10 {
            s.add(0.1);
            naive += 0.1;
        }
        assert_eq!(s.value(), 1.0);
        assert_ne!(naive, 1.0);
    }

    #[test]
    fn merge_of_halves_equals_whole_for_unit_weights() {
        let rows: Vec<(bool, bool, f64, f64)> = (0..101)
            .map(|i| {
                (
                    i % 3 == 0,
                    i % 2 == 0,
                    f64::from(i % 3 == 0),
                    f64::from(i % 2 == 0),
                )
            })
            .collect();
        let mut whole = CellCounts::default();
        let mut a = CellCounts::default();
        let mut b = CellCounts::default();
        for (i, r) in rows.iter().enumerate() {
            whole.add(r.0, r.1, r.2, r.3, 1.0);
            if i < 40 { &mut a } else { &mut b }.add(r.0, r.1, r.2, r.3, 1.0);
        }
        a.merge(&b);
        assert_eq!(a.rows, whole.rows);
        assert_eq!(a.tp.value().to_bits(), whole.tp.value().to_bits());
        assert_eq!(a.sq_err.value().to_bits(), whole.sq_err.value().to_bits());
    }
}
