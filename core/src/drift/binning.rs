//! The bins PSI, Jensen–Shannon and chi-square compare, fixed once and recorded.
//!
//! * `quantile` (aequa's default for numeric columns): edges at the reference's quantiles
//!   `np.quantile(reference, np.linspace(0, 1, bins + 1))` (numpy's linear method), repeated
//!   edges dropped; the outer bins are open, so bin `i` holds `e_i ≤ x < e_{i+1}` with
//!   `e_0 = −∞` and `e_k = +∞` (current values outside the reference's range are counted).
//! * `sturges` (Evidently's numeric binning): `np.histogram_bin_edges(concat(reference,
//!   current), bins="sturges")`, bins closed on the left, the last closed on both sides.
//! * `categories`: one bin per category (categorical columns), or per distinct value for a
//!   numeric column whose reference has at most [`MAX_VALUE_CATEGORIES`] distinct values —
//!   Evidently's rule, so a 0/1 column is compared value by value.

use serde::{Deserialize, Serialize};

use super::sample::runs;
use crate::fairness::quantile::quantile_sorted;
use crate::report::Num;

/// A numeric column whose reference has at most this many distinct values is binned by value.
pub const MAX_VALUE_CATEGORIES: usize = 20;

/// How numeric columns are binned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BinningMethod {
    /// Quantile edges of the reference (open outer bins).
    #[default]
    Quantile,
    /// Evidently's Sturges histogram of both samples together.
    Sturges,
}

/// The bins used, as recorded in a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Bins {
    /// Numeric bins between `edges` (see the module documentation for each method).
    Edges {
        /// `quantile` or `sturges`.
        method: BinningMethod,
        /// Bin edges, ascending (for `quantile` the outer bins extend to ±∞).
        edges: Vec<Num>,
    },
    /// One bin per category or distinct value.
    Categories {
        /// The category labels (distinct values written as text for numeric columns).
        categories: Vec<String>,
    },
}

/// `np.unique(np.quantile(sorted, np.linspace(0, 1, bins + 1)))` for a sorted, non-empty sample.
pub fn quantile_edges(sorted: &[f64], bins: usize) -> Vec<f64> {
    let bins = bins.max(1);
    let step = 1.0 / bins as f64;
    let mut edges: Vec<f64> = (0..=bins)
        .map(|i| {
            let q = if i == bins { 1.0 } else { i as f64 * step };
            quantile_sorted(sorted, q)
        })
        .collect();
    edges.dedup();
    edges
}

/// Counts per quantile bin: bin index = number of inner edges `≤ x`.
pub fn quantile_counts(edges: &[f64], sorted_or_not: &[f64]) -> Vec<f64> {
    let inner = edges.get(1..edges.len().saturating_sub(1)).unwrap_or(&[]);
    let mut counts = vec![0.0; inner.len() + 1];
    for x in sorted_or_not {
        let i = inner.partition_point(|e| e <= x);
        if let Some(c) = counts.get_mut(i) {
            *c += 1.0;
        }
    }
    counts
}

/// Counts per quantile bin for a sorted sample, by one merge pass.
pub fn quantile_counts_sorted(edges: &[f64], sorted: &[f64]) -> Vec<f64> {
    let inner = edges.get(1..edges.len().saturating_sub(1)).unwrap_or(&[]);
    let mut counts = Vec::with_capacity(inner.len() + 1);
    let mut start = 0;
    for e in inner {
        let end = start
            + sorted
                .get(start..)
                .map_or(0, |s| s.partition_point(|x| x < e));
        counts.push((end - start) as f64);
        start = end;
    }
    counts.push(sorted.len().saturating_sub(start) as f64);
    counts
}

/// Evidently's `np.histogram_bin_edges(combined, bins="sturges")` from the combined sample's
/// size, minimum and maximum.
pub fn sturges_edges(n: usize, min: f64, max: f64) -> Vec<f64> {
    let (mut first, mut last) = (min, max);
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    let ptp = max - min;
    let width = ptp / (libm::log2(n as f64) + 1.0);
    let n_bins = if width > 0.0 {
        libm::ceil((last - first) / width).max(1.0) as usize
    } else {
        1
    };
    // np.linspace(first, last, n_bins + 1)
    let step = (last - first) / n_bins as f64;
    let mut edges: Vec<f64> = (0..=n_bins).map(|i| i as f64 * step + first).collect();
    if let Some(e) = edges.last_mut() {
        *e = last;
    }
    edges
}

/// `np.histogram(sorted, edges)` counts (last bin closed; values outside are ignored).
pub fn histogram_sorted(edges: &[f64], sorted: &[f64]) -> Vec<f64> {
    let n_bins = edges.len().saturating_sub(1);
    let mut counts = Vec::with_capacity(n_bins);
    let (first, last) = match (edges.first(), edges.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => return counts,
    };
    let mut start = sorted.partition_point(|x| *x < first);
    for (i, e) in edges.iter().skip(1).enumerate() {
        let end = if i + 1 == n_bins {
            sorted.partition_point(|x| *x <= last)
        } else {
            start
                + sorted
                    .get(start..)
                    .map_or(0, |s| s.partition_point(|x| x < e))
        };
        counts.push(end.saturating_sub(start) as f64);
        start = end;
    }
    counts
}

/// Distinct values of two sorted samples, with their counts in each (the union of values,
/// ascending).
pub fn value_counts(reference: &[f64], current: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (mut values, mut rc, mut cc) = (Vec::new(), Vec::new(), Vec::new());
    let mut r = runs(reference).peekable();
    let mut c = runs(current).peekable();
    loop {
        match (r.peek().copied(), c.peek().copied()) {
            (Some((a, na)), Some((b, nb))) if a == b => {
                values.push(a);
                rc.push(na as f64);
                cc.push(nb as f64);
                r.next();
                c.next();
            }
            (Some((a, na)), Some((b, _))) if a < b => {
                values.push(a);
                rc.push(na as f64);
                cc.push(0.0);
                r.next();
            }
            (Some((a, na)), None) => {
                values.push(a);
                rc.push(na as f64);
                cc.push(0.0);
                r.next();
            }
            (_, Some((b, nb))) => {
                values.push(b);
                rc.push(0.0);
                cc.push(nb as f64);
                c.next();
            }
            (None, None) => break,
        }
    }
    (values, rc, cc)
}

/// Number of distinct values in a sorted sample.
pub fn n_distinct(sorted: &[f64]) -> usize {
    runs(sorted).count()
}

/// A value written as Python's `repr` of a float would for integers (`3` → `"3"`), else
/// Rust's shortest round-trip form.
pub fn value_label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_edges_dedupe_and_count() {
        let s = [1.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let e = quantile_edges(&s, 4);
        // np.unique(np.quantile(s, [0, .25, .5, .75, 1])) = [1, 1.5?]: computed below
        assert_eq!(e.first(), Some(&1.0));
        let counts = quantile_counts_sorted(&e, &s);
        assert_eq!(counts, quantile_counts(&e, &s));
        assert_eq!(counts.iter().sum::<f64>(), 10.0);
        // Values outside the reference range land in the outer bins.
        let c = quantile_counts(&e, &[-100.0, 100.0]);
        assert_eq!((c.first(), c.last()), (Some(&1.0), Some(&1.0)));
    }

    #[test]
    fn sturges_matches_numpy() {
        // np.histogram_bin_edges(np.arange(100.0), bins="sturges") has 9 edges... (8 bins)
        let e = sturges_edges(100, 0.0, 99.0);
        assert_eq!(e.len(), 9);
        let all: Vec<f64> = (0..100).map(f64::from).collect();
        let h = histogram_sorted(&e, &all);
        assert_eq!(h.iter().sum::<f64>(), 100.0);
    }

    #[test]
    fn union_of_values() {
        let (v, r, c) = value_counts(&[0.0, 0.0, 1.0], &[1.0, 2.0]);
        assert_eq!(v, vec![0.0, 1.0, 2.0]);
        assert_eq!(r, vec![2.0, 1.0, 0.0]);
        assert_eq!(c, vec![0.0, 1.0, 1.0]);
    }
}
