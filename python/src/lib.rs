use pyo3::prelude::*;

#[pymodule]
fn _flowsim(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
