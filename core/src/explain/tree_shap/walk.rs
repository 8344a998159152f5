//! The extend/unwind recursion of path-dependent TreeSHAP: the unique path of one tree walk,
//! the walk itself (optionally conditioned on one feature) and the leaf crediting (UNWOUND-SUM).

use crate::explain::tree_walk::{Prepared, PreparedTree, MAX_DEPTH};
use crate::model::Comparison;

/// `1/i` for `i` in `0..=MAX_DEPTH + 2` (`1/0` stored as 0, never read).
pub(super) fn reciprocals() -> Vec<f64> {
    (0..MAX_DEPTH + 3)
        .map(|i| if i == 0 { 0.0 } else { 1.0 / i as f64 })
        .collect()
}

/// Per-worker buffers.
#[derive(Debug)]
pub(super) struct Scratch {
    pub(super) x: Vec<f64>,
    pub(super) path: Path,
    pub(super) diag: Vec<f64>,
    pub(super) on: Vec<f64>,
    pub(super) off: Vec<f64>,
}

impl Scratch {
    pub(super) fn new(p: &Prepared) -> Self {
        let width = p.n_features * p.n_outputs;
        let cap = (p.max_depth + 2) * (p.max_depth + 3) / 2;
        Scratch {
            x: Vec::with_capacity(p.n_features),
            path: Path::with_capacity(cap),
            diag: vec![0.0; width],
            on: vec![0.0; width],
            off: vec![0.0; width],
        }
    }
}

/// One element of a unique path: a feature with its zero and one fractions, and the
/// permutation weight of the subsets of size equal to its position.
#[derive(Debug, Clone, Copy)]
struct Element {
    weight: f64,
    zero: f64,
    one: f64,
    feature: u32,
}

/// The stack of unique paths of the recursion. Each recursion level owns its tail segment: a
/// copy of its parent's path, possibly extended by one feature.
#[derive(Debug, Default)]
pub(super) struct Path {
    el: Vec<Element>,
}

/// Feature index of the path's root element (no feature).
const ROOT: u32 = u32::MAX;

impl Path {
    fn with_capacity(n: usize) -> Self {
        Path {
            el: Vec::with_capacity(n),
        }
    }

    fn len(&self) -> usize {
        self.el.len()
    }

    fn segment(&self, start: usize) -> &[Element] {
        self.el.get(start..).unwrap_or(&[])
    }

    /// Start a new segment as a copy of the one starting at `parent`.
    fn copy_segment(&mut self, parent: usize) {
        self.el.extend_from_within(parent..);
    }

    fn truncate(&mut self, len: usize) {
        self.el.truncate(len);
    }

    /// EXTEND: add `feature` with fractions (`zero`, `one`) to the segment at `start` and
    /// update the weights of every subset size.
    fn extend(&mut self, start: usize, zero: f64, one: f64, feature: u32, inv: &[f64]) {
        let d = self.len() - start;
        let weight = if d == 0 { 1.0 } else { 0.0 };
        self.el.push(Element {
            weight,
            zero,
            one,
            feature,
        });
        if d == 0 {
            return;
        }
        let scale = inv.get(d + 1).copied().unwrap_or(0.0);
        let (mut prev, mut i, df) = (0.0, 0.0, d as f64);
        for e in self.el.iter_mut().skip(start) {
            let cur = e.weight;
            e.weight = (zero * cur * (df - i) + one * prev * i) * scale;
            prev = cur;
            i += 1.0;
        }
    }

    /// UNWIND: remove element `index` (≥ 1) of the segment at `start`, undoing its EXTEND.
    fn unwind(&mut self, start: usize, index: usize) {
        let seg = self.el.get_mut(start..).unwrap_or_default();
        let Some(gone) = seg.get(index).copied() else {
            return;
        };
        let d = seg.len() - 1;
        let (one, zero) = (gone.one, gone.zero);
        let mut next = seg.last().map_or(0.0, |e| e.weight);
        let dp1 = (d + 1) as f64;
        for (i, e) in seg.iter_mut().take(d).enumerate().rev() {
            if one != 0.0 {
                let tmp = e.weight;
                e.weight = next * dp1 / ((i + 1) as f64 * one);
                next = tmp - e.weight * zero * (d - i) as f64 / dp1;
            } else {
                e.weight = e.weight * dp1 / (zero * (d - i) as f64);
            }
        }
        // Shift the later elements' features and fractions down; the weights stay in place.
        for i in index..d {
            if let Some(&later) = seg.get(i + 1) {
                if let Some(e) = seg.get_mut(i) {
                    (e.feature, e.zero, e.one) = (later.feature, later.zero, later.one);
                }
            }
        }
        self.el.pop();
    }
}

/// Conditioning of the interaction algorithm on one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Condition {
    None,
    /// The feature is always in the coalition.
    On(u32),
    /// The feature is never in the coalition.
    Off(u32),
}

impl Condition {
    fn is(self, feature: u32) -> bool {
        matches!(self, Condition::On(f) | Condition::Off(f) if f == feature)
    }
}

/// One tree explained for one row.
#[derive(Debug)]
pub(super) struct Walk<'a> {
    tree: &'a PreparedTree,
    x: &'a [f64],
    inv: &'a [f64],
    comparison: Comparison,
    n_outputs: usize,
    condition: Condition,
}

impl<'a> Walk<'a> {
    pub(super) fn new(
        p: &Prepared,
        tree: &'a PreparedTree,
        x: &'a [f64],
        inv: &'a [f64],
        condition: Condition,
    ) -> Self {
        Walk {
            tree,
            x,
            inv,
            comparison: p.comparison,
            n_outputs: p.n_outputs,
            condition,
        }
    }

    /// Add this tree's values to `phi` (features × outputs).
    pub(super) fn run(&self, path: &mut Path, phi: &mut [f64]) {
        path.truncate(0);
        self.recurse(0, path, 0, 1.0, 1.0, ROOT, 1.0, phi);
    }

    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &self,
        node: usize,
        path: &mut Path,
        parent: usize,
        zero: f64,
        one: f64,
        feature: u32,
        fraction: f64,
        phi: &mut [f64],
    ) {
        if fraction == 0.0 {
            return;
        }
        let Some(n) = self.tree.node(node) else {
            return;
        };
        let start = path.len();
        path.copy_segment(parent);
        if !self.condition.is(feature) {
            path.extend(start, zero, one, feature, self.inv);
        }
        if n.is_leaf() {
            self.leaf(node, path, start, fraction, phi);
            path.truncate(start);
            return;
        }
        let goes_left = n.follows_left(self.x, self.comparison);
        let (hot, cold, z_hot, z_cold) = if goes_left {
            (n.left, n.right, n.z_left, n.z_right)
        } else {
            (n.right, n.left, n.z_right, n.z_left)
        };
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        let seen = path.segment(start).iter().enumerate().skip(1);
        if let Some((i, e)) = seen.clone().find(|(_, e)| e.feature == n.feature) {
            (in_zero, in_one) = (e.zero, e.one);
            path.unwind(start, i);
        }
        let (hot_fraction, cold_fraction) = match self.condition {
            Condition::On(f) if f == n.feature => (fraction, 0.0),
            Condition::Off(f) if f == n.feature => (fraction * z_hot, fraction * z_cold),
            _ => (fraction, fraction),
        };
        let (f, h, c) = (n.feature, hot as usize, cold as usize);
        self.recurse(
            h,
            path,
            start,
            z_hot * in_zero,
            in_one,
            f,
            hot_fraction,
            phi,
        );
        self.recurse(c, path, start, z_cold * in_zero, 0.0, f, cold_fraction, phi);
        path.truncate(start);
    }

    /// Credit the leaf's value to every feature of the path (segment at `start`).
    fn leaf(&self, node: usize, path: &Path, start: usize, fraction: f64, phi: &mut [f64]) {
        let seg = path.segment(start);
        let Some((last, rest)) = seg.split_last() else {
            return;
        };
        let d = rest.len();
        let Some(inv) = self.inv.get(1..=d).filter(|_| d > 0) else {
            return;
        };
        let w_last = last.weight;
        let values = self.tree.leaf_values(node);
        let (n_outputs, output) = (self.n_outputs, self.tree.output);
        let mut credit = |f: u32, scale: f64| {
            let slots = phi.iter_mut().skip(f as usize * n_outputs + output);
            slots
                .zip(values)
                .for_each(|(p, v)| *p += scale * fraction * v);
        };
        // Elements with one = 0 all get −(d+1)·Σ_{i<d} w_i/(d−i) (their zero fraction cancels).
        let mut cold: Option<f64> = None;
        // Elements with one = 1, four at a time (independent recurrences, run interleaved).
        let mut lanes = Lanes::default();
        for e in seg.iter().skip(1) {
            let (f, z, o) = (e.feature, e.zero, e.one);
            if o == 0.0 {
                let c = *cold.get_or_insert_with(|| {
                    let k = inv.iter().rev();
                    -(d as f64 + 1.0) * rest.iter().zip(k).map(|(e, k)| e.weight * k).sum::<f64>()
                });
                credit(f, c);
            } else if o == 1.0 {
                if lanes.push(f, z) {
                    lanes.flush(rest, w_last, inv, &mut credit);
                }
            } else {
                credit(f, unwound_sum_general(rest, w_last, z, o) * (o - z));
            }
        }
        lanes.flush(rest, w_last, inv, &mut credit);
    }
}

/// Up to four path elements with one fraction 1 waiting for their UNWOUND-SUM.
#[derive(Debug, Default)]
struct Lanes {
    feature: [u32; 4],
    zero: [f64; 4],
    len: usize,
}

impl Lanes {
    /// Queue an element; true when the four lanes are full.
    fn push(&mut self, feature: u32, zero: f64) -> bool {
        if let (Some(f), Some(z)) = (self.feature.get_mut(self.len), self.zero.get_mut(self.len)) {
            *f = feature;
            *z = zero;
            self.len += 1;
        }
        self.len == 4
    }

    /// UNWOUND-SUM of the queued elements (the total weight of the path's subsets without
    /// each), credited with `(1 − zero) · sum`. `rest` holds the elements before the last (the
    /// weights of subset sizes `0..d`), `inv` holds `1/1 ..= 1/d`.
    fn flush(
        &mut self,
        rest: &[Element],
        w_last: f64,
        inv: &[f64],
        credit: &mut impl FnMut(u32, f64),
    ) {
        if self.len == 0 {
            return;
        }
        let mut next = [w_last; 4];
        let mut total = [0.0; 4];
        let mut k = 1.0; // d - i, for i from d-1 down to 0
        for (e, inv_i1) in rest.iter().rev().zip(inv.iter().rev()) {
            let wi = e.weight;
            let lanes = next.iter_mut().zip(total.iter_mut()).zip(self.zero);
            for ((n, t), z) in lanes {
                let tmp = *n * inv_i1;
                *t += tmp;
                *n = wi - tmp * z * k;
            }
            k += 1.0;
        }
        let scale = (rest.len() + 1) as f64;
        let done = self.feature.iter().zip(self.zero).zip(total).take(self.len);
        for ((&f, z), t) in done {
            credit(f, t * scale * (1.0 - z));
        }
        self.len = 0;
    }
}

/// UNWOUND-SUM for an element with any non-zero one fraction (scalar, the paper's form).
fn unwound_sum_general(rest: &[Element], w_last: f64, zero: f64, one: f64) -> f64 {
    let d = rest.len();
    let mut next = w_last;
    let mut total = 0.0;
    for (i, e) in rest.iter().enumerate().rev() {
        let tmp = next / ((i + 1) as f64 * one);
        total += tmp;
        next = e.weight - tmp * zero * (d - i) as f64;
    }
    total * (d + 1) as f64
}
