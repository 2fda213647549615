//! The `--format` flag the fit and `tag` share -> the library's [`OutputFormat`], its default
//! the library's.

use clap::Args;
use topictag::write::{OutputFormat, WriteParams};

#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Output format
    // A format is named by its file extension; `tag` streams in the fit's default format too.
    #[arg(long, default_value = WriteParams::default().format.extension(), value_name = "csv|jsonl")]
    pub format: OutputFormat,
}
