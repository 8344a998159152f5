//! Tabular constraints of adversarial examples: immutable features, per-feature bounds,
//! integer features and one-hot groups. Checked against the data before any attack (a row
//! that already breaks a constraint is an error, not a silent clip), and enforced by
//! [`Constraints::project`] on every candidate.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Constraints on an adversarial row `x'` derived from row `x`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Constraints {
    /// Columns that must keep their value.
    pub immutable: Vec<usize>,
    /// Lower bound per column (`null`: unbounded); empty for none.
    pub lower: Vec<Option<f64>>,
    /// Upper bound per column (`null`: unbounded); empty for none.
    pub upper: Vec<Option<f64>>,
    /// Columns holding integers.
    pub integer: Vec<usize>,
    /// One-hot groups: columns of which exactly one is 1 and the others 0.
    pub one_hot: Vec<Vec<usize>>,
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
#[inline]
fn bad(message: String) -> Error {
    Error::invalid("constraints", message)
}

impl Constraints {
    /// Whether any constraint is set.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.immutable.is_empty()
            && self.lower.iter().all(Option::is_none)
            && self.upper.iter().all(Option::is_none)
            && self.integer.is_empty()
            && self.one_hot.is_empty()
    }

    #[inline]
    fn bound(v: &[Option<f64>], j: usize) -> Option<f64> {
        v.get(j).copied().flatten()
    }

    /// Check the constraints against `x` (`d` columns): indices in range, consistent bounds,
    /// and every row already satisfying them.
    #[inline]
    pub fn check(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        let d = x.ncols();
        let in_range = |j: usize, what: &str| -> Result<()> {
            if j >= d {
                return Err(bad(format!(
                    "{what} column index {j} is out of range: X has {d} columns"
                )));
            }
            Ok(())
        };
        for &j in self.immutable.iter().chain(self.integer.iter()) {
            in_range(j, "an immutable or integer")?;
        }
        for (name, v) in [("lower", &self.lower), ("upper", &self.upper)] {
            if !v.is_empty() && v.len() != d {
                return Err(bad(format!(
                    "expected {d} {name} bounds (one per column, null for none), found {}",
                    v.len()
                )));
            }
            if let Some(b) = v.iter().flatten().find(|b| b.is_nan()) {
                return Err(bad(format!(
                    "{name} bounds must be numbers or null, found {b}"
                )));
            }
        }
        for j in 0..d {
            if let (Some(lo), Some(hi)) = (Self::bound(&self.lower, j), Self::bound(&self.upper, j))
            {
                if lo > hi {
                    return Err(bad(format!(
                        "column {j}: the lower bound {lo} exceeds the upper bound {hi}"
                    )));
                }
            }
        }
        let mut seen = vec![false; d];
        for (g, group) in self.one_hot.iter().enumerate() {
            if group.len() < 2 {
                return Err(bad(format!(
                    "one-hot group {g} has {} column(s); a group needs at least 2",
                    group.len()
                )));
            }
            for &j in group {
                in_range(j, "a one-hot")?;
                if seen.get(j).copied().unwrap_or(false) {
                    return Err(bad(format!("column {j} is in more than one one-hot group")));
                }
                if let Some(s) = seen.get_mut(j) {
                    *s = true;
                }
                if self.immutable.contains(&j) {
                    return Err(bad(format!(
                        "column {j} is immutable but belongs to one-hot group {g}; make the \
                         whole group immutable by leaving it out of one_hot, or drop column {j} \
                         from immutable"
                    )));
                }
            }
        }
        for (i, row) in x.outer_iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if let Some(lo) = Self::bound(&self.lower, j) {
                    if v < lo {
                        return Err(bad(format!(
                            "row {i}, column {j}: the value {v} is below the lower bound {lo}; \
                             the data must satisfy the bounds before an attack"
                        )));
                    }
                }
                if let Some(hi) = Self::bound(&self.upper, j) {
                    if v > hi {
                        return Err(bad(format!(
                            "row {i}, column {j}: the value {v} is above the upper bound {hi}; \
                             the data must satisfy the bounds before an attack"
                        )));
                    }
                }
            }
            for &j in &self.integer {
                let v = row.get(j).copied().unwrap_or(0.0);
                if v.fract() != 0.0 {
                    return Err(bad(format!(
                        "row {i}, column {j}: the integer column holds {v}"
                    )));
                }
            }
            for (g, group) in self.one_hot.iter().enumerate() {
                let ones = group.iter().filter(|&&j| row.get(j) == Some(&1.0)).count();
                let zeros = group.iter().filter(|&&j| row.get(j) == Some(&0.0)).count();
                if ones != 1 || ones + zeros != group.len() {
                    return Err(bad(format!(
                        "row {i}: one-hot group {g} (columns {group:?}) is not one 1 and the \
                         rest 0"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Per column: may the attack change it? (Immutable columns may not.)
    #[inline]
    pub fn mutable(&self, d: usize) -> Vec<bool> {
        (0..d).map(|j| !self.immutable.contains(&j)).collect()
    }

    /// Move `x` to a nearby point that satisfies every constraint relative to `x0`:
    /// immutable columns reset, one-hot groups snapped to their largest entry, integers
    /// rounded, bounds clipped (integers to the nearest integer inside the bounds).
    #[inline]
    pub fn project(&self, x0: ArrayView1<'_, f64>, mut x: ArrayViewMut1<'_, f64>) {
        for &j in &self.immutable {
            if let (Some(v), Some(o)) = (x.get_mut(j), x0.get(j)) {
                *v = *o;
            }
        }
        for group in &self.one_hot {
            let mut best = (usize::MAX, f64::NEG_INFINITY);
            for &j in group {
                let v = x.get(j).copied().unwrap_or(f64::NEG_INFINITY);
                if v > best.1 {
                    best = (j, v);
                }
            }
            for &j in group {
                if let Some(v) = x.get_mut(j) {
                    *v = if j == best.0 { 1.0 } else { 0.0 };
                }
            }
        }
        for (j, v) in x.iter_mut().enumerate() {
            let integer = self.integer.contains(&j);
            if integer {
                *v = v.round();
            }
            if let Some(lo) = Self::bound(&self.lower, j) {
                if *v < lo {
                    *v = if integer { lo.ceil() } else { lo };
                }
            }
            if let Some(hi) = Self::bound(&self.upper, j) {
                if *v > hi {
                    *v = if integer { hi.floor() } else { hi };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn contradictions_are_errors() {
        let x = array![[0.0, 1.0, 2.0], [1.0, 0.0, 5.0]];
        let c = Constraints {
            upper: vec![None, None, Some(4.0)],
            ..Constraints::default()
        };
        assert!(c
            .check(x.view())
            .unwrap_err()
            .to_string()
            .contains("row 1, column 2"));
        let c = Constraints {
            immutable: vec![1],
            one_hot: vec![vec![0, 1]],
            ..Constraints::default()
        };
        assert!(c
            .check(x.view())
            .unwrap_err()
            .to_string()
            .contains("immutable"));
        let c = Constraints {
            one_hot: vec![vec![0, 1]],
            integer: vec![2],
            immutable: vec![2],
            ..Constraints::default()
        };
        c.check(x.view()).unwrap();
        let mut z = array![0.3, 0.6, 7.4];
        c.project(x.row(0), z.view_mut());
        assert_eq!(z, array![0.0, 1.0, 2.0]);
    }
}
