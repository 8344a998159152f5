//! The JS input of `metricFrame` and its conversion into core views. Fields are camelCase;
//! sensitive and control values are encoded into sorted level codes the way pandas' `groupby`
//! sorts them (numbers numerically, strings lexicographically), numbers labelled as JS's
//! `String(value)` shows them (`1`, not `1.0`).

use aequa_core::data::encode::encode_labels;
use aequa_core::data::groups::Feature;
use aequa_core::fairness::{BootstrapOptions, Convention, FrameInput, FrameOptions, LabelSpec};
use aequa_core::{Error, Result};
use ndarray::{Array2, ArrayView1};
use serde_json::Value;

use crate::args::{invalid_type, Fields, Msg, Nums, Read};

/// Keys of the input object, of one feature, of `options` and of `options.bootstrap`: the
/// readers below reject any other key (a misspelt optional key must not pass silently), and
/// `metricFrame` checks them on the JS object first to name the nested argument in its message.
pub const INPUT_KEYS: &[&str] = &[
    "yTrue",
    "yPred",
    "sampleWeight",
    "sensitiveFeatures",
    "controlFeatures",
    "options",
    "bootstrapIndices",
];
/// See [`INPUT_KEYS`].
pub const FEATURE_KEYS: &[&str] = &["name", "values"];
/// See [`INPUT_KEYS`].
pub const OPTIONS_KEYS: &[&str] = &[
    "metrics",
    "posLabel",
    "threshold",
    "compat",
    "minGroupSize",
    "bootstrap",
];
/// See [`INPUT_KEYS`].
pub const BOOTSTRAP_KEYS: &[&str] = &["nBoot", "ciQuantiles", "randomState", "stratified"];

/// `metricFrame`'s argument.
#[derive(Debug)]
pub struct FrameArgs {
    y_true: Nums,
    y_pred: Nums,
    sample_weight: Option<Nums>,
    sensitive_features: Vec<FeatureArg>,
    control_features: Option<Vec<FeatureArg>>,
    options: Option<OptionsArg>,
    /// Caller-chosen bootstrap rows (replicates × rows), replacing the seeded draw.
    bootstrap_indices: Option<Vec<Vec<i64>>>,
}

impl Read for FrameArgs {
    fn read(v: &Value) -> std::result::Result<Self, Msg> {
        let f = Fields::of(v, INPUT_KEYS)?;
        Ok(FrameArgs {
            y_true: f.req("yTrue")?,
            y_pred: f.req("yPred")?,
            sample_weight: f.opt("sampleWeight")?,
            sensitive_features: f.req("sensitiveFeatures")?,
            control_features: f.opt("controlFeatures")?,
            options: f.opt("options")?,
            bootstrap_indices: f.opt("bootstrapIndices")?,
        })
    }
}

/// One grouping column.
#[derive(Debug)]
pub struct FeatureArg {
    name: String,
    values: Vec<Level>,
}

impl Read for FeatureArg {
    fn read(v: &Value) -> std::result::Result<Self, Msg> {
        let f = Fields::of(v, FEATURE_KEYS)?;
        Ok(FeatureArg {
            name: f.req("name")?,
            values: levels(f.raw("values").ok_or("missing field `values`")?)?,
        })
    }
}

/// A grouping column's values: an array, or a `Float64Array` (numbers, copied once by
/// `args::Input`).
fn levels(v: &Value) -> std::result::Result<Vec<Level>, Msg> {
    const EXPECTED: &str = "an array of strings or numbers";
    match v {
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(level(item)?);
            }
            Ok(out)
        }
        Value::String(s) => crate::args::typed(s)
            .map(|n| n.into_iter().map(Level::Number).collect())
            .ok_or_else(|| invalid_type(v, EXPECTED)),
        other => Err(invalid_type(other, EXPECTED)),
    }
}

/// A group value as JS holds it.
#[derive(Debug)]
enum Level {
    Number(f64),
    Text(String),
}

/// A string or a number; JSON null is how a JS NaN arrives (the core names the row).
fn level(v: &Value) -> std::result::Result<Level, Msg> {
    match v {
        Value::Number(n) => Ok(Level::Number(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => Ok(Level::Text(s.clone())),
        Value::Null => Ok(Level::Number(f64::NAN)),
        _ => Err("expected every value of a grouping column to be a string or a number".into()),
    }
}

/// The options (of `metricFrame` and `metricFrameColumns`); anything left out takes the core's
/// default.
#[derive(Debug, Default)]
pub struct OptionsArg {
    metrics: Option<Vec<String>>,
    pos_label: Option<f64>,
    threshold: Option<f64>,
    compat: Option<Convention>,
    min_group_size: Option<u64>,
    bootstrap: Option<BootstrapArg>,
}

impl Read for OptionsArg {
    fn read(v: &Value) -> std::result::Result<Self, Msg> {
        let f = Fields::of(v, OPTIONS_KEYS)?;
        Ok(OptionsArg {
            metrics: f.opt("metrics")?,
            pos_label: f.opt("posLabel")?,
            threshold: f.opt("threshold")?,
            compat: f.opt("compat")?,
            min_group_size: f.opt("minGroupSize")?,
            bootstrap: f.opt("bootstrap")?,
        })
    }
}

#[derive(Debug)]
struct BootstrapArg {
    n_boot: u32,
    ci_quantiles: Vec<f64>,
    random_state: u32,
    stratified: bool,
}

impl Read for BootstrapArg {
    fn read(v: &Value) -> std::result::Result<Self, Msg> {
        let f = Fields::of(v, BOOTSTRAP_KEYS)?;
        Ok(BootstrapArg {
            n_boot: f.req("nBoot")?,
            ci_quantiles: f.req("ciQuantiles")?,
            random_state: f.req("randomState")?,
            stratified: f.or("stratified", false)?,
        })
    }
}

impl OptionsArg {
    /// The core's options (its defaults when there are none).
    pub fn core(options: Option<&OptionsArg>) -> FrameOptions {
        let none = OptionsArg::default();
        let o = options.unwrap_or(&none);
        let d = FrameOptions::default();
        FrameOptions {
            metrics: o.metrics.clone().unwrap_or(d.metrics),
            spec: LabelSpec {
                pos_label: o.pos_label,
                threshold: o.threshold,
                one_vs_rest: false,
            },
            compat: o.compat.unwrap_or(d.compat),
            min_group_size: o.min_group_size.unwrap_or(d.min_group_size),
            bootstrap: o.bootstrap.as_ref().map(|b| BootstrapOptions {
                n_boot: b.n_boot,
                ci_quantiles: b.ci_quantiles.clone(),
                random_state: b.random_state,
                stratified: b.stratified,
            }),
        }
    }
}

/// Group columns encoded into codes and level labels.
#[derive(Debug)]
pub struct Encoded {
    name: String,
    codes: Vec<u32>,
    levels: Vec<String>,
}

impl FrameArgs {
    /// The core's options.
    pub fn options(&self) -> FrameOptions {
        OptionsArg::core(self.options.as_ref())
    }

    /// Encode the sensitive and control columns.
    pub fn encode(&self) -> Result<(Vec<Encoded>, Vec<Encoded>)> {
        let control = self.control_features.as_deref().unwrap_or_default();
        Ok((
            encode_all("sensitive_features", &self.sensitive_features)?,
            encode_all("control_features", control)?,
        ))
    }

    /// The core's input, borrowing from `self` and the encoded columns.
    pub fn input<'a>(&'a self, sensitive: &'a [Encoded], control: &'a [Encoded]) -> FrameInput<'a> {
        FrameInput {
            y_true: self.y_true.0.as_slice().into(),
            y_pred: self.y_pred.0.as_slice().into(),
            sample_weight: self.sample_weight.as_ref().map(|w| ArrayView1::from(&w.0)),
            sensitive: sensitive.iter().map(Encoded::feature).collect(),
            control: control.iter().map(Encoded::feature).collect(),
        }
    }

    /// The explicit bootstrap rows as a matrix (every replicate must list the same number).
    pub fn indices(&self) -> Result<Option<Array2<i64>>> {
        let Some(rows) = &self.bootstrap_indices else {
            return Ok(None);
        };
        let width = rows.first().map_or(0, Vec::len);
        if let Some((b, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != width) {
            return Err(Error::invalid(
                "bootstrap_indices",
                format!(
                    "replicate {b} lists {} rows but replicate 0 lists {width}",
                    r.len()
                ),
            ));
        }
        Array2::from_shape_vec((rows.len(), width), rows.concat())
            .map(Some)
            .map_err(|e| Error::invalid("bootstrap_indices", e.to_string()))
    }
}

impl Encoded {
    pub fn feature(&self) -> Feature<'_> {
        Feature {
            name: self.name.clone(),
            codes: ArrayView1::from(self.codes.as_slice()),
            levels: self.levels.clone(),
        }
    }
}

/// Every column of `list` encoded (a loop: size, see `fields.rs`).
pub fn encode_all(argument: &str, list: &[FeatureArg]) -> Result<Vec<Encoded>> {
    let mut out = Vec::with_capacity(list.len());
    for f in list {
        out.push(encode(argument, f)?);
    }
    Ok(out)
}

pub fn encode(argument: &str, f: &FeatureArg) -> Result<Encoded> {
    let numbers: Option<Vec<f64>> = f
        .values
        .iter()
        .map(|v| match v {
            Level::Number(x) => Some(*x),
            Level::Text(_) => None,
        })
        .collect();
    let (codes, levels) = match numbers {
        Some(numbers) => encode_numbers(argument, &f.name, &numbers)?,
        None => {
            let mut texts = Vec::with_capacity(f.values.len());
            for (i, v) in f.values.iter().enumerate() {
                match v {
                    Level::Text(s) => texts.push(s.clone()),
                    Level::Number(x) => {
                        return Err(Error::invalid(
                            argument,
                            format!(
                                "column '{}' mixes strings and numbers (row {i} is {}); \
                                 pass one type per column",
                                f.name,
                                js_string(*x)
                            ),
                        ))
                    }
                }
            }
            encode_labels(argument, &texts)?
        }
    };
    Ok(Encoded {
        name: f.name.clone(),
        codes,
        levels,
    })
}

/// Sorted distinct numbers and each row's code into them.
pub fn encode_numbers(
    argument: &str,
    name: &str,
    values: &[f64],
) -> Result<(Vec<u32>, Vec<String>)> {
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(
            argument,
            format!("column '{name}' holds {v} at row {i}; drop or label missing values first"),
        ));
    }
    // `+ 0.0` turns -0 into 0, so both land in one group, as they compare equal.
    let values: Vec<f64> = values.iter().map(|v| v + 0.0).collect();
    let mut levels = values.clone();
    aequa_core::math::sort_floats(&mut levels);
    levels.dedup();
    if levels.is_empty() {
        return Err(Error::invalid(
            argument,
            format!("column '{name}' is empty; expected one value per row"),
        ));
    }
    let mut codes = Vec::with_capacity(values.len());
    for v in &values {
        let code = levels
            .binary_search_by(|l| l.total_cmp(v))
            .ok()
            .and_then(|i| u32::try_from(i).ok())
            .ok_or_else(|| Error::invalid(argument, "too many distinct levels"))?;
        codes.push(code);
    }
    Ok((codes, levels.iter().map(|v| js_string(*v)).collect()))
}

/// A finite number as JS's `String(value)` writes it: decimal within [1e-6, 1e21),
/// exponent form (`1e+21`, `1.5e-7`) outside.
pub fn js_string(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-6..1e21).contains(&a) || !v.is_finite() {
        format!("{}", v + 0.0)
    } else {
        let s = format!("{v:e}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn numbers_sort_numerically_and_print_like_js() {
        let (codes, levels) = encode_numbers("g", "g", &[10.0, 2.0, -0.0, 2.0, 0.0, 1.5]).unwrap();
        assert_eq!(levels, vec!["0", "1.5", "2", "10"]);
        assert_eq!(codes, vec![3, 2, 0, 2, 0, 1]);
        assert_eq!(js_string(1e21), "1e+21");
        assert_eq!(js_string(1.5e-7), "1.5e-7");
        assert_eq!(js_string(123456.5), "123456.5");
        assert_eq!(js_string(-3.0), "-3");
        let e = encode_numbers("sensitive_features", "g", &[1.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("column 'g' holds NaN at row 1"));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn json_input_encodes_and_rejects_mixed_columns() {
        let json = r#"{"yTrue":[1,0,1],"yPred":[1,1,0],
            "sensitiveFeatures":[{"name":"s","values":["b","a","b"]}],
            "controlFeatures":[{"name":"c","values":[2,10,2]}],
            "options":{"metrics":["count"],"posLabel":1,"compat":"fairlearn"}}"#;
        let args = FrameArgs::read(&serde_json::from_str(json).unwrap()).unwrap();
        let (s, c) = args.encode().unwrap();
        assert_eq!(
            (s[0].codes.clone(), s[0].levels.clone()),
            (vec![1, 0, 1], vec!["a".into(), "b".into()])
        );
        assert_eq!(c[0].levels, vec!["2", "10"]);
        let options = args.options();
        assert_eq!(options.compat, Convention::Fairlearn);
        assert_eq!(
            options.min_group_size,
            FrameOptions::default().min_group_size
        );
        let mixed =
            r#"{"yTrue":[1],"yPred":[1],"sensitiveFeatures":[{"name":"s","values":["a",1]}]}"#;
        let args = FrameArgs::read(&serde_json::from_str(mixed).unwrap()).unwrap();
        let e = args.encode().unwrap_err().to_string();
        assert!(e.contains("mixes strings and numbers (row 1 is 1)"), "{e}");
        let ragged =
            r#"{"yTrue":[1],"yPred":[1],"sensitiveFeatures":[],"bootstrapIndices":[[0],[0,0]]}"#;
        let args = FrameArgs::read(&serde_json::from_str(ragged).unwrap()).unwrap();
        assert!(args
            .indices()
            .unwrap_err()
            .to_string()
            .contains("replicate 1 lists 2 rows"));
    }
}
