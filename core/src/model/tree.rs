//! Tree ensembles (decision trees, random forests, extra trees, gradient boosting from
//! scikit-learn, XGBoost and LightGBM) as flat node arrays, evaluated natively.
//!
//! A row's raw output is `base_score + tree_weight · Σ_t value(t, leaf_t(x))`, where each tree
//! adds either one value to output `tree_output[t]` (boosting with one tree per class) or one
//! value per output. `link` turns raw outputs into the model's predictions (identity, or
//! probabilities). Missing values (NaN) follow each node's default child.

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
        if lens.iter().any(|l| *l != n) || self.value.len() != n * n_values {
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

    /// The leaf a row falls into.
    #[inline]
    pub fn leaf(&self, row: ArrayView1<'_, f64>, comparison: Comparison, float32: bool) -> usize {
        let mut node = 0usize;
        // A checked tree reaches a leaf in fewer than n_nodes steps; the bound guards the rest.
        for _ in 0..self.n_nodes() {
            let left = self.children_left.get(node).copied().unwrap_or(-1);
            if left < 0 {
                break;
            }
            let f = self.feature.get(node).copied().unwrap_or(0) as usize;
            let x = row.get(f).copied().unwrap_or(f64::NAN);
            let next = if x.is_nan() {
                self.children_default.get(node).copied().unwrap_or(left)
            } else {
                #[allow(clippy::cast_possible_truncation)]
                let x = if float32 { f64::from(x as f32) } else { x };
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
            };
            node = usize::try_from(next).unwrap_or(0);
        }
        node
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

    /// Raw outputs (margins) for a batch, rows × n_raw_outputs.
    pub fn predict_raw(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.n_raw_outputs));
        let per_tree = self.values_per_tree();
        let fill = |(row, mut out_row): (ArrayView1<'_, f64>, ndarray::ArrayViewMut1<'_, f64>)| {
            for (t, tree) in self.trees.iter().enumerate() {
                let leaf = tree.leaf(row, self.comparison, self.float32_features);
                let values = tree.node_values(leaf, per_tree);
                match &self.tree_output {
                    Some(outputs) => {
                        let k = outputs.get(t).copied().unwrap_or(0) as usize;
                        if let (Some(o), Some(v)) = (out_row.get_mut(k), values.first()) {
                            *o += v;
                        }
                    }
                    None => out_row.iter_mut().zip(values).for_each(|(o, v)| *o += v),
                }
            }
            out_row
                .iter_mut()
                .zip(&self.base_score)
                .for_each(|(o, b)| *o = b + self.tree_weight * *o);
        };
        let rows = x.rows().into_iter().zip(out.rows_mut());
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            rows.collect::<Vec<_>>().into_par_iter().for_each(fill);
        }
        #[cfg(not(feature = "parallel"))]
        rows.for_each(fill);
        out
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
        }
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
}
