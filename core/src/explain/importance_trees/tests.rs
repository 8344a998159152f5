//! Unit tests of the cached tree walk for permutation importance.

use super::*;
use crate::explain::permutation_importance::tests::plain_input;
use crate::explain::permutation_importance::{permutation_importance, PermutationOptions};
use crate::explain::permutation_trees::tests::{ensemble, rows, Opaque};
use crate::model::{Link, Model, Tree};
use crate::rng;
use ndarray::Array1;

/// The previous method, kept as the reference: per permutation, re-walk from the root
/// every (row, tree) whose path tests a column of the group, and add the leaf changes.
#[allow(clippy::cast_possible_truncation)]
fn rewalk(c: &Cached<'_>, group: &[usize], perm: &[usize]) -> Array2<f64> {
    let e = c.e;
    let mut path_columns = vec![0u64; c.flat.nodes.len()];
    for (tree, root) in e.trees.iter().zip(&c.flat.roots) {
        let mut stack = vec![0usize];
        while let Some(node) = stack.pop() {
            if tree.is_leaf(node) {
                continue;
            }
            let mask = path_columns[root + node] | 1u64 << tree.feature[node];
            for ch in [tree.children_left[node], tree.children_right[node]] {
                path_columns[root + ch as usize] = mask;
                stack.push(ch as usize);
            }
        }
    }
    let kr = e.n_raw_outputs;
    let per_tree = e.values_per_tree();
    let mask = group.iter().fold(0u64, |m, c| m | 1u64 << c);
    let mut change = vec![0.0; c.rows * kr];
    for (t, tree) in e.trees.iter().enumerate() {
        let root = c.flat.roots[t];
        let old = &c.leaves[t * c.rows..(t + 1) * c.rows];
        let moved: Vec<u32> = (0..c.rows as u32)
            .filter(|i| path_columns[root + old[*i as usize] as usize] & mask != 0)
            .collect();
        let target = e.tree_output.as_ref().map(|o| o[t]);
        c.walk_rows(t, &moved, group, Some(perm), |i, leaf| {
            let was = old[i as usize];
            if was == leaf {
                return;
            }
            let new = tree.node_values(leaf as usize, per_tree);
            let prev = tree.node_values(was as usize, per_tree);
            let acc = &mut change[i as usize * kr..(i as usize + 1) * kr];
            match target {
                Some(o) => acc[o as usize] += new[0] - prev[0],
                None => acc
                    .iter_mut()
                    .zip(new.iter().zip(prev))
                    .for_each(|(a, (n, p))| *a += n - p),
            }
        });
    }
    let scale = match e.accumulate {
        Accumulate::Mean => 1.0 / e.mean_divisor(),
        _ => e.tree_weight,
    };
    let mut raw = c.raw.clone();
    raw.iter_mut()
        .zip(&change)
        .filter(|(_, c)| **c != 0.0)
        .for_each(|(r, c)| *r += scale * c);
    apply_link(e.link, raw)
}

fn permuted_rows(x: &Array2<f64>, group: &[usize], perm: &[usize]) -> Array2<f64> {
    let mut moved = x.clone();
    for (i, from) in perm.iter().enumerate() {
        for c in group {
            moved[[i, *c]] = x[[*from, *c]];
        }
    }
    moved
}

/// Check the bundled walk against the re-walk (bit for bit) and against `predict` on the
/// permuted rows (to 1e-12), for several groups and permutations at once.
fn check(e: &TreeEnsemble, x: &Array2<f64>, groups: &[Vec<usize>], label: &str) {
    let n = x.nrows();
    let cache = Cached::new(e, x.view()).unwrap();
    assert_eq!(cache.baseline(), e.predict(x.view()).unwrap());
    let mut perms: Vec<Vec<usize>> = (0..3)
        .map(|k| {
            let mut r = rng::seeded(k, 9);
            let mut v: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                v.swap(i, rng::below(&mut r, i as u64 + 1) as usize);
            }
            v
        })
        .collect();
    perms.push((0..n).collect()); // the identity: nothing moves
    for group in groups {
        let all = cache.permuted_all(group, &perms).unwrap();
        assert_eq!(all.len(), perms.len());
        for (perm, got) in perms.iter().zip(&all) {
            let reference = rewalk(&cache, group, perm);
            assert_eq!(got, &reference, "{label}, group {group:?}");
            let want = e.predict(permuted_rows(x, group, perm).view()).unwrap();
            for (a, b) in got.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "{label}, {group:?}: {a} vs {b}");
            }
        }
        assert_eq!(all.last(), Some(&cache.baseline()), "{label}");
    }
}

#[test]
fn bundled_walk_equals_rewalk_and_predict() {
    let cases = [
        (1, false, Link::Identity, Accumulate::Sum),
        (3, false, Link::Identity, Accumulate::Mean),
        (2, true, Link::Identity, Accumulate::Sequential),
        (1, false, Link::Logistic, Accumulate::Sequential),
        (3, true, Link::Softmax, Accumulate::Sum),
    ];
    let groups = [vec![0], vec![3], vec![1, 2], vec![4], vec![0, 2, 3]];
    for (seed, (outputs, boosted, link, acc)) in cases.into_iter().enumerate() {
        let mut e = ensemble(seed as u32, outputs, boosted, link, acc);
        let mut x = rows(seed as u32, 300);
        check(&e, &x, &groups, &format!("case {seed}"));
        // LightGBM's zero-as-missing splits, with zeros in the data.
        let mut r = rng::seeded(seed as u32, 3);
        for t in &mut e.trees {
            t.missing_zero = (0..t.n_nodes())
                .map(|_| rng::below(&mut r, 2) == 1)
                .collect();
        }
        x.iter_mut()
            .enumerate()
            .filter(|(k, _)| k % 7 == 0)
            .for_each(|(_, v)| *v = 0.0);
        check(&e, &x, &groups, &format!("case {seed}, zero as missing"));
    }
}

/// A random forest like scikit-learn's: deep irregular trees on continuous features, the
/// mean of the trees (as the benchmark's), many rows (several parallel chunks).
#[test]
fn bundled_walk_equals_rewalk_on_a_random_forest() {
    let mut r = rng::seeded(11, 0);
    let p = 6;
    let mut grow = |depth: u32| {
        let mut t = Tree {
            children_left: vec![-1],
            children_right: vec![-1],
            children_default: vec![-1],
            feature: vec![0],
            threshold: vec![0.0],
            value: vec![0.0],
            cover: vec![1.0],
            missing_zero: vec![],
        };
        let mut open = vec![(0usize, 0u32)];
        while let Some((node, d)) = open.pop() {
            t.value[node] = rng::below(&mut r, 1000) as f64 / 100.0 - 5.0;
            if d == depth || rng::below(&mut r, 5) == 0 {
                continue;
            }
            t.feature[node] = rng::below(&mut r, p as u64 - 1) as u32; // never the last
            t.threshold[node] = rng::below(&mut r, 200) as f64 / 50.0 - 2.0;
            for side in 0..2 {
                let c = t.children_left.len() as i32;
                if side == 0 {
                    t.children_left[node] = c;
                    t.children_default[node] = c;
                } else {
                    t.children_right[node] = c;
                }
                t.children_left.push(-1);
                t.children_right.push(-1);
                t.children_default.push(-1);
                t.feature.push(0);
                t.threshold.push(0.0);
                t.value.push(0.0);
                t.cover.push(1.0);
                open.push((c as usize, d + 1));
            }
        }
        t
    };
    let trees: Vec<Tree> = (0..40).map(|k| grow(3 + k % 6)).collect();
    let e = TreeEnsemble {
        n_features: p,
        n_raw_outputs: 1,
        tree_weight: 1.0 / trees.len() as f64,
        trees,
        tree_output: None,
        comparison: Comparison::LessEqual,
        float32_features: true,
        base_score: vec![0.0],
        link: Link::Identity,
        source: "test".into(),
        accumulate: Accumulate::Mean,
    };
    e.check().unwrap();
    let mut rr = rng::seeded(12, 0);
    let x = Array2::from_shape_fn((1000, p), |_| {
        // Some values exactly on a threshold grid, some not.
        let v = rng::below(&mut rr, 10_000) as f64 / 2500.0 - 2.0;
        if rng::below(&mut rr, 3) == 0 {
            (v * 50.0).round() / 50.0
        } else {
            v
        }
    });
    let groups: Vec<Vec<usize>> = (0..p).map(|j| vec![j]).chain([vec![0, 1]]).collect();
    check(&e, &x, &groups, "forest");
    assert!(Cached::new(&e, x.view()).unwrap().clean);
    // Missing values: the routing with NaN checks (not the one-comparison walk).
    let mut holes = x.clone();
    holes.iter_mut().step_by(11).for_each(|v| *v = f64::NAN);
    assert!(!Cached::new(&e, holes.view()).unwrap().clean);
    check(&e, &holes, &groups, "forest with missing values");
    // The column no tree splits on never moves a prediction.
    let cache = Cached::new(&e, x.view()).unwrap();
    let perm: Vec<usize> = (0..1000).rev().collect();
    let out = cache.permuted_all(&[p - 1], &[perm]).unwrap();
    assert_eq!(out[0], cache.baseline());
}

#[test]
fn importance_with_trees_walked_equals_model_calls() {
    let e = ensemble(4, 1, false, Link::Identity, Accumulate::Mean);
    let x = rows(9, 50);
    let y: Array1<f64> = x.column(0).mapv(|v| 3.0 * v) + x.column(2);
    let input = plain_input(x.view(), y.view());
    let opts = PermutationOptions {
        feature_groups: Some(vec![vec![1, 3]]),
        ..PermutationOptions::default()
    };
    let walked = permutation_importance(&e, &input, &opts).unwrap();
    let called = permutation_importance(&Opaque(&e), &input, &opts).unwrap();
    // The walk reads the trees: no model call at all (the baseline comes from the cache).
    assert_eq!((walked.model_calls, called.model_calls), (0, 2));
    assert_eq!(walked.rows_evaluated, 0);
    assert_eq!(walked.baseline_score, called.baseline_score);
    let flat = |r: &crate::report::importance::ImportanceReport| -> Vec<f64> {
        r.importances.iter().flatten().map(|v| v.0).collect()
    };
    let (a, b) = (flat(&walked), flat(&called));
    // Repeats sliced one at a time (a small batch budget): the same numbers.
    let sliced = PermutationOptions {
        max_batch_elements: 60,
        ..opts.clone()
    };
    assert_eq!(
        permutation_importance(&e, &input, &sliced)
            .unwrap()
            .importances,
        walked.importances
    );
    // Boxes too large for the budget: the model is called instead.
    assert!(usable(&e, 3) && !usable(&e, MAX_BOX_VALUES));
    assert!(!usable(
        &ensemble(1, 1, false, Link::Identity, Accumulate::Float32),
        1
    ));
    assert_eq!(a.len(), b.len());
    assert!(a.iter().any(|v| v.abs() > 1e-3));
    for (a, b) in a.iter().zip(&b) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}
