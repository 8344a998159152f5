//! Drift golden replay: `tests/golden/drift/*.json` (scipy 1.17 and Evidently 0.7.23, written
//! by `tests/golden/generate_drift.py`) recomputed by the core to 1e-9 (absolute, or relative
//! above 1), plus property tests of the statistics' axioms.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use aequa_core::drift::anderson::anderson_ksamp;
use aequa_core::drift::binning::Bins;
use aequa_core::drift::chisquare::chisquare;
use aequa_core::drift::dataset::TestChoice;
use aequa_core::drift::jensen_shannon::jensen_shannon_from_counts;
use aequa_core::drift::ks::{ks_2samp, Alternative, KsMethod};
use aequa_core::drift::psi::{psi_from_counts, Floor};
use aequa_core::drift::select::Test;
use aequa_core::drift::summary::{DriftSummary, Side};
use aequa_core::drift::wasserstein::wasserstein_distance;
use aequa_core::drift::{
    binning::BinningMethod, drift_report, ColumnValues, DriftColumn, DriftInput, DriftOptions,
};
use ndarray::Array1;
use proptest::prelude::*;
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn close(actual: f64, expected: Option<f64>) -> bool {
    match expected {
        None => !actual.is_finite(),
        Some(e) => (actual - e).abs() <= TOLERANCE * e.abs().max(1.0),
    }
}

fn cases() -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/drift");
    let mut out = Vec::new();
    for name in ["synthetic", "adult", "sklearn"] {
        let text = fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        out.extend(doc["cases"].as_array().unwrap().iter().cloned());
    }
    assert!(out.len() >= 60, "expected the drift fixtures");
    out
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn finite(v: &[f64]) -> Vec<f64> {
    v.iter().copied().filter(|x| x.is_finite()).collect()
}

/// Worst deviations per case kind, printed for the record.
#[derive(Default)]
struct Worst(BTreeMap<String, (f64, f64)>);

impl Worst {
    fn check(&mut self, case: &str, field: &str, actual: f64, expected: Option<f64>) {
        assert!(
            close(actual, expected),
            "{case}: {field} = {actual:e}, reference {expected:?}"
        );
        if let Some(e) = expected {
            let abs = (actual - e).abs();
            let rel = if e != 0.0 { abs / e.abs() } else { abs };
            let slot = self.0.entry(field.to_string()).or_insert((0.0, 0.0));
            slot.0 = slot.0.max(abs);
            slot.1 = slot.1.max(rel);
        }
    }
}

/// Per-bin counts of a categorical (string) case over the union of observed values.
fn category_counts(reference: &Value, current: &Value) -> (Vec<f64>, Vec<f64>) {
    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|x| !x.is_null())
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect()
    };
    let (r, c) = (labels(reference), labels(current));
    let mut keys: Vec<&String> = r.iter().chain(&c).collect();
    keys.sort();
    keys.dedup();
    let count = |s: &[String]| {
        keys.iter()
            .map(|k| s.iter().filter(|x| x == k).count() as f64)
            .collect()
    };
    (count(&r), count(&c))
}

/// A one-column report of a numeric pair with a chosen test and binning.
fn single(
    reference: &[f64],
    current: &[f64],
    test: Test,
    binning: BinningMethod,
    bins: usize,
) -> aequa_core::report::ColumnDrift {
    let (r, c) = (
        Array1::from(reference.to_vec()),
        Array1::from(current.to_vec()),
    );
    let input = DriftInput {
        columns: vec![DriftColumn {
            name: "x".into(),
            values: ColumnValues::Numeric {
                reference: r.view(),
                current: c.view(),
            },
        }],
        prediction: None,
        groups: None,
    };
    let mut options = DriftOptions {
        binning,
        bins,
        ..DriftOptions::default()
    };
    options.tests.insert(
        "x".into(),
        TestChoice {
            test,
            threshold: None,
        },
    );
    drift_report(&input, &options)
        .unwrap()
        .overall
        .columns
        .remove(0)
}

#[test]
fn golden_drift_statistics_match_scipy_and_evidently() {
    let mut worst = Worst::default();
    let mut counted = BTreeMap::<String, usize>::new();
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let test = case["test"].as_str().unwrap();
        let exp = &case["expected"];
        *counted.entry(test.to_string()).or_default() += 1;
        match test {
            "ks" => {
                let alt: Alternative = serde_json::from_value(case["alternative"].clone()).unwrap();
                let method: KsMethod = serde_json::from_value(case["method"].clone()).unwrap();
                let r =
                    ks_2samp(&nums(&case["data1"]), &nums(&case["data2"]), alt, method).unwrap();
                worst.check(name, "ks.statistic", r.statistic, exp["statistic"].as_f64());
                worst.check(name, "ks.pvalue", r.pvalue, exp["pvalue"].as_f64());
                worst.check(
                    name,
                    "ks.location",
                    r.statistic_location,
                    exp["statistic_location"].as_f64(),
                );
                assert_eq!(
                    i64::from(r.statistic_sign),
                    exp["statistic_sign"].as_i64().unwrap(),
                    "{name}"
                );
            }
            "chisquare" => {
                let f_exp = case["f_exp"].as_array().map(|_| nums(&case["f_exp"]));
                let r = chisquare(
                    &nums(&case["f_obs"]),
                    f_exp.as_deref(),
                    case["ddof"].as_i64().unwrap(),
                )
                .unwrap();
                worst.check(
                    name,
                    "chisquare.statistic",
                    r.statistic,
                    exp["statistic"].as_f64(),
                );
                worst.check(name, "chisquare.pvalue", r.pvalue, exp["pvalue"].as_f64());
            }
            "wasserstein" => {
                let uw = case["u_weights"]
                    .as_array()
                    .map(|_| nums(&case["u_weights"]));
                let vw = case["v_weights"]
                    .as_array()
                    .map(|_| nums(&case["v_weights"]));
                let d = wasserstein_distance(
                    &nums(&case["u_values"]),
                    &nums(&case["v_values"]),
                    uw.as_deref(),
                    vw.as_deref(),
                )
                .unwrap();
                worst.check(name, "wasserstein.distance", d, exp["statistic"].as_f64());
            }
            "anderson" => {
                let samples: Vec<Vec<f64>> = case["samples"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(nums)
                    .collect();
                let views: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
                let r = anderson_ksamp(&views, case["midrank"].as_bool().unwrap()).unwrap();
                worst.check(
                    name,
                    "anderson.statistic",
                    r.statistic,
                    exp["statistic"].as_f64(),
                );
                worst.check(name, "anderson.pvalue", r.pvalue, exp["pvalue"].as_f64());
                for (a, e) in r.critical_values.iter().zip(nums(&exp["critical_values"])) {
                    worst.check(name, "anderson.critical", *a, Some(e));
                }
            }
            t if t.starts_with("evidently_") => {
                let stat = &t["evidently_".len()..];
                if case["categorical"].as_bool().unwrap() {
                    let (rc, cc) = category_counts(&case["reference"], &case["current"]);
                    match stat {
                        "psi" => worst.check(
                            name,
                            "evidently.psi",
                            psi_from_counts(&rc, &cc, Floor::Evidently)
                                .unwrap()
                                .statistic,
                            exp["statistic"].as_f64(),
                        ),
                        "jensen_shannon" => worst.check(
                            name,
                            "evidently.js",
                            jensen_shannon_from_counts(&rc, &cc, None).unwrap(),
                            exp["statistic"].as_f64(),
                        ),
                        "chisquare" => {
                            let (r, _) =
                                aequa_core::drift::chisquare::chisquare_drift(&rc, &cc).unwrap();
                            worst.check(
                                name,
                                "evidently.chisquare.pvalue",
                                r.pvalue,
                                exp["pvalue"].as_f64(),
                            );
                        }
                        other => panic!("{other}"),
                    }
                } else {
                    let (r, c) = (
                        finite(&nums(&case["reference"])),
                        finite(&nums(&case["current"])),
                    );
                    let (test, key) = match stat {
                        "psi" => (Test::Psi, "evidently.psi"),
                        "jensen_shannon" => (Test::JensenShannon, "evidently.js"),
                        "wasserstein" => (Test::Wasserstein, "evidently.wasserstein_normed"),
                        other => panic!("{other}"),
                    };
                    let d = single(&r, &c, test, BinningMethod::Sturges, 10);
                    worst.check(name, key, d.statistic.0, exp["statistic"].as_f64());
                }
            }
            t if t.starts_with("quantile_") => {
                let test = if t.ends_with("psi") {
                    Test::Psi
                } else {
                    Test::JensenShannon
                };
                let bins = case["bins"].as_u64().unwrap() as usize;
                let d = single(
                    &nums(&case["reference"]),
                    &nums(&case["current"]),
                    test,
                    BinningMethod::Quantile,
                    bins,
                );
                worst.check(
                    name,
                    "quantile.statistic",
                    d.statistic.0,
                    exp["statistic"].as_f64(),
                );
                if let (Some(Bins::Edges { edges, .. }), Some(expected)) =
                    (&d.bins, exp["edges"].as_array())
                {
                    assert_eq!(edges.len(), expected.len(), "{name}: edges");
                    for (a, e) in edges.iter().zip(expected) {
                        worst.check(name, "quantile.edges", a.0, e.as_f64());
                    }
                }
                let counts: Vec<f64> = d.details["reference_counts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect();
                assert_eq!(
                    counts,
                    nums(&exp["reference_counts"]),
                    "{name}: reference counts"
                );
                let counts: Vec<f64> = d.details["current_counts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect();
                assert_eq!(
                    counts,
                    nums(&exp["current_counts"]),
                    "{name}: current counts"
                );
            }
            "report" => replay_report(name, &case, &mut worst),
            other => panic!("unknown case kind {other}"),
        }
    }
    eprintln!("cases per kind: {counted:?}");
    for (field, (abs, rel)) in &worst.0 {
        eprintln!("{field:32} max |Δ| = {abs:.2e}   max rel = {rel:.2e}");
    }
}

fn replay_report(name: &str, case: &Value, worst: &mut Worst) {
    let cols = case["columns"].as_object().unwrap();
    let mut owned_num = Vec::new();
    let mut owned_cat = Vec::new();
    let mut order = Vec::new();
    for (col, spec) in cols {
        order.push(col.clone());
        if spec["kind"] == "numeric" {
            owned_num.push((
                col.clone(),
                Array1::from(nums(&spec["reference"])),
                Array1::from(nums(&spec["current"])),
            ));
        } else {
            let codes = |v: &Value| -> Array1<u32> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().map_or(u32::MAX, |c| c as u32))
                    .collect()
            };
            let levels: Vec<String> = spec["levels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            owned_cat.push((
                col.clone(),
                codes(&spec["reference"]),
                codes(&spec["current"]),
                levels,
            ));
        }
    }
    let mut columns: Vec<DriftColumn<'_>> = owned_num
        .iter()
        .map(|(n, r, c)| DriftColumn {
            name: n.clone(),
            values: ColumnValues::Numeric {
                reference: r.view(),
                current: c.view(),
            },
        })
        .collect();
    columns.extend(owned_cat.iter().map(|(n, r, c, l)| DriftColumn {
        name: n.clone(),
        values: ColumnValues::Categorical {
            reference: r.view(),
            current: c.view(),
            levels: l.clone(),
        },
    }));
    let input = DriftInput {
        columns,
        prediction: None,
        groups: None,
    };
    let report = drift_report(&input, &DriftOptions::default()).unwrap();
    let exp = &case["expected"];
    for d in &report.overall.columns {
        let e = &exp["columns"][&d.column];
        assert_eq!(
            d.test.name(),
            e["test"].as_str().unwrap(),
            "{name}/{}: test",
            d.column
        );
        worst.check(
            &format!("{name}/{}", d.column),
            "report.statistic",
            d.statistic.0,
            e["statistic"].as_f64(),
        );
        worst.check(
            &format!("{name}/{}", d.column),
            "report.p_value",
            d.p_value.0,
            e["p_value"].as_f64(),
        );
        worst.check(
            &format!("{name}/{}", d.column),
            "report.p_value_adjusted",
            d.p_value_adjusted.0,
            e["p_value_adjusted"].as_f64(),
        );
        assert_eq!(
            d.drifted,
            e["drifted"].as_bool().unwrap(),
            "{name}/{}: drifted",
            d.column
        );
        assert_eq!(
            d.n_reference as u64,
            e["n_reference"].as_u64().unwrap(),
            "{name}/{}",
            d.column
        );
        assert_eq!(
            d.n_distinct as u64,
            e["n_distinct"].as_u64().unwrap(),
            "{name}/{}",
            d.column
        );
    }
    assert_eq!(
        report.overall.n_drifted as u64,
        exp["n_drifted"].as_u64().unwrap(),
        "{name}"
    );
    assert_eq!(
        report.overall.dataset_drift,
        exp["dataset_drift"].as_bool().unwrap(),
        "{name}"
    );
    assert_eq!(order.len(), report.overall.columns.len());
}

// ------------------------------------------------------------------ properties

fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![(-50i32..50).prop_map(f64::from), -1e3f64..1e3],
        1..120,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn identical_samples_show_no_drift(x in sample()) {
        let ks = ks_2samp(&x, &x, Alternative::TwoSided, KsMethod::Auto).unwrap();
        prop_assert_eq!(ks.statistic, 0.0);
        prop_assert_eq!(ks.pvalue, 1.0);
        prop_assert_eq!(wasserstein_distance(&x, &x, None, None).unwrap(), 0.0);
        let counts: Vec<f64> = x.iter().map(|v| v.abs() + 1.0).collect();
        prop_assert_eq!(psi_from_counts(&counts, &counts, Floor::Evidently).unwrap().statistic, 0.0);
        prop_assert_eq!(jensen_shannon_from_counts(&counts, &counts, None).unwrap(), 0.0);
    }

    #[test]
    fn symmetric_statistics_are_symmetric(x in sample(), y in sample()) {
        let a = ks_2samp(&x, &y, Alternative::TwoSided, KsMethod::Asymp).unwrap();
        let b = ks_2samp(&y, &x, Alternative::TwoSided, KsMethod::Asymp).unwrap();
        prop_assert_eq!(a.statistic, b.statistic);
        // Both NaN where scipy's is too (one value in each sample, asymptotic).
        let both_nan = a.pvalue.is_nan() && b.pvalue.is_nan();
        prop_assert!(both_nan || (a.pvalue - b.pvalue).abs() < 1e-12, "{} {}", a.pvalue, b.pvalue);
        let (wa, wb) = (wasserstein_distance(&x, &y, None, None).unwrap(), wasserstein_distance(&y, &x, None, None).unwrap());
        prop_assert!((wa - wb).abs() <= 1e-12 * wa.max(1.0));
        let rc: Vec<f64> = x.iter().map(|v| v.abs().floor()).collect();
        let cc: Vec<f64> = rc.iter().rev().copied().collect();
        if rc.iter().sum::<f64>() > 0.0 {
            let (p1, p2) = (psi_from_counts(&rc, &cc, Floor::Fixed(1e-4)).unwrap(), psi_from_counts(&cc, &rc, Floor::Fixed(1e-4)).unwrap());
            prop_assert!((p1.statistic - p2.statistic).abs() < 1e-9 * p1.statistic.max(1.0));
            let (j1, j2) = (jensen_shannon_from_counts(&rc, &cc, None).unwrap(), jensen_shannon_from_counts(&cc, &rc, None).unwrap());
            prop_assert!((j1 - j2).abs() < 1e-12);
        }
    }

    #[test]
    fn exact_and_asymptotic_ks_agree_roughly(x in prop::collection::vec(-1e3f64..1e3, 30..60), y in prop::collection::vec(-1e3f64..1e3, 30..60)) {
        let e = ks_2samp(&x, &y, Alternative::TwoSided, KsMethod::Exact).unwrap();
        let a = ks_2samp(&x, &y, Alternative::TwoSided, KsMethod::Asymp).unwrap();
        prop_assert!((e.pvalue - a.pvalue).abs() < 0.1);
    }

    #[test]
    fn mergeable_summaries_equal_one_pass(x in sample(), y in sample(), cut in 0usize..120) {
        let edges = [-100.0, -10.0, 0.0, 10.0, 100.0];
        let mut one = DriftSummary::numeric(&edges).unwrap();
        one.update_values(Side::Reference, &x).unwrap();
        one.update_values(Side::Current, &y).unwrap();
        let (cx, cy) = (cut.min(x.len()), cut.min(y.len()));
        let mut a = DriftSummary::numeric(&edges).unwrap();
        let mut b = a.clone();
        a.update_values(Side::Reference, &x[..cx]).unwrap();
        b.update_values(Side::Reference, &x[cx..]).unwrap();
        b.update_values(Side::Current, &y[..cy]).unwrap();
        a.update_values(Side::Current, &y[cy..]).unwrap();
        b.merge(&a).unwrap();
        prop_assert_eq!(&b, &one);
        let (p1, p2) = (b.psi(Floor::Evidently).unwrap().statistic, one.psi(Floor::Evidently).unwrap().statistic);
        prop_assert_eq!(p1, p2);
        prop_assert_eq!(b.jensen_shannon(None).unwrap(), one.jensen_shannon(None).unwrap());
    }
}
