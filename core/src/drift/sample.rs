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

impl Sorted {
    /// Drop non-finite values of `data` and sort the rest.
    pub fn from_values<'a>(data: impl IntoIterator<Item = &'a f64>) -> Self {
        let mut missing = 0;
        let mut values = Vec::new();
        for v in data {
            if v.is_finite() {
                values.push(*v);
            } else {
                missing += 1;
            }
        }
        radix_sort(&mut values);
        Sorted { values, missing }
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

fn key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn from_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// Sort ascending (total order: -0.0 before 0.0) with 11-bit digits, skipping digits every
/// key shares; small inputs use the standard sort.
pub fn radix_sort(values: &mut [f64]) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    if values.len() < 4096 {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    let mut keys: Vec<u64> = values.iter().map(|v| key(*v)).collect();
    let mut buffer = vec![0_u64; keys.len()];
    let (and, or) = keys
        .iter()
        .fold((u64::MAX, 0_u64), |(a, o), k| (a & k, o | k));
    let varying = and ^ or;
    let mut counts = vec![0_usize; BUCKETS];
    let mut shift = 0;
    while shift < 64 {
        let mask = (BUCKETS as u64 - 1) << shift;
        if varying & mask != 0 {
            counts.iter_mut().for_each(|c| *c = 0);
            for k in &keys {
                if let Some(c) = counts.get_mut(((k >> shift) as usize) & (BUCKETS - 1)) {
                    *c += 1;
                }
            }
            let mut total = 0;
            for c in counts.iter_mut() {
                let here = *c;
                *c = total;
                total += here;
            }
            for k in &keys {
                if let Some(c) = counts.get_mut(((k >> shift) as usize) & (BUCKETS - 1)) {
                    if let Some(slot) = buffer.get_mut(*c) {
                        *slot = *k;
                    }
                    *c += 1;
                }
            }
            std::mem::swap(&mut keys, &mut buffer);
        }
        shift += BITS;
    }
    for (v, k) in values.iter_mut().zip(&keys) {
        *v = from_key(*k);
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
        expected.sort_by(f64::total_cmp);
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
