//! A drift report over whole data: every column of a reference sample against the current
//! one, the prediction column, and the same within each level of a sensitive feature.
//!
//! Per column: missing values (NaN, ±∞; the missing category code `u32::MAX`) are counted and
//! dropped; the test is the user's or the default of [`super::select`]; p-values of the
//! feature columns are adjusted together ([`super::correction`]); a column drifts when its
//! adjusted p-value is below the threshold (tests) or its distance reaches it. The share of
//! drifted feature columns is the dataset's drift share, and the dataset drifts when the
//! share reaches `drift_share` (0.5, Evidently's default). Columns run in parallel with rayon
//! under the `parallel` feature.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ndarray::ArrayView1;

use super::column::{categorical_column, numeric_column, Outcome};
use super::correction::adjust;
use super::joint::{Fold, Joint, JointScratch};
use super::select::{Test, LARGE_SAMPLE};
use crate::error::{Error, Result};
use crate::report::{ColumnDrift, DriftReport, DriftSection, GroupDrift, Num, SCHEMA_VERSION};

pub use super::options::{DriftOptions, TestChoice};

/// One column's reference and current values.
#[derive(Debug, Clone)]
pub enum ColumnValues<'a> {
    /// Numbers (NaN and ±∞ are missing).
    Numeric {
        /// Reference values.
        reference: ArrayView1<'a, f64>,
        /// Current values.
        current: ArrayView1<'a, f64>,
    },
    /// Category codes into `levels` (`u32::MAX` is missing); both samples share the levels.
    Categorical {
        /// Reference codes.
        reference: ArrayView1<'a, u32>,
        /// Current codes.
        current: ArrayView1<'a, u32>,
        /// Level labels.
        levels: Vec<String>,
    },
}

/// A named column.
#[derive(Debug, Clone)]
pub struct DriftColumn<'a> {
    /// Column name.
    pub name: String,
    /// Its values.
    pub values: ColumnValues<'a>,
}

/// Group codes of the reference and current rows.
#[derive(Debug, Clone)]
pub struct GroupCodes<'a> {
    /// Name of the sensitive feature.
    pub name: String,
    /// Reference codes into `levels`.
    pub reference: ArrayView1<'a, u32>,
    /// Current codes into `levels`.
    pub current: ArrayView1<'a, u32>,
    /// Level labels.
    pub levels: Vec<String>,
}

/// Everything a report compares.
#[derive(Debug, Clone)]
pub struct DriftInput<'a> {
    /// Feature columns.
    pub columns: Vec<DriftColumn<'a>>,
    /// The model's predictions (scores, labels or classes), if any.
    pub prediction: Option<DriftColumn<'a>>,
    /// A sensitive feature to report drift within, if any.
    pub groups: Option<GroupCodes<'a>>,
}

/// Rows of one section: all, or those of one group.
#[derive(Clone, Copy)]
enum Rows<'a> {
    All,
    Group {
        reference: ArrayView1<'a, u32>,
        current: ArrayView1<'a, u32>,
        code: u32,
    },
}

/// Compute a drift report.
pub fn drift_report(input: &DriftInput<'_>, options: &DriftOptions) -> Result<DriftReport> {
    options.check()?;
    validate(input, options)?;
    let mut warnings = Vec::new();
    let overall = section(input, options, Rows::All, &mut warnings)?;
    let mut by_group = BTreeMap::new();
    if let Some(g) = &input.groups {
        for (code, level) in g.levels.iter().enumerate() {
            let code = code as u32;
            let n_ref = g.reference.iter().filter(|c| **c == code).count();
            let n_cur = g.current.iter().filter(|c| **c == code).count();
            let rows = Rows::Group {
                reference: g.reference,
                current: g.current,
                code,
            };
            let mut group_warnings = Vec::new();
            let (sec, error) = if n_ref == 0 || n_cur == 0 {
                let side = if n_ref == 0 { "reference" } else { "current" };
                (None, Some(format!("no {side} rows in group '{level}'")))
            } else {
                match section(input, options, rows, &mut group_warnings) {
                    Ok(s) => (Some(s), None),
                    Err(e) => (None, Some(e.to_string())),
                }
            };
            if let Some(e) = &error {
                warnings.push(format!("{}={level}: {e}", g.name));
            }
            warnings.extend(
                group_warnings
                    .into_iter()
                    .map(|w| format!("{}={level}: {w}", g.name)),
            );
            by_group.insert(
                level.clone(),
                GroupDrift {
                    n_reference: n_ref,
                    n_current: n_cur,
                    section: sec,
                    error,
                },
            );
        }
    }
    Ok(DriftReport {
        schema_version: SCHEMA_VERSION,
        kind: "drift".into(),
        params: options.clone(),
        overall,
        sensitive_feature: input.groups.as_ref().map(|g| g.name.clone()),
        by_group,
        warnings,
    })
}

fn validate(input: &DriftInput<'_>, options: &DriftOptions) -> Result<()> {
    if input.columns.is_empty() && input.prediction.is_none() {
        return Err(Error::invalid(
            "columns",
            "expected at least one column to compare, found none",
        ));
    }
    let (n_ref, n_cur) = match input.columns.first().or(input.prediction.as_ref()) {
        Some(c) => lengths(&c.values),
        None => (0, 0),
    };
    let mut seen = std::collections::BTreeSet::new();
    for c in input.columns.iter().chain(input.prediction.as_ref()) {
        if !seen.insert(c.name.as_str()) {
            return Err(Error::invalid(
                "columns",
                format!("column '{}' appears twice; names must be unique", c.name),
            ));
        }
        let (r, k) = lengths(&c.values);
        if (r, k) != (n_ref, n_cur) {
            return Err(Error::invalid(
                format!("column '{}'", c.name),
                format!(
                    "expected {n_ref} reference and {n_cur} current rows like the other \
                     columns, found {r} and {k}"
                ),
            ));
        }
    }
    if let Some(g) = &input.groups {
        if g.reference.len() != n_ref || g.current.len() != n_cur {
            return Err(Error::invalid(
                "sensitive_features",
                format!(
                    "expected {n_ref} reference and {n_cur} current rows, found {} and {}",
                    g.reference.len(),
                    g.current.len()
                ),
            ));
        }
        if let Some(bad) = g
            .reference
            .iter()
            .chain(g.current.iter())
            .find(|c| **c as usize >= g.levels.len())
        {
            return Err(Error::invalid(
                "sensitive_features",
                format!("expected group codes below {}, found {bad}", g.levels.len()),
            ));
        }
    }
    for (name, choice) in &options.tests {
        let Some(col) = input
            .columns
            .iter()
            .chain(input.prediction.as_ref())
            .find(|c| &c.name == name)
        else {
            return Err(Error::invalid(
                "tests",
                format!(
                    "no column named '{name}'; tests can be chosen for the compared columns only"
                ),
            ));
        };
        if matches!(col.values, ColumnValues::Categorical { .. }) && choice.test.numeric_only() {
            return Err(Error::invalid(
                "tests",
                format!(
                    "column '{name}' is categorical, but {} needs numbers; choose chisquare, \
                     psi or jensen_shannon",
                    choice.test.name()
                ),
            ));
        }
    }
    Ok(())
}

fn lengths(v: &ColumnValues<'_>) -> (usize, usize) {
    match v {
        ColumnValues::Numeric { reference, current } => (reference.len(), current.len()),
        ColumnValues::Categorical {
            reference, current, ..
        } => (reference.len(), current.len()),
    }
}

fn section(
    input: &DriftInput<'_>,
    options: &DriftOptions,
    rows: Rows<'_>,
    warnings: &mut Vec<String>,
) -> Result<DriftSection> {
    #[cfg(feature = "parallel")]
    let outcomes: Vec<Outcome> = {
        use rayon::prelude::*;
        let pool = std::sync::Mutex::new(Vec::<JointScratch>::new());
        input
            .columns
            .par_iter()
            .map(|c| {
                // Scratch buffers (two of both samples' size) pass from column to column:
                // fresh ones cost page faults. At most one per thread is ever made.
                let mut scratch = pool
                    .lock()
                    .ok()
                    .and_then(|mut p| p.pop())
                    .unwrap_or_default();
                let out = column(c, options, rows, &mut scratch);
                if let Ok(mut p) = pool.lock() {
                    p.push(scratch);
                }
                out
            })
            // Every column's outcome first, then the first error in column order: collecting
            // straight into a `Result` would report whichever failing column a thread reached first.
            .collect::<Vec<Result<Outcome>>>()
            .into_iter()
            .collect::<Result<Vec<_>>>()?
    };
    #[cfg(not(feature = "parallel"))]
    let outcomes: Vec<Outcome> = {
        let mut scratch = JointScratch::default();
        input
            .columns
            .iter()
            .map(|c| column(c, options, rows, &mut scratch))
            .collect::<Result<Vec<_>>>()?
    };
    let prediction = input
        .prediction
        .as_ref()
        .map(|c| column(c, options, rows, &mut JointScratch::default()))
        .transpose()?;
    let raw: Vec<f64> = outcomes
        .iter()
        .map(|o| {
            if o.drift.test.has_pvalue() {
                o.drift.p_value.0
            } else {
                f64::NAN
            }
        })
        .collect();
    let adjusted = adjust(&raw, options.correction);
    let mut columns = Vec::with_capacity(outcomes.len());
    for (o, p_adj) in outcomes.into_iter().zip(adjusted) {
        warnings.extend(o.warnings);
        columns.push(finish(o.drift, p_adj));
    }
    let prediction = prediction.map(|o| {
        warnings.extend(o.warnings);
        let p = o.drift.p_value.0;
        finish(o.drift, p)
    });
    let n_drifted = columns.iter().filter(|c| c.drifted).count();
    let n_columns = columns.len();
    let drift_share = if n_columns == 0 {
        f64::NAN
    } else {
        n_drifted as f64 / n_columns as f64
    };
    let (n_reference, n_current) = match rows {
        Rows::All => input
            .columns
            .first()
            .or(input.prediction.as_ref())
            .map_or((0, 0), |c| lengths(&c.values)),
        Rows::Group {
            reference,
            current,
            code,
        } => (
            reference.iter().filter(|c| **c == code).count(),
            current.iter().filter(|c| **c == code).count(),
        ),
    };
    Ok(DriftSection {
        n_reference,
        n_current,
        columns,
        prediction,
        n_columns,
        n_drifted,
        drift_share: Num(drift_share),
        dataset_drift: drift_share >= options.drift_share,
    })
}

/// Apply the adjusted p-value and the verdict.
fn finish(mut d: ColumnDrift, p_adjusted: f64) -> ColumnDrift {
    if d.test.has_pvalue() {
        d.p_value_adjusted = Num(p_adjusted);
        d.drifted = p_adjusted < d.threshold;
    } else {
        d.drifted = d.statistic.0 >= d.threshold;
    }
    d
}

fn pick<'v, T: Copy>(
    values: ArrayView1<'v, T>,
    groups: Option<ArrayView1<'v, u32>>,
    code: u32,
) -> Vec<T> {
    match groups {
        None => values.iter().copied().collect(),
        Some(g) => values
            .iter()
            .zip(g.iter())
            .filter(|(_, c)| **c == code)
            .map(|(v, _)| *v)
            .collect(),
    }
}

fn column(
    c: &DriftColumn<'_>,
    options: &DriftOptions,
    rows: Rows<'_>,
    scratch: &mut JointScratch,
) -> Result<Outcome> {
    let (gref, gcur, code) = match rows {
        Rows::All => (None, None, 0),
        Rows::Group {
            reference,
            current,
            code,
        } => (Some(reference), Some(current), code),
    };
    let choice = options.tests.get(&c.name).copied();
    match &c.values {
        ColumnValues::Numeric { reference, current } => {
            let picked;
            let (reference, current) = match (gref, gcur) {
                (None, None) => (*reference, *current),
                _ => {
                    picked = (pick(*reference, gref, code), pick(*current, gcur, code));
                    (ArrayView1::from(&picked.0), ArrayView1::from(&picked.1))
                }
            };
            // Wasserstein (the default above LARGE_SAMPLE values) or KS run during the sort.
            let fold = match choice {
                Some(c) if c.test == Test::Wasserstein => Fold::Wasserstein,
                Some(c) if c.test == Test::Ks => Fold::Ks,
                None if reference.len() > LARGE_SAMPLE => Fold::Wasserstein,
                _ => Fold::Nothing,
            };
            let joint = Joint::build(reference, current, scratch, fold);
            let raw = reference
                .to_slice()
                .map_or_else(|| Cow::Owned(reference.to_vec()), Cow::Borrowed);
            let outcome = numeric_column(&c.name, &joint, &raw, choice, options);
            joint.recycle(scratch);
            outcome
        }
        ColumnValues::Categorical {
            reference,
            current,
            levels,
        } => {
            let count =
                |codes: ArrayView1<'_, u32>, groups: Option<ArrayView1<'_, u32>>, side: &str| {
                    let mut counts = vec![0.0; levels.len()];
                    let mut missing = 0;
                    let mut rows_seen = 0;
                    let mut visit = |row: usize, v: u32| -> Result<()> {
                        rows_seen += 1;
                        if v == u32::MAX {
                            missing += 1;
                            return Ok(());
                        }
                        match counts.get_mut(v as usize) {
                            Some(slot) => {
                                *slot += 1.0;
                                Ok(())
                            }
                            None => Err(Error::invalid(
                                format!("column '{}'", c.name),
                                format!(
                                    "{side} code {v} at row {row} is not below the {} levels",
                                    levels.len()
                                ),
                            )),
                        }
                    };
                    match groups {
                        None => codes
                            .iter()
                            .enumerate()
                            .try_for_each(|(i, v)| visit(i, *v))?,
                        Some(g) => codes
                            .iter()
                            .zip(g.iter())
                            .enumerate()
                            .filter(|(_, (_, gc))| **gc == code)
                            .try_for_each(|(i, (v, _))| visit(i, *v))?,
                    }
                    Ok::<_, Error>((counts, missing, rows_seen))
                };
            let (rc, rmiss, rrows) = count(*reference, gref, "reference")?;
            let (cc, cmiss, crows) = count(*current, gcur, "current")?;
            categorical_column(
                &c.name,
                (rc, rmiss, rrows),
                (cc, cmiss, crows),
                levels,
                choice,
                options,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn identical_data_does_not_drift() {
        let x = array![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let c = array![0_u32, 1, 1, 0, 2, 2, 1, 0];
        let input = DriftInput {
            columns: vec![
                DriftColumn {
                    name: "x".into(),
                    values: ColumnValues::Numeric {
                        reference: x.view(),
                        current: x.view(),
                    },
                },
                DriftColumn {
                    name: "c".into(),
                    values: ColumnValues::Categorical {
                        reference: c.view(),
                        current: c.view(),
                        levels: vec!["a".into(), "b".into(), "c".into()],
                    },
                },
            ],
            prediction: None,
            groups: None,
        };
        let r = drift_report(&input, &DriftOptions::default()).unwrap();
        assert_eq!(r.overall.n_drifted, 0);
        assert_eq!(r.overall.columns[0].statistic.0, 0.0);
        assert_eq!(r.overall.columns[0].test, Test::Ks);
        assert_eq!(r.overall.columns[1].test, Test::Chisquare);
        assert_eq!(r.overall.columns[1].statistic.0, 0.0);
    }

    #[test]
    fn all_missing_column_is_an_error() {
        let x = array![f64::NAN, f64::NAN];
        let y = array![1.0, 2.0];
        let input = DriftInput {
            columns: vec![DriftColumn {
                name: "x".into(),
                values: ColumnValues::Numeric {
                    reference: x.view(),
                    current: y.view(),
                },
            }],
            prediction: None,
            groups: None,
        };
        let e = drift_report(&input, &DriftOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("column 'x'") && e.contains("missing"), "{e}");
    }
}
