//! Output rows: documents and topics -> serializable records, then CSV or JSON Lines bytes.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::label::Topics;
use crate::read::Document;

/// A `documents` row. Field order is the output contract.
#[derive(Debug, Serialize)]
pub struct DocumentRow<'a> {
    id: &'a str,
    title: &'a str,
    /// -1 for a document with no terms.
    topic: i64,
    topic_label: &'a str,
    /// Cosine similarity to the topic centroid, 4 decimals; empty for topic -1.
    score: Option<Score>,
    /// How much of the document the topics hold, 4 decimals; empty for topic -1.
    fit: Option<Score>,
    /// Whether the fit is below the model's novelty threshold; empty for topic -1.
    novel: Option<bool>,
    tags: Joined<'a>,
    /// With `tag --top N`: the N best topics and their scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    topics: Option<TopTopics>,
}

/// A `topics` row. Field order is the output contract.
#[derive(Debug, Serialize)]
pub struct TopicRow<'a> {
    topic: usize,
    size: usize,
    label: &'a str,
    top_terms: Joined<'a>,
    representative_ids: Joined<'a>,
}

/// How lists and scores are encoded: CSV cells are strings, JSON keeps native types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Csv,
    Json,
}

/// A list: `;`-joined in CSV, an array in JSON.
#[derive(Debug)]
struct Joined<'a>(Vec<&'a str>, Style);

/// A score rounded to 4 decimals: `0.8123` in CSV, a number in JSON.
#[derive(Debug, Clone, Copy)]
struct Score(f64, Style);

/// A document's best topics with their scores: `3:0.4120;7:0.3880` in CSV, an array of
/// `{"topic", "score"}` objects in JSON.
#[derive(Debug)]
pub struct TopTopics(Vec<(usize, f64)>, Style);

impl<'a> DocumentRow<'a> {
    /// One document's row: its topic id and score (`None`: no terms, topic -1), the topic's label,
    /// its tags and, when asked for, its best topics. The fit's `documents.csv` and `tag` write
    /// their rows with this.
    pub fn new(
        document: &'a Document,
        placed: Option<(usize, f64)>,
        fit: Option<(f64, bool)>,
        topic_label: &'a str,
        tags: &'a [String],
        top: Option<Vec<(usize, f64)>>,
        style: Style,
    ) -> Self {
        DocumentRow {
            id: &document.id,
            title: &document.title,
            topic: placed.map_or(-1, |(topic, _)| topic as i64),
            topic_label,
            score: placed.map(|(_, score)| Score(score, style)),
            fit: fit.map(|(fit, _)| Score(fit, style)),
            novel: fit.map(|(_, novel)| novel),
            tags: Joined(tags.iter().map(String::as_str).collect(), style),
            topics: top.map(|top| TopTopics(top, style)),
        }
    }
}

pub fn topic_rows<'a>(
    documents: &'a [Document],
    topics: &'a Topics,
    style: Style,
) -> Vec<TopicRow<'a>> {
    topics
        .topics
        .iter()
        .map(|topic| TopicRow {
            topic: topic.id,
            size: topic.size,
            label: &topic.label,
            top_terms: Joined(topic.top_terms.iter().map(String::as_str).collect(), style),
            representative_ids: Joined(
                topic
                    .representatives
                    .iter()
                    .map(|&doc| documents[doc].id.as_str())
                    .collect(),
                style,
            ),
        })
        .collect()
}

impl Serialize for Joined<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            Style::Csv => serializer.serialize_str(&self.0.join(";")),
            Style::Json => self.0.serialize(serializer),
        }
    }
}

impl Serialize for TopTopics {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.1 {
            Style::Csv => {
                let cells: Vec<String> = self
                    .0
                    .iter()
                    .map(|&(topic, score)| format!("{topic}:{score:.4}"))
                    .collect();
                serializer.serialize_str(&cells.join(";"))
            }
            Style::Json => {
                #[derive(Serialize)]
                struct Entry {
                    topic: usize,
                    score: Score,
                }
                let entries: Vec<Entry> = self
                    .0
                    .iter()
                    .map(|&(topic, score)| Entry {
                        topic,
                        score: Score(score, Style::Json),
                    })
                    .collect();
                entries.serialize(serializer)
            }
        }
    }
}

impl Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = format!("{:.4}", self.0);
        match self.1 {
            Style::Csv => serializer.serialize_str(&text),
            Style::Json => serializer.serialize_f64(text.parse().unwrap_or(self.0)),
        }
    }
}

fn encode_failed(error: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::compute_from("encoding output failed", error)
}

pub fn to_csv<T: Serialize>(rows: &[T]) -> Result<Vec<u8>> {
    to_csv_with_header(rows, true)
}

/// CSV bytes of `rows`, with or without the header line (a stream writes it once).
pub fn to_csv_with_header<T: Serialize>(rows: &[T], header: bool) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(header)
        .from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(encode_failed)?;
    }
    writer.into_inner().map_err(encode_failed)
}

pub fn to_jsonl<T: Serialize>(rows: &[T]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for row in rows {
        serde_json::to_writer(&mut out, row).map_err(encode_failed)?;
        out.push(b'\n');
    }
    Ok(out)
}
