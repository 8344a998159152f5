//! Tree ensembles (decision trees, random forests, extra trees, gradient boosting from
//! scikit-learn, XGBoost and LightGBM) as flat node arrays, evaluated natively.
//!
//! A row's raw output is `base_score + tree_weight · Σ_t value(t, leaf_t(x))`, where each tree
//! adds either one value to output `tree_output[t]` (boosting with one tree per class) or one
//! value per output. `link` turns raw outputs into the model's predictions (identity, or
//! probabilities). Missing values (NaN) follow each node's default child; a node may also send
//! zeros there (LightGBM's zero-as-missing). `accumulate` only fixes the order and precision of
//! that sum, so native predictions reproduce each library's rounding bit for bit.

mod check;
#[cfg(test)]
mod tests;

use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::Result;
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
