//! Fast batch evaluation of a [`TreeEnsemble`]: the same routing as [`Tree::next_node`] and the
//! same per-row summation order as [`Accumulate`] prescribes, organised for the cache.
//!
//! Rows are processed in large blocks; for each block every tree is walked for every row of
//! the block (the tree's nodes stay in cache while the rows stream past), and each row adds
//! its trees in tree order, so the rounding is exactly that of the one-row-at-a-time
//! definition. Nodes are packed into one 32-byte record each, leaves point to themselves so
//! eight rows walk a tree in lockstep (their cache misses and mispredicted branches overlap),
//! features are copied into a contiguous block once (rounded to float32 when the ensemble
//! compares in float32), and the comparison is a compile-time parameter. Blocks run in
//! parallel with the `parallel` feature.

use ndarray::{Array2, ArrayView2, Axis};

use crate::model::tree::{Accumulate, Comparison, Tree, TreeEnsemble, ZERO_THRESHOLD};

/// Rows per block, at least and at most.
const MIN_BLOCK: usize = 64;
const MAX_BLOCK: usize = 8192;

/// One node, packed. Leaves have `leaf == true`; children are indices into the flat node
/// array of the whole ensemble.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Packed {
    threshold: f64,
    feature: u32,
    left: u32,
    right: u32,
    default: u32,
    missing_zero: bool,
}

impl Packed {
    /// Whether the node at flat index `me` is a leaf (a leaf points to itself).
    #[inline]
    pub(crate) fn is_leaf_at(&self, me: usize) -> bool {
        self.left as usize == me
    }

    /// The two children (flat indices; a leaf's are itself).
    #[inline]
    pub(crate) fn children(&self) -> [usize; 2] {
        [self.left as usize, self.right as usize]
    }

    /// The children, then the default child (flat indices; a leaf's are itself).
    #[inline]
    pub(crate) fn children_with_default(&self) -> [usize; 3] {
        [
            self.left as usize,
            self.right as usize,
            self.default as usize,
        ]
    }

    /// [`Packed::next`] for a value known to be present (not NaN) at a node that does not
    /// treat zero as missing: one comparison.
    #[inline(always)]
    pub(crate) fn next_present<const LESS: bool>(&self, x: f64) -> usize {
        let left = if LESS {
            x < self.threshold
        } else {
            x <= self.threshold
        };
        (if left { self.left } else { self.right }) as usize
    }

    /// The split threshold.
    #[inline]
    pub(crate) fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The split feature (0 at leaves).
    #[inline]
    pub(crate) fn feature(&self) -> usize {
        self.feature as usize
    }

    /// The child (flat index) a feature value `x` goes to, exactly as [`walk`] routes it.
    #[inline(always)]
    pub(crate) fn next<const LESS: bool>(&self, x: f64) -> usize {
        let missing = x.is_nan() || (self.missing_zero && x.abs() <= ZERO_THRESHOLD);
        let left = if LESS {
            x < self.threshold
        } else {
            x <= self.threshold
        };
        (if missing {
            self.default
        } else if left {
            self.left
        } else {
            self.right
        }) as usize
    }
}

/// The ensemble's nodes, flat, with each tree's root and value offset.
#[derive(Debug)]
pub(crate) struct Flat {
    pub(crate) nodes: Vec<Packed>,
    pub(crate) roots: Vec<usize>,
}

pub(crate) fn flatten(trees: &[Tree]) -> Flat {
    let total = trees.iter().map(Tree::n_nodes).sum();
    let mut nodes = Vec::with_capacity(total);
    let mut roots = Vec::with_capacity(trees.len());
    for tree in trees {
        let base = nodes.len();
        roots.push(base);
        #[allow(clippy::cast_possible_truncation)]
        let at = |c: i32| usize::try_from(c).map_or(base, |c| base + c) as u32;
        for node in 0..tree.n_nodes() {
            let left = tree.children_left.get(node).copied().unwrap_or(-1);
            // A leaf points to itself, so a walk can step past it harmlessly.
            #[allow(clippy::cast_possible_truncation)]
            let me = (base + node) as u32;
            let leaf = left < 0;
            let child = |c: u32| if leaf { me } else { c };
            nodes.push(Packed {
                threshold: tree.threshold.get(node).copied().unwrap_or(0.0),
                feature: if leaf {
                    0
                } else {
                    tree.feature.get(node).copied().unwrap_or(0)
                },
                left: child(at(left)),
                right: child(at(tree.children_right.get(node).copied().unwrap_or(-1))),
                default: child(at(tree.children_default.get(node).copied().unwrap_or(left))),
                missing_zero: tree.missing_zero.get(node).copied().unwrap_or(false),
            });
        }
    }
    Flat { nodes, roots }
}

/// Rows walked through a tree together: their cache misses and branches overlap.
pub(crate) const LANES: usize = 8;

/// Walk one tree for `count <= LANES` rows (`rows`: their features, row-major, `p` each) in
/// lockstep until every row sits on a leaf; writes each row's leaf (index within the tree).
#[inline(always)]
pub(crate) fn walk<const LESS: bool>(
    nodes: &[Packed],
    root: usize,
    rows: &[f64],
    p: usize,
    count: usize,
    max_steps: usize,
    leaves: &mut [usize; LANES],
) {
    let mut flat = [root; LANES];
    walk_from::<LESS>(nodes, &[root; LANES], rows, p, count, max_steps, &mut flat);
    for (leaf, i) in leaves.iter_mut().zip(flat) {
        *leaf = i - root;
    }
}

/// [`walk`] with each row starting at its own node (`starts`, flat indices, for example the
/// first node a permutation can change): writes each row's leaf as a flat index.
#[inline(always)]
pub(crate) fn walk_from<const LESS: bool>(
    nodes: &[Packed],
    starts: &[usize; LANES],
    rows: &[f64],
    p: usize,
    count: usize,
    max_steps: usize,
    leaves: &mut [usize; LANES],
) {
    let mut idx = *starts;
    for _ in 0..max_steps {
        let mut moved = false;
        for (j, i) in idx.iter_mut().enumerate().take(count) {
            let Some(n) = nodes.get(*i) else { continue };
            let x = rows
                .get(j * p + n.feature as usize)
                .copied()
                .unwrap_or(f64::NAN);
            let next = n.next::<LESS>(x);
            moved |= next != *i;
            *i = next;
        }
        if !moved {
            break;
        }
    }
    *leaves = idx;
}

/// Raw outputs of `e` for `x` (rows × n_raw_outputs).
pub(crate) fn predict_raw(e: &TreeEnsemble, x: ArrayView2<'_, f64>) -> Array2<f64> {
    let n_out = e.n_raw_outputs;
    let mut out = Array2::zeros((x.nrows(), n_out));
    if x.nrows() == 0 || n_out == 0 {
        return out;
    }
    let flat = flatten(&e.trees);
    let less = e.comparison == Comparison::Less;
    let run = |(xb, mut ob): (ArrayView2<'_, f64>, ndarray::ArrayViewMut2<'_, f64>)| {
        let block = evaluate_block(e, &flat, less, xb);
        ob.iter_mut().zip(block).for_each(|(o, v)| *o = v);
    };
    // Large blocks amortise each tree's trip through the cache; at least ~8 blocks keep the
    // threads busy.
    let block = (x.nrows() / 8)
        .clamp(MIN_BLOCK, MAX_BLOCK)
        .next_multiple_of(LANES);
    let blocks = x
        .axis_chunks_iter(Axis(0), block)
        .zip(out.axis_chunks_iter_mut(Axis(0), block));
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        blocks.collect::<Vec<_>>().into_par_iter().for_each(run);
    }
    #[cfg(not(feature = "parallel"))]
    blocks.for_each(run);
    out
}

/// One block of rows → its raw outputs, row-major.
#[allow(clippy::cast_possible_truncation)]
fn evaluate_block(e: &TreeEnsemble, flat: &Flat, less: bool, xb: ArrayView2<'_, f64>) -> Vec<f64> {
    let (rows, p) = xb.dim();
    let n_out = e.n_raw_outputs.max(1);
    let per_tree = e.values_per_tree();
    let features: Vec<f64> = if e.float32_features {
        xb.iter().map(|v| f64::from(*v as f32)).collect()
    } else {
        xb.iter().copied().collect()
    };
    let w = e.tree_weight;
    let mode = e.accumulate;
    let mut acc = vec![0.0; rows * n_out];
    for a in acc.chunks_mut(n_out.max(1)) {
        for (o, b) in a.iter_mut().zip(&e.base_score) {
            *o = match mode {
                Accumulate::Sum | Accumulate::Mean => 0.0,
                Accumulate::Sequential => *b,
                Accumulate::Float32 => f64::from(*b as f32),
            };
        }
    }
    let add = |o: &mut f64, v: f64| match mode {
        Accumulate::Sum | Accumulate::Mean => *o += v,
        Accumulate::Sequential => *o += w * v,
        Accumulate::Float32 => *o = f64::from(*o as f32 + (w * v) as f32),
    };
    for (t, (tree, root)) in e.trees.iter().zip(&flat.roots).enumerate() {
        let steps = tree.n_nodes();
        let target = e
            .tree_output
            .as_ref()
            .map(|o| o.get(t).copied().unwrap_or(0) as usize);
        let mut leaves = [0usize; LANES];
        for (g, accs) in acc.chunks_mut(n_out * LANES).enumerate() {
            let count = accs.len().checked_div(n_out).unwrap_or(0);
            let start = g * LANES * p;
            let group = features.get(start..start + count * p).unwrap_or(&[]);
            if less {
                walk::<true>(&flat.nodes, *root, group, p, count, steps, &mut leaves);
            } else {
                walk::<false>(&flat.nodes, *root, group, p, count, steps, &mut leaves);
            }
            for (a, leaf) in accs.chunks_mut(n_out.max(1)).zip(leaves) {
                let values = tree.node_values(leaf, per_tree);
                match target {
                    Some(k) => {
                        if let (Some(o), Some(v)) = (a.get_mut(k), values.first()) {
                            add(o, *v);
                        }
                    }
                    None => a.iter_mut().zip(values).for_each(|(o, v)| add(o, *v)),
                }
            }
        }
    }
    let divisor = e.mean_divisor();
    for a in acc.chunks_mut(n_out.max(1)) {
        for (o, b) in a.iter_mut().zip(&e.base_score) {
            match mode {
                Accumulate::Sum => *o = b + w * *o,
                Accumulate::Mean => *o = b + *o / divisor,
                Accumulate::Sequential | Accumulate::Float32 => {}
            }
        }
    }
    acc
}
