//! The library's error type: every way a run can fail, each naming what the user must fix.

use std::io;
use std::path::PathBuf;

/// Whether a failure is the user's input (exit code 2) or the environment's (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input file, bad column name, nonsense setting: the user can fix it.
    Input,
    /// Writing the output failed, or an internal step failed.
    Runtime,
}

/// A failed run. Messages are one line and name the file, row and column where one applies.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: io::Error },

    #[error("{path}: the file is empty")]
    EmptyInput { path: String },

    #[error("{path}: no documents (the file has a header but no rows)")]
    NoDocuments { path: String },

    #[error("{path}: column '{column}' appears {count} times in the header; rename one so the choice is clear")]
    DuplicateColumn {
        path: String,
        column: String,
        count: usize,
    },

    #[error("{path}: row {row} (line {line}): a quoted field is never closed (it runs to the end of the file)")]
    UnclosedQuote { path: String, row: u64, line: u64 },

    #[error("{path}: no column '{column}' (given by {flag}); the columns are: {available}")]
    MissingColumn {
        path: String,
        column: String,
        flag: &'static str,
        available: String,
    },

    #[error("{path}: none of the columns {tried} exists, so there is no text to read; use --text-column (the columns are: {available})")]
    NoTextColumn {
        path: String,
        tried: String,
        available: String,
    },

    #[error("{path}: row {row} (line {line}), column '{column}': invalid UTF-8")]
    InvalidUtf8 {
        path: String,
        row: u64,
        line: u64,
        column: String,
    },

    #[error("{path}: row {row} (line {line}): {found} fields, but the header has {expected}")]
    RaggedRow {
        path: String,
        row: u64,
        line: u64,
        found: usize,
        expected: usize,
    },

    #[error("{path}: line {line}: {message}")]
    Csv {
        path: String,
        line: u64,
        message: String,
    },

    #[error("{path}: line {line}: {message}")]
    Jsonl {
        path: String,
        line: u64,
        message: String,
    },

    #[error("{path}: line {line}: {message}")]
    StopWords {
        path: String,
        line: u64,
        message: String,
    },

    #[error("invalid {flag}: {message}")]
    InvalidSetting { flag: &'static str, message: String },

    #[error("{documents} document(s) are too few for --min-df {min_df} with --max-df {max_df:?}: no term can be in at least {min_df} and at most {max_df:?} of the documents; lower --min-df or raise --max-df")]
    DocumentFrequency {
        documents: usize,
        min_df: usize,
        max_df: f64,
    },

    #[error("--k {k} asks for more topics than the {documents} documents that have terms")]
    TooFewDocuments { k: usize, documents: usize },

    #[error("{path}: no document has any term left after filtering ({documents} documents; try --min-df 1, a higher --max-df, or fewer stop words)")]
    NoTerms { path: String, documents: usize },

    #[error("{path}: cannot write: {source}")]
    Write { path: PathBuf, source: io::Error },

    #[error("{0}")]
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

    pub(crate) fn setting(flag: &'static str, message: impl Into<String>) -> Self {
        Error::InvalidSetting {
            flag,
            message: message.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
