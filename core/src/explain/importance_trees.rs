//! Permuted predictions of a native tree ensemble for permutation importance, walking only
//! what a permutation can change, every repeat of a group in one pass over the trees.
//!
//! Each row's leaf in every tree is found once. Permuting a group of columns `G` can only move
//! a row in a tree whose path to its leaf tests a column of `G`, and only from the first such
//! node `s` on that path down: above `s` the row's path is fixed. Each leaf also has the box
//! of `G`-values that reach it (the thresholds of the `G` nodes on its path): a permuted row
//! (the row with `G` taken from another row) whose values lie in its own leaf's box takes the
//! row's own path, so it is not walked at all. The others are walked from `s`, eight in
//! lockstep (as `predict` walks), and each that ends in another leaf adds that leaf's value
//! change to its row's cached raw output; then the link. On the benchmark's forest (100 trees
//! of depth 8, 10 columns, 5 repeats) about half the permuted (row, tree) pairs stay in their
//! box, and a walk from `s` is about 4 nodes instead of 8 from the root.
//!
//! Per chunk of rows, the permuted rows that differ from their row are listed once (row,
//! repeat, the group's values contiguous, a forced-walk flag for values a zero-as-missing node
//! may treat as missing). Per tree, a branch-free check pass compacts the ones that leave their
//! box; a walk pass then walks them. For a one-column group on rows without missing values
//! the walk reads each row in place, picks the permuted value at the group's column by a mask
//! (not a branch), routes with one comparison per node and stops after the deepest start's
//! height. The cache's leaves are found the same way (rows in place) when nothing is missing,
//! and the unpermuted raw outputs are added from them in `predict_raw`'s order (one walk of
//! the rows, not two).
//!
//! The routing is `predict`'s own (same comparison, float32 rounding and missing-value
//! rules; values a zero-as-missing node would treat as missing are always walked), so every
//! leaf is the one `predict` would find; the changes of one row and repeat are added in tree
//! order and scaled once, exactly as the previous one-walk-per-repeat method did (its results
//! are reproduced bit for bit: see the tests), and differ from `predict`'s sum only by
//! rounding. XGBoost's float32 sum is left to model calls.

mod permuted;
#[cfg(test)]
mod tests;

use ndarray::{Array2, ArrayView2};

use crate::error::Result;
use crate::explain::batches;
use crate::math::apply_link;
use crate::model::tree::{Accumulate, Comparison, TreeEnsemble};
use crate::model::tree_eval::{flatten, walk, Flat, LANES};

/// Rows per parallel work item (their accumulators stay in cache while the trees stream by).
const CHUNK: usize = 256;

/// No node testing the group on the way (see [`Cached::group_paths`]).
const NONE: u32 = u32::MAX;

/// Most values a group's per-node boxes may hold (`nodes × columns × 2`; 128 MB).
const MAX_BOX_VALUES: usize = 1 << 24;

/// Can [`Cached`] serve this ensemble for groups of at most `widest` columns (not XGBoost's
/// float32 sums; per-node boxes of bounded size)?
pub(crate) fn usable(e: &TreeEnsemble, widest: usize) -> bool {
    let nodes: usize = e.trees.iter().map(|t| t.n_nodes()).sum();
    e.accumulate != Accumulate::Float32
        && nodes.saturating_mul(widest).saturating_mul(2) <= MAX_BOX_VALUES
}

/// Per node of the flat ensemble, the most steps from it down to a leaf (0 at a leaf).
fn heights(flat: &Flat) -> Vec<u32> {
    let nodes = &flat.nodes;
    let mut height = vec![0u32; nodes.len()];
    // Pre-order from every root; children come after their parent, so the reverse order
    // sees every child before its parent.
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack: Vec<usize> = flat.roots.clone();
    while let Some(at) = stack.pop() {
        let Some(n) = nodes.get(at) else { continue };
        order.push(at);
        if !n.is_leaf_at(at) {
            stack.extend(n.children().into_iter().filter(|c| *c != at));
        }
    }
    for at in order.into_iter().rev() {
        let Some(n) = nodes.get(at) else { continue };
        if n.is_leaf_at(at) {
            continue;
        }
        let below = n
            .children_with_default()
            .into_iter()
            .filter(|c| *c != at)
            .map(|c| height.get(c).copied().unwrap_or(0))
            .max()
            .unwrap_or(0);
        if let Some(h) = height.get_mut(at) {
            *h = below + 1;
        }
    }
    height
}

/// The unpermuted rows' leaves and raw outputs.
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
    raw: Array2<f64>,
    /// No missing value in the rows and no zero-as-missing node: routing is one comparison.
    clean: bool,
    /// Per node of the flat ensemble: the most steps from it to a leaf below it.
    height: Vec<u32>,
}

impl<'e> Cached<'e> {
    /// Walk every row of `x` through every tree once (the trees spread over the threads).
    #[allow(clippy::cast_possible_truncation)]
    pub(crate) fn new(e: &'e TreeEnsemble, x: ArrayView2<'_, f64>) -> Result<Self> {
        let (rows, p) = x.dim();
        let flat = flatten(&e.trees);
        let data: Vec<f64> = if e.float32_features {
            x.iter().map(|v| f64::from(*v as f32)).collect()
        } else {
            x.iter().copied().collect()
        };
        let clean = !data.iter().any(|v| v.is_nan())
            && !e.trees.iter().any(|t| t.missing_zero.iter().any(|z| *z));
        let height = heights(&flat);
        let mut cached = Cached {
            e,
            flat,
            data,
            rows,
            p,
            leaves: Vec::new(),
            raw: Array2::zeros((0, 0)),
            clean,
            height,
        };
        let all: Vec<u32> = (0..rows as u32).collect();
        let trees: Vec<usize> = (0..e.trees.len()).collect();
        let per_tree = batches::run(
            &trees,
            || (),
            |(), t| {
                let mut out = vec![0u32; rows];
                if cached.clean {
                    cached.leaves_present(*t, &mut out);
                    return Ok(out);
                }
                cached.walk_rows(*t, &all, &[], None, |i, leaf| {
                    if let Some(o) = out.get_mut(i as usize) {
                        *o = leaf;
                    }
                });
                Ok(out)
            },
        )?;
        cached.leaves = per_tree.concat();
        cached.raw = if e.accumulate == Accumulate::Float32 {
            e.predict_raw(x)
        } else {
            cached.raw_from_leaves()
        };
        Ok(cached)
    }

    /// Every row's leaf in tree `t` (index within the tree) when no value is missing: rows
    /// read in place, one comparison per node, eight rows in lockstep for the tree's height.
    #[allow(clippy::cast_possible_truncation)]
    fn leaves_present(&self, t: usize, out: &mut [u32]) {
        let Some(root) = self.flat.roots.get(t).copied() else {
            return;
        };
        let steps = self.height.get(root).copied().unwrap_or(0);
        let (nodes, data, p) = (&self.flat.nodes, &self.data, self.p);
        let less = self.e.comparison == Comparison::Less;
        for (g, block) in out.chunks_mut(LANES).enumerate() {
            let mut idx = [root; LANES];
            // Spare lanes walk the block's first row again (their result is ignored).
            let offs: [usize; LANES] =
                std::array::from_fn(|j| (g * LANES + if j < block.len() { j } else { 0 }) * p);
            for _ in 0..steps {
                for (i, o) in idx.iter_mut().zip(&offs) {
                    let Some(n) = nodes.get(*i) else { continue };
                    let v = data.get(o + n.feature()).copied().unwrap_or(f64::NAN);
                    *i = if less {
                        n.next_present::<true>(v)
                    } else {
                        n.next_present::<false>(v)
                    };
                }
            }
            for (leaf, i) in block.iter_mut().zip(idx) {
                *leaf = (i - root) as u32;
            }
        }
    }

    /// The raw outputs from the cached leaves, added exactly as `predict_raw` adds them (per
    /// row in tree order, the same scaling), so they equal its bit for bit.
    fn raw_from_leaves(&self) -> Array2<f64> {
        let e = self.e;
        let (rows, kr) = (self.rows, e.n_raw_outputs);
        let per_tree = e.values_per_tree();
        let w = e.tree_weight;
        let sequential = e.accumulate == Accumulate::Sequential;
        let mut acc = vec![0.0; rows * kr];
        if sequential {
            for a in acc.chunks_mut(kr.max(1)) {
                a.iter_mut().zip(&e.base_score).for_each(|(o, b)| *o = *b);
            }
        }
        let add = |o: &mut f64, v: f64| {
            if sequential {
                *o += w * v;
            } else {
                *o += v;
            }
        };
        for (t, tree) in e.trees.iter().enumerate() {
            let target = e.tree_output.as_ref().and_then(|o| o.get(t)).copied();
            let leaves = self.leaves.get(t * rows..(t + 1) * rows).unwrap_or(&[]);
            for (a, leaf) in acc.chunks_mut(kr.max(1)).zip(leaves) {
                let values = tree.node_values(*leaf as usize, per_tree);
                match target {
                    Some(k) => {
                        if let (Some(o), Some(v)) = (a.get_mut(k as usize), values.first()) {
                            add(o, *v);
                        }
                    }
                    None => a.iter_mut().zip(values).for_each(|(o, v)| add(o, *v)),
                }
            }
        }
        let divisor = e.mean_divisor();
        for a in acc.chunks_mut(kr.max(1)) {
            for (o, b) in a.iter_mut().zip(&e.base_score) {
                match e.accumulate {
                    Accumulate::Sum => *o = b + w * *o,
                    Accumulate::Mean => *o = b + *o / divisor,
                    Accumulate::Sequential | Accumulate::Float32 => {}
                }
            }
        }
        Array2::from_shape_vec((rows, kr), acc).unwrap_or_else(|_| Array2::zeros((rows, kr)))
    }

    /// The model's outputs on the unpermuted rows (equal to `predict`'s).
    pub(crate) fn baseline(&self) -> Array2<f64> {
        apply_link(self.e.link, self.raw.clone())
    }

    /// Walk `rows` through tree `t`, the columns `group` taken from row `perm[i]` when `perm`
    /// is given; `found(row, leaf)` for each.
    #[allow(clippy::cast_possible_truncation)]
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
}
