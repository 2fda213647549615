//! `tag`'s output: documents and where the model put them -> rows with the columns of
//! `documents.csv` (and `topics` with `--top`), as CSV or JSON Lines bytes, chunk by chunk, the
//! header once.

use rayon::prelude::*;

use super::rows::{to_csv_with_header, to_jsonl, DocumentRow, Style};
use super::OutputFormat;
use crate::error::Result;
use crate::model::{Tagged, TopicModel};
use crate::read::Document;

/// Rows serialized per parallel work unit.
const ROWS_PER_TASK: usize = 1024;

/// Turns chunks of tagged documents into output bytes, in order.
#[derive(Debug)]
pub struct TaggedWriter {
    format: OutputFormat,
    top: bool,
    header_written: bool,
}

impl TaggedWriter {
    /// `top`: whether the rows carry the `topics` column.
    pub fn new(format: OutputFormat, top: bool) -> Self {
        TaggedWriter {
            format,
            top,
            header_written: false,
        }
    }

    /// The bytes of one chunk's rows (the CSV header before the first row of all), serialized
    /// in parallel and joined in order.
    pub fn chunk(
        &mut self,
        documents: &[Document],
        tagged: &[Tagged],
        model: &TopicModel,
    ) -> Result<Vec<u8>> {
        let style = match self.format {
            OutputFormat::Csv => Style::Csv,
            OutputFormat::JsonLines => Style::Json,
        };
        let with_top = self.top;
        let parts: Vec<Result<Vec<u8>>> = documents
            .par_chunks(ROWS_PER_TASK)
            .zip(tagged.par_chunks(ROWS_PER_TASK))
            .enumerate()
            .map(|(index, (documents, tagged))| {
                let rows: Vec<DocumentRow<'_>> = documents
                    .iter()
                    .zip(tagged)
                    .map(|(document, tagged)| row(document, tagged, model, with_top, style))
                    .collect();
                match self.format {
                    OutputFormat::Csv => {
                        to_csv_with_header(&rows, index == 0 && !self.header_written)
                    }
                    OutputFormat::JsonLines => to_jsonl(&rows),
                }
            })
            .collect();
        let mut bytes = Vec::new();
        for part in parts {
            bytes.extend_from_slice(&part?);
        }
        if !documents.is_empty() {
            self.header_written = true;
        }
        Ok(bytes)
    }

    /// What ends the output: the CSV header alone when no row was written (an input with a
    /// header and no rows still gives a well-formed CSV file), else nothing.
    pub fn finish(&mut self) -> Result<Vec<u8>> {
        if self.header_written || self.format != OutputFormat::Csv {
            return Ok(Vec::new());
        }
        self.header_written = true;
        let blank = Document::new("", "", "");
        let header_and_row = to_csv_with_header(
            &[DocumentRow::new(
                &blank,
                None,
                None,
                "",
                &[],
                self.top.then(Vec::new),
                Style::Csv,
            )],
            true,
        )?;
        let header_end = header_and_row
            .iter()
            .position(|&b| b == b'\n')
            .map_or(header_and_row.len(), |at| at + 1);
        Ok(header_and_row[..header_end].to_vec())
    }
}

/// One tagged document's row.
fn row<'a>(
    document: &'a Document,
    tagged: &'a Tagged,
    model: &'a TopicModel,
    with_top: bool,
    style: Style,
) -> DocumentRow<'a> {
    // Rows name topics by id (which persists across refits), not by position.
    let placed = tagged
        .topic
        .map(|topic| (model.topic_id(topic), tagged.score));
    let label = tagged
        .topic
        .map_or("", |topic| model.topics()[topic].label.as_str());
    let top = with_top.then(|| {
        tagged
            .top
            .iter()
            .map(|&(topic, score)| (model.topic_id(topic), score))
            .collect()
    });
    let fit = tagged.topic.and(tagged.fit).map(|fit| (fit, tagged.novel));
    DocumentRow::new(document, placed, fit, label, &tagged.tags, top, style)
}
