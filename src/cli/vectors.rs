//! The sentence-vector flags (`--embeddings DIR`, `--vectors FILE.npy`, `--cache DIR`,
//! `--no-cache`) -> the library's [`VectorInput`].

use std::path::PathBuf;

use clap::Args;
use topictag::embed::{cache, VectorInput};

/// Where the sentence vectors come from, for the fit and for `tag` (which restates the helps
/// for a model that was fitted with them).
#[derive(Debug, Args)]
pub struct VectorArgs {
    /// A sentence-transformers model folder of the BERT family (all-MiniLM-L6-v2, bge-small,
    /// e5-small, …): each document's sentence vector joins its word row, for topics that follow
    /// meaning as well as words. Much slower than words alone (tens of documents/s)
    #[arg(long, value_name = "DIR", conflicts_with = "vectors")]
    pub embeddings: Option<PathBuf>,

    /// Sentence vectors made elsewhere: a .npy file of float32, one row per input row in input
    /// order (`topictag embed` writes one)
    #[arg(long, value_name = "FILE.npy")]
    pub vectors: Option<PathBuf>,
}

/// Where sentence vectors are kept between runs.
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// Where sentence vectors are kept between runs, so that a rerun does not embed again
    /// [default: $TOPICTAG_CACHE, else $XDG_CACHE_HOME/topictag, else ~/.cache/topictag]
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Neither read nor write the sentence-vector cache
    #[arg(long, conflicts_with = "cache")]
    pub no_cache: bool,
}

impl CacheArgs {
    /// The cache's root folder, `None` with `--no-cache`.
    pub fn root(&self) -> Option<PathBuf> {
        if self.no_cache {
            None
        } else {
            self.cache.clone().or_else(cache::default_root)
        }
    }
}

impl VectorArgs {
    /// The vectors to open; a model folder embeds through the cache, when there is one.
    pub fn input(&self, cache: Option<&CacheArgs>) -> VectorInput {
        match (&self.embeddings, &self.vectors) {
            (Some(dir), _) => VectorInput::Model {
                dir: dir.clone(),
                cache: cache.and_then(CacheArgs::root),
            },
            (None, Some(file)) => VectorInput::File(file.clone()),
            (None, None) => VectorInput::None,
        }
    }
}
