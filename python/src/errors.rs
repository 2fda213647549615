//! The core's errors -> Python exceptions: one class per [`ErrorKind`], chosen in one place
//! ([`to_py`]), the message the library's own (parameters named as the keywords are).

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use topictag::{Error, ErrorKind};

create_exception!(
    _topictag,
    ParamError,
    PyValueError,
    "A setting the fit cannot use (min_df 0, k above the documents)."
);
create_exception!(
    _topictag,
    InputError,
    PyValueError,
    "Documents, a column or a file read beside them that cannot be used."
);
create_exception!(
    _topictag,
    ModelFileError,
    PyValueError,
    "A model file (or model bytes) that cannot be used: corrupted, foreign, another format."
);
create_exception!(
    _topictag,
    WriteError,
    PyOSError,
    "Writing an output failed."
);
create_exception!(
    _topictag,
    ComputeError,
    PyRuntimeError,
    "An internal step failed."
);

/// The exception for `error`, by its kind: what a Python caller catches.
pub fn to_py(error: Error) -> PyErr {
    let message = error.to_string();
    match error.kind() {
        ErrorKind::Param => ParamError::new_err(message),
        ErrorKind::Input => InputError::new_err(message),
        ErrorKind::ModelFile => ModelFileError::new_err(message),
        ErrorKind::Io => WriteError::new_err(message),
        ErrorKind::Cancelled => PyKeyboardInterrupt::new_err(message),
        _ => ComputeError::new_err(message),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ParamError", py.get_type::<ParamError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("ModelFileError", py.get_type::<ModelFileError>())?;
    m.add("WriteError", py.get_type::<WriteError>())?;
    m.add("ComputeError", py.get_type::<ComputeError>())?;
    Ok(())
}
