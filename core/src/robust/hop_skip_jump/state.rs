//! The attack's bookkeeping: the counted model, each row's target label and query count, and
//! the batched queries that judge points adversarial.

use ndarray::Array2;

use crate::error::Result;
use crate::explain::counting::CountingModel;
use crate::model::Model;
use crate::robust::{labels, predict_batched, query_failed};

pub(super) struct State<'m, M: Model + ?Sized> {
    pub(super) counted: CountingModel<'m, M>,
    pub(super) target: Vec<usize>,
    pub(super) targeted: bool,
    pub(super) queries: Vec<usize>,
    pub(super) threshold: f64,
    pub(super) batch_rows: usize,
}

impl<M: Model + ?Sized> State<'_, M> {
    // `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
    // that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
    /// Query `points` (one row each for `owners`): is each adversarial, and its label.
    #[inline]
    pub(super) fn query(
        &mut self,
        points: &Array2<f64>,
        owners: &[usize],
    ) -> Result<Vec<(bool, usize)>> {
        if points.nrows() == 0 {
            return Ok(vec![]);
        }
        let out = predict_batched(&self.counted, points.view(), self.batch_rows)?;
        Ok(self.judge(&out, owners))
    }

    /// [`query`](Self::query) handing the batch over to the model (no copy for a Python
    /// callable), in one call when it fits `batch_rows`.
    pub(super) fn query_owned(
        &mut self,
        points: Array2<f64>,
        owners: &[usize],
    ) -> Result<Vec<(bool, usize)>> {
        let n = points.nrows();
        if n == 0 || n > self.batch_rows {
            return self.query(&points, owners);
        }
        let call = self.counted.calls() + 1;
        let out = self
            .counted
            .predict_owned(points)
            .map_err(|e| query_failed(call, 0, n, &e))?;
        Ok(self.judge(&out, owners))
    }

    /// Count one query per owner; whether each output is adversarial, and its label.
    fn judge(&mut self, out: &Array2<f64>, owners: &[usize]) -> Vec<(bool, usize)> {
        let lab = labels(out, self.threshold);
        owners
            .iter()
            .zip(lab)
            .map(|(&i, l)| {
                if let Some(q) = self.queries.get_mut(i) {
                    *q += 1;
                }
                let hit = self.target.get(i) == Some(&l);
                (hit == self.targeted, l)
            })
            .collect()
    }
}
