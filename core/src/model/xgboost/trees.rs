//! One XGBoost tree (parallel node arrays) → a [`Tree`] of reachable nodes, float32 values.

use crate::error::{Error, Result};
use crate::model::tree::Tree;

use super::schema::{malformed, parse_count, XgbTree};

/// One XGBoost node, read from the parallel arrays.
pub(super) struct Node {
    pub(super) left: i32,
    pub(super) right: i32,
    pub(super) feature: u32,
    pub(super) condition: f64,
    pub(super) default_left: bool,
    pub(super) hessian: f64,
    pub(super) categorical: bool,
}

/// One XGBoost tree → node arrays, keeping only nodes reachable from the root (pruned nodes
/// stay in the file), leaf values and thresholds as float32.
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
pub(super) fn convert_tree(index: usize, t: &XgbTree) -> Result<Tree> {
    let bad = |what: String| malformed(format!("tree {index}: {what}"));
    let leaf_size = t
        .tree_param
        .as_ref()
        .and_then(|p| p.size_leaf_vector.as_deref())
        .unwrap_or("1");
    if parse_count("size_leaf_vector", leaf_size)? > 1 {
        return Err(Error::Unsupported(format!(
            "XGBoost tree {index} has vector leaves (multi-target trees); not supported natively"
        )));
    }
    let n = t.left_children.len();
    let nodes = (0..n)
        .map(|i| {
            Some(Node {
                left: *t.left_children.get(i)?,
                right: *t.right_children.get(i)?,
                feature: *t.split_indices.get(i)?,
                condition: *t.split_conditions.get(i)?,
                default_left: t.default_left.get(i)?.is_set(),
                hessian: *t.sum_hessian.get(i)?,
                categorical: t.split_type.get(i).is_some_and(|s| *s != 0),
            })
        })
        .collect::<Option<Vec<Node>>>()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad("node arrays are empty or of different lengths".into()))?;
    // Preorder walk from the root: old index → new index.
    let mut new_of = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![0usize];
    while let Some(old) = stack.pop() {
        match new_of.get_mut(old) {
            Some(slot) if *slot == usize::MAX => *slot = order.len(),
            _ => {
                return Err(bad(format!(
                    "node {old} is reached twice or does not exist"
                )))
            }
        }
        order.push(old);
        let node = nodes
            .get(old)
            .ok_or_else(|| bad(format!("no node {old}")))?;
        if node.left >= 0 {
            for c in [node.right, node.left] {
                let c = usize::try_from(c)
                    .ok()
                    .filter(|c| *c < n)
                    .ok_or_else(|| bad(format!("node {old} has child {c}, outside 0..{n}")))?;
                stack.push(c);
            }
        }
    }
    let m = order.len();
    let mut tree = Tree {
        children_left: Vec::with_capacity(m),
        children_right: Vec::with_capacity(m),
        children_default: Vec::with_capacity(m),
        feature: Vec::with_capacity(m),
        threshold: Vec::with_capacity(m),
        value: Vec::with_capacity(m),
        cover: Vec::with_capacity(m),
        missing_zero: vec![],
    };
    let f32_of = |v: f64| f64::from(v as f32);
    let child = |c: i32| {
        usize::try_from(c)
            .ok()
            .and_then(|c| new_of.get(c))
            .map_or(-1, |c| *c as i32)
    };
    for &old in &order {
        let node = nodes
            .get(old)
            .ok_or_else(|| bad(format!("no node {old}")))?;
        tree.cover.push(node.hessian);
        if node.left < 0 {
            tree.children_left.push(-1);
            tree.children_right.push(-1);
            tree.children_default.push(-1);
            tree.feature.push(0);
            tree.threshold.push(0.0);
            tree.value.push(f32_of(node.condition));
            continue;
        }
        if node.categorical {
            return Err(Error::Unsupported(format!(
                "XGBoost tree {index}, node {old} is a categorical split; categorical splits are \
                 not supported natively (one-hot encode the feature, or pass the model as a \
                 Python callable)"
            )));
        }
        let (l, r) = (child(node.left), child(node.right));
        tree.children_left.push(l);
        tree.children_right.push(r);
        tree.children_default
            .push(if node.default_left { l } else { r });
        tree.feature.push(node.feature);
        tree.threshold.push(f32_of(node.condition));
        tree.value.push(0.0);
    }
    tree.fill_expectations(1);
    Ok(tree)
}
