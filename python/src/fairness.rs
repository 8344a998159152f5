//! Bindings of `aequa_core::fairness`. Options and reports cross as JSON (the core's serde
//! structs), arrays as numpy views.

use aequa_core::data::groups::{FeatureLevels, GroupLayout};
use aequa_core::fairness::accumulator::{cell_indices as core_cell_indices, Codes};
use aequa_core::fairness::aggregate::summarize as core_summarize;
use aequa_core::fairness::disparity::{disparity as core_disparity, Agg, Disparity, Kind, Method};
use aequa_core::fairness::frame::{overall_metrics as core_overall, reference_disparities_of};
use aequa_core::fairness::multiclass::one_vs_rest;
use aequa_core::fairness::{
    finish, metric_frame as core_metric_frame, FairnessAccumulator, FrameInput, FrameOptions,
    LabelSpec,
};
use aequa_core::report::MetricFrameReport;
use ndarray::ArrayView2;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::convert::{features, NumCol, PyFeature};
use crate::errors::{guard, json_err};

fn parse<T: DeserializeOwned>(argument: &str, json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| json_err(argument, &e))
}

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| json_err("report", &e))
}

/// Full MetricFrame report as JSON.
#[pyfunction]
#[pyo3(signature = (y_true, y_pred, sample_weight, sensitive, control, options_json, bootstrap_indices=None))]
#[allow(clippy::too_many_arguments)]
fn metric_frame<'py>(
    py: Python<'py>,
    y_true: &Bound<'py, PyAny>,
    y_pred: &Bound<'py, PyAny>,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
    sensitive: Vec<PyFeature<'py>>,
    control: Vec<PyFeature<'py>>,
    options_json: &str,
    bootstrap_indices: Option<PyReadonlyArray2<'py, i64>>,
) -> PyResult<String> {
    let data = (y_true, y_pred, sample_weight, sensitive, control);
    run_frame(py, data, options_json, bootstrap_indices, core_metric_frame)
}

/// One-vs-rest assessment of multiclass labels (JSON `MulticlassReport`).
#[pyfunction]
#[pyo3(signature = (y_true, y_pred, sample_weight, sensitive, control, options_json, bootstrap_indices=None))]
#[allow(clippy::too_many_arguments)]
fn metric_frame_ovr<'py>(
    py: Python<'py>,
    y_true: &Bound<'py, PyAny>,
    y_pred: &Bound<'py, PyAny>,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
    sensitive: Vec<PyFeature<'py>>,
    control: Vec<PyFeature<'py>>,
    options_json: &str,
    bootstrap_indices: Option<PyReadonlyArray2<'py, i64>>,
) -> PyResult<String> {
    let data = (y_true, y_pred, sample_weight, sensitive, control);
    run_frame(py, data, options_json, bootstrap_indices, one_vs_rest)
}

/// The arguments every frame entry point shares.
type FrameData<'a, 'py> = (
    &'a Bound<'py, PyAny>,
    &'a Bound<'py, PyAny>,
    Option<PyReadonlyArray1<'py, f64>>,
    Vec<PyFeature<'py>>,
    Vec<PyFeature<'py>>,
);

/// Convert the shared arguments, run `compute` without the GIL, return its JSON.
fn run_frame<'py, T: serde::Serialize + Send>(
    py: Python<'py>,
    (y_true, y_pred, sample_weight, sensitive, control): FrameData<'_, 'py>,
    options_json: &str,
    bootstrap_indices: Option<PyReadonlyArray2<'py, i64>>,
    compute: impl Fn(&FrameInput<'_>, &FrameOptions, Option<ArrayView2<'_, i64>>) -> aequa_core::Result<T>
        + Sync,
) -> PyResult<String> {
    let (y_true, y_pred) = (
        NumCol::extract("y_true", y_true)?,
        NumCol::extract("y_pred", y_pred)?,
    );
    let options: FrameOptions = parse("options", options_json)?;
    let input = FrameInput {
        y_true: y_true.view(),
        y_pred: y_pred.view(),
        sample_weight: sample_weight.as_ref().map(|w| w.as_array()),
        sensitive: features(&sensitive),
        control: features(&control),
    };
    let indices = bootstrap_indices.as_ref().map(|i| i.as_array());
    let report = py.detach(|| guard(|| compute(&input, &options, indices)))?;
    to_json(&report)
}

/// Metrics over all rows (no groups), in `options.metrics` order.
#[pyfunction]
fn overall_metrics<'py>(
    py: Python<'py>,
    y_true: &Bound<'py, PyAny>,
    y_pred: &Bound<'py, PyAny>,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
    options_json: &str,
) -> PyResult<Vec<f64>> {
    let (y_true, y_pred) = (
        NumCol::extract("y_true", y_true)?,
        NumCol::extract("y_pred", y_pred)?,
    );
    let options: FrameOptions = parse("options", options_json)?;
    let w = sample_weight.as_ref().map(|w| w.as_array());
    let (t, p) = (y_true.view(), y_pred.view());
    py.detach(|| guard(|| core_overall(&t, &p, w, &options)))
}

/// The six group summaries `(group_min, group_max, difference_between_groups,
/// difference_to_overall, ratio_between_groups, ratio_to_overall)` of arbitrary values.
#[pyfunction]
fn summarize(overall: f64, groups: Vec<f64>) -> [f64; 6] {
    core_summarize(overall, &groups).to_array()
}

/// A Fairlearn one-number disparity from a report's JSON.
#[pyfunction]
fn disparity(report_json: &str, which: &str, kind: &str, method: &str, agg: &str) -> PyResult<f64> {
    let report: MetricFrameReport = parse("report", report_json)?;
    let quoted = |s: &str| format!("\"{s}\"");
    let which: Disparity = parse("which", &quoted(which))?;
    let kind: Kind = parse("kind", &quoted(kind))?;
    let method: Method = parse("method", &quoted(method))?;
    let agg: Agg = parse("agg", &quoted(agg))?;
    guard(|| core_disparity(&report, which, kind, method, agg))
}

/// AIF360's reference-group disparities as JSON.
#[pyfunction]
fn reference_disparities<'py>(
    py: Python<'py>,
    y_true: &Bound<'py, PyAny>,
    y_pred: &Bound<'py, PyAny>,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
    sensitive: Vec<PyFeature<'py>>,
    spec_json: &str,
    privileged: Vec<String>,
) -> PyResult<String> {
    let (y_true, y_pred) = (
        NumCol::extract("y_true", y_true)?,
        NumCol::extract("y_pred", y_pred)?,
    );
    let spec: LabelSpec = parse("pos_label", spec_json)?;
    let input = FrameInput {
        y_true: y_true.view(),
        y_pred: y_pred.view(),
        sample_weight: sample_weight.as_ref().map(|w| w.as_array()),
        sensitive: features(&sensitive),
        control: Vec::new(),
    };
    let out = py.detach(|| guard(|| reference_disparities_of(&input, spec, &privileged)))?;
    to_json(&out)
}

fn layout_of(sensitive: &[PyFeature<'_>], control: &[PyFeature<'_>]) -> PyResult<GroupLayout> {
    let levels = |fs: &[PyFeature<'_>]| -> Vec<FeatureLevels> {
        fs.iter()
            .map(|(name, _, levels)| FeatureLevels {
                name: name.clone(),
                levels: levels.clone(),
            })
            .collect()
    };
    guard(|| GroupLayout::new(levels(sensitive), levels(control)))
}

/// Each row's cell index (`stratum * n_groups + group`).
#[pyfunction]
fn cell_indices<'py>(
    py: Python<'py>,
    sensitive: Vec<PyFeature<'py>>,
    control: Vec<PyFeature<'py>>,
    n_rows: usize,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let layout = layout_of(&sensitive, &control)?;
    let s: Vec<_> = sensitive.iter().map(|f| f.1.as_array()).collect();
    let c: Vec<_> = control.iter().map(|f| f.1.as_array()).collect();
    let cells = guard(|| {
        core_cell_indices(
            &layout,
            Codes {
                sensitive: &s,
                control: &c,
            },
            n_rows,
        )
    })?;
    Ok(cells.into_pyarray(py))
}

/// Mergeable, serialisable fairness statistics for chunked and partitioned data.
#[pyclass(module = "aequa._core", name = "Accumulator")]
struct PyAccumulator {
    inner: FairnessAccumulator,
}

#[pymethods]
impl PyAccumulator {
    #[new]
    fn new(layout_json: &str, spec_json: &str) -> PyResult<Self> {
        let layout: GroupLayout = parse("levels", layout_json)?;
        let layout = guard(|| GroupLayout::new(layout.sensitive, layout.control))?;
        let spec: LabelSpec = parse("pos_label", spec_json)?;
        Ok(PyAccumulator {
            inner: guard(|| FairnessAccumulator::new(layout, spec))?,
        })
    }

    /// Add a chunk; codes in layout order.
    #[pyo3(signature = (y_true, y_pred, sample_weight, sensitive_codes, control_codes))]
    fn update<'py>(
        &mut self,
        py: Python<'py>,
        y_true: &Bound<'py, PyAny>,
        y_pred: &Bound<'py, PyAny>,
        sample_weight: Option<PyReadonlyArray1<'py, f64>>,
        sensitive_codes: Vec<PyReadonlyArray1<'py, u32>>,
        control_codes: Vec<PyReadonlyArray1<'py, u32>>,
    ) -> PyResult<()> {
        let (y_true, y_pred) = (
            NumCol::extract("y_true", y_true)?,
            NumCol::extract("y_pred", y_pred)?,
        );
        let s: Vec<_> = sensitive_codes.iter().map(|a| a.as_array()).collect();
        let c: Vec<_> = control_codes.iter().map(|a| a.as_array()).collect();
        let w = sample_weight.as_ref().map(|w| w.as_array());
        let inner = &mut self.inner;
        let (t, p) = (y_true.view(), y_pred.view());
        py.detach(|| {
            guard(|| {
                inner.update(
                    &t,
                    &p,
                    w,
                    Codes {
                        sensitive: &s,
                        control: &c,
                    },
                )
            })
        })
    }

    /// Merge another accumulator into this one.
    fn merge(&mut self, other: PyRef<'_, PyAccumulator>) -> PyResult<()> {
        guard(|| self.inner.merge(&other.inner))
    }

    /// Rows so far.
    #[getter]
    fn n_rows(&self) -> u64 {
        self.inner.n_rows()
    }

    /// Evaluate into a report (JSON).
    fn finish(&self, py: Python<'_>, options_json: &str) -> PyResult<String> {
        let options: FrameOptions = parse("options", options_json)?;
        let inner = &self.inner;
        let report = py.detach(|| guard(|| finish(inner, &options)))?;
        to_json(&report)
    }

    /// Serialise the state.
    fn to_json(&self) -> PyResult<String> {
        to_json(&self.inner)
    }

    /// Restore a serialised state.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Self> {
        let inner: FairnessAccumulator = parse("json", json)?;
        guard(|| inner.check())?;
        Ok(PyAccumulator { inner })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(metric_frame, m)?)?;
    m.add_function(wrap_pyfunction!(metric_frame_ovr, m)?)?;
    m.add_function(wrap_pyfunction!(overall_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(summarize, m)?)?;
    m.add_function(wrap_pyfunction!(disparity, m)?)?;
    m.add_function(wrap_pyfunction!(reference_disparities, m)?)?;
    m.add_function(wrap_pyfunction!(cell_indices, m)?)?;
    m.add_class::<PyAccumulator>()?;
    Ok(())
}
