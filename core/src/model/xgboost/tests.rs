//! Unit tests of the XGBoost JSON reader.

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

fn model(objective: &str, base: &str, num_class: usize, trees: &[String], info: &str) -> String {
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
    let short = tree(1.0, 2.0, 3.0).replace("\"sum_hessian\":[10,6,4,2,4]", "\"sum_hessian\":[10]");
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
