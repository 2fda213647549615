//! The fit's flags (`topictag [INPUT] [flags]`) -> a [`RunConfig`] whose defaults are the
//! library's own.

use std::path::PathBuf;

use clap::Args;
use topictag::cluster::choose::ChooseParams;
use topictag::cluster::spectral::SpectralParams;
use topictag::cluster::ClusterParams;
use topictag::label::LabelParams;
use topictag::memory::MemoryLimit;
use topictag::read::{ColumnChoice, InputSource, ReadParams, DEFAULT_INPUT};
use topictag::reduce::ReduceParams;
use topictag::run::PreviousModel;
use topictag::text::{Language, StopWords, TextParams};
use topictag::vectorize::{VectorizeParams, Weighting};
use topictag::write::WriteParams;
use topictag::{KRange, Result, RunConfig, Seed, TopicCount, TopicParams};

use super::columns::ColumnArgs;
use super::vectors::{CacheArgs, VectorArgs};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Input file: .csv with a header, .jsonl, or - for stdin (CSV or JSON Lines, detected)
    #[arg(default_value = DEFAULT_INPUT)]
    pub input: String,

    /// Output folder for documents.csv, topics.csv, metrics.json and model.topictag (created
    /// if missing)
    #[arg(short, long, default_value_os_t = WriteParams::default().dir)]
    pub output: PathBuf,

    /// Number of topics, or auto: try each k of --k-range on a sample and keep the largest whose
    /// topics come back when the sample is resampled (the curve goes to k_selection.csv)
    #[arg(short, long, default_value = default_k(), value_name = "auto|N")]
    pub k: TopicCount,

    /// Range of k tried by --k auto [default: 2..min(40, N / 5), N = documents with terms]
    #[arg(long, value_name = "A..B")]
    pub k_range: Option<KRange>,

    /// Column of known labels, to score the topics against (metrics.json); evaluation only:
    /// the labels never influence the clustering
    #[arg(long, value_name = "C")]
    pub label_column: Option<String>,

    /// Column of dates (ISO dates, YYYY-MM or years): the report shows each topic's share over
    /// time and writes topic_trends.csv; a value that does not parse is a warning
    #[arg(long, value_name = "C")]
    pub date_column: Option<String>,

    /// Write no report (report.html, report.md and its charts)
    #[arg(long)]
    pub no_report: bool,

    /// The model of an earlier run (its OUTPUT/model.topictag): the new topics that continue
    /// its topics keep their ids, new ones get ids it never used, and topic_changes.csv says
    /// which topics continued, are new, gone, split or merged
    #[arg(long, value_name = "MODEL")]
    pub previous: Option<PathBuf>,

    /// The most memory the fit may use (8G, 512M, 1.5GiB): a fit estimated to need more is
    /// refused before the input is read in full. Default: the lowest of the cgroup's limit, the
    /// process's ulimit and the machine's available memory; none: no estimate, no refusal
    #[arg(long, value_name = "SIZE|none", value_parser = parse_memory_limit)]
    pub memory_limit: Option<MemoryLimit>,

    /// Random seed: the same input and seed give identical output
    #[arg(long, default_value_t = TopicParams::default().seed.0)]
    pub seed: u64,

    #[command(flatten)]
    pub columns: ColumnArgs,

    /// Stemming language (every rust-stemmers algorithm, or none)
    #[arg(long, default_value_t = TextParams::default().language, value_name = "L")]
    pub language: Language,

    /// Analyse the text as written: keep LaTeX, XML/HTML tags and entities, URLs, DOIs, e-mail
    /// addresses, arXiv ids and section headings (by default they are removed before tokenizing;
    /// the output columns always keep the text as read)
    #[arg(long)]
    pub no_markup: bool,

    /// Keep each topic's terms in class-based TF-IDF order (how much more the topic uses them
    /// than the others) instead of re-ranking them: by their closeness in meaning to the topic's
    /// documents with --embeddings, by how often they occur together without
    #[arg(long)]
    pub no_label_rerank: bool,

    /// Drop terms found in fewer documents than this
    #[arg(long, default_value_t = VectorizeParams::default().min_df, value_name = "N")]
    pub min_df: usize,

    /// Drop terms found in more than this fraction of documents
    #[arg(long, default_value_t = VectorizeParams::default().max_df, value_name = "F")]
    pub max_df: f64,

    /// Keep only the N most frequent terms [default: no limit]
    #[arg(long, value_name = "N")]
    pub max_terms: Option<usize>,

    /// 1: single words; 2: also two-word phrases
    #[arg(long, default_value_t = VectorizeParams::default().ngrams, value_name = "1|2")]
    pub ngrams: usize,

    /// Term weights fed to LSA: bm25 (k1 1.2, b 0.75) or tfidf (sublinear, smooth idf)
    #[arg(long, default_value_t = VectorizeParams::default().weighting, value_name = "bm25|tfidf")]
    pub weighting: Weighting,

    /// Passes of spherical k-means (cosine) after linfa's k-means; 0 turns it off
    #[arg(long, default_value_t = ClusterParams::default().refine_iterations, value_name = "N")]
    pub refine: usize,

    /// LSA dimensions (capped below the number of documents)
    #[arg(long, default_value_t = ReduceParams::default().dims, value_name = "N")]
    pub dims: usize,

    /// Cluster the spectral embedding of the documents' nearest-neighbour graph instead of the
    /// LSA rows (spectral clustering). Such a model cannot tag new documents.
    #[arg(long)]
    pub spectral: bool,

    /// Nearest neighbours linked to each document in the graph of --spectral
    #[arg(long, default_value_t = SpectralParams::default().neighbors, value_name = "N")]
    pub neighbors: usize,

    /// Subspace iterations of the spectral embedding
    #[arg(long, default_value_t = SpectralParams::default().iterations, value_name = "N", hide = true)]
    pub spectral_iterations: usize,

    /// Eigenvectors per topic of the spectral embedding
    #[arg(long, default_value_t = SpectralParams::default().dims_per_topic, value_name = "N", hide = true)]
    pub spectral_dims: usize,

    /// k-means++ restarts; the best (lowest inertia) is kept
    #[arg(long, default_value_t = ClusterParams::default().runs, value_name = "N")]
    pub runs: usize,

    /// Above this many documents with terms, k-means fits a seeded sample of this size and
    /// places every document by its centroids
    #[arg(long, default_value_t = ClusterParams::default().fit_sample_rows, value_name = "N", hide = true)]
    pub fit_sample_rows: usize,

    /// Distinctive terms listed per topic
    #[arg(long, default_value_t = LabelParams::default().top_terms, value_name = "N")]
    pub top_terms: usize,

    /// File of extra stop words (whitespace-separated, # comments), added to the built-in list
    #[arg(long, value_name = "FILE")]
    pub stop_words: Option<PathBuf>,

    #[command(flatten)]
    pub format: super::format::FormatArgs,

    /// Print each stage's wall time to stderr
    #[arg(long)]
    pub timings: bool,

    /// With sentence vectors: their weight beside the words' LSA row (each document's row is
    /// the unit LSA row joined with WEIGHT times its unit sentence vector)
    #[arg(long, value_name = "WEIGHT", default_value_t = TopicParams::default().embedding_weight)]
    pub embedding_weight: f64,

    #[command(flatten)]
    pub vectors: VectorArgs,

    #[command(flatten)]
    pub cache: CacheArgs,
}

/// The library's default topic count as `--k` parses it: clap takes a default as text.
fn default_k() -> &'static str {
    match TopicParams::default().k {
        TopicCount::Auto => "auto",
        // clap keeps its defaults for the whole run: the one string is never freed.
        TopicCount::Fixed(k) => Box::leak(k.to_string().into_boxed_str()),
    }
}

impl RunArgs {
    /// Builds and checks the run's settings; reads the stop-word file.
    pub fn into_config(self) -> Result<RunConfig> {
        let defaults = TopicParams::default();
        let mut stop_words = StopWords::english();
        if let Some(path) = &self.stop_words {
            stop_words.extend_from_file(path)?;
        }
        let params = TopicParams {
            seed: Seed(self.seed),
            k: self.k,
            text: TextParams {
                language: self.language,
                stop_words,
                markup: !self.no_markup,
                ..defaults.text
            },
            vectorize: VectorizeParams {
                min_df: self.min_df,
                max_df: self.max_df,
                max_terms: self.max_terms,
                ngrams: self.ngrams,
                weighting: self.weighting,
                ..defaults.vectorize
            },
            reduce: ReduceParams {
                dims: self.dims,
                ..defaults.reduce
            },
            choose: ChooseParams {
                range: self.k_range,
                ..defaults.choose
            },
            spectral: self.spectral.then(|| SpectralParams {
                neighbors: self.neighbors,
                iterations: self.spectral_iterations,
                dims_per_topic: self.spectral_dims,
                ..SpectralParams::default()
            }),
            cluster: ClusterParams {
                runs: self.runs,
                refine_iterations: self.refine,
                fit_sample_rows: self.fit_sample_rows,
                ..defaults.cluster
            },
            label: LabelParams {
                top_terms: self.top_terms,
                rerank: !self.no_label_rerank,
                ..defaults.label
            },
            embedding_weight: self.embedding_weight,
        };
        params.check()?;
        Ok(RunConfig {
            memory_limit: self.memory_limit.unwrap_or_default(),
            previous: self.previous.map(PreviousModel::File),
            vectors: self.vectors.input(Some(&self.cache)),
            read: ReadParams {
                source: InputSource::parse(&self.input),
                columns: ColumnChoice {
                    label: self.label_column,
                    date: self.date_column,
                    ..self.columns.choice()
                },
            },
            params,
            write: WriteParams {
                dir: self.output,
                format: self.format.format,
                report: !self.no_report,
            },
        })
    }
}

/// `--memory-limit`: a size, or `none`.
fn parse_memory_limit(text: &str) -> std::result::Result<MemoryLimit, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(MemoryLimit::Unchecked);
    }
    topictag::memory::parse_size(text)
        .map(MemoryLimit::Bytes)
        .ok_or_else(|| format!("'{text}' is not a size: write it as 8G, 512M, 1.5GiB or a number of bytes, or none"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{flag, Cli};
    use super::*;

    fn config(args: &[&str]) -> Result<RunConfig> {
        Cli::parse_from(args).run.into_config()
    }

    #[test]
    fn defaults_need_no_arguments_and_equal_the_library_defaults() {
        let config = config(&["topictag"]).expect("valid");
        assert_eq!(
            config.read.source,
            InputSource::File(PathBuf::from("data/papers.csv"))
        );
        assert_eq!(config.write.dir, PathBuf::from("output"));
        assert_eq!(config.params, TopicParams::default());
    }

    #[test]
    fn nonsense_numbers_are_rejected_with_the_flag_name() {
        for (args, expected) in [
            (vec!["topictag", "--max-df", "3"], "--max-df"),
            (vec!["topictag", "--dims", "0"], "--dims"),
            (vec!["topictag", "--k", "0"], "--k"),
            (vec!["topictag", "--runs", "0"], "--runs"),
            (vec!["topictag", "--ngrams", "3"], "--ngrams"),
        ] {
            let error = config(&args).expect_err("invalid");
            let message = error.display_with(flag).to_string();
            assert!(message.contains(expected), "{message}");
        }
    }
}
