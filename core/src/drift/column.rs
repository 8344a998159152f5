//! One column's drift: the test chosen (the user's or [`super::select`]'s default), its
//! statistic and p-value, and the bins and details recorded with them. Missing values have
//! been dropped by the caller; a column with no value left on either side is an error.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::anderson::anderson_ksamp_sorted;
use super::binning::{
    histogram_sorted, n_distinct, quantile_counts_sorted, quantile_edges, sturges_edges,
    value_counts, value_label, BinningMethod, Bins, MAX_VALUE_CATEGORIES,
};
use super::chisquare::chisquare_drift;
use super::jensen_shannon::jensen_shannon_from_counts;
use super::joint::{std_finite, Joint};
use super::ks::{ks_from_extremes, Alternative};
use super::options::{DriftOptions, TestChoice};
use super::psi::psi_from_counts;
use super::select::{default_test, Test, LARGE_SAMPLE};
use super::wasserstein::wasserstein_normed_sorted;
use crate::error::{Error, Result};
use crate::report::{ColumnDrift, Num};

/// Raw per-column outcome before correction.
pub(crate) struct Outcome {
    pub(crate) drift: ColumnDrift,
    pub(crate) warnings: Vec<String>,
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

pub(crate) fn numeric_column(
    name: &str,
    joint: &Joint,
    reference: &[f64],
    choice: Option<TestChoice>,
    options: &DriftOptions,
) -> Result<Outcome> {
    let (n_ref, n_cur) = (joint.n_reference, joint.n_current);
    check_sizes(name, "reference", n_ref + joint.missing_reference, n_ref)?;
    check_sizes(name, "current", n_cur + joint.missing_current, n_cur)?;
    // The distinct count (it picks the default test) comes out of the same pass as
    // Wasserstein (the default for large samples) or KS when either is wanted.
    let wants_w = choice.map_or(n_ref > LARGE_SAMPLE, |c| c.test == Test::Wasserstein);
    let wants_ks = choice.is_some_and(|c| c.test == Test::Ks);
    let (mut fused_w, mut fused_ks) = (None, None);
    let n_distinct_all = if wants_ks {
        let (ext, n) = joint.fused_ks();
        fused_ks = Some(ext);
        n
    } else if let Some((w, n)) = wants_w.then(|| joint.fused_wasserstein()).flatten() {
        fused_w = Some(w);
        n
    } else {
        joint.distinct()
    };
    let test = choice.map_or_else(|| default_test(true, n_ref, n_distinct_all), |c| c.test);
    let threshold = choice
        .and_then(|c| c.threshold)
        .unwrap_or_else(|| test.default_threshold(options.alpha));
    let mut d = blank(name, "numeric", test, choice.is_some(), threshold);
    d.n_reference = n_ref;
    d.n_current = n_cur;
    d.missing_reference = joint.missing_reference;
    d.missing_current = joint.missing_current;
    d.n_distinct = n_distinct_all;
    let mut warnings = Vec::new();
    match test {
        Test::Ks => {
            let ext = match fused_ks {
                Some(ext) => ext,
                None => joint.fused_ks().0,
            };
            let res =
                ks_from_extremes(n_ref, n_cur, &ext, Alternative::TwoSided, options.ks_method)?;
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
            let (rv, kv) = joint.split();
            let res = anderson_ksamp_sorted(&[&rv, &kv], true)?;
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
            let (w, norm) = match fused_w {
                Some(w) => {
                    let sd = joint
                        .reference_std()
                        .unwrap_or_else(|| std_finite(reference));
                    let norm = sd.max(0.001);
                    (w / norm, norm)
                }
                None => {
                    let (rv, kv) = joint.split();
                    wasserstein_normed_sorted(&rv, &kv)
                }
            };
            d.statistic = Num(w);
            d.details.insert("distance".into(), num(w * norm));
            d.details.insert("norm".into(), num(norm));
        }
        Test::Psi | Test::JensenShannon | Test::Chisquare => {
            let (rv, kv) = joint.split();
            let (bins, rc, kc) = numeric_bins(&rv, &kv, options);
            d.bins = Some(bins);
            binned_statistic(&mut d, test, &rc, &kc, options)?;
            warnings.extend(infinite_statistic(name, &d));
        }
    }
    Ok(Outcome { drift: d, warnings })
}

/// Chi-square is infinite when the current data has bins or categories the reference never
/// saw; JSON has no infinity, so the statistic is `null` there and this warning says why.
fn infinite_statistic(name: &str, d: &ColumnDrift) -> Option<String> {
    if !d.statistic.0.is_infinite() {
        return None;
    }
    let unseen = d
        .details
        .get("unseen_in_reference")
        .map_or_else(String::new, |v| format!(" ({v})"));
    Some(format!(
        "column '{name}': the current data has values the reference never saw{unseen}; the \
         {} statistic is infinite (null in JSON) and the column counts as drifted",
        d.test.name()
    ))
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

pub(crate) fn categorical_column(
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
    let warnings = infinite_statistic(name, &d).into_iter().collect();
    Ok(Outcome { drift: d, warnings })
}
