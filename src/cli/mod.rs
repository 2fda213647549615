//! The command line as the user types it (clap): the fit (`topictag [INPUT]`), `tag`, `inspect`
//! and `embed`, each turned into the library's settings; and the library's parameter names turned
//! back into flags for messages. Declared by `main.rs` only: the library knows no flags.

pub mod columns;
pub mod embed;
pub mod format;
pub mod inspect;
pub mod run;
pub mod tag;
pub mod terminal;
pub mod vectors;

use clap::{Parser, Subcommand};
use topictag::Param;

/// Find the topics in a collection of documents and tag every document with them.
///
/// Reads CSV (with a header) or JSON Lines, clusters the documents by their words (BM25, LSA,
/// k-means) and writes documents.csv (each document's topic, score and tags), topics.csv (each
/// topic's size, label, distinctive terms and representative documents), metrics.json and
/// model.topictag, the saved model that `topictag tag` applies to new documents.
///
/// Progress bars are drawn on stderr when stderr is a terminal (never on stdout, never into a
/// file or pipe), and the topic table goes to stdout; --quiet turns both off.
#[derive(Debug, Parser)]
#[command(
    name = "topictag",
    version,
    about,
    long_about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: run::RunArgs,

    /// No progress bars and no summary (the fit's topic table, the last line of tag and embed):
    /// only warnings and errors (and --timings), on stderr
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Put new documents into the topics of a saved model: one row per input row, with the
    /// columns of documents.csv (id,title,topic,topic_label,score,fit,novel,tags)
    Tag(tag::TagArgs),
    /// Print what a saved model holds: topics, vocabulary, dimensions, params, version
    Inspect(inspect::InspectArgs),
    /// Write every document's sentence vector (a sentence-transformers model folder) to a
    /// .npy file, for --vectors or for other tools
    Embed(embed::EmbedArgs),
}

/// The flag that sets a library parameter, for messages.
pub fn flag(param: Param) -> &'static str {
    match param {
        Param::MinDf => "--min-df",
        Param::MaxDf => "--max-df",
        Param::MaxTerms => "--max-terms",
        Param::Ngrams => "--ngrams",
        Param::Dims => "--dims",
        Param::K => "--k",
        Param::KRange => "--k-range",
        Param::KSample => "the k selection sample",
        Param::Runs => "--runs",
        Param::FitSampleRows => "--fit-sample-rows",
        Param::TopTerms => "--top-terms",
        Param::Neighbors => "--neighbors",
        Param::IdColumn => "--id-column",
        Param::TitleColumn => "--title-column",
        Param::TextColumn => "--text-column",
        Param::LabelColumn => "--label-column",
        Param::DateColumn => "--date-column",
        Param::Top => "--top",
        Param::Embeddings => "--embeddings",
        Param::Vectors => "--vectors",
        Param::EmbeddingWeight => "--embedding-weight",
        Param::NovelBelow => "--novel-below",
        Param::Previous => "--previous",
        Param::MemoryLimit => "--memory-limit",
    }
}
