//! A model wrapper that counts calls and rows and checks every output, so each explanation
//! reports what it cost and no method can use a malformed prediction.

use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{Array2, ArrayView2};

use crate::error::Result;
use crate::model::{check_output, predict_checked, Model};

/// Counts model calls and evaluated rows.
#[derive(Debug)]
pub struct CountingModel<'a, M: Model + ?Sized> {
    inner: &'a M,
    calls: AtomicU64,
    rows: AtomicU64,
}

impl<'a, M: Model + ?Sized> CountingModel<'a, M> {
    /// Wrap a model.
    pub fn new(inner: &'a M) -> Self {
        CountingModel {
            inner,
            calls: AtomicU64::new(0),
            rows: AtomicU64::new(0),
        }
    }

    /// Model calls so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Rows evaluated so far.
    pub fn rows(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Outputs per row.
    pub fn n_outputs(&self) -> usize {
        self.inner.n_outputs()
    }

    /// Predict a batch, counted and checked (shape and finiteness).
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(x.nrows() as u64, Ordering::Relaxed);
        predict_checked(self.inner, x)
    }

    /// [`predict`](Self::predict) on a batch the caller hands over ([`Model::predict_owned`]).
    pub fn predict_owned(&self, x: Array2<f64>) -> Result<Array2<f64>> {
        let rows = x.nrows();
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
        let out = self.inner.predict_owned(x)?;
        check_output(self.inner, rows, &out)?;
        Ok(out)
    }
}
