//! Fairness assessment: mergeable confusion counts per (control stratum × sensitive group),
//! the built-in metrics derived from them, group summaries, bootstrap intervals, significance
//! tests, and the one-number disparities of Fairlearn and AIF360.

pub mod accumulator;
pub mod aggregate;
pub mod bootstrap;
pub mod counts;
pub mod disparity;
pub mod evaluate;
pub mod frame;
pub mod labels;
pub mod metric;
pub mod multiclass;
pub mod quantile;
pub mod significance;

pub use accumulator::{Codes, FairnessAccumulator};
pub use bootstrap::BootstrapOptions;
pub use frame::{finish, metric_frame, FrameInput, FrameOptions};
pub use labels::LabelSpec;
pub use metric::{Convention, Metric};
