//! The one integration binary of `aequa-core`: the golden fixtures of fairlearn 0.15.0 and
//! aif360 0.6.1 (`tests/golden/fairness/*.json`) replayed natively to 1e-12, property tests of
//! the engine's axioms (`golden/properties.rs`) and the pinned cross-platform bootstrap report
//! (`golden/pinned.rs`, asserted under wasm32 too).

// clippy.toml's allow-*-in-tests covers `#[test]` functions only, not these helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "golden/models.rs"]
mod models;
#[path = "golden/pinned.rs"]
mod pinned;
#[path = "golden/properties.rs"]
mod properties;

use std::fs;
use std::path::PathBuf;

use aequa_core::data::encode::encode_labels;
use aequa_core::data::groups::Feature;
use aequa_core::fairness::disparity::{disparity, Agg, Disparity, Kind, Method};
use aequa_core::fairness::frame::reference_disparities_of;
use aequa_core::fairness::{
    metric_frame, BootstrapOptions, Convention, FrameInput, FrameOptions, LabelSpec, Metric,
};
use aequa_core::report::FrameValues;
use ndarray::{Array2, ArrayView1};
use serde_json::Value;

const TOLERANCE: f64 = 1e-12;

/// One fixture file.
struct Case {
    name: String,
    json: Value,
}

fn cases() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/fairness");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "expected the 8 fairness fixtures");
    paths
        .iter()
        .map(|p| Case {
            name: p.file_stem().unwrap().to_string_lossy().into_owned(),
            json: serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap(),
        })
        .collect()
}

/// A grouping column encoded the way pandas' `groupby` sorts it, labelled as Python's `str`.
struct Column {
    name: String,
    codes: Vec<u32>,
    levels: Vec<String>,
}

fn column(pair: &Value) -> Column {
    let name = pair[0].as_str().unwrap().to_string();
    let values = pair[1].as_array().unwrap();
    let (codes, levels) = if values.iter().all(Value::is_i64) {
        let ints: Vec<i64> = values.iter().map(|v| v.as_i64().unwrap()).collect();
        let mut levels = ints.clone();
        levels.sort_unstable();
        levels.dedup();
        let codes = ints
            .iter()
            .map(|v| levels.binary_search(v).unwrap() as u32)
            .collect();
        (codes, levels.iter().map(i64::to_string).collect())
    } else {
        let texts: Vec<String> = values
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        encode_labels(&name, &texts).unwrap()
    };
    Column {
        name,
        codes,
        levels,
    }
}

/// A fixture's inputs, owned.
struct Data {
    y_true: Vec<f64>,
    y_pred: Vec<f64>,
    weights: Option<Vec<f64>>,
    sensitive: Vec<Column>,
    control: Vec<Column>,
    spec: LabelSpec,
}

fn features(cols: &[Column]) -> Vec<Feature<'_>> {
    cols.iter()
        .map(|c| Feature {
            name: c.name.clone(),
            codes: ArrayView1::from(c.codes.as_slice()),
            levels: c.levels.clone(),
        })
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

impl Data {
    fn of(case: &Case) -> Data {
        let inputs = &case.json["inputs"];
        let columns = |v: &Value| -> Vec<Column> {
            v.as_array()
                .map(|a| a.iter().map(column).collect())
                .unwrap_or_default()
        };
        Data {
            y_true: floats(&inputs["y_true"]),
            y_pred: floats(&inputs["y_pred"]),
            weights: (!inputs["sample_weight"].is_null()).then(|| floats(&inputs["sample_weight"])),
            sensitive: columns(&inputs["sensitive_features"]),
            control: columns(&inputs["control_features"]),
            spec: LabelSpec {
                pos_label: inputs["pos_label"].as_f64(),
                threshold: None,
                one_vs_rest: false,
            },
        }
    }

    fn input(&self, with_control: bool) -> FrameInput<'_> {
        FrameInput {
            y_true: self.y_true.as_slice().into(),
            y_pred: self.y_pred.as_slice().into(),
            sample_weight: self.weights.as_deref().map(ArrayView1::from),
            sensitive: features(&self.sensitive),
            control: if with_control {
                features(&self.control)
            } else {
                Vec::new()
            },
        }
    }

    fn options(&self, metrics: Vec<String>) -> FrameOptions {
        FrameOptions {
            metrics,
            spec: self.spec,
            compat: Convention::Fairlearn,
            ..FrameOptions::default()
        }
    }
}

/// The fixture's metrics, aliases (`recall_score`) folded into their canonical names.
fn canonical_metrics(case: &Case) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in case.json["metrics"].as_array().unwrap() {
        let name = Metric::from_name(m.as_str().unwrap())
            .unwrap()
            .name()
            .to_string();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// The report's value of a fixture record (`quantity` without its `_ci` decoration).
fn lookup(values: &FrameValues, quantity: &str, record: &Value) -> Option<f64> {
    let metric = Metric::from_name(record["metric"].as_str()?).ok()?.name();
    let (control, group) = (labels(&record["control"]), labels(&record["sensitive"]));
    let row_value = |rows: &[aequa_core::report::Row], group: &[String]| {
        rows.iter()
            .find(|r| r.control == control && r.group == group)
            .and_then(|r| r.values.get(metric))
            .map(|n| n.0)
    };
    match quantity {
        "overall" => row_value(&values.overall, &[]),
        "by_group" => row_value(&values.by_group, &group),
        _ => {
            let a = values
                .aggregates
                .iter()
                .find(|a| a.control == control && a.metric == metric)?;
            Some(match quantity {
                "group_min" => a.group_min.0,
                "group_max" => a.group_max.0,
                "difference_between_groups" => a.difference_between_groups.0,
                "difference_to_overall" => a.difference_to_overall.0,
                "ratio_between_groups" => a.ratio_between_groups.0,
                "ratio_to_overall" => a.ratio_to_overall.0,
                _ => return None,
            })
        }
    }
}

/// `difference_ci[method=to_overall]` → `difference_to_overall`, `by_group_ci` → `by_group`.
fn ci_quantity(quantity: &str) -> String {
    match quantity.split_once("_ci") {
        Some((base, rest)) => match rest
            .strip_prefix("[method=")
            .and_then(|r| r.strip_suffix(']'))
        {
            Some(method) => format!("{base}_{method}"),
            None => base.to_string(),
        },
        None => quantity.to_string(),
    }
}

/// Agreement to 1e-12 (absolute or relative); `null` must meet NaN and nothing else.
fn agrees(actual: f64, expected: &Value) -> bool {
    match expected.as_f64() {
        None => actual.is_nan(),
        Some(e) => {
            let diff = (actual - e).abs();
            diff <= TOLERANCE || diff <= TOLERANCE * e.abs()
        }
    }
}

/// Compare, collecting every disagreement into `bad`; returns the number of records checked.
fn check(bad: &mut Vec<String>, case: &str, record: &Value, actual: Option<f64>) -> usize {
    match actual {
        Some(a) if agrees(a, &record["value"]) => {}
        _ => bad.push(format!("{case}: {record} -> aequa {actual:?}")),
    }
    1
}

fn finish_check(what: &str, checked: usize, bad: &[String]) {
    eprintln!("{what}: {checked} records checked, {} disagree", bad.len());
    assert!(bad.is_empty(), "{what} disagreements:\n{}", bad.join("\n"));
}

fn is_frame_quantity(q: &str) -> bool {
    !q.contains('[') && !q.starts_with("aif360:")
}

#[test]
fn metric_frame_records_match_fairlearn() {
    let (mut bad, mut checked) = (Vec::new(), 0);
    for case in cases() {
        let data = Data::of(&case);
        let options = data.options(canonical_metrics(&case));
        let report = metric_frame(&data.input(true), &options, None).unwrap();
        for r in case.json["records"].as_array().unwrap() {
            let q = r["quantity"].as_str().unwrap();
            if is_frame_quantity(q) {
                checked += check(&mut bad, &case.name, r, lookup(&report.values, q, r));
            }
        }
    }
    assert!(checked > 1000, "only {checked} records");
    finish_check("metric frame", checked, &bad);
}

#[test]
fn bootstrap_records_match_fairlearn_with_its_indices() {
    let (mut bad, mut checked) = (Vec::new(), 0);
    for case in cases() {
        let Some(boot) = case.json.get("bootstrap").filter(|b| !b.is_null()) else {
            continue;
        };
        let data = Data::of(&case);
        let quantiles = floats(&boot["ci_quantiles"]);
        let mut options = data.options(canonical_metrics(&case));
        options.bootstrap = Some(BootstrapOptions {
            n_boot: boot["n_boot"].as_u64().unwrap() as u32,
            ci_quantiles: quantiles.clone(),
            random_state: boot["random_state"].as_u64().unwrap() as u32,
            stratified: false,
        });
        let rows: Vec<Vec<f64>> = boot["indices"]
            .as_array()
            .unwrap()
            .iter()
            .map(floats)
            .collect();
        let flat: Vec<i64> = rows.iter().flatten().map(|v| *v as i64).collect();
        let indices = Array2::from_shape_vec((rows.len(), data.y_true.len()), flat).unwrap();
        let report = metric_frame(&data.input(true), &options, Some(indices.view())).unwrap();
        let intervals = report.intervals.unwrap();
        assert_eq!(intervals.resampling, "indices");
        for r in boot["records"].as_array().unwrap() {
            let q = quantiles
                .iter()
                .position(|q| Some(*q) == r["q"].as_f64())
                .unwrap();
            let quantity = ci_quantity(r["quantity"].as_str().unwrap());
            let actual = lookup(&intervals.quantiles[q], &quantity, r);
            checked += check(&mut bad, &case.name, r, actual);
        }
    }
    assert!(checked > 1000, "only {checked} records");
    finish_check("bootstrap", checked, &bad);
}

/// `equalized_odds_ratio[method=to_overall,agg=mean]` → its parts.
fn parse_standalone(quantity: &str) -> (Disparity, Kind, Method, Agg) {
    let (name, params) = quantity.trim_end_matches(']').split_once('[').unwrap();
    let (family, kind) = name.rsplit_once('_').unwrap();
    let which: Disparity = serde_json::from_value(Value::from(family)).unwrap();
    let kind: Kind = serde_json::from_value(Value::from(kind)).unwrap();
    let (mut method, mut agg) = (Method::default(), Agg::default());
    for param in params.split(',') {
        match param.split_once('=').unwrap() {
            ("method", m) => method = serde_json::from_value(Value::from(m)).unwrap(),
            ("agg", a) => agg = serde_json::from_value(Value::from(a)).unwrap(),
            other => panic!("unknown parameter {other:?}"),
        }
    }
    (which, kind, method, agg)
}

#[test]
fn standalone_disparities_match_fairlearn() {
    let (mut bad, mut checked) = (Vec::new(), 0);
    for case in cases() {
        let data = Data::of(&case);
        for r in case.json["records"].as_array().unwrap() {
            let q = r["quantity"].as_str().unwrap();
            if !q.contains('[') {
                continue;
            }
            let (which, kind, method, agg) = parse_standalone(q);
            let options = data.options(which.metrics());
            let report = metric_frame(&data.input(false), &options, None).unwrap();
            let actual = disparity(&report, which, kind, method, agg).ok();
            checked += check(&mut bad, &case.name, r, actual);
        }
    }
    assert!(checked >= 16 * 5, "only {checked} records");
    finish_check("standalone disparities", checked, &bad);
}

#[test]
fn aif360_disparities_match() {
    let (mut bad, mut checked) = (Vec::new(), 0);
    for case in cases() {
        let data = Data::of(&case);
        for r in case.json["records"].as_array().unwrap() {
            let Some(name) = r["quantity"].as_str().unwrap().strip_prefix("aif360:") else {
                continue;
            };
            let name = if name == "disparate_impact" {
                "disparate_impact_ratio"
            } else {
                name
            };
            let privileged = labels(&r["sensitive"]);
            let out = reference_disparities_of(&data.input(false), data.spec, &privileged).unwrap();
            assert_eq!(out.privileged, privileged);
            checked += check(&mut bad, &case.name, r, out.values.get(name).map(|n| n.0));
        }
    }
    assert!(checked >= 5 * 4, "only {checked} records");
    finish_check("aif360", checked, &bad);
}

#[test]
fn pinned_bootstrap_report_is_stable() {
    let json = pinned::report_json();
    if std::env::var_os("AEQUA_BLESS").is_some() {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/pinned_bootstrap.json");
        fs::write(&path, format!("{json}\n")).unwrap();
    }
    assert_eq!(json, pinned::EXPECTED.trim_end());
}
