//! Bindings of the model-agnostic Shapley methods (`aequa_core::explain::{exact, permutation,
//! kernel}`) and of linear SHAP. Options and reports cross as the core's JSON.

use aequa_core::explain::exact::{exact_shapley, ExactOptions};
use aequa_core::explain::kernel::{kernel_shapley, KernelOptions};
use aequa_core::explain::linear_shap::{linear_shap as core_linear_shap, LinearShapOptions};
use aequa_core::explain::permutation::{permutation_shapley, PermutationOptions};
use aequa_core::model::NativeModel;
use aequa_core::report::ExplanationReport;
use aequa_core::Error;
use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::errors::{guard, json_err, InvalidArgumentError};
use crate::model::{ModelArg, PyNativeModel};

fn parse<T: DeserializeOwned>(json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| json_err("options", &e))
}

/// Options of one method, parsed before the GIL is released.
enum Method {
    Exact(ExactOptions),
    Permutation(PermutationOptions),
    Kernel(KernelOptions),
}

/// Shapley values (`method` = `exact`, `permutation` or `kernel`) as the report's JSON.
#[pyfunction]
fn shapley_values<'py>(
    py: Python<'py>,
    method: &str,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    background: PyReadonlyArray2<'py, f64>,
    options_json: &str,
) -> PyResult<String> {
    let method = match method {
        "exact" => Method::Exact(parse(options_json)?),
        "permutation" => Method::Permutation(parse(options_json)?),
        "kernel" => Method::Kernel(parse(options_json)?),
        other => {
            return Err(InvalidArgumentError::new_err(format!(
                "method: expected 'exact', 'permutation' or 'kernel', found {other:?}"
            )))
        }
    };
    let (x, bg) = (x.as_array(), background.as_array());
    let model = ModelArg::extract(model, if x.nrows() > 0 { x } else { bg })?;
    let m = model.as_model();
    let report = py.detach(|| {
        guard(|| match &method {
            Method::Exact(o) => exact_shapley(m, x, bg, o),
            Method::Permutation(o) => permutation_shapley(m, x, bg, o),
            Method::Kernel(o) => kernel_shapley(m, x, bg, o),
        })
    });
    to_json(&model.finish(report)?)
}

/// Interventional linear SHAP of a linear `NativeModel`'s scores, as the report's JSON.
#[pyfunction]
fn linear_shap<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyNativeModel>,
    x: PyReadonlyArray2<'py, f64>,
    background: PyReadonlyArray2<'py, f64>,
    options_json: &str,
) -> PyResult<String> {
    let options: LinearShapOptions = parse(options_json)?;
    let (x, bg) = (x.as_array(), background.as_array());
    let native = &model.get().inner;
    let report = py.detach(|| {
        guard(|| match native {
            NativeModel::Linear(lm) => core_linear_shap(lm, x, bg, &options),
            _ => Err(Error::invalid(
                "model",
                "LinearExplainer needs a linear model; use TreeExplainer for tree ensembles \
                 or ExactExplainer/PermutationExplainer for any model",
            )),
        })
    })?;
    to_json(&report)
}

fn to_json(report: &ExplanationReport) -> PyResult<String> {
    serde_json::to_string(report).map_err(|e| json_err("report", &e))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(shapley_values, m)?)?;
    m.add_function(wrap_pyfunction!(linear_shap, m)?)?;
    Ok(())
}
