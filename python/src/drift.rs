//! Bindings of `aequa_core::drift`: the scipy-named tests on float64 arrays, the drift report
//! (options and report as JSON) and the mergeable `DriftSummary`.

use aequa_core::drift::anderson::anderson_ksamp as core_anderson;
use aequa_core::drift::chisquare::chisquare as core_chisquare;
use aequa_core::drift::ks::{ks_2samp as core_ks, Alternative, KsMethod};
use aequa_core::drift::psi::Floor;
use aequa_core::drift::summary::{DriftSummary, Side};
use aequa_core::drift::text::encode_text as core_encode_text;
use aequa_core::drift::wasserstein::wasserstein_distance as core_wasserstein;
use aequa_core::drift::{
    drift_report as core_report, ColumnValues, DriftColumn, DriftInput, DriftOptions, GroupCodes,
};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::errors::{guard, json_err, InvalidArgumentError};

fn parse<T: DeserializeOwned>(argument: &str, json: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| json_err(argument, &e))
}

fn word<T: DeserializeOwned>(argument: &str, value: &str, allowed: &str) -> PyResult<T> {
    serde_json::from_value(serde_json::Value::String(value.into())).map_err(|_| {
        InvalidArgumentError::new_err(format!(
            "{argument}: expected one of {allowed}, found '{value}'"
        ))
    })
}

/// `(statistic, pvalue, statistic_location, statistic_sign, method)`.
#[pyfunction]
fn ks_2samp(
    py: Python<'_>,
    data1: PyReadonlyArray1<'_, f64>,
    data2: PyReadonlyArray1<'_, f64>,
    alternative: &str,
    method: &str,
) -> PyResult<(f64, f64, f64, i8, String)> {
    let alt: Alternative = word("alternative", alternative, "'two-sided', 'less', 'greater'")?;
    let method: KsMethod = word("method", method, "'auto', 'exact', 'asymp'")?;
    let (a, b) = (data1.as_array(), data2.as_array());
    let r = py.detach(|| guard(|| core_ks(&a.to_vec(), &b.to_vec(), alt, method)))?;
    let used = if r.method == KsMethod::Exact {
        "exact"
    } else {
        "asymp"
    };
    Ok((
        r.statistic,
        r.pvalue,
        r.statistic_location,
        r.statistic_sign,
        used.into(),
    ))
}

/// `(statistic, pvalue, dof)`.
#[pyfunction]
#[pyo3(signature = (f_obs, f_exp, ddof))]
fn chisquare(
    f_obs: PyReadonlyArray1<'_, f64>,
    f_exp: Option<PyReadonlyArray1<'_, f64>>,
    ddof: i64,
) -> PyResult<(f64, f64, f64)> {
    let obs = f_obs.as_array().to_vec();
    let exp = f_exp.map(|e| e.as_array().to_vec());
    let r = guard(|| core_chisquare(&obs, exp.as_deref(), ddof))?;
    Ok((r.statistic, r.pvalue, r.dof))
}

/// The first Wasserstein distance.
#[pyfunction]
#[pyo3(signature = (u_values, v_values, u_weights, v_weights))]
fn wasserstein_distance(
    py: Python<'_>,
    u_values: PyReadonlyArray1<'_, f64>,
    v_values: PyReadonlyArray1<'_, f64>,
    u_weights: Option<PyReadonlyArray1<'_, f64>>,
    v_weights: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<f64> {
    let (u, v) = (u_values.as_array().to_vec(), v_values.as_array().to_vec());
    let uw = u_weights.map(|w| w.as_array().to_vec());
    let vw = v_weights.map(|w| w.as_array().to_vec());
    py.detach(|| guard(|| core_wasserstein(&u, &v, uw.as_deref(), vw.as_deref())))
}

/// `(statistic, critical_values, pvalue, pvalue_bound)`.
#[pyfunction]
fn anderson_ksamp(
    py: Python<'_>,
    samples: Vec<PyReadonlyArray1<'_, f64>>,
    midrank: bool,
) -> PyResult<(f64, Vec<f64>, f64, Option<String>)> {
    let owned: Vec<Vec<f64>> = samples.iter().map(|s| s.as_array().to_vec()).collect();
    let views: Vec<&[f64]> = owned.iter().map(Vec::as_slice).collect();
    let r = py.detach(|| guard(|| core_anderson(&views, midrank)))?;
    Ok((r.statistic, r.critical_values, r.pvalue, r.pvalue_bound))
}

/// One column from Python: `(name, reference, current, levels)`; `levels` is None for
/// numeric (float64) columns and the level labels for categorical (uint32 codes) ones.
type PyColumn<'py> = (
    String,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Option<Vec<String>>,
);

enum Held<'py> {
    Numeric(
        String,
        PyReadonlyArray1<'py, f64>,
        PyReadonlyArray1<'py, f64>,
    ),
    Categorical(
        String,
        PyReadonlyArray1<'py, u32>,
        PyReadonlyArray1<'py, u32>,
        Vec<String>,
    ),
}

impl<'py> Held<'py> {
    fn extract(col: PyColumn<'py>) -> PyResult<Self> {
        let (name, r, c, levels) = col;
        Ok(match levels {
            None => Held::Numeric(name, r.extract()?, c.extract()?),
            Some(l) => Held::Categorical(name, r.extract()?, c.extract()?, l),
        })
    }

    fn view(&self) -> DriftColumn<'_> {
        match self {
            Held::Numeric(name, r, c) => DriftColumn {
                name: name.clone(),
                values: ColumnValues::Numeric {
                    reference: r.as_array(),
                    current: c.as_array(),
                },
            },
            Held::Categorical(name, r, c, l) => DriftColumn {
                name: name.clone(),
                values: ColumnValues::Categorical {
                    reference: r.as_array(),
                    current: c.as_array(),
                    levels: l.clone(),
                },
            },
        }
    }
}

/// A sensitive feature: `(name, reference codes, current codes, levels)`.
type PyGroups<'py> = (
    String,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
    Vec<String>,
);

/// The drift report as JSON.
#[pyfunction]
#[pyo3(signature = (columns, prediction, groups, options_json))]
fn drift_report<'py>(
    py: Python<'py>,
    columns: Vec<PyColumn<'py>>,
    prediction: Option<PyColumn<'py>>,
    groups: Option<PyGroups<'py>>,
    options_json: &str,
) -> PyResult<String> {
    let options: DriftOptions = parse("options", options_json)?;
    let held = columns
        .into_iter()
        .map(Held::extract)
        .collect::<PyResult<Vec<_>>>()?;
    let pred = prediction.map(Held::extract).transpose()?;
    let input = DriftInput {
        columns: held.iter().map(Held::view).collect(),
        prediction: pred.as_ref().map(Held::view),
        groups: groups.as_ref().map(|(name, r, c, levels)| GroupCodes {
            name: name.clone(),
            reference: r.as_array(),
            current: c.as_array(),
            levels: levels.clone(),
        }),
    };
    let report = py.detach(|| guard(|| core_report(&input, &options)))?;
    serde_json::to_string(&report).map_err(|e| json_err("report", &e))
}

/// Codes (by first appearance, `2**32 - 1` for nulls) and levels of an Arrow text array read
/// in place: `offsets` (int32 or int64), the `data` bytes, the validity bitmap (or None) and
/// the array's offset into that bitmap.
#[pyfunction]
#[pyo3(signature = (offsets, data, validity, validity_offset))]
fn encode_text<'py>(
    py: Python<'py>,
    offsets: Bound<'py, PyAny>,
    data: PyReadonlyArray1<'py, u8>,
    validity: Option<PyReadonlyArray1<'py, u8>>,
    validity_offset: usize,
) -> PyResult<(Bound<'py, PyArray1<u32>>, Vec<String>)> {
    let data = data.as_slice()?;
    let validity = validity.as_ref().map(|v| v.as_slice()).transpose()?;
    let codes = if let Ok(o) = offsets.extract::<PyReadonlyArray1<'py, i64>>() {
        let o = o.as_slice()?;
        py.detach(|| guard(|| core_encode_text(o, data, validity, validity_offset)))?
    } else {
        let o = offsets.extract::<PyReadonlyArray1<'py, i32>>()?;
        let o = o.as_slice()?;
        py.detach(|| guard(|| core_encode_text(o, data, validity, validity_offset)))?
    };
    Ok((codes.codes.into_pyarray(py), codes.levels))
}

/// Mergeable per-bin counts of a reference and a current sample.
#[pyclass(module = "aequa._core", name = "DriftSummary")]
struct PyDriftSummary {
    inner: DriftSummary,
}

fn side(which: &str) -> PyResult<Side> {
    match which {
        "reference" => Ok(Side::Reference),
        "current" => Ok(Side::Current),
        other => Err(InvalidArgumentError::new_err(format!(
            "side: expected 'reference' or 'current', found '{other}'"
        ))),
    }
}

#[pymethods]
impl PyDriftSummary {
    /// A summary over numeric bin edges.
    #[staticmethod]
    fn numeric(edges: Vec<f64>) -> PyResult<Self> {
        Ok(PyDriftSummary {
            inner: guard(|| DriftSummary::numeric(&edges))?,
        })
    }

    /// A summary over `n_categories` category codes.
    #[staticmethod]
    fn categorical(n_categories: usize) -> PyResult<Self> {
        Ok(PyDriftSummary {
            inner: guard(|| DriftSummary::categorical(n_categories))?,
        })
    }

    /// Count a chunk of float64 values.
    fn update_values(&mut self, which: &str, values: PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        let s = side(which)?;
        let v = values.as_array().to_vec();
        guard(|| self.inner.update_values(s, &v))
    }

    /// Count a chunk of uint32 codes.
    fn update_codes(&mut self, which: &str, codes: PyReadonlyArray1<'_, u32>) -> PyResult<()> {
        let s = side(which)?;
        let v = codes.as_array().to_vec();
        guard(|| self.inner.update_codes(s, &v))
    }

    /// Add another summary over the same bins.
    fn merge(&mut self, other: PyRef<'_, PyDriftSummary>) -> PyResult<()> {
        let o = other.inner.clone();
        guard(|| self.inner.merge(&o))
    }

    /// `(psi, floor_reference, floor_current)`; `floor` None is Evidently's rule.
    #[pyo3(signature = (floor=None))]
    fn psi(&self, floor: Option<f64>) -> PyResult<(f64, f64, f64)> {
        let f = floor.map_or(Floor::Evidently, Floor::Fixed);
        let r = guard(|| self.inner.psi(f))?;
        Ok((r.statistic, r.floor_reference, r.floor_current))
    }

    /// The Jensen–Shannon distance.
    #[pyo3(signature = (base=None))]
    fn jensen_shannon(&self, base: Option<f64>) -> PyResult<f64> {
        guard(|| self.inner.jensen_shannon(base))
    }

    /// `(statistic, pvalue, dof)` of the chi-square drift test.
    fn chisquare(&self) -> PyResult<(f64, f64, f64)> {
        let r = guard(|| self.inner.chisquare())?;
        Ok((r.statistic, r.pvalue, r.dof))
    }

    /// Reference counts per bin.
    #[getter]
    fn reference_counts(&self) -> Vec<u64> {
        self.inner.reference.clone()
    }

    /// Current counts per bin.
    #[getter]
    fn current_counts(&self) -> Vec<u64> {
        self.inner.current.clone()
    }

    /// The summary as JSON.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| json_err("summary", &e))
    }

    /// A summary from its JSON.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Self> {
        Ok(PyDriftSummary {
            inner: guard(|| DriftSummary::from_json(json))?,
        })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ks_2samp, m)?)?;
    m.add_function(wrap_pyfunction!(chisquare, m)?)?;
    m.add_function(wrap_pyfunction!(wasserstein_distance, m)?)?;
    m.add_function(wrap_pyfunction!(anderson_ksamp, m)?)?;
    m.add_function(wrap_pyfunction!(drift_report, m)?)?;
    m.add_function(wrap_pyfunction!(encode_text, m)?)?;
    m.add_class::<PyDriftSummary>()?;
    Ok(())
}
