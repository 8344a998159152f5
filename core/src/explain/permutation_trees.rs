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

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::math::apply_link;
use crate::model::{Accumulate, Link, TreeEnsemble};

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

/// A multiply-rotate hash for the small integer keys of the demand table (the default SipHash
/// is several times slower here and its flooding resistance is not needed).
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    #[inline]
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.add(u64::from(*b)));
    }
    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }
    #[inline]
    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }
    #[inline]
    #[allow(clippy::cast_possible_truncation)]
    fn write_u128(&mut self, v: u128) {
        self.add(v as u64);
        self.add((v >> 64) as u64);
    }
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

/// `(A, B, group)`: the demand and, when each background row keeps its own weights, the row.
type Key = (Mask, Mask, usize);

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

/// Demand tables of at most this many entries (`3^m`: each varying feature in `A`, in `B` or in
/// neither) are indexed directly instead of hashed.
const DENSE_MAX: usize = 177_147; // 3^11

/// A walk state: a node, its demand `(A, B)` and the demand's ternary code (dense tables).
#[derive(Debug, Clone, Copy)]
struct State {
    node: usize,
    a: Mask,
    b: Mask,
    code: usize,
}

/// Summed leaf weights per demand, for one row: filled by [`Table::walk`] tree by tree.
#[derive(Debug)]
struct Table<'a> {
    e: &'a TreeEnsemble,
    routes: &'a Background,
    /// Each background row keeps its own weights (the link is not linear).
    per_row: bool,
    /// The bit of each feature (`None`: the row does not vary on it).
    bit_of: Vec<Option<u32>>,
    /// `3^bit` per bit, when `dense` is used.
    pow3: Vec<usize>,
    /// The key number of each ternary code (`u32::MAX`: not seen yet); empty when hashing.
    dense: Vec<u32>,
    index: HashMap<Key, u32, BuildHasherDefault<KeyHasher>>,
    keys: Vec<Key>,
    /// `kr` weights per key.
    weights: Vec<f64>,
    /// Walk states, their row sets in `sets` (`words` each, same order).
    stack: Vec<State>,
    sets: Vec<u64>,
    cur: Vec<u64>,
    agree: Vec<u64>,
    /// Does `x` go left at each node of the tree being walked?
    x_left: Vec<bool>,
}

impl<'a> Table<'a> {
    #[inline]
    fn new(e: &'a TreeEnsemble, routes: &'a Background, per_row: bool, varying: &[usize]) -> Self {
        let mut bit_of = vec![None; e.n_features];
        for (i, j) in varying.iter().enumerate() {
            if let Some(b) = bit_of.get_mut(*j) {
                *b = u32::try_from(i).ok();
            }
        }
        let m = u32::try_from(varying.len()).unwrap_or(u32::MAX);
        let size = 3usize
            .checked_pow(m)
            .filter(|s| *s <= DENSE_MAX && !per_row);
        Table {
            e,
            routes,
            per_row,
            bit_of,
            pow3: if size.is_some() {
                (0..m).map(|i| 3usize.pow(i)).collect()
            } else {
                Vec::new()
            },
            dense: size.map_or_else(Vec::new, |s| vec![u32::MAX; s]),
            index: HashMap::default(),
            keys: Vec::new(),
            weights: Vec::new(),
            stack: Vec::new(),
            sets: Vec::new(),
            cur: Vec::new(),
            agree: Vec::new(),
            x_left: Vec::new(),
        }
    }

    /// The first weight of `key` (code `code`), added to the table if new.
    #[inline]
    fn entry(&mut self, key: Key, code: usize) -> usize {
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let at = match self.dense.get_mut(code) {
            Some(slot) => {
                if *slot == u32::MAX {
                    *slot = next;
                }
                *slot
            }
            None => *self.index.entry(key).or_insert(next),
        };
        if at == next {
            self.keys.push(key);
            let kr = self.e.n_raw_outputs;
            self.weights.resize(self.weights.len() + kr, 0.0);
        }
        at as usize * self.e.n_raw_outputs
    }

    /// Add a leaf's values (× rows) to output slot(s) of the demand `s` for the rows in `rows`.
    #[inline]
    fn add(&mut self, s: State, rows: &[u64], vals: &[f64], slot: Option<usize>) {
        let add_to = |table: &mut Self, key: Key, times: f64| {
            let at = table.entry(key, s.code);
            match slot {
                Some(o) => {
                    if let (Some(w), Some(v)) = (table.weights.get_mut(at + o), vals.first()) {
                        *w += times * v;
                    }
                }
                None => {
                    let kr = table.e.n_raw_outputs;
                    let w = table.weights.get_mut(at..at + kr).unwrap_or(&mut []);
                    w.iter_mut().zip(vals).for_each(|(w, v)| *w += times * v);
                }
            }
        };
        if self.per_row {
            for (wi, word) in rows.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    let r = wi * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    add_to(self, (s.a, s.b, r), 1.0);
                }
            }
        } else {
            let count: u32 = rows.iter().map(|w| w.count_ones()).sum();
            add_to(self, (s.a, s.b, 0), f64::from(count));
        }
    }

    /// Walk tree `ti` for the row `x` (its features) from the root with every background row.
    #[inline]
    fn walk(&mut self, ti: usize, x: ArrayView1<'_, f64>) {
        let (Some(tree), Some(base)) = (self.e.trees.get(ti), self.routes.offsets.get(ti)) else {
            return;
        };
        let (e, words) = (self.e, self.routes.words);
        let per_tree = e.values_per_tree();
        let slot = match &e.tree_output {
            Some(o) => Some(o.get(ti).copied().unwrap_or(0) as usize),
            None if e.n_raw_outputs == 1 => Some(0),
            None => None,
        };
        self.x_left.clear();
        self.x_left.extend((0..tree.n_nodes()).map(|node| {
            let f = tree.feature.get(node).copied().unwrap_or(0) as usize;
            let v = x.get(f).copied().unwrap_or(f64::NAN);
            let next = tree.next_node(node, v, e.comparison, e.float32_features);
            next >= 0 && tree.children_left.get(node) == Some(&next)
        }));
        self.stack.clear();
        self.sets.clear();
        self.stack.push(State {
            node: 0,
            a: 0,
            b: 0,
            code: 0,
        });
        self.sets.extend_from_slice(&self.routes.all);
        self.agree.clear();
        self.agree.resize(words, 0);
        while let Some(mut s) = self.stack.pop() {
            let from = self.sets.len().saturating_sub(words);
            self.cur.clear();
            self.cur
                .extend_from_slice(self.sets.get(from..).unwrap_or(&[]));
            self.sets.truncate(from);
            // A checked tree reaches a leaf in fewer than n_nodes steps.
            for _ in 0..tree.n_nodes() {
                let node = s.node;
                let (Some(l), Some(r)) = (
                    tree.children_left
                        .get(node)
                        .and_then(|c| usize::try_from(*c).ok()),
                    tree.children_right
                        .get(node)
                        .and_then(|c| usize::try_from(*c).ok()),
                ) else {
                    // A leaf: rows that met no parting node are at it in every coalition.
                    if s.a | s.b != 0 {
                        let vals = tree.node_values(node, per_tree);
                        let cur = std::mem::take(&mut self.cur);
                        self.add(s, &cur, vals, slot);
                        self.cur = cur;
                    }
                    break;
                };
                let x_left = self.x_left.get(node).copied().unwrap_or(false);
                let (on, off) = if x_left { (l, r) } else { (r, l) };
                let goes = self.routes.left(base + node);
                // Rows on x's side (`agree`), the others kept in `cur`.
                let flip = if x_left { 0 } else { u64::MAX };
                let mut parted = 0;
                for ((c, g), same) in self.cur.iter_mut().zip(goes).zip(self.agree.iter_mut()) {
                    *same = *c & (g ^ flip);
                    *c &= !*same;
                    parted |= *c;
                }
                if parted == 0 {
                    std::mem::swap(&mut self.cur, &mut self.agree);
                    s.node = on;
                    continue;
                }
                let f = tree.feature.get(node).copied().unwrap_or(0) as usize;
                let Some(i) = self.bit_of.get(f).copied().flatten() else {
                    break; // unreachable: rows part only on features that differ from x
                };
                let bit: Mask = 1 << i;
                let p3 = self.pow3.get(i as usize).copied().unwrap_or(0);
                if s.a & bit != 0 {
                    // Already in the coalition: every row follows x.
                    self.cur
                        .iter_mut()
                        .zip(&self.agree)
                        .for_each(|(c, g)| *c |= g);
                    s.node = on;
                    continue;
                }
                if s.b & bit != 0 {
                    // Already out of it: the parted rows follow b.
                    self.stack.push(State { node: off, ..s });
                    self.sets.extend_from_slice(&self.cur);
                } else {
                    let out = State {
                        node: off,
                        b: s.b | bit,
                        code: s.code + 2 * p3,
                        ..s
                    };
                    let into = State {
                        node: on,
                        a: s.a | bit,
                        code: s.code + p3,
                        ..s
                    };
                    for next in [out, into] {
                        self.stack.push(next);
                        self.sets.extend_from_slice(&self.cur);
                    }
                }
                std::mem::swap(&mut self.cur, &mut self.agree);
                if self.cur.iter().all(|w| *w == 0) {
                    break;
                }
                s.node = on;
            }
        }
    }
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::explain::masker::varying_count;
    use crate::explain::permutation::{permutation_shapley, PermutationOptions};
    use crate::model::{Comparison, Model, Tree};
    use crate::rng;
    use rand::Rng;

    /// The same ensemble, seen only through `predict` (so the explainer builds masked rows).
    pub(crate) struct Opaque<'a>(pub(crate) &'a TreeEnsemble);

    impl Model for Opaque<'_> {
        fn n_features(&self) -> Option<usize> {
            self.0.n_features()
        }
        fn n_outputs(&self) -> usize {
            self.0.n_outputs()
        }
        fn predict(&self, x: ArrayView2<'_, f64>) -> crate::Result<Array2<f64>> {
            self.0.predict(x)
        }
    }

    /// Values on a coarse grid, so rows tie with each other and with thresholds.
    fn grid(r: &mut impl Rng) -> f64 {
        rng::below(r, 6) as f64 * 0.25
    }

    /// A full random tree of `depth` over `m` features with `nv` values per node.
    fn tree(r: &mut impl Rng, m: usize, depth: u32, nv: usize) -> Tree {
        let n = (1usize << (depth + 1)) - 1;
        let internal = (1usize << depth) - 1;
        let child = |i: usize, d: usize| if i < internal { (2 * i + d) as i32 } else { -1 };
        Tree {
            children_left: (0..n).map(|i| child(i, 1)).collect(),
            children_right: (0..n).map(|i| child(i, 2)).collect(),
            children_default: (0..n).map(|i| child(i, 1)).collect(),
            feature: (0..n).map(|_| rng::below(r, m as u64) as u32).collect(),
            threshold: (0..n).map(|_| grid(r) + 0.1).collect(),
            value: (0..n * nv).map(|_| grid(r) * 4.0 - 2.0).collect(),
            cover: vec![1.0; n],
            missing_zero: vec![],
        }
    }

    pub(crate) fn ensemble(
        seed: u32,
        outputs: usize,
        boosted: bool,
        link: Link,
        acc: Accumulate,
    ) -> TreeEnsemble {
        let mut r = rng::seeded(seed, 0);
        let (m, n_trees) = (5, 12);
        let nv = if boosted { 1 } else { outputs };
        let e = TreeEnsemble {
            n_features: m,
            n_raw_outputs: outputs,
            trees: (0..n_trees)
                .map(|t| tree(&mut r, m, 2 + t as u32 % 4, nv))
                .collect(),
            tree_output: boosted.then(|| (0..n_trees).map(|t| (t % outputs) as u32).collect()),
            comparison: if seed % 2 == 0 {
                Comparison::Less
            } else {
                Comparison::LessEqual
            },
            float32_features: seed % 3 == 0,
            tree_weight: if acc == Accumulate::Mean {
                1.0 / n_trees as f64
            } else {
                0.3
            },
            base_score: (0..outputs).map(|k| 0.5 * k as f64 - 0.2).collect(),
            link,
            source: "test".into(),
            accumulate: acc,
        };
        e.check().unwrap();
        e
    }

    pub(crate) fn rows(seed: u32, n: usize) -> Array2<f64> {
        let mut r = rng::seeded(seed, 1);
        let mut a = Array2::from_shape_fn((n, 5), |_| grid(&mut r));
        a.column_mut(4).fill(0.5); // a feature no row varies on
        a
    }

    #[test]
    fn walking_the_trees_equals_evaluating_masked_rows() {
        let cases = [
            (1, false, Link::Identity, Accumulate::Sum),
            (3, false, Link::Identity, Accumulate::Mean),
            (2, true, Link::Identity, Accumulate::Sequential),
            (1, false, Link::Logistic, Accumulate::Sequential),
            (3, true, Link::Softmax, Accumulate::Sum),
            (3, false, Link::Softmax, Accumulate::Mean),
        ];
        for (seed, (outputs, boosted, link, acc)) in cases.into_iter().enumerate() {
            let e = ensemble(seed as u32, outputs, boosted, link, acc);
            let (x, bg) = (rows(seed as u32, 7), rows(100 + seed as u32, 9));
            // 44 permutations: two lane blocks.
            let seeded = PermutationOptions {
                max_evals: 9 * 44,
                random_state: 5,
                ..PermutationOptions::default()
            };
            let given = PermutationOptions {
                permutations: Some(vec![vec![vec![4, 2, 0, 1, 3], vec![1, 3, 4, 0, 2]]]),
                ..PermutationOptions::default()
            };
            for opts in [seeded, given] {
                let walked = permutation_shapley(&e, x.view(), bg.view(), &opts).unwrap();
                let called = permutation_shapley(&Opaque(&e), x.view(), bg.view(), &opts).unwrap();
                assert_eq!(walked.model_calls, 1, "only f(background) and f(X)");
                assert!(called.model_calls > 1);
                assert_eq!(walked.shape, called.shape);
                assert_eq!(walked.params, called.params);
                for (a, b) in walked.values.iter().zip(&called.values) {
                    assert!((a.0 - b.0).abs() < 1e-12, "case {seed}: {} vs {}", a.0, b.0);
                }
                assert!(
                    walked.values.iter().any(|v| v.0.abs() > 1e-3),
                    "case {seed}"
                );
                for r in &walked.additivity_residual {
                    assert!(r.0.abs() < 1e-12);
                }
            }
        }
    }

    /// A forest- or boosting-like ensemble: `n_trees` trees of depth 3..=6 over `m` features
    /// (the rest as [`ensemble`] sets it).
    fn wide(seed: u32, m: usize, n_trees: usize, boosted: bool, link: Link) -> TreeEnsemble {
        let mut r = rng::seeded(seed, 2);
        let outputs = if link == Link::Softmax { 3 } else { 1 };
        let nv = if boosted { 1 } else { outputs };
        let acc = if boosted {
            Accumulate::Sequential
        } else {
            Accumulate::Mean
        };
        let e = TreeEnsemble {
            n_features: m,
            trees: (0..n_trees)
                .map(|t| tree(&mut r, m, 3 + t as u32 % 4, nv))
                .collect(),
            tree_output: boosted.then(|| (0..n_trees).map(|t| (t % outputs) as u32).collect()),
            float32_features: boosted,
            tree_weight: if boosted { 0.1 } else { 1.0 / n_trees as f64 },
            ..ensemble(seed, outputs, boosted, link, acc)
        };
        e.check().unwrap();
        e
    }

    fn wide_rows(seed: u32, n: usize, m: usize) -> Array2<f64> {
        let mut r = rng::seeded(seed, 3);
        Array2::from_shape_fn((n, m), |_| grid(&mut r))
    }

    /// Forests (mean of trees) and boosting (sequential sum, float32 features) with more than
    /// 64 background rows (several bitset words) and both demand tables: 6 varying features
    /// (indexed directly) and 13 (3^13 is past `DENSE_MAX`: hashed); identity, logistic and
    /// softmax links (the last two keep one trajectory per background row).
    #[test]
    fn forests_and_boosting_walked_equal_masked_rows_with_the_same_seed() {
        let cases = [
            (6, false, Link::Identity),
            (13, false, Link::Identity),
            (6, true, Link::Logistic),
            (13, true, Link::Identity),
            (13, false, Link::Softmax),
        ];
        for (case, (m, boosted, link)) in cases.into_iter().enumerate() {
            let seed = 40 + case as u32;
            let e = wide(seed, m, 30, boosted, link);
            let (x, bg) = (wide_rows(seed, 3, m), wide_rows(seed + 100, 130, m));
            let varying = varying_count(x.row(0), bg.view());
            assert_eq!(varying, m, "case {case}: every feature varies");
            assert_eq!(3usize.pow(m as u32) <= DENSE_MAX, m == 6);
            let opts = PermutationOptions {
                max_evals: 4 * (2 * m + 1),
                random_state: 11,
                ..PermutationOptions::default()
            };
            let walked = permutation_shapley(&e, x.view(), bg.view(), &opts).unwrap();
            let called = permutation_shapley(&Opaque(&e), x.view(), bg.view(), &opts).unwrap();
            assert_eq!(walked.model_calls, 1, "case {case}");
            assert_eq!(walked.params, called.params);
            let scale = called.values.iter().map(|v| v.0.abs()).fold(0.0, f64::max);
            assert!(scale > 1e-3, "case {case}: values all near zero");
            for (a, b) in walked.values.iter().zip(&called.values) {
                assert!((a.0 - b.0).abs() < 1e-12, "case {case}: {} vs {}", a.0, b.0);
            }
        }
    }

    #[test]
    fn float32_sums_are_left_to_model_calls() {
        let e = ensemble(1, 1, false, Link::Identity, Accumulate::Float32);
        assert!(!walkable(&e, 5));
        assert!(!walkable(
            &ensemble(1, 1, false, Link::Identity, Accumulate::Sum),
            255
        ));
        let (x, bg) = (rows(1, 3), rows(2, 4));
        let r = permutation_shapley(&e, x.view(), bg.view(), &PermutationOptions::default());
        assert!(r.unwrap().model_calls > 1);
    }
}
