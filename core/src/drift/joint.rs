//! A reference and a current sample sorted together, each value tagged with its sample, so
//! that Wasserstein, Kolmogorov–Smirnov, the distinct count and the reference's spread are
//! each one streaming pass over the merged order (no two-pointer merge, whose data-dependent
//! loads stall on interleaved samples).
//!
//! The sort: one counting pass over both samples on the top 16 bits of the order-preserving
//! key of [`super::sample`] (sign, exponent, 4 mantissa bits), one scatter into those buckets,
//! each element stored as its 48 low key bits and the sample tag (`key << 16 | tag`: the
//! bucket holds the top bits); then, per bucket (cache-sized on real data), one counting
//! scatter on the next `⌊log2(len)⌋` bits, a comparison sort of any sub-bucket still large
//! (ties, clustered values) and an insertion sort over the nearly sorted rest. Equal values of
//! the two samples sort reference first; nothing computed from the order depends on that.
//! Missing values (NaN, ±∞) are counted and dropped.

use std::borrow::Cow;

use ndarray::ArrayView1;

use super::ks::Extremes;
use super::sample::{from_key, key};

mod folds;
pub use folds::std_finite;
use folds::{
    laned, masked, squared_deviation, std_from, KsFold, LaneSum, RunFold, WassersteinFold,
};

/// Top-level buckets: the key's top 16 bits.
const BUCKETS: usize = 1 << 16;
/// Below this many values in all, one comparison sort instead of the buckets.
const SMALL: usize = 4096;
/// Buckets up to this size are insertion-sorted directly.
const TINY: usize = 48;
/// Sub-buckets larger than this are sorted by comparison before the insertion pass.
const FEW: usize = 24;
/// Most bits of the per-bucket digit.
const MAX_DIGIT_BITS: u32 = 15;
/// Per-bucket digit bits beyond `log2(len) − 1`.
const DIGIT_EXTRA: u32 = 1;

/// Buffers reused from one column to the next (fresh multi-megabyte buffers cost page faults).
#[derive(Debug, Default)]
pub struct JointScratch {
    top: Vec<usize>,
    next: Vec<usize>,
    hist: Vec<usize>,
    bucket: Vec<u64>,
    spare: Vec<Vec<u64>>,
}

impl JointScratch {
    /// A buffer of length `n` (contents unspecified), a kept one when one is large enough.
    fn take(&mut self, n: usize) -> Vec<u64> {
        let mut v = match self.spare.iter().position(|b| b.capacity() >= n) {
            Some(i) => self.spare.swap_remove(i),
            None => self.spare.pop().unwrap_or_default(),
        };
        v.truncate(n);
        v.resize(n, 0);
        v
    }

    fn give(&mut self, v: Vec<u64>) {
        if self.spare.len() < 2 {
            self.spare.push(v);
        } else if let Some(small) = self.spare.iter_mut().min_by_key(|b| b.capacity()) {
            if small.capacity() < v.capacity() {
                *small = v;
            }
        }
    }
}

/// Both samples' finite values in one ascending order, tagged by sample.
#[derive(Debug)]
pub struct Joint {
    /// `key << 16 | tag` (tag 1 = current), ascending within each run of `runs`.
    elements: Vec<u64>,
    /// `(top 16 key bits, length)` of each run of `elements`, ascending.
    runs: Vec<(u64, usize)>,
    /// Finite reference values.
    pub n_reference: usize,
    /// Finite current values.
    pub n_current: usize,
    /// Missing reference values dropped.
    pub missing_reference: usize,
    /// Missing current values dropped.
    pub missing_current: usize,
    /// What the [`Fold`] computed during the sort.
    fused: Fused,
}

#[derive(Debug, Default, Clone, Copy)]
struct Fused {
    wasserstein: Option<Option<(f64, usize)>>,
    reference_std: Option<f64>,
    ks: Option<(Extremes, usize)>,
}

/// What [`Joint::build`] also computes while each bucket is still in cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Only the sort.
    Nothing,
    /// [`Joint::wasserstein_distinct`] and the reference's [`std_finite`] too (read back with
    /// [`Joint::fused_wasserstein`] and [`Joint::reference_std`]).
    Wasserstein,
    /// [`Joint::ks_extremes`] too (read back with [`Joint::fused_ks`]).
    Ks,
}

fn contiguous(v: ArrayView1<'_, f64>) -> Cow<'_, [f64]> {
    match v.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(v.to_vec()),
    }
}

impl Joint {
    /// Sort `reference` and `current` together (see the module documentation), computing
    /// what `fold` asks for on the way.
    pub fn build(
        reference: ArrayView1<'_, f64>,
        current: ArrayView1<'_, f64>,
        scratch: &mut JointScratch,
        fold: Fold,
    ) -> Joint {
        let (r, c) = (contiguous(reference), contiguous(current));
        let sides: [&[f64]; 2] = [&r, &c];
        let mut top = std::mem::take(&mut scratch.top);
        top.clear();
        top.resize(BUCKETS, 0);
        let mut finite = [0_usize; 2];
        let mut count = |n: &mut usize, v: f64| {
            if v.is_finite() {
                *n += 1;
                if let Some(t) = top.get_mut((key(v) >> 48) as usize) {
                    *t += 1;
                }
            }
        };
        // With Wasserstein the reference's spread (its norm) rides along: the mean's sum here,
        // the squared deviations in the scatter.
        let mut sum = LaneSum::default();
        if fold == Fold::Wasserstein {
            laned(&r, |l, v| {
                count(&mut finite[0], v);
                sum.add(l, masked(v));
            });
        } else {
            r.iter().for_each(|v| count(&mut finite[0], *v));
        }
        c.iter().for_each(|v| count(&mut finite[1], *v));
        let n = finite[0] + finite[1];
        let mut joint = Joint {
            elements: Vec::new(),
            runs: Vec::new(),
            n_reference: finite[0],
            n_current: finite[1],
            missing_reference: r.len() - finite[0],
            missing_current: c.len() - finite[1],
            fused: Fused::default(),
        };
        if n < SMALL {
            // Nothing fused: the accessors compute what is asked for afterwards.
            joint.sort_small(sides);
        } else {
            match fold {
                Fold::Wasserstein => {
                    let mut w = WassersteinFold::new(finite[0], finite[1]);
                    let mean = sum.total() / finite[0] as f64;
                    let fold = w.as_mut().map(|w| w as &mut dyn RunFold);
                    let squares = joint.sort_buckets(sides, &top, n, scratch, fold, Some(mean));
                    joint.fused.wasserstein = Some(w.map(|w| w.finish()));
                    joint.fused.reference_std = Some(std_from(&squares, finite[0]));
                }
                Fold::Ks => {
                    let mut ks = KsFold::new(finite[0], finite[1]);
                    joint.sort_buckets(sides, &top, n, scratch, Some(&mut ks), None);
                    joint.fused.ks = Some(ks.finish());
                }
                Fold::Nothing => {
                    joint.sort_buckets(sides, &top, n, scratch, None, None);
                }
            }
        }
        scratch.top = top;
        joint
    }

    /// `W₁` and the distinct count as [`Joint::wasserstein_distinct`] gives them, computed
    /// during the sort when it was built with [`Fold::Wasserstein`] (else computed now).
    pub fn fused_wasserstein(&self) -> Option<(f64, usize)> {
        match self.fused.wasserstein {
            Some(w) => w,
            None => self.wasserstein_distinct(),
        }
    }

    /// [`Joint::ks_extremes`], computed during the sort when it was built with [`Fold::Ks`]
    /// (else computed now).
    pub(crate) fn fused_ks(&self) -> (Extremes, usize) {
        match self.fused.ks {
            Some(ks) => ks,
            None => self.ks_extremes(),
        }
    }

    /// [`std_finite`] of the reference, computed during the sort when it was built with
    /// [`Fold::Wasserstein`] (the norm of the normed Wasserstein distance).
    pub fn reference_std(&self) -> Option<f64> {
        self.fused.reference_std
    }

    fn sort_small(&mut self, sides: [&[f64]; 2]) {
        // (top bits, element) pairs sort in the full key's order.
        let mut pairs: Vec<(u64, u64)> = Vec::new();
        for (tag, side) in (0_u64..).zip(sides) {
            pairs.extend(side.iter().filter(|v| v.is_finite()).map(|v| {
                let k = key(*v);
                (k >> 48, (k << 16) | tag)
            }));
        }
        pairs.sort_unstable();
        self.elements = Vec::with_capacity(pairs.len());
        for (top, e) in pairs {
            self.elements.push(e);
            match self.runs.last_mut() {
                Some((t, len)) if *t == top => *len += 1,
                _ => self.runs.push((top, 1)),
            }
        }
    }

    fn sort_buckets(
        &mut self,
        sides: [&[f64]; 2],
        top: &[usize],
        n: usize,
        scratch: &mut JointScratch,
        mut fold: Option<&mut dyn RunFold>,
        reference_mean: Option<f64>,
    ) -> LaneSum {
        let mut next = std::mem::take(&mut scratch.next);
        next.clear();
        let mut total = 0;
        for (b, len) in (0_u64..).zip(top) {
            next.push(total);
            total += len;
            if *len > 0 {
                self.runs.push((b, *len));
            }
        }
        let mut out = scratch.take(n);
        let mut scatter = |tag: u64, v: f64| {
            if v.is_finite() {
                let k = key(v);
                if let Some(p) = next.get_mut((k >> 48) as usize) {
                    if let Some(slot) = out.get_mut(*p) {
                        *slot = (k << 16) | tag;
                    }
                    *p += 1;
                }
            }
        };
        let mut squares = LaneSum::default();
        let [reference, current] = sides;
        match reference_mean {
            Some(mean) => laned(reference, |l, v| {
                scatter(0, v);
                squares.add(l, squared_deviation(v, mean));
            }),
            None => reference.iter().for_each(|v| scatter(0, *v)),
        }
        current.iter().for_each(|v| scatter(1, *v));
        // Each bucket is sorted into a small buffer (cache-resident, reused) and copied back:
        // no second buffer of all the values to allocate and fault in.
        let mut sorted = std::mem::take(&mut scratch.bucket);
        let mut start = 0;
        for (top, len) in &self.runs {
            let range = start..start + len;
            start += len;
            if let Some(run) = out.get_mut(range) {
                sorted.clear();
                sorted.resize(run.len(), 0);
                sort_bucket(run, &mut sorted, &mut scratch.hist);
                if let Some(w) = fold.as_deref_mut() {
                    w.run(*top, &sorted);
                }
                run.copy_from_slice(&sorted);
            }
        }
        scratch.bucket = sorted;
        scratch.next = next;
        self.elements = out;
        squares
    }

    /// Hand the buffers back to `scratch`.
    pub fn recycle(self, scratch: &mut JointScratch) {
        scratch.give(self.elements);
    }

    /// Call `f(value, is_current)` on every value in ascending order.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(f64, bool)) {
        let mut start = 0;
        for (top, len) in &self.runs {
            let hi = top << 48;
            if let Some(run) = self.elements.get(start..start + len) {
                for e in run {
                    f(from_key(hi | (e >> 16)), e & 1 == 1);
                }
            }
            start += len;
        }
    }

    /// Distinct values over both samples.
    pub fn distinct(&self) -> usize {
        let (mut n, mut last) = (0, f64::NAN);
        self.for_each(|z, _| {
            n += usize::from(z != last);
            last = z;
        });
        n
    }

    /// `W₁` between the samples (scipy's `wasserstein_distance`) and the distinct count, as
    /// [`super::wasserstein::wasserstein_with_distinct`] of the sorted samples: the same sum
    /// in the same order, by the pass the sort runs with [`Fold::Wasserstein`]. `None` when a
    /// sample is empty or `n_ref · n_cur ≥ 2⁶³`.
    pub fn wasserstein_distinct(&self) -> Option<(f64, usize)> {
        let mut fold = WassersteinFold::new(self.n_reference, self.n_current)?;
        self.fold_runs(&mut fold);
        Some(fold.finish())
    }

    /// Feed every run, in order, to `fold`.
    fn fold_runs(&self, fold: &mut impl RunFold) {
        let mut start = 0;
        for (top, len) in &self.runs {
            if let Some(run) = self.elements.get(start..start + len) {
                fold.run(*top, run);
            }
            start += len;
        }
    }

    /// The extremes of `F_ref − F_cur` (as `ks_2samp`'s) and the distinct count.
    pub(crate) fn ks_extremes(&self) -> (Extremes, usize) {
        let mut fold = KsFold::new(self.n_reference, self.n_current);
        self.fold_runs(&mut fold);
        fold.finish()
    }

    /// The sorted reference and current values, apart.
    pub fn split(&self) -> (Vec<f64>, Vec<f64>) {
        // Every value is written to both outputs and only one index moves: no branch on the
        // sample (one slot of slack each for the writes past a finished side).
        let mut r = vec![0.0; self.n_reference + 1];
        let mut c = vec![0.0; self.n_current + 1];
        let (mut i, mut j) = (0, 0);
        self.for_each(|v, current| {
            if let Some(slot) = r.get_mut(i) {
                *slot = v;
            }
            if let Some(slot) = c.get_mut(j) {
                *slot = v;
            }
            i += usize::from(!current);
            j += usize::from(current);
        });
        r.truncate(i);
        c.truncate(j);
        (r, c)
    }
}

/// Sort one bucket `src` into `dst` (same length).
fn sort_bucket(src: &[u64], dst: &mut [u64], hist: &mut Vec<usize>) {
    let len = src.len();
    if len <= TINY {
        dst.copy_from_slice(src);
        insertion_sort(dst);
        return;
    }
    let bits = (usize::BITS - len.leading_zeros() + DIGIT_EXTRA).clamp(5, MAX_DIGIT_BITS + 2) - 2;
    let shift = 64 - bits;
    hist.clear();
    hist.resize(1 << bits, 0);
    for e in src {
        if let Some(h) = hist.get_mut((e >> shift) as usize) {
            *h += 1;
        }
    }
    if hist.contains(&len) {
        // The digit does not split this bucket (ties, or values closer than it resolves).
        dst.copy_from_slice(src);
        dst.sort_unstable();
        return;
    }
    let mut total = 0;
    for h in hist.iter_mut() {
        let here = *h;
        *h = total;
        total += here;
    }
    for e in src {
        if let Some(p) = hist.get_mut((e >> shift) as usize) {
            if let Some(slot) = dst.get_mut(*p) {
                *slot = *e;
            }
            *p += 1;
        }
    }
    // `hist[d]` is now the end of sub-bucket `d`.
    let mut start = 0;
    for end in hist.iter().copied() {
        if end - start > FEW {
            if let Some(sub) = dst.get_mut(start..end) {
                sub.sort_unstable();
            }
        }
        start = end;
    }
    insertion_sort(dst);
}

/// Insertion sort: linear on the nearly sorted buckets it gets.
fn insertion_sort(a: &mut [u64]) {
    // Each element first trades places with its left neighbour without a branch (min / max):
    // on the buckets this gets, most elements are in place or one step out, so the branch
    // that walks further left is rarely taken and rarely mispredicted.
    let Some(&first) = a.first() else { return };
    let mut prev = first;
    for i in 1..a.len() {
        let Some(&x) = a.get(i) else { break };
        let (lo, hi) = (x.min(prev), x.max(prev));
        if let Some([left, here]) = a.get_mut(i - 1..=i) {
            (*left, *here) = (lo, hi);
        }
        prev = hi;
        if a.get(i.wrapping_sub(2)).is_some_and(|&y| lo < y) {
            let mut j = i - 1;
            while let Some(&y) = a.get(j.wrapping_sub(1)) {
                if y <= lo {
                    break;
                }
                if let Some(slot) = a.get_mut(j) {
                    *slot = y;
                }
                j -= 1;
            }
            if let Some(slot) = a.get_mut(j) {
                *slot = lo;
            }
        }
    }
}

#[cfg(test)]
mod tests;
