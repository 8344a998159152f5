//! Permutation Shapley values of a native tree ensemble, computed by walking its trees instead
//! of evaluating masked rows: the same estimator as [`super::permutation`] (same permutations,
//! same value function, values equal up to rounding), no model calls.
//!
//! For a row `x`, a background row `b` and one tree, a node splitting on feature `j` sends `x`
//! and `b` the same way (then the coalition does not matter there) or apart (then the masked
//! row follows `x` if `j` is in the coalition, `b` otherwise). A leaf is reached by the masked
//! row `z(S)` exactly when the features of its `x`-side parting nodes (`A`) are in `S` and
//! those of its `b`-side ones (`B`) are not, so what a leaf contributes depends on the pair of
//! feature sets `(A, B)` only. Each tree is walked once per row for the whole background: a
//! walk state is a node, a pair `(A, B)` and the set of background rows (a bitset) that reach
//! the node under that demand; at a node the rows that agree with `x` keep the demand and the
//! others split into the `x` side (`A ∪ {j}`) and the `b` side (`B ∪ {j}`); a demand with a
//! feature in both sets is dropped. Every leaf adds (its value × the number of rows) to the
//! weight of its demand, summed over leaves and trees in one table.
//!
//! Along the forward pass of a permutation (positions `pos`, the first `t` features in after
//! step `t`) a demand holds for the steps `max_A(pos+1) <= t < min_B(pos+1)`; along the
//! reverse pass (the first `t` removed) for `max_B(pos+1) <= t < min_A(pos+1)`. So each
//! distinct demand adds its weight to the raw output change at the step it enters and
//! subtracts it at the step it leaves, for every permutation (32 at a time, one byte lane
//! each). Summing the changes gives the mean raw output after every step, which for the
//! identity link is `v(prefix)`. Other links are not linear, so there each background row keeps
//! its own weights and trajectory (`raw(b)` or `raw(x)` plus its changes), the link turns it
//! into outputs and their mean over the background is `v(prefix)`. From these the pass credits
//! each feature as the row-by-row method does (`v(∅)` and `v(all) = f(x)` are the model's own
//! outputs).
//!
//! Only ensembles that sum their trees in f64 are walked; XGBoost's float32 sum is left to
//! model calls so the values keep its rounding. Demands are bit masks over the row's varying
//! features, so rows with more than [`MAX_VARYING`] of them are left to model calls too.

mod table;
#[cfg(test)]
pub(crate) mod tests;

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::math::apply_link;
use crate::model::{Accumulate, Link, TreeEnsemble};
use table::Table;

/// A set of the row's varying features, one bit each (numbered by their place in the first
/// permutation).
type Mask = u128;

/// Most varying features a walked row may have (bits of [`Mask`]).
pub(crate) const MAX_VARYING: usize = Mask::BITS as usize;

// `#[inline]` (size, issue 5) on this file's functions: permutation Shapley is not one of the
// engine's hot paths, so they compile in the crate that calls them, at opt-level "z" in the WASM
// module (Cargo.toml, wasm-release); the native builds are unchanged.
/// Can [`row_values`] explain this ensemble (its trees are summed in f64) for rows with at
/// most `max_varying` varying features?
pub(crate) fn walkable(e: &TreeEnsemble, max_varying: usize) -> bool {
    e.accumulate != Accumulate::Float32 && max_varying <= MAX_VARYING
}

/// Permutations handled together, one byte lane each.
const LANES: usize = 32;

/// A position `pos + 1` per lane; `NEVER` stands for "no such feature".
type Lane = [u8; LANES];
const NEVER: u8 = u8::MAX;

/// Lane-wise largest and smallest `pos + 1` of the features `bits` (0 and `NEVER` if none).
#[inline]
fn span(lanes: &[Lane], bits: &[usize]) -> (Lane, Lane) {
    let (mut hi, mut lo) = ([0u8; LANES], [NEVER; LANES]);
    for p in bits.iter().filter_map(|b| lanes.get(*b)) {
        for ((h, l), v) in hi.iter_mut().zip(lo.iter_mut()).zip(p) {
            *h = (*h).max(*v);
            *l = (*l).min(*v);
        }
    }
    (hi, lo)
}

/// Lanes where `enter < leave`, one bit each.
#[inline]
fn before(enter: &Lane, leave: &Lane) -> u32 {
    enter
        .iter()
        .zip(leave)
        .enumerate()
        .fold(0, |acc, (i, (e, l))| acc | (u32::from(e < l) << i))
}

/// Which child every background row takes at every internal node of the ensemble, as one
/// bitset per node (set: the left child), routed exactly as `predict` routes (float32
/// rounding, missing values, comparison); and the background's raw outputs.
#[derive(Debug)]
pub(crate) struct Background {
    /// First node of each tree in the node numbering.
    offsets: Vec<usize>,
    /// Words per bitset.
    words: usize,
    /// Node-major: `words` words per node.
    left: Vec<u64>,
    /// The bitset of all rows.
    all: Vec<u64>,
    /// Raw outputs, rows × raw outputs.
    raw: Array2<f64>,
}

impl Background {
    /// Route every row of `rows` through every tree of `e`.
    #[inline]
    pub(crate) fn new(e: &TreeEnsemble, rows: ArrayView2<'_, f64>) -> Self {
        let n = rows.nrows();
        let words = n.div_ceil(64).max(1);
        let mut offsets = Vec::with_capacity(e.trees.len());
        let mut total = 0;
        for t in &e.trees {
            offsets.push(total);
            total += t.n_nodes();
        }
        let mut left = vec![0u64; total * words];
        for (tree, base) in e.trees.iter().zip(&offsets) {
            for node in 0..tree.n_nodes() {
                let l = tree.children_left.get(node).copied().unwrap_or(-1);
                if l < 0 {
                    continue;
                }
                let f = tree.feature.get(node).copied().unwrap_or(0) as usize;
                let at = (base + node) * words;
                let Some(bits) = left.get_mut(at..at + words) else {
                    continue;
                };
                for (r, row) in rows.rows().into_iter().enumerate() {
                    let v = row.get(f).copied().unwrap_or(f64::NAN);
                    if tree.next_node(node, v, e.comparison, e.float32_features) == l {
                        if let Some(w) = bits.get_mut(r / 64) {
                            *w |= 1 << (r % 64);
                        }
                    }
                }
            }
        }
        let mut all = vec![u64::MAX; words];
        if n % 64 != 0 {
            if let Some(w) = all.last_mut() {
                *w = (1u64 << (n % 64)) - 1;
            }
        }
        if n == 0 {
            all.iter_mut().for_each(|w| *w = 0);
        }
        Background {
            offsets,
            words,
            left,
            all,
            raw: e.predict_raw(rows),
        }
    }

    /// The bitset of node `node` (in the ensemble's numbering).
    #[inline]
    fn left(&self, node: usize) -> &[u64] {
        self.left
            .get(node * self.words..(node + 1) * self.words)
            .unwrap_or(&[])
    }
}

/// The explained row and its background, borrowed.
#[derive(Debug)]
pub(crate) struct RowInput<'a> {
    /// The row, its features.
    pub x: ArrayView1<'a, f64>,
    /// Background rows.
    pub background: ArrayView2<'a, f64>,
    /// `f(x)`.
    pub f_x: ArrayView1<'a, f64>,
    /// `v(∅)`.
    pub base: ArrayView1<'a, f64>,
    /// The background rows' routes and raw outputs.
    pub routes: &'a Background,
}

/// Permutation Shapley values of one row (features × outputs, row-major, averaged over both
/// passes of every permutation in `perms`, which order the row's varying features).
#[allow(clippy::cast_possible_truncation)]
#[inline]
pub(crate) fn row_values(e: &TreeEnsemble, input: &RowInput<'_>, perms: &[Vec<usize>]) -> Vec<f64> {
    let (m_all, k) = (input.x.len(), input.f_x.len());
    let mut values = vec![0.0; m_all * k];
    let Some(m) = perms.first().map(Vec::len).filter(|m| *m > 0) else {
        return values;
    };
    let kr = e.n_raw_outputs;
    let halves = 2 * perms.len();
    let steps = m - 1; // steps 1..m-1 are walked; step m is f(x)
    let n_bg = input.background.nrows();
    let per_row = e.link != Link::Identity;
    let groups = if per_row { n_bg } else { 1 };
    // Sum over background rows of the outputs after each step: halves × steps × k.
    let mut v_sum = vec![0.0; halves * steps * k];
    if steps > 0 && n_bg > 0 {
        let varying = perms.first().map_or(&[][..], Vec::as_slice);
        let mut table = Table::new(e, input.routes, per_row, varying);
        for ti in 0..e.trees.len() {
            table.walk(ti, input.x);
        }
        // Per block of LANES permutations: `pos + 1` of each bit in each permutation.
        let blocks: Vec<(Vec<Lane>, u32)> = perms
            .chunks(LANES)
            .map(|block| {
                let mut lanes = vec![[0u8; LANES]; m];
                for (i, perm) in block.iter().enumerate() {
                    for (t, j) in perm.iter().enumerate() {
                        let bit = table.bit_of.get(*j).copied().flatten();
                        if let Some(v) = bit.and_then(|b| lanes.get_mut(b as usize)?.get_mut(i)) {
                            *v = u8::try_from(t + 1).unwrap_or(NEVER);
                        }
                    }
                }
                (lanes, u32::MAX >> (LANES - block.len()).min(31))
            })
            .collect();
        // Raw-output changes per group, pass and step: groups × halves × steps × kr.
        let mut delta = vec![0.0; groups * halves * steps * kr];
        let mut bits = [
            Vec::with_capacity(MAX_VARYING),
            Vec::with_capacity(MAX_VARYING),
        ];
        for ((a, b, g), w) in table.keys.iter().zip(table.weights.chunks(kr)) {
            for (mask, list) in [*a, *b].into_iter().zip(bits.iter_mut()) {
                list.clear();
                let mut rest = mask;
                while rest != 0 {
                    list.push(rest.trailing_zeros() as usize);
                    rest &= rest - 1;
                }
            }
            for (block, (lanes, valid)) in blocks.iter().enumerate() {
                let [(hi_a, lo_a), (hi_b, lo_b)] =
                    [0, 1].map(|s| span(lanes, bits.get(s).map_or(&[], Vec::as_slice)));
                let passes = [
                    (before(&hi_a, &lo_b), hi_a, lo_b),
                    (before(&hi_b, &lo_a), hi_b, lo_a),
                ];
                for (half, (active, enter, leave)) in passes.into_iter().enumerate() {
                    let mut on = active & valid;
                    while on != 0 {
                        let i = on.trailing_zeros() as usize;
                        on &= on - 1;
                        let row = (g * halves + 2 * (block * LANES + i) + half) * steps;
                        let events = [
                            (enter.get(i).copied().unwrap_or(0), 1.0),
                            (leave.get(i).copied().unwrap_or(NEVER), -1.0),
                        ];
                        for (step, sign) in events {
                            let step = usize::from(step);
                            if step == 0 || step >= m {
                                continue; // the pass's start or end: known outputs
                            }
                            let at = (row + step - 1) * kr;
                            if let Some(d) = delta.get_mut(at..at + kr) {
                                d.iter_mut().zip(w).for_each(|(d, w)| *d += sign * w);
                            }
                        }
                    }
                }
            }
        }
        let scale = match e.accumulate {
            Accumulate::Mean => 1.0 / e.mean_divisor(),
            _ => e.tree_weight,
        };
        if per_row {
            let raw_x = e.predict_raw(input.x.insert_axis(ndarray::Axis(0)));
            // Each background row's raw outputs after steps 1..m-1 of each pass, then the link.
            let mut traj = Vec::with_capacity(groups * halves * steps * kr);
            for (gh, d) in delta.chunks(steps * kr).enumerate() {
                let (g, h) = (gh / halves, gh % halves);
                let start = if h % 2 == 0 {
                    input.routes.raw.row(g)
                } else {
                    raw_x.row(0)
                };
                let mut cum = start.to_vec();
                for d in d.chunks(kr) {
                    cum.iter_mut().zip(d).for_each(|(c, d)| *c += scale * d);
                    traj.extend_from_slice(&cum);
                }
            }
            if let Ok(raw) = Array2::from_shape_vec((groups * halves * steps, kr), traj) {
                let out = apply_link(e.link, raw);
                for block in out.as_slice().unwrap_or(&[]).chunks(halves * steps * k) {
                    v_sum.iter_mut().zip(block).for_each(|(s, o)| *s += o);
                }
            }
        } else {
            // Identity link: the mean output is the mean start plus the summed changes / n.
            let n = n_bg as f64;
            for (h, (d, v)) in delta
                .chunks(steps * kr)
                .zip(v_sum.chunks_mut(steps * k))
                .enumerate()
            {
                let start = if h % 2 == 0 { input.base } else { input.f_x };
                let mut cum: Vec<f64> = start.iter().map(|s| s * n).collect();
                for (d, v) in d.chunks(kr).zip(v.chunks_mut(k)) {
                    cum.iter_mut().zip(d).for_each(|(c, d)| *c += scale * d);
                    v.copy_from_slice(&cum);
                }
            }
        }
    }
    // Credit each feature as the row-by-row method does.
    let n_bg = n_bg.max(1) as f64;
    let mut acc = vec![0.0; m_all * k];
    for (h, perm) in (0..halves).map(|h| (h, perms.get(h / 2))) {
        let Some(perm) = perm else { continue };
        let forward = h % 2 == 0;
        let (start, end) = if forward {
            (input.base, input.f_x)
        } else {
            (input.f_x, input.base)
        };
        let sign = if forward { 1.0 } else { -1.0 };
        let mut prev: Vec<f64> = start.to_vec();
        for (t, j) in perm.iter().enumerate() {
            let cur: Vec<f64> = if t + 1 == m {
                end.to_vec()
            } else {
                let at = (h * steps + t) * k;
                v_sum
                    .get(at..at + k)
                    .map(|s| s.iter().map(|v| v / n_bg).collect())
                    .unwrap_or_default()
            };
            if let Some(a) = acc.get_mut(j * k..j * k + k) {
                for ((a, c), p) in a.iter_mut().zip(&cur).zip(&prev) {
                    *a += sign * (c - p);
                }
            }
            prev = cur;
        }
    }
    let denom = halves as f64;
    values
        .iter_mut()
        .zip(&acc)
        .for_each(|(v, a)| *v = a / denom);
    values
}
