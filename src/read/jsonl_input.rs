//! JSON Lines (one object per line) -> documents, with the line number in every error.

use serde_json::{Map, Value};

use super::columns::ColumnChoice;
use super::{append_paragraph, Document, Parsed, ParsedBytes};
use crate::error::{Error, Result};

/// Parses a whole JSON Lines input. Blank lines are skipped; every other line must be an object.
/// Fields may be missing or null in some lines (empty text), but a field that no line has is
/// treated like a missing CSV column.
pub fn parse(
    bytes: &[u8],
    path: &str,
    choice: &ColumnChoice,
    mut parsed: ParsedBytes<'_>,
) -> Result<Parsed> {
    let mut objects: Vec<(u64, Map<String, Value>)> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut offset = 0u64;
    for (index, raw_line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index as u64 + 1;
        parsed.row_at(offset);
        offset += raw_line.len() as u64 + 1;
        let fail = |message: String| Error::Jsonl {
            path: path.to_string(),
            line,
            message,
        };
        let text = std::str::from_utf8(raw_line).map_err(|_| fail("invalid UTF-8".into()))?;
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => object,
            Ok(other) => {
                return Err(fail(format!(
                    "expected a JSON object, found {}",
                    kind(&other)
                )))
            }
            Err(error) => return Err(fail(format!("invalid JSON: {error}"))),
        };
        for key in object.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        objects.push((line, object));
    }
    let resolved = choice.resolve(&keys, path)?;

    let mut documents = Vec::with_capacity(objects.len());
    let mut labels = Vec::new();
    for (row, (line, object)) in objects.iter().enumerate() {
        let field = |name: &str| -> Result<String> {
            match object.get(name) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.trim().to_string()),
                Some(Value::Number(n))
                    if resolved.id.as_deref() == Some(name)
                        || resolved.label.as_deref() == Some(name) =>
                {
                    Ok(n.to_string())
                }
                Some(other) => Err(Error::Jsonl {
                    path: path.to_string(),
                    line: *line,
                    message: format!("field '{name}' is {}, expected a string", kind(other)),
                }),
            }
        };
        let id = match resolved.id.as_deref() {
            Some(name) => field(name)?,
            None => (row + 1).to_string(),
        };
        let title = match resolved.title.as_deref() {
            Some(name) => field(name)?,
            None => String::new(),
        };
        let mut text = String::new();
        for name in &resolved.text {
            append_paragraph(&mut text, &field(name)?);
        }
        documents.push(Document { id, title, text });
        if let Some(name) = resolved.label.as_deref() {
            labels.push(field(name)?);
        }
    }
    parsed.done(bytes.len());
    Ok(Parsed {
        documents,
        labels: resolved.label.map(|_| labels),
    })
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
        let parsed = ParsedBytes::new(&crate::progress::Silent);
        parse(text.as_bytes(), "t.jsonl", &ColumnChoice::default(), parsed).map(|p| p.documents)
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
}
