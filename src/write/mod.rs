//! Writing results: a fit's documents, topics, metrics, k sweep and model -> `documents.csv`,
//! `topics.csv` (or `.jsonl`), `metrics.json`, `k_selection.csv` and `model.topictag` in the
//! output folder, each written to a temp file beside its target and renamed into place; and
//! tagged documents -> CSV or JSON Lines rows, streamed ([`TaggedWriter`]).

mod atomic;
mod changes;
mod k_selection;
mod report_files;
mod rows;
mod tagged;

use std::path::PathBuf;
use std::str::FromStr;

use crate::cluster::choose::KSelection;
use crate::error::{Error, Result};
use crate::evaluate::Metrics;
use crate::label::{Tagged, Topics};
use crate::model::{TopicChange, TopicModel};
use crate::progress::{Progress, Work};
use crate::read::Document;
use crate::report::tree::TreeNode;
use crate::report::trends::Trends;
use crate::report::Report;

pub use atomic::{abandon_pending, write_whole, Abandoned, AtomicFiles};
use rows::Style;
pub use tagged::TaggedWriter;

/// The model file's name in the output folder.
pub const MODEL_FILE: &str = "model.topictag";

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum OutputFormat {
    #[default]
    Csv,
    JsonLines,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
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
    /// Write `report.html`, `report.md` and its charts.
    pub report: bool,
}

impl Default for WriteParams {
    fn default() -> Self {
        WriteParams {
            dir: PathBuf::from("output"),
            format: OutputFormat::Csv,
            report: true,
        }
    }
}

/// Everything a run writes.
pub struct RunOutputs<'a> {
    pub documents: &'a [Document],
    /// Each document's place, in input order: `documents.csv` holds the rows `tag` writes.
    pub placed: &'a [Tagged],
    pub topics: &'a Topics,
    pub metrics: &'a Metrics,
    pub k_selection: Option<&'a KSelection>,
    pub model: &'a TopicModel,
    pub tree: &'a [TreeNode],
    pub trends: Option<&'a Trends>,
    /// With a previous model: what became of its topics.
    pub changes: Option<&'a [TopicChange]>,
    /// The rendered report, unless it is turned off.
    pub report: Option<&'a Report>,
}

impl WriteParams {
    /// Writes every file as one set; on any failure none replaces an earlier output. Each file
    /// written is reported to `progress`.
    pub fn write(&self, outputs: &RunOutputs<'_>, progress: &dyn Progress) -> Result<Vec<PathBuf>> {
        // Said plainly: create_dir_all would say only "File exists (os error 17)".
        if self.dir.exists() && !self.dir.is_dir() {
            return Err(Error::Write {
                path: self.dir.clone(),
                source: std::io::Error::other(
                    "a file is in the way: the output is a folder, name a new or existing folder",
                ),
            });
        }
        std::fs::create_dir_all(&self.dir).map_err(|source| Error::Write {
            path: self.dir.clone(),
            source,
        })?;
        let files_count = 5
            + usize::from(outputs.k_selection.is_some())
            + usize::from(outputs.trends.is_some())
            + usize::from(outputs.changes.is_some())
            + outputs.report.map_or(0, |r| 2 + r.charts.len());
        progress.measure(Work::items("files", files_count));
        let extension = self.format.extension();
        let (documents, topics) = (outputs.documents, outputs.topics);
        let mut files = AtomicFiles::new(&self.dir);
        // The writer `tag` streams its rows with, so the two files cannot differ in form.
        let mut tagged = TaggedWriter::new(self.format, false);
        let mut document_bytes = tagged.chunk(documents, outputs.placed, outputs.model)?;
        document_bytes.extend(tagged.finish()?);
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
        let metrics = serde_json::to_vec_pretty(outputs.metrics)
            .map_err(|e| Error::compute_from("cannot encode metrics.json", e))?;
        files.add("metrics.json", &metrics)?;
        progress.advance(1);
        if let Some(selection) = outputs.k_selection {
            files.add("k_selection.csv", &k_selection::k_selection_csv(selection))?;
            progress.advance(1);
        }
        files.add(MODEL_FILE, &outputs.model.to_bytes()?)?;
        progress.advance(1);
        files.add(
            "topic_tree.csv",
            &report_files::topic_tree_csv(outputs.tree)?,
        )?;
        progress.advance(1);
        if let Some(trends) = outputs.trends {
            files.add(
                "topic_trends.csv",
                &report_files::topic_trends_csv(trends, &outputs.model.topic_ids())?,
            )?;
            progress.advance(1);
        }
        if let Some(changes) = outputs.changes {
            files.add("topic_changes.csv", &changes::topic_changes_csv(changes)?)?;
            progress.advance(1);
        }
        if let Some(report) = outputs.report {
            files.add("report.html", report.html.as_bytes())?;
            files.add("report.md", report.markdown.as_bytes())?;
            progress.advance(2);
            for (name, svg) in &report.charts {
                files.add(name, svg.as_bytes())?;
                progress.advance(1);
            }
        }
        files.commit()
    }
}
