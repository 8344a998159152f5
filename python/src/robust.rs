//! Bindings of the robustness probes (`aequa_core::robust`): options and reports cross as the
//! core's JSON, arrays as numpy views; the model is a `NativeModel` or a Python callable. The
//! wall time is measured here (the core has no clock on wasm32).

use std::time::Instant;

use aequa_core::model::{LinearModel, NativeModel};
use aequa_core::robust::constraints::Constraints;
use aequa_core::robust::hop_skip_jump::{hop_skip_jump as core_hsj, HsjOptions};
use aequa_core::robust::linear_attack::{self, GradientOptions, Norm};
use aequa_core::robust::noise::{noise_stability as core_noise, NoiseOptions};
use aequa_core::robust::sensitive_flip::{sensitive_flip as core_flip, FlipOptions};
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::convert::{features, PyFeature};
use crate::errors::{guard, json_err, UnsupportedError};
use crate::model::{ModelArg, PyNativeModel};

/// `model.finish(result)`, with the core's message (naming the failed query) added as a note to
/// the user's own exception when the model raised one.
fn finish<T>(py: Python<'_>, model: &ModelArg, result: PyResult<T>) -> PyResult<T> {
    let core_msg = result.as_ref().err().map(|e| e.value(py).to_string());
    match model.finish(result) {
        Err(e) => {
            if let Some(m) = core_msg {
                if e.value(py).to_string() != m {
                    // Best effort: a note never replaces the user's exception.
                    let _ = e.value(py).call_method1("add_note", (m,));
                }
            }
            Err(e)
        }
        ok => ok,
    }
}

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
    let mut report = finish(py, &model, result)?;
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
    let mut report = finish(py, &model, result)?;
    report.elapsed_seconds = Some(start.elapsed().as_secs_f64());
    to_json(&report)
}

fn linear(model: &PyNativeModel) -> PyResult<&LinearModel> {
    match &model.inner {
        NativeModel::Linear(m) => Ok(m),
        NativeModel::Trees(_) => Err(UnsupportedError::new_err(
            "model: gradient attacks need a native linear or logistic model, found a tree \
             ensemble; use hop_skip_jump",
        )),
    }
}

/// FGSM (`kind = "fgsm"`) or PGD (`"pgd"`) on a native linear model; the report as JSON.
#[pyfunction]
#[pyo3(signature = (kind, model, x, options_json, y=None))]
fn gradient_attack<'py>(
    py: Python<'py>,
    kind: &str,
    model: &PyNativeModel,
    x: PyReadonlyArray2<'py, f64>,
    options_json: &str,
    y: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<String> {
    let options: GradientOptions = parse(options_json)?;
    let m = linear(model)?;
    let (x, y) = (x.as_array(), y.as_ref().map(|y| y.as_array()));
    let start = Instant::now();
    let mut report = py.detach(|| {
        guard(|| match kind {
            "pgd" => linear_attack::pgd(m, x, y, &options),
            _ => linear_attack::fgsm(m, x, y, &options),
        })
    })?;
    report.elapsed_seconds = Some(start.elapsed().as_secs_f64());
    to_json(&report)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MinimalOptions {
    norm: Norm,
    #[serde(default)]
    constraints: Constraints,
    overshoot: f64,
}

/// The exact minimal perturbation of a binary linear model (closed form) or a single tree
/// (nearest leaf box); the report as JSON.
#[pyfunction]
fn minimal_perturbation<'py>(
    py: Python<'py>,
    model: &PyNativeModel,
    x: PyReadonlyArray2<'py, f64>,
    options_json: &str,
) -> PyResult<String> {
    let o: MinimalOptions = parse(options_json)?;
    let x = x.as_array();
    let inner = &model.inner;
    let start = Instant::now();
    let mut report = py.detach(|| {
        guard(|| match inner {
            NativeModel::Linear(m) => {
                linear_attack::minimal_perturbation(m, x, o.norm, &o.constraints, o.overshoot)
            }
            NativeModel::Trees(t) => aequa_core::robust::tree_attack::tree_minimal_perturbation(
                t,
                x,
                o.norm,
                &o.constraints,
                0.5,
            ),
        })
    })?;
    report.elapsed_seconds = Some(start.elapsed().as_secs_f64());
    to_json(&report)
}

/// HopSkipJump on any model; the report as JSON.
#[pyfunction]
#[pyo3(signature = (model, x, options_json, y=None))]
fn hop_skip_jump<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    options_json: &str,
    y: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<String> {
    let options: HsjOptions = parse(options_json)?;
    let (x, y) = (x.as_array(), y.as_ref().map(|y| y.as_array()));
    guard(|| aequa_core::robust::check_matrix(x, "X"))?;
    let model = ModelArg::extract(model, x)?;
    let start = Instant::now();
    let result = py.detach(|| guard(|| core_hsj(model.as_model(), x, y, &options)));
    let mut report = finish(py, &model, result)?;
    report.elapsed_seconds = Some(start.elapsed().as_secs_f64());
    to_json(&report)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(noise_stability, m)?)?;
    m.add_function(wrap_pyfunction!(sensitive_flip, m)?)?;
    m.add_function(wrap_pyfunction!(gradient_attack, m)?)?;
    m.add_function(wrap_pyfunction!(minimal_perturbation, m)?)?;
    m.add_function(wrap_pyfunction!(hop_skip_jump, m)?)?;
    Ok(())
}
