//! TreeSHAP against brute-force Shapley values from the definitions, on random trees with
//! repeated features, several outputs and `tree_output` boosting.
#![allow(clippy::needless_range_loop)]

use super::*;
use crate::explain::tree_interventional::interventional_values;
use crate::model::{Comparison, Link, Tree};
use crate::rng;
use ndarray::{Array2, ArrayView1};
use rand::Rng;

fn unif(r: &mut impl Rng) -> f64 {
    (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A random tree over `m` features (features repeat along paths), `nv` values per node.
fn random_tree(r: &mut impl Rng, m: usize, depth: usize, nv: usize) -> Tree {
    let mut t = Tree {
        children_left: vec![],
        children_right: vec![],
        children_default: vec![],
        feature: vec![],
        threshold: vec![],
        value: vec![],
        cover: vec![],
        missing_zero: vec![],
    };
    fn grow(t: &mut Tree, r: &mut impl Rng, m: usize, depth: usize, nv: usize) -> usize {
        let id = t.children_left.len();
        t.children_left.push(-1);
        t.children_right.push(-1);
        t.children_default.push(-1);
        t.feature.push(0);
        t.threshold.push(0.0);
        t.value.extend((0..nv).map(|_| 0.0));
        t.cover.push(0.0);
        let leaf = depth == 0 || (depth < 3 && unif(r) < 0.2);
        if leaf {
            for k in 0..nv {
                t.value[id * nv + k] = unif(r) * 10.0 - 5.0;
            }
            t.cover[id] = 1.0 + rng::below(r, 20) as f64;
            return id;
        }
        t.feature[id] = rng::below(r, m as u64) as u32;
        t.threshold[id] = unif(r);
        let l = grow(t, r, m, depth - 1, nv);
        let rr = grow(t, r, m, depth - 1, nv);
        t.children_left[id] = l as i32;
        t.children_right[id] = rr as i32;
        t.children_default[id] = if unif(r) < 0.5 { l as i32 } else { rr as i32 };
        t.cover[id] = t.cover[l] + t.cover[rr];
        for k in 0..nv {
            t.value[id * nv + k] = (t.cover[l] * t.value[l * nv + k]
                + t.cover[rr] * t.value[rr * nv + k])
                / t.cover[id];
        }
        id
    }
    grow(&mut t, r, m, depth, nv);
    t
}

fn ensemble(
    seed: u32,
    m: usize,
    n_trees: usize,
    depth: usize,
    outputs: usize,
    boosted: bool,
) -> TreeEnsemble {
    let mut r = rng::seeded(seed, 0);
    let nv = if boosted { 1 } else { outputs };
    let trees = (0..n_trees)
        .map(|_| random_tree(&mut r, m, depth, nv))
        .collect();
    let e = TreeEnsemble {
        n_features: m,
        n_raw_outputs: outputs,
        trees,
        tree_output: boosted.then(|| (0..n_trees).map(|t| (t % outputs) as u32).collect()),
        comparison: Comparison::LessEqual,
        float32_features: false,
        tree_weight: 0.7,
        base_score: (0..outputs).map(|k| 0.25 * k as f64 - 0.1).collect(),
        link: Link::Identity,
        source: "test".into(),
        accumulate: Default::default(),
    };
    e.check().unwrap();
    e
}

fn random_rows(seed: u32, n: usize, m: usize) -> Array2<f64> {
    let mut r = rng::seeded(seed, 1);
    Array2::from_shape_fn((n, m), |_| unif(&mut r))
}

/// E[f(x) | x_S] of one tree output under the path-dependent assumption (Algorithm 1).
fn cond_exp(t: &Tree, x: ArrayView1<f64>, s: u32, node: usize, nv: usize, k: usize) -> f64 {
    if t.children_left[node] < 0 {
        return t.value[node * nv + k];
    }
    let (l, r) = (
        t.children_left[node] as usize,
        t.children_right[node] as usize,
    );
    let f = t.feature[node] as usize;
    if s & (1 << f) != 0 {
        let next = if x[f] <= t.threshold[node] { l } else { r };
        return cond_exp(t, x, s, next, nv, k);
    }
    (t.cover[l] * cond_exp(t, x, s, l, nv, k) + t.cover[r] * cond_exp(t, x, s, r, nv, k))
        / t.cover[node]
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// Shapley values of a game on `m` players by enumeration.
fn shapley(m: usize, v: impl Fn(u32) -> f64) -> Vec<f64> {
    let vals: Vec<f64> = (0..1u32 << m).map(&v).collect();
    (0..m)
        .map(|i| {
            (0..1u32 << m)
                .filter(|s| s & (1 << i) == 0)
                .map(|s| {
                    let size = s.count_ones() as usize;
                    let w = factorial(size) * factorial(m - size - 1) / factorial(m);
                    w * (vals[(s | 1 << i) as usize] - vals[s as usize])
                })
                .sum()
        })
        .collect()
}

/// The ensemble's game for output `k`: Σ over trees adding to k.
fn game(e: &TreeEnsemble, x: ArrayView1<f64>, k: usize, s: u32) -> f64 {
    let nv = e.values_per_tree();
    e.trees
        .iter()
        .enumerate()
        .map(|(t, tree)| match &e.tree_output {
            Some(o) if o[t] as usize != k => 0.0,
            Some(_) => e.tree_weight * cond_exp(tree, x, s, 0, nv, 0),
            None => e.tree_weight * cond_exp(tree, x, s, 0, nv, k),
        })
        .sum::<f64>()
        + e.base_score[k]
}

fn cases() -> Vec<TreeEnsemble> {
    vec![
        ensemble(1, 5, 3, 4, 1, false),
        ensemble(2, 4, 4, 6, 2, false),
        ensemble(3, 6, 6, 5, 3, true),
        ensemble(4, 3, 2, 7, 1, false),
    ]
}

#[test]
fn path_dependent_matches_brute_force_shapley() {
    for (c, e) in cases().into_iter().enumerate() {
        let x = random_rows(c as u32, 6, e.n_features);
        let report = tree_shap(&e, x.view(), None, &TreeShapParams::default()).unwrap();
        let [rows, m, k] = report.shape;
        let base = expected_value(&e).unwrap();
        for i in 0..rows {
            for out in 0..k {
                let phi = shapley(m, |s| game(&e, x.row(i), out, s));
                for j in 0..m {
                    let got = report.values[(i * m + j) * k + out].0;
                    assert!(
                        (got - phi[j]).abs() < 1e-12,
                        "case {c} row {i} f{j} o{out}: {got} vs {}",
                        phi[j]
                    );
                }
                assert!((base[out] - game(&e, x.row(i), out, 0)).abs() < 1e-12);
                assert!(report.additivity_residual[i * k + out].0.abs() < 1e-12);
            }
        }
        assert_eq!(report.model_calls, 0);
    }
}

#[test]
fn interactions_match_the_shapley_interaction_index() {
    for (c, e) in cases().into_iter().enumerate() {
        let x = random_rows(10 + c as u32, 4, e.n_features);
        let inter =
            tree_shap_interaction_values(&e, x.view(), None, &TreeShapParams::default()).unwrap();
        let report = tree_shap(&e, x.view(), None, &TreeShapParams::default()).unwrap();
        let (rows, m, _, k) = inter.dim();
        for i in 0..rows {
            for out in 0..k {
                let v = |s: u32| game(&e, x.row(i), out, s);
                for a in 0..m {
                    // Row sums equal the SHAP values.
                    let row_sum: f64 = (0..m).map(|b| inter[[i, a, b, out]]).sum();
                    let phi = report.values[(i * m + a) * k + out].0;
                    assert!(
                        (row_sum - phi).abs() < 1e-12,
                        "case {c}: {row_sum} vs {phi}"
                    );
                    for b in 0..m {
                        assert!((inter[[i, a, b, out]] - inter[[i, b, a, out]]).abs() < 1e-12);
                        if a == b {
                            continue;
                        }
                        let others: Vec<usize> = (0..m).filter(|f| *f != a && *f != b).collect();
                        let mut want = 0.0;
                        for mask in 0..1u32 << others.len() {
                            let s: u32 = others
                                .iter()
                                .enumerate()
                                .filter(|(q, _)| mask & (1 << q) != 0)
                                .map(|(_, f)| 1 << f)
                                .sum();
                            let size = s.count_ones() as usize;
                            let w = factorial(size) * factorial(m - size - 2)
                                / (2.0 * factorial(m - 1));
                            want +=
                                w * (v(s | 1 << a | 1 << b) - v(s | 1 << a) - v(s | 1 << b) + v(s));
                        }
                        let got = inter[[i, a, b, out]];
                        assert!(
                            (got - want).abs() < 1e-12,
                            "case {c} ({a},{b}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn interventional_matches_brute_force_over_the_background() {
    for (c, e) in cases().into_iter().enumerate() {
        let m = e.n_features;
        let x = random_rows(20 + c as u32, 3, m);
        let bg = random_rows(30 + c as u32, 7, m);
        let (values, base) = interventional_values(&e, x.view(), bg.view()).unwrap();
        let k = e.n_raw_outputs;
        for i in 0..x.nrows() {
            for out in 0..k {
                let v = |s: u32| {
                    let mut total = 0.0;
                    for r in bg.rows() {
                        let mixed = Array2::from_shape_fn((1, m), |(_, f)| {
                            if s & (1 << f) != 0 {
                                x[[i, f]]
                            } else {
                                r[f]
                            }
                        });
                        total += e.predict_raw(mixed.view())[[0, out]];
                    }
                    total / bg.nrows() as f64
                };
                let phi = shapley(m, v);
                for j in 0..m {
                    assert!(
                        (values[[i, j, out]] - phi[j]).abs() < 1e-12,
                        "case {c}: {} vs {}",
                        values[[i, j, out]],
                        phi[j]
                    );
                }
                assert!((base[out] - v(0)).abs() < 1e-12);
            }
        }
        let p = TreeShapParams {
            feature_perturbation: FeaturePerturbation::Auto,
            ..Default::default()
        };
        let report = tree_shap(&e, x.view(), Some(bg.view()), &p).unwrap();
        assert_eq!(report.method, "tree_interventional");
        assert!(report.additivity_residual.iter().all(|r| r.0.abs() < 1e-12));
        assert_eq!(report.rows_evaluated, 21);
    }
}

#[test]
fn unused_features_get_zero_and_missing_values_follow_defaults() {
    // Feature 4 of 5 never split on: exactly zero, path-dependent and interventional.
    let mut e = ensemble(7, 4, 3, 5, 1, false);
    e.n_features = 5;
    let mut x = random_rows(8, 5, 5);
    x[[0, 1]] = f64::NAN;
    let report = tree_shap(&e, x.view(), None, &TreeShapParams::default()).unwrap();
    let bg = random_rows(9, 4, 5);
    let p = TreeShapParams {
        feature_perturbation: FeaturePerturbation::Interventional,
        ..Default::default()
    };
    let inter = tree_shap(&e, x.view(), Some(bg.view()), &p).unwrap();
    for i in 0..5 {
        assert_eq!(report.values[i * 5 + 4].0, 0.0);
        assert_eq!(inter.values[i * 5 + 4].0, 0.0);
    }
    assert!(report
        .additivity_residual
        .iter()
        .chain(&inter.additivity_residual)
        .all(|r| r.0.abs() < 1e-12));
}

#[test]
fn bad_input_is_rejected_with_clear_messages() {
    let e = ensemble(1, 5, 2, 3, 1, false);
    let x = random_rows(1, 2, 4);
    let err = tree_shap(&e, x.view(), None, &TreeShapParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("X: the model expects 5 features, found 4 columns"),
        "{err}"
    );
    let mut x = random_rows(1, 2, 5);
    x[[1, 2]] = f64::INFINITY;
    let err = tree_shap(&e, x.view(), None, &TreeShapParams::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("row 1, column 2"), "{err}");
    let x = random_rows(1, 2, 5);
    let p = TreeShapParams {
        feature_perturbation: FeaturePerturbation::Interventional,
        ..Default::default()
    };
    let err = tree_shap(&e, x.view(), None, &p).unwrap_err().to_string();
    assert!(err.contains("needs background data"), "{err}");
    let empty = Array2::<f64>::zeros((0, 5));
    let err = tree_shap(&e, x.view(), Some(empty.view()), &p)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no rows"), "{err}");
    let p = TreeShapParams {
        feature_names: Some(vec!["a".into()]),
        ..Default::default()
    };
    let err = tree_shap(&e, x.view(), None, &p).unwrap_err().to_string();
    assert!(err.contains("feature_names: expected 5 names"), "{err}");
    let mut zero = e.clone();
    zero.trees[0].cover[0] = 0.0;
    let err = tree_shap(&zero, x.view(), None, &TreeShapParams::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("internal node 0 has cover 0"), "{err}");
}
