//! Training in the browser (`aequa_core::model::train`, smartcore): a logistic regression comes
//! back as a native model's JSON; a random forest (whose trees smartcore keeps private) as a JS
//! function `f(data, nRows)` predicting class labels, which `predict` and every model-agnostic
//! explainer and probe accept as `model`.

use aequa_core::model::train::{train, TrainKind, TrainOptions, Trained};
use aequa_core::model::Model;
use ndarray::{Array1, Array2};
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;

use crate::args::{core_error, floats, to_js, to_text, Fields, Input, Matrix, Msg, Nums, Read};

/// `{x, y, kind, randomState?, alpha?, nTrees?, maxDepth?, minSamplesLeaf?,
/// minSamplesSplit?, maxFeatures?}`.
#[derive(Debug)]
struct TrainArgs {
    x: Matrix,
    y: Nums,
    kind: TrainKind,
    random_state: u32,
    alpha: f64,
    n_trees: Option<u16>,
    max_depth: Option<u16>,
    min_samples_leaf: Option<usize>,
    min_samples_split: Option<usize>,
    max_features: Option<usize>,
}

impl Read for TrainArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(
            v,
            &[
                "x",
                "y",
                "kind",
                "randomState",
                "alpha",
                "nTrees",
                "maxDepth",
                "minSamplesLeaf",
                "minSamplesSplit",
                "maxFeatures",
            ],
        )?;
        Ok(TrainArgs {
            x: f.req("x")?,
            y: f.req("y")?,
            kind: f.req("kind")?,
            random_state: f.or("randomState", 0)?,
            alpha: f.or("alpha", 0.0)?,
            n_trees: f.opt("nTrees")?,
            max_depth: f.opt("maxDepth")?,
            min_samples_leaf: f.opt("minSamplesLeaf")?,
            min_samples_split: f.opt("minSamplesSplit")?,
            max_features: f.opt("maxFeatures")?,
        })
    }
}

fn fit(input: &Input) -> Result<Trained, JsError> {
    if input.func.is_some() {
        return Err(JsError::new(
            "model: trainModel trains a model from x and y; leave `model` out",
        ));
    }
    let a: TrainArgs = input.parse()?;
    let x = a.x.array("x")?;
    let y = Array1::from(floats(&a.y));
    let options = TrainOptions {
        kind: a.kind,
        random_state: a.random_state,
        alpha: a.alpha,
        n_trees: a.n_trees.unwrap_or(100),
        max_depth: a.max_depth,
        min_samples_leaf: a.min_samples_leaf.unwrap_or(1),
        min_samples_split: a.min_samples_split.unwrap_or(2),
        max_features: a.max_features,
    };
    train(x.view(), y.view(), &options).map_err(core_error)
}

/// Train a classifier on `x` and labels `y`: `kind: "logistic_regression"` returns the native
/// linear model's JSON (outputs: class probabilities), `kind: "random_forest"` a JS function
/// `f(data, nRows)` returning the predicted labels (seeded by `randomState`).
#[wasm_bindgen(js_name = trainModel, unchecked_return_type = "NativeModelJson | ModelFunction")]
pub fn train_model(
    #[wasm_bindgen(unchecked_param_type = "TrainInput")] input: JsValue,
) -> Result<JsValue, JsError> {
    match fit(&Input::from_js(input)?)? {
        Trained::Native(m) => to_js(&m),
        Trained::Forest(forest) => {
            let n_features = forest.n_features().unwrap_or(0);
            let predict = move |data: js_sys::Float64Array,
                                n_rows: f64|
                  -> Result<js_sys::Float64Array, JsError> {
                let rows = if n_rows.is_finite() && n_rows >= 0.0 {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let r = n_rows as usize;
                    r
                } else {
                    usize::MAX
                };
                let x =
                    Array2::from_shape_vec((rows, n_features), data.to_vec()).map_err(|_| {
                        JsError::new(&format!(
                        "x: expected nRows × {n_features} numbers, found {} for nRows = {n_rows}",
                        data.length()
                    ))
                    })?;
                let out = forest.predict(x.view()).map_err(core_error)?;
                Ok(js_sys::Float64Array::from(out.as_slice().unwrap_or(&[])))
            };
            let closure = Closure::<
                dyn Fn(js_sys::Float64Array, f64) -> Result<js_sys::Float64Array, JsError>,
            >::new(predict);
            Ok(closure.into_js_value())
        }
    }
}

/// [`train_model`] from JSON text; only models with a JSON form (logistic regression).
#[wasm_bindgen(js_name = trainModelJson)]
pub fn train_model_json(input: &str) -> Result<String, JsError> {
    match fit(&Input::from_json(input)?)? {
        Trained::Native(m) => to_text(&m),
        Trained::Forest(_) => Err(JsError::new(
            "kind: a random forest has no JSON form (smartcore keeps its trees private); use trainModel, which returns it as a JS function",
        )),
    }
}
