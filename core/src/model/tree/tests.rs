//! Unit tests of tree ensembles: routing, validation, accumulation modes, expectations.

use super::*;
use ndarray::array;

/// x0 <= 0.5 ? (x1 <= 2 ? 1 : 2) : 3
pub fn small_tree() -> Tree {
    Tree {
        children_left: vec![1, 3, -1, -1, -1],
        children_right: vec![2, 4, -1, -1, -1],
        children_default: vec![1, 4, -1, -1, -1],
        feature: vec![0, 1, 0, 0, 0],
        threshold: vec![0.5, 2.0, 0.0, 0.0, 0.0],
        value: vec![2.0, 1.5, 3.0, 1.0, 2.0],
        cover: vec![4.0, 2.0, 2.0, 1.0, 1.0],
        missing_zero: vec![],
    }
}

fn ensemble(trees: Vec<Tree>) -> TreeEnsemble {
    TreeEnsemble {
        n_features: 2,
        n_raw_outputs: 1,
        trees,
        tree_output: None,
        comparison: Comparison::LessEqual,
        float32_features: false,
        tree_weight: 1.0,
        base_score: vec![0.0],
        link: Link::Identity,
        source: "test".into(),
        accumulate: Accumulate::Sum,
    }
}

/// The definition: one row at a time through `Tree::leaf`, summed as `accumulate` says.
#[allow(clippy::cast_possible_truncation)]
pub fn reference_raw(e: &TreeEnsemble, x: ndarray::ArrayView2<'_, f64>) -> Array2<f64> {
    let mut out = Array2::zeros((x.nrows(), e.n_raw_outputs));
    let w = e.tree_weight;
    for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
        for (o, b) in o.iter_mut().zip(&e.base_score) {
            *o = match e.accumulate {
                Accumulate::Sum | Accumulate::Mean => 0.0,
                Accumulate::Sequential => *b,
                Accumulate::Float32 => f64::from(*b as f32),
            };
        }
        for (t, tree) in e.trees.iter().enumerate() {
            let leaf = tree.leaf(row, e.comparison, e.float32_features);
            let values = tree.node_values(leaf, e.values_per_tree()).to_vec();
            let targets: Vec<(usize, f64)> = match &e.tree_output {
                Some(k) => vec![(k[t] as usize, values[0])],
                None => values.into_iter().enumerate().collect(),
            };
            for (k, v) in targets {
                let slot = &mut o[k];
                match e.accumulate {
                    Accumulate::Sum | Accumulate::Mean => *slot += v,
                    Accumulate::Sequential => *slot += w * v,
                    Accumulate::Float32 => *slot = f64::from(*slot as f32 + (w * v) as f32),
                }
            }
        }
        for (o, b) in o.iter_mut().zip(&e.base_score) {
            match e.accumulate {
                Accumulate::Sum => *o = b + w * *o,
                Accumulate::Mean => *o = b + *o / e.mean_divisor(),
                _ => {}
            }
        }
    }
    out
}

#[test]
fn routes_rows_including_missing_values() {
    let e = ensemble(vec![small_tree()]);
    e.check().unwrap();
    let x = array![
        [0.0, 1.0],
        [0.0, 3.0],
        [1.0, 0.0],
        [f64::NAN, f64::NAN],
        [0.5, 2.0]
    ];
    let p = e.predict(x.view()).unwrap();
    assert_eq!(p.column(0).to_vec(), vec![1.0, 2.0, 3.0, 2.0, 1.0]);
}

#[test]
fn malformed_trees_are_rejected() {
    let mut t = small_tree();
    t.children_left[1] = 7;
    let err = ensemble(vec![t]).check().unwrap_err().to_string();
    assert!(err.contains("tree 0: node 1 has child 7"), "{err}");
    let mut t = small_tree();
    t.children_right[1] = 2; // node 2 reached twice
    assert!(ensemble(vec![t]).check().is_err());
    let mut t = small_tree();
    t.feature[0] = 9;
    assert!(ensemble(vec![t])
        .check()
        .unwrap_err()
        .to_string()
        .contains("feature 9"));
}

#[test]
fn accumulation_modes_reproduce_each_librarys_rounding() {
    let t = |v: f64| Tree {
        value: vec![0.0, 0.0, v, v, v],
        ..small_tree()
    };
    let x = array![[1.0, 0.0]];
    let vals = [0.1, 0.2, 0.3];
    let mut e = ensemble(vals.iter().map(|v| t(*v)).collect());
    e.base_score = vec![0.7];
    e.tree_weight = 1.0 / 3.0;
    e.accumulate = Accumulate::Mean;
    e.check().unwrap();
    let mean = e.predict(x.view()).unwrap()[[0, 0]];
    assert_eq!(mean, 0.7 + (0.1 + 0.2 + 0.3) / 3.0);
    e.accumulate = Accumulate::Sequential;
    e.tree_weight = 0.1;
    let seq = e.predict(x.view()).unwrap()[[0, 0]];
    assert_eq!(seq, ((0.7 + 0.1 * 0.1) + 0.1 * 0.2) + 0.1 * 0.3);
    e.accumulate = Accumulate::Float32;
    e.tree_weight = 1.0;
    let f = e.predict(x.view()).unwrap()[[0, 0]];
    let expected = ((0.7f32 + 0.1f32) + 0.2f32) + 0.3f32;
    assert_eq!(f, f64::from(expected));
    // Mean with a tree_weight that is not 1/n is rejected.
    e.accumulate = Accumulate::Mean;
    e.tree_weight = 0.3;
    assert!(e.check().unwrap_err().to_string().contains("1/n"));
}

#[test]
fn zero_as_missing_nodes_send_zeros_to_the_default_child() {
    let mut t = small_tree();
    t.threshold[0] = -1.0; // x0 = 0 would go right
    t.children_default[0] = 1;
    t.missing_zero = vec![true, false, false, false, false];
    let e = ensemble(vec![t]);
    e.check().unwrap();
    let x = array![[0.0, 0.0], [1e-36, 0.0], [1e-30, 0.0], [f64::NAN, 0.0]];
    let p = e.predict(x.view()).unwrap();
    assert_eq!(p.column(0).to_vec(), vec![1.0, 1.0, 3.0, 1.0]);
    let mut bad = small_tree();
    bad.missing_zero = vec![true];
    assert!(ensemble(vec![bad]).check().is_err());
}

#[test]
fn expectations_are_cover_weighted_means() {
    let mut t = small_tree();
    t.value = vec![9.0, 9.0, 3.0, 1.0, 2.0];
    t.cover = vec![4.0, 3.0, 1.0, 1.0, 2.0];
    t.fill_expectations(1);
    assert_eq!(t.value[1], (1.0 + 2.0 * 2.0) / 3.0);
    assert_eq!(t.value[0], (3.0 * t.value[1] + 3.0) / 4.0);
    // Serialising a tree without zero-as-missing nodes leaves the field out.
    let json = serde_json::to_string(&small_tree()).unwrap();
    assert!(!json.contains("missing_zero"));
    let back: Tree = serde_json::from_str(&json).unwrap();
    assert_eq!(back, small_tree());
}

proptest::proptest! {
    /// The block-wise evaluator equals the one-row definition bit for bit, for random
    /// trees, rows (with NaNs and zeros), comparisons and accumulation modes.
    #[test]
    fn block_evaluation_equals_the_definition(
        seed in 0u64..1_000,
        rows in 1usize..300,
        mode in 0usize..4,
        less in proptest::bool::ANY,
        float32 in proptest::bool::ANY,
        classes in 1usize..4,
    ) {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let n_features = 3;
        let random_tree = |rng: &mut rand_chacha::ChaCha8Rng, per: usize| {
            // A random full binary tree grown by splitting random leaves.
            let mut t = Tree {
                children_left: vec![-1], children_right: vec![-1], children_default: vec![-1],
                feature: vec![0], threshold: vec![0.0], value: vec![0.0; per], cover: vec![1.0],
                missing_zero: vec![false],
            };
            for _ in 0..rng.random_range(0..12) {
                let leaves: Vec<usize> = (0..t.n_nodes()).filter(|n| t.is_leaf(*n)).collect();
                let node = leaves[rng.random_range(0..leaves.len())];
                let (l, r) = (t.n_nodes() as i32, t.n_nodes() as i32 + 1);
                t.children_left[node] = l;
                t.children_right[node] = r;
                t.children_default[node] = if rng.random::<bool>() { l } else { r };
                t.feature[node] = rng.random_range(0..n_features as u32);
                t.threshold[node] = (rng.random_range(-4..4) as f64) * 0.5;
                t.missing_zero[node] = rng.random::<bool>();
                for _ in 0..2 {
                    t.children_left.push(-1); t.children_right.push(-1);
                    t.children_default.push(-1); t.feature.push(0); t.threshold.push(0.0);
                    t.cover.push(1.0); t.missing_zero.push(false);
                    t.value.extend((0..per).map(|_| rng.random::<f64>() - 0.5));
                }
            }
            t
        };
        let one_per_tree = mode == 3 || rng.random::<bool>();
        let per = if one_per_tree { 1 } else { classes };
        let n_trees = rng.random_range(1..8);
        let trees: Vec<Tree> = (0..n_trees).map(|_| random_tree(&mut rng, per)).collect();
        let accumulate = [Accumulate::Sum, Accumulate::Sequential, Accumulate::Mean, Accumulate::Float32][mode];
        let e = TreeEnsemble {
            n_features,
            n_raw_outputs: classes,
            trees,
            tree_output: one_per_tree.then(|| (0..n_trees).map(|t| (t % classes) as u32).collect()),
            comparison: if less { Comparison::Less } else { Comparison::LessEqual },
            float32_features: float32,
            tree_weight: if accumulate == Accumulate::Mean { 1.0 / n_trees as f64 } else { 0.3 },
            base_score: (0..classes).map(|k| 0.1 * k as f64 + 0.05).collect(),
            link: Link::Identity,
            source: "random".into(),
            accumulate,
        };
        e.check().unwrap();
        let x = Array2::from_shape_fn((rows, n_features), |_| match rng.random_range(0..10) {
            0 => f64::NAN,
            1 => 0.0,
            2 => 1e-36,
            3 => (rng.random_range(-4..4) as f64) * 0.5,
            _ => rng.random::<f64>() * 6.0 - 3.0,
        });
        let fast = e.predict_raw(x.view());
        let slow = reference_raw(&e, x.view());
        proptest::prop_assert_eq!(fast, slow);
    }
}
