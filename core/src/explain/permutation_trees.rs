//! Permutation Shapley values of a native tree ensemble, computed by walking its trees instead
//! of evaluating masked rows: the same estimator as [`super::permutation`] (same permutations,
//! same value function, values equal up to rounding), no model calls.
//!
//! For a row `x`, a background row `b` and one tree, a node splitting on feature `j` sends `x`
//! and `b` the same way (then the coalition does not matter there) or apart (then the masked
//! row follows `x` if `j` is in the coalition, `b` otherwise). Walking the tree once and
//! branching only at those parting nodes reaches every leaf some masked row `z(S)` can reach;
//! a leaf is reached exactly when the features of its `x`-side parting nodes (`A`) are in the
//! coalition and those of its `b`-side ones (`B`) are not. Along the forward pass of a
//! permutation (positions `pos`, the first `t` features in after step `t`) that holds for the
//! steps `max_A(pos+1) <= t < min_B(pos+1)`; along the reverse pass (the first `t` removed) for
//! `max_B(pos+1) <= t < min_A(pos+1)`. So one walk per (background row, tree) finds, for
//! every permutation at once (32 per lane block, one byte each), the step at which each leaf
//! enters and leaves the pass; its value is added to that step's change and subtracted at
//! the step it leaves. Summing the changes of every tree gives each background row's raw
//! output after every step; the link turns them into the model's outputs, and their mean over
//! the background is `v(prefix)`, from which the pass credits each feature as the row-by-row
//! method does (`v(∅)` and `v(all) = f(x)` are the model's own outputs).
//!
//! Only ensembles that sum their trees in f64 are walked; XGBoost's float32 sum is left to
//! model calls so the values keep its rounding.

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::math::apply_link;
use crate::model::{Accumulate, Tree, TreeEnsemble};

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Can [`row_values`] explain this ensemble (its trees are summed in f64) for rows with at
/// most `max_varying` varying features (positions must fit a lane byte)?
#[inline]
pub(crate) fn walkable(e: &TreeEnsemble, max_varying: usize) -> bool {
    e.accumulate != Accumulate::Float32 && max_varying < usize::from(NEVER)
}

/// Permutations walked together, one byte lane each.
const LANES: usize = 32;

/// A position `pos + 1` per lane; `NEVER` stands for "no such feature on the path".
type Lane = [u8; LANES];
const NEVER: u8 = u8::MAX;

/// What the path so far demands, per permutation: the largest and smallest `pos + 1` of the
/// features taken on `x`'s side (`A`) and on `b`'s side (`B`).
#[derive(Debug, Clone, Copy)]
struct Demand {
    hi_a: Lane,
    lo_a: Lane,
    hi_b: Lane,
    lo_b: Lane,
    /// Some `x`-side / `b`-side step taken: a leaf with neither of one kind is `b`'s / `x`'s.
    took_on: bool,
    took_off: bool,
}

impl Demand {
    const START: Demand = Demand {
        hi_a: [0; LANES],
        lo_a: [NEVER; LANES],
        hi_b: [0; LANES],
        lo_b: [NEVER; LANES],
        took_on: false,
        took_off: false,
    };

    /// Take the `x` side (`on`) or the `b` side at a node whose feature has positions `p`.
    #[inline]
    fn take(&self, p: &Lane, on: bool) -> Demand {
        let mut d = *self;
        let (hi, lo) = if on {
            d.took_on = true;
            (&mut d.hi_a, &mut d.lo_a)
        } else {
            d.took_off = true;
            (&mut d.hi_b, &mut d.lo_b)
        };
        for ((h, l), v) in hi.iter_mut().zip(lo.iter_mut()).zip(p) {
            *h = (*h).max(*v);
            *l = (*l).min(*v);
        }
        d
    }

    /// Lanes whose forward / reverse pass reaches a leaf with this demand (bit per lane).
    #[inline]
    fn active(&self) -> (u32, u32) {
        let (mut fwd, mut rev) = (0u32, 0u32);
        for i in 0..LANES {
            let (ha, la, hb, lb) = (
                self.hi_a.get(i).copied().unwrap_or(0),
                self.lo_a.get(i).copied().unwrap_or(0),
                self.hi_b.get(i).copied().unwrap_or(0),
                self.lo_b.get(i).copied().unwrap_or(0),
            );
            fwd |= u32::from(ha < lb) << i;
            rev |= u32::from(hb < la) << i;
        }
        (fwd, rev)
    }
}

/// The first node at or below `node` where `x` and `b` part, or the leaf they share.
enum Step {
    Leaf(usize),
    Part { feature: u32, on: usize, off: usize },
}

/// Which child each row takes at every internal node of the ensemble, as bits (set: the left
/// child), routed exactly as `predict` routes (float32 rounding, missing values, comparison).
#[derive(Debug)]
pub(crate) struct Routes {
    /// First bit of each tree.
    offsets: Vec<usize>,
    /// Words per row.
    words: usize,
    bits: Vec<u64>,
}

impl Routes {
    /// Route every row of `rows` through every tree of `e`.
    #[inline]
    pub(crate) fn new(e: &TreeEnsemble, rows: ArrayView2<'_, f64>) -> Self {
        let mut offsets = Vec::with_capacity(e.trees.len());
        let mut total = 0;
        for t in &e.trees {
            offsets.push(total);
            total += t.n_nodes();
        }
        let words = total.div_ceil(64).max(1);
        let mut bits = vec![0u64; rows.nrows() * words];
        for (row, out) in rows.rows().into_iter().zip(bits.chunks_mut(words)) {
            for (tree, base) in e.trees.iter().zip(&offsets) {
                for node in 0..tree.n_nodes() {
                    let left = tree.children_left.get(node).copied().unwrap_or(-1);
                    if left < 0 {
                        continue;
                    }
                    let f = tree.feature.get(node).copied().unwrap_or(0) as usize;
                    let v = row.get(f).copied().unwrap_or(f64::NAN);
                    if tree.next_node(node, v, e.comparison, e.float32_features) == left {
                        let i = base + node;
                        if let Some(w) = out.get_mut(i / 64) {
                            *w |= 1 << (i % 64);
                        }
                    }
                }
            }
        }
        Routes {
            offsets,
            words,
            bits,
        }
    }

    /// The bits of row `r`.
    #[inline]
    fn row(&self, r: usize) -> &[u64] {
        self.bits
            .get(r * self.words..(r + 1) * self.words)
            .unwrap_or(&[])
    }
}

#[inline]
fn goes_left(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1)
}

/// Descend from `node` of `tree` (its first bit at `base`) while `x` and `b` agree.
#[inline]
fn descend(tree: &Tree, mut node: usize, base: usize, x: &[u64], b: &[u64]) -> Step {
    // A checked tree reaches a leaf in fewer than n_nodes steps.
    for _ in 0..tree.n_nodes() {
        let (Some(left), Some(right)) = (
            tree.children_left
                .get(node)
                .and_then(|c| usize::try_from(*c).ok()),
            tree.children_right
                .get(node)
                .and_then(|c| usize::try_from(*c).ok()),
        ) else {
            return Step::Leaf(node);
        };
        let (gx, gb) = (goes_left(x, base + node), goes_left(b, base + node));
        let (on, off) = if gx { (left, right) } else { (right, left) };
        if gx == gb {
            node = on;
        } else {
            let feature = tree.feature.get(node).copied().unwrap_or(0);
            return Step::Part { feature, on, off };
        }
    }
    Step::Leaf(node)
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
    /// The background rows' routes.
    pub background_routes: &'a Routes,
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
                       // Per block of LANES permutations: `pos + 1` of each feature in each permutation.
    let blocks: Vec<(Vec<Lane>, usize)> = perms
        .chunks(LANES)
        .map(|block| {
            let mut lanes = vec![[0u8; LANES]; m_all];
            for (i, perm) in block.iter().enumerate() {
                for (t, j) in perm.iter().enumerate() {
                    if let Some(v) = lanes.get_mut(*j).and_then(|l| l.get_mut(i)) {
                        *v = u8::try_from(t + 1).unwrap_or(NEVER);
                    }
                }
            }
            (lanes, block.len())
        })
        .collect();
    let x_routes = Routes::new(e, input.x.insert_axis(ndarray::Axis(0)));
    let x = x_routes.row(0);
    let per_tree = e.values_per_tree();
    let scale = match e.accumulate {
        Accumulate::Mean => 1.0 / e.mean_divisor(),
        _ => e.tree_weight,
    };
    // Sum over background rows of the outputs after each step: halves × steps × k.
    let mut v_sum = vec![0.0; halves * steps * k];
    // One background row's raw-output changes per step: halves × steps × kr.
    let mut delta = vec![0.0; halves * steps * kr];
    let mut stack: Vec<(usize, Demand, u32, u32)> = Vec::new();
    for r in 0..input.background.nrows() {
        if steps == 0 {
            break; // one varying feature: its value is f(x) - v(∅), no step in between
        }
        let b = input.background_routes.row(r);
        delta.iter_mut().for_each(|d| *d = 0.0);
        // Raw outputs of b (all off) and x (all on): plain tree sums, and the sequential sum.
        let mut sums = [vec![0.0; kr], vec![0.0; kr]];
        let mut seq = [e.base_score.clone(), e.base_score.clone()];
        for ((ti, tree), base) in e.trees.iter().enumerate().zip(&x_routes.offsets) {
            let target = e.tree_output.as_ref().and_then(|o| o.get(ti)).copied();
            let add = |acc: &mut [f64], leaf: usize, factor: f64| {
                let vals = tree.node_values(leaf, per_tree);
                match target {
                    Some(o) => {
                        if let (Some(a), Some(v)) = (acc.get_mut(o as usize), vals.first()) {
                            *a += factor * v;
                        }
                    }
                    None => acc.iter_mut().zip(vals).for_each(|(a, v)| *a += factor * v),
                }
            };
            for (block, (lanes, count)) in blocks.iter().enumerate() {
                let mask = u32::MAX >> (LANES - count).min(31);
                stack.clear();
                stack.push((0, Demand::START, mask, mask));
                while let Some((node, d, fwd, rev)) = stack.pop() {
                    match descend(tree, node, *base, x, b) {
                        Step::Leaf(leaf) => {
                            if block == 0 {
                                for (on, took) in [(0, d.took_on), (1, d.took_off)] {
                                    if let (false, Some(s), Some(q)) =
                                        (took, sums.get_mut(on), seq.get_mut(on))
                                    {
                                        add(s, leaf, 1.0);
                                        add(q, leaf, e.tree_weight);
                                    }
                                }
                            }
                            // The leaf's value lands in one raw output (`slot`) or in all.
                            let vals = tree.node_values(leaf, per_tree);
                            let (slot, single) = match (target, vals) {
                                (Some(o), [v]) => (o as usize, *v),
                                (None, [v]) if kr == 1 => (0, *v),
                                _ => (usize::MAX, 0.0),
                            };
                            let passes = [(fwd, &d.hi_a, &d.lo_b, 0), (rev, &d.hi_b, &d.lo_a, 1)];
                            for (mut bits, enter, leave, half) in passes {
                                while bits != 0 {
                                    let i = bits.trailing_zeros() as usize;
                                    bits &= bits - 1;
                                    let row = (2 * (block * LANES + i) + half) * steps;
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
                                        if slot != usize::MAX {
                                            if let Some(d) = delta.get_mut(at + slot) {
                                                *d += sign * single;
                                            }
                                        } else if let Some(d) = delta.get_mut(at..at + kr) {
                                            add(d, leaf, sign);
                                        }
                                    }
                                }
                            }
                        }
                        Step::Part { feature, on, off } => {
                            let Some(p) = lanes.get(feature as usize) else {
                                continue;
                            };
                            for (child, side) in [(off, false), (on, true)] {
                                let next = d.take(p, side);
                                let (f, r) = next.active();
                                let (f, r) = (f & mask, r & mask);
                                if f | r != 0 {
                                    stack.push((child, next, f, r));
                                }
                            }
                        }
                    }
                }
            }
        }
        let raw_end = |on: usize| -> Vec<f64> {
            let (sum, sq) = (sums.get(on), seq.get(on));
            (0..kr)
                .map(|o| {
                    let base = e.base_score.get(o).copied().unwrap_or(0.0);
                    let s = sum.and_then(|s| s.get(o)).copied().unwrap_or(0.0);
                    match e.accumulate {
                        Accumulate::Sequential => sq.and_then(|s| s.get(o)).copied().unwrap_or(0.0),
                        Accumulate::Mean => base + s / e.mean_divisor(),
                        _ => base + e.tree_weight * s,
                    }
                })
                .collect()
        };
        let (raw_b, raw_x) = (raw_end(0), raw_end(1));
        // Each pass's raw outputs after steps 1..m-1, then the link, summed over background rows.
        let mut traj = Vec::with_capacity(halves * steps * kr);
        for (h, d) in delta.chunks(steps * kr).enumerate() {
            let mut cum = if h % 2 == 0 {
                raw_b.clone()
            } else {
                raw_x.clone()
            };
            for d in d.chunks(kr) {
                cum.iter_mut().zip(d).for_each(|(c, d)| *c += scale * d);
                traj.extend_from_slice(&cum);
            }
        }
        if let Ok(raw) = Array2::from_shape_vec((halves * steps, kr), traj) {
            let out = apply_link(e.link, raw);
            v_sum.iter_mut().zip(out.iter()).for_each(|(s, o)| *s += o);
        }
    }
    // Credit each feature as the row-by-row method does.
    let n_bg = input.background.nrows().max(1) as f64;
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
    use crate::explain::permutation::{permutation_shapley, PermutationOptions};
    use crate::model::{Comparison, Link, Model};
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
