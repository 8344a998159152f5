//! Models from JS: a native model (the JSON `NativeModel.to_json()` writes, as an object or as
//! text), or a JS function `f(data: Float64Array, nRows: number) -> Float64Array | number[] |
//! number[][]` called once per batch with the rows row-major. The function's output is checked
//! (length, finiteness); an exception it throws becomes the export's `Error` with its message.

use std::cell::RefCell;

use aequa_core::model::{check_features, predict_checked, Model, NativeModel};
use aequa_core::Error;
use ndarray::{Array2, ArrayView2};
use wasm_bindgen::prelude::*;

use crate::args::{
    core_error, export, invalid_type, to_js, to_text, Fields, FlatOut, Input, Matrix, Msg, Read,
};
use aequa_core::report::Num;

thread_local! {
    /// The JS functions in use by running calls. The core's `Model` is `Sync`, a JS function is
    /// not: a [`JsModel`] holds the index of its function here (wasm32 runs one thread).
    static FUNCTIONS: RefCell<Vec<Option<js_sys::Function>>> = const { RefCell::new(Vec::new()) };
}

/// A JS function as a core model; its function is released when it is dropped.
#[derive(Debug)]
pub struct JsModel {
    slot: usize,
    n_features: usize,
    n_outputs: usize,
}

impl JsModel {
    /// Register `func`; the number of outputs is found by calling it on `probe`'s first row.
    pub fn new(func: js_sys::Function, probe: ArrayView2<'_, f64>) -> aequa_core::Result<Self> {
        let slot = FUNCTIONS.with(|f| {
            let mut f = f.borrow_mut();
            f.push(Some(func));
            f.len() - 1
        });
        let mut model = JsModel {
            slot,
            n_features: probe.ncols(),
            n_outputs: 1,
        };
        if probe.nrows() == 0 {
            return Err(Error::invalid(
                "x",
                "expected at least one row to call the model on, found 0 rows",
            ));
        }
        let first = probe.slice(ndarray::s![0..1, ..]);
        let out = model.call(first)?;
        model.n_outputs = out.len().max(1);
        Ok(model)
    }

    /// Call the function on `x` and read its output as a flat row-major vector.
    fn call(&self, x: ArrayView2<'_, f64>) -> aequa_core::Result<Vec<f64>> {
        let func = FUNCTIONS
            .with(|f| f.borrow().get(self.slot).cloned().flatten())
            .ok_or_else(|| Error::invalid("model", "the JS function is no longer available"))?;
        let rows = x.as_standard_layout();
        let data = js_sys::Float64Array::from(rows.as_slice().unwrap_or(&[]));
        #[allow(clippy::cast_precision_loss)]
        let n_rows = JsValue::from_f64(x.nrows() as f64);
        let out = func.call2(&JsValue::NULL, &data, &n_rows).map_err(|e| {
            Error::invalid(
                "model",
                format!("the model raised an exception: {}", message(&e)),
            )
        })?;
        flatten(&out)
    }
}

impl Drop for JsModel {
    fn drop(&mut self) {
        FUNCTIONS.with(|f| {
            let mut f = f.borrow_mut();
            if let Some(entry) = f.get_mut(self.slot) {
                *entry = None;
            }
            while f.last().is_some_and(Option::is_none) {
                f.pop();
            }
        });
    }
}

impl Model for JsModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.n_features)
    }

    fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> aequa_core::Result<Array2<f64>> {
        let flat = self.call(x)?;
        let expected = x.nrows() * self.n_outputs;
        if flat.len() != expected {
            return Err(Error::invalid(
                "model",
                format!(
                    "expected the function to return {expected} numbers ({} rows × {} outputs), found {}",
                    x.nrows(),
                    self.n_outputs,
                    flat.len()
                ),
            ));
        }
        Array2::from_shape_vec((x.nrows(), self.n_outputs), flat)
            .map_err(|e| Error::invalid("model", e.to_string()))
    }
}

/// The text of a thrown JS value: an `Error`'s message, else its string form.
fn message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| {
        format!("{e:?}")
            .trim_start_matches("JsValue(")
            .trim_end_matches(')')
            .to_string()
    })
}

/// A function's output as numbers: a typed array, a number array or an array of rows.
fn flatten(out: &JsValue) -> aequa_core::Result<Vec<f64>> {
    if let Some(a) = out.dyn_ref::<js_sys::Float64Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = out.dyn_ref::<js_sys::Float32Array>() {
        return Ok(a.to_vec().into_iter().map(f64::from).collect());
    }
    if let Some(list) = out.dyn_ref::<js_sys::Array>() {
        let mut flat = Vec::with_capacity(list.length() as usize);
        for item in list.iter() {
            if let Some(v) = item.as_f64() {
                flat.push(v);
            } else if let Some(row) = item.dyn_ref::<js_sys::Array>() {
                for v in row.iter() {
                    flat.push(v.as_f64().ok_or_else(not_numbers)?);
                }
            } else if let Some(row) = item.dyn_ref::<js_sys::Float64Array>() {
                flat.extend(row.to_vec());
            } else {
                return Err(not_numbers());
            }
        }
        return Ok(flat);
    }
    Err(not_numbers())
}

fn not_numbers() -> Error {
    Error::invalid(
        "model",
        "expected the function to return a Float64Array, a number array or an array of rows of numbers",
    )
}

/// The `model` argument of an export.
#[derive(Debug)]
pub enum ModelArg {
    Native(NativeModel),
    Js(JsModel),
}

impl ModelArg {
    /// The model of `input`: its JS function, or the native model in `value` (object or text).
    pub fn resolve(
        input: &Input,
        value: Option<&serde_json::Value>,
        probe: ArrayView2<'_, f64>,
    ) -> Result<Self, JsError> {
        if let Some(func) = &input.func {
            return JsModel::new(func.clone(), probe)
                .map(ModelArg::Js)
                .map_err(core_error);
        }
        native(value).map(ModelArg::Native)
    }

    pub fn as_model(&self) -> &dyn Model {
        match self {
            ModelArg::Native(m) => m,
            ModelArg::Js(m) => m,
        }
    }
}

/// The native model in `value`: its JSON object, or its JSON text. Read from the JSON value
/// (as every other argument) and checked as `NativeModel::from_json` checks it, so the module
/// carries one deserializer of the model types, not two.
pub fn native(value: Option<&serde_json::Value>) -> Result<NativeModel, JsError> {
    let malformed = |e: &dyn std::fmt::Display| {
        core_error(Error::invalid(
            "model",
            format!("malformed model JSON: {e}"),
        ))
    };
    let parsed;
    let value = match value {
        None | Some(serde_json::Value::Null) => {
            return Err(JsError::new(
                "model: expected a native model (its JSON object or text) or a JS function f(data, nRows), found nothing",
            ))
        }
        Some(serde_json::Value::String(s)) => {
            parsed = serde_json::from_str::<serde_json::Value>(s).map_err(|e| malformed(&e))?;
            &parsed
        }
        Some(v) => v,
    };
    let model = tagged(value).map_err(|e| malformed(&e))?;
    if let NativeModel::Trees(t) = &model {
        t.check().map_err(core_error)?;
    }
    Ok(model)
}

/// `NativeModel`'s `{"kind": ..., ...}` read by hand: the derived reader of an internally
/// tagged enum buffers the whole model (every tree) before reading it again, and carries a
/// second copy of every model type's reader in the module. The models are read by
/// `crate::model_json` with serde's messages, so they equal `NativeModel::from_json`'s; the
/// variants ignore the `kind` key.
fn tagged(value: &serde_json::Value) -> Result<NativeModel, Msg> {
    use serde_json::Value;
    if !value.is_object() {
        return Err(invalid_type(value, "internally tagged enum NativeModel"));
    }
    match value.get("kind") {
        None => Err("missing field `kind`".into()),
        Some(Value::String(kind)) if kind == "linear" => {
            aequa_core::model::LinearModel::read(value).map(NativeModel::Linear)
        }
        Some(Value::String(kind)) if kind == "trees" => {
            aequa_core::model::TreeEnsemble::read(value).map(NativeModel::Trees)
        }
        Some(Value::String(kind)) => Err(format!(
            "unknown variant `{kind}`, expected `linear` or `trees`"
        )),
        Some(_) => Err("invalid type: a non-string kind, expected variant identifier".into()),
    }
}

#[derive(Debug)]
struct PredictArgs {
    model: Option<serde_json::Value>,
    x: Matrix,
}

impl Read for PredictArgs {
    fn read(v: &serde_json::Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["model", "x"])?;
        Ok(PredictArgs {
            model: f.opt("model")?,
            x: f.req("x")?,
        })
    }
}

fn compute_predict(input: &Input) -> Result<FlatOut, JsError> {
    let args: PredictArgs = input.parse()?;
    let x = args.x.array("x")?;
    let model = ModelArg::resolve(input, args.model.as_ref(), x.view())?;
    let m = model.as_model();
    check_features(m, x.view(), "x").map_err(core_error)?;
    if let ModelArg::Native(NativeModel::Linear(_)) = &model {
        // Trees send a missing value down each split's default branch; a linear model has no
        // answer for it, so say so rather than report a NaN output.
        if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(JsError::new(&format!(
                "x: a linear model needs finite values, found {v} at row {}, column {}; drop or impute missing values first",
                i / x.ncols().max(1),
                i % x.ncols().max(1)
            )));
        }
    }
    let out = predict_checked(m, x.view()).map_err(core_error)?;
    Ok(FlatOut {
        n_rows: out.nrows(),
        n_cols: out.ncols(),
        data: out.iter().map(|v| Num(*v)).collect(),
    })
}

/// Predictions of `model` (a native model's JSON object or text, or a JS function `f(data,
/// nRows)`) for the rows of `x`: `{data, nRows, nCols}` with one column per output.
#[wasm_bindgen(unchecked_return_type = "Matrix")]
pub fn predict(
    #[wasm_bindgen(unchecked_param_type = "ModelInput")] model: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MatrixInput")] x: JsValue,
) -> Result<JsValue, JsError> {
    let input = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&input, &JsValue::from_str("model"), &model);
    let _ = js_sys::Reflect::set(&input, &JsValue::from_str("x"), &x);
    let out = compute_predict(&Input::from_js(input.into())?)?;
    // A typed array for the data: what JS code holding many rows wants.
    let data: Vec<f64> = out.data.iter().map(|v| v.0).collect();
    let result = to_js(&out)?;
    let _ = js_sys::Reflect::set(
        &result,
        &JsValue::from_str("data"),
        &js_sys::Float64Array::from(data.as_slice()),
    );
    Ok(result)
}

/// [`predict`] from JSON text `{"model": ..., "x": ...}` to `{"data":[...],"nRows":..,"nCols":..}`.
#[wasm_bindgen(js_name = predictJson)]
pub fn predict_json(input: &str) -> Result<String, JsError> {
    to_text(&compute_predict(&Input::from_json(input)?)?)
}

fn compute_check(input: &Input) -> Result<serde_json::Value, JsError> {
    let model = native(Some(&input.value))?;
    serde_json::from_str(&model.to_json().map_err(core_error)?)
        .map_err(|e| crate::args::arg_error("model", &e))
}

export!(
    /// A native model's JSON checked and normalised (as `NativeModel(json).to_json()` in Python).
    load_model, "loadModel", load_model_json, "loadModelJson", "NativeModelJson",
    "NativeModelJson", compute_check
);
