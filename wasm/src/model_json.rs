//! The native models' JSON (`LinearModel`, `TreeEnsemble` and its `Tree`s, ndarray's
//! `{v, dim, data}` arrays) read by hand from the JSON value (size, issue 5), as their derived
//! readers read it: keys in the object's order (a value of the wrong type is reported first),
//! unknown keys ignored, then the first missing field in declaration order. A test compares
//! results and messages with the derived readers, key by key. Unlike serde, a struct or an
//! array written as a list of its fields in order is not read (no model JSON takes that form).

use aequa_core::model::tree::{Accumulate, Comparison, Tree, TreeEnsemble};
use aequa_core::model::{LinearModel, Link};
use ndarray::{Array1, Array2, Dim, Dimension, IntoDimension};
use serde_json::Value;

use crate::fields::{invalid_type, unknown_field, Msg, Read};

/// A field that must be present.
fn need<T>(slot: Option<T>, key: &str) -> Result<T, Msg> {
    slot.ok_or_else(|| format!("missing field `{key}`"))
}

/// The object's map, or serde's "invalid type" naming the struct.
fn object<'a>(v: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>, Msg> {
    match v {
        Value::Object(map) => Ok(map),
        other => Err(invalid_type(other, what)),
    }
}

/// ndarray's serde form: `{"v": 1, "dim": [..], "data": [..]}` (data row-major).
fn array<const N: usize>(v: &Value) -> Result<ndarray::Array<f64, Dim<[usize; N]>>, Msg>
where
    Dim<[usize; N]>: Dimension,
    [usize; N]: IntoDimension<Dim = Dim<[usize; N]>>,
{
    const FIELDS: &[&str] = &["v", "dim", "data"];
    let map = object(v, "ndarray representation")?;
    let (mut version, mut dim, mut data) = (None, None, None);
    for (key, value) in map {
        match key.as_str() {
            "v" => {
                let n = u8::read(value)?;
                if n != 1 {
                    return Err(format!("unknown array version: {n}"));
                }
                version = Some(n);
            }
            "dim" => dim = Some(<[usize; N]>::read(value)?),
            "data" => data = Some(Vec::<f64>::read(value)?),
            other => return Err(unknown_field(other, FIELDS)),
        }
    }
    need(version, "v")?;
    let data = need(data, "data")?;
    let dim = need(dim, "dim")?;
    ndarray::Array::from_shape_vec(dim.into_dimension(), data)
        .map_err(|_| "data and dimension must match in size".to_string())
}

impl Read for LinearModel {
    fn read(v: &Value) -> Result<Self, Msg> {
        let map = object(v, "struct LinearModel")?;
        let (mut coef, mut intercept, mut link) = (None, None, None);
        for (key, value) in map {
            match key.as_str() {
                "coef" => coef = Some(array::<2>(value)?),
                "intercept" => intercept = Some(array::<1>(value)?),
                "link" => link = Some(Link::read(value)?),
                _ => {}
            }
        }
        let coef: Array2<f64> = need(coef, "coef")?;
        let intercept: Array1<f64> = need(intercept, "intercept")?;
        Ok(LinearModel {
            coef,
            intercept,
            link: need(link, "link")?,
        })
    }
}

impl Read for Tree {
    fn read(v: &Value) -> Result<Self, Msg> {
        let map = object(v, "struct Tree")?;
        let (mut left, mut right, mut default) = (None, None, None);
        let (mut feature, mut threshold, mut value, mut cover) = (None, None, None, None);
        let mut missing_zero = None;
        for (key, item) in map {
            match key.as_str() {
                "children_left" => left = Some(Read::read(item)?),
                "children_right" => right = Some(Read::read(item)?),
                "children_default" => default = Some(Read::read(item)?),
                "feature" => feature = Some(Read::read(item)?),
                "threshold" => threshold = Some(Read::read(item)?),
                "value" => value = Some(Read::read(item)?),
                "cover" => cover = Some(Read::read(item)?),
                "missing_zero" => missing_zero = Some(Read::read(item)?),
                _ => {}
            }
        }
        Ok(Tree {
            children_left: need(left, "children_left")?,
            children_right: need(right, "children_right")?,
            children_default: need(default, "children_default")?,
            feature: need(feature, "feature")?,
            threshold: need(threshold, "threshold")?,
            value: need(value, "value")?,
            cover: need(cover, "cover")?,
            missing_zero: missing_zero.unwrap_or_default(),
        })
    }
}

impl Read for TreeEnsemble {
    fn read(v: &Value) -> Result<Self, Msg> {
        let map = object(v, "struct TreeEnsemble")?;
        let (mut n_features, mut n_raw_outputs, mut trees) = (None, None, None);
        let (mut tree_output, mut comparison, mut float32) = (None, None, None);
        let (mut weight, mut base, mut link, mut source) = (None, None, None, None);
        let mut accumulate = None;
        for (key, item) in map {
            match key.as_str() {
                "n_features" => n_features = Some(Read::read(item)?),
                "n_raw_outputs" => n_raw_outputs = Some(Read::read(item)?),
                "trees" => trees = Some(Read::read(item)?),
                "tree_output" => tree_output = Some(Read::read(item)?),
                "comparison" => comparison = Some(Comparison::read(item)?),
                "float32_features" => float32 = Some(Read::read(item)?),
                "tree_weight" => weight = Some(Read::read(item)?),
                "base_score" => base = Some(Read::read(item)?),
                "link" => link = Some(Link::read(item)?),
                "source" => source = Some(Read::read(item)?),
                "accumulate" => accumulate = Some(Accumulate::read(item)?),
                _ => {}
            }
        }
        Ok(TreeEnsemble {
            n_features: need(n_features, "n_features")?,
            n_raw_outputs: need(n_raw_outputs, "n_raw_outputs")?,
            trees: need(trees, "trees")?,
            tree_output: tree_output.flatten(),
            comparison: need(comparison, "comparison")?,
            float32_features: need(float32, "float32_features")?,
            tree_weight: need(weight, "tree_weight")?,
            base_score: need(base, "base_score")?,
            link: need(link, "link")?,
            source: need(source, "source")?,
            accumulate: accumulate.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::assert_same_as_serde;
    use serde::de::DeserializeOwned;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    const ODD: &[&str] = &[
        "null",
        "true",
        "-1",
        "2",
        "0.5",
        r#""sum""#,
        r#""logistic""#,
        "[]",
        "[1, 2]",
        "[0.5, null]",
        "[[1]]",
        r#"{"v": 1, "dim": [1, 2], "data": [1, 2]}"#,
        r#"{"v": 1, "dim": [2], "data": [1, 2]}"#,
        r#"{"v": 2, "dim": [2], "data": [1, 2]}"#,
        r#"{"v": 1, "dim": [3], "data": [1, 2]}"#,
        r#"{"v": 1, "dim": [2]}"#,
        r#"{"dim": [2], "data": [1, 2], "w": 0}"#,
        r#"{"v": 300, "dim": [2], "data": [1, 2]}"#,
        r#"{"a": 1}"#,
    ];

    /// `model` as is, without each key, and with each key set to each odd value: the same
    /// result or message by hand and by the derived reader.
    fn same_as_serde<T: Read + DeserializeOwned + PartialEq + std::fmt::Debug>(model: &str) {
        let model: Value = serde_json::from_str(model).unwrap();
        let keys: Vec<String> = model.as_object().unwrap().keys().cloned().collect();
        let mut cases = vec![model.clone(), Value::Null, serde_json::json!([])];
        for key in &keys {
            let mut without = model.clone();
            without.as_object_mut().unwrap().remove(key);
            cases.push(without);
            for odd in ODD {
                let mut case = model.clone();
                case[key.as_str()] = serde_json::from_str(odd).unwrap();
                cases.push(case);
            }
        }
        for case in cases {
            // serde also reads a struct (and ndarray an array) from a list of its fields in
            // order; not this reader (the models' JSON never takes that form).
            assert_same_as_serde::<T>(&case, |e| {
                e.starts_with("invalid type: sequence, expected struct")
                    || e == "invalid type: sequence, expected ndarray representation"
            });
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn models_read_as_serde_reads_them() {
        same_as_serde::<LinearModel>(
            r#"{"kind": "linear", "coef": {"v": 1, "dim": [1, 2], "data": [0.5, -1]},
                "intercept": {"v": 1, "dim": [1], "data": [0.25]}, "link": "logistic"}"#,
        );
        let tree = r#"{"children_left": [1, -1, -1], "children_right": [2, -1, -1],
            "children_default": [1, -1, -1], "feature": [0, 0, 0], "threshold": [0.5, 0, 0],
            "value": [0, 1, 2], "cover": [2, 1, 1], "missing_zero": [false, false, false]}"#;
        same_as_serde::<Tree>(tree);
        same_as_serde::<TreeEnsemble>(&format!(
            r#"{{"kind": "trees", "n_features": 1, "n_raw_outputs": 1, "trees": [{tree}],
                "tree_output": null, "comparison": "less", "float32_features": false,
                "tree_weight": 1.0, "base_score": [0.5], "link": "identity",
                "source": "test", "accumulate": "sum"}}"#
        ));
    }
}
