//! Robustness golden replay: `tests/golden/robust/*.json` (IBM ART 1.20.1 and independent
//! closed forms, written by `tests/golden/generate_robust.py`). FGSM and PGD on native logistic
//! models reproduce ART's adversarial rows to 1e-9; the closed-form minimal perturbation of
//! binary and multi-class linear models and the exact single-tree attack hit the exact minimal
//! distances to 1e-9 (and the tree attack never moves further than ART's `DecisionTreeAttack`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::PathBuf;

use aequa_core::model::{LinearModel, Model, NativeModel, TreeEnsemble};
use aequa_core::robust::constraints::Constraints;
use aequa_core::robust::linear_attack::{fgsm, minimal_perturbation, pgd, GradientOptions, Norm};
use aequa_core::robust::tree_attack::tree_minimal_perturbation;
use ndarray::{Array1, Array2};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn close(actual: f64, expected: f64) -> bool {
    if expected.is_infinite() {
        return actual.is_infinite() || actual.is_nan();
    }
    (actual - expected).abs() <= TOLERANCE * expected.abs().max(1.0)
}

fn cases() -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/robust");
    let mut out = Vec::new();
    for name in ["breast_cancer", "iris", "synthetic"] {
        let path = dir.join(format!("{name}.json"));
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run generate_robust.py)", path.display()));
        let doc: Value = serde_json::from_str(&text).unwrap();
        out.extend(doc["cases"].as_array().unwrap().iter().cloned());
    }
    assert!(out.len() >= 30, "expected the robustness fixtures");
    out
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        _ => v.as_f64().unwrap_or(f64::NAN),
    }
}

fn vector(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(vector).collect();
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, d), rows.concat()).unwrap()
}

fn norm_of(name: &str) -> Norm {
    if name == "linf" {
        Norm::Linf
    } else {
        Norm::L2
    }
}

fn constraints(case: &Value) -> Constraints {
    serde_json::from_value(case["options"]["constraints"].clone()).unwrap()
}

fn linear(case: &Value) -> LinearModel {
    match NativeModel::from_json(case["model"].as_str().unwrap()).unwrap() {
        NativeModel::Linear(m) => m,
        NativeModel::Trees(_) => panic!("{}: expected a linear model", case["name"]),
    }
}

fn trees(case: &Value) -> TreeEnsemble {
    match NativeModel::from_json(case["model"].as_str().unwrap()).unwrap() {
        NativeModel::Trees(t) => t,
        NativeModel::Linear(_) => panic!("{}: expected a tree", case["name"]),
    }
}

fn distances(a: &Array2<f64>, x: &Array2<f64>, norm: Norm) -> Vec<f64> {
    a.outer_iter()
        .zip(x.outer_iter())
        .map(|(r, o)| norm.of(r.iter().zip(o.iter()).map(|(p, q)| p - q)))
        .collect()
}

#[test]
fn fgsm_and_pgd_reproduce_art() {
    let mut checked = 0;
    let mut worst = 0.0f64;
    for case in cases()
        .iter()
        .filter(|c| c["kind"] == "fgsm" || c["kind"] == "pgd")
    {
        let name = case["name"].as_str().unwrap();
        let model = linear(case);
        let x = matrix(&case["X"]);
        let y: Option<Array1<f64>> = case["y"].as_array().map(|_| vector(&case["y"]).into());
        let o = &case["options"];
        let options = GradientOptions {
            eps: o["eps"].as_f64().unwrap(),
            norm: norm_of(o["norm"].as_str().unwrap()),
            max_iter: o["max_iter"].as_u64().map_or(1, |v| v as usize),
            step_size: o["step_size"].as_f64(),
            ..GradientOptions::default()
        };
        let report = if case["kind"] == "fgsm" {
            fgsm(&model, x.view(), y.as_ref().map(|y| y.view()), &options)
        } else {
            pgd(&model, x.view(), y.as_ref().map(|y| y.view()), &options)
        }
        .unwrap();
        let expected = matrix(&case["expected"]["x_adv"]);
        for (i, row) in report.x_adv.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let e = expected[[i, j]];
                assert!(close(*v, e), "{name} [{i}, {j}]: aequa {v:e}, ART {e:e}");
                worst = worst.max((v - e).abs());
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} gradient cases");
    eprintln!("FGSM/PGD vs ART: {checked} cases, worst |Δx| = {worst:e}");
}

#[test]
fn linear_minimal_perturbation_is_exact() {
    let mut checked = 0;
    for case in cases().iter().filter(|c| c["kind"] == "minimal_linear") {
        let name = case["name"].as_str().unwrap();
        let model = linear(case);
        let x = matrix(&case["X"]);
        let norm = norm_of(case["options"]["norm"].as_str().unwrap());
        let cons = constraints(case);
        let expected = vector(&case["expected"]["distance"]);
        // On the boundary (overshoot 0): the distance moved is the exact minimum.
        let exact = minimal_perturbation(&model, x.view(), norm, &cons, 0.0).unwrap();
        let adv = Array2::from_shape_vec(x.dim(), exact.x_adv.concat()).unwrap();
        for (i, (d, e)) in distances(&adv, &x, norm).iter().zip(&expected).enumerate() {
            let d = if e.is_infinite() { f64::INFINITY } else { *d };
            assert!(close(d, *e), "{name} row {i}: aequa {d:e}, exact {e:e}");
        }
        // Just past it: every reachable row changes label, immutable columns never move.
        let past = minimal_perturbation(&model, x.view(), norm, &cons, 1e-9).unwrap();
        let adv = Array2::from_shape_vec(x.dim(), past.x_adv.concat()).unwrap();
        let before = model.predict(x.view()).unwrap();
        let after = model.predict(adv.view()).unwrap();
        for (i, e) in expected.iter().enumerate() {
            let argmax = |r: ndarray::ArrayView1<'_, f64>| {
                r.iter()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |b, (k, v)| if *v > b.1 { (k, *v) } else { b },
                    )
                    .0
            };
            let flipped = argmax(before.row(i)) != argmax(after.row(i));
            assert_eq!(past.success[i], flipped, "{name} row {i}");
            assert_eq!(flipped, e.is_finite(), "{name} row {i}");
            for &j in &cons.immutable {
                assert_eq!(adv[[i, j]], x[[i, j]], "{name} row {i} column {j}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} minimal cases");
}

#[test]
fn tree_attack_is_exact_and_never_above_art() {
    let mut checked = 0;
    let mut art_rows = 0;
    for case in cases().iter().filter(|c| c["kind"] == "tree") {
        let name = case["name"].as_str().unwrap();
        let model = trees(case);
        let x = matrix(&case["X"]);
        let cons = constraints(case);
        for norm in [Norm::L2, Norm::Linf] {
            let r = tree_minimal_perturbation(&model, x.view(), norm, &cons, 0.5).unwrap();
            let expected = vector(&case["expected"][format!("distance_{}", norm.name())]);
            for (i, e) in expected.iter().enumerate() {
                assert_eq!(r.success[i], e.is_finite(), "{name} {norm:?} row {i}");
                let d = r.perturbation_norm[i].0;
                assert!(
                    close(d, *e),
                    "{name} {norm:?} row {i}: aequa {d:e}, exact {e:e}"
                );
            }
            let art = &case["expected"][format!("art_distance_{}", norm.name())];
            if art.is_array() {
                let art = vector(art);
                let ok = case["expected"]["art_success"].as_array().unwrap();
                for (i, a) in art.iter().enumerate() {
                    if ok[i].as_bool().unwrap() {
                        let d = r.perturbation_norm[i].0;
                        assert!(d <= *a, "{name} {norm:?} row {i}: aequa {d:e} > ART {a:e}");
                        art_rows += 1;
                    }
                }
            }
        }
        checked += 1;
    }
    assert!(
        checked >= 4 && art_rows >= 100,
        "{checked} tree cases, {art_rows} ART rows"
    );
}
