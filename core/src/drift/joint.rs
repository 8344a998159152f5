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
}

fn contiguous(v: ArrayView1<'_, f64>) -> Cow<'_, [f64]> {
    match v.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(v.to_vec()),
    }
}

impl Joint {
    /// Sort `reference` and `current` together (see the module documentation).
    pub fn build(
        reference: ArrayView1<'_, f64>,
        current: ArrayView1<'_, f64>,
        scratch: &mut JointScratch,
    ) -> Joint {
        let (r, c) = (contiguous(reference), contiguous(current));
        let sides: [&[f64]; 2] = [&r, &c];
        let mut top = std::mem::take(&mut scratch.top);
        top.clear();
        top.resize(BUCKETS, 0);
        let mut finite = [0_usize; 2];
        for (side, n) in sides.iter().zip(&mut finite) {
            for v in side.iter() {
                if v.is_finite() {
                    *n += 1;
                    if let Some(t) = top.get_mut((key(*v) >> 48) as usize) {
                        *t += 1;
                    }
                }
            }
        }
        let n = finite[0] + finite[1];
        let mut joint = Joint {
            elements: Vec::new(),
            runs: Vec::new(),
            n_reference: finite[0],
            n_current: finite[1],
            missing_reference: r.len() - finite[0],
            missing_current: c.len() - finite[1],
        };
        if n < SMALL {
            joint.sort_small(sides);
        } else {
            joint.sort_buckets(sides, &top, n, scratch);
        }
        scratch.top = top;
        joint
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
    ) {
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
        for (tag, side) in (0_u64..).zip(sides) {
            for v in side {
                if v.is_finite() {
                    let k = key(*v);
                    if let Some(p) = next.get_mut((k >> 48) as usize) {
                        if let Some(slot) = out.get_mut(*p) {
                            *slot = (k << 16) | tag;
                        }
                        *p += 1;
                    }
                }
            }
        }
        let mut sorted = scratch.take(n);
        let mut start = 0;
        for (_, len) in &self.runs {
            let range = start..start + len;
            start += len;
            if let (Some(src), Some(dst)) = (out.get(range.clone()), sorted.get_mut(range)) {
                sort_bucket(src, dst, &mut scratch.hist);
            }
        }
        scratch.give(out);
        scratch.next = next;
        self.elements = sorted;
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
        let mut tracker = ExtremesTracker::new(self.n_reference, self.n_current);
        let (mut i, mut j, mut distinct) = (0_usize, 0_usize, 0_usize);
        let (mut last, mut in1, mut in2) = (f64::NAN, false, false);
        self.for_each(|z, current| {
            if z != last {
                if !last.is_nan() {
                    tracker.record(last, i, j, in1, in2);
                }
                distinct += 1;
                (last, in1, in2) = (z, false, false);
            }
            in1 |= !current;
            in2 |= current;
            i += usize::from(!current);
            j += usize::from(current);
        });
        if !last.is_nan() {
            tracker.record(last, i, j, in1, in2);
        }
        (tracker.finish(), distinct)
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
pub fn std_finite(x: &[f64]) -> f64 {
    const LANES: usize = 4;
    fn lanes(x: &[f64], term: impl Fn(f64) -> f64) -> f64 {
        let (mut s, mut c) = ([0.0_f64; LANES], [0.0_f64; LANES]);
        let mut add = |l: usize, v: f64| {
            if let (Some(s), Some(c)) = (s.get_mut(l), c.get_mut(l)) {
                let t = *s + v;
                let v_part = t - *s;
                *c += (*s - (t - v_part)) + (v - v_part);
                *s = t;
            }
        };
        let chunks = x.chunks_exact(LANES);
        let rest = chunks.remainder();
        for chunk in chunks {
            for (l, v) in chunk.iter().enumerate() {
                add(l, term(*v));
            }
        }
        for (l, v) in rest.iter().enumerate() {
            add(l, term(*v));
        }
        let mut total = Sum::default();
        for (s, c) in s.iter().zip(&c) {
            total.add(*s);
            total.add(*c);
        }
        total.value()
    }
    let mask = |v: f64| u64::from(v.is_finite()).wrapping_neg();
    let n = x.iter().filter(|v| v.is_finite()).count() as f64;
    let mean = lanes(x, |v| f64::from_bits(v.to_bits() & mask(v))) / n;
    let var = lanes(x, |v| {
        let d = f64::from_bits((v - mean).to_bits() & mask(v));
        d * d
    }) / n;
    libm::sqrt(var)
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
    for end in hist.iter() {
        if end - start > FEW {
            if let Some(sub) = dst.get_mut(start..*end) {
                sub.sort_unstable();
            }
        }
        start = *end;
    }
    insertion_sort(dst);
}

/// Insertion sort: linear on the nearly sorted buckets it gets.
fn insertion_sort(a: &mut [u64]) {
    for i in 1..a.len() {
        let Some(&x) = a.get(i) else { break };
        let mut j = i;
        while let Some(&y) = a.get(j.wrapping_sub(1)) {
            if y <= x {
                break;
            }
            if let Some(slot) = a.get_mut(j) {
                *slot = y;
            }
            j -= 1;
        }
        if j != i {
            if let Some(slot) = a.get_mut(j) {
                *slot = x;
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
    fn split_is_each_sample_sorted() {
        for n in [0, 1, 10, 3000, 50_000] {
            let s = samples(n, 5);
            for a in &s {
                for b in &s {
                    let j = Joint::build(
                        Array1::from(a.clone()).view(),
                        Array1::from(b[..b.len() / 2].to_vec()).view(),
                        &mut JointScratch::default(),
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
                    );
                    let want = wasserstein_with_distinct(&ra, &rb).unwrap();
                    let got = j.wasserstein_distinct().unwrap();
                    assert_eq!(got.0.to_bits(), want.0.to_bits(), "{got:?} {want:?}");
                    assert_eq!(got.1, want.1);
                    assert_eq!(j.distinct(), want.1);
                    let (sd, want_sd) = (std_finite(a), std_population(&ra));
                    let both_nan = sd.is_nan() && want_sd.is_nan(); // the 1e300s overflow
                    assert!(
                        both_nan || (sd - want_sd).abs() <= 4.0 * f64::EPSILON * want_sd,
                        "{sd} {want_sd}"
                    );
                    let (ext, distinct) = j.ks_extremes();
                    assert_eq!(distinct, want.1);
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
                    }
                    j.recycle(&mut scratch);
                }
            }
        }
    }
}
