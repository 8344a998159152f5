//! `metricFrameColumns`: the MetricFrame entry point for columns already in typed arrays — the
//! dashboard's threshold slider. Labels and scores arrive as `Float64Array`s and the sensitive
//! features as level codes in one `Uint32Array` (feature after feature), all copied into WASM
//! memory in one step each: at 100k rows this is several times faster than `metricFrame`,
//! whose plain-object input is read element by element. The dashboard's worker uses it for
//! bootstrap intervals too.

use aequa_core::data::groups::{Feature, FeatureLevels};
use aequa_core::fairness::{metric_frame, FrameInput};
use aequa_core::Error;
use ndarray::ArrayView1;
use wasm_bindgen::prelude::*;

use crate::input::{OptionsArg, BOOTSTRAP_KEYS, OPTIONS_KEYS};
use crate::{check_keys, core_error, from_js, to_js};

/// A MetricFrame of `yTrue` and `yPred` grouped by coded sensitive features: `features[f]`
/// names feature `f` and its levels, its row codes are `codes[f * n .. (f + 1) * n]`.
#[wasm_bindgen(js_name = metricFrameColumns, unchecked_return_type = "MetricFrameReport")]
pub fn metric_frame_columns(
    #[wasm_bindgen(js_name = yTrue)] y_true: &[f64],
    #[wasm_bindgen(js_name = yPred)] y_pred: &[f64],
    codes: &[u32],
    #[wasm_bindgen(unchecked_param_type = "FeatureLevels[]")] features: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ColumnOptionsInput")] options: JsValue,
) -> Result<JsValue, JsError> {
    let features: Vec<FeatureLevels> = from_js("features", features)?;
    let options: Option<OptionsArg> = if options.is_undefined() || options.is_null() {
        None
    } else {
        check_keys(&options, "options", OPTIONS_KEYS)?;
        let boot = js_sys::Reflect::get(&options, &JsValue::from_str("bootstrap"))
            .unwrap_or(JsValue::UNDEFINED);
        check_keys(&boot, "bootstrap", BOOTSTRAP_KEYS)?;
        Some(from_js("options", options)?)
    };
    let n = y_true.len();
    check_codes(codes, n, &features).map_err(core_error)?;
    let sensitive = features
        .iter()
        .zip(codes.chunks(n.max(1)))
        .map(|(f, c)| Feature {
            name: f.name.clone(),
            codes: ArrayView1::from(c),
            levels: f.levels.clone(),
        })
        .collect();
    let input = FrameInput {
        y_true: y_true.into(),
        y_pred: y_pred.into(),
        sample_weight: None,
        sensitive,
        control: Vec::new(),
    };
    let core_options = OptionsArg::core(options.as_ref());
    to_js(&metric_frame(&input, &core_options, None).map_err(core_error)?)
}

/// One block of `n` codes per feature, each below its feature's level count.
fn check_codes(codes: &[u32], n: usize, features: &[FeatureLevels]) -> aequa_core::Result<()> {
    if codes.len() != n * features.len() {
        return Err(Error::invalid(
            "codes",
            format!(
                "expected {} codes ({n} rows × {} features), found {}",
                n * features.len(),
                features.len(),
                codes.len()
            ),
        ));
    }
    for (f, block) in features.iter().zip(codes.chunks(n.max(1))) {
        if let Some((row, code)) = block
            .iter()
            .enumerate()
            .find(|(_, c)| **c as usize >= f.levels.len())
        {
            return Err(Error::invalid(
                "codes",
                format!(
                    "feature '{}' has {} levels but row {row} has code {code}",
                    f.name,
                    f.levels.len()
                ),
            ));
        }
    }
    Ok(())
}
