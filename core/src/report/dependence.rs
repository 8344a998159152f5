//! The results of partial dependence / ICE (scikit-learn's `Bunch`, by field name) and of
//! accumulated local effects.

use serde::{Deserialize, Serialize};

use crate::report::Num;

/// Partial dependence and individual conditional expectation curves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependenceReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `partial_dependence`.
    pub kind: String,
    /// Always `brute` (the model evaluated on every grid point for every row).
    pub method: String,
    /// Column indices of the features varied (one or two).
    pub features: Vec<usize>,
    /// Their names.
    pub feature_names: Vec<String>,
    /// Grid axis per feature; the grid is their cartesian product, first feature slowest.
    pub grid_values: Vec<Vec<f64>>,
    /// Model output columns reported (e.g. `[1]`: the positive class of a binary classifier).
    pub outputs: Vec<usize>,
    /// Averages, row-major over `[outputs, grid...]` (absent for `kind="individual"`).
    pub average: Option<Vec<Num>>,
    /// ICE curves, row-major over `[outputs, rows, grid...]` (absent for `kind="average"`).
    pub individual: Option<Vec<Num>>,
    /// Calls of the model (batches).
    pub model_calls: u64,
    /// Rows the model evaluated in total.
    pub rows_evaluated: u64,
    /// The parameters that produced the result.
    pub params: DependenceParams,
}

/// Parameters of a partial-dependence run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependenceParams {
    /// Lower and upper percentile of the grid.
    pub percentiles: [f64; 2],
    /// Points per axis (fewer when a feature has fewer distinct values).
    pub grid_resolution: usize,
    /// `average`, `individual` or `both`.
    pub kind: String,
    /// Rows of `X`.
    pub n_rows: usize,
    /// Whether the average is weighted.
    pub weighted: bool,
}

/// Accumulated local effects of one feature (Apley & Zhu 2020).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AleReport {
    /// JSON layout version.
    pub schema_version: u32,
    /// Always `accumulated_local_effects`.
    pub kind: String,
    /// Column index of the feature.
    pub feature: usize,
    /// Its name.
    pub feature_name: String,
    /// Bin edges `z_0 < … < z_K`.
    pub edges: Vec<f64>,
    /// Rows per bin (`K` entries).
    pub counts: Vec<u64>,
    /// Model output columns reported.
    pub outputs: Vec<usize>,
    /// Mean local effect per bin, row-major over `[outputs, bins]`.
    pub local_effects: Vec<Num>,
    /// Centred ALE at each edge, row-major over `[outputs, edges]`.
    pub ale: Vec<Num>,
    /// The constant subtracted per output (the count-weighted mean of the uncentred curve).
    pub centring: Vec<Num>,
    /// Rows outside `[z_0, z_K]` (only with explicit edges), left out.
    pub rows_outside: u64,
    /// Empty bins and other caveats.
    pub warnings: Vec<String>,
    /// Calls of the model (batches).
    pub model_calls: u64,
    /// Rows the model evaluated in total.
    pub rows_evaluated: u64,
    /// The parameters that produced the result.
    pub params: AleParams,
}

/// Parameters of an ALE run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AleParams {
    /// Quantile bins requested (`None` when the edges were given).
    pub bins: Option<usize>,
    /// Rows of `X`.
    pub n_rows: usize,
}
