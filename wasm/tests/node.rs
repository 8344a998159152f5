//! The core and the binding under wasm32 (run in Node by `wasm-bindgen-test-runner`):
//! a small metric frame, and the pinned bootstrap report, whose bytes must equal what
//! `core/tests/golden.rs` asserts natively — the cross-platform determinism proof.
#![cfg(target_arch = "wasm32")]
// clippy.toml's allow-*-in-tests covers `#[test]` functions only, not these helpers.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../../core/tests/golden/pinned.rs"]
mod pinned;

use aequa_core::data::groups::Feature;
use aequa_core::fairness::{metric_frame, FrameInput, FrameOptions};
use ndarray::array;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn small_metric_frame_matches_hand_computation() {
    let y_true = array![1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    let y_pred = array![1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let codes = array![0u32, 0, 0, 1, 1, 1];
    let input = FrameInput {
        y_true: y_true.view().into(),
        y_pred: y_pred.view().into(),
        sample_weight: None,
        sensitive: vec![Feature {
            name: "sex".into(),
            codes: codes.view(),
            levels: vec!["F".into(), "M".into()],
        }],
        control: vec![],
    };
    let options = FrameOptions {
        metrics: vec!["selection_rate".into()],
        ..FrameOptions::default()
    };
    let report = metric_frame(&input, &options, None).unwrap();
    let dp = report.values.aggregates[0].difference_between_groups.0;
    assert!((dp - (1.0 - 1.0 / 3.0)).abs() < 1e-15);
}

/// The pinned text with the significance p-values blanked: `statrs` computes them with the
/// platform's `exp`/`ln` (glibc natively, Rust's libm port on wasm32), which differ in the last
/// bit for some arguments. Everything else — sizes, values, bootstrap intervals, chi2, z — must
/// match byte for byte.
fn without_pvalues(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.find("pvalue\":") {
        let (head, tail) = rest.split_at(at + "pvalue\":".len());
        out.push_str(head);
        out.push('_');
        rest = tail.trim_start_matches(|c: char| c.is_ascii_digit() || "+-.eE".contains(c));
        rest = rest.strip_prefix("null").unwrap_or(rest);
    }
    out.push_str(rest);
    out
}

#[wasm_bindgen_test]
fn pinned_bootstrap_report_through_the_core() {
    let expected = without_pvalues(pinned::EXPECTED.trim_end());
    assert!(expected.matches("pvalue\":_").count() >= 2);
    assert_eq!(without_pvalues(&pinned::report_json()), expected);
}

#[wasm_bindgen_test]
fn pinned_bootstrap_report_through_the_binding() {
    let json = aequa_wasm::metric_frame_json(&pinned::input_json())
        .map_err(|_| "metricFrameJson failed")
        .unwrap();
    assert_eq!(
        without_pvalues(&json),
        without_pvalues(pinned::EXPECTED.trim_end())
    );
}

/// The whole contract, p-values included. Fails until the core computes its p-values with
/// portable functions (e.g. the `libm` crate) instead of the platform's `exp`/`ln`.
#[wasm_bindgen_test]
fn pinned_bootstrap_report_is_byte_identical_including_pvalues() {
    assert_eq!(pinned::report_json(), pinned::EXPECTED.trim_end());
}

#[wasm_bindgen_test]
fn binding_errors_are_errors_not_panics() {
    let bad =
        r#"{"yTrue":[1,0],"yPred":[1],"sensitiveFeatures":[{"name":"s","values":["a","b"]}]}"#;
    assert!(aequa_wasm::metric_frame_json(bad).is_err());
}
