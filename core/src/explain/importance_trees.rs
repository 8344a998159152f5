//! Permuted predictions of a native tree ensemble for permutation importance, re-walking only
//! what a permutation can change.
//!
//! Each row's leaf in every tree is found once. Permuting a group of columns can only move a
//! row in a tree whose path to its leaf tests one of those columns; every other (row, tree)
//! keeps its leaf. So a permuted block re-walks only those pairs (eight rows in lockstep, as
//! `predict` does) and adds each moved row's leaf-value change to the row's cached raw output,
//! then applies the link. The routing is `predict`'s own (same comparison and float32
//! rounding), so every leaf is the one `predict` would find; the sum differs from `predict`'s
//! only by rounding (the changes are added to the cached total instead of summing every tree
//! again). XGBoost's float32 sum is left to model calls.

use ndarray::{Array2, ArrayView2};

use crate::math::apply_link;
use crate::model::tree::{Accumulate, Comparison, TreeEnsemble};
use crate::model::tree_eval::{flatten, walk, Flat, LANES};

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Can [`Cached`] serve this ensemble for `p` columns (path columns kept as a 64-bit mask)?
#[inline]
pub(crate) fn usable(e: &TreeEnsemble, p: usize) -> bool {
    p <= 64 && e.accumulate != Accumulate::Float32
}

/// The unpermuted rows' leaves and raw outputs, and each node's path columns.
#[derive(Debug)]
pub(crate) struct Cached<'e> {
    e: &'e TreeEnsemble,
    flat: Flat,
    /// Rows, row-major (rounded to float32 when the ensemble compares in float32).
    data: Vec<f64>,
    rows: usize,
    p: usize,
    /// Leaf (index within its tree) per tree and row, tree-major.
    leaves: Vec<u32>,
    /// Per node of the flat ensemble: the columns tested on the way to it (bit per column).
    path_columns: Vec<u64>,
    raw: Array2<f64>,
}

impl<'e> Cached<'e> {
    /// Walk every row of `x` through every tree once.
    #[allow(clippy::cast_possible_truncation)]
    #[inline]
    pub(crate) fn new(e: &'e TreeEnsemble, x: ArrayView2<'_, f64>) -> Self {
        let (rows, p) = x.dim();
        let flat = flatten(&e.trees);
        let data: Vec<f64> = if e.float32_features {
            x.iter().map(|v| f64::from(*v as f32)).collect()
        } else {
            x.iter().copied().collect()
        };
        let mut path_columns = vec![0u64; flat.nodes.len()];
        for (tree, root) in e.trees.iter().zip(&flat.roots) {
            // Parents come before children in a DFS order; follow the child links.
            let mut stack = vec![0usize];
            while let Some(node) = stack.pop() {
                if tree.is_leaf(node) {
                    continue;
                }
                let mask = path_columns.get(root + node).copied().unwrap_or(0)
                    | 1u64 << (tree.feature.get(node).copied().unwrap_or(0) % 64);
                for c in [&tree.children_left, &tree.children_right] {
                    if let Some(c) = c.get(node).and_then(|c| usize::try_from(*c).ok()) {
                        if let Some(slot) = path_columns.get_mut(root + c) {
                            *slot = mask;
                        }
                        stack.push(c);
                    }
                }
            }
        }
        let mut cached = Cached {
            e,
            flat,
            data,
            rows,
            p,
            leaves: vec![0; e.trees.len() * rows],
            path_columns,
            raw: e.predict_raw(x),
        };
        let all: Vec<u32> = (0..rows as u32).collect();
        let mut leaves = std::mem::take(&mut cached.leaves);
        for (t, out) in leaves.chunks_mut(rows.max(1)).enumerate() {
            cached.walk_rows(t, &all, &[], None, |i, leaf| {
                if let Some(o) = out.get_mut(i as usize) {
                    *o = leaf;
                }
            });
        }
        cached.leaves = leaves;
        cached
    }

    /// Walk `rows` through tree `t`, the columns `group` taken from row `perm[i]` when `perm`
    /// is given; `found(row, leaf)` for each.
    #[allow(clippy::cast_possible_truncation)]
    #[inline]
    fn walk_rows(
        &self,
        t: usize,
        rows: &[u32],
        group: &[usize],
        perm: Option<&[usize]>,
        mut found: impl FnMut(u32, u32),
    ) {
        let (Some(tree), Some(root)) = (self.e.trees.get(t), self.flat.roots.get(t)) else {
            return;
        };
        let p = self.p;
        let mut buf = vec![0.0; LANES * p];
        let mut leaves = [0usize; LANES];
        for lanes in rows.chunks(LANES) {
            for (l, i) in lanes.iter().enumerate() {
                let i = *i as usize;
                let (Some(dst), Some(src)) = (
                    buf.get_mut(l * p..(l + 1) * p),
                    self.data.get(i * p..(i + 1) * p),
                ) else {
                    continue;
                };
                dst.copy_from_slice(src);
                if let Some(perm) = perm {
                    let from = perm.get(i).copied().unwrap_or(i);
                    for c in group {
                        if let (Some(d), Some(v)) = (dst.get_mut(*c), self.data.get(from * p + c)) {
                            *d = *v;
                        }
                    }
                }
            }
            let (nodes, steps, count) = (&self.flat.nodes, tree.n_nodes(), lanes.len());
            if self.e.comparison == Comparison::Less {
                walk::<true>(nodes, *root, &buf, p, count, steps, &mut leaves);
            } else {
                walk::<false>(nodes, *root, &buf, p, count, steps, &mut leaves);
            }
            for (i, leaf) in lanes.iter().zip(leaves) {
                found(*i, leaf as u32);
            }
        }
    }

    /// The model's outputs (rows × outputs, after the link) with the columns of `group`
    /// permuted by `perm` (row `i` takes those columns from row `perm[i]`).
    #[allow(clippy::cast_possible_truncation)]
    #[inline]
    pub(crate) fn permuted(&self, group: &[usize], perm: &[usize]) -> Array2<f64> {
        let e = self.e;
        let kr = e.n_raw_outputs;
        let per_tree = e.values_per_tree();
        let mask = group.iter().fold(0u64, |m, c| m | 1u64 << (c % 64));
        let mut change = vec![0.0; self.rows * kr];
        let mut moved: Vec<u32> = Vec::new();
        for (t, tree) in e.trees.iter().enumerate() {
            let root = self.flat.roots.get(t).copied().unwrap_or(0);
            let old = self
                .leaves
                .get(t * self.rows..(t + 1) * self.rows)
                .unwrap_or(&[]);
            moved.clear();
            moved.extend(
                old.iter()
                    .enumerate()
                    .filter(|(_, leaf)| {
                        let at = root + **leaf as usize;
                        self.path_columns.get(at).is_some_and(|m| m & mask != 0)
                    })
                    .map(|(i, _)| i as u32),
            );
            let target = e.tree_output.as_ref().and_then(|o| o.get(t)).copied();
            self.walk_rows(t, &moved, group, Some(perm), |i, leaf| {
                let was = old.get(i as usize).copied().unwrap_or(leaf);
                if was == leaf {
                    return;
                }
                let (new, prev) = (
                    tree.node_values(leaf as usize, per_tree),
                    tree.node_values(was as usize, per_tree),
                );
                let at = i as usize * kr;
                let Some(acc) = change.get_mut(at..at + kr) else {
                    return;
                };
                match target {
                    Some(o) => {
                        if let (Some(a), Some(n), Some(p)) =
                            (acc.get_mut(o as usize), new.first(), prev.first())
                        {
                            *a += n - p;
                        }
                    }
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
        let mut raw = self.raw.clone();
        raw.iter_mut()
            .zip(&change)
            .filter(|(_, c)| **c != 0.0)
            .for_each(|(r, c)| *r += scale * c);
        apply_link(e.link, raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::permutation_importance::{
        permutation_importance, PermutationInput, PermutationOptions,
    };
    use crate::explain::permutation_trees::tests::{ensemble, rows, Opaque};
    use crate::explain::scoring::Target;
    use crate::model::{Link, Model};
    use ndarray::Array1;

    #[test]
    fn permuted_outputs_equal_predict_on_the_permuted_rows() {
        let cases = [
            (1, false, Link::Identity, Accumulate::Sum),
            (3, false, Link::Identity, Accumulate::Mean),
            (2, true, Link::Identity, Accumulate::Sequential),
            (1, false, Link::Logistic, Accumulate::Sequential),
            (3, true, Link::Softmax, Accumulate::Sum),
        ];
        for (seed, (outputs, boosted, link, acc)) in cases.into_iter().enumerate() {
            let e = ensemble(seed as u32, outputs, boosted, link, acc);
            let x = rows(seed as u32, 37);
            let cache = Cached::new(&e, x.view());
            let perm: Vec<usize> = (0..37).map(|i| (i * 11 + 5) % 37).collect();
            for group in [vec![0], vec![3], vec![1, 2], vec![4]] {
                let mut moved = x.clone();
                for (i, from) in perm.iter().enumerate() {
                    for c in &group {
                        moved[[i, *c]] = x[[*from, *c]];
                    }
                }
                let want = e.predict(moved.view()).unwrap();
                let got = cache.permuted(&group, &perm);
                assert_eq!(got.dim(), want.dim());
                for (a, b) in got.iter().zip(&want) {
                    assert!(
                        (a - b).abs() < 1e-12,
                        "case {seed}, group {group:?}: {a} vs {b}"
                    );
                }
            }
            assert!(!usable(
                &ensemble(1, 1, false, Link::Identity, Accumulate::Float32),
                5
            ));
        }
    }

    #[test]
    fn importance_with_trees_walked_equals_model_calls() {
        let e = ensemble(4, 1, false, Link::Identity, Accumulate::Mean);
        let x = rows(9, 50);
        let y: Array1<f64> = x.column(0).mapv(|v| 3.0 * v) + x.column(2);
        let input = PermutationInput {
            x: x.view(),
            target: Target {
                y_true: y.view(),
                sample_weight: None,
                sensitive: vec![],
            },
            permutations: None,
            sample_indices: None,
        };
        let opts = PermutationOptions {
            feature_groups: Some(vec![vec![1, 3]]),
            ..PermutationOptions::default()
        };
        let walked = permutation_importance(&e, &input, &opts).unwrap();
        let called = permutation_importance(&Opaque(&e), &input, &opts).unwrap();
        assert_eq!((walked.model_calls, called.model_calls), (1, 2));
        let flat = |r: &crate::report::importance::ImportanceReport| -> Vec<f64> {
            r.importances.iter().flatten().map(|v| v.0).collect()
        };
        let (a, b) = (flat(&walked), flat(&called));
        assert_eq!(a.len(), b.len());
        assert!(a.iter().any(|v| v.abs() > 1e-3));
        for (a, b) in a.iter().zip(&b) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
}
