//! The library's error type: every way a fit, a tag or a model file can fail -> one line that
//! names the input (file, row, column) or the parameter the caller must fix.
//!
//! Parameters are named as the library calls them (`min_df`); the command line renders the same
//! errors with its flag names (`--min-df`) through [`Error::display_with`].

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Whether a failure is the caller's input (exit code 2) or the environment's (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input file, bad column name, nonsense setting, unusable model file: the user can fix it.
    Input,
    /// Writing the output failed, or an internal step failed.
    Runtime,
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
    SpectralIterations,
    SpectralDims,
    StopWords,
    IdColumn,
    TitleColumn,
    TextColumn,
    LabelColumn,
    DateColumn,
    Top,
    Embeddings,
    Vectors,
    EmbeddingWeight,
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
            Param::SpectralIterations => "spectral_iterations",
            Param::SpectralDims => "spectral_dims",
            Param::StopWords => "stop_words",
            Param::IdColumn => "id_column",
            Param::TitleColumn => "title_column",
            Param::TextColumn => "text_column",
            Param::LabelColumn => "label_column",
            Param::DateColumn => "date_column",
            Param::Top => "top",
            Param::Embeddings => "embeddings",
            Param::Vectors => "vectors",
            Param::EmbeddingWeight => "embedding_weight",
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
/// where one applies.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    EmptyInput {
        path: String,
    },
    NoDocuments {
        path: String,
    },
    DuplicateColumn {
        path: String,
        column: String,
        count: usize,
    },
    UnclosedQuote {
        path: String,
        row: u64,
        line: u64,
    },
    MissingColumn {
        path: String,
        column: String,
        param: Param,
        available: String,
    },
    NoTextColumn {
        path: String,
        tried: String,
        available: String,
    },
    InvalidUtf8 {
        path: String,
        row: u64,
        line: u64,
        column: String,
    },
    RaggedRow {
        path: String,
        row: u64,
        line: u64,
        found: usize,
        expected: usize,
    },
    Csv {
        path: String,
        line: u64,
        message: String,
    },
    Jsonl {
        path: String,
        line: u64,
        message: String,
    },
    StopWords {
        path: String,
        line: u64,
        message: String,
    },
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
    NoTerms {
        path: String,
        documents: usize,
    },
    /// A model file that cannot be used.
    Model {
        path: String,
        problem: ModelProblem,
    },
    /// A model whose topics cannot be given to new documents.
    NotTaggable {
        path: String,
        reason: String,
    },
    /// A sentence-transformers folder that cannot be used.
    SentenceModel {
        path: String,
        problem: String,
    },
    /// A file of sentence vectors that cannot be used.
    Vectors {
        path: String,
        problem: String,
    },
    /// A model fitted with sentence vectors, asked to tag without them (or with others).
    VectorsNeeded {
        path: String,
        /// What the model was fitted with, in words.
        fitted: String,
        /// What was given instead, in words, if anything.
        given: Option<String>,
    },
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    Compute(String),
}

impl Error {
    /// Which of the two exit codes this failure deserves.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Write { .. } | Error::Compute(_) => ErrorKind::Runtime,
            _ => ErrorKind::Input,
        }
    }

    pub(crate) fn param(param: Param, message: impl Into<String>) -> Self {
        Error::InvalidParam {
            param,
            message: message.into(),
        }
    }

    /// The message with parameters named by `name` (the command line passes its flag names).
    pub fn display_with(&self, name: fn(Param) -> &'static str) -> impl fmt::Display + '_ {
        Named { error: self, name }
    }

    fn render(&self, f: &mut fmt::Formatter<'_>, name: fn(Param) -> &'static str) -> fmt::Result {
        match self {
            Error::Read { path, source } => write!(f, "{path}: cannot read: {source}"),
            Error::EmptyInput { path } => write!(f, "{path}: the file is empty"),
            Error::NoDocuments { path } => {
                write!(f, "{path}: no documents (the file has a header but no rows)")
            }
            Error::DuplicateColumn {
                path,
                column,
                count,
            } => write!(
                f,
                "{path}: column '{column}' appears {count} times in the header; rename one so the choice is clear"
            ),
            Error::UnclosedQuote { path, row, line } => write!(
                f,
                "{path}: row {row} (line {line}): a quoted field is never closed (it runs to the end of the file)"
            ),
            Error::MissingColumn {
                path,
                column,
                param,
                available,
            } => write!(
                f,
                "{path}: no column '{column}' (given by {}); the columns are: {available}",
                name(*param)
            ),
            Error::NoTextColumn {
                path,
                tried,
                available,
            } => write!(
                f,
                "{path}: none of the columns {tried} exists, so there is no text to read; use {} (the columns are: {available})",
                name(Param::TextColumn)
            ),
            Error::InvalidUtf8 {
                path,
                row,
                line,
                column,
            } => write!(
                f,
                "{path}: row {row} (line {line}), column '{column}': invalid UTF-8"
            ),
            Error::RaggedRow {
                path,
                row,
                line,
                found,
                expected,
            } => write!(
                f,
                "{path}: row {row} (line {line}): {found} fields, but the header has {expected}"
            ),
            Error::Csv {
                path,
                line,
                message,
            }
            | Error::Jsonl {
                path,
                line,
                message,
            }
            | Error::StopWords {
                path,
                line,
                message,
            } => write!(f, "{path}: line {line}: {message}"),
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
            Error::NoTerms { path, documents } => write!(
                f,
                "{path}: no document has any term left after filtering ({documents} documents; try {} 1, a higher {}, or fewer stop words)",
                name(Param::MinDf),
                name(Param::MaxDf)
            ),
            Error::Model { path, problem } => write!(f, "{path}: {problem}"),
            Error::NotTaggable { path, reason } => write!(f, "{path}: {reason}"),
            Error::SentenceModel { path, problem } => {
                write!(f, "{path}: cannot use this sentence model: {problem}")
            }
            Error::Vectors { path, problem } => write!(f, "{path}: {problem}"),
            Error::VectorsNeeded {
                path,
                fitted,
                given: None,
            } => write!(
                f,
                "{path}: the model was fitted with sentence vectors ({fitted}); give the same with {} or {}",
                name(Param::Embeddings),
                name(Param::Vectors)
            ),
            Error::VectorsNeeded {
                path,
                fitted,
                given: Some(given),
            } => write!(
                f,
                "{path}: the model was fitted with sentence vectors from {fitted}, but {given} was given; tag with the same {} the model was fitted with",
                name(Param::Embeddings)
            ),
            Error::Write { path, source } => {
                write!(f, "{}: cannot write: {source}", path.display())
            }
            Error::Compute(message) => write!(f, "{message}"),
        }
    }
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
