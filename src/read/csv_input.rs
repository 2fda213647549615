//! CSV with a header row -> documents, one at a time in constant memory, with row, line and
//! column in every error.

use std::io::Read;
use std::path::PathBuf;

use super::columns::{ColumnChoice, ResolvedColumns};
use super::{append_paragraph, Document, Row, MAX_ROW_BYTES};
use crate::error::{Error, Result};

const BOM: &str = "\u{feff}";

/// The rows of a CSV input with a header, one document at a time. Rows are validated strictly:
/// a ragged row or a field that is not UTF-8 stops the read rather than silently dropping or
/// mangling a document. The input is read through once, in constant memory.
pub(super) struct CsvRows<R: Read> {
    reader: csv::Reader<Tail<R>>,
    layout: Layout,
    names: Vec<String>,
    pub(super) resolved: ResolvedColumns,
    path: String,
    delimiter: u8,
    record: csv::ByteRecord,
    row: u64,
    last_start: u64,
    last_line: u64,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header and resolves the chosen columns against it.
    pub(super) fn new(input: R, delimiter: u8, path: &str, choice: &ColumnChoice) -> Result<Self> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .delimiter(delimiter)
            .from_reader(Tail::new(input));
        let header = reader.byte_headers().cloned();
        let header = match header {
            Ok(header) => header,
            Err(_) if reader.get_ref().too_long => {
                return Err(Error::RowTooLong {
                    path: path.into(),
                    row: 0,
                    line: 1,
                    limit: MAX_ROW_BYTES,
                });
            }
            Err(error) => return Err(csv_error(error, path)),
        };
        let mut names = Vec::with_capacity(header.len());
        for (index, raw) in header.iter().enumerate() {
            let name = std::str::from_utf8(raw).map_err(|_| Error::InvalidUtf8 {
                path: path.into(),
                row: 0,
                line: 1,
                column: format!("#{}", index + 1),
            })?;
            let name = if index == 0 {
                name.trim_start_matches(BOM)
            } else {
                name
            };
            names.push(name.trim().to_string());
        }
        let resolved = choice.resolve(&names, path)?;
        let layout = Layout::new(&resolved, &names);
        Ok(CsvRows {
            reader,
            layout,
            names,
            resolved,
            path: path.to_string(),
            delimiter,
            record: csv::ByteRecord::new(),
            row: 0,
            last_start: 0,
            last_line: 1,
            done: false,
        })
    }

    /// The next row; `None` at the end of the input.
    pub(super) fn next_row(&mut self) -> Result<Option<Row>> {
        if self.done {
            return Ok(None);
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                self.row += 1;
                let position = self.record.position();
                self.last_start = position.map_or(0, |p| p.byte());
                self.last_line = self.reader.get_mut().line_at(self.last_start);
                // Only the current record's bytes are kept for the check below.
                self.reader.get_mut().keep_from(self.last_start);
                let (row, line, path) = (self.row, self.last_line, self.path.as_str());
                let document = self
                    .layout
                    .document(&self.record, row, line, path, &self.names)?;
                let optional = |index: Option<usize>| match index {
                    Some(index) => self
                        .layout
                        .field(&self.record, index, row, line, path, &self.names)
                        .map(Some),
                    None => Ok(None),
                };
                let label = optional(self.layout.label)?;
                let date = optional(self.layout.date)?;
                Ok(Some(Row {
                    document,
                    label,
                    date,
                    offset: self.last_start,
                }))
            }
            Ok(false) => {
                self.done = true;
                // The csv crate ends a quoted field at the end of the input without complaint,
                // which would fold every row after a missing closing quote into one field:
                // refuse that instead.
                let tail = self.reader.get_ref().since(self.last_start);
                if ends_inside_quotes(tail, self.delimiter) {
                    return Err(Error::UnclosedQuote {
                        path: PathBuf::from(&self.path),
                        row: self.row,
                        line: self.last_line,
                    });
                }
                Ok(None)
            }
            Err(error) => {
                self.done = true;
                Err(self.located(error))
            }
        }
    }

    /// A read error with its row and line (counted here, see [`Tail::counted`]).
    fn located(&mut self, error: csv::Error) -> Error {
        let tail = self.reader.get_mut();
        if tail.too_long {
            let start = tail.record_start;
            return Error::RowTooLong {
                path: PathBuf::from(&self.path),
                row: self.row + u64::from(self.row > 0 || start > 0),
                line: tail.line_at(start),
                limit: MAX_ROW_BYTES,
            };
        }
        let start = error.position().map(|p| p.byte());
        let line = start.map(|s| tail.line_at(s));
        let mut error = csv_error(error, &self.path);
        if let (Error::Csv { line: shown, .. }, Some(line)) = (&mut error, line) {
            *shown = line;
        }
        if let Error::RaggedRow {
            line: shown,
            row,
            found,
            expected,
            ..
        } = &mut error
        {
            if let Some(line) = line {
                *shown = line;
            }
            // The record was read whole before its length was checked: a field holding a line
            // break there is a quote that swallowed the rows after it.
            let breaks = self
                .record
                .iter()
                .flat_map(|field| field.iter())
                .filter(|&&b| b == b'\n')
                .count() as u64;
            if breaks > 0 && *found > *expected {
                return Error::QuoteAcrossLines {
                    path: PathBuf::from(&self.path),
                    row: *row,
                    line: *shown,
                    lines: breaks + 1,
                    found: *found,
                    expected: *expected,
                };
            }
        }
        error
    }

    /// Bytes read so far.
    pub(super) fn bytes_read(&self) -> u64 {
        self.reader.get_ref().read
    }
}

/// The input, passed through with the bytes since a given offset kept: the current record's raw
/// bytes, for the check of an unclosed quote at the end (the csv reader does not expose them).
struct Tail<R> {
    inner: R,
    kept: Vec<u8>,
    /// Offset of `kept[0]` in the input.
    base: u64,
    /// Bytes read in all.
    read: u64,
    /// Where the current record starts, and whether reading stopped because it ran past
    /// [`MAX_ROW_BYTES`].
    record_start: u64,
    too_long: bool,
    /// A line count at a known offset, moved forward as records start: line numbers counted
    /// here, by `\n`, because the csv crate's are one low after CR LF line ends.
    counted: (u64, u64),
}

impl<R> Tail<R> {
    fn new(inner: R) -> Self {
        Tail {
            inner,
            kept: Vec::new(),
            base: 0,
            read: 0,
            record_start: 0,
            too_long: false,
            counted: (0, 1),
        }
    }

    /// Forgets the bytes before `offset`. They go in batches, once they are at least half of
    /// what is kept: moving the kept bytes down at every record would copy the input's buffer
    /// once per record.
    fn keep_from(&mut self, offset: u64) {
        self.record_start = offset;
        let drop = offset.saturating_sub(self.base).min(self.kept.len() as u64) as usize;
        if drop > 0 && 2 * drop >= self.kept.len() {
            self.kept.drain(..drop);
            self.base += drop as u64;
        }
    }

    /// The line (1-based) that the byte at `offset` is on; `offset` must not be before the
    /// last one asked about, nor before the bytes kept.
    fn line_at(&mut self, offset: u64) -> u64 {
        // After a CR LF the csv crate starts the next record at the LF: the record's line is
        // the one after it.
        let index = offset.saturating_sub(self.base) as usize;
        let offset = offset + u64::from(self.kept.get(index) == Some(&b'\n'));
        let (at, line) = self.counted;
        if offset <= at {
            return line;
        }
        let from = at.saturating_sub(self.base).min(self.kept.len() as u64) as usize;
        let to = offset.saturating_sub(self.base).min(self.kept.len() as u64) as usize;
        let newlines = self.kept[from..to.max(from)]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.counted = (offset, line + newlines);
        line + newlines
    }

    /// The bytes from `offset` on, as far as read.
    fn since(&self, offset: u64) -> &[u8] {
        let skip = offset.saturating_sub(self.base).min(self.kept.len() as u64) as usize;
        &self.kept[skip..]
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // A record is read whole into memory: one that never ends (an unclosed quote in a
        // stream, `/dev/zero`) stops here instead of taking every byte there is.
        if self.read - self.record_start > MAX_ROW_BYTES {
            self.too_long = true;
            return Err(std::io::Error::other("a row is too long"));
        }
        let n = self.inner.read(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Whether the quoting of one record's raw bytes is still open at their end (RFC 4180: a quote
/// opens a field only at its start; `""` inside is an escaped quote).
fn ends_inside_quotes(raw: &[u8], delimiter: u8) -> bool {
    let mut quoted = false;
    let mut field_start = true;
    let mut i = 0;
    while i < raw.len() {
        let byte = raw[i];
        if quoted {
            if byte == b'"' {
                if raw.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                quoted = false;
            }
            field_start = false;
        } else {
            quoted = field_start && byte == b'"';
            field_start = matches!(byte, b'\n' | b'\r') || byte == delimiter;
        }
        i += 1;
    }
    quoted
}

/// Field positions of the resolved columns.
struct Layout {
    id: Option<usize>,
    title: Option<usize>,
    text: Vec<usize>,
    label: Option<usize>,
    date: Option<usize>,
}

impl Layout {
    fn new(resolved: &ResolvedColumns, names: &[String]) -> Self {
        let position = |name: &str| names.iter().position(|n| n == name);
        Layout {
            id: resolved.id.as_deref().and_then(position),
            title: resolved.title.as_deref().and_then(position),
            text: resolved.text.iter().filter_map(|n| position(n)).collect(),
            label: resolved.label.as_deref().and_then(position),
            date: resolved.date.as_deref().and_then(position),
        }
    }

    fn document(
        &self,
        record: &csv::ByteRecord,
        row: u64,
        line: u64,
        path: &str,
        names: &[String],
    ) -> Result<Document> {
        let field = |index: usize| -> Result<&str> {
            let raw = record.get(index).unwrap_or_default();
            std::str::from_utf8(raw).map_err(|_| Error::InvalidUtf8 {
                path: path.into(),
                row,
                line,
                column: names[index].clone(),
            })
        };
        let id = match self.id {
            Some(index) => field(index)?.trim().to_string(),
            None => row.to_string(),
        };
        let title = match self.title {
            Some(index) => field(index)?.trim().to_string(),
            None => String::new(),
        };
        let mut text = String::new();
        for &index in &self.text {
            append_paragraph(&mut text, field(index)?.trim());
        }
        Ok(Document { id, title, text })
    }

    /// One field, trimmed, as UTF-8.
    fn field(
        &self,
        record: &csv::ByteRecord,
        index: usize,
        row: u64,
        line: u64,
        path: &str,
        names: &[String],
    ) -> Result<String> {
        let raw = record.get(index).unwrap_or_default();
        match std::str::from_utf8(raw) {
            Ok(value) => Ok(value.trim().to_string()),
            Err(_) => Err(Error::InvalidUtf8 {
                path: path.into(),
                row,
                line,
                column: names[index].clone(),
            }),
        }
    }
}

fn csv_error(error: csv::Error, path: &str) -> Error {
    let position = error.position().cloned();
    match error.into_kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let pos = pos.or(position);
            Error::RaggedRow {
                path: path.into(),
                // The header is record 0, so the record index is the data row number.
                row: pos.as_ref().map_or(0, |p| p.record()),
                line: pos.as_ref().map_or(0, |p| p.line()),
                found: len as usize,
                expected: expected_len as usize,
            }
        }
        csv::ErrorKind::Io(source) => Error::Read {
            path: path.into(),
            source,
        },
        other => Error::Csv {
            path: path.into(),
            line: position.map_or(0, |p| p.line()),
            message: format!("{other:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Parsed {
        documents: Vec<Document>,
        labels: Option<Vec<String>>,
    }

    /// Every row of an input.
    fn parse(bytes: &[u8], delimiter: u8, path: &str, choice: &ColumnChoice) -> Result<Parsed> {
        let mut rows = CsvRows::new(bytes, delimiter, path, choice)?;
        let mut documents = Vec::new();
        let mut labels = Vec::new();
        while let Some(row) = rows.next_row()? {
            documents.push(row.document);
            labels.extend(row.label);
        }
        let labels = rows.resolved.label.as_ref().map(|_| labels);
        Ok(Parsed { documents, labels })
    }

    fn read(text: &[u8]) -> Result<Vec<Document>> {
        parse(text, b',', "t.csv", &ColumnChoice::default()).map(|p| p.documents)
    }

    #[test]
    fn reads_rows_with_quoted_newlines_and_a_bom() {
        let docs =
            read(b"\xef\xbb\xbfid,title,abstract\n7,A,\"one\ntwo\"\n8,B,three\n").expect("ok");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id, "7");
        assert_eq!(docs[0].title, "A");
        assert_eq!(docs[0].text, "one\ntwo");
        assert_eq!(docs[1].text, "three");
    }

    #[test]
    fn row_numbers_stand_in_for_a_missing_id_column() {
        let docs = read(b"text\nalpha\nbeta\n").expect("ok");
        assert_eq!(docs[1].id, "2");
        assert_eq!(docs[1].title, "");
    }

    #[test]
    fn several_text_columns_are_joined() {
        let choice = ColumnChoice {
            text: vec!["a".into(), "b".into()],
            ..Default::default()
        };
        let docs = parse(b"a,b\nfirst,second\n,only\n", b',', "t.csv", &choice)
            .expect("ok")
            .documents;
        assert_eq!(docs[0].text, "first\n\nsecond");
        assert_eq!(docs[1].text, "only");
    }

    #[test]
    fn tabs_delimit_tsv() {
        let docs = parse(
            b"id\ttext\n1\tone, two\n",
            b'\t',
            "t.tsv",
            &ColumnChoice::default(),
        )
        .expect("ok")
        .documents;
        assert_eq!(docs[0].text, "one, two");
    }

    #[test]
    fn a_label_column_is_read_beside_the_documents() {
        let choice = ColumnChoice {
            label: Some("label".into()),
            ..Default::default()
        };
        let parsed = parse(b"text,label\na b,x\nc d, y \n", b',', "t.csv", &choice).expect("ok");
        assert_eq!(parsed.labels, Some(vec!["x".to_string(), "y".to_string()]));
        assert_eq!(parsed.documents[1].text, "c d");
        let missing = ColumnChoice {
            label: Some("topic".into()),
            ..Default::default()
        };
        let error = parse(b"text\na\n", b',', "t.csv", &missing).expect_err("no column");
        assert!(error.to_string().contains("label_column"), "{error}");
    }

    #[test]
    fn an_unclosed_quote_is_an_error_not_a_swallowed_file() {
        let message = read(b"id,text\n1,fine\n2,\"never closed\n3,lost\n4,lost\n")
            .expect_err("unclosed")
            .to_string();
        assert_eq!(
            message,
            "t.csv: row 2 (line 3): a quoted field is never closed (it runs to the end of the file)"
        );
        // Closed quotes, escaped quotes and a quote inside an unquoted field are all fine.
        let docs = read(b"id,text\n1,\"a \"\"b\"\" c\"\n2,5\" screen\n3,\"x\"").expect("ok");
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].text, "a \"b\" c");
    }

    #[test]
    fn ragged_row_names_row_and_line() {
        let message = read(b"id,text\n1,a\n2,b,extra\n")
            .expect_err("ragged")
            .to_string();
        assert_eq!(
            message,
            "t.csv: row 2 (line 3): 3 fields, but the header has 2"
        );
    }

    #[test]
    fn invalid_utf8_names_row_and_column() {
        let message = read(b"id,text\n1,ok\n2,bad \xff byte\n")
            .expect_err("utf8")
            .to_string();
        assert_eq!(
            message,
            "t.csv: row 2 (line 3), column 'text': invalid UTF-8"
        );
    }

    #[test]
    fn a_long_input_streams_through_and_an_unclosed_quote_at_its_end_is_found() {
        let mut text = String::from("id,text\n");
        for row in 0..30_000 {
            text.push_str(&format!("{row},\"line one\nline two, {row}\"\n"));
        }
        let docs = read(text.as_bytes()).expect("ok");
        assert_eq!(docs.len(), 30_000);
        assert_eq!(docs[29_999].text, "line one\nline two, 29999");
        text.push_str("30000,\"never closed\n");
        let message = read(text.as_bytes()).expect_err("unclosed").to_string();
        assert!(
            message.starts_with("t.csv: row 30001 (line 60002): a quoted field is never closed"),
            "{message}"
        );
    }
}
