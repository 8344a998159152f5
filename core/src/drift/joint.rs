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

use super::ks::{Extremes, ExtremesTracker};
use super::sample::{from_key, key};
use super::wasserstein::Sum;

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

/// A pass over the merged order, fed one sorted run of [`Joint`] elements at a time.
trait RunFold {
    fn run(&mut self, top: u64, run: &[u64]);
}

/// [`Joint::wasserstein_distinct`]'s loop, fed one sorted bucket at a time: the same
/// additions in the same order, so the same bits.
struct WassersteinFold {
    nu: i64,
    nv: i64,
    total: Sum,
    distinct: usize,
    last: f64,
    gap: i64,
}

impl RunFold for WassersteinFold {
    #[inline]
    fn run(&mut self, top: u64, run: &[u64]) {
        self.fold_run(top, run);
    }
}

impl WassersteinFold {
    /// `None` when a sample is empty or `n_ref · n_cur ≥ 2⁶³` (no statistic).
    fn new(n_reference: usize, n_current: usize) -> Option<Self> {
        let nu = i64::try_from(n_reference).ok()?;
        let nv = i64::try_from(n_current).ok()?;
        if nu == 0 || nv == 0 {
            return None;
        }
        nu.checked_mul(nv)?;
        Some(WassersteinFold {
            nu,
            nv,
            total: Sum::default(),
            distinct: 0,
            last: f64::NAN,
            gap: 0,
        })
    }

    #[inline]
    fn fold_run(&mut self, top: u64, run: &[u64]) {
        let hi = top << 48;
        if self.distinct == 0 {
            // The first value overall: the loop below adds 0 · 0 for it, as the whole-array
            // version does.
            match run.first() {
                Some(e) => {
                    self.last = from_key(hi | (e >> 16));
                    self.distinct = 1;
                }
                None => return,
            }
        }
        let (nu, nv) = (self.nu, self.nv);
        let (mut last, mut gap, mut distinct) = (self.last, self.gap, self.distinct);
        for e in run {
            let z = from_key(hi | (e >> 16));
            distinct += usize::from(z != last);
            self.total.add(gap.unsigned_abs() as f64 * (z - last));
            last = z;
            gap += if e & 1 == 1 { -nu } else { nv };
        }
        (self.last, self.gap, self.distinct) = (last, gap, distinct);
    }

    fn finish(&self) -> (f64, usize) {
        (
            self.total.value() / (self.nu as f64 * self.nv as f64),
            self.distinct,
        )
    }
}

/// [`Joint::ks_extremes`]'s pass: each distinct value recorded with the counts up to it.
struct KsFold {
    tracker: ExtremesTracker,
    i: usize,
    j: usize,
    distinct: usize,
    last: f64,
    in1: bool,
    in2: bool,
}

impl KsFold {
    fn new(n_reference: usize, n_current: usize) -> Self {
        KsFold {
            tracker: ExtremesTracker::new(n_reference, n_current),
            i: 0,
            j: 0,
            distinct: 0,
            last: f64::NAN,
            in1: false,
            in2: false,
        }
    }

    fn finish(mut self) -> (Extremes, usize) {
        if !self.last.is_nan() {
            self.tracker
                .record(self.last, self.i, self.j, self.in1, self.in2);
        }
        (self.tracker.finish(), self.distinct)
    }
}

impl RunFold for KsFold {
    #[inline]
    fn run(&mut self, top: u64, run: &[u64]) {
        let hi = top << 48;
        let (mut i, mut j, mut distinct) = (self.i, self.j, self.distinct);
        let (mut last, mut in1, mut in2) = (self.last, self.in1, self.in2);
        for e in run {
            let (z, current) = (from_key(hi | (e >> 16)), e & 1 == 1);
            if z != last {
                if !last.is_nan() {
                    self.tracker.record(last, i, j, in1, in2);
                }
                distinct += 1;
                (last, in1, in2) = (z, false, false);
            }
            in1 |= !current;
            in2 |= current;
            i += usize::from(!current);
            j += usize::from(current);
        }
        (self.i, self.j, self.distinct) = (i, j, distinct);
        (self.last, self.in1, self.in2) = (last, in1, in2);
    }
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
            joint.sort_small(sides);
            match fold {
                Fold::Wasserstein => {
                    joint.fused.wasserstein = Some(joint.wasserstein_distinct());
                    joint.fused.reference_std = Some(std_finite(&r));
                }
                Fold::Ks => joint.fused.ks = Some(joint.ks_extremes()),
                Fold::Nothing => {}
            }
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
        let mut sorted = scratch.take(n);
        let mut start = 0;
        for (top, len) in &self.runs {
            let range = start..start + len;
            start += len;
            if let (Some(src), Some(dst)) = (out.get(range.clone()), sorted.get_mut(range)) {
                sort_bucket(src, dst, &mut scratch.hist);
                if let Some(w) = fold.as_deref_mut() {
                    w.run(*top, dst);
                }
            }
        }
        scratch.give(out);
        scratch.next = next;
        self.elements = sorted;
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
    /// in the same order. `None` when a sample is empty or `n_ref · n_cur ≥ 2⁶³`.
    pub fn wasserstein_distinct(&self) -> Option<(f64, usize)> {
        let nu = i64::try_from(self.n_reference).ok()?;
        let nv = i64::try_from(self.n_current).ok()?;
        if nu == 0 || nv == 0 {
            return None;
        }
        nu.checked_mul(nv)?;
        let first = self.first()?;
        let mut total = Sum::default();
        let (mut distinct, mut last, mut gap) = (1_usize, first, 0_i64);
        self.for_each(|z, current| {
            distinct += usize::from(z != last);
            // Zero where z repeats the last value (and at the first).
            total.add(gap.unsigned_abs() as f64 * (z - last));
            last = z;
            gap += if current { -nu } else { nv };
        });
        Some((total.value() / (nu as f64 * nv as f64), distinct))
    }

    /// The smallest value.
    fn first(&self) -> Option<f64> {
        let (top, _) = self.runs.first()?;
        let e = self.elements.first()?;
        Some(from_key((top << 48) | (e >> 16)))
    }

    /// The extremes of `F_ref − F_cur` (as `ks_2samp`'s) and the distinct count.
    pub(crate) fn ks_extremes(&self) -> (Extremes, usize) {
        let mut fold = KsFold::new(self.n_reference, self.n_current);
        let mut start = 0;
        for (top, len) in &self.runs {
            if let Some(run) = self.elements.get(start..start + len) {
                fold.run(*top, run);
            }
            start += len;
        }
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

/// Population standard deviation (`np.std`, ddof 0) of the finite values of `x`, in any
/// order: compensated sums in four interleaved lanes (independent chains the compiler can
/// vectorize), non-finite values masked to `+0.0` (which leaves a compensated sum unchanged).
/// [`Joint::build`] with [`Fold::Wasserstein`] computes the same bits for the reference
/// during its own two passes.
pub fn std_finite(x: &[f64]) -> f64 {
    let n = x.iter().filter(|v| v.is_finite()).count();
    let mut sum = LaneSum::default();
    laned(x, |l, v| sum.add(l, masked(v)));
    let mean = sum.total() / n as f64;
    let mut squares = LaneSum::default();
    laned(x, |l, v| squares.add(l, squared_deviation(v, mean)));
    std_from(&squares, n)
}

const LANES: usize = 4;

/// A compensated sum in [`LANES`] interleaved lanes (value `i` of a pass to lane `i % 4`).
#[derive(Debug, Default, Clone, Copy)]
struct LaneSum {
    s: [f64; LANES],
    c: [f64; LANES],
}

impl LaneSum {
    #[inline(always)]
    fn add(&mut self, lane: usize, v: f64) {
        if let (Some(s), Some(c)) = (self.s.get_mut(lane), self.c.get_mut(lane)) {
            let t = *s + v;
            let v_part = t - *s;
            *c += (*s - (t - v_part)) + (v - v_part);
            *s = t;
        }
    }

    fn total(&self) -> f64 {
        let mut total = Sum::default();
        for (s, c) in self.s.iter().zip(&self.c) {
            total.add(*s);
            total.add(*c);
        }
        total.value()
    }
}

/// `f(i % LANES, x[i])` for every `i`, in chunks of [`LANES`] so the lanes stay in registers.
#[inline(always)]
fn laned(x: &[f64], mut f: impl FnMut(usize, f64)) {
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (l, v) in chunk.iter().enumerate() {
            f(l, *v);
        }
    }
    for (l, v) in rest.iter().enumerate() {
        f(l, *v);
    }
}

/// `v`, or `+0.0` when it is missing.
#[inline(always)]
fn masked(v: f64) -> f64 {
    f64::from_bits(v.to_bits() & u64::from(v.is_finite()).wrapping_neg())
}

#[inline(always)]
fn squared_deviation(v: f64, mean: f64) -> f64 {
    let d = f64::from_bits((v - mean).to_bits() & u64::from(v.is_finite()).wrapping_neg());
    d * d
}

fn std_from(squares: &LaneSum, n: usize) -> f64 {
    libm::sqrt(squares.total() / n as f64)
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
mod tests {
    use super::*;
    use crate::drift::ks::{ks_2samp_sorted, Alternative, KsMethod};
    use crate::drift::wasserstein::{std_population, wasserstein_with_distinct};
    use ndarray::Array1;

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        crate::math::sort_floats(&mut s);
        s
    }

    fn samples(n: usize, seed: u32) -> Vec<Vec<f64>> {
        let mut rng = crate::rng::seeded(seed, 0);
        let mut u = || crate::rng::below(&mut rng, 1_000_000) as f64 / 1e6;
        let normalish = |u: &mut dyn FnMut() -> f64| (0..12).map(|_| u()).sum::<f64>() - 6.0;
        let mut out: Vec<Vec<f64>> = vec![
            (0..n).map(|_| normalish(&mut u)).collect(),
            (0..n).map(|_| normalish(&mut u) * 1.3 + 0.2).collect(),
            // Integer-valued with many ties.
            (0..n)
                .map(|_| (normalish(&mut u) * 10.0 + 40.0).round())
                .collect(),
        ];
        // A few values only, some missing, signed zeros, wide range.
        out.push(
            (0..n)
                .map(|i| match i % 7 {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => 0.0,
                    3 => f64::INFINITY,
                    4 => 1e300 * u(),
                    5 => -1e-300 * u(),
                    _ => 3.0,
                })
                .collect(),
        );
        // Values differing only in low mantissa bits (one top bucket, one digit).
        out.push((0..n).map(|_| 1.0 + u() * 1e-12).collect());
        out
    }

    #[test]
    fn insertion_sort_sorts_any_order() {
        let mut rng = crate::rng::seeded(3, 0);
        for len in [0, 1, 2, 3, 5, 24, 49, 300] {
            for spread in [2, 10, 1 << 40] {
                let mut a: Vec<u64> = (0..len)
                    .map(|_| crate::rng::below(&mut rng, spread))
                    .collect();
                let mut want = a.clone();
                want.sort_unstable();
                insertion_sort(&mut a);
                assert_eq!(a, want);
                let mut rev = want.clone();
                rev.reverse();
                insertion_sort(&mut rev);
                assert_eq!(rev, want);
            }
        }
    }

    #[test]
    fn split_is_each_sample_sorted() {
        for n in [0, 1, 10, 3000, 50_000] {
            let s = samples(n, 5);
            for a in &s {
                for b in &s {
                    let j = Joint::build(
                        Array1::from(a.clone()).view(),
                        Array1::from(b[..b.len() / 2].to_vec()).view(),
                        &mut JointScratch::default(),
                        Fold::Nothing,
                    );
                    let (r, c) = j.split();
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&r), bits(&sorted(a)));
                    assert_eq!(bits(&c), bits(&sorted(&b[..b.len() / 2])));
                    assert_eq!(j.missing_reference, a.len() - r.len());
                }
            }
        }
    }

    #[test]
    fn statistics_equal_the_two_sample_merges() {
        let mut scratch = JointScratch::default();
        for n in [5, 3000, 40_000] {
            let s = samples(n, 9);
            for a in &s {
                for b in &s {
                    let (ra, rb) = (sorted(a), sorted(b));
                    let j = Joint::build(
                        Array1::from(a.clone()).view(),
                        Array1::from(b.clone()).view(),
                        &mut scratch,
                        Fold::Wasserstein,
                    );
                    let want = wasserstein_with_distinct(&ra, &rb).unwrap();
                    let got = j.wasserstein_distinct().unwrap();
                    assert_eq!(got.0.to_bits(), want.0.to_bits(), "{got:?} {want:?}");
                    assert_eq!(got.1, want.1);
                    let sd = j.reference_std().unwrap();
                    assert_eq!(
                        sd.to_bits(),
                        std_finite(a).to_bits(),
                        "{sd} {}",
                        std_finite(a)
                    );
                    let fused = j.fused_wasserstein().unwrap();
                    assert_eq!(fused.0.to_bits(), want.0.to_bits(), "{fused:?} {want:?}");
                    assert_eq!(fused.1, want.1);
                    assert_eq!(j.distinct(), want.1);
                    let (sd, want_sd) = (std_finite(a), std_population(&ra));
                    let both_nan = sd.is_nan() && want_sd.is_nan(); // the 1e300s overflow
                    assert!(
                        both_nan || (sd - want_sd).abs() <= 4.0 * f64::EPSILON * want_sd,
                        "{sd} {want_sd}"
                    );
                    let (ext, distinct) = j.ks_extremes();
                    assert_eq!(distinct, want.1);
                    let ks_joint = Joint::build(
                        Array1::from(a.clone()).view(),
                        Array1::from(b.clone()).view(),
                        &mut JointScratch::default(),
                        Fold::Ks,
                    );
                    let (fused_ext, fused_distinct) = ks_joint.fused_ks();
                    assert_eq!(fused_distinct, want.1);
                    for alt in [
                        Alternative::TwoSided,
                        Alternative::Less,
                        Alternative::Greater,
                    ] {
                        let got = crate::drift::ks::ks_from_extremes(
                            ra.len(),
                            rb.len(),
                            &ext,
                            alt,
                            KsMethod::Asymp,
                        )
                        .unwrap();
                        let want = ks_2samp_sorted(&ra, &rb, alt, KsMethod::Asymp).unwrap();
                        assert_eq!(got, want);
                        let fused = crate::drift::ks::ks_from_extremes(
                            ra.len(),
                            rb.len(),
                            &fused_ext,
                            alt,
                            KsMethod::Asymp,
                        )
                        .unwrap();
                        assert_eq!(fused, want);
                    }
                    j.recycle(&mut scratch);
                }
            }
        }
    }
}
