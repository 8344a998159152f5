//! Models the explainers and probes call. Everything goes through [`Model::predict`] on a batch
//! of rows, so a Python or JavaScript model crosses its boundary once per batch, never per row.
//! Native models (linear, tree ensembles) are evaluated in Rust and serialise to JSON, so the
//! browser can load the same model.

pub mod lightgbm;
pub mod linear;
pub mod native;
pub mod output;
pub mod tree;
// Training with smartcore (issue 5: the browser's "no model at hand" path).
#[cfg(feature = "train")]
pub mod train;
pub(crate) mod tree_eval;
pub mod xgboost;

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};

pub use linear::{LinearModel, Link};
pub use native::NativeModel;
pub use output::Output;
pub use tree::{Accumulate, Comparison, Tree, TreeEnsemble};

/// A predictive model: rows in, one or more outputs per row out.
pub trait Model: Sync {
    /// Number of input features, when the model knows it.
    fn n_features(&self) -> Option<usize>;
    /// Number of outputs per row (1 for regression or a single score; classes for probabilities).
    fn n_outputs(&self) -> usize;
    /// Predict a batch: `x` is rows × features, the result rows × outputs.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
    /// Predict a batch the caller no longer needs. A model that would copy its input anyway
    /// (a Python callable gets a NumPy array) takes the buffer instead; the default borrows it.
    fn predict_owned(&self, x: Array2<f64>) -> Result<Array2<f64>> {
        self.predict(x.view())
    }
    /// The tree ensemble this model is, if it is one: explainers may then walk its trees
    /// instead of calling it (same values, no masked rows built).
    fn tree_ensemble(&self) -> Option<&TreeEnsemble> {
        None
    }
    /// The linear model this model is, if it is one: explainers may then use its scores
    /// directly (permutation importance shifts them by the permuted column).
    fn linear_model(&self) -> Option<&LinearModel> {
        None
    }
}

/// Check a batch's width against the model before calling it.
pub fn check_features<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    argument: &str,
) -> Result<()> {
    if let Some(n) = model.n_features() {
        if x.ncols() != n {
            return Err(Error::invalid(
                argument,
                format!(
                    "the model expects {n} features, found {} columns",
                    x.ncols()
                ),
            ));
        }
    }
    Ok(())
}

/// Check a model's output: shape rows × n_outputs and finite values.
pub fn check_output<M: Model + ?Sized>(model: &M, rows: usize, out: &Array2<f64>) -> Result<()> {
    if out.nrows() != rows || out.ncols() != model.n_outputs() {
        return Err(Error::invalid(
            "model",
            format!(
                "expected predictions of shape ({rows}, {}), found ({}, {})",
                model.n_outputs(),
                out.nrows(),
                out.ncols()
            ),
        ));
    }
    if let Some((i, v)) = out.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(
            "model",
            format!(
                "the model returned {v} for row {} (output {}); models must return finite numbers",
                i / out.ncols().max(1),
                i % out.ncols().max(1)
            ),
        ));
    }
    Ok(())
}

/// Predict and check in one step (what explainers call).
pub fn predict_checked<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
) -> Result<Array2<f64>> {
    let out = model.predict(x)?;
    check_output(model, x.nrows(), &out)?;
    Ok(out)
}
