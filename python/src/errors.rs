//! The one mapping from core errors to Python exceptions, and the guard that keeps a Rust
//! panic from ever reaching Python.

use std::panic::{catch_unwind, AssertUnwindSafe};

use aequa_core::Error;
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(
    aequa._core,
    AequaError,
    PyValueError,
    "Base class of every aequa error (a ValueError)."
);
create_exception!(
    aequa._core,
    InvalidArgumentError,
    AequaError,
    "An argument has the wrong value, shape or content."
);
create_exception!(
    aequa._core,
    LengthMismatchError,
    AequaError,
    "Inputs that must be equally long are not."
);
create_exception!(
    aequa._core,
    NonFiniteError,
    AequaError,
    "NaN or infinity where finite numbers are required."
);
create_exception!(
    aequa._core,
    UnsupportedError,
    AequaError,
    "A request aequa does not support."
);
create_exception!(
    aequa._core,
    InternalError,
    AequaError,
    "A bug in aequa: please report it with the message."
);

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AequaError", py.get_type::<AequaError>())?;
    m.add(
        "InvalidArgumentError",
        py.get_type::<InvalidArgumentError>(),
    )?;
    m.add("LengthMismatchError", py.get_type::<LengthMismatchError>())?;
    m.add("NonFiniteError", py.get_type::<NonFiniteError>())?;
    m.add("UnsupportedError", py.get_type::<UnsupportedError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}

/// Map a core error to its Python exception.
pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::InvalidArgument { .. } => InvalidArgumentError::new_err(msg),
        Error::LengthMismatch { .. } => LengthMismatchError::new_err(msg),
        Error::NonFinite { .. } => NonFiniteError::new_err(msg),
        Error::Unsupported(_) => UnsupportedError::new_err(msg),
    }
}

/// Run `f`, turning core errors into exceptions and a panic into `InternalError`.
pub fn guard<T>(f: impl FnOnce() -> aequa_core::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(to_py),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(InternalError::new_err(format!(
                "internal error in aequa (please report): {what}"
            )))
        }
    }
}

/// JSON (de)serialisation failures of options and reports.
pub fn json_err(argument: &str, e: &serde_json::Error) -> PyErr {
    InvalidArgumentError::new_err(format!("{argument}: malformed JSON ({e})"))
}
