//! Serialisable results. Every report carries `schema_version` and the parameters that made it;
//! maps are ordered (`BTreeMap`) so the JSON is byte-stable across runtimes.

pub mod dependence;
pub mod drift;
pub mod explanation;
pub mod frame;
pub mod importance;
pub mod num;
pub mod robust;

pub use dependence::{AleReport, DependenceReport};
pub use drift::{ColumnDrift, DriftReport, DriftSection, GroupDrift};
pub use explanation::ExplanationReport;
pub use frame::{
    AggregateRow, CellSize, FrameParams, FrameValues, Intervals, MetricFrameReport, Row,
    SignificanceTest, Undefined,
};
pub use importance::ImportanceReport;
pub use num::Num;

/// Version of the JSON layout of every report; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;
