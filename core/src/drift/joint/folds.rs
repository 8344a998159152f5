//! The passes [`super::Joint`] runs over the merged order while it sorts (Wasserstein with the
//! distinct count, the KS extremes), and the four-lane compensated sums of the reference's
//! standard deviation that ride in its count and scatter passes.

use crate::drift::ks::{Extremes, ExtremesTracker};
use crate::drift::sample::from_key;
use crate::drift::wasserstein::Sum;

/// A pass over the merged order, fed one sorted run of [`Joint`] elements at a time.
pub(super) trait RunFold {
    fn run(&mut self, top: u64, run: &[u64]);
}

/// [`super::Joint::wasserstein_distinct`]'s loop, fed one sorted bucket at a time: the same
/// additions in the same order, so the same bits.
pub(super) struct WassersteinFold {
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
    pub(super) fn new(n_reference: usize, n_current: usize) -> Option<Self> {
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

    pub(super) fn finish(&self) -> (f64, usize) {
        (
            self.total.value() / (self.nu as f64 * self.nv as f64),
            self.distinct,
        )
    }
}

/// [`super::Joint::ks_extremes`]'s pass: each distinct value recorded with the counts up to it.
pub(super) struct KsFold {
    tracker: ExtremesTracker,
    i: usize,
    j: usize,
    distinct: usize,
    last: f64,
    in1: bool,
    in2: bool,
}

impl KsFold {
    pub(super) fn new(n_reference: usize, n_current: usize) -> Self {
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

    pub(super) fn finish(mut self) -> (Extremes, usize) {
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

/// Population standard deviation (`np.std`, ddof 0) of the finite values of `x`, in any
/// order: compensated sums in four interleaved lanes (independent chains the compiler can
/// vectorize), non-finite values masked to `+0.0` (which leaves a compensated sum unchanged).
/// [`super::Joint::build`] with [`super::Fold::Wasserstein`] computes the same bits for the reference
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

pub(super) const LANES: usize = 4;

/// A compensated sum in [`LANES`] interleaved lanes (value `i` of a pass to lane `i % 4`).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct LaneSum {
    s: [f64; LANES],
    c: [f64; LANES],
}

impl LaneSum {
    #[inline(always)]
    pub(super) fn add(&mut self, lane: usize, v: f64) {
        if let (Some(s), Some(c)) = (self.s.get_mut(lane), self.c.get_mut(lane)) {
            let t = *s + v;
            let v_part = t - *s;
            *c += (*s - (t - v_part)) + (v - v_part);
            *s = t;
        }
    }

    pub(super) fn total(&self) -> f64 {
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
pub(super) fn laned(x: &[f64], mut f: impl FnMut(usize, f64)) {
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
pub(super) fn masked(v: f64) -> f64 {
    f64::from_bits(v.to_bits() & u64::from(v.is_finite()).wrapping_neg())
}

#[inline(always)]
pub(super) fn squared_deviation(v: f64, mean: f64) -> f64 {
    let d = f64::from_bits((v - mean).to_bits() & u64::from(v.is_finite()).wrapping_neg());
    d * d
}

pub(super) fn std_from(squares: &LaneSum, n: usize) -> f64 {
    libm::sqrt(squares.total() / n as f64)
}
