//! The permuted pass: per group, the first node testing it and the box of every node, then
//! per chunk of rows the check pass and the walks of the rows that leave their box.

use ndarray::Array2;

use crate::error::Result;
use crate::explain::batches;
use crate::math::apply_link;
use crate::model::tree::{Accumulate, Comparison, ZERO_THRESHOLD};
use crate::model::tree_eval::{walk_from, LANES};

use super::{Cached, CHUNK, NONE};

/// What a group's permutations can change, per node of the flat ensemble (see
/// [`Cached::group_paths`]).
struct Paths<'a> {
    group: &'a [usize],
    first: &'a [u32],
    bounds: &'a [f64],
}

impl Cached<'_> {
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
