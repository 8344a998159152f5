//! numpy arrays → core views without copies, for the dtypes users hold.

use aequa_core::data::groups::Feature;
use aequa_core::data::Column;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::errors::InvalidArgumentError;

/// A numpy column borrowed for the duration of a call.
pub enum NumCol<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    F32(PyReadonlyArray1<'py, f32>),
    I64(PyReadonlyArray1<'py, i64>),
    I32(PyReadonlyArray1<'py, i32>),
    Bool(PyReadonlyArray1<'py, bool>),
}

impl<'py> NumCol<'py> {
    pub fn extract(argument: &str, obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, f64>>() {
            return Ok(NumCol::F64(a));
        }
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, f32>>() {
            return Ok(NumCol::F32(a));
        }
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, i64>>() {
            return Ok(NumCol::I64(a));
        }
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, i32>>() {
            return Ok(NumCol::I32(a));
        }
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, bool>>() {
            return Ok(NumCol::Bool(a));
        }
        let found = obj
            .getattr("dtype")
            .and_then(|d| d.str())
            .map(|s| s.to_string())
            .unwrap_or_else(|_| obj.get_type().to_string());
        Err(InvalidArgumentError::new_err(format!(
            "{argument}: expected a 1-D numeric array (float64, float32, int64, int32 or bool), found {found}"
        )))
    }

    pub fn view(&self) -> Column<'_> {
        match self {
            NumCol::F64(a) => Column::F64(a.as_array()),
            NumCol::F32(a) => Column::F32(a.as_array()),
            NumCol::I64(a) => Column::I64(a.as_array()),
            NumCol::I32(a) => Column::I32(a.as_array()),
            NumCol::Bool(a) => Column::Bool(a.as_array()),
        }
    }
}

/// A grouping feature handed over from Python: `(name, codes, level labels)`.
pub type PyFeature<'py> = (String, PyReadonlyArray1<'py, u32>, Vec<String>);

pub fn features<'a>(list: &'a [PyFeature<'_>]) -> Vec<Feature<'a>> {
    list.iter()
        .map(|(name, codes, levels)| Feature {
            name: name.clone(),
            codes: codes.as_array(),
            levels: levels.clone(),
        })
        .collect()
}
