//! The walked permutation Shapley values against the masked-row estimator (same seed), and the
//! float32 ensembles left to model calls.

use super::table::DENSE_MAX;
use super::*;
use crate::explain::masker::varying_count;
use crate::explain::permutation::{permutation_shapley, PermutationOptions};
use crate::model::{Comparison, Model, Tree};
use crate::rng;
use rand::Rng;

/// The same ensemble, seen only through `predict` (so the explainer builds masked rows).
pub(crate) struct Opaque<'a>(pub(crate) &'a TreeEnsemble);

impl Model for Opaque<'_> {
    fn n_features(&self) -> Option<usize> {
        self.0.n_features()
    }
    fn n_outputs(&self) -> usize {
        self.0.n_outputs()
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> crate::Result<Array2<f64>> {
        self.0.predict(x)
    }
}

/// Values on a coarse grid, so rows tie with each other and with thresholds.
fn grid(r: &mut impl Rng) -> f64 {
    rng::below(r, 6) as f64 * 0.25
}

/// A full random tree of `depth` over `m` features with `nv` values per node.
fn tree(r: &mut impl Rng, m: usize, depth: u32, nv: usize) -> Tree {
    let n = (1usize << (depth + 1)) - 1;
    let internal = (1usize << depth) - 1;
    let child = |i: usize, d: usize| if i < internal { (2 * i + d) as i32 } else { -1 };
    Tree {
        children_left: (0..n).map(|i| child(i, 1)).collect(),
        children_right: (0..n).map(|i| child(i, 2)).collect(),
        children_default: (0..n).map(|i| child(i, 1)).collect(),
        feature: (0..n).map(|_| rng::below(r, m as u64) as u32).collect(),
        threshold: (0..n).map(|_| grid(r) + 0.1).collect(),
        value: (0..n * nv).map(|_| grid(r) * 4.0 - 2.0).collect(),
        cover: vec![1.0; n],
        missing_zero: vec![],
    }
}

pub(crate) fn ensemble(
    seed: u32,
    outputs: usize,
    boosted: bool,
    link: Link,
    acc: Accumulate,
) -> TreeEnsemble {
    let mut r = rng::seeded(seed, 0);
    let (m, n_trees) = (5, 12);
    let nv = if boosted { 1 } else { outputs };
    let e = TreeEnsemble {
        n_features: m,
        n_raw_outputs: outputs,
        trees: (0..n_trees)
            .map(|t| tree(&mut r, m, 2 + t as u32 % 4, nv))
            .collect(),
        tree_output: boosted.then(|| (0..n_trees).map(|t| (t % outputs) as u32).collect()),
        comparison: if seed % 2 == 0 {
            Comparison::Less
        } else {
            Comparison::LessEqual
        },
        float32_features: seed % 3 == 0,
        tree_weight: if acc == Accumulate::Mean {
            1.0 / n_trees as f64
        } else {
            0.3
        },
        base_score: (0..outputs).map(|k| 0.5 * k as f64 - 0.2).collect(),
        link,
        source: "test".into(),
        accumulate: acc,
    };
    e.check().unwrap();
    e
}

pub(crate) fn rows(seed: u32, n: usize) -> Array2<f64> {
    let mut r = rng::seeded(seed, 1);
    let mut a = Array2::from_shape_fn((n, 5), |_| grid(&mut r));
    a.column_mut(4).fill(0.5); // a feature no row varies on
    a
}

#[test]
fn walking_the_trees_equals_evaluating_masked_rows() {
    let cases = [
        (1, false, Link::Identity, Accumulate::Sum),
        (3, false, Link::Identity, Accumulate::Mean),
        (2, true, Link::Identity, Accumulate::Sequential),
        (1, false, Link::Logistic, Accumulate::Sequential),
        (3, true, Link::Softmax, Accumulate::Sum),
        (3, false, Link::Softmax, Accumulate::Mean),
    ];
    for (seed, (outputs, boosted, link, acc)) in cases.into_iter().enumerate() {
        let e = ensemble(seed as u32, outputs, boosted, link, acc);
        let (x, bg) = (rows(seed as u32, 7), rows(100 + seed as u32, 9));
        // 44 permutations: two lane blocks.
        let seeded = PermutationOptions {
            max_evals: 9 * 44,
            random_state: 5,
            ..PermutationOptions::default()
        };
        let given = PermutationOptions {
            permutations: Some(vec![vec![vec![4, 2, 0, 1, 3], vec![1, 3, 4, 0, 2]]]),
            ..PermutationOptions::default()
        };
        for opts in [seeded, given] {
            let walked = permutation_shapley(&e, x.view(), bg.view(), &opts).unwrap();
            let called = permutation_shapley(&Opaque(&e), x.view(), bg.view(), &opts).unwrap();
            assert_eq!(walked.model_calls, 1, "only f(background) and f(X)");
            assert!(called.model_calls > 1);
            assert_eq!(walked.shape, called.shape);
            assert_eq!(walked.params, called.params);
            for (a, b) in walked.values.iter().zip(&called.values) {
                assert!((a.0 - b.0).abs() < 1e-12, "case {seed}: {} vs {}", a.0, b.0);
            }
            assert!(
                walked.values.iter().any(|v| v.0.abs() > 1e-3),
                "case {seed}"
            );
            for r in &walked.additivity_residual {
                assert!(r.0.abs() < 1e-12);
            }
        }
    }
}

/// A forest- or boosting-like ensemble: `n_trees` trees of depth 3..=6 over `m` features
/// (the rest as [`ensemble`] sets it).
fn wide(seed: u32, m: usize, n_trees: usize, boosted: bool, link: Link) -> TreeEnsemble {
    let mut r = rng::seeded(seed, 2);
    let outputs = if link == Link::Softmax { 3 } else { 1 };
    let nv = if boosted { 1 } else { outputs };
    let acc = if boosted {
        Accumulate::Sequential
    } else {
        Accumulate::Mean
    };
    let e = TreeEnsemble {
        n_features: m,
        trees: (0..n_trees)
            .map(|t| tree(&mut r, m, 3 + t as u32 % 4, nv))
            .collect(),
        tree_output: boosted.then(|| (0..n_trees).map(|t| (t % outputs) as u32).collect()),
        float32_features: boosted,
        tree_weight: if boosted { 0.1 } else { 1.0 / n_trees as f64 },
        ..ensemble(seed, outputs, boosted, link, acc)
    };
    e.check().unwrap();
    e
}

fn wide_rows(seed: u32, n: usize, m: usize) -> Array2<f64> {
    let mut r = rng::seeded(seed, 3);
    Array2::from_shape_fn((n, m), |_| grid(&mut r))
}

/// Forests (mean of trees) and boosting (sequential sum, float32 features) with more than
/// 64 background rows (several bitset words) and both demand tables: 6 varying features
/// (indexed directly) and 13 (3^13 is past `DENSE_MAX`: hashed); identity, logistic and
/// softmax links (the last two keep one trajectory per background row).
#[test]
fn forests_and_boosting_walked_equal_masked_rows_with_the_same_seed() {
    let cases = [
        (6, false, Link::Identity),
        (13, false, Link::Identity),
        (6, true, Link::Logistic),
        (13, true, Link::Identity),
        (13, false, Link::Softmax),
    ];
    for (case, (m, boosted, link)) in cases.into_iter().enumerate() {
        let seed = 40 + case as u32;
        let e = wide(seed, m, 30, boosted, link);
        let (x, bg) = (wide_rows(seed, 3, m), wide_rows(seed + 100, 130, m));
        let varying = varying_count(x.row(0), bg.view());
        assert_eq!(varying, m, "case {case}: every feature varies");
        assert_eq!(3usize.pow(m as u32) <= DENSE_MAX, m == 6);
        let opts = PermutationOptions {
            max_evals: 4 * (2 * m + 1),
            random_state: 11,
            ..PermutationOptions::default()
        };
        let walked = permutation_shapley(&e, x.view(), bg.view(), &opts).unwrap();
        let called = permutation_shapley(&Opaque(&e), x.view(), bg.view(), &opts).unwrap();
        assert_eq!(walked.model_calls, 1, "case {case}");
        assert_eq!(walked.params, called.params);
        let scale = called.values.iter().map(|v| v.0.abs()).fold(0.0, f64::max);
        assert!(scale > 1e-3, "case {case}: values all near zero");
        for (a, b) in walked.values.iter().zip(&called.values) {
            assert!((a.0 - b.0).abs() < 1e-12, "case {case}: {} vs {}", a.0, b.0);
        }
    }
}

#[test]
fn float32_sums_are_left_to_model_calls() {
    let e = ensemble(1, 1, false, Link::Identity, Accumulate::Float32);
    assert!(!walkable(&e, 5));
    assert!(!walkable(
        &ensemble(1, 1, false, Link::Identity, Accumulate::Sum),
        255
    ));
    let (x, bg) = (rows(1, 3), rows(2, 4));
    let r = permutation_shapley(&e, x.view(), bg.view(), &PermutationOptions::default());
    assert!(r.unwrap().model_calls > 1);
}
