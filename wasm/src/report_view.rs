//! The part of a `MetricFrameReport` that `disparity` reads: the compatibility convention, the
//! control features and the aggregate rows. Reading only these (the rest takes its defaults)
//! keeps the readers of the report's other structs (rows, sizes, tests, intervals, ...) out of
//! the WASM module, where nothing else deserializes a report. If the core's `disparity` starts
//! reading another field, add it here.

use aequa_core::data::groups::FeatureLevels;
use aequa_core::fairness::metric::Convention;
use aequa_core::report::frame::{AggregateRow, FrameParams, FrameValues};
use aequa_core::report::MetricFrameReport;
use serde_json::Value;

use crate::fields::{serde_read, Fields, Msg, Read};

/// What `disparity` needs of a report (unknown and unread keys are ignored, as before).
#[derive(Debug)]
pub struct ReportView {
    compat: Convention,
    control: Vec<FeatureLevels>,
    aggregates: Vec<AggregateRow>,
}

impl Read for ReportView {
    fn read(v: &Value) -> Result<Self, Msg> {
        let report = Fields::lenient(v)?;
        let params = Fields::lenient(report.raw("params").ok_or("missing field `params`")?)?;
        let values = Fields::lenient(report.raw("values").ok_or("missing field `values`")?)?;
        Ok(ReportView {
            compat: params.req("compat")?,
            control: report.req("control")?,
            aggregates: serde_read(
                values
                    .raw("aggregates")
                    .ok_or("missing field `aggregates`")?,
            )?,
        })
    }
}

/// A feature's name and levels (`{name, levels}`; other keys are ignored, as before).
impl Read for FeatureLevels {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::lenient(v)?;
        Ok(FeatureLevels {
            name: f.req("name")?,
            levels: f.req("levels")?,
        })
    }
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
                compat: self.compat,
                n_rows: 0,
                weighted: false,
                min_group_size: 0,
            },
            sensitive: Vec::new(),
            control: self.control,
            sizes: Vec::new(),
            values: FrameValues {
                aggregates: self.aggregates,
                ..FrameValues::default()
            },
            undefined: Vec::new(),
            warnings: Vec::new(),
            tests: Vec::new(),
            intervals: None,
        }
    }
}
