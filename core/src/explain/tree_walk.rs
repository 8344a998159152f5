//! Trees prepared for TreeSHAP: compact nodes, each child's cover fraction
//! `cover[child] / cover[node]`, leaf values scaled by the ensemble's `tree_weight`, and each
//! tree's expected value (the cover-weighted mean of its leaves, computed bottom-up as SHAP's
//! `compute_expectations` does). Also the input checks and the report both TreeSHAP variants
//! share.

use ndarray::{Array2, Array3, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
use crate::model::tree::ZERO_THRESHOLD;
use crate::model::{Comparison, Tree, TreeEnsemble};
use crate::report::{ExplanationReport, Num, SCHEMA_VERSION};

/// Deepest tree the TreeSHAP recursions accept (their memory grows with depth²).
pub const MAX_DEPTH: usize = 512;

/// Marks a leaf in [`Node::left`].
const LEAF: u32 = u32::MAX;

/// One node: children, split and the fraction of the node's cover each child holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub left: u32,
    pub right: u32,
    pub missing_left: bool,
    /// Values near zero count as missing (LightGBM's zero-as-missing splits).
    pub missing_zero: bool,
    pub feature: u32,
    pub threshold: f64,
    pub z_left: f64,
    pub z_right: f64,
}

impl Node {
    #[inline]
    pub fn is_leaf(&self) -> bool {
        self.left == LEAF
    }

    /// The child `x` follows (`x` already rounded as the ensemble compares).
    #[inline]
    pub fn follows_left(&self, x: &[f64], comparison: Comparison) -> bool {
        match x.get(self.feature as usize) {
            Some(v) if !(v.is_nan() || (self.missing_zero && v.abs() <= ZERO_THRESHOLD)) => {
                match comparison {
                    Comparison::LessEqual => *v <= self.threshold,
                    Comparison::Less => *v < self.threshold,
                }
            }
            _ => self.missing_left,
        }
    }
}

/// A tree ready for the TreeSHAP recursions.
#[derive(Debug, Clone)]
pub(crate) struct PreparedTree {
    pub nodes: Vec<Node>,
    /// Node values × `tree_weight`, `n_values` per node (leaves only are read).
    pub values: Vec<f64>,
    pub n_values: usize,
    /// First raw output this tree adds to (its `tree_output`, else 0).
    pub output: usize,
    /// Expected value of each of its `n_values` outputs (× `tree_weight`).
    pub expected: Vec<f64>,
    /// Longest root-to-leaf path (splits).
    pub depth: usize,
    /// Distinct split features, in order of first appearance.
    pub features: Vec<u32>,
}

impl PreparedTree {
    #[inline]
    pub fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    #[inline]
    pub fn leaf_values(&self, i: usize) -> &[f64] {
        self.values
            .get(i * self.n_values..(i + 1) * self.n_values)
            .unwrap_or(&[])
    }
}

/// A checked ensemble, prepared once per explanation.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub trees: Vec<PreparedTree>,
    pub n_features: usize,
    pub n_outputs: usize,
    pub comparison: Comparison,
    pub float32: bool,
    pub base_score: Vec<f64>,
    pub max_depth: usize,
}

impl Prepared {
    /// Check and prepare `model`. `need_cover`: path-dependent TreeSHAP divides by internal
    /// nodes' covers, so they must be positive.
    pub fn new(model: &TreeEnsemble, need_cover: bool) -> Result<Self> {
        model.check()?;
        let n_values = model.values_per_tree();
        let mut trees = Vec::with_capacity(model.trees.len());
        for (t, tree) in model.trees.iter().enumerate() {
            let output = match &model.tree_output {
                Some(outputs) => outputs.get(t).copied().unwrap_or(0) as usize,
                None => 0,
            };
            trees.push(prepare_tree(
                t,
                tree,
                n_values,
                output,
                model.tree_weight,
                need_cover,
            )?);
        }
        let max_depth = trees.iter().map(|t| t.depth).max().unwrap_or(0);
        Ok(Prepared {
            trees,
            n_features: model.n_features,
            n_outputs: model.n_raw_outputs,
            comparison: model.comparison,
            float32: model.float32_features,
            base_score: model.base_score.clone(),
            max_depth,
        })
    }

    /// Expected raw output: Σ tree expectations + base_score.
    pub fn expected_value(&self) -> Vec<f64> {
        let mut e = vec![0.0; self.n_outputs];
        for tree in &self.trees {
            let slots = e.iter_mut().skip(tree.output);
            slots.zip(&tree.expected).for_each(|(e, v)| *e += v);
        }
        e.iter_mut()
            .zip(&self.base_score)
            .for_each(|(e, b)| *e += b);
        e
    }

    /// A row as the trees compare it (rounded to float32 when the model says so).
    pub fn row_into(&self, row: ArrayView1<'_, f64>, out: &mut Vec<f64>) {
        out.clear();
        self.append_row(row, out);
    }

    /// [`Prepared::row_into`], appended to `out`.
    pub fn append_row(&self, row: ArrayView1<'_, f64>, out: &mut Vec<f64>) {
        #[allow(clippy::cast_possible_truncation)]
        out.extend(row.iter().map(|v| {
            if self.float32 {
                f64::from(*v as f32)
            } else {
                *v
            }
        }));
    }
}

fn prepare_tree(
    index: usize,
    tree: &Tree,
    n_values: usize,
    output: usize,
    weight: f64,
    need_cover: bool,
) -> Result<PreparedTree> {
    let n = tree.n_nodes();
    let bad = |what: String| Error::invalid("model", format!("tree {index}: {what}"));
    let mut nodes = Vec::with_capacity(n);
    for i in 0..n {
        let cover = |c: i32| -> f64 {
            usize::try_from(c)
                .ok()
                .and_then(|c| tree.cover.get(c))
                .copied()
                .unwrap_or(0.0)
        };
        let own = tree.cover.get(i).copied().unwrap_or(f64::NAN);
        if !(own.is_finite() && own >= 0.0) {
            return Err(bad(format!(
                "node {i} has cover {own}; covers must be finite and non-negative"
            )));
        }
        if tree.is_leaf(i) {
            nodes.push(Node {
                left: LEAF,
                right: LEAF,
                missing_left: true,
                missing_zero: false,
                feature: 0,
                threshold: 0.0,
                z_left: 0.0,
                z_right: 0.0,
            });
            continue;
        }
        if need_cover && own <= 0.0 {
            return Err(bad(format!(
                "internal node {i} has cover 0, so path-dependent TreeSHAP cannot weigh its \
                 children; use feature_perturbation=\"interventional\" with background data"
            )));
        }
        let l = tree.children_left.get(i).copied().unwrap_or(-1);
        let r = tree.children_right.get(i).copied().unwrap_or(-1);
        let d = tree.children_default.get(i).copied().unwrap_or(l);
        let to_u32 = |c: i32| u32::try_from(c).unwrap_or(LEAF);
        nodes.push(Node {
            left: to_u32(l),
            right: to_u32(r),
            missing_left: d == l,
            missing_zero: tree.missing_zero.get(i).copied().unwrap_or(false),
            feature: tree.feature.get(i).copied().unwrap_or(0),
            threshold: tree.threshold.get(i).copied().unwrap_or(0.0),
            z_left: cover(l) / own,
            z_right: cover(r) / own,
        });
    }
    let values: Vec<f64> = tree.value.iter().map(|v| v * weight).collect();
    // Preorder (parents before children) with depths; reversed, it visits children first.
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![(0usize, 0usize)];
    let mut depth = 0;
    let mut features: Vec<u32> = Vec::new();
    while let Some((i, d)) = stack.pop() {
        if d > MAX_DEPTH {
            return Err(bad(format!(
                "is deeper than {MAX_DEPTH} splits, the most TreeSHAP accepts"
            )));
        }
        depth = depth.max(d);
        order.push(i);
        if let Some(node) = nodes.get(i).filter(|n| !n.is_leaf()) {
            if !features.contains(&node.feature) {
                features.push(node.feature);
            }
            stack.push((node.right as usize, d + 1));
            stack.push((node.left as usize, d + 1));
        }
    }
    // Expected values bottom-up: the cover-weighted mean of the children (0 if both are empty).
    let mut mean = values.clone();
    for &i in order.iter().rev() {
        let Some(node) = nodes.get(i).filter(|n| !n.is_leaf()) else {
            continue;
        };
        let (l, r) = (node.left as usize, node.right as usize);
        let (wl, wr) = (
            tree.cover.get(l).copied().unwrap_or(0.0),
            tree.cover.get(r).copied().unwrap_or(0.0),
        );
        for k in 0..n_values {
            let vl = mean.get(l * n_values + k).copied().unwrap_or(0.0);
            let vr = mean.get(r * n_values + k).copied().unwrap_or(0.0);
            let v = if wl == 0.0 && wr == 0.0 {
                0.0
            } else {
                (wl * vl + wr * vr) / (wl + wr)
            };
            if let Some(slot) = mean.get_mut(i * n_values + k) {
                *slot = v;
            }
        }
    }
    let expected = mean.get(0..n_values).unwrap_or(&[]).to_vec();
    Ok(PreparedTree {
        nodes,
        values,
        n_values,
        output,
        expected,
        depth,
        features,
    })
}

/// `X` (or the background) against the model: right width, no infinities (NaN is a missing
/// value and follows each node's default child, as the model's own predictions do).
pub(crate) fn check_input(argument: &str, x: ArrayView2<'_, f64>, n_features: usize) -> Result<()> {
    if x.ncols() != n_features {
        return Err(Error::invalid(
            argument,
            format!(
                "the model expects {n_features} features, found {} columns",
                x.ncols()
            ),
        ));
    }
    if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| v.is_infinite()) {
        return Err(Error::invalid(
            argument,
            format!(
                "found {v} at row {}, column {}; trees take finite values or NaN (missing)",
                i / n_features.max(1),
                i % n_features.max(1)
            ),
        ));
    }
    Ok(())
}

/// Names and what the report records about its method.
#[derive(Debug, Clone)]
pub(crate) struct ReportParts {
    pub method: &'static str,
    pub feature_names: Vec<String>,
    pub output_names: Vec<String>,
    pub rows_evaluated: u64,
    pub params: serde_json::Value,
}

/// Assemble the report: values rows × features × outputs, one base value per output.
pub(crate) fn report(
    model: &TreeEnsemble,
    x: ArrayView2<'_, f64>,
    values: &Array3<f64>,
    base: &[f64],
    parts: ReportParts,
) -> ExplanationReport {
    let raw: Array2<f64> = model.predict_raw(x);
    let (rows, features, outputs) = values.dim();
    let mut residual = Vec::with_capacity(rows * outputs);
    for (i, f) in raw.rows().into_iter().enumerate() {
        for (k, (fx, b)) in f.iter().zip(base).enumerate() {
            let sum: f64 = (0..features)
                .map(|j| values.get((i, j, k)).copied().unwrap_or(0.0))
                .sum();
            residual.push(Num(fx - b - sum));
        }
    }
    ExplanationReport {
        schema_version: SCHEMA_VERSION,
        kind: "explanation".into(),
        method: parts.method.into(),
        shape: [rows, features, outputs],
        values: values.iter().map(|v| Num(*v)).collect(),
        base_values: (0..rows)
            .flat_map(|_| base.iter().map(|b| Num(*b)))
            .collect(),
        feature_names: parts.feature_names,
        output_names: parts.output_names,
        additivity_residual: residual,
        model_calls: 0,
        rows_evaluated: parts.rows_evaluated,
        params: parts.params,
    }
}

/// Run `f(scratch, row, out_row)` for every row of `out` (`width` values per row): in
/// parallel under the `parallel` feature, one scratch per worker task.
pub(crate) fn for_each_row<S, I, F>(out: &mut [f64], width: usize, init: I, f: F)
where
    S: Send,
    I: Fn() -> S + Sync + Send,
    F: Fn(&mut S, usize, &mut [f64]) + Sync + Send,
{
    if width == 0 {
        return;
    }
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        out.par_chunks_mut(width)
            .enumerate()
            .for_each_init(init, |s, (i, row)| f(s, i, row));
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut s = init();
        out.chunks_mut(width)
            .enumerate()
            .for_each(|(i, row)| f(&mut s, i, row));
    }
}
