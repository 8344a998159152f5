//! Bindings of `aequa_core::explain::tree_shap`: TreeSHAP on a native tree ensemble. Params
//! and reports cross as the core's JSON, arrays as numpy views; the GIL is released while the
//! core walks the trees.

use aequa_core::explain::{
    tree_expected_value as core_expected, tree_shap as core_tree_shap,
    tree_shap_interaction_values as core_interactions, trees_of, TreeShapParams,
};
use numpy::{IntoPyArray, PyArray4, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::errors::{guard, json_err};
use crate::model::PyNativeModel;

fn parse(params_json: &str) -> PyResult<TreeShapParams> {
    serde_json::from_str(params_json).map_err(|e| json_err("params", &e))
}

/// SHAP values of a tree ensemble's raw output, as the report JSON.
#[pyfunction]
#[pyo3(signature = (model, x, data, params_json))]
fn tree_shap<'py>(
    py: Python<'py>,
    model: PyRef<'py, PyNativeModel>,
    x: PyReadonlyArray2<'py, f64>,
    data: Option<PyReadonlyArray2<'py, f64>>,
    params_json: &str,
) -> PyResult<String> {
    let params = parse(params_json)?;
    let (x, data) = (x.as_array(), data.as_ref().map(|d| d.as_array()));
    let inner = &model.inner;
    let report = py.detach(|| guard(|| core_tree_shap(trees_of(inner)?, x, data, &params)))?;
    serde_json::to_string(&report).map_err(|e| json_err("report", &e))
}

/// Path-dependent SHAP interaction values, rows × features × features × outputs.
#[pyfunction]
#[pyo3(signature = (model, x, data, params_json))]
fn tree_shap_interaction_values<'py>(
    py: Python<'py>,
    model: PyRef<'py, PyNativeModel>,
    x: PyReadonlyArray2<'py, f64>,
    data: Option<PyReadonlyArray2<'py, f64>>,
    params_json: &str,
) -> PyResult<Bound<'py, PyArray4<f64>>> {
    let params = parse(params_json)?;
    let (x, data) = (x.as_array(), data.as_ref().map(|d| d.as_array()));
    let inner = &model.inner;
    let values = py.detach(|| guard(|| core_interactions(trees_of(inner)?, x, data, &params)))?;
    Ok(values.into_pyarray(py))
}

/// The base value per raw output (SHAP's `expected_value`).
#[pyfunction]
#[pyo3(signature = (model, data, params_json))]
fn tree_expected_value<'py>(
    py: Python<'py>,
    model: PyRef<'py, PyNativeModel>,
    data: Option<PyReadonlyArray2<'py, f64>>,
    params_json: &str,
) -> PyResult<Vec<f64>> {
    let params = parse(params_json)?;
    let data = data.as_ref().map(|d| d.as_array());
    let inner = &model.inner;
    py.detach(|| guard(|| core_expected(trees_of(inner)?, data, &params)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(tree_shap, m)?)?;
    m.add_function(wrap_pyfunction!(tree_shap_interaction_values, m)?)?;
    m.add_function(wrap_pyfunction!(tree_expected_value, m)?)?;
    Ok(())
}
