//! Numeric samples as the drift statistics take them: missing values (NaN, ±∞) counted and
//! dropped, the rest sorted ascending by an LSD radix sort on the IEEE-754 bit patterns (the
//! same order as `f64::total_cmp`, several times faster than a comparison sort on millions of
//! values).

use crate::error::{Error, Result};

/// A sample's finite values, sorted, and how many missing values were dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Sorted {
    /// Finite values, ascending.
    pub values: Vec<f64>,
    /// NaN and infinite values dropped.
    pub missing: usize,
}

/// Buffers reused from one sort to the next (a drift report sorts two samples per column):
/// fresh multi-megabyte allocations cost page faults and zeroing by the kernel on every sort.
#[derive(Debug, Default)]
pub struct Scratch {
    spare: Vec<Vec<u64>>,
    top: Vec<usize>,
    next: Vec<usize>,
}

/// Buffers kept per scratch (two samples of a column, plus the sort's second buffer).
const KEEP: usize = 3;

impl Scratch {
    /// An empty buffer with room for `n` keys (a spare one when it is large enough).
    fn take(&mut self, n: usize) -> Vec<u64> {
        let mut v = match self.spare.iter().position(|b| b.capacity() >= n) {
            Some(i) => self.spare.swap_remove(i),
            None => Vec::with_capacity(n),
        };
        v.clear();
        v
    }

    /// Keep `v` for a later sort.
    fn give(&mut self, v: Vec<u64>) {
        if self.spare.len() < KEEP {
            self.spare.push(v);
        } else if let Some(small) = self.spare.iter_mut().min_by_key(|b| b.capacity()) {
            if small.capacity() < v.capacity() {
                *small = v;
            }
        }
    }
}

impl Sorted {
    /// Drop non-finite values of `data` and sort the rest (radix keys built, and their top
    /// digits counted, in the same pass).
    pub fn from_values<'a>(data: impl IntoIterator<Item = &'a f64>) -> Self {
        Self::from_values_in(data, &mut Scratch::default())
    }

    /// [`Sorted::from_values`] with buffers from `scratch`; hand the result back with
    /// [`Sorted::recycle`] once done.
    pub fn from_values_in<'a>(
        data: impl IntoIterator<Item = &'a f64>,
        scratch: &mut Scratch,
    ) -> Self {
        let mut missing = 0;
        let iter = data.into_iter();
        let mut keys = scratch.take(iter.size_hint().0);
        let mut top = std::mem::take(&mut scratch.top);
        top.clear();
        top.resize(TOP_BUCKETS, 0);
        for v in iter {
            if v.is_finite() {
                let k = key(*v);
                if let Some(c) = top.get_mut(top_digit(k)) {
                    *c += 1;
                }
                keys.push(k);
            } else {
                missing += 1;
            }
        }
        let values = if keys.len() < SMALL {
            let mut values: Vec<f64> = keys.iter().map(|k| from_key(*k)).collect();
            crate::math::sort_floats(&mut values);
            scratch.give(keys);
            values
        } else {
            // In place: a Vec<u64> mapped to a Vec<f64> keeps its allocation.
            sort_keys(keys, &top, scratch)
                .into_iter()
                .map(from_key)
                .collect()
        };
        scratch.top = top;
        Sorted { values, missing }
    }

    /// Return the values' buffer to `scratch` for the next sort.
    pub fn recycle(self, scratch: &mut Scratch) {
        scratch.give(self.values.into_iter().map(key).collect());
    }

    /// Number of finite values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// No finite value at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Sorted copies of `data` for the standalone tests: every value must be finite.
pub fn sorted_finite(argument: &str, data: &[f64]) -> Result<Vec<f64>> {
    if data.is_empty() {
        return Err(Error::invalid(
            argument,
            "expected at least one observation, found an empty sample",
        ));
    }
    if let Some((index, value)) = data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            argument: argument.into(),
            index,
            value: *value,
        });
    }
    let mut values = data.to_vec();
    radix_sort(&mut values);
    Ok(values)
}

pub(crate) fn key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

pub(crate) fn from_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// Below this many values the standard sort is used.
const SMALL: usize = 4096;
/// The most significant 16 bits select one of these buckets.
const TOP_BUCKETS: usize = 1 << 16;
/// Buckets this small are sorted by comparison.
const TINY: usize = 64;

fn top_digit(k: u64) -> usize {
    (k >> 48) as usize
}

/// Sort keys: one MSD pass on the top 16 bits (sign, exponent and 4 mantissa bits for
/// doubles, so buckets of real data are small enough to stay in cache), then an LSD radix
/// sort of each bucket on its 6 remaining bytes; `top` counts the keys per top digit.
fn sort_keys(keys: Vec<u64>, top: &[usize], scratch: &mut Scratch) -> Vec<u64> {
    let n = keys.len();
    let mut next = std::mem::take(&mut scratch.next);
    next.clear();
    let mut total = 0;
    for c in top {
        next.push(total);
        total += c;
    }
    let mut out = scratch.take(n);
    out.resize(n, 0);
    for k in &keys {
        if let Some(p) = next.get_mut(top_digit(*k)) {
            if let Some(slot) = out.get_mut(*p) {
                *slot = *k;
            }
            *p += 1;
        }
    }
    let mut buffer = keys;
    let mut start = 0;
    for len in top {
        let range = start..start + len;
        start += len;
        let (Some(bucket), Some(spare)) = (out.get_mut(range.clone()), buffer.get_mut(range))
        else {
            continue;
        };
        if *len < TINY {
            bucket.sort_unstable();
        } else if lsd_bytes(bucket, spare, 6) {
            bucket.copy_from_slice(spare);
        }
    }
    scratch.give(buffer);
    scratch.next = next;
    out
}

/// LSD radix sort of `keys` on their low `bytes` bytes (8-bit digits, digits every key
/// shares skipped), ping-ponging with `scratch`; true when the result ended in `scratch`.
fn lsd_bytes(keys: &mut [u64], scratch: &mut [u64], bytes: usize) -> bool {
    let n = keys.len();
    let mut hist = [[0_usize; 256]; 8];
    for k in keys.iter() {
        for (d, h) in hist.iter_mut().take(bytes).enumerate() {
            if let Some(c) = h.get_mut(((k >> (8 * d)) & 0xff) as usize) {
                *c += 1;
            }
        }
    }
    let mut in_scratch = false;
    for (d, h) in hist.iter_mut().take(bytes).enumerate() {
        if h.contains(&n) {
            continue; // every key has the same digit here
        }
        let mut total = 0;
        for c in h.iter_mut() {
            let here = *c;
            *c = total;
            total += here;
        }
        let (src, dst): (&[u64], &mut [u64]) = if in_scratch {
            (&*scratch, &mut *keys)
        } else {
            (&*keys, &mut *scratch)
        };
        let shift = 8 * d;
        for k in src {
            if let Some(c) = h.get_mut(((k >> shift) & 0xff) as usize) {
                if let Some(slot) = dst.get_mut(*c) {
                    *slot = *k;
                }
                *c += 1;
            }
        }
        in_scratch = !in_scratch;
    }
    in_scratch
}

/// Sort ascending in the total order (-0.0 before 0.0), by radix sort on the bit patterns;
/// small inputs use the standard sort.
pub fn radix_sort(values: &mut [f64]) {
    if values.len() < SMALL {
        crate::math::sort_floats(values);
        return;
    }
    let mut top = vec![0_usize; TOP_BUCKETS];
    let keys: Vec<u64> = values
        .iter()
        .map(|v| {
            let k = key(*v);
            if let Some(c) = top.get_mut(top_digit(k)) {
                *c += 1;
            }
            k
        })
        .collect();
    for (v, k) in values
        .iter_mut()
        .zip(sort_keys(keys, &top, &mut Scratch::default()))
    {
        *v = from_key(k);
    }
}

/// Distinct values of a sorted slice, with their multiplicities.
pub fn runs(sorted: &[f64]) -> impl Iterator<Item = (f64, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let v = *sorted.get(i)?;
        let len = sorted
            .get(i..)
            .map_or(0, |rest| rest.iter().take_while(|x| **x == v).count());
        i += len.max(1);
        Some((v, len.max(1)))
    })
}

/// Number of values `<= v` in a sorted slice.
pub fn count_le(sorted: &[f64], v: f64) -> usize {
    sorted.partition_point(|x| *x <= v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_sort_matches_total_order() {
        let mut rng = crate::rng::seeded(3, 0);
        let mut v: Vec<f64> = (0..10_000)
            .map(|i| {
                let u = crate::rng::below(&mut rng, 1_000_000) as f64;
                if i % 3 == 0 {
                    -u / 7.0
                } else {
                    u * 1e-3
                }
            })
            .collect();
        v.extend([0.0, -0.0, f64::MIN_POSITIVE, -1e300, 1e300]);
        let mut expected = v.clone();
        crate::math::sort_floats(&mut expected);
        radix_sort(&mut v);
        assert_eq!(
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn runs_and_counts() {
        let s = [1.0, 1.0, 2.0, 3.0, 3.0, 3.0];
        assert_eq!(
            runs(&s).collect::<Vec<_>>(),
            vec![(1.0, 2), (2.0, 1), (3.0, 3)]
        );
        assert_eq!(count_le(&s, 2.5), 3);
        let m = Sorted::from_values(&[f64::NAN, 2.0, f64::INFINITY, 1.0]);
        assert_eq!((m.values, m.missing), (vec![1.0, 2.0], 2));
    }
}
