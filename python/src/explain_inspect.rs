//! Bindings of the inspection methods (`aequa_core::explain::{permutation_importance,
//! partial_dependence, ale}`): options and reports cross as the core's JSON, arrays as numpy
//! views; the model is a `NativeModel` or a Python callable (see `model.rs`).

use aequa_core::explain::ale::{accumulated_local_effects as core_ale, AleOptions};
use aequa_core::explain::partial_dependence::{partial_dependence as core_pd, DependenceOptions};
use aequa_core::explain::permutation_importance::{
    check_x, permutation_importance as core_pi, PermutationInput, PermutationOptions,
};
use aequa_core::explain::scoring::Target;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
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

/// Permutation importance; the report as JSON.
#[pyfunction]
#[pyo3(signature = (model, x, y, options_json, sample_weight=None, sensitive=Vec::new(), permutations=None, sample_indices=None))]
#[allow(clippy::too_many_arguments)]
fn permutation_importance<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, f64>,
    options_json: &str,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
    sensitive: Vec<PyFeature<'py>>,
    permutations: Option<PyReadonlyArray2<'py, i64>>,
    sample_indices: Option<PyReadonlyArray1<'py, i64>>,
) -> PyResult<String> {
    let options: PermutationOptions = parse(options_json)?;
    let (x, y) = (x.as_array(), y.as_array());
    guard(|| check_x(x, y.len()))?;
    let model = ModelArg::extract(model, x)?;
    let input = PermutationInput {
        x,
        target: Target {
            y_true: y,
            sample_weight: sample_weight.as_ref().map(|w| w.as_array()),
            sensitive: features(&sensitive),
        },
        permutations: permutations.as_ref().map(|p| p.as_array()),
        sample_indices: sample_indices.as_ref().map(|s| s.as_array()),
    };
    let result = py.detach(|| guard(|| core_pi(model.as_model(), &input, &options)));
    to_json(&model.finish(result)?)
}

/// Partial dependence / ICE; the report as JSON.
#[pyfunction]
#[pyo3(signature = (model, x, options_json, sample_weight=None))]
fn partial_dependence<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    options_json: &str,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<String> {
    let options: DependenceOptions = parse(options_json)?;
    let x = x.as_array();
    guard(|| check_x(x, x.nrows()))?;
    let model = ModelArg::extract(model, x)?;
    let w = sample_weight.as_ref().map(|w| w.as_array());
    let result = py.detach(|| guard(|| core_pd(model.as_model(), x, w, &options)));
    to_json(&model.finish(result)?)
}

/// Accumulated local effects; the report as JSON.
#[pyfunction]
fn accumulated_local_effects<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    options_json: &str,
) -> PyResult<String> {
    let options: AleOptions = parse(options_json)?;
    let x = x.as_array();
    guard(|| check_x(x, x.nrows()))?;
    let model = ModelArg::extract(model, x)?;
    let result = py.detach(|| guard(|| core_ale(model.as_model(), x, &options)));
    to_json(&model.finish(result)?)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(permutation_importance, m)?)?;
    m.add_function(wrap_pyfunction!(partial_dependence, m)?)?;
    m.add_function(wrap_pyfunction!(accumulated_local_effects, m)?)?;
    Ok(())
}
