//! Whole jobs as the command line runs them: an input file -> a fitted model and every output
//! file ([`run`]); and a saved model plus an input stream -> tagged rows on an output stream
//! ([`tag_stream`]), read, analysed, projected and written chunk by chunk in constant memory.

use std::io::Write;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::embed::{Provided, VectorInput, VectorProvider};
use crate::error::{Error, Result};
use crate::evaluate::Metrics;
use crate::memory::{Estimate, InputSize, Limit, MemoryLimit};
use crate::model::{Fit, FitInput, Previous, TagInput, Timings, TopicModel, TopicSummary};
use crate::params::TopicParams;
use crate::progress::{self, Progress, Silent, Work};
use crate::read::{Corpus, DocumentReader, ReadParams};
use crate::report::layout::MapLayout;
use crate::report::tree::TreeNode;
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
    /// The model this fit follows (`--previous`): its topics' ids carry over, and
    /// `topic_changes.csv` says what became of each.
    pub previous: Option<PreviousModel>,
    /// The memory a fit may use: a fit whose estimated peak is above it is refused before the
    /// bulk of the input is read ([`Error::NotEnoughMemory`]).
    pub memory_limit: MemoryLimit,
}

/// The model a run follows: a file, read before the input, or a model in memory.
#[derive(Debug, Clone)]
pub enum PreviousModel {
    File(PathBuf),
    Loaded(Box<TopicModel>),
}

impl PreviousModel {
    fn load(&self) -> Result<std::borrow::Cow<'_, TopicModel>> {
        match self {
            PreviousModel::File(path) => Ok(std::borrow::Cow::Owned(TopicModel::load(path)?)),
            PreviousModel::Loaded(model) => Ok(std::borrow::Cow::Borrowed(model)),
        }
    }
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
    /// The fit's estimated peak memory and the limit it was held to, when it was checked.
    pub memory: Option<(Estimate, Limit)>,
}

/// Reads, fits and writes; output files are written only if every stage succeeds.
pub fn run(config: &RunConfig) -> Result<Summary> {
    run_with(config, &Silent)
}

/// [`run`], telling `progress` what each stage is doing. Progress never changes the outputs;
/// when it says to stop ([`Progress::cancelled`], a [`crate::Cancel`] token watched with
/// [`crate::Cancel::watch`]) the run ends with [`Error::Cancelled`] and writes nothing.
pub fn run_with(config: &RunConfig, progress: &dyn Progress) -> Result<Summary> {
    config.params.check()?;
    // A previous model that cannot be used fails the run before the input is read.
    if let Some(PreviousModel::File(path)) = &config.previous {
        TopicModel::load(path)?;
    }
    let mut timings = Timings::default();
    // A file's size is known before it is read: its first rows say how many documents it holds.
    let limit = config.memory_limit.limit();
    let mut memory = match (&limit, config.read.measure(MEASURE_BYTES)) {
        (Some(limit), Some(size)) => Some(check_memory(config, size, limit)?),
        _ => None,
    };
    let corpus = timings.time("read", progress, || config.read.read(progress))?;
    // Standard input's size is known only now; the fit's work is still ahead.
    if let (Some(limit), None) = (&limit, &memory) {
        let size = InputSize {
            bytes: corpus.documents.iter().map(|d| d.text.len() as u64).sum(),
            documents: corpus.documents.len() as u64,
            text_bytes: corpus
                .documents
                .iter()
                .map(|d| (d.title.len() + d.text.len()) as u64)
                .sum(),
            exact: true,
        };
        memory = Some(check_memory(config, size, limit)?);
    }
    let (_, mut summary) = run_corpus(corpus, config, timings, progress)?;
    summary.memory = memory.zip(limit);
    Ok(summary)
}

/// How much of a file is read to judge its rows' size: 8 MiB take about 30 ms.
const MEASURE_BYTES: u64 = 8 << 20;

/// The fit's estimated peak for `size`, or the refusal when it is above `limit`.
fn check_memory(config: &RunConfig, size: InputSize, limit: &Limit) -> Result<Estimate> {
    let vector_dims = vector_dims(&config.vectors, size);
    let estimate = Estimate::new(size, &config.params, vector_dims, config.write.report);
    crate::memory::check(
        estimate,
        limit.clone(),
        &config.params,
        vector_dims,
        config.write.report,
    )
    .map_err(|shortfall| Error::NotEnoughMemory {
        path: config.read.source.display_name().into(),
        shortfall,
    })?;
    Ok(estimate)
}

/// The sentence vectors' length, for the estimate: a model folder's `hidden_size`, or a vector
/// file's size over the documents (its header is a few hundred bytes of it); 384, the usual
/// small model's, where neither can be read.
fn vector_dims(vectors: &VectorInput, size: InputSize) -> Option<usize> {
    const USUAL: usize = 384;
    match vectors {
        VectorInput::None => None,
        VectorInput::File(path) => {
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let per_document = bytes / size.documents.max(1) / 4;
            Some(if per_document > 0 {
                per_document as usize
            } else {
                USUAL
            })
        }
        VectorInput::Model { dir, .. } => {
            let config = crate::files::read_capped(&dir.join("config.json"), 1 << 20).ok();
            let hidden = config
                .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                .and_then(|value| value.get("hidden_size")?.as_u64());
            Some(hidden.map_or(USUAL, |h| h.min(1 << 16) as usize))
        }
    }
}

/// [`run_with`] on documents already read (`config.read` is not used): a caller that holds its
/// documents in memory (a data frame) gets the same files the command line writes, and the
/// [`Fit`] beside the summary. `timings` holds the stages already run (reading).
pub fn run_corpus(
    mut corpus: Corpus,
    config: &RunConfig,
    mut timings: Timings,
    progress: &dyn Progress,
) -> Result<(Fit, Summary)> {
    let source = corpus.source.clone();
    let in_input = |error: Error| error.for_input(Path::new(&source));
    let labels = corpus.labels.take();
    let label_column = corpus.columns.label.clone();
    let mut warnings = corpus.warnings.clone();
    let (provided, provider) = sentence_vectors(config, &corpus, &mut timings, progress)?;
    let vectors_note = provided
        .as_ref()
        .map(|p| vectors_note(p, &source, corpus.documents.len(), &mut warnings));
    let mut input = FitInput::new().progress(progress);
    if let (Some(column), Some(labels)) = (label_column.as_deref(), labels.as_deref()) {
        input = input.labels(column, labels);
    }
    if let Some(provided) = &provided {
        input = input.vectors(&provided.vectors);
    }
    if let Some(model) = provider.as_ref().and_then(VectorProvider::text_model) {
        input = input.term_model(model);
    }
    if config.write.report {
        input = input.keep_rows();
    }
    let previous_model = config
        .previous
        .as_ref()
        .map(PreviousModel::load)
        .transpose()?;
    // The previous model tags the documents now, while their texts are here.
    let previous = match &previous_model {
        Some(model) => Some(timings.time("previous", progress, || {
            let vectors = provided
                .as_ref()
                .filter(|_| model.semantic().is_some())
                .map(|p| &p.vectors);
            let tag = TagInput {
                vectors,
                progress: Some(progress),
                ..TagInput::default()
            };
            Previous::new(model, &corpus.documents, &tag)
        })?),
        None => None,
    };
    if let Some(previous) = &previous {
        input = input.previous(previous);
    }
    let analyzed =
        TopicModel::analyze(&corpus.documents, &config.params, &input).map_err(in_input)?;
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
    let mut fit = TopicModel::fit_analyzed(analyzed, &input).map_err(in_input)?;
    fit.model.set_columns(corpus.columns.as_choice());
    timings.0.append(&mut fit.timings.0);
    warnings.extend(fit_warnings(&corpus, &fit));
    let trends = trends(&corpus, &fit, &mut warnings);
    let (tree, map) = timings.time("layout", progress, || {
        let map = config
            .write
            .report
            .then(|| report::document_map(&fit, config.params.seed.derive("map")))
            .flatten();
        (report::topic_tree(&fit), map)
    });
    let rendered = match &map {
        Some(map) => Some(timings.time("report", progress, || {
            let date_column = corpus.columns.date.as_deref().unwrap_or_default();
            let mut input = report_input(&corpus, &snippets, &fit, map, &tree, &warnings);
            input.trends = trends.as_ref().map(|t| (date_column, t));
            input.render()
        })?),
        None => None,
    };
    progress::check(progress)?;
    let files = timings.time("write", progress, || {
        config.write.write(
            &RunOutputs {
                documents: &corpus.documents,
                placed: &fit.documents,
                topics: &fit.topics,
                metrics: &fit.metrics,
                k_selection: fit.k_selection.as_ref(),
                model: &fit.model,
                tree: &tree,
                trends: trends.as_ref(),
                changes: fit.changes.as_deref(),
                report: rendered.as_ref(),
            },
            progress,
        )
    })?;
    let summary = Summary {
        documents: corpus.documents.len(),
        without_terms: fit.without_terms(),
        terms: fit.terms,
        dims: fit.model.dims(),
        topics: fit.model.topics().to_vec(),
        warnings,
        k_choice: fit.model.k_choice().map(ToString::to_string),
        metrics: fit.metrics.clone(),
        files,
        timings,
        vectors: vectors_note,
        memory: None,
    };
    // The map is drawn: the rows need not outlive the run.
    fit.rows = None;
    Ok((fit, summary))
}

/// The sentence vectors of every document, from the model folder or the file the run was given,
/// and the model when there is one (the label stage embeds candidate terms with it).
fn sentence_vectors(
    config: &RunConfig,
    corpus: &Corpus,
    timings: &mut Timings,
    progress: &dyn Progress,
) -> Result<(Option<Provided>, Option<VectorProvider>)> {
    let Some(provider) = config.vectors.open(Some(corpus.documents.len()))? else {
        return Ok((None, None));
    };
    timings.time("embed", progress, || {
        if provider.text_model().is_some() {
            let provided = provider.vectors(&corpus.documents, 0, progress)?;
            Ok((Some(provided), Some(provider)))
        } else {
            // A file's rows are handed over whole, not copied.
            Ok((Some(provider.all(&corpus.documents, progress)?), None))
        }
    })
}

/// Where the sentence vectors came from, in one line; their warnings go to `warnings`.
fn vectors_note(
    provided: &Provided,
    source: &str,
    documents: usize,
    warnings: &mut Vec<String>,
) -> String {
    warnings.extend(provided.truncation_warning(source));
    warnings.extend(provided.warnings.iter().cloned());
    match provided.cached {
        0 => provided.vectors.source.describe(),
        cached => format!(
            "{} ({cached} of {documents} from the cache)",
            provided.vectors.source.describe()
        ),
    }
}

/// What the fit found that the user should hear about: empty topics, documents without terms.
fn fit_warnings(corpus: &Corpus, fit: &Fit) -> Vec<String> {
    let mut warnings = Vec::new();
    let topics = fit.model.topics().len();
    if topics < fit.requested_k {
        warnings.push(format!(
            "{}: asked for {} topics but k-means left only {topics} non-empty (many documents look alike in LSA space)",
            corpus.source, fit.requested_k
        ));
    }
    if fit.without_terms() > 0 {
        let first = fit
            .documents
            .iter()
            .position(|t| t.topic.is_none())
            .map_or_else(String::new, |doc| corpus.documents[doc].id.clone());
        warnings.push(format!(
            "{}: {} document(s) have no terms left after filtering and get topic -1 (first: id '{first}')",
            corpus.source,
            fit.without_terms()
        ));
    }
    warnings
}

/// Each topic's share over time, with a date column; dates that do not parse are warnings.
fn trends(corpus: &Corpus, fit: &Fit, warnings: &mut Vec<String>) -> Option<Trends> {
    let source = &corpus.source;
    let dates = corpus.dates.as_deref()?;
    let topic_of: Vec<Option<usize>> = fit.documents.iter().map(|t| t.topic).collect();
    let trends = Trends::build(dates, &topic_of, fit.model.topics().len());
    let date_column = corpus.columns.date.clone().unwrap_or_default();
    match &trends {
        Some(t) if t.unparsed > 0 => {
            let (row, value) = t.first_unparsed.clone().unwrap_or_default();
            warnings.push(format!(
                "{source}: {} date(s) in column '{date_column}' could not be read (ISO dates, YYYY-MM or years) and are left out of the trends (first: row {row}, '{value}')",
                t.unparsed
            ));
        }
        None => warnings.push(format!(
            "{source}: no date in column '{date_column}' could be read (ISO dates, YYYY-MM or years): no trends"
        )),
        _ => {}
    }
    trends
}

/// The report's input from the run's corpus and fit.
fn report_input<'a>(
    corpus: &'a Corpus,
    snippets: &'a [String],
    fit: &'a Fit,
    map: &'a MapLayout,
    tree: &'a [TreeNode],
    warnings: &'a [String],
) -> ReportInput<'a> {
    ReportInput {
        source: &corpus.source,
        documents: &corpus.documents,
        snippets,
        trends: None,
        topics: &fit.topics,
        placed: &fit.documents,
        centroids: fit.model.centroids(),
        metrics: &fit.metrics,
        k_selection: fit.k_selection.as_ref(),
        // The model's params: they record what the fit did (label terms re-ranked or not).
        params: fit.model.params(),
        term_order: fit.model.term_order(),
        sentence_vectors: fit
            .model
            .semantic()
            .map(|v| format!("{}, weight {}", v.source.describe(), v.weight)),
        map,
        tree,
        terms: fit.terms,
        dims: fit.model.dims(),
        without_terms: fit.without_terms(),
        warnings,
        changes: fit.changes.as_deref(),
    }
}

/// How `tag` writes its rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TagOptions {
    pub format: OutputFormat,
    /// List each document's this many best topics in a `topics` column.
    pub top: Option<NonZeroUsize>,
    /// Documents read, tagged and written at a time.
    pub chunk: usize,
    /// Call a document novel below this fit, in place of the model's threshold.
    pub novel_below: Option<f64>,
}

impl Default for TagOptions {
    fn default() -> Self {
        TagOptions {
            format: OutputFormat::Csv,
            top: None,
            chunk: TAG_CHUNK_DOCUMENTS,
            novel_below: None,
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
    /// Documents whose fit is below the novelty threshold: of no topic the model knows.
    pub novel: u64,
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
    let mut writer = TaggedWriter::new(options.format, options.top.is_some());
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
            progress::check(progress)?;
            // The encoder and the tagger see only whether to stop: the stream reports bytes.
            let quiet = progress::CancelOnly(progress);
            let mut input = TagInput {
                top: options.top,
                novel_below: options.novel_below,
                progress: Some(&quiet),
                ..TagInput::default()
            };
            let provided = match vectors {
                Some(provider) => {
                    Some(provider.vectors(&documents, counts.documents as usize, &quiet)?)
                }
                None => None,
            };
            if let Some(provided) = &provided {
                counts.truncated += provided.truncated as u64;
                input.vectors = Some(&provided.vectors);
            }
            let tagged = model.tag_with(&documents, &input)?;
            counts.documents += documents.len() as u64;
            counts.without_terms += tagged.iter().filter(|t| t.topic.is_none()).count() as u64;
            counts.novel += tagged.iter().filter(|t| t.novel).count() as u64;
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
