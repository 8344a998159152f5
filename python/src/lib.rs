//! `aequa._core`: the thin pyo3 adapter over `aequa-core`. Each function converts its
//! arguments, releases the GIL, calls the core and converts back; no arithmetic lives here.

mod convert;
mod drift;
mod errors;
mod explain_inspect;
mod explain_shapley;
mod explain_tree;
mod fairness;
mod model;
mod robust;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    fairness::register(m)?;
    explain_shapley::register(m)?;
    drift::register(m)?;
    model::register(m)?;
    explain_inspect::register(m)?;
    explain_tree::register(m)?;
    robust::register(m)?;
    Ok(())
}
