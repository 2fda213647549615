//! `topictag embed --embeddings DIR [INPUT|-] --output FILE.npy`: documents -> their unit
//! sentence vectors as a float32 `.npy` file (one row per input row), written whole or not at
//! all; `--vectors FILE.npy` takes such a file back.

use std::path::{Path, PathBuf};

use clap::Args;
use ndarray_npy::WriteNpyExt;
use topictag::embed::VectorInput;
use topictag::read::{InputSource, ReadParams};
use topictag::run::EmbedOutcome;
use topictag::write::write_whole;
use topictag::{Error, Progress, Result};

use super::columns::ColumnArgs;
use super::vectors::CacheArgs;

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

    #[command(flatten)]
    pub columns: ColumnArgs,

    #[command(flatten)]
    pub cache: CacheArgs,
}

impl EmbedArgs {
    pub fn run(&self, progress: &dyn Progress) -> Result<EmbedOutcome> {
        let read = ReadParams {
            source: InputSource::parse(&self.input),
            columns: self.columns.choice(),
        };
        let input = VectorInput::Model {
            dir: self.embeddings.clone(),
            cache: self.cache.root(),
        };
        let outcome = topictag::run::embed(&read, &input, progress)?;
        write_whole(&self.output, |out, target_name| {
            outcome
                .provided
                .vectors
                .rows
                .write_npy(out)
                .map_err(|e| Error::Write {
                    path: PathBuf::from(target_name),
                    source: std::io::Error::other(e.to_string()),
                })
        })?;
        Ok(outcome)
    }
}

/// The lines for stderr after an `embed`: warnings, then (unless quiet) what was written.
pub fn report(outcome: &EmbedOutcome, output: &Path) -> (Vec<String>, String) {
    let p = &outcome.provided;
    let mut warnings: Vec<String> = outcome.warnings.clone();
    warnings.extend(p.warnings.iter().cloned());
    warnings.extend(p.truncation_warning(&outcome.source));
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
