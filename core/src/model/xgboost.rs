//! XGBoost's JSON model format (`Booster.save_model("m.json")`, `Booster.save_raw("json")`)
//! → a [`TreeEnsemble`] that predicts what XGBoost predicts.
//!
//! XGBoost stores thresholds and leaf values as float32, converts every feature to float32,
//! sends `x < threshold` left and a missing value along `default_left`, and sums the leaves in
//! float32 starting from the base margin. The base margin is `base_score` mapped to margin
//! space by the objective (`logit` for logistic objectives, `log` for count and gamma ones;
//! multi-class intercepts are stored as margins already). The ensemble reproduces all of it
//! ([`Accumulate::Float32`]), so margins equal XGBoost's bit for bit; probabilities are then
//! computed in float64 from that float32 margin (XGBoost rounds them to float32).
//!
//! Supported: the `gbtree` booster with numerical splits and one value per leaf, objectives
//! `reg:squarederror` (`reg:linear`), `reg:squaredlogerror`, `reg:pseudohubererror`,
//! `reg:absoluteerror`, `reg:logistic`, `binary:logistic`, `binary:logitraw`,
//! `multi:softprob`, `multi:softmax` and, for the raw margin only, `count:poisson`,
//! `reg:gamma`, `reg:tweedie`. Anything else is refused with a message naming it.

mod objective;
mod schema;
#[cfg(test)]
mod tests;
mod trees;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::linear::Link;
use crate::model::output::Output;
use crate::model::tree::{Accumulate, Comparison, TreeEnsemble};

use objective::{objective, to_margin, unsupported};
use schema::{malformed, parse_base_score, parse_count, Document, GbTree, Learner, NameOnly};
use trees::convert_tree;

/// Parse XGBoost's JSON model and build the ensemble for `output`.
pub fn from_json(text: &str, output: Output) -> Result<TreeEnsemble> {
    let doc: Document = serde_json::from_str(text).map_err(malformed)?;
    let Learner {
        mut gradient_booster,
        learner_model_param: param,
        objective: NameOnly { name },
    } = doc.learner;
    let booster = gradient_booster
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match booster.as_str() {
        "gbtree" => {}
        "dart" => {
            return Err(Error::Unsupported(
                "XGBoost's dart booster is not supported natively (its trees carry dropout \
                 weights); train with booster=\"gbtree\" or pass the model as a Python callable"
                    .into(),
            ))
        }
        "gblinear" => {
            return Err(Error::Unsupported(
                "XGBoost's gblinear booster is not supported natively (it is a linear model, not \
                 trees); pass the model as a Python callable"
                    .into(),
            ))
        }
        other => return Err(malformed(format!("unknown booster {other:?}"))),
    }
    let model = gradient_booster
        .get_mut("model")
        .map(Value::take)
        .unwrap_or(Value::Null);
    let gbtree: GbTree = serde_json::from_value(model)
        .map_err(|e| malformed(format!("gradient_booster.model: {e}")))?;
    let obj = objective(&name, &doc.version)?;
    let link = match output {
        Output::Raw => Link::Identity,
        Output::Probability => obj
            .probability
            .map_err(|why| unsupported(&name, output, why))?,
        Output::Predict => obj.predict.map_err(|why| unsupported(&name, output, why))?,
    };

    let n_features = parse_count("num_feature", &param.num_feature)?;
    let n_class = parse_count("num_class", param.num_class.as_deref().unwrap_or("0"))?;
    let n_target = parse_count("num_target", param.num_target.as_deref().unwrap_or("1"))?;
    if n_target > 1 {
        return Err(Error::Unsupported(format!(
            "XGBoost multi-target models (num_target = {n_target}) are not supported natively"
        )));
    }
    let n_out = n_class.max(1);
    if link == Link::Softmax && n_out < 2 {
        return Err(malformed(format!("objective {name} needs num_class >= 2")));
    }
    let base = parse_base_score(&param.base_score)?;
    let base_score: Vec<f64> = match base.as_slice() {
        [b] => vec![f64::from(to_margin(obj.base, *b)); n_out],
        many if many.len() == n_out => many
            .iter()
            .map(|b| f64::from(to_margin(obj.base, *b)))
            .collect(),
        many => {
            return Err(malformed(format!(
                "base_score has {} values for {n_out} outputs",
                many.len()
            )))
        }
    };
    if gbtree.tree_info.len() != gbtree.trees.len() {
        return Err(malformed(format!(
            "tree_info has {} entries for {} trees",
            gbtree.tree_info.len(),
            gbtree.trees.len()
        )));
    }
    let trees = gbtree
        .trees
        .iter()
        .enumerate()
        .map(|(i, t)| convert_tree(i, t))
        .collect::<Result<Vec<_>>>()?;
    let ensemble = TreeEnsemble {
        n_features,
        n_raw_outputs: n_out,
        trees,
        tree_output: (n_out > 1).then_some(gbtree.tree_info),
        comparison: Comparison::Less,
        float32_features: true,
        tree_weight: 1.0,
        base_score,
        link,
        source: format!("xgboost ({name})"),
        accumulate: Accumulate::Float32,
    };
    ensemble.check()?;
    Ok(ensemble)
}
