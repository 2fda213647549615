//! topictag: documents in, topics out. The pipeline, stage by stage:
//! read -> text -> vectorize -> reduce (LSA) -> cluster (k-means) -> label -> write.

pub mod cli;
pub mod cluster;
pub mod config;
pub mod error;
pub mod label;
pub mod read;
pub mod reduce;
pub mod text;
pub mod vectorize;
pub mod write;

use std::path::PathBuf;

pub use config::Config;
pub use error::{Error, ErrorKind, Result};

/// What a run did, for the command line to report.
#[derive(Debug, Clone)]
pub struct Summary {
    pub documents: usize,
    /// Documents with no terms left after filtering (topic -1).
    pub without_terms: usize,
    pub terms: usize,
    pub dims: usize,
    /// (topic, size, label), largest topic first.
    pub topics: Vec<(usize, usize, String)>,
    pub warnings: Vec<String>,
    pub files: Vec<PathBuf>,
}

/// Runs the whole pipeline; output files are written only if every stage succeeds.
pub fn run(config: &Config) -> Result<Summary> {
    config.check()?;
    let corpus = config.read.read()?;
    let tokens = config.text.analyze(&corpus.documents);
    let tfidf = config.vectorize.fit(&tokens, &corpus.source)?;
    let embedding = config.reduce.fit(&tfidf)?;
    let clustering = config.cluster.fit(&embedding)?;
    let topics = config.label.describe(&tfidf, &embedding, &clustering);
    let files = config.write.write(&corpus.documents, &topics)?;

    let mut warnings = corpus.warnings;
    let without_terms = corpus.documents.len() - embedding.documents.len();
    if without_terms > 0 {
        let first = topics
            .assignments
            .iter()
            .position(Option::is_none)
            .map_or_else(String::new, |doc| corpus.documents[doc].id.clone());
        warnings.push(format!(
            "{}: {without_terms} document(s) have no terms left after filtering and get topic -1 (first: id '{first}')",
            corpus.source
        ));
    }
    Ok(Summary {
        documents: corpus.documents.len(),
        without_terms,
        terms: tfidf.vocabulary.len(),
        dims: embedding.rows.ncols(),
        topics: topics
            .topics
            .iter()
            .map(|t| (t.id, t.size, t.label.clone()))
            .collect(),
        warnings,
        files,
    })
}
