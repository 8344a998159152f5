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

use ndarray::{Array2, ArrayView2};

use crate::error::Result;
use crate::explain::batches;
use crate::math::apply_link;
use crate::model::tree::{Accumulate, Comparison, TreeEnsemble, ZERO_THRESHOLD};
use crate::model::tree_eval::{flatten, walk, walk_from, Flat, LANES};

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

/// What a group's permutations can change, per node of the flat ensemble (see
/// [`Cached::group_paths`]).
struct Paths<'a> {
    group: &'a [usize],
    first: &'a [u32],
    bounds: &'a [f64],
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

    /// Per node of the flat ensemble: the first node on the way from its root to it (itself
    /// included) that tests a column of the group, or [`NONE`]; and the box of values of the
    /// group's columns that reaches it (`[node][column][lo, hi]`, the bounds being thresholds
    /// of the nodes on the way).
    #[allow(clippy::cast_possible_truncation)]
    fn group_paths(&self, position: &[u32], width: usize) -> (Vec<u32>, Vec<f64>) {
        let nodes = &self.flat.nodes;
        let mut first = vec![NONE; nodes.len()];
        let mut bounds = vec![0.0; nodes.len() * width * 2];
        let mut stack: Vec<usize> = Vec::new();
        for root in &self.flat.roots {
            if let Some(b) = bounds.get_mut(root * width * 2..(root + 1) * width * 2) {
                for pair in b.chunks_mut(2) {
                    pair.copy_from_slice(&[f64::NEG_INFINITY, f64::INFINITY]);
                }
            }
            stack.push(*root);
            while let Some(at) = stack.pop() {
                let Some(n) = nodes.get(at) else { continue };
                if n.is_leaf_at(at) {
                    continue;
                }
                let column = position.get(n.feature()).copied().unwrap_or(NONE);
                let above = first.get(at).copied().unwrap_or(NONE);
                let here = if above == NONE && column != NONE {
                    at as u32
                } else {
                    above
                };
                let own: Vec<f64> = bounds
                    .get(at * width * 2..(at + 1) * width * 2)
                    .map(<[f64]>::to_vec)
                    .unwrap_or_default();
                for (side, child) in n.children().into_iter().enumerate() {
                    if child == at {
                        continue;
                    }
                    if let Some(slot) = first.get_mut(child) {
                        *slot = here;
                    }
                    if let Some(b) = bounds.get_mut(child * width * 2..(child + 1) * width * 2) {
                        b.copy_from_slice(&own);
                        if let Some(bound) = b.get_mut(column as usize * 2 + (1 - side)) {
                            *bound = if side == 0 {
                                bound.min(n.threshold())
                            } else {
                                bound.max(n.threshold())
                            };
                        }
                    }
                    stack.push(child);
                }
            }
        }
        (first, bounds)
    }

    /// The model's outputs (rows × outputs, after the link) with the columns of `group`
    /// permuted by each of `perms` (row `i` takes those columns from row `perm[i]`): one
    /// output per permutation.
    pub(crate) fn permuted_all(
        &self,
        group: &[usize],
        perms: &[Vec<usize>],
    ) -> Result<Vec<Array2<f64>>> {
        // Per column: its position in the group, or NONE.
        let mut position = vec![NONE; self.p];
        for (k, c) in group.iter().enumerate() {
            if let (Some(slot), Ok(k)) = (position.get_mut(*c), u32::try_from(k)) {
                *slot = k;
            }
        }
        let (first, bounds) = self.group_paths(&position, group.len());
        let chunks: Vec<(usize, usize)> = (0..self.rows)
            .step_by(CHUNK)
            .map(|a| (a, (a + CHUNK).min(self.rows)))
            .collect();
        let less = self.e.comparison == Comparison::Less;
        let paths = Paths {
            group,
            first: &first,
            bounds: &bounds,
        };
        let work = |(): &mut (), rows: &(usize, usize)| {
            Ok(if less {
                self.chunk::<true>(*rows, &paths, perms)
            } else {
                self.chunk::<false>(*rows, &paths, perms)
            })
        };
        let changes = batches::run(&chunks, || (), work)?;
        let e = self.e;
        let kr = e.n_raw_outputs;
        let scale = match e.accumulate {
            Accumulate::Mean => 1.0 / e.mean_divisor(),
            _ => e.tree_weight,
        };
        Ok((0..perms.len())
            .map(|r| {
                let mut raw = self.raw.clone();
                for ((a, b), change) in chunks.iter().zip(&changes) {
                    let len = (b - a) * kr;
                    let (Some(dst), Some(src)) = (
                        raw.as_slice_mut().and_then(|s| s.get_mut(a * kr..b * kr)),
                        change.get(r * len..(r + 1) * len),
                    ) else {
                        continue;
                    };
                    dst.iter_mut()
                        .zip(src)
                        .filter(|(_, c)| **c != 0.0)
                        .for_each(|(d, c)| *d += scale * c);
                }
                apply_link(e.link, raw)
            })
            .collect())
    }

    /// The raw-output changes of rows `a..b` for every permutation (`[repeat][row][output]`).
    #[allow(clippy::too_many_lines, clippy::cast_possible_truncation)]
    fn chunk<const LESS: bool>(
        &self,
        (a, b): (usize, usize),
        paths: &Paths<'_>,
        perms: &[Vec<usize>],
    ) -> Vec<f64> {
        let e = self.e;
        let (p, kr, len) = (self.p, e.n_raw_outputs, b - a);
        let per_tree = e.values_per_tree();
        let nodes = &self.flat.nodes;
        let data = &self.data;
        let group = paths.group;
        let (n_rep, width) = (perms.len(), group.len());
        let zero_as_missing = e.trees.iter().any(|t| t.missing_zero.iter().any(|z| *z));
        let zero_like = |v: f64| zero_as_missing && v.abs() <= ZERO_THRESHOLD;
        let mut change = vec![0.0; n_rep * len * kr];
        // The permuted rows that differ from their row (the others stay in every leaf), listed
        // once for all the trees: their row in the chunk and repeat, their values of the
        // group's columns (contiguous, `[moving][column]`), and whether the trees may treat a
        // value of theirs as missing (zero-as-missing: always walked).
        let mut m_row: Vec<u32> = Vec::with_capacity(len * n_rep);
        let mut m_rep: Vec<u32> = Vec::with_capacity(len * n_rep);
        let mut m_vals: Vec<f64> = Vec::with_capacity(len * n_rep * width);
        let mut m_forced: Vec<bool> = Vec::with_capacity(len * n_rep);
        let mut ends: Vec<usize> = Vec::with_capacity(len);
        for i in a..b {
            let row = data.get(i * p..(i + 1) * p).unwrap_or(&[]);
            let own_zero = zero_as_missing
                && group
                    .iter()
                    .any(|c| zero_like(row.get(*c).copied().unwrap_or(0.0)));
            for (r, perm) in perms.iter().enumerate() {
                let from = perm.get(i).copied().unwrap_or(i);
                let at = m_vals.len();
                let mut moved = false;
                for c in group {
                    let (own, v) = (row.get(*c), data.get(from * p + c));
                    moved |= own != v;
                    m_vals.push(v.copied().unwrap_or(f64::NAN));
                }
                if moved {
                    m_row.push((i - a) as u32);
                    m_rep.push(r as u32);
                    let vals = m_vals.get(at..).unwrap_or(&[]);
                    m_forced.push(own_zero || vals.iter().any(|v| zero_like(*v)));
                } else {
                    m_vals.truncate(at);
                }
            }
            ends.push(m_row.len());
        }
        let n_moving = m_row.len();
        // Per tree: each row's first group node (or NONE), and the moving permuted rows that
        // leave their own leaf's box (indices into the lists above), compacted branch-free.
        let single = kr == 1 && per_tree == 1 && e.tree_output.is_none();
        let mut row_start = vec![NONE; len];
        let mut leavers = vec![0u32; n_moving];
        // Permuted rows walked together: their moving index, start nodes, features.
        let mut lanes: Vec<u32> = Vec::with_capacity(LANES);
        let mut starts = [0usize; LANES];
        let mut buf = vec![0.0; LANES * p];
        let mut leaves = [0usize; LANES];
        for (t, (tree, root)) in e.trees.iter().zip(&self.flat.roots).enumerate() {
            let root = *root;
            let steps = tree.n_nodes();
            let target = e.tree_output.as_ref().and_then(|o| o.get(t)).copied();
            let old = self
                .leaves
                .get(t * self.rows + a..t * self.rows + b)
                .unwrap_or(&[]);
            // Check pass: inside its own leaf's box, a permuted row takes the row's own path.
            let mut n_leave = 0usize;
            let mut begin = 0usize;
            for (il, own) in old.iter().enumerate() {
                let end = ends.get(il).copied().unwrap_or(begin);
                let own = root + *own as usize;
                let start = paths.first.get(own).copied().unwrap_or(NONE);
                if let Some(s) = row_start.get_mut(il) {
                    *s = start;
                }
                if start == NONE || begin == end {
                    begin = end;
                    continue;
                }
                let boxed = paths
                    .bounds
                    .get(own * width * 2..(own + 1) * width * 2)
                    .unwrap_or(&[]);
                let vals = m_vals.get(begin * width..end * width).unwrap_or(&[]);
                match boxed {
                    [lo, hi] if width == 1 => {
                        let forced = m_forced.get(begin..end).unwrap_or(&[]);
                        for ((k, v), f) in (begin..end).zip(vals).zip(forced) {
                            let inside = if LESS {
                                (*lo <= *v) & (*v < *hi)
                            } else {
                                (*lo < *v) & (*v <= *hi)
                            };
                            if let Some(slot) = leavers.get_mut(n_leave) {
                                *slot = k as u32;
                            }
                            n_leave += usize::from(!inside | *f);
                        }
                    }
                    _ => {
                        let forced = m_forced.get(begin..end).unwrap_or(&[]);
                        let each = vals.chunks(width.max(1)).zip(forced);
                        for (k, (vs, f)) in (begin..end).zip(each) {
                            let inside = vs.iter().zip(boxed.chunks(2)).fold(
                                boxed.len() == 2 * width,
                                |ok, (v, lh)| {
                                    let [lo, hi] = lh else { return false };
                                    ok & if LESS {
                                        (*lo <= *v) & (*v < *hi)
                                    } else {
                                        (*lo < *v) & (*v <= *hi)
                                    }
                                },
                            );
                            if let Some(slot) = leavers.get_mut(n_leave) {
                                *slot = k as u32;
                            }
                            n_leave += usize::from(!inside | *f);
                        }
                    }
                }
                begin = end;
            }
            let add = |k: u32, leaf: usize, change: &mut Vec<f64>| {
                let k = k as usize;
                let il = m_row.get(k).copied().unwrap_or(0) as usize;
                let r = m_rep.get(k).copied().unwrap_or(0) as usize;
                let own = old.get(il).copied().unwrap_or(0) as usize;
                if leaf == own {
                    return;
                }
                let (new, prev) = (
                    tree.node_values(leaf, per_tree),
                    tree.node_values(own, per_tree),
                );
                let at = (r * len + il) * kr;
                let Some(acc) = change.get_mut(at..at + kr) else {
                    return;
                };
                match target {
                    Some(o) => {
                        if let (Some(c), Some(n), Some(p)) =
                            (acc.get_mut(o as usize), new.first(), prev.first())
                        {
                            *c += n - p;
                        }
                    }
                    None => acc
                        .iter_mut()
                        .zip(new.iter().zip(prev))
                        .for_each(|(c, (n, p))| *c += n - p),
                }
            };
            // Walk pass: the leavers from the first node testing the group (above it, they go
            // where their row goes), eight in lockstep. Starting lower, at the deepest group
            // node whose box still holds the row, walks fewer nodes but measured slower.
            let leaving = leavers.get(..n_leave).unwrap_or(&[]);
            if let (true, [col]) = (self.clean, group) {
                // One column, no missing values: each lane reads its row in place and the
                // permuted value for the column; as many steps as the deepest start needs.
                let mut idx = [0usize; LANES];
                let mut offs = [0usize; LANES];
                let mut xv = [0.0f64; LANES];
                for ks in leaving.chunks(LANES) {
                    let mut steps = 0u32;
                    for j in 0..LANES {
                        // Spare lanes repeat the first one (their result is ignored).
                        let ku = ks.get(j).or(ks.first()).copied().unwrap_or(0) as usize;
                        let il = m_row.get(ku).copied().unwrap_or(0) as usize;
                        let start = row_start.get(il).copied().unwrap_or(NONE) as usize;
                        if let (Some(i), Some(o), Some(x)) =
                            (idx.get_mut(j), offs.get_mut(j), xv.get_mut(j))
                        {
                            *i = start;
                            *o = (a + il) * p;
                            *x = m_vals.get(ku).copied().unwrap_or(f64::NAN);
                        }
                        steps = steps.max(self.height.get(start).copied().unwrap_or(0));
                    }
                    for _ in 0..steps {
                        for ((i, o), x) in idx.iter_mut().zip(&offs).zip(&xv) {
                            let Some(n) = nodes.get(*i) else { continue };
                            let f = n.feature();
                            // The permuted value at the group's column, else the row's own
                            // (selected by mask: which one is unpredictable).
                            let own = data.get(o + f).copied().unwrap_or(f64::NAN);
                            let take = u64::from(f == *col).wrapping_neg();
                            let v = f64::from_bits((x.to_bits() & take) | (own.to_bits() & !take));
                            *i = n.next_present::<LESS>(v);
                        }
                    }
                    if single {
                        // One value per leaf into one output: the change at its index.
                        for (k, leaf) in ks.iter().zip(idx) {
                            let k = *k as usize;
                            let il = m_row.get(k).copied().unwrap_or(0) as usize;
                            let r = m_rep.get(k).copied().unwrap_or(0) as usize;
                            let own = old.get(il).copied().unwrap_or(0) as usize;
                            let leaf = leaf - root;
                            if let (false, Some(c), Some(n), Some(p)) = (
                                leaf == own,
                                change.get_mut(r * len + il),
                                tree.value.get(leaf),
                                tree.value.get(own),
                            ) {
                                *c += n - p;
                            }
                        }
                    } else {
                        for (k, leaf) in ks.iter().zip(idx) {
                            add(*k, leaf - root, &mut change);
                        }
                    }
                }
                continue;
            }
            for k in leaving {
                let ku = *k as usize;
                let il = m_row.get(ku).copied().unwrap_or(0) as usize;
                let row = data.get((a + il) * p..(a + il + 1) * p).unwrap_or(&[]);
                let vals = m_vals.get(ku * width..(ku + 1) * width).unwrap_or(&[]);
                let l = lanes.len();
                if let (Some(dst), Some(slot)) =
                    (buf.get_mut(l * p..(l + 1) * p), starts.get_mut(l))
                {
                    dst.copy_from_slice(row);
                    for (c, v) in group.iter().zip(vals) {
                        if let Some(d) = dst.get_mut(*c) {
                            *d = *v;
                        }
                    }
                    *slot = row_start.get(il).copied().unwrap_or(NONE) as usize;
                }
                lanes.push(*k);
                if lanes.len() == LANES {
                    walk_from::<LESS>(nodes, &starts, &buf, p, LANES, steps, &mut leaves);
                    for (k, leaf) in lanes.drain(..).zip(leaves) {
                        add(k, leaf - root, &mut change);
                    }
                }
            }
            let count = lanes.len();
            walk_from::<LESS>(nodes, &starts, &buf, p, count, steps, &mut leaves);
            for (k, leaf) in lanes.drain(..).zip(leaves) {
                add(k, leaf - root, &mut change);
            }
        }
        change
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
    use crate::model::{Link, Model, Tree};
    use crate::rng;
    use ndarray::Array1;

    /// The previous method, kept as the reference: per permutation, re-walk from the root
    /// every (row, tree) whose path tests a column of the group, and add the leaf changes.
    #[allow(clippy::cast_possible_truncation)]
    fn rewalk(c: &Cached<'_>, group: &[usize], perm: &[usize]) -> Array2<f64> {
        let e = c.e;
        let mut path_columns = vec![0u64; c.flat.nodes.len()];
        for (tree, root) in e.trees.iter().zip(&c.flat.roots) {
            let mut stack = vec![0usize];
            while let Some(node) = stack.pop() {
                if tree.is_leaf(node) {
                    continue;
                }
                let mask = path_columns[root + node] | 1u64 << tree.feature[node];
                for ch in [tree.children_left[node], tree.children_right[node]] {
                    path_columns[root + ch as usize] = mask;
                    stack.push(ch as usize);
                }
            }
        }
        let kr = e.n_raw_outputs;
        let per_tree = e.values_per_tree();
        let mask = group.iter().fold(0u64, |m, c| m | 1u64 << c);
        let mut change = vec![0.0; c.rows * kr];
        for (t, tree) in e.trees.iter().enumerate() {
            let root = c.flat.roots[t];
            let old = &c.leaves[t * c.rows..(t + 1) * c.rows];
            let moved: Vec<u32> = (0..c.rows as u32)
                .filter(|i| path_columns[root + old[*i as usize] as usize] & mask != 0)
                .collect();
            let target = e.tree_output.as_ref().map(|o| o[t]);
            c.walk_rows(t, &moved, group, Some(perm), |i, leaf| {
                let was = old[i as usize];
                if was == leaf {
                    return;
                }
                let new = tree.node_values(leaf as usize, per_tree);
                let prev = tree.node_values(was as usize, per_tree);
                let acc = &mut change[i as usize * kr..(i as usize + 1) * kr];
                match target {
                    Some(o) => acc[o as usize] += new[0] - prev[0],
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
        let mut raw = c.raw.clone();
        raw.iter_mut()
            .zip(&change)
            .filter(|(_, c)| **c != 0.0)
            .for_each(|(r, c)| *r += scale * c);
        apply_link(e.link, raw)
    }

    fn permuted_rows(x: &Array2<f64>, group: &[usize], perm: &[usize]) -> Array2<f64> {
        let mut moved = x.clone();
        for (i, from) in perm.iter().enumerate() {
            for c in group {
                moved[[i, *c]] = x[[*from, *c]];
            }
        }
        moved
    }

    /// Check the bundled walk against the re-walk (bit for bit) and against `predict` on the
    /// permuted rows (to 1e-12), for several groups and permutations at once.
    fn check(e: &TreeEnsemble, x: &Array2<f64>, groups: &[Vec<usize>], label: &str) {
        let n = x.nrows();
        let cache = Cached::new(e, x.view()).unwrap();
        assert_eq!(cache.baseline(), e.predict(x.view()).unwrap());
        let mut perms: Vec<Vec<usize>> = (0..3)
            .map(|k| {
                let mut r = rng::seeded(k, 9);
                let mut v: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    v.swap(i, rng::below(&mut r, i as u64 + 1) as usize);
                }
                v
            })
            .collect();
        perms.push((0..n).collect()); // the identity: nothing moves
        for group in groups {
            let all = cache.permuted_all(group, &perms).unwrap();
            assert_eq!(all.len(), perms.len());
            for (perm, got) in perms.iter().zip(&all) {
                let reference = rewalk(&cache, group, perm);
                assert_eq!(got, &reference, "{label}, group {group:?}");
                let want = e.predict(permuted_rows(x, group, perm).view()).unwrap();
                for (a, b) in got.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-12, "{label}, {group:?}: {a} vs {b}");
                }
            }
            assert_eq!(all.last(), Some(&cache.baseline()), "{label}");
        }
    }

    #[test]
    fn bundled_walk_equals_rewalk_and_predict() {
        let cases = [
            (1, false, Link::Identity, Accumulate::Sum),
            (3, false, Link::Identity, Accumulate::Mean),
            (2, true, Link::Identity, Accumulate::Sequential),
            (1, false, Link::Logistic, Accumulate::Sequential),
            (3, true, Link::Softmax, Accumulate::Sum),
        ];
        let groups = [vec![0], vec![3], vec![1, 2], vec![4], vec![0, 2, 3]];
        for (seed, (outputs, boosted, link, acc)) in cases.into_iter().enumerate() {
            let mut e = ensemble(seed as u32, outputs, boosted, link, acc);
            let mut x = rows(seed as u32, 300);
            check(&e, &x, &groups, &format!("case {seed}"));
            // LightGBM's zero-as-missing splits, with zeros in the data.
            let mut r = rng::seeded(seed as u32, 3);
            for t in &mut e.trees {
                t.missing_zero = (0..t.n_nodes())
                    .map(|_| rng::below(&mut r, 2) == 1)
                    .collect();
            }
            x.iter_mut()
                .enumerate()
                .filter(|(k, _)| k % 7 == 0)
                .for_each(|(_, v)| *v = 0.0);
            check(&e, &x, &groups, &format!("case {seed}, zero as missing"));
        }
    }

    /// A random forest like scikit-learn's: deep irregular trees on continuous features, the
    /// mean of the trees (as the benchmark's), many rows (several parallel chunks).
    #[test]
    fn bundled_walk_equals_rewalk_on_a_random_forest() {
        let mut r = rng::seeded(11, 0);
        let p = 6;
        let mut grow = |depth: u32| {
            let mut t = Tree {
                children_left: vec![-1],
                children_right: vec![-1],
                children_default: vec![-1],
                feature: vec![0],
                threshold: vec![0.0],
                value: vec![0.0],
                cover: vec![1.0],
                missing_zero: vec![],
            };
            let mut open = vec![(0usize, 0u32)];
            while let Some((node, d)) = open.pop() {
                t.value[node] = rng::below(&mut r, 1000) as f64 / 100.0 - 5.0;
                if d == depth || rng::below(&mut r, 5) == 0 {
                    continue;
                }
                t.feature[node] = rng::below(&mut r, p as u64 - 1) as u32; // never the last
                t.threshold[node] = rng::below(&mut r, 200) as f64 / 50.0 - 2.0;
                for side in 0..2 {
                    let c = t.children_left.len() as i32;
                    if side == 0 {
                        t.children_left[node] = c;
                        t.children_default[node] = c;
                    } else {
                        t.children_right[node] = c;
                    }
                    t.children_left.push(-1);
                    t.children_right.push(-1);
                    t.children_default.push(-1);
                    t.feature.push(0);
                    t.threshold.push(0.0);
                    t.value.push(0.0);
                    t.cover.push(1.0);
                    open.push((c as usize, d + 1));
                }
            }
            t
        };
        let trees: Vec<Tree> = (0..40).map(|k| grow(3 + k % 6)).collect();
        let e = TreeEnsemble {
            n_features: p,
            n_raw_outputs: 1,
            tree_weight: 1.0 / trees.len() as f64,
            trees,
            tree_output: None,
            comparison: Comparison::LessEqual,
            float32_features: true,
            base_score: vec![0.0],
            link: Link::Identity,
            source: "test".into(),
            accumulate: Accumulate::Mean,
        };
        e.check().unwrap();
        let mut rr = rng::seeded(12, 0);
        let x = Array2::from_shape_fn((1000, p), |_| {
            // Some values exactly on a threshold grid, some not.
            let v = rng::below(&mut rr, 10_000) as f64 / 2500.0 - 2.0;
            if rng::below(&mut rr, 3) == 0 {
                (v * 50.0).round() / 50.0
            } else {
                v
            }
        });
        let groups: Vec<Vec<usize>> = (0..p).map(|j| vec![j]).chain([vec![0, 1]]).collect();
        check(&e, &x, &groups, "forest");
        assert!(Cached::new(&e, x.view()).unwrap().clean);
        // Missing values: the routing with NaN checks (not the one-comparison walk).
        let mut holes = x.clone();
        holes.iter_mut().step_by(11).for_each(|v| *v = f64::NAN);
        assert!(!Cached::new(&e, holes.view()).unwrap().clean);
        check(&e, &holes, &groups, "forest with missing values");
        // The column no tree splits on never moves a prediction.
        let cache = Cached::new(&e, x.view()).unwrap();
        let perm: Vec<usize> = (0..1000).rev().collect();
        let out = cache.permuted_all(&[p - 1], &[perm]).unwrap();
        assert_eq!(out[0], cache.baseline());
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
        // The walk reads the trees: no model call at all (the baseline comes from the cache).
        assert_eq!((walked.model_calls, called.model_calls), (0, 2));
        assert_eq!(walked.rows_evaluated, 0);
        assert_eq!(walked.baseline_score, called.baseline_score);
        let flat = |r: &crate::report::importance::ImportanceReport| -> Vec<f64> {
            r.importances.iter().flatten().map(|v| v.0).collect()
        };
        let (a, b) = (flat(&walked), flat(&called));
        // Repeats sliced one at a time (a small batch budget): the same numbers.
        let sliced = PermutationOptions {
            max_batch_elements: 60,
            ..opts.clone()
        };
        assert_eq!(
            permutation_importance(&e, &input, &sliced)
                .unwrap()
                .importances,
            walked.importances
        );
        // Boxes too large for the budget: the model is called instead.
        assert!(usable(&e, 3) && !usable(&e, MAX_BOX_VALUES));
        assert!(!usable(
            &ensemble(1, 1, false, Link::Identity, Accumulate::Float32),
            1
        ));
        assert_eq!(a.len(), b.len());
        assert!(a.iter().any(|v| v.abs() > 1e-3));
        for (a, b) in a.iter().zip(&b) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
}
