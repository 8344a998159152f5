//! # aequa-core
//!
//! The engine behind aequa's Python wheel, WASM module and Rust crate: fairness metrics with
//! Fairlearn's semantics, computed in one pass over ndarray views into mergeable counts.
//! No bindings, no OS entropy: it builds unchanged for `wasm32-unknown-unknown`.
//!
//! ```
//! use aequa_core::data::groups::Feature;
//! use aequa_core::fairness::{metric_frame, FrameInput, FrameOptions};
//! use ndarray::array;
//!
//! let y_true = array![1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
//! let y_pred = array![1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
//! let codes = array![0u32, 0, 0, 1, 1, 1];
//! let input = FrameInput {
//!     y_true: y_true.view().into(),
//!     y_pred: y_pred.view().into(),
//!     sample_weight: None,
//!     sensitive: vec![Feature { name: "sex".into(), codes: codes.view(), levels: vec!["F".into(), "M".into()] }],
//!     control: vec![],
//! };
//! let options = FrameOptions { metrics: vec!["selection_rate".into()], ..FrameOptions::default() };
//! let report = metric_frame(&input, &options, None).unwrap();
//! let dp = report.values.aggregates[0].difference_between_groups.0;
//! assert!((dp - (1.0 - 1.0 / 3.0)).abs() < 1e-15);
//! ```

pub mod data;
pub mod drift;
pub mod error;
pub mod explain;
pub mod fairness;
pub mod math;
pub mod model;
pub mod report;
pub mod rng;
pub mod robust;

pub use error::{Error, Result};
