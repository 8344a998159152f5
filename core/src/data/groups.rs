//! Sensitive and control features as integer codes, and the layout that maps a row to its
//! cell: (control stratum × sensitive group), the cartesian product of every feature's levels.
//! Empty intersections are cells like any other, so they show up as explicit rows.

use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Hard ceiling on the number of cells, to turn an absurd request into an error instead of
/// an out-of-memory crash.
pub const MAX_CELLS: usize = 1 << 22;

/// One grouping feature: codes `0..levels.len()` per row plus the level labels.
#[derive(Debug, Clone)]
pub struct Feature<'a> {
    /// Column name shown in reports.
    pub name: String,
    /// Per-row level code.
    pub codes: ArrayView1<'a, u32>,
    /// Level labels, in code order.
    pub levels: Vec<String>,
}

/// A feature's name and levels, without the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureLevels {
    /// Column name.
    pub name: String,
    /// Level labels in code order.
    pub levels: Vec<String>,
}

/// How cells are numbered: `cell = stratum * n_groups + group`, with mixed-radix encodings of
/// the control levels (stratum) and sensitive levels (group), first feature most significant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupLayout {
    /// Sensitive features.
    pub sensitive: Vec<FeatureLevels>,
    /// Control features (empty when none).
    pub control: Vec<FeatureLevels>,
}

impl GroupLayout {
    /// Build and check a layout from feature levels.
    pub fn new(sensitive: Vec<FeatureLevels>, control: Vec<FeatureLevels>) -> Result<Self> {
        if sensitive.is_empty() {
            return Err(Error::invalid(
                "sensitive_features",
                "expected at least one sensitive feature column, found none",
            ));
        }
        for (arg, set) in [
            ("sensitive_features", &sensitive),
            ("control_features", &control),
        ] {
            for f in set.iter() {
                if f.levels.is_empty() {
                    return Err(Error::invalid(
                        arg,
                        format!("column '{}' has no values", f.name),
                    ));
                }
            }
        }
        let names: Vec<&str> = sensitive
            .iter()
            .chain(&control)
            .map(|f| f.name.as_str())
            .collect();
        // A handful of names: a quadratic scan, not a sort (one sort fewer in the WASM module);
        // the first duplicate in sorted order is named, as a sort would find it.
        let duplicate = names
            .iter()
            .enumerate()
            .filter(|(i, n)| names.get(..*i).is_some_and(|seen| seen.contains(n)))
            .map(|(_, n)| *n)
            .min();
        if let Some(name) = duplicate {
            return Err(Error::invalid(
                "sensitive_features",
                format!("duplicate feature name '{name}'; give every column a distinct name"),
            ));
        }
        let layout = GroupLayout { sensitive, control };
        let cells = layout
            .n_groups()
            .checked_mul(layout.n_strata())
            .filter(|c| *c <= MAX_CELLS)
            .ok_or_else(|| {
                Error::invalid(
                    "sensitive_features",
                    format!(
                        "the features' level combinations exceed {MAX_CELLS} cells; \
                         bin high-cardinality columns before grouping by them"
                    ),
                )
            })?;
        debug_assert!(cells > 0);
        Ok(layout)
    }

    /// Number of sensitive groups (product of sensitive level counts).
    pub fn n_groups(&self) -> usize {
        product(&self.sensitive)
    }

    /// Number of control strata (1 without control features).
    pub fn n_strata(&self) -> usize {
        product(&self.control)
    }

    /// Total number of cells.
    pub fn n_cells(&self) -> usize {
        self.n_groups() * self.n_strata()
    }

    /// Level labels of group `g`, one per sensitive feature.
    pub fn group_labels(&self, g: usize) -> Vec<String> {
        labels(&self.sensitive, g)
    }

    /// Level labels of stratum `s`, one per control feature (empty without control features).
    pub fn stratum_labels(&self, s: usize) -> Vec<String> {
        labels(&self.control, s)
    }
}

fn product(features: &[FeatureLevels]) -> usize {
    features
        .iter()
        .fold(1usize, |acc, f| acc.saturating_mul(f.levels.len()))
}

fn labels(features: &[FeatureLevels], mut index: usize) -> Vec<String> {
    let mut out = vec![String::new(); features.len()];
    for (slot, f) in out.iter_mut().zip(features).rev() {
        let n = f.levels.len().max(1);
        *slot = f.levels.get(index % n).cloned().unwrap_or_default();
        index /= n;
    }
    out
}

/// The levels of a list of features.
pub fn levels_of(features: &[Feature<'_>]) -> Vec<FeatureLevels> {
    features
        .iter()
        .map(|f| FeatureLevels {
            name: f.name.clone(),
            levels: f.levels.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fl(name: &str, levels: &[&str]) -> FeatureLevels {
        FeatureLevels {
            name: name.into(),
            levels: levels.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn labels_are_mixed_radix() {
        let layout = GroupLayout::new(
            vec![fl("a", &["a0", "a1"]), fl("b", &["b0", "b1", "b2"])],
            vec![fl("c", &["x", "y"])],
        )
        .unwrap();
        assert_eq!(layout.n_cells(), 12);
        assert_eq!(layout.group_labels(4), vec!["a1", "b1"]);
        assert_eq!(layout.stratum_labels(1), vec!["y"]);
    }

    #[test]
    fn duplicate_names_and_absurd_sizes_are_errors() {
        assert!(GroupLayout::new(vec![fl("a", &["1"]), fl("a", &["2"])], vec![]).is_err());
        let many: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let err = GroupLayout::new(vec![fl("a", &refs), fl("b", &refs)], vec![]).unwrap_err();
        assert!(err.to_string().contains("exceed"));
    }
}
