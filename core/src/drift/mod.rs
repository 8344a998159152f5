//! Data drift: per column, a reference sample against a current one.
//!
//! One statistic per file, each as its reference library defines it: the two-sample
//! Kolmogorov–Smirnov test ([`ks`], `scipy.stats.ks_2samp`), Pearson's chi-square
//! ([`chisquare`], `scipy.stats.chisquare`), the Population Stability Index ([`psi`], Evidently),
//! the Wasserstein distance ([`wasserstein`], `scipy.stats.wasserstein_distance`, normed as
//! Evidently), the Jensen–Shannon distance ([`jensen_shannon`],
//! `scipy.spatial.distance.jensenshannon` on Evidently's binning) and the k-sample
//! Anderson–Darling test ([`anderson`], `scipy.stats.anderson_ksamp`).
//!
//! [`binning`] fixes the bins PSI, Jensen–Shannon and chi-square share and records them;
//! [`summary`] holds mergeable per-bin counts (`update` chunks, `merge` partitions) — enough for
//! PSI, Jensen–Shannon and chi-square. KS, Wasserstein and Anderson–Darling need every value
//! (sorted), so they are computed from whole columns. [`select`] chooses a test per column,
//! [`correction`] adjusts p-values for multiple testing and [`dataset`] runs a whole report,
//! in parallel over columns under the `parallel` feature.

pub mod anderson;
pub mod binning;
pub mod chisquare;
mod column;
pub mod correction;
pub mod dataset;
pub mod jensen_shannon;
pub mod joint;
pub mod ks;
pub mod options;
pub mod psi;
pub mod sample;
pub mod select;
pub mod summary;
pub mod text;
pub mod wasserstein;

pub use dataset::{drift_report, ColumnValues, DriftColumn, DriftInput, GroupCodes};
pub use options::{DriftOptions, TestChoice};
