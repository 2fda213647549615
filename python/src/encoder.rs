//! A sentence-model folder loaded once: columns of documents -> their sentence vectors (unit
//! float32 rows), so that a Spark executor or a tag in chunks reads the folder once, and a fit can
//! take vectors made elsewhere (on executors) as that model's, exactly as if it had made them.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use topictag::embed::{VectorInput, VectorProvider, VectorSource};
use topictag::Silent;

use crate::documents::{from_columns, Column};
use crate::errors::to_py;
use crate::work::cancellable;

/// A loaded sentence-transformers folder.
#[pyclass(module = "topictag._topictag", frozen)]
pub struct SentenceEncoder {
    pub provider: VectorProvider,
    dir: PathBuf,
}

impl SentenceEncoder {
    /// Loads the folder, with every check the command line's `--embeddings` makes.
    pub fn open(dir: PathBuf) -> topictag::Result<Self> {
        let input = VectorInput::Model {
            dir: dir.clone(),
            cache: None,
        };
        let provider = input.open(None)?.expect("a model folder gives a provider");
        Ok(SentenceEncoder { provider, dir })
    }

    /// Who makes the vectors, as a model records it.
    pub fn source(&self) -> VectorSource {
        self.provider.source()
    }
}

#[pymethods]
impl SentenceEncoder {
    /// Loads the folder, with every check the command line's `--embeddings` makes.
    #[new]
    fn new(dir: PathBuf) -> PyResult<Self> {
        SentenceEncoder::open(dir).map_err(to_py)
    }

    /// Vector width.
    #[getter]
    fn dims(&self) -> usize {
        self.source().dims()
    }

    /// The folder it was loaded from.
    #[getter]
    fn folder(&self) -> PathBuf {
        self.dir.clone()
    }

    /// `model NAME (D dims, sha256 …)`, as `inspect` shows it.
    #[getter]
    fn describe(&self) -> String {
        self.source().describe()
    }

    /// The documents' vectors as (rows, dims, float32 bytes in C order, native endian).
    fn encode<'py>(
        &self,
        py: Python<'py>,
        ids: Option<Column>,
        titles: Option<Column>,
        texts: Vec<Column>,
    ) -> PyResult<(usize, usize, Bound<'py, PyBytes>)> {
        let documents = from_columns(ids.as_ref(), titles.as_ref(), &texts)?;
        let provided = cancellable(py, |cancel| {
            self.provider.vectors(&documents, 0, &cancel.watch(&Silent))
        })?;
        let rows = provided.vectors.rows;
        let (n, dims) = rows.dim();
        let bytes: Vec<u8> = rows.iter().flat_map(|v| v.to_ne_bytes()).collect();
        Ok((n, dims, PyBytes::new(py, &bytes)))
    }

    fn __repr__(&self) -> String {
        format!("SentenceEncoder({})", self.describe())
    }
}
