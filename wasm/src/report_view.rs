//! The part of a `MetricFrameReport` that `disparity` reads: the compatibility convention, the
//! control features and the aggregate rows. Reading only these (the rest takes its defaults)
//! keeps the readers of the report's other structs (rows, sizes, tests, intervals, ...) out of
//! the WASM module, where nothing else deserializes a report. If the core's `disparity` starts
//! reading another field, add it here.

use aequa_core::data::groups::FeatureLevels;
use aequa_core::fairness::metric::Convention;
use aequa_core::report::frame::{AggregateRow, FrameParams, FrameValues};
use aequa_core::report::MetricFrameReport;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct ParamsView {
    compat: Convention,
}

#[derive(Debug, Deserialize)]
struct ValuesView {
    aggregates: Vec<AggregateRow>,
}

/// What `disparity` needs of a report (unknown and unread keys are ignored, as before).
#[derive(Debug, Deserialize)]
pub struct ReportView {
    params: ParamsView,
    control: Vec<FeatureLevels>,
    values: ValuesView,
}

impl ReportView {
    /// A report holding the parts read; everything else empty.
    pub fn into_report(self) -> MetricFrameReport {
        MetricFrameReport {
            schema_version: 0,
            kind: "metric_frame".to_string(),
            params: FrameParams {
                metrics: Vec::new(),
                pos_label: None,
                threshold: None,
                compat: self.params.compat,
                n_rows: 0,
                weighted: false,
                min_group_size: 0,
            },
            sensitive: Vec::new(),
            control: self.control,
            sizes: Vec::new(),
            values: FrameValues {
                aggregates: self.values.aggregates,
                ..FrameValues::default()
            },
            undefined: Vec::new(),
            warnings: Vec::new(),
            tests: Vec::new(),
            intervals: None,
        }
    }
}
