//! Reading documents: a CSV file with a header, a JSON Lines file, or either on stdin -> a
//! [`Corpus`] (the whole input) or a [`DocumentReader`] (one document at a time, in constant
//! memory). Both read through the same parsers, so a row reads the same either way.

mod columns;
mod csv_input;
mod jsonl_input;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::progress::{Progress, Work};
use csv_input::CsvRows;
use jsonl_input::JsonlRows;

pub use columns::{ColumnChoice, ResolvedColumns, DEFAULT_TEXT_COLUMNS};

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

/// One input row as read: the document, and its label and date when those columns are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub document: Document,
    pub label: Option<String>,
    pub date: Option<String>,
    /// The byte of the input the row starts at.
    pub offset: u64,
}

/// Every input row, in input order, with what was noticed on the way.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The input's name for messages.
    pub source: String,
    pub documents: Vec<Document>,
    /// Ground-truth label of each document, when a label column is chosen: for evaluation
    /// only, never seen by the clustering.
    pub labels: Option<Vec<String>>,
    /// Each document's date (as written), when a date column is chosen: for the report's
    /// topics over time.
    pub dates: Option<Vec<String>>,
    /// The columns the documents were read from.
    pub columns: ResolvedColumns,
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

impl Document {
    /// A document from one row's fields as the readers build it: the id trimmed (the 1-based
    /// row number when there is no id column), the title trimmed, the text fields trimmed and
    /// joined as paragraphs. For callers that hold columns of their own (a data frame).
    pub fn from_fields(row: u64, id: Option<&str>, title: Option<&str>, texts: &[&str]) -> Self {
        let mut text = String::new();
        for value in texts {
            append_paragraph(&mut text, value.trim());
        }
        Document {
            id: id.map_or_else(|| row.to_string(), |id| id.trim().to_string()),
            title: title.map_or_else(String::new, |title| title.trim().to_string()),
            text,
        }
    }

    pub fn new(id: impl Into<String>, title: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            title: title.into(),
            text: text.into(),
        }
    }
}

/// Objects of a JSON Lines input whose keys decide which columns exist, when it is read as a
/// stream (`tag`); a whole read looks at every object.
pub const JSONL_COLUMN_WINDOW: usize = 4096;

impl ReadParams {
    /// Reads the whole input. Every row becomes a document or the read fails with a located
    /// error. Parsing is reported to `progress` in bytes (in documents for standard input).
    pub fn read(&self, progress: &dyn Progress) -> Result<Corpus> {
        let mut reader = self.open(usize::MAX)?;
        match reader.total_bytes() {
            Some(total) => progress.measure(Work::Bytes(total)),
            None => progress.measure(Work::open("documents")),
        }
        let mut documents = Vec::new();
        let mut labels = Vec::new();
        let mut dates = Vec::new();
        let mut reported = 0u64;
        while let Some(row) = reader.next_row()? {
            documents.push(row.document);
            labels.extend(row.label);
            dates.extend(row.date);
            if (documents.len() as u64).is_multiple_of(REPORT_ROWS) {
                crate::progress::check(progress)?;
                let done = reader.progress_position(documents.len());
                progress.advance(done.saturating_sub(reported));
                reported = reported.max(done);
            }
        }
        let done = match reader.total_bytes() {
            Some(total) => total,
            None => documents.len() as u64,
        };
        progress.advance(done.saturating_sub(reported));
        if documents.is_empty() {
            return Err(Error::NoDocuments {
                path: reader.source.into(),
            });
        }
        let warnings = duplicate_id_warning(&documents, &reader.source)
            .into_iter()
            .collect();
        let columns = reader.columns().clone();
        Ok(Corpus {
            labels: columns.label.as_ref().map(|_| labels),
            dates: columns.date.as_ref().map(|_| dates),
            source: reader.source,
            documents,
            columns,
            warnings,
        })
    }

    /// The input's size, for the memory estimate: a file's rows and text bytes counted over its
    /// first `sample_bytes` and scaled to its size. `None` for standard input (its size is
    /// known only once read) and where the first rows do not read (the whole read will say
    /// why, with the row).
    pub fn measure(&self, sample_bytes: u64) -> Option<crate::memory::InputSize> {
        let InputSource::File(path) = &self.source else {
            return None;
        };
        if !std::fs::metadata(path).ok()?.is_file() {
            return None;
        }
        let mut reader = self.open(JSONL_COLUMN_WINDOW).ok()?;
        let total = reader.total_bytes()?;
        // The reader pulls the file a buffer at a time, so its byte count runs ahead of the
        // rows parsed. When the count moves, the rows before the one that moved it lay within
        // the bytes counted before: those pairs are what is scaled.
        let (mut documents, mut text_bytes) = (0u64, 0u64);
        let mut counted = reader.bytes_read();
        let mut sample = loop {
            match reader.next_row() {
                Ok(Some(row)) => {
                    let now = reader.bytes_read();
                    if now != counted {
                        let before = (counted, documents, text_bytes);
                        counted = now;
                        if before.0 >= sample_bytes {
                            break before;
                        }
                    }
                    documents += 1;
                    text_bytes += (row.document.title.len() + row.document.text.len()) as u64;
                }
                Ok(None) => break (total, documents, text_bytes),
                Err(_) => return None,
            }
        };
        if sample.1 == 0 {
            // One buffer held fewer rows than one: the rows read stand for what was counted.
            sample = (counted.min(total), documents, text_bytes);
        }
        Some(crate::memory::InputSize::extrapolate(
            total, sample.0, sample.1, sample.2,
        ))
    }

    /// Opens the input as a stream of documents, read in constant memory. The columns of a
    /// JSON Lines input are resolved against the keys of its first `jsonl_window` objects.
    pub fn open(&self, jsonl_window: usize) -> Result<DocumentReader> {
        let name = self.source.display_name();
        let (input, total) = match &self.source {
            InputSource::File(path) => {
                if path.is_dir() {
                    return Err(Error::Read {
                        path: name.into(),
                        source: std::io::Error::other("is a directory, not a file"),
                    });
                }
                let file = File::open(path).map_err(|source| Error::Read {
                    path: PathBuf::from(&name),
                    source,
                })?;
                let total = file.metadata().ok().map(|m| m.len());
                let input: Box<dyn BufRead + Send> =
                    Box::new(BufReader::with_capacity(INPUT_BUFFER, file));
                (input, total)
            }
            InputSource::Stdin => {
                let input: Box<dyn BufRead + Send> =
                    Box::new(BufReader::with_capacity(INPUT_BUFFER, std::io::stdin()));
                (input, None)
            }
        };
        let (input, head) = skip_blank_start(input, &name)?;
        let rows = match InputFormat::detect(&self.source, &head) {
            InputFormat::Delimited(delimiter) => Rows::Csv(Box::new(CsvRows::new(
                input,
                delimiter,
                &name,
                &self.columns,
            )?)),
            InputFormat::JsonLines => Rows::Jsonl(Box::new(JsonlRows::new(
                input,
                &name,
                &self.columns,
                jsonl_window,
            )?)),
        };
        Ok(DocumentReader {
            rows,
            source: name,
            total,
        })
    }
}

/// The most bytes one row (or the header) may hold. A row is read whole before it is checked:
/// without a cap, a quote that is never closed in a stream, or `/dev/zero` as the input, takes
/// every byte of memory there is. An abstract is a few KB and a whole paper a few hundred.
pub const MAX_ROW_BYTES: u64 = 64 << 20;

/// Bytes buffered from the input at a time.
const INPUT_BUFFER: usize = 1 << 20;

/// The input with its leading blanks put back in front, and the first bytes after them (for
/// format detection). An input of blanks only is [`Error::EmptyInput`].
fn skip_blank_start(
    mut input: Box<dyn BufRead + Send>,
    name: &str,
) -> Result<(Box<dyn BufRead + Send>, Vec<u8>)> {
    let failed = |source| Error::Read {
        path: name.into(),
        source,
    };
    let mut blanks = Vec::new();
    loop {
        let buffer = input.fill_buf().map_err(failed)?;
        if buffer.is_empty() {
            return Err(Error::EmptyInput { path: name.into() });
        }
        match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => {
                blanks.extend_from_slice(&buffer[..at]);
                input.consume(at);
                let head = input.fill_buf().map_err(failed)?;
                let head = head[..head.len().min(16)].to_vec();
                let input: Box<dyn BufRead + Send> =
                    Box::new(std::io::Cursor::new(blanks).chain(input));
                return Ok((input, head));
            }
            None => {
                let length = buffer.len();
                blanks.extend_from_slice(buffer);
                input.consume(length);
                if blanks.len() as u64 > MAX_ROW_BYTES {
                    return Err(Error::RowTooLong {
                        path: name.into(),
                        row: 0,
                        line: 1 + blanks.iter().filter(|&&b| b == b'\n').count() as u64,
                        limit: MAX_ROW_BYTES,
                    });
                }
            }
        }
    }
}

/// Documents read one at a time from a CSV or JSON Lines input.
pub struct DocumentReader {
    rows: Rows,
    source: String,
    total: Option<u64>,
}

enum Rows {
    // Both boxed: the readers carry their buffers and differ several times in size.
    Csv(Box<CsvRows<Box<dyn BufRead + Send>>>),
    Jsonl(Box<JsonlRows<Box<dyn BufRead + Send>>>),
}

impl DocumentReader {
    /// The next row.
    pub fn next_row(&mut self) -> Result<Option<Row>> {
        match &mut self.rows {
            Rows::Csv(rows) => rows.next_row(),
            Rows::Jsonl(rows) => rows.next_row(),
        }
    }

    /// Up to `size` more documents; an empty chunk at the end of the input.
    pub fn next_chunk(&mut self, size: usize) -> Result<Vec<Document>> {
        let mut chunk = Vec::with_capacity(size.min(1 << 16));
        while chunk.len() < size {
            match self.next_row()? {
                Some(row) => chunk.push(row.document),
                None => break,
            }
        }
        Ok(chunk)
    }

    /// The input's name for messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The input's size in bytes, when known (a file).
    pub fn total_bytes(&self) -> Option<u64> {
        self.total
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        match &self.rows {
            Rows::Csv(rows) => rows.bytes_read(),
            Rows::Jsonl(rows) => rows.bytes_read(),
        }
    }

    /// Where the read is, in the unit progress is measured in: bytes of a file (never past its
    /// size), documents of standard input.
    fn progress_position(&self, documents: usize) -> u64 {
        match self.total {
            Some(total) => self.bytes_read().min(total),
            None => documents as u64,
        }
    }

    /// The columns the documents are read from.
    pub fn columns(&self) -> &ResolvedColumns {
        match &self.rows {
            Rows::Csv(rows) => &rows.resolved,
            Rows::Jsonl(rows) => &rows.resolved,
        }
    }
}

/// Documents between two progress reports.
const REPORT_ROWS: u64 = 4096;

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
