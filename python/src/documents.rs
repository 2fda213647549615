//! A frame's columns -> the core's [`Document`]s: which columns hold the ids, titles and texts
//! (the command line's rules, [`resolve_columns`]), and rows of optional strings -> documents
//! built as the readers build them ([`Document::from_fields`]).

use pyo3::prelude::*;
use std::path::PathBuf;
use topictag::read::ColumnChoice;

use topictag::embed::{SentenceVectors, VectorInput, VectorSource};
use topictag::Document;

use crate::encoder::SentenceEncoder;
use crate::errors::to_py;

/// One column of strings; `None` for a missing value, read as an empty field.
pub type Column = Vec<Option<String>>;

/// The columns to read among `available`: `(id, title, texts)`, each `None` when absent, with
/// the command line's defaults (`id` if present, `title` if present, `abstract`, else `text`,
/// else `body`). A named column that is missing raises an error listing the columns there are.
#[pyfunction]
#[pyo3(signature = (available, id=None, title=None, text=None, source="<documents>"))]
pub fn resolve_columns(
    available: Vec<String>,
    id: Option<String>,
    title: Option<String>,
    text: Option<Vec<String>>,
    source: &str,
) -> PyResult<(Option<String>, Option<String>, Vec<String>)> {
    let choice = ColumnChoice {
        id,
        title,
        text: text.unwrap_or_default(),
        label: None,
        date: None,
    };
    let resolved = choice.resolve(&available, source).map_err(to_py)?;
    Ok((resolved.id, resolved.title, resolved.text))
}

/// The documents of columns of equal length: ids (row numbers from 1 when `None`), titles, and
/// one or more text columns joined as paragraphs.
pub fn from_columns(
    ids: Option<&Column>,
    titles: Option<&Column>,
    texts: &[Column],
) -> PyResult<Vec<Document>> {
    let rows = texts.first().map_or(0, Vec::len);
    let lengths = ids
        .iter()
        .chain(titles.iter())
        .map(|c| c.len())
        .chain(texts.iter().map(Vec::len));
    if lengths.into_iter().any(|n| n != rows) || texts.is_empty() {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "the id, title and text columns must have one value per document, and there must be a text column",
        ));
    }
    let cell = |column: &Column, row: usize| column[row].as_deref().unwrap_or("").to_string();
    Ok((0..rows)
        .map(|row| {
            let id = ids.map(|c| cell(c, row));
            let title = titles.map(|c| cell(c, row));
            let fields: Vec<&str> = texts
                .iter()
                .map(|c| c[row].as_deref().unwrap_or(""))
                .collect();
            Document::from_fields(row as u64 + 1, id.as_deref(), title.as_deref(), &fields)
        })
        .collect())
}

/// Sentence vectors from Python: a float32 array's bytes (C order, native endian) and its shape,
/// one row per document.
#[derive(FromPyObject)]
pub struct Vectors {
    rows: usize,
    cols: usize,
    data: Vec<u8>,
}

impl Vectors {
    pub fn into_array(self) -> PyResult<ndarray::Array2<f32>> {
        if self.data.len() != self.rows * self.cols * 4 {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "vectors: {} bytes for {} x {} float32 values",
                self.data.len(),
                self.rows,
                self.cols
            )));
        }
        let values: Vec<f32> = self
            .data
            .chunks_exact(4)
            .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        ndarray::Array2::from_shape_vec((self.rows, self.cols), values)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("vectors: {e}")))
    }
}

/// Where a fit's or a tag's sentence vectors come from.
pub enum VectorsFrom<'a> {
    /// Words only.
    None,
    /// An array from Python, one row per document (scaled to unit length here).
    Given(ndarray::Array2<f32>),
    /// Rows `encoder` made (on Spark's executors, say): taken as they are, as that model's.
    MadeBy(ndarray::Array2<f32>, &'a SentenceEncoder),
    /// A loaded folder, to embed the documents with now.
    Encoder(&'a SentenceEncoder),
    /// A folder to load and embed with.
    Folder(PathBuf),
}

/// The documents' sentence vectors, for a fit or a tag (checked against `fitted`, the model that
/// will tag with them); `None` for words only.
pub fn sentence_vectors(
    documents: &[Document],
    from: VectorsFrom<'_>,
    fitted: Option<&topictag::TopicModel>,
    progress: &dyn topictag::Progress,
) -> topictag::Result<Option<SentenceVectors>> {
    let check = |source: &VectorSource| match fitted {
        Some(model) => model.check_vectors(Some(source)),
        None => Ok(()),
    };
    match from {
        VectorsFrom::None => Ok(None),
        VectorsFrom::Given(rows) => {
            let source = VectorSource::File { dims: rows.ncols() };
            Ok(Some(SentenceVectors::new(rows, source)))
        }
        VectorsFrom::MadeBy(rows, encoder) => {
            let source = encoder.source();
            if rows.ncols() != source.dims() || rows.nrows() != documents.len() {
                return Err(topictag::Error::Vectors {
                    path: None,
                    problem: format!(
                        "{} x {} vectors given as {}'s for {} documents",
                        rows.nrows(),
                        rows.ncols(),
                        source.describe(),
                        documents.len()
                    ),
                });
            }
            check(&source)?;
            Ok(Some(SentenceVectors { rows, source }))
        }
        VectorsFrom::Encoder(encoder) => {
            check(&encoder.source())?;
            Ok(Some(
                encoder.provider.vectors(documents, 0, progress)?.vectors,
            ))
        }
        VectorsFrom::Folder(dir) => {
            let input = VectorInput::Model { dir, cache: None };
            let provider = input
                .open(Some(documents.len()))?
                .expect("a model folder gives a provider");
            check(&provider.source())?;
            Ok(Some(provider.all(documents, progress)?.vectors))
        }
    }
}
