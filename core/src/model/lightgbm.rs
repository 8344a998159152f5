//! LightGBM's text model format (`Booster.model_to_string()`, `save_model`) → a
//! [`TreeEnsemble`] that predicts what LightGBM predicts.
//!
//! LightGBM compares float64 features with float64 thresholds (`x <= t` goes left) and sums
//! the leaf values of each class's trees in float64 (shrinkage is already in the leaf values;
//! the initial score is folded into the first trees). Missing values follow each split's
//! `decision_type` bits: bit 0 marks a categorical split (refused), bit 1 `default_left`, bits
//! 2–3 the missing type — *None*: NaN is read as 0 and compared; *Zero*: NaN and
//! `|x| <= 1e-35` take the default child; *NaN*: NaN takes the default child. A binary model's
//! probability is `1 / (1 + exp(-sigmoid · raw))`; multiclass models apply softmax over
//! `num_class` outputs, tree `i` adding to class `i % num_class`; random-forest models
//! (`average_output`) divide by the number of iterations (`raw_score` does not).

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::linear::Link;
use crate::model::output::Output;
use crate::model::tree::{Accumulate, Comparison, Tree, TreeEnsemble};

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::invalid("model", format!("malformed LightGBM model text: {what}"))
}

/// Objectives with an identity output.
const IDENTITY: &[&str] = &[
    "regression",
    "regression_l1",
    "huber",
    "fair",
    "quantile",
    "mape",
    "lambdarank",
    "rank_xendcg",
];
/// Objectives whose prediction is `exp(raw)`, or that need a link aequa does not have.
const RAW_ONLY: &[&str] = &[
    "poisson",
    "gamma",
    "tweedie",
    "multiclassova",
    "cross_entropy_lambda",
];

/// The objective line: its name and parameters (`key:value`, or a bare flag such as `sqrt`
/// mapped to "").
fn parse_objective(line: Option<&str>) -> (String, BTreeMap<String, String>) {
    let mut tokens = line.unwrap_or("").split_whitespace();
    let name = tokens.next().unwrap_or("").to_string();
    let params = tokens
        .map(|t| t.split_once(':').unwrap_or((t, "")))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (name, params)
}

fn unsupported(objective: &str, output: Output, why: &str) -> Error {
    Error::Unsupported(format!(
        "output=\"{}\" is not available for the LightGBM objective {objective:?}: {why}",
        output.name()
    ))
}

/// Parse LightGBM's model text and build the ensemble for `output`.
pub fn from_text(text: &str, output: Output) -> Result<TreeEnsemble> {
    let (header, blocks) = split_blocks(text)?;
    let get = |key: &str| header.get(key).copied();
    let count = |key: &str| -> Result<usize> {
        get(key)
            .ok_or_else(|| malformed(format!("the header has no {key}")))?
            .trim()
            .parse::<usize>()
            .map_err(|_| malformed(format!("{key} must be a whole number")))
    };
    let n_features = count("max_feature_idx")? + 1;
    let per_iteration = count("num_tree_per_iteration")?.max(1);
    let average = header.contains_key("average_output");
    let (objective, params) = parse_objective(get("objective"));
    let sigmoid = match params.get("sigmoid") {
        Some(s) => s
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0)
            .ok_or_else(|| malformed(format!("sigmoid:{s} is not a positive number")))?,
        None => 1.0,
    };
    let name = objective.as_str();
    let known = IDENTITY.contains(&name)
        || RAW_ONLY.contains(&name)
        || matches!(
            name,
            "binary" | "multiclass" | "cross_entropy" | "" | "custom"
        );
    if !known {
        return Err(Error::Unsupported(format!(
            "LightGBM objective {name:?} is not supported natively; supported: regression, \
             regression_l1, huber, fair, quantile, mape, lambdarank, rank_xendcg, binary, \
             multiclass, cross_entropy, and for the raw score poisson, gamma, tweedie, \
             multiclassova, cross_entropy_lambda. Pass the model as a Python callable instead"
        )));
    }
    let (link, weight) = match output {
        Output::Raw => (Link::Identity, 1.0),
        Output::Probability => match name {
            "binary" | "cross_entropy" => (Link::Logistic, sigmoid),
            "multiclass" => (Link::Softmax, 1.0),
            _ => {
                return Err(unsupported(
                    name,
                    output,
                    "the objective has no class probabilities aequa can compute natively",
                ))
            }
        },
        Output::Predict => {
            if params.contains_key("sqrt") {
                return Err(unsupported(
                    name,
                    output,
                    "with reg_sqrt the prediction is sign(raw)·raw²; use output=\"raw\"",
                ));
            }
            if IDENTITY.contains(&name) {
                (Link::Identity, 1.0)
            } else {
                return Err(unsupported(
                    name,
                    output,
                    "only regression objectives with an identity output have a native predict; \
                     use output=\"raw\" or \"probability\"",
                ));
            }
        }
    };
    if link == Link::Softmax && per_iteration < 2 {
        return Err(malformed(
            "a multiclass model needs num_tree_per_iteration >= 2",
        ));
    }
    let trees = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| convert_tree(i, b))
        .collect::<Result<Vec<_>>>()?;
    if trees.len() % per_iteration != 0 {
        return Err(malformed(format!(
            "{} trees is not a whole number of iterations of {per_iteration} trees",
            trees.len()
        )));
    }
    let iterations = trees.len() / per_iteration;
    // Random-forest mode averages over iterations, except for the raw score.
    let (accumulate, tree_weight) = if average && output != Output::Raw && iterations > 0 {
        if weight != 1.0 {
            return Err(Error::Unsupported(
                "LightGBM random-forest models with sigmoid != 1 are not supported natively".into(),
            ));
        }
        #[allow(clippy::cast_precision_loss)]
        (Accumulate::Mean, 1.0 / iterations as f64)
    } else {
        (Accumulate::Sum, weight)
    };
    #[allow(clippy::cast_possible_truncation)]
    let tree_output = (per_iteration > 1).then(|| {
        (0..trees.len())
            .map(|i| (i % per_iteration) as u32)
            .collect()
    });
    let ensemble = TreeEnsemble {
        n_features,
        n_raw_outputs: per_iteration,
        trees,
        tree_output,
        comparison: Comparison::LessEqual,
        float32_features: false,
        tree_weight,
        base_score: vec![0.0; per_iteration],
        link,
        source: format!(
            "lightgbm ({})",
            if name.is_empty() { "custom" } else { name }
        ),
        accumulate,
    };
    ensemble.check()?;
    Ok(ensemble)
}

type Block<'a> = BTreeMap<&'a str, &'a str>;

/// The header's `key=value` lines (a bare key maps to "") and one map per `Tree=` block.
fn split_blocks(text: &str) -> Result<(Block<'_>, Vec<Block<'_>>)> {
    let mut lines = text.lines().map(str::trim);
    if lines.next() != Some("tree") {
        return Err(malformed(
            "expected the first line \"tree\" (the output of Booster.model_to_string())",
        ));
    }
    let mut header = Block::new();
    let mut trees: Vec<Block<'_>> = Vec::new();
    let mut ended = false;
    for line in lines {
        if line == "end of trees" {
            ended = true;
            break;
        }
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if key == "Tree" {
            trees.push(Block::new());
        } else if let Some(tree) = trees.last_mut() {
            tree.insert(key, value);
        } else {
            header.insert(key, value);
        }
    }
    if !ended {
        return Err(malformed("no \"end of trees\" line: the text is truncated"));
    }
    Ok((header, trees))
}

fn numbers<T: std::str::FromStr>(tree: &Block<'_>, index: usize, key: &str) -> Result<Vec<T>> {
    let text = tree
        .get(key)
        .ok_or_else(|| malformed(format!("tree {index} has no {key}")))?;
    text.split_whitespace()
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| malformed(format!("tree {index}: {key} has a bad value {v:?}")))
        })
        .collect()
}

/// One LightGBM tree → node arrays: internal nodes first (node 0 the root), then the leaves.
#[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
fn convert_tree(index: usize, b: &Block<'_>) -> Result<Tree> {
    let bad = |what: String| malformed(format!("tree {index}: {what}"));
    if b.get("is_linear").is_some_and(|v| v.trim() != "0") {
        return Err(Error::Unsupported(format!(
            "LightGBM tree {index} is a linear tree (linear_tree=True); linear trees are not \
             supported natively — pass the model as a Python callable"
        )));
    }
    let n_leaves: usize = numbers(b, index, "num_leaves")?
        .first()
        .copied()
        .ok_or_else(|| bad("num_leaves is empty".into()))?;
    let leaf_value: Vec<f64> = numbers(b, index, "leaf_value")?;
    let leaf_count: Vec<f64> = numbers(b, index, "leaf_count").unwrap_or_default();
    if n_leaves == 0 || leaf_value.len() != n_leaves {
        return Err(bad(format!(
            "num_leaves={n_leaves} but {} leaf values",
            leaf_value.len()
        )));
    }
    let n_int = n_leaves - 1;
    let split_feature: Vec<u32> = numbers(b, index, "split_feature")?;
    let threshold: Vec<f64> = numbers(b, index, "threshold")?;
    let decision_type: Vec<u8> = numbers(b, index, "decision_type")?;
    let left: Vec<i32> = numbers(b, index, "left_child")?;
    let right: Vec<i32> = numbers(b, index, "right_child")?;
    let internal_count: Vec<f64> = numbers(b, index, "internal_count").unwrap_or_default();
    let lens = [
        split_feature.len(),
        threshold.len(),
        decision_type.len(),
        left.len(),
    ];
    if lens.iter().any(|l| *l != n_int) || right.len() != n_int {
        return Err(bad(format!(
            "expected {n_int} split entries for {n_leaves} leaves"
        )));
    }
    let node_of = |c: i32| if c < 0 { n_int as i32 + !c } else { c };
    let n = n_int + n_leaves;
    let mut tree = Tree {
        children_left: Vec::with_capacity(n),
        children_right: Vec::with_capacity(n),
        children_default: Vec::with_capacity(n),
        feature: Vec::with_capacity(n),
        threshold: Vec::with_capacity(n),
        value: vec![0.0; n_int],
        cover: Vec::with_capacity(n),
        missing_zero: Vec::with_capacity(n),
    };
    let splits = split_feature
        .iter()
        .zip(&threshold)
        .zip(&decision_type)
        .zip(left.iter().zip(&right));
    for (node, (((feature, t), dt), (l, r))) in splits.enumerate() {
        if dt & 1 != 0 {
            return Err(Error::Unsupported(format!(
                "LightGBM tree {index}, node {node} is a categorical split; categorical splits \
                 are not supported natively (one-hot encode the feature, or pass the model as a \
                 Python callable)"
            )));
        }
        let (l, r) = (node_of(*l), node_of(*r));
        let default_left = dt & 2 != 0;
        let (default, zero) = match (dt >> 2) & 3 {
            0 => (if 0.0 <= *t { l } else { r }, false), // None: NaN is compared as 0
            1 => (if default_left { l } else { r }, true), // Zero: zeros and NaN are missing
            2 => (if default_left { l } else { r }, false), // NaN
            m => return Err(bad(format!("node {node} has an unknown missing type {m}"))),
        };
        tree.children_left.push(l);
        tree.children_right.push(r);
        tree.children_default.push(default);
        tree.feature.push(*feature);
        tree.threshold.push(*t);
        tree.missing_zero.push(zero);
        tree.cover
            .push(internal_count.get(node).copied().unwrap_or(0.0));
    }
    for (leaf, v) in leaf_value.iter().enumerate() {
        tree.children_left.push(-1);
        tree.children_right.push(-1);
        tree.children_default.push(-1);
        tree.feature.push(0);
        tree.threshold.push(0.0);
        tree.missing_zero.push(false);
        tree.value.push(*v);
        tree.cover
            .push(leaf_count.get(leaf).copied().unwrap_or(0.0));
    }
    if !tree.missing_zero.iter().any(|z| *z) {
        tree.missing_zero.clear();
    }
    tree.fill_expectations(1);
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use ndarray::array;

    /// A 3-leaf tree: x0 <= 0.5 ? (x1 <= t1 ? a : b) : c, with the given decision types.
    fn tree(dt0: u8, dt1: u8, t1: f64, leaves: [f64; 3]) -> String {
        let [a, b, c] = leaves;
        format!(
            "num_leaves=3\nnum_cat=0\nsplit_feature=0 1\nsplit_gain=1 1\nthreshold=0.5 {t1}\n\
             decision_type={dt0} {dt1}\nleft_child=1 -1\nright_child=-3 -2\n\
             leaf_value={a} {b} {c}\nleaf_weight=1 1 1\nleaf_count=2 3 5\n\
             internal_value=0 0\ninternal_weight=0 0\ninternal_count=10 5\nis_linear=0\nshrinkage=1\n"
        )
    }

    fn model(objective: &str, per_iteration: usize, extra: &str, trees: &[String]) -> String {
        let body: String = trees
            .iter()
            .enumerate()
            .map(|(i, t)| format!("Tree={i}\n{t}\n\n"))
            .collect();
        format!(
            "tree\nversion=v4\nnum_class={per_iteration}\nnum_tree_per_iteration={per_iteration}\n\
             label_index=0\nmax_feature_idx=1\nobjective={objective}\n{extra}\
             feature_names=a b\nfeature_infos=none none\ntree_sizes=1\n\n{body}end of trees\n\n\
             parameters:\n[boosting: gbdt]\nend of parameters\n\npandas_categorical:null\n"
        )
    }

    #[test]
    fn routes_missing_values_like_lightgbm() {
        // Node 1 (x1 <= -1): decision types 2 = NaN missing + default left... set per case.
        let x = array![
            [0.0, f64::NAN],
            [0.0, 0.0],
            [0.0, 1e-36],
            [0.0, -2.0],
            [0.0, 3.0]
        ];
        let predict = |dt1: u8| {
            let text = model("regression", 1, "", &[tree(0, dt1, -1.0, [1.0, 2.0, 3.0])]);
            let m = from_text(&text, Output::Predict).unwrap();
            m.predict(x.view()).unwrap().column(0).to_vec()
        };
        // None (0): NaN is read as 0, and 0 <= -1 is false → right (2).
        assert_eq!(predict(0), vec![2.0, 2.0, 2.0, 1.0, 2.0]);
        // Zero + default left (4 | 2): NaN, 0 and 1e-36 go left.
        assert_eq!(predict(6), vec![1.0, 1.0, 1.0, 1.0, 2.0]);
        // NaN + default left (8 | 2): only NaN goes left.
        assert_eq!(predict(10), vec![1.0, 2.0, 2.0, 1.0, 2.0]);
        // NaN, default right (8).
        assert_eq!(predict(8), vec![2.0, 2.0, 2.0, 1.0, 2.0]);
    }

    #[test]
    fn binary_applies_the_sigmoid_coefficient() {
        let trees = [
            tree(2, 2, 0.0, [0.1, 0.2, 0.3]),
            tree(2, 2, 0.0, [-0.4, 0.5, 0.6]),
        ];
        let text = model("binary sigmoid:2", 1, "", &trees);
        let raw = from_text(&text, Output::Raw).unwrap();
        let x = array![[0.0, -1.0], [1.0, 0.0]];
        let r = raw.predict(x.view()).unwrap();
        assert_eq!(r.column(0).to_vec(), vec![0.1 + -0.4, 0.3 + 0.6]);
        let p = from_text(&text, Output::Probability)
            .unwrap()
            .predict(x.view())
            .unwrap();
        let expected = 1.0 / (1.0 + crate::math::exp(-2.0 * (0.3 + 0.6)));
        assert!((p[[1, 1]] - expected).abs() < 1e-15);
        assert!(from_text(&text, Output::Predict).is_err());
        // Covers and expectations: node 1 = (2·a + 3·b) / 5.
        assert_eq!(raw.trees[0].cover, vec![10.0, 5.0, 2.0, 3.0, 5.0]);
        assert_eq!(raw.trees[0].value[1], (2.0 * 0.1 + 3.0 * 0.2) / 5.0);
    }

    #[test]
    fn multiclass_and_random_forest() {
        let trees: Vec<String> = (0..6)
            .map(|i| tree(2, 2, 0.0, [f64::from(i), 10.0, 20.0]))
            .collect();
        let text = model("multiclass num_class:3", 3, "", &trees);
        let raw = from_text(&text, Output::Raw).unwrap();
        let r = raw.predict(array![[0.0, -1.0]].view()).unwrap();
        assert_eq!(r.row(0).to_vec(), vec![3.0, 5.0, 7.0]);
        let p = from_text(&text, Output::Probability).unwrap();
        assert!((p.predict(array![[0.0, -1.0]].view()).unwrap().sum() - 1.0).abs() < 1e-15);
        // Random-forest mode: the prediction averages over iterations, raw_score does not.
        let rf = model("regression", 1, "average_output\n", &trees);
        let m = from_text(&rf, Output::Predict).unwrap();
        let got = m.predict(array![[0.0, -1.0]].view()).unwrap()[[0, 0]];
        assert_eq!(got, 15.0 / 6.0);
        let m = from_text(&rf, Output::Raw).unwrap();
        assert_eq!(m.predict(array![[0.0, -1.0]].view()).unwrap()[[0, 0]], 15.0);
    }

    #[test]
    fn single_leaf_trees() {
        let one = "num_leaves=1\nnum_cat=0\nsplit_feature=\nsplit_gain=\nthreshold=\n\
                   decision_type=\nleft_child=\nright_child=\nleaf_value=0.25\nleaf_weight=\n\
                   leaf_count=\ninternal_value=\ninternal_weight=\ninternal_count=\nis_linear=0\n\
                   shrinkage=1\n";
        let text = model(
            "regression",
            1,
            "",
            &[one.to_string(), tree(2, 2, 0.0, [1.0, 2.0, 3.0])],
        );
        let m = from_text(&text, Output::Raw).unwrap();
        assert_eq!(m.predict(array![[1.0, 0.0]].view()).unwrap()[[0, 0]], 3.25);
    }

    #[test]
    fn unsupported_models_are_named() {
        let t = tree(2, 2, 0.0, [1.0, 2.0, 3.0]);
        let err = from_text(
            &model("my_objective", 1, "", std::slice::from_ref(&t)),
            Output::Raw,
        )
        .unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)));
        assert!(
            err.to_string().contains("objective \"my_objective\""),
            "{err}"
        );
        let cat = tree(2, 9, 0.0, [1.0, 2.0, 3.0]);
        let err = from_text(&model("regression", 1, "", &[t.clone(), cat]), Output::Raw)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tree 1, node 1 is a categorical split"),
            "{err}"
        );
        let linear = t.replace("is_linear=0", "is_linear=1");
        let err = from_text(&model("regression", 1, "", &[linear]), Output::Raw)
            .unwrap_err()
            .to_string();
        assert!(err.contains("linear tree"), "{err}");
        let err = from_text(
            &model("poisson", 1, "", std::slice::from_ref(&t)),
            Output::Predict,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("output=\"predict\" is not available"), "{err}");
        let err = from_text(&model("regression sqrt", 1, "", &[t]), Output::Predict)
            .unwrap_err()
            .to_string();
        assert!(err.contains("reg_sqrt"), "{err}");
    }

    #[test]
    fn malformed_text_is_an_invalid_argument() {
        let t = tree(2, 2, 0.0, [1.0, 2.0, 3.0]);
        let good = model("regression", 1, "", std::slice::from_ref(&t));
        let cases = [
            String::new(),
            "{\"json\": true}".to_string(),
            good.replace("end of trees", ""),
            good.replace("max_feature_idx=1\n", ""),
            good.replace("leaf_value=1 2 3", "leaf_value=1 2"),
            good.replace("threshold=0.5 0", "threshold=0.5 zero"),
            good.replace("left_child=1 -1", "left_child=7 -1"),
            good.replace("split_feature=0 1", "split_feature=0 4"),
        ];
        for text in &cases {
            let err = from_text(text, Output::Raw).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
        }
        let err = from_text(&cases[2], Output::Raw).unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
    }
}
