//! The cross-platform determinism proof: a small weighted assessment with a control feature and
//! a seeded bootstrap, whose `serde_json` text is pinned in `pinned_bootstrap.json`. Natively
//! `core/tests/golden.rs` asserts it, under wasm32 `wasm/tests/node.rs` asserts it (through the
//! core and through the JS binding): same seed, same bytes, on x86-64 and wasm32.
//! Regenerate deliberately: `AEQUA_BLESS=1 cargo test -p aequa-core --test golden pinned` writes
//! the file (that run still compares with the old text), the next plain run checks it.
#![allow(dead_code)]

use aequa_core::data::groups::Feature;
use aequa_core::fairness::{
    metric_frame, BootstrapOptions, Convention, FrameInput, FrameOptions, LabelSpec,
};
use ndarray::ArrayView1;
use serde_json::json;

/// The pinned report text.
pub const EXPECTED: &str = include_str!("pinned_bootstrap.json");

const N: usize = 240;
const SEXES: [&str; 2] = ["F", "M"];
/// Numeric control values; sorted numerically, so `10` comes after `2`.
const REGIONS: [f64; 3] = [2.0, 10.0, 33.0];
const METRICS: [&str; 6] = [
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "balanced_accuracy_score",
    "mean_prediction",
    "root_mean_squared_error",
];

/// The rows, from a fixed integer generator (identical on every platform).
pub struct Rows {
    pub y_true: Vec<f64>,
    pub y_pred: Vec<f64>,
    pub weights: Vec<f64>,
    pub sex: Vec<u32>,
    pub region: Vec<u32>,
}

pub fn rows() -> Rows {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut r = Rows {
        y_true: Vec::new(),
        y_pred: Vec::new(),
        weights: Vec::new(),
        sex: Vec::new(),
        region: Vec::new(),
    };
    for _ in 0..N {
        let sex = next(2) as u32;
        let region = next(3) as u32;
        let y = next(100) < 35 + 10 * u64::from(sex);
        let keep = next(100) < 80;
        r.y_true.push(f64::from(u8::from(y)));
        r.y_pred
            .push(f64::from(u8::from(if keep { y } else { next(2) == 1 })));
        r.weights.push(0.25 + next(1000) as f64 / 400.0);
        r.sex.push(sex);
        r.region.push(region);
    }
    r
}

fn options() -> FrameOptions {
    FrameOptions {
        metrics: METRICS.iter().map(|m| m.to_string()).collect(),
        spec: LabelSpec {
            pos_label: Some(1.0),
            threshold: None,
            one_vs_rest: false,
        },
        compat: Convention::Aequa,
        min_group_size: 30,
        bootstrap: Some(BootstrapOptions {
            n_boot: 60,
            ci_quantiles: vec![0.025, 0.5, 0.975],
            random_state: 20_241_128,
            stratified: false,
        }),
    }
}

/// The report, computed through the core's API.
pub fn report_json() -> String {
    let r = rows();
    let labels = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let input = FrameInput {
        y_true: r.y_true.as_slice().into(),
        y_pred: r.y_pred.as_slice().into(),
        sample_weight: Some(ArrayView1::from(r.weights.as_slice())),
        sensitive: vec![Feature {
            name: "sex".into(),
            codes: ArrayView1::from(r.sex.as_slice()),
            levels: labels(&SEXES),
        }],
        control: vec![Feature {
            name: "region".into(),
            codes: ArrayView1::from(r.region.as_slice()),
            levels: labels(&["2", "10", "33"]),
        }],
    };
    let report = metric_frame(&input, &options(), None).unwrap();
    serde_json::to_string(&report).unwrap()
}

/// The same assessment as the JS binding's input object (`metricFrameJson`).
pub fn input_json() -> String {
    let r = rows();
    let sex: Vec<&str> = r.sex.iter().map(|c| SEXES[*c as usize]).collect();
    let region: Vec<f64> = r.region.iter().map(|c| REGIONS[*c as usize]).collect();
    json!({
        "yTrue": r.y_true,
        "yPred": r.y_pred,
        "sampleWeight": r.weights,
        "sensitiveFeatures": [{"name": "sex", "values": sex}],
        "controlFeatures": [{"name": "region", "values": region}],
        "options": {
            "metrics": METRICS,
            "posLabel": 1,
            "compat": "aequa",
            "minGroupSize": 30,
            "bootstrap": {"nBoot": 60, "ciQuantiles": [0.025, 0.5, 0.975], "randomState": 20_241_128, "stratified": false}
        }
    })
    .to_string()
}
