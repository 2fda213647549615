//! Reading documents: a CSV file with a header, a JSON Lines file, or either on stdin -> [`Corpus`].

mod columns;
mod csv_input;
mod jsonl_input;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::progress::{Progress, Work};

pub use columns::ColumnChoice;

/// Where the documents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    File(PathBuf),
    Stdin,
}

impl InputSource {
    /// `-` means standard input; anything else is a path.
    pub fn parse(arg: &str) -> Self {
        if arg == "-" {
            InputSource::Stdin
        } else {
            InputSource::File(PathBuf::from(arg))
        }
    }

    /// The name used in messages.
    pub fn display_name(&self) -> String {
        match self {
            InputSource::File(path) => path.display().to_string(),
            InputSource::Stdin => "<stdin>".to_string(),
        }
    }
}

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Delimited text with a header row: `,` for CSV, a tab for `.tsv`.
    Delimited(u8),
    JsonLines,
}

impl InputFormat {
    /// Files are judged by extension; stdin and unknown extensions by the first byte after any
    /// byte-order mark and blanks (`{` opens JSON Lines).
    fn detect(source: &InputSource, head: &[u8]) -> Self {
        if let InputSource::File(path) = source {
            if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
                match ext.to_ascii_lowercase().as_str() {
                    "jsonl" | "ndjson" | "json" => return InputFormat::JsonLines,
                    "tsv" | "tab" => return InputFormat::Delimited(b'\t'),
                    "csv" => return InputFormat::Delimited(b','),
                    _ => {}
                }
            }
        }
        let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => InputFormat::JsonLines,
            _ => InputFormat::Delimited(b','),
        }
    }
}

/// Settings for the read stage.
#[derive(Debug, Clone)]
pub struct ReadParams {
    pub source: InputSource,
    pub columns: ColumnChoice,
}

impl Default for ReadParams {
    fn default() -> Self {
        ReadParams {
            source: InputSource::File(PathBuf::from(DEFAULT_INPUT)),
            columns: ColumnChoice::default(),
        }
    }
}

/// The input used when none is given.
pub const DEFAULT_INPUT: &str = "data/papers.csv";

/// One input row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The id column's value, or the 1-based row number when there is no id column.
    pub id: String,
    /// The title column's value, empty when there is none.
    pub title: String,
    /// The text columns' values joined by blank lines.
    pub text: String,
}

/// Every input row, in input order, with what was noticed on the way.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The input's name for messages.
    pub source: String,
    pub documents: Vec<Document>,
    /// Ground-truth label of each document, when `--label-column` names one: for evaluation
    /// only, never seen by the clustering.
    pub labels: Option<Vec<String>>,
    pub warnings: Vec<String>,
}

impl Corpus {
    /// Frees every document's text, keeping ids and titles (all that is written out).
    pub fn drop_texts(&mut self) {
        for document in &mut self.documents {
            document.text = String::new();
        }
    }
}

/// What a format's parser returns: the documents and, if asked for, their labels.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub documents: Vec<Document>,
    pub labels: Option<Vec<String>>,
}

impl ReadParams {
    /// Reads the whole input. Every row becomes a document or the read fails with a located error.
    /// Parsing is reported to `progress` in bytes.
    pub fn read(&self, progress: &dyn Progress) -> Result<Corpus> {
        let name = self.source.display_name();
        let bytes = match &self.source {
            InputSource::File(path) => read_file(path, &name)?,
            InputSource::Stdin => {
                let mut buffer = Vec::new();
                std::io::stdin()
                    .lock()
                    .read_to_end(&mut buffer)
                    .map_err(|source| Error::Read {
                        path: name.clone(),
                        source,
                    })?;
                buffer
            }
        };
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::EmptyInput { path: name });
        }
        progress.measure(Work::Bytes(bytes.len() as u64));
        let parsed = ParsedBytes::new(progress);
        let Parsed { documents, labels } = match InputFormat::detect(&self.source, &bytes) {
            InputFormat::Delimited(delimiter) => {
                csv_input::parse(&bytes, delimiter, &name, &self.columns, parsed)?
            }
            InputFormat::JsonLines => jsonl_input::parse(&bytes, &name, &self.columns, parsed)?,
        };
        if documents.is_empty() {
            return Err(Error::NoDocuments { path: name });
        }
        let warnings = duplicate_id_warning(&documents, &name)
            .into_iter()
            .collect();
        Ok(Corpus {
            source: name,
            documents,
            labels,
            warnings,
        })
    }
}

/// Rows between two progress reports: a row costs one counter increment.
const REPORT_ROWS: u64 = 4096;

/// How far a parser has got through its input, told to a [`Progress`] in bytes.
pub(crate) struct ParsedBytes<'a> {
    progress: &'a dyn Progress,
    reported: u64,
    rows: u64,
}

impl<'a> ParsedBytes<'a> {
    pub(crate) fn new(progress: &'a dyn Progress) -> Self {
        ParsedBytes {
            progress,
            reported: 0,
            rows: 0,
        }
    }

    /// One more row, which starts at byte `offset` of the input.
    pub(crate) fn row_at(&mut self, offset: u64) {
        self.rows += 1;
        if self.rows.is_multiple_of(REPORT_ROWS) && offset > self.reported {
            self.progress.advance(offset - self.reported);
            self.reported = offset;
        }
    }

    /// The whole input, `total` bytes, is parsed.
    pub(crate) fn done(self, total: usize) {
        let total = total as u64;
        if total > self.reported {
            self.progress.advance(total - self.reported);
        }
    }
}

/// Joins the values of several text columns as paragraphs, skipping empty ones.
fn append_paragraph(text: &mut String, value: &str) {
    if value.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(value);
}

fn read_file(path: &Path, name: &str) -> Result<Vec<u8>> {
    if path.is_dir() {
        return Err(Error::Read {
            path: name.to_string(),
            source: std::io::Error::other("is a directory, not a file"),
        });
    }
    std::fs::read(path).map_err(|source| Error::Read {
        path: name.to_string(),
        source,
    })
}

/// Duplicate ids are allowed (rows stay distinct in the output) but usually a mistake upstream.
fn duplicate_id_warning(documents: &[Document], name: &str) -> Option<String> {
    let mut first_row: rustc_hash::FxHashMap<&str, usize> = Default::default();
    let mut duplicates = 0usize;
    let mut example = None;
    for (row, doc) in documents.iter().enumerate() {
        match first_row.get(doc.id.as_str()) {
            Some(&first) => {
                duplicates += 1;
                example.get_or_insert((doc.id.as_str(), first + 1, row + 1));
            }
            None => {
                first_row.insert(&doc.id, row);
            }
        }
    }
    example.map(|(id, first, again)| {
        format!(
            "{name}: {duplicates} row(s) repeat an earlier id (first: id '{id}' at rows {first} and {again}); rows are kept as separate documents"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str) -> Document {
        Document {
            id: id.to_string(),
            title: String::new(),
            text: "x".to_string(),
        }
    }

    #[test]
    fn detects_format_by_extension_then_content() {
        let file = |p: &str| InputSource::File(PathBuf::from(p));
        let csv = InputFormat::Delimited(b',');
        let jsonl = InputFormat::JsonLines;
        assert_eq!(InputFormat::detect(&file("a.jsonl"), b"id"), jsonl);
        assert_eq!(InputFormat::detect(&file("a.CSV"), b"{"), csv);
        assert_eq!(
            InputFormat::detect(&file("a.tsv"), b"id"),
            InputFormat::Delimited(b'\t')
        );
        assert_eq!(
            InputFormat::detect(&file("a.dat"), b"\xef\xbb\xbf{}"),
            jsonl
        );
        assert_eq!(
            InputFormat::detect(&InputSource::Stdin, b"  {\"a\":1}"),
            jsonl
        );
        assert_eq!(
            InputFormat::detect(&InputSource::Stdin, b"\xef\xbb\xbf{}"),
            jsonl
        );
        assert_eq!(InputFormat::detect(&InputSource::Stdin, b"id,text"), csv);
    }

    #[test]
    fn warns_once_about_duplicate_ids() {
        let docs = vec![doc("a"), doc("b"), doc("a"), doc("b")];
        let warning = duplicate_id_warning(&docs, "f.csv").expect("warning");
        assert!(warning.contains("2 row(s)"), "{warning}");
        assert!(warning.contains("id 'a' at rows 1 and 3"), "{warning}");
        assert!(duplicate_id_warning(&[doc("a"), doc("b")], "f.csv").is_none());
    }
}
