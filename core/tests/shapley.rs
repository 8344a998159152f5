//! Model-agnostic Shapley values against shap 0.51.0: the golden fixtures of
//! `tests/golden/generate_shapley.py` (`tests/golden/shapley/*.json`) replayed natively with the
//! stored NativeModel (linear models, scikit-learn forests as node arrays) to 1e-9, and property
//! tests of the Shapley axioms (efficiency, symmetry, dummy, linearity) on random models.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use std::fs;
use std::path::PathBuf;

use aequa_core::explain::exact::{exact_shapley, ExactOptions};
use aequa_core::explain::kernel::{kernel_shapley, KernelOptions};
use aequa_core::explain::linear_shap::{linear_shap, LinearShapOptions};
use aequa_core::explain::permutation::{permutation_shapley, PermutationOptions};
use aequa_core::model::{Model, NativeModel};
use aequa_core::report::ExplanationReport;
use aequa_core::Result;
use ndarray::{Array2, ArrayView2};
use proptest::prelude::*;
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let (n, m) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, m), rows.into_iter().flatten().collect()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * b.abs().max(1.0)
}

fn fixtures() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/shapley");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 15, "expected the 15 shapley fixtures");
    paths
        .iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap(),
            )
        })
        .collect()
}

fn replay(fx: &Value) -> ExplanationReport {
    let model = NativeModel::from_json(&fx["model"].to_string()).unwrap();
    let x = matrix(&fx["X"]);
    let bg = matrix(&fx["background"]);
    let expected = &fx["expected"];
    match fx["method"].as_str().unwrap() {
        "exact" => exact_shapley(&model, x.view(), bg.view(), &ExactOptions::default()),
        "kernel" => {
            let options = KernelOptions {
                nsamples: Some(expected["nsamples"].as_u64().unwrap() as usize),
                ..KernelOptions::default()
            };
            kernel_shapley(&model, x.view(), bg.view(), &options)
        }
        "permutation" => {
            let options = PermutationOptions {
                permutations: Some(
                    serde_json::from_value(expected["permutations"].clone()).unwrap(),
                ),
                ..PermutationOptions::default()
            };
            permutation_shapley(&model, x.view(), bg.view(), &options)
        }
        "linear" => {
            let NativeModel::Linear(lm) = &model else {
                panic!("linear fixture without a linear model")
            };
            linear_shap(lm, x.view(), bg.view(), &LinearShapOptions::default())
        }
        other => panic!("unknown method {other}"),
    }
    .unwrap()
}

#[test]
fn golden_fixtures_match_shap() {
    let mut checked = 0;
    for (name, fx) in fixtures() {
        let report = replay(&fx);
        let values: Vec<Vec<Vec<f64>>> =
            serde_json::from_value(fx["expected"]["values"].clone()).unwrap();
        let base: Vec<Vec<f64>> =
            serde_json::from_value(fx["expected"]["base_values"].clone()).unwrap();
        let [n, m, k] = report.shape;
        assert_eq!(
            (n, m, k),
            (values.len(), values[0].len(), values[0][0].len()),
            "{name}"
        );
        for i in 0..n {
            for j in 0..m {
                for o in 0..k {
                    let got = report.values[(i * m + j) * k + o].0;
                    let want = values[i][j][o];
                    assert!(
                        close(got, want),
                        "{name}: values[{i},{j},{o}] {got} vs shap {want}"
                    );
                    checked += 1;
                }
            }
            for o in 0..k {
                let got = report.base_values[i * k + o].0;
                assert!(
                    close(got, base[i][o]),
                    "{name}: base[{i},{o}] {got} vs {}",
                    base[i][o]
                );
                assert!(
                    report.additivity_residual[i * k + o].0.abs() < 1e-9,
                    "{name}"
                );
            }
        }
    }
    assert!(checked > 3000, "only {checked} values compared");
}

#[test]
fn native_models_reproduce_the_stored_predictions() {
    for (name, fx) in fixtures()
        .into_iter()
        .filter(|(_, f)| f["method"] != "linear")
    {
        let model = NativeModel::from_json(&fx["model"].to_string()).unwrap();
        let pred = model.predict(matrix(&fx["X"]).view()).unwrap();
        let want = matrix(&fx["predictions"]);
        for (a, b) in pred.iter().zip(want.iter()) {
            assert!(close(*a, *b), "{name}: {a} vs {b}");
        }
    }
}

// ------------------------------------------------------------------ properties

/// A polynomial with pairwise and triple interactions, one or two outputs.
#[derive(Debug, Clone)]
struct Poly {
    n_features: usize,
    /// (output, features, coefficient): the term `c · Π x_j`.
    terms: Vec<(usize, Vec<usize>, f64)>,
    outputs: usize,
}

impl Model for Poly {
    fn n_features(&self) -> Option<usize> {
        Some(self.n_features)
    }
    fn n_outputs(&self) -> usize {
        self.outputs
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), self.outputs));
        for (i, row) in x.rows().into_iter().enumerate() {
            for (o, feats, c) in &self.terms {
                out[[i, *o]] += c * feats.iter().map(|j| row[*j]).product::<f64>();
            }
        }
        Ok(out)
    }
}

impl Poly {
    fn plus(&self, other: &Poly) -> Poly {
        let mut terms = self.terms.clone();
        terms.extend(other.terms.iter().cloned());
        Poly {
            terms,
            ..self.clone()
        }
    }
}

fn poly(m: usize, outputs: usize, ignored: usize) -> impl Strategy<Value = Poly> {
    let term = (0..outputs, prop::collection::vec(0..m, 1..4), -2.0..2.0f64);
    prop::collection::vec(term, 1..8).prop_map(move |terms| Poly {
        n_features: m,
        terms: terms
            .into_iter()
            .map(|(o, f, c)| {
                (
                    o,
                    f.into_iter().filter(|j| *j != ignored).collect::<Vec<_>>(),
                    c,
                )
            })
            .filter(|(_, f, _)| !f.is_empty())
            .collect(),
        outputs,
    })
}

fn data(rows: usize, m: usize) -> impl Strategy<Value = Array2<f64>> {
    prop::collection::vec(-3.0..3.0f64, rows * m)
        .prop_map(move |v| Array2::from_shape_vec((rows, m), v).unwrap())
}

/// Exact, permutation and kernel (sampled with `nsamples`, or fully enumerated for `None`).
fn all_methods(
    model: &dyn Model,
    x: &Array2<f64>,
    bg: &Array2<f64>,
    nsamples: Option<usize>,
) -> Vec<ExplanationReport> {
    let perm = PermutationOptions {
        max_evals: 60,
        random_state: 11,
        ..PermutationOptions::default()
    };
    let kern = KernelOptions {
        nsamples,
        random_state: 5,
        ..KernelOptions::default()
    };
    vec![
        exact_shapley(model, x.view(), bg.view(), &ExactOptions::default()).unwrap(),
        permutation_shapley(model, x.view(), bg.view(), &perm).unwrap(),
        kernel_shapley(model, x.view(), bg.view(), &kern).unwrap(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Efficiency: Σ φ + base = f(x) for every method, exactly up to rounding.
    #[test]
    fn efficiency(f in poly(5, 2, 99), x in data(3, 5), bg in data(4, 5)) {
        let fx = f.predict(x.view()).unwrap();
        for r in all_methods(&f, &x, &bg, Some(12)) {
            let [n, m, k] = r.shape;
            for i in 0..n {
                for o in 0..k {
                    let sum: f64 = (0..m).map(|j| r.values[(i * m + j) * k + o].0).sum();
                    let total = sum + r.base_values[i * k + o].0;
                    prop_assert!((total - fx[[i, o]]).abs() < 1e-9, "{}: {total} vs {}", r.method, fx[[i, o]]);
                }
            }
        }
    }

    /// Dummy: a feature the model ignores gets exactly zero from every method.
    #[test]
    fn dummy(f in poly(5, 1, 2), x in data(2, 5), bg in data(3, 5)) {
        for r in all_methods(&f, &x, &bg, None) {
            for i in 0..2 {
                prop_assert!(r.values[i * 5 + 2].0.abs() < 1e-12, "{}", r.method);
            }
        }
    }

    /// Linearity: φ(f + g) = φ(f) + φ(g) (same seed, so the same permutations and coalitions).
    #[test]
    fn linearity(f in poly(4, 1, 99), g in poly(4, 1, 99), x in data(2, 4), bg in data(3, 4)) {
        let (rf, rg, rs) = (all_methods(&f, &x, &bg, Some(10)), all_methods(&g, &x, &bg, Some(10)), all_methods(&f.plus(&g), &x, &bg, Some(10)));
        for ((a, b), s) in rf.iter().zip(&rg).zip(&rs) {
            for ((va, vb), vs) in a.values.iter().zip(&b.values).zip(&s.values) {
                prop_assert!((va.0 + vb.0 - vs.0).abs() < 1e-9, "{}", s.method);
            }
        }
    }

    /// Symmetry: features 0 and 1 enter the model symmetrically, with equal values in x and in
    /// every background row: equal attributions (exact and full-enumeration kernel).
    #[test]
    fn symmetry(c in prop::collection::vec(-2.0..2.0f64, 4), mut x in data(2, 4), mut bg in data(3, 4)) {
        let f = Poly {
            n_features: 4,
            terms: vec![
                (0, vec![0, 1], c[0]),
                (0, vec![0, 2], c[1]),
                (0, vec![1, 2], c[1]),
                (0, vec![0, 1, 3], c[2]),
                (0, vec![0], c[3]),
                (0, vec![1], c[3]),
            ],
            outputs: 1,
        };
        for a in [&mut x, &mut bg] {
            for mut row in a.rows_mut() {
                row[1] = row[0];
            }
        }
        let exact = exact_shapley(&f, x.view(), bg.view(), &ExactOptions::default()).unwrap();
        let kern = kernel_shapley(&f, x.view(), bg.view(), &KernelOptions { nsamples: Some(100), ..KernelOptions::default() }).unwrap();
        for r in [exact, kern] {
            for i in 0..2 {
                prop_assert!((r.values[i * 4].0 - r.values[i * 4 + 1].0).abs() < 1e-9, "{}", r.method);
            }
        }
    }
}

/// Exact = full-enumeration kernel = permutation on an additive model, all multi-output.
#[test]
fn methods_agree_where_they_must() {
    let f = Poly {
        n_features: 6,
        terms: vec![
            (0, vec![0, 1], 1.5),
            (1, vec![2, 3, 4], -0.7),
            (0, vec![5], 2.0),
            (1, vec![0], 1.0),
        ],
        outputs: 2,
    };
    let x = Array2::from_shape_fn((4, 6), |(i, j)| (i as f64 - 1.5) * (j as f64 + 1.0) / 3.0);
    let bg = Array2::from_shape_fn((7, 6), |(i, j)| ((i * 5 + j * 3) % 7) as f64 / 2.0 - 1.0);
    let exact = exact_shapley(&f, x.view(), bg.view(), &ExactOptions::default()).unwrap();
    let kern = kernel_shapley(
        &f,
        x.view(),
        bg.view(),
        &KernelOptions {
            nsamples: Some(64),
            ..KernelOptions::default()
        },
    )
    .unwrap();
    for (a, b) in exact.values.iter().zip(&kern.values) {
        assert!((a.0 - b.0).abs() < 1e-12);
    }
    // Feature 5 acts alone: exact for any permutation; the pairwise term too (antithetic).
    let only_pairs = Poly {
        terms: f.terms.iter().filter(|t| t.1.len() < 3).cloned().collect(),
        ..f.clone()
    };
    let ex2 = exact_shapley(&only_pairs, x.view(), bg.view(), &ExactOptions::default()).unwrap();
    let perm = permutation_shapley(
        &only_pairs,
        x.view(),
        bg.view(),
        &PermutationOptions {
            max_evals: 13,
            ..PermutationOptions::default()
        },
    )
    .unwrap();
    for (a, b) in ex2.values.iter().zip(&perm.values) {
        assert!((a.0 - b.0).abs() < 1e-12);
    }
}

/// The report states what the model cost, and never more rows than SHAP's schedule needs.
#[test]
fn model_calls_are_batched_and_rows_counted() {
    let f = Poly {
        n_features: 3,
        terms: vec![(0, vec![0, 1, 2], 1.0)],
        outputs: 1,
    };
    let x = Array2::from_shape_fn((5, 3), |(i, j)| (i + j) as f64);
    let bg = Array2::from_shape_fn((4, 3), |(i, j)| (i * j) as f64 + 10.0);
    let r = exact_shapley(&f, x.view(), bg.view(), &ExactOptions::default()).unwrap();
    // One call for f(background) and f(X), one for every coalition of every row.
    assert_eq!(r.model_calls, 2);
    // Every background row differs everywhere: 2^3 - 2 masked rows per (row, background row).
    assert_eq!(r.rows_evaluated, (4 + 5) + 5 * 4 * 6);
    // A tiny memory budget splits the work into more calls with the same values.
    let small = ExactOptions {
        masker: aequa_core::explain::masker::MaskerOptions {
            batch_bytes: 8 * 3 * 10,
            ..Default::default()
        },
        ..ExactOptions::default()
    };
    let r2 = exact_shapley(&f, x.view(), bg.view(), &small).unwrap();
    assert!(r2.model_calls > 5);
    assert_eq!(r2.values, r.values);
    assert_eq!(r2.rows_evaluated, r.rows_evaluated);
}
