//! topictag: documents in, topics out. The pipeline, stage by stage:
//! read -> text -> vectorize -> reduce (LSA) -> cluster (k-means) -> label -> write, each stage
//! reported to a [`Progress`].

pub mod choose;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod error;
pub mod evaluate;
pub mod label;
pub mod metrics;
pub mod progress;
pub mod read;
pub mod reduce;
pub mod spectral;
pub mod text;
pub mod vectorize;
pub mod write;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use config::Config;
pub use error::{Error, ErrorKind, Result};
pub use progress::{Progress, Silent};

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
    pub metrics: evaluate::Metrics,
    /// With `--k auto`: what was chosen and why, in one line.
    pub k_choice: Option<String>,
    pub files: Vec<PathBuf>,
    pub timings: Timings,
}

/// Runs the whole pipeline; output files are written only if every stage succeeds.
pub fn run(config: &Config) -> Result<Summary> {
    run_with(config, &Silent)
}

/// [`run`], telling `progress` what each stage is doing. Progress never changes the outputs.
pub fn run_with(config: &Config, progress: &dyn Progress) -> Result<Summary> {
    config.check()?;
    let mut timings = Timings::default();
    let mut corpus = timings.time("read", progress, || config.read.read(progress))?;
    // Known labels as class ids, for evaluation only: the k sweep reports against them and the
    // metrics score the topics against them; neither lets them steer the clustering.
    let truth: Option<Vec<usize>> = corpus.labels.as_deref().map(evaluate::class_ids);
    let tokens = timings.time("text", progress, || {
        config
            .text
            .analyze_with_progress(&corpus.documents, progress)
    });
    // Only ids and titles are written back out: the texts (most of the input's size) go now.
    corpus.drop_texts();
    let tfidf = timings.time("vectorize", progress, || {
        config.vectorize.fit(&tokens, &corpus.source)
    })?;
    let embedding = timings.time("reduce", progress, || {
        config.reduce.fit_with_progress(&tfidf, progress)
    })?;
    let (k, selection) = match config.cluster.k {
        choose::TopicCount::Fixed(_) => {
            (config.cluster.topic_count(embedding.documents.len()), None)
        }
        choose::TopicCount::Auto => {
            let range =
                choose::KRange::for_documents(config.choose.range, embedding.documents.len());
            let selection = timings.time("choose k", progress, || {
                config
                    .choose
                    .choose(&embedding, &tfidf, range, truth.as_deref(), progress)
            })?;
            (selection.k, Some(selection))
        }
    };
    let spectral_space;
    let space = if config.spectral.enabled {
        spectral_space = timings.time("spectral", progress, || {
            config
                .spectral
                .embed(&embedding, config.spectral.dims_for(k), progress)
        })?;
        &spectral_space
    } else {
        &embedding
    };
    let cluster = cluster::ClusterParams {
        k: choose::TopicCount::Fixed(k),
        ..config.cluster.clone()
    };
    let clustering = timings.time("cluster", progress, || {
        cluster.fit_with_progress(space, progress)
    })?;
    let topics = timings.time("label", progress, || {
        config
            .label
            .describe(&tokens, &tfidf, &embedding, &clustering)
    });
    let metrics = timings.time("evaluate", progress, || {
        let labels = config.read.columns.label.as_deref().zip(truth.as_deref());
        config
            .evaluate
            .evaluate(&tokens, &embedding, &clustering, &topics, labels)
    });
    let metrics_json = serde_json::to_vec_pretty(&metrics)
        .map_err(|e| Error::Compute(format!("cannot encode metrics.json: {e}")))?;
    let mut extra = vec![("metrics.json", metrics_json)];
    if let Some(selection) = &selection {
        extra.push(("k_selection.csv", selection.to_csv()));
    }
    let files = timings.time("write", progress, || {
        config
            .write
            .write(&corpus.documents, &topics, &extra, progress)
    })?;

    let requested = k;
    let without_terms = corpus.documents.len() - embedding.documents.len();
    let warnings = run_warnings(&corpus, &topics, requested, without_terms);
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
        metrics,
        k_choice: selection.as_ref().map(choose::KSelection::summary),
        files,
        timings,
    })
}

/// The corpus's own warnings, then what the run noticed: fewer topics than asked, documents
/// left without terms.
fn run_warnings(
    corpus: &read::Corpus,
    topics: &label::Topics,
    requested: usize,
    without_terms: usize,
) -> Vec<String> {
    let mut warnings = corpus.warnings.clone();
    if topics.topics.len() < requested {
        warnings.push(format!(
            "{}: asked for {requested} topics but k-means left only {} non-empty (many documents look alike in LSA space)",
            corpus.source,
            topics.topics.len()
        ));
    }
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
    warnings
}

/// Wall time of each stage, in pipeline order.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    /// Runs one stage, timed and reported to `progress` as a stage of its own.
    fn time<T>(
        &mut self,
        stage: &'static str,
        progress: &dyn Progress,
        work: impl FnOnce() -> T,
    ) -> T {
        progress.stage(stage);
        let start = Instant::now();
        let result = work();
        self.0.push((stage, start.elapsed()));
        progress.finish();
        result
    }
}
