//! The fitted model for Python: tag columns of documents -> columns of rows (those of
//! `topictag tag`), save and load, model bytes in and out (pickle), what the model holds.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use topictag::{Document, Silent, TagInput, Tagged};

use crate::documents::{from_columns, sentence_vectors, Column, VectorsFrom};
use crate::encoder::SentenceEncoder;
use crate::errors::to_py;
use crate::work::cancellable;

/// A fitted topic model: what puts new documents into the topics.
#[pyclass(module = "topictag._topictag", frozen)]
pub struct TopicModel {
    pub inner: topictag::TopicModel,
}

#[pymethods]
impl TopicModel {
    /// Tags documents given as columns; returns the columns of `topictag tag`'s rows.
    #[pyo3(signature = (ids, titles, texts, top=None, vectors=None, embeddings=None, encoder=None, novel_below=None))]
    // The Python call's keywords, one argument each.
    #[allow(clippy::too_many_arguments)]
    fn tag_columns<'py>(
        &self,
        py: Python<'py>,
        ids: Option<Column>,
        titles: Option<Column>,
        texts: Vec<Column>,
        top: Option<usize>,
        vectors: Option<crate::documents::Vectors>,
        embeddings: Option<PathBuf>,
        encoder: Option<PyRef<'py, SentenceEncoder>>,
        novel_below: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let documents = from_columns(ids.as_ref(), titles.as_ref(), &texts)?;
        let given = vectors
            .map(crate::documents::Vectors::into_array)
            .transpose()?;
        let model = &self.inner;
        let encoder = encoder.as_deref();
        let tagged = cancellable(py, |cancel| {
            let from = match (given, encoder, embeddings) {
                (Some(rows), _, _) => VectorsFrom::Given(rows),
                (None, Some(encoder), _) => VectorsFrom::Encoder(encoder),
                (None, None, Some(dir)) => VectorsFrom::Folder(dir),
                (None, None, None) => VectorsFrom::None,
            };
            let vectors = sentence_vectors(&documents, from, Some(model), &Silent)?;
            let input = TagInput {
                vectors: vectors.as_ref(),
                top: top.and_then(NonZeroUsize::new),
                novel_below,
                cancel: Some(cancel),
                ..TagInput::default()
            };
            model.tag_with(&documents, &input)
        })?;
        rows(py, &documents, &tagged, model, top.is_some_and(|n| n > 0))
    }

    /// Writes the model file.
    fn save(&self, path: PathBuf) -> PyResult<()> {
        self.inner.save(&path).map_err(to_py)
    }

    /// Reads a model file written by `save` or by the command line.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<TopicModel> {
        let inner = topictag::TopicModel::load(&path).map_err(to_py)?;
        Ok(TopicModel { inner })
    }

    /// The bytes of the model file.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self.inner.to_bytes().map_err(to_py)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// A model from the bytes of a model file, with every check `load` makes.
    #[staticmethod]
    fn from_bytes(bytes: &[u8]) -> PyResult<TopicModel> {
        let inner = topictag::TopicModel::from_bytes(bytes).map_err(to_py)?;
        Ok(TopicModel { inner })
    }

    /// Pickling is the model file's bytes.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(slf.py())?,)))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<TopicModel>()
            .is_ok_and(|other| other.get().inner == self.inner)
    }

    /// The topics, largest first: id, size, label, top terms.
    #[getter]
    fn topics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for topic in self.inner.topics() {
            let row = PyDict::new(py);
            row.set_item("topic", topic.id)?;
            row.set_item("size", topic.size)?;
            row.set_item("label", &topic.label)?;
            row.set_item("top_terms", &topic.top_terms)?;
            list.append(row)?;
        }
        Ok(list)
    }

    /// The input columns the model was fitted on (`tag` reads the same by default).
    #[getter]
    fn columns(&self) -> (Option<String>, Option<String>, Vec<String>) {
        let c = self.inner.columns();
        (c.id.clone(), c.title.clone(), c.text.clone())
    }

    /// What the model holds, as `topictag inspect` tells it.
    fn inspect<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &self.inner;
        let info = PyDict::new(py);
        let (documents, without_terms) = m.fitted_documents();
        info.set_item("format", topictag::model::FORMAT_VERSION)?;
        info.set_item("written_by", m.written_by())?;
        info.set_item("documents", documents)?;
        info.set_item("without_terms", without_terms)?;
        info.set_item("topics", m.topics().len())?;
        info.set_item("k_choice", m.k_choice().map(ToString::to_string))?;
        info.set_item("terms", m.vocabulary_size())?;
        info.set_item("dims", m.dims())?;
        info.set_item(
            "sentence_vectors",
            m.semantic().map(|s| s.source.describe()),
        )?;
        info.set_item("untaggable", m.untaggable().map(|u| u.to_string()))?;
        info.set_item("seed", m.params().seed.0)?;
        info.set_item("label_rerank", m.params().label.rerank)?;
        info.set_item("term_order", m.term_order().to_string())?;
        info.set_item("novelty_threshold", m.novelty().map(|n| n.threshold))?;
        Ok(info)
    }

    fn __repr__(&self) -> String {
        let (documents, _) = self.inner.fitted_documents();
        format!(
            "TopicModel({} topics, {} terms, fitted on {documents} documents)",
            self.inner.topics().len(),
            self.inner.vocabulary_size()
        )
    }
}

/// The rows of `topictag tag` as columns: id, title, topic (-1: no terms), topic_label, score,
/// fit (the share of the document the model's LSA space holds) and novel (fit below the model's threshold;
/// the three `None` for -1), tags (a list), and with `top` the best topics as (topic, score)
/// pairs.
pub fn rows<'py>(
    py: Python<'py>,
    documents: &[Document],
    tagged: &[Tagged],
    model: &topictag::TopicModel,
    with_top: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let labels: Vec<&str> = model.topics().iter().map(|t| t.label.as_str()).collect();
    let out = PyDict::new(py);
    column(&out, "id", documents.iter().map(|d| d.id.as_str()))?;
    column(&out, "title", documents.iter().map(|d| d.title.as_str()))?;
    column(
        &out,
        "topic",
        tagged
            .iter()
            .map(|t| t.topic.map_or(-1, |t| model.topic_id(t) as i64)),
    )?;
    column(
        &out,
        "topic_label",
        tagged.iter().map(|t| t.topic.map_or("", |t| labels[t])),
    )?;
    column(
        &out,
        "score",
        tagged.iter().map(|t| t.topic.map(|_| t.score)),
    )?;
    column(&out, "fit", tagged.iter().map(|t| t.topic.and(t.fit)))?;
    column(
        &out,
        "novel",
        tagged.iter().map(|t| t.topic.and(t.fit).map(|_| t.novel)),
    )?;
    column(&out, "tags", tagged.iter().map(|t| t.tags.clone()))?;
    if with_top {
        let by_id = |top: &[(usize, f64)]| -> Vec<(usize, f64)> {
            top.iter().map(|&(t, s)| (model.topic_id(t), s)).collect()
        };
        column(&out, "topics", tagged.iter().map(|t| by_id(&t.top)))?;
    }
    Ok(out)
}

/// Sets `name` in `out` to a list of `values`: one column of a frame.
pub fn column<'py, T: IntoPyObject<'py>>(
    out: &Bound<'py, PyDict>,
    name: &str,
    values: impl Iterator<Item = T>,
) -> PyResult<()> {
    out.set_item(name, values.collect::<Vec<T>>())
}
