//! Whole jobs as the command line runs them: an input file -> a fitted model and every output
//! file ([`run`]); and a saved model plus an input stream -> tagged rows on an output stream
//! ([`tag_stream`]), read, analysed, projected and written chunk by chunk in constant memory.

use std::io::Write;
use std::path::PathBuf;
use std::sync::mpsc;

use crate::embed::{VectorInput, VectorProvider};
use crate::error::{Error, Result};
use crate::evaluate::Metrics;
use crate::model::{FitInput, Timings, TopicModel, TopicSummary};
use crate::params::TopicParams;
use crate::progress::{Progress, Silent, Work};
use crate::read::{DocumentReader, ReadParams};
use crate::report::trends::Trends;
use crate::report::{self, ReportInput};
use crate::write::{OutputFormat, RunOutputs, TaggedWriter, WriteParams};

/// Everything [`run`] needs: where the documents come from, how to fit, where the files go.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    pub read: ReadParams,
    pub params: TopicParams,
    pub write: WriteParams,
    /// Sentence vectors to join to the words' rows, if any.
    pub vectors: VectorInput,
}

/// What a run did, for the command line to report.
#[derive(Debug, Clone)]
pub struct Summary {
    pub documents: usize,
    /// Documents with no terms left after filtering (topic -1).
    pub without_terms: usize,
    pub terms: usize,
    pub dims: usize,
    /// The topics, largest first.
    pub topics: Vec<TopicSummary>,
    pub warnings: Vec<String>,
    pub metrics: Metrics,
    /// With `k` auto: what was chosen and why, in one line.
    pub k_choice: Option<String>,
    pub files: Vec<PathBuf>,
    pub timings: Timings,
    /// With sentence vectors: where they came from, in one line.
    pub vectors: Option<String>,
}

/// Reads, fits and writes; output files are written only if every stage succeeds.
pub fn run(config: &RunConfig) -> Result<Summary> {
    run_with(config, &Silent)
}

/// [`run`], telling `progress` what each stage is doing. Progress never changes the outputs.
pub fn run_with(config: &RunConfig, progress: &dyn Progress) -> Result<Summary> {
    let params = config.params.check()?;
    let mut read_time = Timings::default();
    let mut corpus = read_time.time("read", progress, || config.read.read(progress))?;
    let label_column = corpus.columns.label.clone();
    let labels = corpus.labels.take();
    let source = corpus.source.clone();
    let mut timings = read_time;
    let mut warnings = corpus.warnings.clone();
    let provided = match config.vectors.open(Some(corpus.documents.len()))? {
        Some(provider) => Some(timings.time("embed", progress, || {
            provider.all(&corpus.documents, progress)
        })?),
        None => None,
    };
    let vectors_note = provided.as_ref().map(|p| {
        let documents = corpus.documents.len();
        warnings.extend(p.truncation_warning(&source));
        warnings.extend(p.warnings.iter().cloned());
        match p.cached {
            0 => p.vectors.source.describe(),
            cached => format!(
                "{} ({cached} of {documents} from the cache)",
                p.vectors.source.describe()
            ),
        }
    });
    let input = FitInput {
        source: &source,
        columns: corpus.columns.as_choice(),
        labels: label_column.as_deref().zip(labels.as_deref()),
        vectors: provided.as_ref().map(|p| &p.vectors),
    };
    let tokens = timings.time("text", progress, || {
        params.text.fit(&corpus.documents, progress)
    });
    // The report shows the first sentence of each topic's representatives; which documents
    // those are is known only after clustering, so every document's is kept (at most 220
    // characters each).
    let snippets: Vec<String> = if config.write.report {
        timings.time("snippets", progress, || {
            report::first_sentences(&corpus.documents)
        })
    } else {
        Vec::new()
    };
    // Only ids and titles are written back out: the texts (most of the input's size) go now.
    corpus.drop_texts();
    let (model, report) = TopicModel::fit_analyzed(tokens, params, &input, timings, progress)?;
    let mut timings = report.timings.clone();
    let topics = model.topics().to_vec();
    if topics.len() < report.requested_k {
        warnings.push(format!(
            "{}: asked for {} topics but k-means left only {} non-empty (many documents look alike in LSA space)",
            corpus.source,
            report.requested_k,
            topics.len()
        ));
    }
    if report.without_terms > 0 {
        let first = report
            .assignments()
            .iter()
            .position(Option::is_none)
            .map_or_else(String::new, |doc| corpus.documents[doc].id.clone());
        warnings.push(format!(
            "{}: {} document(s) have no terms left after filtering and get topic -1 (first: id '{first}')",
            corpus.source, report.without_terms
        ));
    }
    let trends = corpus.dates.as_deref().and_then(|dates| {
        let topic_of: Vec<Option<usize>> = report
            .assignments()
            .iter()
            .map(|a| a.as_ref().map(|a| a.topic))
            .collect();
        Trends::build(dates, &topic_of, model.topics().len())
    });
    let date_column = corpus.columns.date.clone().unwrap_or_default();
    match (&trends, &corpus.dates) {
        (Some(t), _) if t.unparsed > 0 => {
            let (row, value) = t.first_unparsed.clone().unwrap_or_default();
            warnings.push(format!(
                "{source}: {} date(s) in column '{date_column}' could not be read (ISO dates, YYYY-MM or years) and are left out of the trends (first: row {row}, '{value}')",
                t.unparsed
            ));
        }
        (None, Some(_)) => warnings.push(format!(
            "{source}: no date in column '{date_column}' could be read (ISO dates, YYYY-MM or years): no trends"
        )),
        _ => {}
    }
    let rendered = if config.write.report {
        Some(timings.time("report", progress, || {
            ReportInput {
                source: &source,
                documents: &corpus.documents,
                snippets: &snippets,
                trends: trends.as_ref().map(|t| (date_column.as_str(), t)),
                topics: &report.topics,
                centroids: model.centroids(),
                metrics: &report.metrics,
                k_selection: report.k_selection.as_ref(),
                params: &config.params,
                sentence_vectors: model
                    .semantic()
                    .map(|v| format!("{}, weight {}", v.source.describe(), v.weight)),
                map: &report.map,
                tree: &report.tree,
                terms: report.terms,
                dims: report.dims,
                without_terms: report.without_terms,
                warnings: &warnings,
            }
            .render()
        })?)
    } else {
        None
    };
    let files = timings.time("write", progress, || {
        config.write.write(
            &RunOutputs {
                documents: &corpus.documents,
                topics: &report.topics,
                metrics: &report.metrics,
                k_selection: report.k_selection.as_ref(),
                model: &model,
                tree: &report.tree,
                trends: trends.as_ref(),
                report: rendered.as_ref(),
            },
            progress,
        )
    })?;
    Ok(Summary {
        documents: corpus.documents.len(),
        without_terms: report.without_terms,
        terms: report.terms,
        dims: report.dims,
        topics,
        warnings,
        metrics: report.metrics,
        k_choice: model.k_choice().map(str::to_string),
        files,
        timings,
        vectors: vectors_note,
    })
}

/// How `tag` writes its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagOptions {
    pub format: OutputFormat,
    /// List each document's this many best topics in a `topics` column (0: no such column).
    pub top: usize,
    /// Documents read, tagged and written at a time.
    pub chunk: usize,
}

impl Default for TagOptions {
    fn default() -> Self {
        TagOptions {
            format: OutputFormat::Csv,
            top: 0,
            chunk: TAG_CHUNK_DOCUMENTS,
        }
    }
}

/// Documents per chunk of [`tag_stream`]: large enough that every stage's parallel loop has
/// work for all cores, small enough that a chunk's texts and rows stay a few MB.
pub const TAG_CHUNK_DOCUMENTS: usize = 8192;

/// What [`tag_stream`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TagCounts {
    pub documents: u64,
    /// Documents with no term of the model's vocabulary (topic -1).
    pub without_terms: u64,
    /// Documents cut at the sentence model's token limit.
    pub truncated: u64,
}

/// Documents per chunk of [`tag_stream`] when a sentence model embeds them: at ~50 documents/s a
/// chunk is a few seconds, so progress moves and memory stays small.
pub const EMBED_TAG_CHUNK_DOCUMENTS: usize = 256;

/// Tags every document of `reader` with `model` and writes the rows to `out` as they are made.
/// One thread reads and parses the next chunk while the others tag the current one; at most two
/// chunks are in memory at once, whatever the input's size. Output is the same on any number
/// of threads.
pub fn tag_stream(
    model: &TopicModel,
    reader: DocumentReader,
    out: &mut dyn Write,
    out_name: &str,
    options: TagOptions,
    vectors: Option<&VectorProvider>,
    progress: &dyn Progress,
) -> Result<TagCounts> {
    model.check_taggable()?;
    model.check_vectors(vectors.map(VectorProvider::source).as_ref())?;
    let chunk_size = match vectors {
        Some(v) if v.token_limit().is_some() => options.chunk.min(EMBED_TAG_CHUNK_DOCUMENTS),
        _ => options.chunk,
    }
    .max(1);
    let total = reader.total_bytes();
    match total {
        Some(total) => progress.measure(Work::Bytes(total)),
        None => progress.measure(Work::open("documents")),
    }
    let mut writer = TaggedWriter::new(options.format, options.top > 0);
    let mut counts = TagCounts::default();
    let mut reported = 0u64;
    std::thread::scope(|scope| {
        // One chunk in the channel and one being read: reading never runs far ahead.
        let (send, receive) = mpsc::sync_channel::<Result<(Vec<_>, u64)>>(1);
        let mut reader = reader;
        scope.spawn(move || loop {
            let chunk = reader
                .next_chunk(chunk_size)
                .map(|documents| (documents, reader.bytes_read()));
            let last =
                matches!(&chunk, Ok((documents, _)) if documents.is_empty()) || chunk.is_err();
            if send.send(chunk).is_err() || last {
                return;
            }
        });
        for chunk in receive {
            let (documents, bytes) = chunk?;
            if documents.is_empty() {
                break;
            }
            let tagged = match vectors {
                Some(provider) => {
                    let provided =
                        provider.vectors(&documents, counts.documents as usize, &Silent)?;
                    counts.truncated += provided.truncated as u64;
                    model.tag_with(&documents, Some(&provided.vectors), options.top)?
                }
                None => model.tag_top(&documents, options.top)?,
            };
            counts.documents += documents.len() as u64;
            counts.without_terms += tagged.iter().filter(|t| t.topic.is_none()).count() as u64;
            let bytes_out = writer.chunk(&documents, &tagged, model)?;
            out.write_all(&bytes_out)
                .map_err(|source| write_failed(out_name, source))?;
            let done = match total {
                Some(total) => bytes.min(total),
                None => counts.documents,
            };
            progress.advance(done.saturating_sub(reported));
            reported = reported.max(done);
        }
        Ok::<(), Error>(())
    })?;
    if let Some(provider) = vectors {
        provider.finish(counts.documents as usize)?;
    }
    out.write_all(&writer.finish()?)
        .map_err(|source| write_failed(out_name, source))?;
    out.flush()
        .map_err(|source| write_failed(out_name, source))?;
    Ok(counts)
}

fn write_failed(name: &str, source: std::io::Error) -> Error {
    Error::Write {
        path: PathBuf::from(name),
        source,
    }
}

/// Tags the documents of an input read by `read` (see [`tag_stream`]); the documents' columns
/// default to the model's.
pub fn open_for_tagging(read: &ReadParams) -> Result<DocumentReader> {
    read.open(crate::read::JSONL_COLUMN_WINDOW)
}

/// What [`embed`] made: every input row's unit sentence vector, in input order.
#[derive(Debug, Clone)]
pub struct EmbedOutcome {
    pub source: String,
    pub provided: crate::embed::Provided,
    /// Warnings from reading the input.
    pub warnings: Vec<String>,
    /// Loading the model, reading, embedding.
    pub timings: Timings,
}

/// Reads the input and gives every row its sentence vector (from the cache when it has it),
/// as `topictag embed` does before writing them to a `.npy` file.
pub fn embed(
    read: &ReadParams,
    vectors: &VectorInput,
    progress: &dyn Progress,
) -> Result<EmbedOutcome> {
    let mut timings = Timings::default();
    // The model first: a broken folder is reported before a long read.
    let provider = timings.time("load", progress, || vectors.open(None))?;
    let Some(provider) = provider else {
        return Err(Error::param(
            crate::error::Param::Embeddings,
            "is required: the sentence model to embed with",
        ));
    };
    let corpus = timings.time("read", progress, || read.read(progress))?;
    let provided = timings.time("embed", progress, || {
        provider.all(&corpus.documents, progress)
    })?;
    Ok(EmbedOutcome {
        source: corpus.source,
        provided,
        warnings: corpus.warnings,
        timings,
    })
}
