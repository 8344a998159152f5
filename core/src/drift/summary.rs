//! Mergeable drift summaries: per-bin counts of a reference and a current sample over fixed
//! bins, updated chunk by chunk and merged across partitions, from which PSI, Jensen–Shannon
//! and chi-square follow exactly as from the whole columns (counts are integers, so chunking
//! and merge order change nothing).
//!
//! Numeric bins are fixed up front — typically [`super::binning::quantile_edges`] of the
//! reference, which needs the reference's values once — after which the current data can
//! stream. Kolmogorov–Smirnov, Wasserstein and Anderson–Darling depend on every value's rank
//! and have no such summary: they take whole (sorted) columns.

use serde::{Deserialize, Serialize};

use super::chisquare::{chisquare_drift, ChisquareResult};
use super::jensen_shannon::jensen_shannon_from_counts;
use super::psi::{psi_from_counts, Floor, PsiResult};
use crate::error::{Error, Result};

/// How values map to bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SummaryBins {
    /// Numeric values: bin = number of `inner_edges` `≤ x` (open outer bins); non-finite
    /// values are counted as missing.
    Edges {
        /// Inner edges, ascending.
        inner_edges: Vec<f64>,
    },
    /// Category codes `0..n_categories`; `u32::MAX` is missing.
    Categories {
        /// Number of categories.
        n_categories: usize,
    },
}

/// Counts of both samples over shared bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftSummary {
    /// The bins.
    pub bins: SummaryBins,
    /// Reference count per bin.
    pub reference: Vec<u64>,
    /// Current count per bin.
    pub current: Vec<u64>,
    /// Missing values seen in the reference.
    pub missing_reference: u64,
    /// Missing values seen in the current sample.
    pub missing_current: u64,
}

/// Which sample a chunk belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The reference sample.
    Reference,
    /// The current sample.
    Current,
}

impl DriftSummary {
    /// An empty summary over numeric bins with these full edges (as recorded in a report:
    /// the outer two edges are ignored, the outer bins being open).
    pub fn numeric(edges: &[f64]) -> Result<Self> {
        if edges.windows(2).any(|w| matches!(w, [a, b] if a >= b))
            || edges.iter().any(|e| !e.is_finite())
        {
            return Err(Error::invalid(
                "edges",
                "expected finite, strictly increasing bin edges",
            ));
        }
        let inner = edges
            .get(1..edges.len().saturating_sub(1))
            .unwrap_or(&[])
            .to_vec();
        let k = inner.len() + 1;
        Ok(Self::with_bins(
            SummaryBins::Edges { inner_edges: inner },
            k,
        ))
    }

    /// An empty summary over `n_categories` category codes.
    pub fn categorical(n_categories: usize) -> Result<Self> {
        if n_categories == 0 {
            return Err(Error::invalid(
                "n_categories",
                "expected at least one category, found 0",
            ));
        }
        Ok(Self::with_bins(
            SummaryBins::Categories { n_categories },
            n_categories,
        ))
    }

    fn with_bins(bins: SummaryBins, k: usize) -> Self {
        DriftSummary {
            bins,
            reference: vec![0; k],
            current: vec![0; k],
            missing_reference: 0,
            missing_current: 0,
        }
    }

    fn side(&mut self, side: Side) -> (&mut Vec<u64>, &mut u64) {
        match side {
            Side::Reference => (&mut self.reference, &mut self.missing_reference),
            Side::Current => (&mut self.current, &mut self.missing_current),
        }
    }

    /// Count a chunk of numeric values.
    pub fn update_values(&mut self, side: Side, values: &[f64]) -> Result<()> {
        let SummaryBins::Edges { inner_edges } = &self.bins else {
            return Err(Error::invalid(
                "values",
                "this summary counts category codes; pass codes, not numbers",
            ));
        };
        let inner = inner_edges.clone();
        let (counts, missing) = self.side(side);
        for x in values {
            if !x.is_finite() {
                *missing += 1;
                continue;
            }
            if let Some(c) = counts.get_mut(inner.partition_point(|e| e <= x)) {
                *c += 1;
            }
        }
        Ok(())
    }

    /// Count a chunk of category codes (`u32::MAX` = missing).
    pub fn update_codes(&mut self, side: Side, codes: &[u32]) -> Result<()> {
        let SummaryBins::Categories { n_categories } = self.bins else {
            return Err(Error::invalid(
                "codes",
                "this summary counts numeric values; pass numbers, not codes",
            ));
        };
        // Check the whole chunk first, so a bad chunk leaves the summary unchanged.
        if let Some((row, c)) = codes
            .iter()
            .enumerate()
            .find(|(_, c)| **c != u32::MAX && **c as usize >= n_categories)
        {
            return Err(Error::invalid(
                "codes",
                format!("expected category codes below {n_categories}, found {c} at row {row}"),
            ));
        }
        let (counts, missing) = self.side(side);
        for c in codes {
            if *c == u32::MAX {
                *missing += 1;
            } else if let Some(slot) = counts.get_mut(*c as usize) {
                *slot += 1;
            }
        }
        Ok(())
    }

    /// Add another summary over the same bins.
    pub fn merge(&mut self, other: &DriftSummary) -> Result<()> {
        if self.bins != other.bins {
            return Err(Error::invalid(
                "other",
                "cannot merge summaries over different bins; build every partition's summary \
                 from the same edges or categories",
            ));
        }
        self.reference
            .iter_mut()
            .zip(&other.reference)
            .for_each(|(a, b)| *a += b);
        self.current
            .iter_mut()
            .zip(&other.current)
            .for_each(|(a, b)| *a += b);
        self.missing_reference += other.missing_reference;
        self.missing_current += other.missing_current;
        Ok(())
    }

    /// A summary from its JSON, checked (counts over as many bins as the bins define).
    pub fn from_json(text: &str) -> Result<Self> {
        let s: DriftSummary = serde_json::from_str(text)
            .map_err(|e| Error::invalid("json", format!("malformed drift summary ({e})")))?;
        let k = match &s.bins {
            SummaryBins::Edges { inner_edges } => inner_edges.len() + 1,
            SummaryBins::Categories { n_categories } => *n_categories,
        };
        if s.reference.len() != k || s.current.len() != k {
            return Err(Error::invalid(
                "json",
                format!(
                    "expected {k} counts per sample for these bins, found {} and {}",
                    s.reference.len(),
                    s.current.len()
                ),
            ));
        }
        Ok(s)
    }

    fn as_f64(&self) -> (Vec<f64>, Vec<f64>) {
        (
            self.reference.iter().map(|c| *c as f64).collect(),
            self.current.iter().map(|c| *c as f64).collect(),
        )
    }

    /// PSI of the counts.
    pub fn psi(&self, floor: Floor) -> Result<PsiResult> {
        let (r, c) = self.as_f64();
        psi_from_counts(&r, &c, floor)
    }

    /// Jensen–Shannon distance of the counts.
    pub fn jensen_shannon(&self, base: Option<f64>) -> Result<f64> {
        let (r, c) = self.as_f64();
        jensen_shannon_from_counts(&r, &c, base)
    }

    /// Chi-square drift of the counts.
    pub fn chisquare(&self) -> Result<ChisquareResult> {
        let (r, c) = self.as_f64();
        Ok(chisquare_drift(&r, &c)?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_merged_equal_one_pass() {
        let edges = [0.0, 1.0, 2.0, 3.0];
        let values: Vec<f64> = (0..100).map(|i| f64::from(i % 7) * 0.5).collect();
        let mut one = DriftSummary::numeric(&edges).unwrap();
        one.update_values(Side::Reference, &values).unwrap();
        one.update_values(Side::Current, &values[10..]).unwrap();
        let mut a = DriftSummary::numeric(&edges).unwrap();
        let mut b = a.clone();
        a.update_values(Side::Reference, &values[..40]).unwrap();
        b.update_values(Side::Reference, &values[40..]).unwrap();
        a.update_values(Side::Current, &values[10..50]).unwrap();
        b.update_values(Side::Current, &values[50..]).unwrap();
        a.merge(&b).unwrap();
        assert_eq!(a, one);
        assert_eq!(
            a.psi(Floor::Evidently).unwrap().statistic,
            one.psi(Floor::Evidently).unwrap().statistic
        );
        assert!(a.merge(&DriftSummary::categorical(2).unwrap()).is_err());
    }
}
