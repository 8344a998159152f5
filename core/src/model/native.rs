//! The native models as one serialisable type: the JSON a browser or another process loads.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{LinearModel, Model, TreeEnsemble};

/// A model evaluated in Rust.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NativeModel {
    /// Linear or logistic model.
    Linear(LinearModel),
    /// Tree ensemble.
    Trees(TreeEnsemble),
}

impl NativeModel {
    /// Parse and check a model's JSON.
    pub fn from_json(text: &str) -> Result<Self> {
        let model: NativeModel = serde_json::from_str(text)
            .map_err(|e| Error::invalid("model", format!("malformed model JSON: {e}")))?;
        if let NativeModel::Trees(t) = &model {
            t.check()?;
        }
        Ok(model)
    }

    // `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
    // that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
    /// The model's JSON.
    #[inline]
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self)
            .map_err(|e| Error::invalid("model", format!("cannot serialise: {e}")))
    }

    fn inner(&self) -> &dyn Model {
        match self {
            NativeModel::Linear(m) => m,
            NativeModel::Trees(m) => m,
        }
    }
}

impl Model for NativeModel {
    fn n_features(&self) -> Option<usize> {
        self.inner().n_features()
    }

    fn n_outputs(&self) -> usize {
        self.inner().n_outputs()
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.inner().predict(x)
    }

    fn tree_ensemble(&self) -> Option<&TreeEnsemble> {
        match self {
            NativeModel::Trees(t) => Some(t),
            NativeModel::Linear(_) => None,
        }
    }

    fn linear_model(&self) -> Option<&LinearModel> {
        match self {
            NativeModel::Linear(m) => Some(m),
            NativeModel::Trees(_) => None,
        }
    }
}
