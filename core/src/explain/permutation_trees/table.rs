//! The demand table of one row: the ensemble's trees walked with the whole background (row
//! bitsets), leaf weights summed per demand `(A, B)`, dense by ternary code or hashed.
//!
//! `#[inline]` (size, issue 5): see the note in [`super`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use ndarray::ArrayView1;

use super::{Background, Mask};
use crate::model::TreeEnsemble;

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

/// `(A, B, group)`: the demand and, when each background row keeps its own weights, the row.
type Key = (Mask, Mask, usize);

/// Demand tables of at most this many entries (`3^m`: each varying feature in `A`, in `B` or in
/// neither) are indexed directly instead of hashed.
pub(super) const DENSE_MAX: usize = 177_147; // 3^11

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
pub(super) struct Table<'a> {
    e: &'a TreeEnsemble,
    routes: &'a Background,
    /// Each background row keeps its own weights (the link is not linear).
    per_row: bool,
    /// The bit of each feature (`None`: the row does not vary on it).
    pub(super) bit_of: Vec<Option<u32>>,
    /// `3^bit` per bit, when `dense` is used.
    pow3: Vec<usize>,
    /// The key number of each ternary code (`u32::MAX`: not seen yet); empty when hashing.
    dense: Vec<u32>,
    index: HashMap<Key, u32, BuildHasherDefault<KeyHasher>>,
    pub(super) keys: Vec<Key>,
    /// `kr` weights per key.
    pub(super) weights: Vec<f64>,
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
    pub(super) fn new(
        e: &'a TreeEnsemble,
        routes: &'a Background,
        per_row: bool,
        varying: &[usize],
    ) -> Self {
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
    pub(super) fn walk(&mut self, ti: usize, x: ArrayView1<'_, f64>) {
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
