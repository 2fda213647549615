//! JSON Lines (one object per line) -> documents, one at a time, with the line number in every
//! error.

use std::collections::VecDeque;
use std::io::BufRead;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::columns::{ColumnChoice, ResolvedColumns};
use super::{append_paragraph, Document, Row, MAX_ROW_BYTES};
use crate::error::{Error, Result};

/// An object of the input: (line number, starting byte, the object).
type Located = (u64, u64, Map<String, Value>);

/// The objects of a JSON Lines input, one document at a time. Blank lines are skipped; every
/// other line must be an object. Fields may be missing or null in some lines (empty text), but a
/// field that none of the first `window` objects has is treated like a missing CSV column: the
/// columns are resolved against the keys of those objects, held back until then.
pub(super) struct JsonlRows<R: BufRead> {
    input: R,
    path: String,
    pub(super) resolved: ResolvedColumns,
    /// Objects read ahead to resolve the columns, with their line and starting byte.
    pending: VecDeque<Located>,
    line: u64,
    offset: u64,
    row: u64,
    buffer: Vec<u8>,
}

impl<R: BufRead> JsonlRows<R> {
    pub(super) fn new(input: R, path: &str, choice: &ColumnChoice, window: usize) -> Result<Self> {
        let mut rows = JsonlRows {
            input,
            path: path.to_string(),
            resolved: ResolvedColumns::default(),
            pending: VecDeque::new(),
            line: 0,
            offset: 0,
            row: 0,
            buffer: Vec::new(),
        };
        let mut keys: Vec<String> = Vec::new();
        while rows.pending.len() < window.max(1) {
            let Some(object) = rows.next_object()? else {
                break;
            };
            for key in object.2.keys() {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
            rows.pending.push_back(object);
        }
        rows.resolved = choice.resolve(&keys, path)?;
        Ok(rows)
    }

    /// The next non-blank line as an object: (line number, starting byte, object).
    fn next_object(&mut self) -> Result<Option<Located>> {
        loop {
            self.buffer.clear();
            let start = self.offset;
            // A line is read whole: one that never ends (`/dev/zero`) stops at the cap.
            let read = std::io::Read::take(&mut self.input, MAX_ROW_BYTES + 1)
                .read_until(b'\n', &mut self.buffer)
                .map_err(|source| Error::Read {
                    path: PathBuf::from(&self.path),
                    source,
                })?;
            if read == 0 {
                return Ok(None);
            }
            if read as u64 > MAX_ROW_BYTES {
                return Err(Error::RowTooLong {
                    path: PathBuf::from(&self.path),
                    row: self.row + self.pending.len() as u64 + 1,
                    line: self.line + 1,
                    limit: MAX_ROW_BYTES,
                });
            }
            self.line += 1;
            self.offset += read as u64;
            let line = self.line;
            let fail = |message: String| Error::Jsonl {
                path: PathBuf::from(&self.path),
                line,
                message,
            };
            let text =
                std::str::from_utf8(&self.buffer).map_err(|_| fail("invalid UTF-8".into()))?;
            let text = text.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                continue;
            }
            return match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(object)) => Ok(Some((line, start, object))),
                Ok(other) => Err(fail(format!(
                    "expected a JSON object, found {}",
                    kind(&other)
                ))),
                Err(error) => Err(fail(format!("invalid JSON: {error}"))),
            };
        }
    }

    /// The next object as a row.
    pub(super) fn next_row(&mut self) -> Result<Option<Row>> {
        let next = match self.pending.pop_front() {
            Some(object) => Some(object),
            None => self.next_object()?,
        };
        let Some((line, offset, object)) = next else {
            return Ok(None);
        };
        self.row += 1;
        let resolved = &self.resolved;
        let field = |name: &str| -> Result<String> {
            match object.get(name) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.trim().to_string()),
                Some(Value::Number(n))
                    if resolved.id.as_deref() == Some(name)
                        || resolved.label.as_deref() == Some(name)
                        || resolved.date.as_deref() == Some(name) =>
                {
                    Ok(n.to_string())
                }
                Some(other) => Err(Error::Jsonl {
                    path: PathBuf::from(&self.path),
                    line,
                    message: format!("field '{name}' is {}, expected a string", kind(other)),
                }),
            }
        };
        let id = match resolved.id.as_deref() {
            Some(name) => field(name)?,
            None => self.row.to_string(),
        };
        let title = match resolved.title.as_deref() {
            Some(name) => field(name)?,
            None => String::new(),
        };
        let mut text = String::new();
        for name in &resolved.text {
            append_paragraph(&mut text, &field(name)?);
        }
        let label = match resolved.label.as_deref() {
            Some(name) => Some(field(name)?),
            None => None,
        };
        let date = match resolved.date.as_deref() {
            Some(name) => Some(field(name)?),
            None => None,
        };
        Ok(Some(Row {
            document: Document { id, title, text },
            label,
            date,
            offset,
        }))
    }

    /// Bytes read so far.
    pub(super) fn bytes_read(&self) -> u64 {
        self.offset
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Document>> {
        let mut rows = JsonlRows::new(text.as_bytes(), "t.jsonl", &ColumnChoice::default(), 100)?;
        let mut documents = Vec::new();
        while let Some(row) = rows.next_row()? {
            documents.push(row.document);
        }
        Ok(documents)
    }

    #[test]
    fn reads_objects_with_numeric_ids_and_missing_fields() {
        let docs = read("{\"id\": 3, \"title\": \"T\", \"text\": \"hello\"}\n\n{\"id\": \"x\"}\n")
            .expect("ok");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].id, "3");
        assert_eq!(docs[0].title, "T");
        assert_eq!(docs[1].text, "");
    }

    #[test]
    fn large_integer_ids_keep_every_digit() {
        let docs = read("{\"id\": 123456789012345678901234, \"text\": \"a\"}\n").expect("ok");
        assert_eq!(docs[0].id, "123456789012345678901234");
    }

    #[test]
    fn malformed_line_names_its_line_number() {
        let message = read("{\"text\": \"a\"}\n{\"text\": \n")
            .expect_err("bad")
            .to_string();
        assert!(
            message.starts_with("t.jsonl: line 2: invalid JSON"),
            "{message}"
        );
    }

    #[test]
    fn non_object_and_non_string_text_are_errors() {
        let message = read("[1, 2]\n").expect_err("array").to_string();
        assert_eq!(
            message,
            "t.jsonl: line 1: expected a JSON object, found an array"
        );
        let message = read("{\"text\": 5}\n").expect_err("number").to_string();
        assert_eq!(
            message,
            "t.jsonl: line 1: field 'text' is a number, expected a string"
        );
    }

    #[test]
    fn a_stream_resolves_columns_on_its_first_objects() {
        let text = "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3, \"text\": \"late\"}\n";
        let error = JsonlRows::new(text.as_bytes(), "t.jsonl", &ColumnChoice::default(), 2)
            .err()
            .expect("no text column among the first two objects");
        assert!(error.to_string().contains("none of the columns"), "{error}");
        let mut rows = JsonlRows::new(text.as_bytes(), "t.jsonl", &ColumnChoice::default(), 3)
            .expect("found in the first three");
        let mut texts = Vec::new();
        while let Some(row) = rows.next_row().expect("row") {
            texts.push(row.document.text);
        }
        assert_eq!(texts, ["", "", "late"]);
    }
}
