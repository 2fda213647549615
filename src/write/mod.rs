//! Writing results: documents and topics -> `documents.csv` / `topics.csv` (or `.jsonl`) in the
//! output folder, each written to a temp file beside its target and renamed into place.

mod atomic;
mod rows;

use std::path::PathBuf;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::label::Topics;
use crate::progress::{Progress, Work};
use crate::read::Document;

pub use atomic::{abandon_pending, Abandoned, AtomicFiles};
use rows::Style;

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Csv,
    JsonLines,
}

impl OutputFormat {
    fn extension(self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::JsonLines => "jsonl",
        }
    }
}

impl FromStr for OutputFormat {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        match input.to_ascii_lowercase().as_str() {
            "csv" => Ok(OutputFormat::Csv),
            "jsonl" => Ok(OutputFormat::JsonLines),
            other => Err(format!("unknown format '{other}'; choose csv or jsonl")),
        }
    }
}

/// Settings for the write stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteParams {
    pub dir: PathBuf,
    pub format: OutputFormat,
}

impl Default for WriteParams {
    fn default() -> Self {
        WriteParams {
            dir: PathBuf::from("output"),
            format: OutputFormat::Csv,
        }
    }
}

impl WriteParams {
    /// Writes both files and the `extra` ones (name, bytes) as one set; on any failure none
    /// replaces an earlier output. Each file written is reported to `progress`.
    pub fn write(
        &self,
        documents: &[Document],
        topics: &Topics,
        extra: &[(&str, Vec<u8>)],
        progress: &dyn Progress,
    ) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(&self.dir).map_err(|source| Error::Write {
            path: self.dir.clone(),
            source,
        })?;
        progress.measure(Work::items("files", 2 + extra.len()));
        let extension = self.format.extension();
        let mut files = AtomicFiles::new(&self.dir);
        let document_bytes = match self.format {
            OutputFormat::Csv => rows::to_csv(&rows::document_rows(documents, topics, Style::Csv))?,
            OutputFormat::JsonLines => {
                rows::to_jsonl(&rows::document_rows(documents, topics, Style::Json))?
            }
        };
        files.add(&format!("documents.{extension}"), &document_bytes)?;
        progress.advance(1);
        let topic_bytes = match self.format {
            OutputFormat::Csv => rows::to_csv(&rows::topic_rows(documents, topics, Style::Csv))?,
            OutputFormat::JsonLines => {
                rows::to_jsonl(&rows::topic_rows(documents, topics, Style::Json))?
            }
        };
        files.add(&format!("topics.{extension}"), &topic_bytes)?;
        progress.advance(1);
        for (name, bytes) in extra {
            files.add(name, bytes)?;
            progress.advance(1);
        }
        files.commit()
    }
}
