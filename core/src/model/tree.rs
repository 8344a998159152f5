//! Tree ensembles (decision trees, random forests, extra trees, gradient boosting from
//! scikit-learn, XGBoost and LightGBM) as flat node arrays, evaluated natively.
//!
//! A row's raw output is `base_score + tree_weight · Σ_t value(t, leaf_t(x))`, where each tree
//! adds either one value to output `tree_output[t]` (boosting with one tree per class) or one
//! value per output. `link` turns raw outputs into the model's predictions (identity, or
//! probabilities). Missing values (NaN) follow each node's default child; a node may also send
//! zeros there (LightGBM's zero-as-missing). `accumulate` only fixes the order and precision of
//! that sum, so native predictions reproduce each library's rounding bit for bit.

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::math::apply_link;
use crate::model::linear::Link;
use crate::model::Model;

/// How a split compares a feature with its threshold to go left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// `x <= threshold` goes left (scikit-learn, LightGBM).
    #[default]
    LessEqual,
    /// `x < threshold` goes left (XGBoost).
    Less,
}

/// Values LightGBM treats as zero (and so as missing at a zero-as-missing node): `|x| <= 1e-35f`.
pub const ZERO_THRESHOLD: f64 = 1e-35_f32 as f64;

/// How a row's tree values are summed. In exact arithmetic every mode gives
/// `base_score + tree_weight · Σ_t value_t`; they differ only in rounding, each reproducing one
/// library's predict bit for bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Accumulate {
    /// `base + w · (((0 + v₁) + v₂) + …)` (LightGBM; a single tree).
    #[default]
    Sum,
    /// `((base + w·v₁) + w·v₂) + …` (scikit-learn gradient boosting, `out += lr * value`).
    Sequential,
    /// `base + (((0 + v₁) + v₂) + …) / n` with `n = round(1 / tree_weight)` (scikit-learn
    /// forests, LightGBM's random-forest mode: `sum /= n_estimators`).
    Mean,
    /// `f32(base)`, then `acc = f32(acc + f32(w·v))` per tree (XGBoost sums in float32).
    Float32,
}

/// One tree as parallel node arrays; node 0 is the root, a leaf has `children_left == -1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Left child per node (-1 at leaves).
    pub children_left: Vec<i32>,
    /// Right child per node (-1 at leaves).
    pub children_right: Vec<i32>,
    /// Child taken by a missing (NaN) value.
    pub children_default: Vec<i32>,
    /// Split feature per node (ignored at leaves).
    pub feature: Vec<u32>,
    /// Split threshold per node.
    pub threshold: Vec<f64>,
    /// Node values, nodes × values per node, row-major (internal nodes too: their weighted
    /// mean, used by path-dependent TreeSHAP).
    pub value: Vec<f64>,
    /// Training weight (sample count or hessian sum) reaching each node.
    pub cover: Vec<f64>,
    /// Per node: values with `|x| <= ZERO_THRESHOLD` also take the default child (LightGBM's
    /// zero-as-missing splits). Empty: no node does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_zero: Vec<bool>,
}

impl Tree {
    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.children_left.len()
    }

    /// Is `node` a leaf?
    #[inline]
    pub fn is_leaf(&self, node: usize) -> bool {
        self.children_left.get(node).is_none_or(|c| *c < 0)
    }

    /// Check the arrays: equal lengths, children in range, a tree (every node reached once).
    pub fn check(&self, index: usize, n_features: usize, n_values: usize) -> Result<()> {
        let n = self.n_nodes();
        let bad = |what: String| Error::invalid("model", format!("tree {index}: {what}"));
        if n == 0 {
            return Err(bad("has no nodes".into()));
        }
        let lens = [
            self.children_right.len(),
            self.children_default.len(),
            self.feature.len(),
            self.threshold.len(),
            self.cover.len(),
        ];
        let zero_ok = self.missing_zero.is_empty() || self.missing_zero.len() == n;
        if lens.iter().any(|l| *l != n) || self.value.len() != n * n_values || !zero_ok {
            return Err(bad(format!(
                "node arrays have different lengths (expected {n} nodes, {n_values} values each)"
            )));
        }
        let mut parents = vec![0u32; n];
        let nodes = self
            .children_left
            .iter()
            .zip(&self.children_right)
            .zip(&self.children_default)
            .zip(self.feature.iter().zip(&self.threshold))
            .enumerate();
        for (node, (((left, right), default), (feature, threshold))) in nodes {
            if *left < 0 {
                continue;
            }
            for c in [*left, *right] {
                let slot = usize::try_from(c)
                    .ok()
                    .filter(|c| *c != 0)
                    .and_then(|c| parents.get_mut(c));
                match slot {
                    Some(p) => *p += 1,
                    None => return Err(bad(format!("node {node} has child {c}, outside 1..{n}"))),
                }
            }
            if default != left && default != right {
                return Err(bad(format!(
                    "node {node}: its default child {default} is neither of its children"
                )));
            }
            if *feature as usize >= n_features {
                return Err(bad(format!(
                    "node {node} splits on feature {feature} but the model has {n_features} features"
                )));
            }
            if threshold.is_nan() {
                return Err(bad(format!("node {node} has a NaN threshold")));
            }
        }
        if let Some((node, count)) = parents.iter().enumerate().skip(1).find(|(_, p)| **p != 1) {
            return Err(bad(format!(
                "node {node} is reached {count} times; expected a tree"
            )));
        }
        if self.value.iter().any(|v| !v.is_finite()) {
            return Err(bad("has non-finite node values".into()));
        }
        Ok(())
    }

    /// The child of internal node `node` that a feature value `x` goes to (-1 at a leaf).
    #[inline]
    pub fn next_node(&self, node: usize, x: f64, comparison: Comparison, float32: bool) -> i32 {
        let left = self.children_left.get(node).copied().unwrap_or(-1);
        if left < 0 {
            return -1;
        }
        #[allow(clippy::cast_possible_truncation)]
        let x = if float32 { f64::from(x as f32) } else { x };
        let missing = x.is_nan()
            || (self.missing_zero.get(node).copied().unwrap_or(false)
                && (-ZERO_THRESHOLD..=ZERO_THRESHOLD).contains(&x));
        if missing {
            return self.children_default.get(node).copied().unwrap_or(left);
        }
        let t = self.threshold.get(node).copied().unwrap_or(f64::NAN);
        let go_left = match comparison {
            Comparison::LessEqual => x <= t,
            Comparison::Less => x < t,
        };
        if go_left {
            left
        } else {
            self.children_right.get(node).copied().unwrap_or(left)
        }
    }

    /// The leaf a row falls into.
    #[inline]
    pub fn leaf(&self, row: ArrayView1<'_, f64>, comparison: Comparison, float32: bool) -> usize {
        let mut node = 0usize;
        // A checked tree reaches a leaf in fewer than n_nodes steps; the bound guards the rest.
        for _ in 0..self.n_nodes() {
            let f = self.feature.get(node).copied().unwrap_or(0) as usize;
            let x = row.get(f).copied().unwrap_or(f64::NAN);
            match usize::try_from(self.next_node(node, x, comparison, float32)) {
                Ok(next) => node = next,
                Err(_) => break,
            }
        }
        node
    }

    /// Set every internal node's values to the cover-weighted mean of its children's
    /// (`(w_l·v_l + w_r·v_r) / (w_l + w_r)`, 0 when both covers are 0), bottom-up: the
    /// expectations path-dependent TreeSHAP uses (SHAP's `compute_expectations`). Loaders whose
    /// internal node values mean something else (gradient statistics, thresholds) call this.
    pub fn fill_expectations(&mut self, n_values: usize) {
        // Children before parents: a post-order walk with an explicit stack.
        let n = self.n_nodes();
        let mut order = Vec::with_capacity(n);
        let mut stack = vec![0usize];
        while let Some(node) = stack.pop() {
            if order.len() >= n {
                break; // not a tree; `check` reports it
            }
            order.push(node);
            if !self.is_leaf(node) {
                for c in [&self.children_left, &self.children_right] {
                    if let Some(c) = c.get(node).and_then(|c| usize::try_from(*c).ok()) {
                        stack.push(c);
                    }
                }
            }
        }
        for &node in order.iter().rev() {
            if self.is_leaf(node) {
                continue;
            }
            let child = |c: &Vec<i32>| c.get(node).and_then(|c| usize::try_from(*c).ok());
            let (Some(l), Some(r)) = (child(&self.children_left), child(&self.children_right))
            else {
                continue;
            };
            let wl = self.cover.get(l).copied().unwrap_or(0.0);
            let wr = self.cover.get(r).copied().unwrap_or(0.0);
            for j in 0..n_values {
                let vl = self.value.get(l * n_values + j).copied().unwrap_or(0.0);
                let vr = self.value.get(r * n_values + j).copied().unwrap_or(0.0);
                let v = if wl == 0.0 && wr == 0.0 {
                    0.0
                } else {
                    (wl * vl + wr * vr) / (wl + wr)
                };
                if let Some(slot) = self.value.get_mut(node * n_values + j) {
                    *slot = v;
                }
            }
        }
    }

    /// The values of `node`.
    pub fn node_values(&self, node: usize, n_values: usize) -> &[f64] {
        self.value
            .get(node * n_values..(node + 1) * n_values)
            .unwrap_or(&[])
    }
}

/// A fitted tree ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeEnsemble {
    /// Input features.
    pub n_features: usize,
    /// Raw outputs (before `link`).
    pub n_raw_outputs: usize,
    /// The trees.
    pub trees: Vec<Tree>,
    /// For one-value trees: the raw output each tree adds to. `None`: every tree has
    /// `n_raw_outputs` values.
    pub tree_output: Option<Vec<u32>>,
    /// Split comparison.
    pub comparison: Comparison,
    /// Compare features rounded to float32 (scikit-learn casts inputs to float32).
    pub float32_features: bool,
    /// Factor on each tree's value (1/n_trees for averaging forests, else 1).
    pub tree_weight: f64,
    /// Raw output before any tree (init score), per raw output.
    pub base_score: Vec<f64>,
    /// Raw outputs → predictions.
    pub link: Link,
    /// Where the model came from (e.g. `sklearn.ensemble.RandomForestClassifier`).
    pub source: String,
    /// Order and precision of the sum over trees (rounding only; see [`Accumulate`]).
    #[serde(default)]
    pub accumulate: Accumulate,
}

impl TreeEnsemble {
    /// Check the whole ensemble (after loading from any source).
    pub fn check(&self) -> Result<()> {
        if self.trees.is_empty() {
            return Err(Error::invalid("model", "the ensemble has no trees"));
        }
        if self.base_score.len() != self.n_raw_outputs {
            return Err(Error::invalid(
                "model",
                "base_score must have one value per raw output",
            ));
        }
        if self.link == Link::Logistic && self.n_raw_outputs != 1 {
            return Err(Error::invalid(
                "model",
                "a logistic link needs exactly one raw output",
            ));
        }
        if !self.tree_weight.is_finite() || self.base_score.iter().any(|b| !b.is_finite()) {
            return Err(Error::invalid(
                "model",
                "tree_weight and base_score must be finite",
            ));
        }
        if self.accumulate == Accumulate::Mean {
            let n = self.mean_divisor();
            if !(n >= 1.0 && (1.0 / n - self.tree_weight).abs() <= 1e-12 * self.tree_weight) {
                return Err(Error::invalid(
                    "model",
                    format!(
                        "accumulate \"mean\" needs tree_weight = 1/n for a whole number n, found {}",
                        self.tree_weight
                    ),
                ));
            }
        }
        let per_tree = self.values_per_tree();
        if let Some(outputs) = &self.tree_output {
            if outputs.len() != self.trees.len()
                || outputs.iter().any(|o| *o as usize >= self.n_raw_outputs)
            {
                return Err(Error::invalid(
                    "model",
                    "tree_output must name a raw output for every tree",
                ));
            }
        }
        for (i, t) in self.trees.iter().enumerate() {
            t.check(i, self.n_features, per_tree)?;
        }
        Ok(())
    }

    /// Values stored per node.
    pub fn values_per_tree(&self) -> usize {
        if self.tree_output.is_some() {
            1
        } else {
            self.n_raw_outputs
        }
    }

    /// The divisor of [`Accumulate::Mean`]: `round(1 / tree_weight)`.
    pub fn mean_divisor(&self) -> f64 {
        (1.0 / self.tree_weight).round()
    }

    /// Raw outputs (margins) for a batch, rows × n_raw_outputs: each row routed by
    /// [`Tree::leaf`] and summed as [`Accumulate`] says (evaluated block-wise, in parallel
    /// with the `parallel` feature; see `tree_eval`).
    pub fn predict_raw(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        crate::model::tree_eval::predict_raw(self, x)
    }
}

impl Model for TreeEnsemble {
    fn n_features(&self) -> Option<usize> {
        Some(self.n_features)
    }

    fn n_outputs(&self) -> usize {
        match self.link {
            Link::Logistic => 2,
            _ => self.n_raw_outputs,
        }
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        Ok(apply_link(self.link, self.predict_raw(x)))
    }

    fn tree_ensemble(&self) -> Option<&TreeEnsemble> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
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
}
