//! # aequa-wasm
//!
//! The JS face of `aequa-core`: camelCase functions that convert a plain JS object (or its
//! JSON) into one `serde_json::Value`, read their arguments from it, call the core and hand
//! back its report — as a JS object (the report's JSON parsed by the host) or as the exact
//! `serde_json` string the Python wheel produces for the same inputs and seed. Core errors
//! become JS `Error`s with the core's message.

use aequa_core::fairness::disparity::{disparity as core_disparity, Agg, Disparity, Kind, Method};
use aequa_core::fairness::frame::reference_disparities_of;
use aequa_core::fairness::{metric_frame as core_metric_frame, Metric};
use aequa_core::report::MetricFrameReport;
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub mod columns;
pub mod input;

// Models, explanations, drift and robustness (issue 5): one file per family.
mod args;
// Size (issue 5): one hand-written reader of the arguments.
pub mod drift;
mod enums;
pub mod explain;
mod fields;
pub mod model;
mod model_json;
mod options;
pub mod robust;
pub mod train;

// Size (issue 5): `disparity` reads only the parts of a report it needs.
mod report_view;

use input::FrameArgs;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

/// Install the panic hook once, when the module loads, so a bug shows its message.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A disaggregated assessment (Fairlearn's MetricFrame) of a plain JS object `{yTrue, yPred,
/// sampleWeight?, sensitiveFeatures: [{name, values}], controlFeatures?, options,
/// bootstrapIndices?}`, returned as a JSON-compatible object.
#[wasm_bindgen(js_name = metricFrame, unchecked_return_type = "MetricFrameReport")]
pub fn metric_frame(
    #[wasm_bindgen(unchecked_param_type = "MetricFrameInput")] input: JsValue,
) -> Result<JsValue, JsError> {
    let args = frame_args(input)?;
    to_js(&compute(&args).map_err(core_error)?)
}

/// [`metric_frame`] from and to JSON text: the report exactly as `serde_json` writes it, byte
/// for byte what the Python wheel returns.
#[wasm_bindgen(js_name = metricFrameJson)]
pub fn metric_frame_json(json: &str) -> Result<String, JsError> {
    let args: FrameArgs = args::Input::from_json(json)?.parse()?;
    args::to_text(&compute(&args).map_err(core_error)?)
}

/// The canonical name of a metric or alias (`recall_score` → `true_positive_rate`).
#[wasm_bindgen(js_name = canonicalMetric)]
pub fn canonical_metric(name: &str) -> Result<String, JsError> {
    Metric::from_name(name)
        .map(|m| m.name().to_string())
        .map_err(core_error)
}

/// A Fairlearn one-number disparity (`demographic_parity`, `equal_opportunity`,
/// `equalized_odds`; `difference` | `ratio`; `between_groups` | `to_overall`; `worst_case` |
/// `mean`) from a report computed with the metrics it needs.
#[wasm_bindgen]
pub fn disparity(
    #[wasm_bindgen(unchecked_param_type = "MetricFrameReport")] report: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "\"demographic_parity\" | \"equal_opportunity\" | \"equalized_odds\""
    )]
    which: &str,
    #[wasm_bindgen(unchecked_param_type = "\"difference\" | \"ratio\"")] kind: &str,
    #[wasm_bindgen(unchecked_param_type = "\"between_groups\" | \"to_overall\"")] method: &str,
    #[wasm_bindgen(unchecked_param_type = "\"worst_case\" | \"mean\"")] agg: &str,
) -> Result<f64, JsError> {
    let report = from_js::<report_view::ReportView>("report", report)?.into_report();
    let which: Disparity = from_name("which", which)?;
    let kind: Kind = from_name("kind", kind)?;
    let method: Method = from_name("method", method)?;
    let agg: Agg = from_name("agg", agg)?;
    core_disparity(&report, which, kind, method, agg).map_err(core_error)
}

/// AIF360's signed disparities against the privileged group (its level labels, one per
/// sensitive feature), of the same input object as [`metric_frame`].
#[wasm_bindgen(
    js_name = referenceDisparities,
    unchecked_return_type = "ReferenceDisparities"
)]
pub fn reference_disparities(
    #[wasm_bindgen(unchecked_param_type = "MetricFrameInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] privileged: JsValue,
) -> Result<JsValue, JsError> {
    let args = frame_args(input)?;
    let privileged: Vec<String> = from_js("privileged", privileged)?;
    let (sensitive, control) = args.encode().map_err(core_error)?;
    let spec = args.options().spec;
    let out = reference_disparities_of(&args.input(&sensitive, &control), spec, &privileged)
        .map_err(core_error)?;
    to_js(&out)
}

fn compute(args: &FrameArgs) -> aequa_core::Result<MetricFrameReport> {
    let (sensitive, control) = args.encode()?;
    let indices = args.indices()?;
    core_metric_frame(
        &args.input(&sensitive, &control),
        &args.options(),
        indices.as_ref().map(|i| i.view()),
    )
}

/// The input object, its keys checked first (serde skips keys it does not know).
fn frame_args(input: JsValue) -> Result<FrameArgs, JsError> {
    check_keys(&input, "input", input::INPUT_KEYS)?;
    if input.is_object() {
        // serde would try to iterate an explicit `undefined` and fail obscurely.
        for key in ["yTrue", "yPred", "sensitiveFeatures"] {
            if get(&input, key).is_undefined() {
                return Err(JsError::new(&format!("input: missing field `{key}`")));
            }
        }
    }
    for name in ["sensitiveFeatures", "controlFeatures"] {
        if let Ok(list) = get(&input, name).dyn_into::<js_sys::Array>() {
            for feature in list.iter() {
                check_keys(&feature, name, input::FEATURE_KEYS)?;
            }
        }
    }
    let options = get(&input, "options");
    check_keys(&options, "options", input::OPTIONS_KEYS)?;
    check_keys(
        &get(&options, "bootstrap"),
        "bootstrap",
        input::BOOTSTRAP_KEYS,
    )?;
    // Float64Array columns are copied in one go (`args::Input::value_of` sets them aside).
    from_js("input", input)
}

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// An object's keys must be among `allowed` (anything else is left to serde to judge).
fn check_keys(value: &JsValue, argument: &str, allowed: &[&str]) -> Result<(), JsError> {
    let Some(object) = value.dyn_ref::<js_sys::Object>() else {
        return Ok(());
    };
    if js_sys::Array::is_array(value) {
        return Ok(());
    }
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            let expected: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
            return Err(JsError::new(&format!(
                "{argument}: unknown field `{key}`, expected one of {}",
                expected.join(", ")
            )));
        }
    }
    Ok(())
}

/// The one mapping from core errors to JS: an `Error` carrying the core's message.
fn core_error(e: aequa_core::Error) -> JsError {
    JsError::new(&e.to_string())
}

fn arg_error(argument: &str, e: &dyn std::fmt::Display) -> JsError {
    JsError::new(&format!("{argument}: {e}"))
}

fn from_js<T: args::Read>(argument: &str, value: JsValue) -> Result<T, JsError> {
    // Through the JSON value every other export reads (one reader in the module).
    let value = args::Input::value_of(&value, argument)?;
    T::read(&value).map_err(|e| arg_error(argument, &e))
}

fn from_name<T: args::Read>(argument: &str, name: &str) -> Result<T, JsError> {
    T::read(&serde_json::Value::String(name.to_string())).map_err(|e| arg_error(argument, &e))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    args::to_js(value)
}
