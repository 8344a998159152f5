//! Linear and logistic models: `link(x · coefᵀ + intercept)`, one row of `coef` per output.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::math::apply_link;
use crate::model::Model;

/// What turns the linear score into the model's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The raw score (regression, decision function, log-odds).
    #[default]
    Identity,
    /// One score → `[1 - σ(s), σ(s)]` (binary `predict_proba`).
    Logistic,
    /// One score per class → softmax (multinomial `predict_proba`).
    Softmax,
}

/// A fitted linear model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    /// Coefficients, scores × features.
    pub coef: Array2<f64>,
    /// Intercept per score.
    pub intercept: Array1<f64>,
    /// Output transformation.
    pub link: Link,
}

impl LinearModel {
    /// Build and check a model.
    pub fn new(coef: Array2<f64>, intercept: Array1<f64>, link: Link) -> Result<Self> {
        if coef.nrows() == 0 || coef.ncols() == 0 {
            return Err(Error::invalid(
                "coef",
                "expected a non-empty coefficient matrix",
            ));
        }
        if intercept.len() != coef.nrows() {
            return Err(Error::invalid(
                "intercept",
                format!(
                    "expected {} values (one per row of coef), found {}",
                    coef.nrows(),
                    intercept.len()
                ),
            ));
        }
        if coef.iter().chain(intercept.iter()).any(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "coef",
                "coefficients and intercept must be finite",
            ));
        }
        if link == Link::Logistic && coef.nrows() != 1 {
            return Err(Error::invalid(
                "link",
                "a logistic link needs exactly one score (one row of coef)",
            ));
        }
        Ok(LinearModel {
            coef,
            intercept,
            link,
        })
    }

    /// Raw scores `x · coefᵀ + intercept`, row by row with ndarray's 1-D dot (one summation
    /// order everywhere): the 2-D `dot` runs matrixmultiply's kernels, which use FMA and SIMD
    /// natively but not on wasm32, so its last bits differ between the wheel and the browser.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.coef.nrows()));
        for (mut scores, row) in out.outer_iter_mut().zip(x.outer_iter()) {
            for ((s, w), b) in scores
                .iter_mut()
                .zip(self.coef.outer_iter())
                .zip(self.intercept.iter())
            {
                *s = row.dot(&w) + b;
            }
        }
        out
    }
}

impl Model for LinearModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.coef.ncols())
    }

    fn n_outputs(&self) -> usize {
        match self.link {
            Link::Logistic => 2,
            _ => self.coef.nrows(),
        }
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        Ok(apply_link(self.link, self.decision_function(x)))
    }

    fn linear_model(&self) -> Option<&LinearModel> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::sigmoid;
    use ndarray::array;

    #[test]
    fn logistic_outputs_probabilities() {
        let m = LinearModel::new(array![[2.0, -1.0]], array![0.5], Link::Logistic).unwrap();
        let p = m.predict(array![[1.0, 1.0], [0.0, 0.0]].view()).unwrap();
        assert!((p[[0, 1]] - sigmoid(1.5)).abs() < 1e-15);
        assert!((p[[1, 0]] + p[[1, 1]] - 1.0).abs() < 1e-15);
        assert!(LinearModel::new(array![[1.0]], array![0.0, 1.0], Link::Identity).is_err());
    }
}
