//! The Python extension `topictag._topictag`: columns of strings from Python -> the core's
//! documents -> a fit or tagged rows, returned as columns (lists) that the Python front turns back
//! into the caller's kind of frame. The logic stays in the core; this layer converts at one
//! border, maps error kinds to exception classes in one place ([`errors`]) and puts the core's
//! cancel token behind KeyboardInterrupt ([`work`]).

mod documents;
mod encoder;
mod errors;
mod fit;
mod model;
mod params;
mod work;

use pyo3::prelude::*;

#[pymodule]
fn _topictag(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(fit::fit, m)?)?;
    m.add_function(wrap_pyfunction!(documents::resolve_columns, m)?)?;
    m.add_class::<model::TopicModel>()?;
    m.add_class::<fit::Fit>()?;
    m.add_class::<encoder::SentenceEncoder>()?;
    errors::register(m)?;
    Ok(())
}
