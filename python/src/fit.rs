//! The fit for Python: columns of documents and keyword settings -> a [`Fit`] (the model, every
//! document's row, the topics, the metrics, the k sweep), and with `output` every file the
//! command line writes.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use topictag::embed::VectorInput;
use topictag::read::{Corpus, ResolvedColumns};
use topictag::write::{OutputFormat, WriteParams};
use topictag::{Document, FitInput, RunConfig, TopicParams};

use crate::documents::{from_columns, sentence_vectors, Column, VectorsFrom};
use crate::encoder::SentenceEncoder;
use crate::model::{column, rows, TopicModel};
use crate::params;
use crate::work::{cancellable, StageLines};

/// What a fit made and found.
#[pyclass(module = "topictag._topictag", frozen)]
pub struct Fit {
    #[pyo3(get)]
    model: Py<TopicModel>,
    /// Every document's row (the columns of `documents.csv`).
    #[pyo3(get)]
    documents: Py<PyDict>,
    /// One row per topic (the columns of `topics.csv`).
    #[pyo3(get)]
    topics: Py<PyDict>,
    /// `metrics.json`, as JSON text.
    #[pyo3(get)]
    metrics_json: String,
    /// With k auto, one row per k tried.
    #[pyo3(get)]
    k_selection: Option<Py<PyList>>,
    /// With `previous`: what became of each of its topics (the columns of `topic_changes.csv`).
    #[pyo3(get)]
    changes: Option<Py<PyDict>>,
    /// With `output`, the files written.
    #[pyo3(get)]
    files: Vec<PathBuf>,
    #[pyo3(get)]
    warnings: Vec<String>,
}

/// Where the documents came from and how they were read: what the model and the files record.
#[derive(FromPyObject)]
pub struct Origin {
    source: String,
    id_column: Option<String>,
    title_column: Option<String>,
    text_columns: Vec<String>,
}

/// Fits a model on documents given as columns; `settings` are the fit's keywords.
#[pyfunction]
#[pyo3(signature = (ids, titles, texts, origin, labels=None, vectors=None, embeddings=None, output=None, report=true, format="csv", progress=false, made_by=None, previous=None, **settings))]
// The Python call's keywords, one argument each.
#[allow(clippy::too_many_arguments)]
pub fn fit(
    py: Python<'_>,
    ids: Option<Column>,
    titles: Option<Column>,
    texts: Vec<Column>,
    origin: Origin,
    labels: Option<(String, Column)>,
    vectors: Option<crate::documents::Vectors>,
    embeddings: Option<PathBuf>,
    output: Option<PathBuf>,
    report: bool,
    format: &str,
    progress: bool,
    made_by: Option<Py<SentenceEncoder>>,
    previous: Option<PyRef<'_, TopicModel>>,
    settings: Option<&Bound<'_, PyDict>>,
) -> PyResult<Fit> {
    let params = params::from_kwargs(settings)?;
    let documents = from_columns(ids.as_ref(), titles.as_ref(), &texts)?;
    let format: OutputFormat = format
        .parse()
        .map_err(|e: String| crate::errors::ParamError::new_err(format!("invalid format: {e}")))?;
    let given = vectors
        .map(crate::documents::Vectors::into_array)
        .transpose()?;
    let label_column = labels.as_ref().map(|(column, _)| column.clone());
    let labels: Option<Vec<String>> =
        labels.map(|(_, values)| values.into_iter().map(Option::unwrap_or_default).collect());
    let columns = ResolvedColumns {
        id: origin.id_column,
        title: origin.title_column,
        text: origin.text_columns,
        label: label_column.clone(),
        date: None,
    };
    let shown = StageLines::new();
    let run = Run {
        documents,
        params,
        labels,
        label_column,
        columns,
        source: origin.source,
        vectors: given,
        made_by,
        embeddings,
        previous: previous.map(|m| m.inner.clone()),
    };
    let (fit, files, warnings) = cancellable(py, |cancel| {
        let shown: &dyn topictag::Progress = if progress { &shown } else { &topictag::Silent };
        let watched = cancel.watch(shown);
        match output {
            Some(dir) => run.write(dir, report, format, &watched),
            None => run.fit(&watched).map(|fit| (fit, Vec::new(), Vec::new())),
        }
    })?;
    Fit::new(py, &run.documents, fit, files, warnings)
}

/// A fit's inputs, owned, so the work can run off the GIL.
struct Run {
    documents: Vec<Document>,
    params: TopicParams,
    labels: Option<Vec<String>>,
    label_column: Option<String>,
    columns: ResolvedColumns,
    source: String,
    vectors: Option<ndarray::Array2<f32>>,
    /// The encoder that made `vectors` (they are then that model's, as they are).
    made_by: Option<Py<SentenceEncoder>>,
    embeddings: Option<PathBuf>,
    /// The model this fit follows: its topics' ids carry over.
    previous: Option<topictag::TopicModel>,
}

impl Run {
    /// The fit alone, in memory.
    fn fit(&self, progress: &dyn topictag::Progress) -> topictag::Result<topictag::Fit> {
        // A folder is loaded here rather than inside sentence_vectors, so that its model also
        // embeds the topics' candidate label terms.
        let loaded;
        let (from, encoder) = match (&self.vectors, &self.made_by, &self.embeddings) {
            (Some(rows), Some(encoder), _) => (
                VectorsFrom::MadeBy(rows.clone(), encoder.get()),
                Some(encoder.get()),
            ),
            (Some(rows), None, _) => (VectorsFrom::Given(rows.clone()), None),
            (None, _, Some(dir)) => {
                loaded = SentenceEncoder::open(dir.clone())?;
                (VectorsFrom::Encoder(&loaded), Some(&loaded))
            }
            (None, _, None) => (VectorsFrom::None, None),
        };
        let vectors = sentence_vectors(&self.documents, from, None, progress)?;
        let mut input = FitInput::new().progress(progress);
        if let (Some(column), Some(labels)) = (&self.label_column, &self.labels) {
            input = input.labels(column, labels);
        }
        if let Some(vectors) = &vectors {
            input = input.vectors(vectors);
        }
        if let Some(model) = encoder.and_then(|e| e.provider.text_model()) {
            input = input.term_model(model);
        }
        let previous = match &self.previous {
            Some(model) => {
                let tag = topictag::TagInput {
                    vectors: vectors.as_ref().filter(|_| model.semantic().is_some()),
                    progress: Some(progress),
                    ..topictag::TagInput::default()
                };
                Some(topictag::Previous::new(model, &self.documents, &tag)?)
            }
            None => None,
        };
        if let Some(previous) = &previous {
            input = input.previous(previous);
        }
        let path = std::path::Path::new(&self.source);
        let mut fit = topictag::TopicModel::fit_with(&self.documents, &self.params, &input)
            .map_err(|e| e.for_input(path))?;
        fit.model.set_columns(self.columns.as_choice());
        Ok(fit)
    }

    /// The fit and every file of the command line, written into `dir` as one set.
    fn write(
        &self,
        dir: PathBuf,
        report: bool,
        format: OutputFormat,
        progress: &dyn topictag::Progress,
    ) -> topictag::Result<(topictag::Fit, Vec<PathBuf>, Vec<String>)> {
        let corpus = Corpus {
            source: self.source.clone(),
            documents: self.documents.clone(),
            labels: self.labels.clone(),
            dates: None,
            columns: self.columns.clone(),
            warnings: Vec::new(),
        };
        let vectors = match (&self.vectors, &self.embeddings) {
            (Some(_), _) => {
                return Err(topictag::Error::Vectors {
                    path: None,
                    problem: "output= with vectors= is not supported: save the vectors as .npy and fit from Python without output, or use embeddings=".into(),
                })
            }
            (None, Some(dir)) => VectorInput::Model {
                dir: dir.clone(),
                cache: None,
            },
            (None, None) => VectorInput::None,
        };
        let config = RunConfig {
            params: self.params.clone(),
            write: WriteParams {
                dir,
                format,
                report,
            },
            vectors,
            previous: self
                .previous
                .clone()
                .map(|m| topictag::run::PreviousModel::Loaded(Box::new(m))),
            ..RunConfig::default()
        };
        let (fit, summary) =
            topictag::run::run_corpus(corpus, &config, Default::default(), progress)?;
        Ok((fit, summary.files, summary.warnings))
    }
}

impl Fit {
    fn new(
        py: Python<'_>,
        documents: &[Document],
        fit: topictag::Fit,
        files: Vec<PathBuf>,
        warnings: Vec<String>,
    ) -> PyResult<Fit> {
        let document_rows = rows(py, documents, &fit.documents, &fit.model, false)?;
        let topics = PyDict::new(py);
        let described = &fit.topics.topics;
        column(&topics, "topic", described.iter().map(|t| t.id))?;
        column(&topics, "size", described.iter().map(|t| t.size))?;
        column(&topics, "label", described.iter().map(|t| t.label.clone()))?;
        column(
            &topics,
            "top_terms",
            described.iter().map(|t| t.top_terms.clone()),
        )?;
        let ids = |t: &topictag::label::Topic| -> Vec<String> {
            t.representatives
                .iter()
                .map(|&doc| documents[doc].id.clone())
                .collect()
        };
        column(&topics, "representative_ids", described.iter().map(ids))?;
        let metrics_json = serde_json::to_string(&fit.metrics)
            .map_err(|e| crate::errors::ComputeError::new_err(e.to_string()))?;
        let k_selection = match &fit.k_selection {
            Some(selection) => {
                let list = PyList::empty(py);
                for trial in &selection.trials {
                    let row = PyDict::new(py);
                    row.set_item("k", trial.k)?;
                    row.set_item("stability", trial.stability)?;
                    row.set_item("coherence", trial.coherence)?;
                    row.set_item("diversity", trial.diversity)?;
                    row.set_item("inertia", trial.inertia)?;
                    row.set_item("nmi", trial.nmi)?;
                    row.set_item("chosen", trial.k == selection.k)?;
                    list.append(row)?;
                }
                Some(list.unbind())
            }
            None => None,
        };
        let changes = match &fit.changes {
            Some(made) => {
                let out = PyDict::new(py);
                column(&out, "old_topic", made.iter().map(|c| c.old_topic))?;
                column(&out, "new_topic", made.iter().map(|c| c.new_topic))?;
                column(&out, "status", made.iter().map(|c| c.status.as_str()))?;
                column(&out, "similarity", made.iter().map(|c| c.similarity))?;
                column(&out, "old_label", made.iter().map(|c| c.old_label.clone()))?;
                column(&out, "new_label", made.iter().map(|c| c.new_label.clone()))?;
                Some(out.unbind())
            }
            None => None,
        };
        Ok(Fit {
            changes,
            model: Py::new(py, TopicModel { inner: fit.model })?,
            documents: document_rows.unbind(),
            topics: topics.unbind(),
            metrics_json,
            k_selection,
            files,
            warnings,
        })
    }
}
