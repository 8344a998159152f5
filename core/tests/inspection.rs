//! Inspection against scikit-learn 1.9.1, natively: the linear-model goldens of
//! `tests/golden/inspection/` (written by `tests/golden/generate_inspection.py`) replayed with
//! native `LinearModel`s — permutation-importance scores for sklearn's own (reproduced)
//! permutations, partial dependence / ICE grids and curves, ALE against its definition — to
//! 1e-9; plus property tests (an ignored feature gets exactly zero importance; an additive
//! model's partial dependence and ALE are its own terms).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::PathBuf;

use aequa_core::data::groups::Feature;
use aequa_core::explain::ale::{accumulated_local_effects, AleBins, AleOptions};
use aequa_core::explain::partial_dependence::{partial_dependence, CurveKind, DependenceOptions};
use aequa_core::explain::permutation_importance::{
    permutation_importance, Baseline, MaxSamples, PermutationInput, PermutationOptions,
};
use aequa_core::explain::scoring::{ScorerSpec, Target};
use aequa_core::model::{LinearModel, Link, Model};
use ndarray::{Array1, Array2, ArrayView1};
use proptest::prelude::*;
use serde_json::Value;

/// A model seen only through `predict` (no native fast path): every score is a model call.
struct Opaque<'a>(&'a LinearModel);

impl Model for Opaque<'_> {
    fn n_features(&self) -> Option<usize> {
        self.0.n_features()
    }
    fn n_outputs(&self) -> usize {
        self.0.n_outputs()
    }
    fn predict(&self, x: ndarray::ArrayView2<'_, f64>) -> aequa_core::Result<Array2<f64>> {
        self.0.predict(x)
    }
}

const TOL: f64 = 1e-9;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/golden/inspection")
        .join(format!("{name}.json"));
    serde_json::from_str(&fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}")))
        .unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(floats).collect();
    let (n, p) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, p), rows.concat()).unwrap()
}

fn model(spec: &Value, link: Link) -> LinearModel {
    LinearModel::new(
        matrix(&spec["coef"]),
        Array1::from(floats(&spec["intercept"])),
        link,
    )
    .unwrap()
}

fn link_of(name: &str) -> Link {
    match name {
        "logistic" => Link::Logistic,
        "softmax" => Link::Softmax,
        _ => Link::Identity,
    }
}

/// Largest deviation, relative for values above 1.
fn deviation(actual: &[f64], expected: &[f64]) -> f64 {
    assert_eq!(actual.len(), expected.len());
    actual
        .iter()
        .zip(expected)
        .map(|(a, e)| (a - e).abs() / e.abs().max(1.0))
        .fold(0.0, f64::max)
}

fn assert_close(what: &str, actual: &[f64], expected: &[f64]) -> f64 {
    let d = deviation(actual, expected);
    assert!(d <= TOL, "{what}: deviation {d:e}");
    d
}

#[test]
fn permutation_importance_replays_sklearn() {
    let mut worst: f64 = 0.0;
    let mut replayed = 0;
    for name in [
        "pi_diabetes_linear",
        "pi_breast_cancer_logistic",
        "pi_adult_logistic",
    ] {
        let fx = fixture(name);
        let x = matrix(&fx["X"]);
        let y = Array1::from(floats(&fx["y"]));
        let sensitive_codes: Option<Vec<u32>> = fx.get("sensitive").map(|s| {
            s["codes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap() as u32)
                .collect()
        });
        for case in fx["cases"].as_array().unwrap() {
            let scoring = case["scoring"].as_str().unwrap();
            let link = match case["response"].as_str().unwrap() {
                "decision_function" => Link::Identity,
                _ => link_of(fx["model"]["link"].as_str().unwrap()),
            };
            let m = model(&fx["model"], link);
            let weights = (!case["sample_weight"].is_null())
                .then(|| Array1::from(floats(&case["sample_weight"])));
            let perms: Vec<Vec<i64>> = case["permutations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_i64().unwrap())
                        .collect()
                })
                .collect();
            let perms =
                Array2::from_shape_vec((perms.len(), perms[0].len()), perms.concat()).unwrap();
            let rows: Option<Array1<i64>> = (!case["sample_indices"].is_null()).then(|| {
                case["sample_indices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_i64().unwrap())
                    .collect()
            });
            let sensitive = sensitive_codes
                .as_ref()
                .map(|codes| {
                    vec![Feature {
                        name: "sex".into(),
                        codes: ArrayView1::from(codes.as_slice()),
                        levels: vec!["Female".into(), "Male".into()],
                    }]
                })
                .unwrap_or_default();
            let groups: Option<Vec<Vec<usize>>> = (!case["feature_groups"].is_null())
                .then(|| serde_json::from_value(case["feature_groups"].clone()).unwrap());
            let input = PermutationInput {
                x: x.view(),
                target: Target {
                    y_true: y.view(),
                    sample_weight: weights.as_ref().map(|w| w.view()),
                    sensitive,
                },
                permutations: Some(perms.view()),
                sample_indices: rows.as_ref().map(|r| r.view()),
            };
            let options = PermutationOptions {
                scorer: ScorerSpec {
                    scoring: scoring.into(),
                    ..ScorerSpec::default()
                },
                n_repeats: case["n_repeats"].as_u64().unwrap() as usize,
                baseline: Baseline::Full,
                feature_groups: groups,
                ..PermutationOptions::default()
            };
            let r = permutation_importance(&m, &input, &options).unwrap();
            let exp = &case["expected"];
            let what = format!("{name} {scoring}");
            worst = worst.max(assert_close(
                &what,
                &[r.baseline_score.0],
                &[exp["baseline_score"].as_f64().unwrap()],
            ));
            let flat = |rows: &[Vec<aequa_core::report::Num>]| -> Vec<f64> {
                rows.iter().flatten().map(|v| v.0).collect()
            };
            let expected: Vec<f64> = exp["permuted_scores"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(floats)
                .collect();
            worst = worst.max(assert_close(&what, &flat(&r.permuted_scores), &expected));
            let mean: Vec<f64> = r.importances_mean.iter().map(|v| v.0).collect();
            let std: Vec<f64> = r.importances_std.iter().map(|v| v.0).collect();
            assert_close(&what, &mean, &floats(&exp["importances_mean"]));
            assert_close(&what, &std, &floats(&exp["importances_std"]));
            // A native linear model is read, not called; only scikit-learn's full-data
            // baseline with a subsample is a call.
            assert_eq!(r.model_calls, u64::from(rows.is_some()), "{what}");
            // Through predict: the baseline, then every block of every feature in one batch,
            // and the same numbers.
            let called = permutation_importance(&Opaque(&m), &input, &options).unwrap();
            assert_eq!(called.model_calls, 2, "{what}");
            assert_close(&what, &flat(&r.importances), &flat(&called.importances));
            replayed += 1;
        }
    }
    assert_eq!(replayed, 7 + 6 + 5);
    eprintln!("permutation importance: {replayed} cases, worst deviation {worst:e}");
}

#[test]
fn partial_dependence_replays_sklearn() {
    let mut worst: f64 = 0.0;
    for name in [
        "pd_diabetes_linear",
        "pd_breast_cancer_logistic",
        "pd_iris_multinomial",
    ] {
        let fx = fixture(name);
        let x = matrix(&fx["X"]);
        for case in fx["cases"].as_array().unwrap() {
            let response = case["response_method"].as_str().unwrap();
            let link_name = fx["model"]["link"].as_str().unwrap();
            let (link, outputs) = match (response, link_name) {
                ("decision_function", _) => (Link::Identity, None),
                (_, "logistic") => (Link::Logistic, Some(vec![1])),
                (_, other) => (link_of(other), None),
            };
            let m = model(&fx["model"], link);
            let features: Vec<usize> = serde_json::from_value(case["features"].clone()).unwrap();
            let categorical: Vec<usize> = if case["categorical"].is_null() {
                Vec::new()
            } else {
                serde_json::from_value(case["categorical"].clone()).unwrap()
            };
            let weights = (!case["sample_weight"].is_null())
                .then(|| Array1::from(floats(&case["sample_weight"])));
            let pct = floats(&case["percentiles"]);
            let options = DependenceOptions {
                features: features.clone(),
                percentiles: [pct[0], pct[1]],
                grid_resolution: case["grid_resolution"].as_u64().unwrap() as usize,
                kind: CurveKind::Both,
                categorical: features.iter().map(|j| categorical.contains(j)).collect(),
                outputs,
                ..DependenceOptions::default()
            };
            let r = partial_dependence(&m, x.view(), weights.as_ref().map(|w| w.view()), &options)
                .unwrap();
            let exp = &case["expected"];
            let grids: Vec<Vec<f64>> = exp["grid_values"]
                .as_array()
                .unwrap()
                .iter()
                .map(floats)
                .collect();
            // Identical grids, value for value.
            assert_eq!(r.grid_values, grids, "{name} {features:?}");
            let what = format!("{name} {features:?}");
            let avg: Vec<f64> = r.average.as_ref().unwrap().iter().map(|v| v.0).collect();
            worst = worst.max(assert_close(&what, &avg, &floats(&exp["average"])));
            // ICE: the stored head rows of every output.
            let shape: Vec<usize> =
                serde_json::from_value(exp["individual_head_shape"].clone()).unwrap();
            let (k, head) = (shape[0], shape[1]);
            let g: usize = grids.iter().map(Vec::len).product();
            let n = x.nrows();
            let ice = r.individual.as_ref().unwrap();
            let got: Vec<f64> = (0..k)
                .flat_map(|o| (0..head * g).map(move |i| (o, i)))
                .map(|(o, i)| ice[o * n * g + i].0)
                .collect();
            worst = worst.max(assert_close(&what, &got, &floats(&exp["individual_head"])));
            assert_eq!(r.model_calls, 1);
        }
    }
    eprintln!("partial dependence: worst deviation {worst:e}");
}

#[test]
fn ale_replays_reference_and_linear_line() {
    let fx = fixture("ale_diabetes_linear");
    let x = matrix(&fx["X"]);
    let m = model(&fx["model"], Link::Identity);
    for case in fx["cases"].as_array().unwrap() {
        let options = AleOptions {
            feature: case["feature"].as_u64().unwrap() as usize,
            bins: AleBins::Count(case["bins"].as_u64().unwrap() as usize),
            ..AleOptions::default()
        };
        let r = accumulated_local_effects(&m, x.view(), &options).unwrap();
        let exp = &case["expected"];
        assert_eq!(r.edges, floats(&exp["edges"]));
        let counts: Vec<u64> = serde_json::from_value(exp["counts"].clone()).unwrap();
        assert_eq!(r.counts, counts);
        let ale: Vec<f64> = r.ale.iter().map(|v| v.0).collect();
        assert_close("ale", &ale, &floats(&exp["ale"]));
        assert_close("ale line", &ale, &floats(&exp["line"]));
        let local: Vec<f64> = r.local_effects.iter().map(|v| v.0).collect();
        assert_close("local", &local, &floats(&exp["local_effects"]));
    }
}

fn linear_data(rows: &[Vec<f64>]) -> Array2<f64> {
    Array2::from_shape_vec((rows.len(), 3), rows.concat()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A feature with a zero coefficient gets importance exactly 0, whatever the data, seed,
    /// scorer or subsample, read natively or called (once for the baseline, once per batch).
    #[test]
    fn ignored_feature_gets_exactly_zero(
        rows in prop::collection::vec(prop::collection::vec(-5.0f64..5.0, 3), 8..40),
        b0 in -3.0f64..3.0,
        b1 in -3.0f64..3.0,
        seed in any::<u32>(),
        scorer in 0usize..3,
        fraction in 0.3f64..1.0,
    ) {
        let x = linear_data(&rows);
        let y: Array1<f64> = x.rows().into_iter().map(|r| r[0] - r[1] + 0.1 * r[2] * r[2]).collect();
        let m = LinearModel::new(ndarray::array![[b0, b1, 0.0]], ndarray::array![0.25], Link::Identity).unwrap();
        let input = PermutationInput {
            x: x.view(),
            target: Target { y_true: y.view(), sample_weight: None, sensitive: vec![] },
            permutations: None,
            sample_indices: None,
        };
        let options = PermutationOptions {
            scorer: ScorerSpec {
                scoring: ["r2", "neg_mean_squared_error", "neg_mean_absolute_error"][scorer].into(),
                ..ScorerSpec::default()
            },
            random_state: seed,
            max_samples: MaxSamples::Fraction(fraction),
            ..PermutationOptions::default()
        };
        // Read natively (no model call) and through predict (the baseline, then one batch).
        let r = permutation_importance(&m, &input, &options).unwrap();
        let called = permutation_importance(&Opaque(&m), &input, &options).unwrap();
        for r in [&r, &called] {
            prop_assert!(r.importances[2].iter().all(|v| v.0 == 0.0));
            prop_assert_eq!(r.importances_std[2].0, 0.0);
        }
        prop_assert_eq!((r.model_calls, called.model_calls), (0, 2));
    }

    /// For an additive model, the partial dependence of a feature is its own term plus a
    /// constant, and its ALE is the centred term: slopes equal the coefficient.
    #[test]
    fn additive_model_curves_have_its_slope(
        rows in prop::collection::vec(prop::collection::vec(-5.0f64..5.0, 3), 12..40),
        b in -3.0f64..3.0,
    ) {
        let x = linear_data(&rows);
        let m = LinearModel::new(ndarray::array![[b, 1.0, -2.0]], ndarray::array![0.5], Link::Identity).unwrap();
        let options = DependenceOptions { features: vec![0], grid_resolution: 6, ..DependenceOptions::default() };
        let pd = partial_dependence(&m, x.view(), None, &options).unwrap();
        let g = &pd.grid_values[0];
        let a = pd.average.unwrap();
        for k in 1..g.len() {
            let slope = (a[k].0 - a[k - 1].0) / (g[k] - g[k - 1]);
            prop_assert!((slope - b).abs() < 1e-6 * (1.0 + b.abs()));
        }
        let ale = accumulated_local_effects(&m, x.view(), &AleOptions { feature: 0, bins: AleBins::Count(4), ..AleOptions::default() }).unwrap();
        for k in 1..ale.edges.len() {
            let slope = (ale.ale[k].0 - ale.ale[k - 1].0) / (ale.edges[k] - ale.edges[k - 1]);
            prop_assert!((slope - b).abs() < 1e-6 * (1.0 + b.abs()));
        }
    }
}
