//! `topictag inspect FILE`: a saved model -> what it holds, for people: format and version,
//! the fit's corpus and params, vocabulary and dimensions, and the topics.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use topictag::model::FORMAT_VERSION;
use topictag::{Result, TopicCount, TopicModel};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The model file (OUTPUT/model.topictag)
    #[arg(value_name = "FILE")]
    pub model: PathBuf,
}

impl InspectArgs {
    pub fn load(&self) -> Result<TopicModel> {
        TopicModel::load(&self.model)
    }
}

/// The description `inspect` prints.
pub fn describe(model: &TopicModel, out: &mut dyn Write) -> std::io::Result<()> {
    let params = model.params();
    let (documents, without_terms) = model.fitted_documents();
    writeln!(
        out,
        "{}: topictag model, format {FORMAT_VERSION}, written by topictag {}",
        model.origin(),
        model.written_by()
    )?;
    writeln!(
        out,
        "fitted on {documents} documents ({without_terms} without terms)"
    )?;
    let k = match params.k {
        TopicCount::Fixed(k) => format!("k {k}"),
        TopicCount::Auto => model
            .k_choice()
            .map_or_else(|| "k auto".to_string(), ToString::to_string),
    };
    writeln!(out, "topics: {}, {k}", model.topics().len())?;
    let vectorizer = model.vectorizer();
    writeln!(
        out,
        "vocabulary: {} terms over {} stems; weighting {} (mean length {:.2}); LSA {} dimensions",
        model.vocabulary_size(),
        model.stem_count(),
        vectorizer.weighting(),
        vectorizer.mean_length(),
        model.dims()
    )?;
    match model.semantic() {
        Some(semantic) => {
            let hash = match &semantic.source {
                topictag::embed::VectorSource::Model { hash, .. } => {
                    format!("; full sha256 {hash}")
                }
                topictag::embed::VectorSource::File { .. } => String::new(),
            };
            writeln!(
                out,
                "sentence vectors: {}, weight {}{hash}; tag needs the same (--embeddings or --vectors)",
                semantic.source.describe(),
                semantic.weight
            )?;
        }
        None => writeln!(out, "sentence vectors: none (words only)")?,
    }
    let columns = model.columns();
    let text = if columns.text.is_empty() {
        "default".to_string()
    } else {
        columns.text.join(", ")
    };
    writeln!(
        out,
        "columns: id {}, title {}, text {text}",
        columns.id.as_deref().unwrap_or("(row number)"),
        columns.title.as_deref().unwrap_or("(none)"),
    )?;
    let v = &params.vectorize;
    writeln!(
        out,
        "params: seed {}, language {}, {} stop words, markup {}, min_df {}, max_df {}, max_terms {}, ngrams {}, dims {}, runs {}, refine {}, spectral {}",
        params.seed.0,
        params.text.language,
        params.text.stop_words.len(),
        if params.text.markup { "removed" } else { "kept" },
        v.min_df,
        v.max_df,
        v.max_terms.map_or_else(|| "none".to_string(), |n| n.to_string()),
        v.ngrams,
        params.reduce.dims,
        params.cluster.runs,
        params.cluster.refine_iterations,
        if params.spectral.is_some() { "yes" } else { "no" },
    )?;
    writeln!(out, "label terms: {}", model.term_order())?;
    if let Some(novelty) = model.novelty() {
        writeln!(
            out,
            "novelty: a document whose fit is below {:.4} is novel ({}% of documents held out of an LSA fitted on the others fall below it; tag --novel-below sets another)",
            novelty.threshold,
            novelty.quantile * 100.0
        )?;
    }
    match model.lineage() {
        Some(l) => writeln!(
            out,
            "lineage: refitted from the model with SHA-256 {} ({} continued, {} new, {} gone, {} split, {} merged); the next new topic gets id {}",
            l.previous_sha256,
            l.continued,
            l.new,
            l.gone,
            l.split,
            l.merged,
            model.next_id()
        )?,
        None => writeln!(
            out,
            "lineage: a first fit (no --previous); the next new topic gets id {}",
            model.next_id()
        )?,
    }
    if let Some(reason) = model.untaggable() {
        writeln!(out, "cannot tag: {reason}")?;
    }
    writeln!(out, "topic  size  label")?;
    for topic in model.topics() {
        writeln!(out, "{:>5}  {:>4}  {}", topic.id, topic.size, topic.label)?;
    }
    out.flush()
}
