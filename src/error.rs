//! The library's error type: every way a fit, a tag or a model file can fail -> one line that
//! names the input (file, row, column) or the parameter the caller must fix.
//!
//! Parameters are named as the library calls them (`min_df`); the command line renders the same
//! errors with its flag names (`--min-df`) through [`Error::display_with`].

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What kind of failure an [`Error`] is: what a caller does about it. [`Error::kind`] sorts
/// every variant into one of these, and [`ErrorKind::exit_code`] is the command line's answer;
/// a binding maps each kind to one exception class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A setting that cannot be used (`min_df` 0, `k` above the documents): change the setting.
    Param,
    /// The documents or another input (a column, a stop-word file, sentence vectors, a sentence
    /// model folder) cannot be read or used: fix the input.
    Input,
    /// A model file that cannot be used: corrupted, foreign, another format version, or a model
    /// that cannot tag.
    ModelFile,
    /// Writing an output failed (disk full, no permission).
    Io,
    /// An internal step failed (a numerical failure, an encoder error).
    Compute,
    /// The caller's cancel token stopped the work; nothing was written.
    Cancelled,
}

impl ErrorKind {
    /// The command line's exit code: 2 for what the user can fix (a setting, an input, a model
    /// file), 1 for a failure of the environment or of the tool, 130 for an interrupted run (the
    /// shell's code for Ctrl-C).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Param | ErrorKind::Input | ErrorKind::ModelFile => 2,
            ErrorKind::Io | ErrorKind::Compute => 1,
            ErrorKind::Cancelled => 130,
        }
    }

    /// The kind's name in messages and bindings (`param`, `input`, `model_file`, `io`,
    /// `compute`, `cancelled`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Param => "param",
            ErrorKind::Input => "input",
            ErrorKind::ModelFile => "model_file",
            ErrorKind::Io => "io",
            ErrorKind::Compute => "compute",
            ErrorKind::Cancelled => "cancelled",
        }
    }
}

/// A setting an error can point at. [`Param::name`] is the library's name for it; the command
/// line maps each to its flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    MinDf,
    MaxDf,
    MaxTerms,
    Ngrams,
    Dims,
    K,
    KRange,
    KSample,
    Runs,
    FitSampleRows,
    TopTerms,
    Neighbors,
    IdColumn,
    TitleColumn,
    TextColumn,
    LabelColumn,
    DateColumn,
    Top,
    Embeddings,
    Vectors,
    EmbeddingWeight,
    NovelBelow,
    Previous,
    MemoryLimit,
}

impl Param {
    /// The field name in the library's params (`min_df`, `text_column`).
    pub fn name(self) -> &'static str {
        match self {
            Param::MinDf => "min_df",
            Param::MaxDf => "max_df",
            Param::MaxTerms => "max_terms",
            Param::Ngrams => "ngrams",
            Param::Dims => "dims",
            Param::K => "k",
            Param::KRange => "k_range",
            Param::KSample => "k_sample",
            Param::Runs => "runs",
            Param::FitSampleRows => "fit_sample_rows",
            Param::TopTerms => "top_terms",
            Param::Neighbors => "neighbors",
            Param::IdColumn => "id_column",
            Param::TitleColumn => "title_column",
            Param::TextColumn => "text_column",
            Param::LabelColumn => "label_column",
            Param::DateColumn => "date_column",
            Param::Top => "top",
            Param::Embeddings => "embeddings",
            Param::Vectors => "vectors",
            Param::EmbeddingWeight => "embedding_weight",
            Param::NovelBelow => "novel_below",
            Param::Previous => "previous",
            Param::MemoryLimit => "memory_limit",
        }
    }
}

/// Why a model cannot place new documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Untaggable {
    /// Its topics were found by spectral clustering, in the fitted documents' neighbour graph.
    Spectral,
}

impl std::fmt::Display for Untaggable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Untaggable::Spectral => write!(
                f,
                "the model was fitted with spectral clustering, whose topics live in the fitted documents' neighbour graph: a new document has no place in it. Refit without spectral clustering to tag new documents"
            ),
        }
    }
}

/// What is wrong with a model file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelProblem {
    Empty,
    /// It does not start with the model file's magic bytes.
    Foreign,
    /// A format this build does not read.
    UnsupportedVersion {
        found: u32,
        supported: u32,
        writer: String,
    },
    Truncated,
    /// The content does not match its checksum: the file changed after it was written.
    Checksum,
    /// The checksum holds but the content does not decode or does not add up.
    Inconsistent(String),
}

impl fmt::Display for ModelProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelProblem::Empty => write!(f, "the model file is empty"),
            ModelProblem::Foreign => write!(
                f,
                "not a topictag model (it does not start with the model file's signature)"
            ),
            ModelProblem::UnsupportedVersion {
                found,
                supported,
                writer,
            } => write!(
                f,
                "model format version {found} (written by topictag {writer}) is not supported: this topictag ({}) reads version {supported}; refit the model with this version",
                env!("CARGO_PKG_VERSION")
            ),
            ModelProblem::Truncated => write!(
                f,
                "the model file is truncated (it ends before the length its header gives)"
            ),
            ModelProblem::Checksum => write!(
                f,
                "the model file is corrupted (its checksum does not match its content)"
            ),
            ModelProblem::Inconsistent(what) => {
                write!(f, "the model file is corrupted ({what})")
            }
        }
    }
}

/// A failed fit, tag or model load. Messages are one line and name the file, row and column
/// where one applies. The variants are listed by [`ErrorKind`]; a path of `None` stands for
/// documents handed over in memory (see [`Error::for_input`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // Input: the documents and the files read beside them.
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    EmptyInput {
        path: PathBuf,
    },
    NoDocuments {
        path: PathBuf,
    },
    DuplicateColumn {
        path: PathBuf,
        column: String,
        count: usize,
    },
    UnclosedQuote {
        path: PathBuf,
        row: u64,
        line: u64,
    },
    MissingColumn {
        path: PathBuf,
        column: String,
        param: Param,
        available: String,
    },
    NoTextColumn {
        path: PathBuf,
        tried: String,
        available: String,
    },
    InvalidUtf8 {
        path: PathBuf,
        row: u64,
        line: u64,
        column: String,
    },
    RaggedRow {
        path: PathBuf,
        row: u64,
        line: u64,
        found: usize,
        expected: usize,
    },
    /// A row of the wrong length whose quoted field runs over several lines: most often a
    /// closing quote is missing, or a quote inside a field is not doubled.
    QuoteAcrossLines {
        path: PathBuf,
        row: u64,
        line: u64,
        /// The lines the row spans.
        lines: u64,
        found: usize,
        expected: usize,
    },
    /// A row (or the header) longer than the reader holds: `limit` bytes.
    RowTooLong {
        path: PathBuf,
        row: u64,
        line: u64,
        limit: u64,
    },
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    Jsonl {
        path: PathBuf,
        line: u64,
        message: String,
    },
    StopWords {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// No document has a term left after filtering.
    NoTerms {
        path: Option<PathBuf>,
        documents: usize,
    },
    /// A file of sentence vectors, or vectors handed over in memory, that cannot be used.
    Vectors {
        path: Option<PathBuf>,
        problem: String,
    },
    /// A model fitted with sentence vectors, asked to tag without them (or with others).
    VectorsNeeded {
        path: PathBuf,
        /// What the model was fitted with, in words.
        fitted: String,
        /// What was given instead, in words, if anything.
        given: Option<String>,
    },
    /// A sentence-transformers folder that cannot be used.
    SentenceModel {
        path: PathBuf,
        problem: String,
    },
    /// A text the sentence model at `path` cannot embed: the input's row `row` (1-based; for
    /// texts handed over in memory, the text's place among them).
    EmbedText {
        path: PathBuf,
        row: u64,
        problem: String,
    },
    // Param: settings.
    InvalidParam {
        param: Param,
        message: String,
    },
    /// A range of k to try, with a fixed k.
    KRangeWithFixedK,
    DocumentFrequency {
        documents: usize,
        min_df: usize,
        max_df: f64,
    },
    TooFewDocuments {
        k: usize,
        documents: usize,
    },
    /// The fit would need more memory than the process may use: refused before the bulk of the
    /// input is read, with what would fit.
    NotEnoughMemory {
        path: PathBuf,
        shortfall: Box<crate::memory::Shortfall>,
    },
    // ModelFile.
    /// A model file that cannot be used.
    Model {
        path: PathBuf,
        problem: ModelProblem,
    },
    /// A model whose topics cannot be given to new documents.
    NotTaggable {
        path: PathBuf,
        reason: Untaggable,
    },
    // Io.
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    // Compute.
    /// An internal step failed; `source` is the failing library's own error, where there is one.
    Compute {
        what: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    // Cancelled.
    /// The cancel token was set ([`crate::Cancel`]).
    Cancelled,
}

impl Error {
    /// What kind of failure this is (what the caller does about it).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Read { .. }
            | Error::EmptyInput { .. }
            | Error::NoDocuments { .. }
            | Error::DuplicateColumn { .. }
            | Error::UnclosedQuote { .. }
            | Error::MissingColumn { .. }
            | Error::NoTextColumn { .. }
            | Error::InvalidUtf8 { .. }
            | Error::RaggedRow { .. }
            | Error::QuoteAcrossLines { .. }
            | Error::RowTooLong { .. }
            | Error::Csv { .. }
            | Error::Jsonl { .. }
            | Error::StopWords { .. }
            | Error::NoTerms { .. }
            | Error::Vectors { .. }
            | Error::VectorsNeeded { .. }
            | Error::SentenceModel { .. }
            | Error::EmbedText { .. } => ErrorKind::Input,
            Error::InvalidParam { .. }
            | Error::KRangeWithFixedK
            | Error::DocumentFrequency { .. }
            | Error::TooFewDocuments { .. }
            | Error::NotEnoughMemory { .. } => ErrorKind::Param,
            Error::Model { .. } | Error::NotTaggable { .. } => ErrorKind::ModelFile,
            Error::Write { .. } => ErrorKind::Io,
            Error::Compute { .. } => ErrorKind::Compute,
            Error::Cancelled => ErrorKind::Cancelled,
        }
    }

    /// An internal failure described by `what`.
    pub(crate) fn compute(what: impl Into<String>) -> Self {
        Error::Compute {
            what: what.into(),
            source: None,
        }
    }

    /// An internal failure described by `what`, caused by `source`.
    pub(crate) fn compute_from(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Compute {
            what: what.into(),
            source: Some(source.into()),
        }
    }

    /// The error with the documents' file named: a fit or a tag on documents in memory cannot
    /// name where they came from, so the caller that read them from `path` fills it in.
    pub fn for_input(self, path: &std::path::Path) -> Self {
        match self {
            Error::NoTerms {
                path: None,
                documents,
            } => Error::NoTerms {
                path: Some(path.to_path_buf()),
                documents,
            },
            Error::Vectors {
                path: None,
                problem,
            } => Error::Vectors {
                path: Some(path.to_path_buf()),
                problem,
            },
            other => other,
        }
    }

    pub(crate) fn param(param: Param, message: impl Into<String>) -> Self {
        Error::InvalidParam {
            param,
            message: message.into(),
        }
    }

    /// The file the error names, as messages show it (`<documents>` for documents in memory).
    fn path_shown(&self) -> String {
        let path: Option<&Path> = match self {
            Error::Read { path, .. }
            | Error::EmptyInput { path }
            | Error::NoDocuments { path }
            | Error::DuplicateColumn { path, .. }
            | Error::UnclosedQuote { path, .. }
            | Error::MissingColumn { path, .. }
            | Error::NoTextColumn { path, .. }
            | Error::InvalidUtf8 { path, .. }
            | Error::RaggedRow { path, .. }
            | Error::QuoteAcrossLines { path, .. }
            | Error::RowTooLong { path, .. }
            | Error::Csv { path, .. }
            | Error::Jsonl { path, .. }
            | Error::StopWords { path, .. }
            | Error::VectorsNeeded { path, .. }
            | Error::SentenceModel { path, .. }
            | Error::EmbedText { path, .. }
            | Error::NotEnoughMemory { path, .. }
            | Error::Model { path, .. }
            | Error::NotTaggable { path, .. }
            | Error::Write { path, .. } => Some(path),
            Error::NoTerms { path, .. } | Error::Vectors { path, .. } => path.as_deref(),
            _ => None,
        };
        path.map_or_else(|| "<documents>".to_string(), |p| p.display().to_string())
    }

    /// The message with parameters named by `name` (the command line passes its flag names).
    pub fn display_with(&self, name: fn(Param) -> &'static str) -> impl fmt::Display + '_ {
        Named { error: self, name }
    }

    /// The message of an error met while reading an input file.
    fn render_reading(
        &self,
        f: &mut fmt::Formatter<'_>,
        path: &str,
        name: fn(Param) -> &'static str,
    ) -> fmt::Result {
        match self {
            Error::Read { source, .. } => write!(f, "{path}: cannot read: {source}"),
            Error::EmptyInput { .. } => write!(f, "{path}: the file is empty"),
            Error::NoDocuments { .. } => {
                write!(f, "{path}: no documents (the file has a header but no rows)")
            }
            Error::DuplicateColumn {
                column,
                count,
                ..
            } => write!(
                f,
                "{path}: column '{column}' appears {count} times in the header; rename one so the choice is clear"
            ),
            Error::UnclosedQuote { row, line, .. } => write!(
                f,
                "{path}: row {row} (line {line}): a quoted field is never closed (it runs to the end of the file)"
            ),
            Error::MissingColumn {
                column,
                param,
                available,
                ..
            } => write!(
                f,
                "{path}: no column '{column}' (given by {}); the columns are: {available}",
                name(*param)
            ),
            Error::NoTextColumn {
                tried,
                available,
                ..
            } => write!(
                f,
                "{path}: none of the columns {tried} exists, so there is no text to read; use {} (the columns are: {available})",
                name(Param::TextColumn)
            ),
            Error::InvalidUtf8 {
                row,
                line,
                column,
                ..
            } => write!(
                f,
                "{path}: row {row} (line {line}), column '{column}': invalid UTF-8"
            ),
            Error::RaggedRow {
                row,
                line,
                found,
                expected,
                ..
            } => write!(
                f,
                "{path}: row {row} (line {line}): {found} fields, but the header has {expected}"
            ),
            Error::QuoteAcrossLines {
                row,
                line,
                lines,
                found,
                expected,
                ..
            } => write!(
                f,
                "{path}: row {row} (line {line}): a quoted field runs over {lines} lines and leaves {found} fields where the header has {expected}; a closing quote is missing, or a quote inside a field is not doubled (\"\")"
            ),
            Error::RowTooLong {
                row, line, limit, ..
            } => {
                let what = if *row == 0 {
                    "the header".to_string()
                } else {
                    format!("row {row}")
                };
                write!(
                    f,
                    "{path}: {what} (line {line}) is longer than {}, the most one row may hold; is a closing quote missing?",
                    crate::files::size(*limit)
                )
            }
            Error::Csv { line, message, .. }
            | Error::Jsonl { line, message, .. }
            | Error::StopWords {
                line,
                message,
                ..
            } => write!(f, "{path}: line {line}: {message}"),
            _ => unreachable!("render sends only reading errors here"),
        }
    }

    /// The one-line message, parameters named by `name`.
    fn render(&self, f: &mut fmt::Formatter<'_>, name: fn(Param) -> &'static str) -> fmt::Result {
        let path = self.path_shown();
        let path = path.as_str();
        match self {
            Error::Read { .. }
            | Error::EmptyInput { .. }
            | Error::NoDocuments { .. }
            | Error::DuplicateColumn { .. }
            | Error::UnclosedQuote { .. }
            | Error::MissingColumn { .. }
            | Error::NoTextColumn { .. }
            | Error::InvalidUtf8 { .. }
            | Error::RaggedRow { .. }
            | Error::QuoteAcrossLines { .. }
            | Error::RowTooLong { .. }
            | Error::Csv { .. }
            | Error::Jsonl { .. }
            | Error::StopWords { .. } => self.render_reading(f, path, name),
            Error::InvalidParam { param, message } => {
                write!(f, "invalid {}: {message}", name(*param))
            }
            Error::KRangeWithFixedK => write!(
                f,
                "invalid {}: applies only with {} auto; drop one of the two",
                name(Param::KRange),
                name(Param::K)
            ),
            Error::DocumentFrequency {
                documents,
                min_df,
                max_df,
            } => write!(
                f,
                "{documents} document(s) are too few for {} {min_df} with {} {max_df:?}: no term can be in at least {min_df} and at most {max_df:?} of the documents; lower {} or raise {}",
                name(Param::MinDf),
                name(Param::MaxDf),
                name(Param::MinDf),
                name(Param::MaxDf)
            ),
            Error::TooFewDocuments { k, documents } => write!(
                f,
                "{} {k} asks for more topics than the {documents} documents that have terms",
                name(Param::K)
            ),
            Error::NoTerms { documents, .. } => write!(
                f,
                "{path}: no document has any term left after filtering ({documents} documents; try {} 1, a higher {}, or fewer stop words)",
                name(Param::MinDf),
                name(Param::MaxDf)
            ),
            Error::NotEnoughMemory { shortfall, .. } => {
                render_shortfall(f, path, shortfall, name)
            }
            Error::Model { problem, .. } => write!(f, "{path}: {problem}"),
            Error::NotTaggable { reason, .. } => write!(f, "{path}: {reason}"),
            Error::SentenceModel { problem, .. } => {
                write!(f, "{path}: cannot use this sentence model: {problem}")
            }
            Error::EmbedText { row, problem, .. } => {
                write!(f, "{path}: cannot embed the text of row {row}: {problem}")
            }
            Error::Vectors { problem, .. } => write!(f, "{path}: {problem}"),
            Error::VectorsNeeded {
                fitted,
                given: None, .. } => write!(
                f,
                "{path}: the model was fitted with sentence vectors ({fitted}); give the same with {} or {}",
                name(Param::Embeddings),
                name(Param::Vectors)
            ),
            Error::VectorsNeeded {
                fitted,
                given: Some(given), .. } => write!(
                f,
                "{path}: the model was fitted with sentence vectors from {fitted}, but {given} was given; tag with the same {} the model was fitted with",
                name(Param::Embeddings)
            ),
            Error::Write { source, .. } => write!(f, "{path}: cannot write: {source}"),
            Error::Compute {
                what,
                source: None,
            } => write!(f, "{what}"),
            Error::Compute {
                what,
                source: Some(source),
            } => write!(f, "{what}: {source}"),
            Error::Cancelled => write!(f, "cancelled"),
        }
    }
}

/// The refusal of a fit that will not fit in memory: the estimate, the limit and its source,
/// then what would fit, in one line.
fn render_shortfall(
    f: &mut fmt::Formatter<'_>,
    path: &str,
    shortfall: &crate::memory::Shortfall,
    name: fn(Param) -> &'static str,
) -> fmt::Result {
    use crate::memory::{human, LimitSource};
    let estimate = &shortfall.estimate;
    let documents = if estimate.input.exact {
        format!("{} documents", thousands(estimate.input.documents))
    } else {
        format!(
            "about {} documents, judged from its first rows",
            thousands(estimate.input.documents)
        )
    };
    write!(
        f,
        "{path}: the fit would need about {} of memory ({documents}) but {} allows {}; ",
        human(estimate.peak),
        shortfall.limit.source,
        human(shortfall.limit.bytes),
    )?;
    let mut ways = Vec::new();
    if shortfall.documents_within > 0 {
        ways.push(format!(
            "fit on a sample of at most {} documents and tag the rest with its model (topictag tag)",
            thousands(shortfall.documents_within)
        ));
    }
    if let Some(dims) = shortfall.dims_within {
        ways.push(format!("use {} {dims}", name(Param::Dims)));
    }
    ways.push(match shortfall.limit.source {
        LimitSource::Given => format!("raise {}", name(Param::MemoryLimit)),
        _ => format!(
            "run where more memory is free ({} SIZE overrides the limit found)",
            name(Param::MemoryLimit)
        ),
    });
    write!(f, "{}", ways.join(", or "))
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.render(f, Param::name)
    }
}

struct Named<'a> {
    error: &'a Error,
    name: fn(Param) -> &'static str,
}

impl fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.render(f, self.name)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compute_error_keeps_the_failing_librarys_error() {
        let error = Error::compute_from("k-means failed", io::Error::other("no centroid moved"));
        assert_eq!(error.kind(), ErrorKind::Compute);
        assert_eq!(error.kind().exit_code(), 1);
        assert_eq!(error.to_string(), "k-means failed: no centroid moved");
        let source = std::error::Error::source(&error).expect("a source");
        assert_eq!(source.to_string(), "no centroid moved");
        assert_eq!(Error::compute("alone").to_string(), "alone");
    }

    #[test]
    fn documents_in_memory_are_named_once_their_file_is_known() {
        let error = Error::Vectors {
            path: None,
            problem: "3 sentence vectors for 4 documents".into(),
        };
        assert_eq!(
            error.to_string(),
            "<documents>: 3 sentence vectors for 4 documents"
        );
        let named = error.for_input(Path::new("in.csv"));
        assert_eq!(
            named.to_string(),
            "in.csv: 3 sentence vectors for 4 documents"
        );
        // An error that already names its file keeps it.
        let read = Error::EmptyInput {
            path: "a.csv".into(),
        };
        assert_eq!(
            read.for_input(Path::new("b.csv")).to_string(),
            "a.csv: the file is empty"
        );
    }
}
