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

use std::collections::BTreeMap;

use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::anderson::anderson_ksamp_sorted;
use super::binning::{
    histogram_sorted, n_distinct, quantile_counts_sorted, quantile_edges, sturges_edges,
    value_counts, value_label, BinningMethod, Bins, MAX_VALUE_CATEGORIES,
};
use super::chisquare::chisquare_drift;
use super::correction::{adjust, Correction};
use super::jensen_shannon::jensen_shannon_from_counts;
use super::ks::{ks_2samp_sorted, Alternative, KsMethod};
use super::psi::{psi_from_counts, Floor};
use super::sample::Sorted;
use super::select::{default_test, Test};
use super::wasserstein::wasserstein_normed_sorted;
use crate::error::{Error, Result};
use crate::report::{ColumnDrift, DriftReport, DriftSection, GroupDrift, Num, SCHEMA_VERSION};

/// A user's choice of test for one column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestChoice {
    /// The test.
    pub test: Test,
    /// Its threshold (the test's default when absent).
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// Options of a drift report; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriftOptions {
    /// Threshold of p-value tests (default 0.05).
    pub alpha: f64,
    /// Multiple-testing correction of the feature columns' p-values (default `bh`).
    pub correction: Correction,
    /// Share of drifted columns at which the dataset drifts (default 0.5).
    pub drift_share: f64,
    /// Quantile bins for PSI, Jensen–Shannon and chi-square on numeric columns (default 10).
    pub bins: usize,
    /// `quantile` (default) or `sturges` (Evidently's) binning of numeric columns.
    pub binning: BinningMethod,
    /// PSI's floor for empty bins (default: Evidently's rule).
    pub floor: Floor,
    /// Logarithm base of the Jensen–Shannon distance (default: natural, as Evidently).
    pub js_base: Option<f64>,
    /// Kolmogorov–Smirnov p-value method (default `auto`).
    pub ks_method: KsMethod,
    /// Per-column test overrides.
    pub tests: BTreeMap<String, TestChoice>,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            alpha: 0.05,
            correction: Correction::Bh,
            drift_share: 0.5,
            bins: 10,
            binning: BinningMethod::Quantile,
            floor: Floor::Evidently,
            js_base: None,
            ks_method: KsMethod::Auto,
            tests: BTreeMap::new(),
        }
    }
}

impl DriftOptions {
    /// Check every option.
    pub fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::invalid(
                "alpha",
                format!("expected a level between 0 and 1, found {}", self.alpha),
            ));
        }
        if !(self.drift_share > 0.0 && self.drift_share <= 1.0) {
            return Err(Error::invalid(
                "drift_share",
                format!("expected a share in (0, 1], found {}", self.drift_share),
            ));
        }
        if self.bins < 2 {
            return Err(Error::invalid(
                "bins",
                format!("expected at least 2 bins, found {}", self.bins),
            ));
        }
        if let Floor::Fixed(f) = self.floor {
            if !(f > 0.0 && f < 1.0) {
                return Err(Error::invalid(
                    "floor",
                    format!("expected a share between 0 and 1, found {f}"),
                ));
            }
        }
        if let Some(b) = self.js_base {
            if !(b > 0.0 && b != 1.0 && b.is_finite()) {
                return Err(Error::invalid(
                    "js_base",
                    format!("expected a positive logarithm base other than 1, found {b}"),
                ));
            }
        }
        for (column, choice) in &self.tests {
            if let Some(t) = choice.threshold {
                if !(t.is_finite() && t > 0.0) {
                    return Err(Error::invalid(
                        "tests",
                        format!("column '{column}': expected a positive threshold, found {t}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

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

/// Raw per-column outcome before correction.
struct Outcome {
    drift: ColumnDrift,
    warnings: Vec<String>,
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
        input
            .columns
            .par_iter()
            .map(|c| column(c, options, rows))
            .collect::<Result<Vec<_>>>()?
    };
    #[cfg(not(feature = "parallel"))]
    let outcomes: Vec<Outcome> = input
        .columns
        .iter()
        .map(|c| column(c, options, rows))
        .collect::<Result<Vec<_>>>()?;
    let prediction = input
        .prediction
        .as_ref()
        .map(|c| column(c, options, rows))
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

fn column(c: &DriftColumn<'_>, options: &DriftOptions, rows: Rows<'_>) -> Result<Outcome> {
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
            let (r, k) = match (gref, gcur) {
                (None, None) => (
                    Sorted::from_values(reference.iter()),
                    Sorted::from_values(current.iter()),
                ),
                _ => (
                    Sorted::from_values(pick(*reference, gref, code).iter()),
                    Sorted::from_values(pick(*current, gcur, code).iter()),
                ),
            };
            numeric_column(&c.name, &r, &k, choice, options)
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

fn check_sizes(name: &str, side: &str, rows: usize, present: usize) -> Result<()> {
    if rows == 0 {
        return Err(Error::invalid(
            format!("column '{name}'"),
            format!("the {side} data has no rows; drift needs at least one value on each side"),
        ));
    }
    if present == 0 {
        return Err(Error::invalid(
            format!("column '{name}'"),
            format!(
                "every one of the {rows} {side} values is missing (NaN, infinite or null); \
                 drop the column or fill its values"
            ),
        ));
    }
    Ok(())
}

fn blank(name: &str, kind: &str, test: Test, user: bool, threshold: f64) -> ColumnDrift {
    ColumnDrift {
        column: name.into(),
        kind: kind.into(),
        test,
        selected_by: if user { "user" } else { "default" }.into(),
        statistic: Num(f64::NAN),
        p_value: Num(f64::NAN),
        p_value_adjusted: Num(f64::NAN),
        threshold,
        drifted: false,
        n_reference: 0,
        n_current: 0,
        missing_reference: 0,
        missing_current: 0,
        n_distinct: 0,
        bins: None,
        details: BTreeMap::new(),
    }
}

fn num(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        Value::Null
    }
}

/// Distinct values over two sorted samples, by one branch-free merge pass.
fn distinct_union(a: &[f64], b: &[f64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    let mut last = f64::NAN;
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        let z = x.min(*y);
        n += usize::from(z != last);
        last = z;
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    let rest = a.get(i..).into_iter().chain(b.get(j..)).flatten();
    for z in rest {
        n += usize::from(*z != last);
        last = *z;
    }
    n
}

fn numeric_column(
    name: &str,
    r: &Sorted,
    k: &Sorted,
    choice: Option<TestChoice>,
    options: &DriftOptions,
) -> Result<Outcome> {
    check_sizes(name, "reference", r.len() + r.missing, r.len())?;
    check_sizes(name, "current", k.len() + k.missing, k.len())?;
    let (rv, kv) = (r.values.as_slice(), k.values.as_slice());
    let n_distinct_all = distinct_union(rv, kv);
    let test = choice.map_or_else(|| default_test(true, rv.len(), n_distinct_all), |c| c.test);
    let threshold = choice
        .and_then(|c| c.threshold)
        .unwrap_or_else(|| test.default_threshold(options.alpha));
    let mut d = blank(name, "numeric", test, choice.is_some(), threshold);
    d.n_reference = rv.len();
    d.n_current = kv.len();
    d.missing_reference = r.missing;
    d.missing_current = k.missing;
    d.n_distinct = n_distinct_all;
    let mut warnings = Vec::new();
    match test {
        Test::Ks => {
            let res = ks_2samp_sorted(rv, kv, Alternative::TwoSided, options.ks_method)?;
            d.statistic = Num(res.statistic);
            d.p_value = Num(res.pvalue);
            d.details
                .insert("statistic_location".into(), num(res.statistic_location));
            d.details
                .insert("statistic_sign".into(), json!(res.statistic_sign));
            d.details.insert("method".into(), json!(res.method));
            if res.exact_fallback {
                warnings.push(format!(
                    "column '{name}': the exact Kolmogorov-Smirnov p-value could not be computed; \
                     the asymptotic one is reported"
                ));
            }
        }
        Test::Anderson => {
            let res = anderson_ksamp_sorted(&[rv, kv], true)?;
            d.statistic = Num(res.statistic);
            d.p_value = Num(res.pvalue);
            d.details
                .insert("critical_values".into(), json!(res.critical_values));
            d.details
                .insert("pvalue_bound".into(), json!(res.pvalue_bound));
            if let Some(b) = res.pvalue_bound {
                warnings.push(format!(
                    "column '{name}': the Anderson-Darling p-value is {b} (outside the tabulated \
                     0.001-0.25)"
                ));
            }
        }
        Test::Wasserstein => {
            let (w, norm) = wasserstein_normed_sorted(rv, kv);
            d.statistic = Num(w);
            d.details.insert("distance".into(), num(w * norm));
            d.details.insert("norm".into(), num(norm));
        }
        Test::Psi | Test::JensenShannon | Test::Chisquare => {
            let (bins, rc, kc) = numeric_bins(rv, kv, options);
            d.bins = Some(bins);
            binned_statistic(&mut d, test, &rc, &kc, options)?;
        }
    }
    Ok(Outcome { drift: d, warnings })
}

/// Bins of a numeric column and the counts of both samples in them.
fn numeric_bins(rv: &[f64], kv: &[f64], options: &DriftOptions) -> (Bins, Vec<f64>, Vec<f64>) {
    if n_distinct(rv) <= MAX_VALUE_CATEGORIES {
        let (values, rc, kc) = value_counts(rv, kv);
        let categories = values.into_iter().map(value_label).collect();
        return (Bins::Categories { categories }, rc, kc);
    }
    let (edges, rc, kc) = match options.binning {
        BinningMethod::Quantile => {
            let edges = quantile_edges(rv, options.bins);
            let rc = quantile_counts_sorted(&edges, rv);
            let kc = quantile_counts_sorted(&edges, kv);
            (edges, rc, kc)
        }
        BinningMethod::Sturges => {
            let first = |s: &[f64]| s.first().copied().unwrap_or(f64::NAN);
            let last = |s: &[f64]| s.last().copied().unwrap_or(f64::NAN);
            let edges = sturges_edges(
                rv.len() + kv.len(),
                first(rv).min(first(kv)),
                last(rv).max(last(kv)),
            );
            let rc = histogram_sorted(&edges, rv);
            let kc = histogram_sorted(&edges, kv);
            (edges, rc, kc)
        }
    };
    (
        Bins::Edges {
            method: options.binning,
            edges: edges.into_iter().map(Num).collect(),
        },
        rc,
        kc,
    )
}

fn binned_statistic(
    d: &mut ColumnDrift,
    test: Test,
    rc: &[f64],
    kc: &[f64],
    options: &DriftOptions,
) -> Result<()> {
    match test {
        Test::Psi => {
            let res = psi_from_counts(rc, kc, options.floor)?;
            d.statistic = Num(res.statistic);
            d.details
                .insert("floor_reference".into(), num(res.floor_reference));
            d.details
                .insert("floor_current".into(), num(res.floor_current));
        }
        Test::JensenShannon => {
            d.statistic = Num(jensen_shannon_from_counts(rc, kc, options.js_base)?);
            d.details.insert(
                "base".into(),
                options.js_base.map_or(json!("e"), |b| json!(b)),
            );
        }
        _ => {
            let (res, unseen) = chisquare_drift(rc, kc)?;
            d.statistic = Num(res.statistic);
            d.p_value = Num(res.pvalue);
            d.details.insert("dof".into(), num(res.dof));
            let labels: Vec<String> = match &d.bins {
                Some(Bins::Categories { categories }) => unseen
                    .iter()
                    .filter_map(|i| categories.get(*i).cloned())
                    .collect(),
                _ => unseen.iter().map(|i| format!("bin {i}")).collect(),
            };
            d.details
                .insert("unseen_in_reference".into(), json!(labels));
        }
    }
    d.details.insert("reference_counts".into(), json!(rc));
    d.details.insert("current_counts".into(), json!(kc));
    Ok(())
}

fn categorical_column(
    name: &str,
    (rc, rmiss, rrows): (Vec<f64>, usize, usize),
    (kc, kmiss, krows): (Vec<f64>, usize, usize),
    levels: &[String],
    choice: Option<TestChoice>,
    options: &DriftOptions,
) -> Result<Outcome> {
    let n_ref = rrows - rmiss;
    let n_cur = krows - kmiss;
    check_sizes(name, "reference", rrows, n_ref)?;
    check_sizes(name, "current", krows, n_cur)?;
    // Keep the observed categories only (the union Evidently compares).
    let mut categories = Vec::new();
    let (mut r, mut k) = (Vec::new(), Vec::new());
    for ((a, b), level) in rc.iter().zip(&kc).zip(levels) {
        if *a > 0.0 || *b > 0.0 {
            categories.push(level.clone());
            r.push(*a);
            k.push(*b);
        }
    }
    let test = choice.map_or_else(|| default_test(false, n_ref, categories.len()), |c| c.test);
    let threshold = choice
        .and_then(|c| c.threshold)
        .unwrap_or_else(|| test.default_threshold(options.alpha));
    let mut d = blank(name, "categorical", test, choice.is_some(), threshold);
    d.n_reference = n_ref;
    d.n_current = n_cur;
    d.missing_reference = rmiss;
    d.missing_current = kmiss;
    d.n_distinct = categories.len();
    d.bins = Some(Bins::Categories { categories });
    if test.numeric_only() {
        return Err(Error::invalid(
            "tests",
            format!(
                "column '{name}' is categorical, but {} needs numbers",
                test.name()
            ),
        ));
    }
    binned_statistic(&mut d, test, &r, &k, options)?;
    Ok(Outcome {
        drift: d,
        warnings: Vec::new(),
    })
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
