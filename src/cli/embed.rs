//! `topictag embed --embeddings DIR [INPUT|-] --output FILE.npy`: documents -> their unit
//! sentence vectors as a float32 `.npy` file (one row per input row), written whole or not at
//! all; `--vectors FILE.npy` takes such a file back.

use std::path::{Path, PathBuf};

use clap::Args;
use ndarray_npy::WriteNpyExt;
use topictag::embed::{cache, VectorInput};
use topictag::read::{ColumnChoice, InputSource, ReadParams};
use topictag::run::EmbedOutcome;
use topictag::write::AtomicFiles;
use topictag::{Error, Progress, Result};

#[derive(Debug, Args)]
pub struct EmbedArgs {
    /// Documents to embed: .csv with a header, .jsonl, or - for stdin
    #[arg(default_value = topictag::read::DEFAULT_INPUT, value_name = "INPUT|-")]
    pub input: String,

    /// The sentence-transformers model folder (BERT family)
    #[arg(long, value_name = "DIR")]
    pub embeddings: PathBuf,

    /// The .npy file to write (float32, documents x dimensions)
    #[arg(short, long, value_name = "FILE.npy")]
    pub output: PathBuf,

    /// Column holding titles, embedded with the text [default: title if present]
    #[arg(long, value_name = "C")]
    pub title_column: Option<String>,

    /// Column holding text; repeat for several [default: abstract, text, body or content]
    #[arg(long, value_name = "C")]
    pub text_column: Vec<String>,

    /// Where sentence vectors are kept between runs [default: as for the fit]
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Neither read nor write the sentence-vector cache
    #[arg(long, conflicts_with = "cache")]
    pub no_cache: bool,

    /// No progress bar and no summary line: only warnings and errors, on stderr
    #[arg(short, long)]
    pub quiet: bool,
}

impl EmbedArgs {
    pub fn run(&self, progress: &dyn Progress) -> Result<EmbedOutcome> {
        let read = ReadParams {
            source: InputSource::parse(&self.input),
            columns: ColumnChoice {
                title: self.title_column.clone(),
                text: self.text_column.clone(),
                ..ColumnChoice::default()
            },
        };
        let input = VectorInput::Model {
            dir: self.embeddings.clone(),
            cache: if self.no_cache {
                None
            } else {
                self.cache.clone().or_else(cache::default_root)
            },
        };
        let outcome = topictag::run::embed(&read, &input, progress)?;
        let name = self
            .output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Write {
                path: self.output.clone(),
                source: std::io::Error::other("not a file name"),
            })?;
        let dir = match self.output.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => Path::new(".").to_path_buf(),
        };
        let mut files = AtomicFiles::new(&dir);
        let (file, temp) = files.create(&name)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        outcome
            .provided
            .vectors
            .rows
            .write_npy(&mut out)
            .map_err(|e| Error::Write {
                path: temp.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
        let file = out.into_inner().map_err(|e| Error::Write {
            path: temp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all()
            .map_err(|source| Error::Write { path: temp, source })?;
        drop(file);
        files.commit()?;
        Ok(outcome)
    }
}

/// The lines for stderr after an `embed`: warnings, then (unless quiet) what was written.
pub fn report(outcome: &EmbedOutcome, output: &Path) -> (Vec<String>, String) {
    let p = &outcome.provided;
    let mut warnings: Vec<String> = outcome.warnings.clone();
    warnings.extend(p.warnings.iter().cloned());
    if let (Some(limit), true) = (outcome.limit, p.truncated > 0) {
        warnings.push(format!(
            "{}: {} of {} document(s) are longer than the sentence model's {limit} tokens; their vectors see only the first {limit}",
            outcome.source,
            p.truncated,
            p.vectors.len()
        ));
    }
    let seconds = outcome
        .timings
        .0
        .iter()
        .find(|(stage, _)| *stage == "embed")
        .map_or(0.0, |(_, t)| t.as_secs_f64());
    let embedded = p.vectors.len() - p.cached;
    let line = format!(
        "embedded {} documents ({} from the cache) with {} in {seconds:.2} s ({:.1} documents/s) -> {}",
        p.vectors.len(),
        p.cached,
        p.vectors.source.describe(),
        embedded as f64 / seconds.max(1e-9),
        output.display()
    );
    (warnings, line)
}
