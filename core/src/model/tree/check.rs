//! Validation of trees and ensembles (after loading from any source): array lengths, children
//! in range, every node reached once, outputs and weights consistent.

use super::{Accumulate, Tree, TreeEnsemble};
use crate::error::{Error, Result};
use crate::model::linear::Link;

impl Tree {
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
}
