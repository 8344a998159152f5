//! Bindings of the robustness probes (`aequa_core::robust`): options and reports cross as the
//! core's JSON, arrays as numpy views; the model is a `NativeModel` or a Python callable. The
//! wall time is measured here (the core has no clock on wasm32).

use std::time::Instant;

use aequa_core::robust::noise::{noise_stability as core_noise, NoiseOptions};
use aequa_core::robust::sensitive_flip::{sensitive_flip as core_flip, FlipOptions};
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::convert::{features, PyFeature};
use crate::errors::{guard, json_err};
use crate::model::ModelArg;

fn parse<T: DeserializeOwned>(json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| json_err("options", &e))
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| json_err("report", &e))
}

/// Noise stability; the report as JSON.
#[pyfunction]
#[pyo3(signature = (model, x, options_json, sensitive=Vec::new()))]
fn noise_stability<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    options_json: &str,
    sensitive: Vec<PyFeature<'py>>,
) -> PyResult<String> {
    let options: NoiseOptions = parse(options_json)?;
    let x = x.as_array();
    guard(|| aequa_core::robust::check_matrix(x, "X"))?;
    let model = ModelArg::extract(model, x)?;
    let groups = features(&sensitive);
    let start = Instant::now();
    let result = py.detach(|| guard(|| core_noise(model.as_model(), x, &groups, &options)));
    let mut report = model.finish(result)?;
    report.elapsed_seconds = Some(start.elapsed().as_secs_f64());
    to_json(&report)
}

/// Counterfactual sensitive-attribute probe; the report as JSON.
#[pyfunction]
fn sensitive_flip<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    options_json: &str,
) -> PyResult<String> {
    let options: FlipOptions = parse(options_json)?;
    let x = x.as_array();
    guard(|| aequa_core::robust::check_matrix(x, "X"))?;
    let model = ModelArg::extract(model, x)?;
    let start = Instant::now();
    let result = py.detach(|| guard(|| core_flip(model.as_model(), x, &options)));
    let mut report = model.finish(result)?;
    report.elapsed_seconds = Some(start.elapsed().as_secs_f64());
    to_json(&report)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(noise_stability, m)?)?;
    m.add_function(wrap_pyfunction!(sensitive_flip, m)?)?;
    Ok(())
}
