//! Models crossing into Rust: a native model (evaluated with no Python in the loop) or any
//! Python callable `f(X) -> array`, called once per batch with the GIL held only for the call.
//! An exception raised by the user's model is kept and re-raised unchanged (type, traceback).

// Used by the explainers and probes, which are being added on top of this file.
#![allow(dead_code)]

use std::sync::Mutex;

use aequa_core::model::{Model, NativeModel};
use aequa_core::Error;
use ndarray::{Array2, ArrayView2};
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2, ToPyArray};
use pyo3::prelude::*;

use crate::errors::{guard, json_err, InvalidArgumentError};

/// A native model, built from its JSON (see `aequa_core::model::NativeModel`).
#[pyclass(module = "aequa._core", name = "NativeModel", frozen)]
#[derive(Debug)]
pub struct PyNativeModel {
    pub inner: NativeModel,
}

#[pymethods]
impl PyNativeModel {
    #[new]
    fn new(json: &str) -> PyResult<Self> {
        Ok(PyNativeModel {
            inner: guard(|| NativeModel::from_json(json))?,
        })
    }

    /// Predictions for a batch (rows × outputs).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        let x = x.as_array();
        let inner = &self.inner;
        let out = py.detach(|| {
            guard(|| {
                aequa_core::model::check_features(inner, x, "X")?;
                inner.predict(x)
            })
        })?;
        Ok(out.to_pyarray(py))
    }

    #[getter]
    fn n_features(&self) -> Option<usize> {
        self.inner.n_features()
    }

    #[getter]
    fn n_outputs(&self) -> usize {
        self.inner.n_outputs()
    }

    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| json_err("model", &e))
    }
}

/// A Python callable as a core model.
#[derive(Debug)]
pub struct PyModel {
    func: Py<PyAny>,
    n_outputs: usize,
    n_features: Option<usize>,
    /// The exception the callable raised, to re-raise once the core returns.
    raised: Mutex<Option<PyErr>>,
}

impl PyModel {
    pub fn new(func: Py<PyAny>, n_outputs: usize, n_features: Option<usize>) -> Self {
        PyModel {
            func,
            n_outputs,
            n_features,
            raised: Mutex::new(None),
        }
    }

    /// The user's exception, if the model raised one.
    pub fn take_raised(&self) -> Option<PyErr> {
        self.raised.lock().ok().and_then(|mut e| e.take())
    }

    fn call(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, PyErr> {
        Python::attach(|py| {
            let out = self.func.bind(py).call1((x.to_pyarray(py),))?;
            Self::output(py, out)
        })
    }

    /// [`call`](Self::call) on a batch handed over: NumPy takes the buffer, no copy.
    fn call_owned(&self, x: Array2<f64>) -> Result<Array2<f64>, PyErr> {
        Python::attach(|py| {
            let out = self.func.bind(py).call1((x.into_pyarray(py),))?;
            Self::output(py, out)
        })
    }

    /// The callable's output as a rows × outputs matrix.
    fn output(py: Python<'_>, out: Bound<'_, PyAny>) -> Result<Array2<f64>, PyErr> {
        let arr = py
            .import("numpy")?
            .getattr("asarray")?
            .call1((out, "float64"))
            .map_err(|e| {
                InvalidArgumentError::new_err(format!(
                    "model: expected the callable to return numbers, found output that \
                     is not numeric ({e})"
                ))
            })?;
        if let Ok(a) = arr.extract::<PyReadonlyArray2<'_, f64>>() {
            return Ok(a.as_array().to_owned());
        }
        if let Ok(a) = arr.extract::<PyReadonlyArray1<'_, f64>>() {
            let v = a.as_array().to_owned();
            let n = v.len();
            return v
                .into_shape_with_order((n, 1))
                .map_err(|e| InvalidArgumentError::new_err(e.to_string()));
        }
        let shape = arr
            .getattr("shape")
            .map(|s| s.to_string())
            .unwrap_or_default();
        Err(InvalidArgumentError::new_err(format!(
            "model: expected the callable to return a 1-D or 2-D array of numbers, found shape {shape}"
        )))
    }
}

impl Model for PyModel {
    fn n_features(&self) -> Option<usize> {
        self.n_features
    }

    fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> aequa_core::Result<Array2<f64>> {
        let result = self.call(x);
        self.core_result(result)
    }

    fn predict_owned(&self, x: Array2<f64>) -> aequa_core::Result<Array2<f64>> {
        let result = self.call_owned(x);
        self.core_result(result)
    }
}

impl PyModel {
    /// A core result; the user's exception is kept to be re-raised unchanged.
    fn core_result(&self, result: PyResult<Array2<f64>>) -> aequa_core::Result<Array2<f64>> {
        result.map_err(|e| {
            let msg = Python::attach(|py| e.value(py).to_string());
            if let Ok(mut slot) = self.raised.lock() {
                slot.get_or_insert(e);
            }
            Error::invalid("model", format!("the model raised an exception: {msg}"))
        })
    }
}

/// The model argument of an explainer: a native model or a Python callable.
#[derive(Debug)]
pub enum ModelArg {
    Native(NativeModel),
    Python(PyModel),
}

impl ModelArg {
    /// Accept a `NativeModel` or a callable; `n_outputs` of a callable is found by calling it
    /// on `probe` (one row), which counts as one model call.
    pub fn extract(obj: &Bound<'_, PyAny>, probe: ArrayView2<'_, f64>) -> PyResult<Self> {
        if let Ok(native) = obj.cast::<PyNativeModel>() {
            return Ok(ModelArg::Native(native.get().inner.clone()));
        }
        if !obj.is_callable() {
            return Err(InvalidArgumentError::new_err(format!(
                "model: expected a callable f(X) -> predictions or an aequa NativeModel, found {}",
                obj.get_type()
            )));
        }
        let model = PyModel::new(obj.clone().unbind(), 1, Some(probe.ncols()));
        let out = model.call(probe.slice(ndarray::s![0..1.min(probe.nrows()), ..]))?;
        Ok(ModelArg::Python(PyModel::new(
            obj.clone().unbind(),
            out.ncols(),
            Some(probe.ncols()),
        )))
    }

    pub fn as_model(&self) -> &dyn Model {
        match self {
            ModelArg::Native(m) => m,
            ModelArg::Python(m) => m,
        }
    }

    /// Convert a core result, re-raising the user's exception when the model raised one.
    pub fn finish<T>(&self, result: PyResult<T>) -> PyResult<T> {
        if let ModelArg::Python(m) = self {
            if let Some(e) = m.take_raised() {
                return Err(e);
            }
        }
        result
    }
}

/// An XGBoost JSON model (`Booster.save_raw("json")`) as a native model for `output`.
#[pyfunction]
fn load_xgboost_json(py: Python<'_>, text: &str, output: &str) -> PyResult<PyNativeModel> {
    let inner =
        py.detach(|| guard(|| aequa_core::model::xgboost::from_json(text, output.parse()?)))?;
    Ok(PyNativeModel {
        inner: NativeModel::Trees(inner),
    })
}

/// A LightGBM text model (`Booster.model_to_string()`) as a native model for `output`.
#[pyfunction]
fn load_lightgbm_text(py: Python<'_>, text: &str, output: &str) -> PyResult<PyNativeModel> {
    let inner =
        py.detach(|| guard(|| aequa_core::model::lightgbm::from_text(text, output.parse()?)))?;
    Ok(PyNativeModel {
        inner: NativeModel::Trees(inner),
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyNativeModel>()?;
    m.add_function(wrap_pyfunction!(load_xgboost_json, m)?)?;
    m.add_function(wrap_pyfunction!(load_lightgbm_text, m)?)?;
    Ok(())
}
