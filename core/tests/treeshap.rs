//! TreeSHAP parity with shap 0.51.0 (`tests/golden/treeshap/*.json`, written by
//! `tests/golden/generate_treeshap.py`) and the Shapley axioms on those models.
//!
//! Path-dependent values, expected values and interaction values are replayed against
//! `shap.TreeExplainer`; interventional values against shap's exact enumeration of the
//! interventional game (`ExactExplainer` with an `Independent` masker), to 1e-9. Where no exact
//! enumeration is stored (30 features), against `shap.TreeExplainer`'s interventional values,
//! which shap computes with float32 node values, at 1e-6.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::PathBuf;

use aequa_core::explain::{
    tree_expected_value, tree_shap, tree_shap_interaction_values, trees_of, FeaturePerturbation,
    TreeShapParams,
};
use aequa_core::model::{Comparison, Link, NativeModel, Tree, TreeEnsemble};
use ndarray::{Array2, ArrayView2};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;
/// shap's interventional C++ keeps node values and thresholds in float32.
const FLOAT32_TOLERANCE: f64 = 1e-6;

struct Case {
    name: String,
    json: Value,
    model: NativeModel,
    x: Array2<f64>,
}

fn cases() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/treeshap");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 7, "expected the 7 TreeSHAP fixtures");
    paths
        .iter()
        .map(|p| {
            let json: Value = serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap();
            let model = NativeModel::from_json(&json["model"].to_string()).unwrap();
            let x = matrix(&json["X"]);
            Case {
                name: p.file_stem().unwrap().to_string_lossy().into_owned(),
                json,
                model,
                x,
            }
        })
        .collect()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let m = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), m), rows.concat()).unwrap()
}

/// Every number of a nested JSON array, in row-major order.
fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        other => panic!("expected numbers, found {other}"),
    }
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: {g} vs {w} (diff {:e})",
            (g - w).abs()
        );
    }
}

fn params(how: FeaturePerturbation) -> TreeShapParams {
    TreeShapParams {
        feature_perturbation: how,
        ..TreeShapParams::default()
    }
}

fn values(report: &aequa_core::report::ExplanationReport) -> Vec<f64> {
    report.values.iter().map(|v| v.0).collect()
}

#[test]
fn native_predictions_equal_the_library() {
    for c in cases() {
        let raw = trees_of(&c.model).unwrap().predict_raw(c.x.view());
        let got: Vec<f64> = raw.iter().copied().collect();
        assert_close(&c.name, &got, &flat(&c.json["raw_output"]), 1e-12);
    }
}

#[test]
fn path_dependent_values_match_shap() {
    for c in cases() {
        let trees = trees_of(&c.model).unwrap();
        let p = params(FeaturePerturbation::TreePathDependent);
        let report = tree_shap(trees, c.x.view(), None, &p).unwrap();
        let want = &c.json["path_dependent"];
        assert_close(&c.name, &values(&report), &flat(&want["values"]), TOLERANCE);
        let ev = tree_expected_value(trees, None, &p).unwrap();
        assert_close(&c.name, &ev, &flat(&want["expected_value"]), TOLERANCE);
        let base: Vec<f64> = report.base_values.iter().map(|v| v.0).collect();
        assert_close(&c.name, &base[..ev.len()], &ev, 0.0);
        assert_eq!(report.method, "tree_path_dependent");
        assert_eq!(
            (report.model_calls, report.rows_evaluated),
            (0, c.x.nrows() as u64)
        );
        assert!(
            report.additivity_residual.iter().all(|r| r.0.abs() < 1e-9),
            "{}: additivity",
            c.name
        );
    }
}

#[test]
fn interaction_values_match_shap_and_sum_to_the_shap_values() {
    for c in cases() {
        let trees = trees_of(&c.model).unwrap();
        let p = params(FeaturePerturbation::TreePathDependent);
        let inter = tree_shap_interaction_values(trees, c.x.view(), None, &p).unwrap();
        let want = flat(&c.json["path_dependent"]["interactions"]);
        let got: Vec<f64> = inter.iter().copied().collect();
        assert_close(&c.name, &got, &want, TOLERANCE);
        let report = tree_shap(trees, c.x.view(), None, &p).unwrap();
        let (rows, m, _, k) = inter.dim();
        for i in 0..rows {
            for a in 0..m {
                for o in 0..k {
                    let row_sum: f64 = (0..m).map(|b| inter[[i, a, b, o]]).sum();
                    let phi = report.values[(i * m + a) * k + o].0;
                    assert!((row_sum - phi).abs() < 1e-9, "{}: row sum", c.name);
                    for b in 0..m {
                        assert!((inter[[i, a, b, o]] - inter[[i, b, a, o]]).abs() < 1e-12);
                    }
                }
            }
        }
    }
}

#[test]
fn interventional_values_match_exact_enumeration() {
    for c in cases() {
        let trees = trees_of(&c.model).unwrap();
        let want = &c.json["interventional"];
        let bg = matrix(&want["background"]);
        let p = params(FeaturePerturbation::Interventional);
        let report = tree_shap(trees, c.x.view(), Some(bg.view()), &p).unwrap();
        let got = values(&report);
        if want.get("exact_values").is_some() {
            assert_close(&c.name, &got, &flat(&want["exact_values"]), TOLERANCE);
            let ev = flat(&want["exact_expected_value"]);
            assert_close(&c.name, &report_base(&report), &ev, TOLERANCE);
        } else {
            let shap_tree = flat(&want["shap_tree_values"]);
            assert_close(&c.name, &got, &shap_tree, FLOAT32_TOLERANCE);
        }
        let ev = tree_expected_value(trees, Some(bg.view()), &p).unwrap();
        assert_close(&c.name, &ev, &flat(&want["expected_value"]), TOLERANCE);
        assert_eq!(report.method, "tree_interventional");
        assert_eq!(report.rows_evaluated, (c.x.nrows() * bg.nrows()) as u64);
        assert_eq!(report.params["background_rows"], bg.nrows());
        assert!(report.additivity_residual.iter().all(|r| r.0.abs() < 1e-9));
        // Interaction values are path-dependent only: a clear error, not SHAP's zeros.
        let err = tree_shap_interaction_values(trees, c.x.view(), Some(bg.view()), &p);
        assert!(err.unwrap_err().to_string().contains("tree_path_dependent"));
    }
}

fn report_base(report: &aequa_core::report::ExplanationReport) -> Vec<f64> {
    let k = report.shape[2];
    report.base_values[..k].iter().map(|v| v.0).collect()
}

#[test]
fn path_dependent_with_background_covers_matches_shap() {
    let mut seen = 0;
    for c in cases() {
        let Some(want) = c.json.get("path_dependent_background") else {
            continue;
        };
        seen += 1;
        let trees = trees_of(&c.model).unwrap();
        let bg = matrix(&c.json["interventional"]["background"]);
        let p = params(FeaturePerturbation::TreePathDependent);
        let report = tree_shap(trees, c.x.view(), Some(bg.view()), &p).unwrap();
        assert_close(&c.name, &values(&report), &flat(&want["values"]), TOLERANCE);
        let ev = tree_expected_value(trees, Some(bg.view()), &p).unwrap();
        assert_close(&c.name, &ev, &flat(&want["expected_value"]), TOLERANCE);
        let inter = tree_shap_interaction_values(trees, c.x.view(), Some(bg.view()), &p).unwrap();
        let got: Vec<f64> = inter.iter().copied().collect();
        assert_close(&c.name, &got, &flat(&want["interactions"]), TOLERANCE);
    }
    assert!(seen > 0);
}

/// The fixture models with one extra column they never split on: it gets exactly 0.
#[test]
fn a_feature_never_split_on_gets_exactly_zero() {
    for c in cases() {
        let mut trees = trees_of(&c.model).unwrap().clone();
        trees.n_features += 1;
        let (n, m) = c.x.dim();
        let x = Array2::from_shape_fn((n, m + 1), |(i, j)| if j < m { c.x[[i, j]] } else { 7.0 });
        let bg = matrix(&c.json["interventional"]["background"]);
        let bg = Array2::from_shape_fn(
            (bg.nrows(), m + 1),
            |(i, j)| {
                if j < m {
                    bg[[i, j]]
                } else {
                    -3.0
                }
            },
        );
        let k = trees.n_raw_outputs;
        for (how, data) in [
            (FeaturePerturbation::TreePathDependent, None),
            (FeaturePerturbation::Interventional, Some(bg.view())),
        ] {
            let report = tree_shap(&trees, x.view(), data, &params(how)).unwrap();
            for i in 0..n {
                for o in 0..k {
                    assert_eq!(
                        report.values[(i * (m + 1) + m) * k + o].0,
                        0.0,
                        "{}",
                        c.name
                    );
                }
            }
        }
        let p = params(FeaturePerturbation::TreePathDependent);
        let inter = tree_shap_interaction_values(&trees, x.view(), None, &p).unwrap();
        assert!(inter
            .slice(ndarray::s![.., m, .., ..])
            .iter()
            .all(|v| *v == 0.0));
    }
}

/// `f = g(x0 > .5, x1 > .5)` with `g` symmetric and both splits covered alike: features 0 and
/// 1 are used identically, so rows with `x0 = x1` credit them equally.
#[test]
fn two_features_used_identically_get_equal_values() {
    let tree = |first: u32, second: u32| Tree {
        children_left: vec![1, 3, 5, -1, -1, -1, -1],
        children_right: vec![2, 4, 6, -1, -1, -1, -1],
        children_default: vec![1, 3, 5, -1, -1, -1, -1],
        feature: vec![first, second, second, 0, 0, 0, 0],
        threshold: vec![0.5; 7],
        value: vec![0.0, 0.0, 0.0, 1.0, 4.0, 4.0, 9.0],
        cover: vec![100.0, 60.0, 40.0, 36.0, 24.0, 24.0, 16.0],
        missing_zero: vec![],
    };
    let model = TreeEnsemble {
        n_features: 3,
        n_raw_outputs: 1,
        trees: vec![tree(0, 1), tree(1, 0)],
        tree_output: None,
        comparison: Comparison::LessEqual,
        float32_features: false,
        tree_weight: 0.5,
        base_score: vec![1.5],
        link: Link::Identity,
        source: "test".into(),
        accumulate: Default::default(),
    };
    model.check().unwrap();
    let x = ndarray::array![[0.2, 0.3, 5.0], [0.9, 0.7, -1.0]];
    let bg = ndarray::array![[0.1, 0.8, 0.0], [0.8, 0.1, 0.0], [0.6, 0.6, 0.0]];
    let check = |data: Option<ArrayView2<'_, f64>>, how| {
        let report = tree_shap(&model, x.view(), data, &params(how)).unwrap();
        for i in 0..2 {
            let (a, b, c) = (
                report.values[i * 3].0,
                report.values[i * 3 + 1].0,
                report.values[i * 3 + 2].0,
            );
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
            assert_eq!(c, 0.0);
            assert!(a != 0.0);
        }
    };
    check(None, FeaturePerturbation::TreePathDependent);
    check(Some(bg.view()), FeaturePerturbation::Interventional);
}
