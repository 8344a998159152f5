//! The parts of XGBoost's JSON model that are read (serde), and parsing of its string fields.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

#[derive(Deserialize)]
pub(super) struct Document {
    pub(super) learner: Learner,
    #[serde(default)]
    pub(super) version: Vec<u32>,
}

#[derive(Deserialize)]
pub(super) struct Learner {
    pub(super) gradient_booster: Value,
    pub(super) learner_model_param: ModelParam,
    pub(super) objective: NameOnly,
}

#[derive(Deserialize)]
pub(super) struct ModelParam {
    pub(super) base_score: String,
    #[serde(default)]
    pub(super) num_class: Option<String>,
    pub(super) num_feature: String,
    #[serde(default)]
    pub(super) num_target: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct NameOnly {
    pub(super) name: String,
}

#[derive(Deserialize)]
pub(super) struct GbTree {
    pub(super) trees: Vec<XgbTree>,
    pub(super) tree_info: Vec<u32>,
}

/// A 0/1 flag that older files write as a boolean.
#[derive(Deserialize, Clone, Copy)]
#[serde(untagged)]
pub(super) enum Flag {
    Int(i64),
    Bool(bool),
}

impl Flag {
    pub(super) fn is_set(self) -> bool {
        match self {
            Flag::Int(i) => i != 0,
            Flag::Bool(b) => b,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct XgbTree {
    pub(super) left_children: Vec<i32>,
    pub(super) right_children: Vec<i32>,
    pub(super) split_indices: Vec<u32>,
    pub(super) split_conditions: Vec<f64>,
    pub(super) default_left: Vec<Flag>,
    pub(super) sum_hessian: Vec<f64>,
    #[serde(default)]
    pub(super) split_type: Vec<u8>,
    #[serde(default)]
    pub(super) tree_param: Option<TreeParam>,
}

#[derive(Deserialize)]
pub(super) struct TreeParam {
    #[serde(default)]
    pub(super) size_leaf_vector: Option<String>,
}

pub(super) fn malformed(what: impl std::fmt::Display) -> Error {
    Error::invalid("model", format!("malformed XGBoost JSON model: {what}"))
}

pub(super) fn parse_count(field: &str, text: &str) -> Result<usize> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| malformed(format!("{field} must be a whole number, found {text:?}")))
}

/// `"[4.8E-1]"`, `"[a,b,c]"` or `"5E-1"` → float32 values.
pub(super) fn parse_base_score(text: &str) -> Result<Vec<f32>> {
    let inner = text.trim().trim_start_matches('[').trim_end_matches(']');
    inner
        .split(',')
        .map(|v| {
            v.trim()
                .parse::<f32>()
                .map_err(|_| malformed(format!("base_score {text:?} is not a list of numbers")))
        })
        .collect()
}
