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

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::linear::Link;
use crate::model::output::Output;
use crate::model::tree::{Accumulate, Comparison, Tree, TreeEnsemble};

/// How an objective maps `base_score` to the margin.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Base {
    Identity,
    Logit,
    Log,
}

/// What an objective's outputs are, as links on the margin (`None`: not representable).
#[derive(Debug, Clone, Copy)]
struct Objective {
    base: Base,
    probability: std::result::Result<Link, &'static str>,
    predict: std::result::Result<Link, &'static str>,
}

const NO_PROBA: &str = "a regression objective has no class probabilities";
const LABELS: &str =
    "a classifier's predict returns class labels; use output=\"probability\" or \"raw\"";
const EXP: &str = "its prediction exp(margin) is not available natively; use output=\"raw\"";

fn objective(name: &str, version: &[u32]) -> Result<Objective> {
    let o = |base, probability, predict| Objective {
        base,
        probability,
        predict,
    };
    Ok(match name {
        "reg:squarederror" | "reg:linear" | "reg:squaredlogerror" | "reg:pseudohubererror"
        | "reg:absoluteerror" => o(Base::Identity, Err(NO_PROBA), Ok(Link::Identity)),
        "reg:logistic" => o(
            Base::Logit,
            Ok(Link::Logistic),
            Err("its predict is σ(margin) as one column; use output=\"probability\" ([1 - σ, σ]) or \"raw\""),
        ),
        "binary:logistic" => o(Base::Logit, Ok(Link::Logistic), Err(LABELS)),
        // XGBoost < 2.0 mapped a logitraw base_score through the logit too.
        "binary:logitraw" => {
            let base = if version.first().is_some_and(|v| *v < 2) {
                Base::Logit
            } else {
                Base::Identity
            };
            o(base, Ok(Link::Logistic), Err(LABELS))
        }
        "multi:softprob" => o(Base::Identity, Ok(Link::Softmax), Err(LABELS)),
        "multi:softmax" => o(Base::Identity, Ok(Link::Softmax), Err(LABELS)),
        "count:poisson" | "reg:gamma" | "reg:tweedie" => o(Base::Log, Err(NO_PROBA), Err(EXP)),
        _ => {
            return Err(Error::Unsupported(format!(
                "XGBoost objective {name:?} is not supported natively; supported: \
                 reg:squarederror, reg:squaredlogerror, reg:pseudohubererror, reg:absoluteerror, \
                 reg:logistic, binary:logistic, binary:logitraw, multi:softprob, multi:softmax, \
                 count:poisson, reg:gamma, reg:tweedie (raw margin). Pass the model as a \
                 Python callable instead"
            )))
        }
    })
}

/// XGBoost's float32 `ProbToMargin`. `logf` is evaluated as a float64 log rounded to float32
/// (glibc's `logf` agrees with it on all but ~0.03% of inputs, where it is one float32 ulp off).
#[allow(clippy::cast_possible_truncation)]
fn to_margin(base: Base, v: f32) -> f32 {
    let logf = |x: f32| crate::math::ln(f64::from(x)) as f32;
    match base {
        Base::Identity => v,
        Base::Logit => {
            let x = v.clamp(1e-6_f32, 1.0_f32 - 1e-6_f32);
            -logf(1.0_f32 / x - 1.0_f32)
        }
        Base::Log => logf(v),
    }
}

#[derive(Deserialize)]
struct Document {
    learner: Learner,
    #[serde(default)]
    version: Vec<u32>,
}

#[derive(Deserialize)]
struct Learner {
    gradient_booster: Value,
    learner_model_param: ModelParam,
    objective: NameOnly,
}

#[derive(Deserialize)]
struct ModelParam {
    base_score: String,
    #[serde(default)]
    num_class: Option<String>,
    num_feature: String,
    #[serde(default)]
    num_target: Option<String>,
}

#[derive(Deserialize)]
struct NameOnly {
    name: String,
}

#[derive(Deserialize)]
struct GbTree {
    trees: Vec<XgbTree>,
    tree_info: Vec<u32>,
}

/// A 0/1 flag that older files write as a boolean.
#[derive(Deserialize, Clone, Copy)]
#[serde(untagged)]
enum Flag {
    Int(i64),
    Bool(bool),
}

impl Flag {
    fn is_set(self) -> bool {
        match self {
            Flag::Int(i) => i != 0,
            Flag::Bool(b) => b,
        }
    }
}

#[derive(Deserialize)]
struct XgbTree {
    left_children: Vec<i32>,
    right_children: Vec<i32>,
    split_indices: Vec<u32>,
    split_conditions: Vec<f64>,
    default_left: Vec<Flag>,
    sum_hessian: Vec<f64>,
    #[serde(default)]
    split_type: Vec<u8>,
    #[serde(default)]
    tree_param: Option<TreeParam>,
}

#[derive(Deserialize)]
struct TreeParam {
    #[serde(default)]
    size_leaf_vector: Option<String>,
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::invalid("model", format!("malformed XGBoost JSON model: {what}"))
}

fn parse_count(field: &str, text: &str) -> Result<usize> {
    text.trim()
        .parse::<usize>()
        .map_err(|_| malformed(format!("{field} must be a whole number, found {text:?}")))
}

/// `"[4.8E-1]"`, `"[a,b,c]"` or `"5E-1"` → float32 values.
fn parse_base_score(text: &str) -> Result<Vec<f32>> {
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

fn unsupported(objective: &str, output: Output, why: &str) -> Error {
    Error::Unsupported(format!(
        "output={output:?} is not available for the XGBoost objective {objective}: {why}",
        output = output.name()
    ))
}

/// One XGBoost node, read from the parallel arrays.
struct Node {
    left: i32,
    right: i32,
    feature: u32,
    condition: f64,
    default_left: bool,
    hessian: f64,
    categorical: bool,
}

/// One XGBoost tree → node arrays, keeping only nodes reachable from the root (pruned nodes
/// stay in the file), leaf values and thresholds as float32.
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
fn convert_tree(index: usize, t: &XgbTree) -> Result<Tree> {
    let bad = |what: String| malformed(format!("tree {index}: {what}"));
    let leaf_size = t
        .tree_param
        .as_ref()
        .and_then(|p| p.size_leaf_vector.as_deref())
        .unwrap_or("1");
    if parse_count("size_leaf_vector", leaf_size)? > 1 {
        return Err(Error::Unsupported(format!(
            "XGBoost tree {index} has vector leaves (multi-target trees); not supported natively"
        )));
    }
    let n = t.left_children.len();
    let nodes = (0..n)
        .map(|i| {
            Some(Node {
                left: *t.left_children.get(i)?,
                right: *t.right_children.get(i)?,
                feature: *t.split_indices.get(i)?,
                condition: *t.split_conditions.get(i)?,
                default_left: t.default_left.get(i)?.is_set(),
                hessian: *t.sum_hessian.get(i)?,
                categorical: t.split_type.get(i).is_some_and(|s| *s != 0),
            })
        })
        .collect::<Option<Vec<Node>>>()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad("node arrays are empty or of different lengths".into()))?;
    // Preorder walk from the root: old index → new index.
    let mut new_of = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![0usize];
    while let Some(old) = stack.pop() {
        match new_of.get_mut(old) {
            Some(slot) if *slot == usize::MAX => *slot = order.len(),
            _ => {
                return Err(bad(format!(
                    "node {old} is reached twice or does not exist"
                )))
            }
        }
        order.push(old);
        let node = nodes
            .get(old)
            .ok_or_else(|| bad(format!("no node {old}")))?;
        if node.left >= 0 {
            for c in [node.right, node.left] {
                let c = usize::try_from(c)
                    .ok()
                    .filter(|c| *c < n)
                    .ok_or_else(|| bad(format!("node {old} has child {c}, outside 0..{n}")))?;
                stack.push(c);
            }
        }
    }
    let m = order.len();
    let mut tree = Tree {
        children_left: Vec::with_capacity(m),
        children_right: Vec::with_capacity(m),
        children_default: Vec::with_capacity(m),
        feature: Vec::with_capacity(m),
        threshold: Vec::with_capacity(m),
        value: Vec::with_capacity(m),
        cover: Vec::with_capacity(m),
        missing_zero: vec![],
    };
    let f32_of = |v: f64| f64::from(v as f32);
    let child = |c: i32| {
        usize::try_from(c)
            .ok()
            .and_then(|c| new_of.get(c))
            .map_or(-1, |c| *c as i32)
    };
    for &old in &order {
        let node = nodes
            .get(old)
            .ok_or_else(|| bad(format!("no node {old}")))?;
        tree.cover.push(node.hessian);
        if node.left < 0 {
            tree.children_left.push(-1);
            tree.children_right.push(-1);
            tree.children_default.push(-1);
            tree.feature.push(0);
            tree.threshold.push(0.0);
            tree.value.push(f32_of(node.condition));
            continue;
        }
        if node.categorical {
            return Err(Error::Unsupported(format!(
                "XGBoost tree {index}, node {old} is a categorical split; categorical splits are \
                 not supported natively (one-hot encode the feature, or pass the model as a \
                 Python callable)"
            )));
        }
        let (l, r) = (child(node.left), child(node.right));
        tree.children_left.push(l);
        tree.children_right.push(r);
        tree.children_default
            .push(if node.default_left { l } else { r });
        tree.feature.push(node.feature);
        tree.threshold.push(f32_of(node.condition));
        tree.value.push(0.0);
    }
    tree.fill_expectations(1);
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use ndarray::array;

    /// Tree: x0 < 0.5 (missing → right) ? (x1 < -1 (missing → left) ? a : b) : c
    fn tree(a: f64, b: f64, c: f64) -> String {
        format!(
            r#"{{"base_weights":[0,0,0,0,0],"categories":[],"categories_nodes":[],
            "categories_segments":[],"categories_sizes":[],"default_left":[0,1,0,0,0],"id":0,
            "left_children":[1,3,-1,-1,-1],"loss_changes":[1,1,0,0,0],"parents":[2147483647,0,0,1,1],
            "right_children":[2,4,-1,-1,-1],"split_conditions":[0.5,-1.0,{c},{a},{b}],
            "split_indices":[0,1,0,0,0],"split_type":[0,0,0,0,0],"sum_hessian":[10,6,4,2,4],
            "tree_param":{{"num_deleted":"0","num_feature":"2","num_nodes":"5","size_leaf_vector":"1"}}}}"#
        )
    }

    fn model(
        objective: &str,
        base: &str,
        num_class: usize,
        trees: &[String],
        info: &str,
    ) -> String {
        format!(
            r#"{{"learner":{{"attributes":{{}},"feature_names":[],"feature_types":[],
            "gradient_booster":{{"model":{{"gbtree_model_param":{{"num_parallel_tree":"1","num_trees":"{n}"}},
            "iteration_indptr":[],"tree_info":{info},"trees":[{trees}]}},"name":"gbtree"}},
            "learner_model_param":{{"base_score":"{base}","boost_from_average":"1","num_class":"{num_class}",
            "num_feature":"2","num_target":"1"}},"objective":{{"name":"{objective}"}}}},"version":[3,2,0]}}"#,
            n = trees.len(),
            trees = trees.join(",")
        )
    }

    #[test]
    fn binary_logistic_margins_sum_in_float32_from_the_logit_base() {
        let text = model(
            "binary:logistic",
            "[4.8E-1]",
            0,
            &[tree(0.1, 0.2, 0.3), tree(-0.05, 0.07, 0.011)],
            "[0,0]",
        );
        let m = from_json(&text, Output::Raw).unwrap();
        assert_eq!(m.comparison, Comparison::Less);
        let x = array![
            [0.0, -2.0],
            [0.0, 0.0],
            [0.5, 0.0],
            [f64::NAN, f64::NAN],
            [0.0, -1.0]
        ];
        let got = m.predict(x.view()).unwrap();
        let base = -(f64::from(1.0_f32 / 0.48_f32 - 1.0_f32).ln() as f32);
        let f = |vals: [f32; 2]| f64::from(base + vals[0] + vals[1]);
        let expected = [
            f([0.1, -0.05]),
            f([0.2, 0.07]),
            f([0.3, 0.011]), // 0.5 < 0.5 is false: right
            f([0.3, 0.011]), // missing x0 goes right
            f([0.2, 0.07]),  // -1 < -1 is false
        ];
        assert_eq!(got.column(0).to_vec(), expected.to_vec());
        // Internal values are cover-weighted means of the leaves.
        let t = &m.trees[0];
        let v1 = (2.0 * f64::from(0.1_f32) + 4.0 * f64::from(0.2_f32)) / 6.0;
        assert_eq!(t.value[1], v1);
        let p = from_json(&text, Output::Probability).unwrap();
        let proba = p.predict(x.view()).unwrap();
        assert_eq!(proba.ncols(), 2);
        assert!((proba[[0, 1]] - crate::math::sigmoid(expected[0])).abs() < 1e-15);
        let err = from_json(&text, Output::Predict).unwrap_err().to_string();
        assert!(err.contains("class labels"), "{err}");
    }

    #[test]
    fn multiclass_trees_add_to_their_class() {
        let trees = [
            tree(1.0, 2.0, 3.0),
            tree(4.0, 5.0, 6.0),
            tree(7.0, 8.0, 9.0),
        ];
        let text = model("multi:softprob", "[1E-1,2E-1,3E-1]", 3, &trees, "[0,1,2]");
        let m = from_json(&text, Output::Raw).unwrap();
        let got = m.predict(array![[0.0, -2.0]].view()).unwrap();
        let e = |b: f32, v: f32| f64::from(b + v);
        assert_eq!(
            got.row(0).to_vec(),
            vec![e(0.1, 1.0), e(0.2, 4.0), e(0.3, 7.0)]
        );
        let p = from_json(&text, Output::Probability).unwrap();
        let proba = p.predict(array![[0.0, -2.0]].view()).unwrap();
        assert!((proba.row(0).sum() - 1.0).abs() < 1e-15);
        // A scalar base_score (older files) is broadcast.
        let old = model("multi:softmax", "5E-1", 3, &trees, "[0,1,2]");
        assert_eq!(
            from_json(&old, Output::Raw).unwrap().base_score,
            vec![0.5; 3]
        );
    }

    #[test]
    fn regression_and_count_objectives() {
        let text = model(
            "reg:squarederror",
            "[2.5E0]",
            0,
            &[tree(1.0, 2.0, 3.0)],
            "[0]",
        );
        let m = from_json(&text, Output::Predict).unwrap();
        assert_eq!(m.predict(array![[1.0, 0.0]].view()).unwrap()[[0, 0]], 5.5);
        let err = from_json(&text, Output::Probability)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no class probabilities"), "{err}");
        let text = model("count:poisson", "[2E0]", 0, &[tree(1.0, 2.0, 3.0)], "[0]");
        let m = from_json(&text, Output::Raw).unwrap();
        assert_eq!(m.base_score, vec![f64::from(2.0_f64.ln() as f32)]);
        assert!(from_json(&text, Output::Predict).is_err());
    }

    #[test]
    fn unsupported_models_are_named() {
        let t = [tree(1.0, 2.0, 3.0)];
        let err = from_json(&model("rank:pairwise", "[0]", 0, &t, "[0]"), Output::Raw)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("objective \"rank:pairwise\" is not supported"),
            "{err}"
        );
        let cat =
            tree(1.0, 2.0, 3.0).replace("\"split_type\":[0,0,0,0,0]", "\"split_type\":[0,1,0,0,0]");
        let err = from_json(
            &model("reg:squarederror", "[0]", 0, &[cat], "[0]"),
            Output::Raw,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)));
        assert!(
            err.to_string()
                .contains("tree 0, node 1 is a categorical split"),
            "{err}"
        );
        for (name, word) in [("gblinear", "gblinear"), ("dart", "dart")] {
            let text = model("reg:squarederror", "[0]", 0, &t, "[0]")
                .replace("\"name\":\"gbtree\"", &format!("\"name\":\"{name}\""));
            let err = from_json(&text, Output::Raw).unwrap_err().to_string();
            assert!(err.contains(word) && err.contains("not supported"), "{err}");
        }
        let vector =
            tree(1.0, 2.0, 3.0).replace("\"size_leaf_vector\":\"1\"", "\"size_leaf_vector\":\"3\"");
        let err = from_json(
            &model("reg:squarederror", "[0]", 0, &[vector], "[0]"),
            Output::Raw,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("multi-target"), "{err}");
    }

    #[test]
    fn malformed_json_is_an_invalid_argument() {
        for text in ["", "{", "{\"learner\": 1}", "[1,2]"] {
            let err = from_json(text, Output::Raw).unwrap_err().to_string();
            assert!(
                err.starts_with("model: malformed XGBoost JSON model"),
                "{err}"
            );
        }
        let t = [tree(1.0, 2.0, 3.0)];
        let text = model("reg:squarederror", "[0]", 0, &t, "[0,0]");
        assert!(from_json(&text, Output::Raw)
            .unwrap_err()
            .to_string()
            .contains("tree_info"));
        let broken = tree(1.0, 2.0, 3.0).replace(
            "\"left_children\":[1,3,-1,-1,-1]",
            "\"left_children\":[1,9,-1,-1,-1]",
        );
        let err = from_json(
            &model("reg:squarederror", "[0]", 0, &[broken], "[0]"),
            Output::Raw,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("tree 0: node 1 has child 9"), "{err}");
        let short =
            tree(1.0, 2.0, 3.0).replace("\"sum_hessian\":[10,6,4,2,4]", "\"sum_hessian\":[10]");
        let err = from_json(
            &model("reg:squarederror", "[0]", 0, &[short], "[0]"),
            Output::Raw,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("different lengths"), "{err}");
        let bad_feature = tree(1.0, 2.0, 3.0).replace(
            "\"split_indices\":[0,1,0,0,0]",
            "\"split_indices\":[0,5,0,0,0]",
        );
        let err = from_json(
            &model("reg:squarederror", "[0]", 0, &[bad_feature], "[0]"),
            Output::Raw,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("feature 5"), "{err}");
    }

    #[test]
    fn pruned_nodes_are_dropped() {
        // Node 1 was pruned into a leaf; its old children 3 and 4 remain in the arrays.
        let t = tree(1.0, 2.0, 3.0).replace(
            "\"left_children\":[1,3,-1,-1,-1]",
            "\"left_children\":[1,-1,-1,-1,-1]",
        );
        let m = from_json(
            &model("reg:squarederror", "[0]", 0, &[t], "[0]"),
            Output::Raw,
        )
        .unwrap();
        assert_eq!(m.trees[0].n_nodes(), 3);
        assert_eq!(m.predict(array![[0.0, 0.0]].view()).unwrap()[[0, 0]], -1.0);
    }
}
