//! `topictag tag --model FILE [INPUT|-]`: a saved model and new documents -> one row per input
//! row (the columns of documents.csv), streamed to stdout or atomically into a file.

use std::path::PathBuf;

use clap::Args;
use topictag::embed::VectorProvider;
use topictag::read::{ColumnChoice, InputSource, ReadParams, DEFAULT_TEXT_COLUMNS};
use topictag::run::{open_for_tagging, tag_stream, TagCounts, TagOptions};
use topictag::write::write_whole;
use topictag::{Error, Param, Progress, Result, TopicModel};

use super::columns::ColumnArgs;
use super::vectors::VectorArgs;

// The shared helps give the fit's defaults and meaning; here the model decides both.
#[derive(Debug, Args)]
#[command(
    mut_arg("id_column", |arg| arg.help("Column holding document ids [default: the model's]")),
    mut_arg("title_column", |arg| arg.help("Column holding titles [default: the model's]")),
    mut_arg("text_column", |arg| {
        arg.help("Column holding text; repeat for several [default: the model's]")
    }),
    mut_arg("embeddings", |arg| {
        arg.help(
            "The sentence-transformers folder the model was fitted with (required for such a \
             model; a different folder is refused)",
        )
    }),
    mut_arg("vectors", |arg| {
        arg.help(
            "For a model fitted with --vectors: the new documents' vectors, a .npy file of \
             float32, one row per input row",
        )
    })
)]
pub struct TagArgs {
    /// The model file a run wrote (OUTPUT/model.topictag)
    #[arg(short, long, value_name = "FILE")]
    pub model: PathBuf,

    /// Documents to tag: .csv with a header, .jsonl, or - for stdin
    #[arg(default_value = "-", value_name = "INPUT|-")]
    pub input: String,

    /// Where the rows go: a file (written whole or not at all), or - for stdout
    #[arg(short, long, default_value = "-", value_name = "FILE|-")]
    pub output: String,

    #[command(flatten)]
    pub format: super::format::FormatArgs,

    /// Add a `topics` column with each document's N best topics and their scores
    /// (`3:0.4120;7:0.3880`), for documents that sit between topics
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Call a document novel (the `novel` column) when its fit is below F (0 to 1), in place
    /// of the model's threshold: the fit below which 2% of documents the fit held out fall
    /// (`topictag inspect` shows it)
    #[arg(long, value_name = "F")]
    pub novel_below: Option<f64>,

    #[command(flatten)]
    pub columns: ColumnArgs,

    #[command(flatten)]
    pub vectors: VectorArgs,
}

/// What a finished `tag` reports.
pub struct TagOutcome {
    pub counts: TagCounts,
    pub output: Option<PathBuf>,
    /// The sentence model's token limit, when one embedded the documents.
    pub limit: Option<usize>,
    /// The fit below which a document was called novel.
    pub threshold: f64,
}

impl TagArgs {
    pub fn run(&self, progress: &dyn Progress) -> Result<TagOutcome> {
        if let Some(below) = self.novel_below {
            if !(0.0..=1.0).contains(&below) {
                return Err(Error::InvalidParam {
                    param: Param::NovelBelow,
                    message: format!("must be a fit between 0 and 1, not {below}"),
                });
            }
        }
        if self.top == Some(0) {
            return Err(Error::InvalidParam {
                param: Param::Top,
                message: "must be at least 1".into(),
            });
        }
        progress.stage("load");
        let model = TopicModel::load(&self.model);
        progress.finish();
        let model = model?;
        // Before the input is opened: a spectral model is refused whatever the input.
        model.check_taggable()?;
        // Tagging embeds new documents: nothing to gain from the cache.
        let input = self.vectors.input(None);
        progress.stage("load");
        let vectors = input.open(None);
        progress.finish();
        let vectors = vectors?;
        model.check_vectors(vectors.as_ref().map(VectorProvider::source).as_ref())?;
        let read = ReadParams {
            source: InputSource::parse(&self.input),
            columns: or_model(self.columns.choice(), model.columns()),
        };
        let options = TagOptions {
            format: self.format.format,
            top: self.top.and_then(std::num::NonZeroUsize::new),
            novel_below: self.novel_below,
            ..TagOptions::default()
        };
        let reader = open_for_tagging(&read)?;
        progress.stage("tag");
        let outcome = if self.output == "-" {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            tag_stream(
                &model,
                reader,
                &mut out,
                "<stdout>",
                options,
                vectors.as_ref(),
                progress,
            )
            .map(|counts| TagOutcome {
                counts,
                output: None,
                limit: vectors.as_ref().and_then(VectorProvider::token_limit),
                threshold: self.threshold(&model),
            })
        } else {
            self.tag_into_file(&model, reader, options, vectors.as_ref(), progress)
        };
        progress.finish();
        outcome
    }

    /// Streams into a temp file beside the target and renames it into place once whole; an
    /// error or an interruption leaves no partial file.
    fn tag_into_file(
        &self,
        model: &TopicModel,
        reader: topictag::read::DocumentReader,
        options: TagOptions,
        vectors: Option<&VectorProvider>,
        progress: &dyn Progress,
    ) -> Result<TagOutcome> {
        let (counts, written) = write_whole(&PathBuf::from(&self.output), |out, target_name| {
            tag_stream(model, reader, out, target_name, options, vectors, progress)
        })?;
        Ok(TagOutcome {
            counts,
            output: Some(written),
            limit: vectors.and_then(VectorProvider::token_limit),
            threshold: self.threshold(model),
        })
    }

    /// The fit below which documents are called novel: the flag's, else the model's.
    fn threshold(&self, model: &TopicModel) -> f64 {
        self.novel_below
            .or(model.novelty().map(|n| n.threshold))
            .unwrap_or(0.0)
    }
}

/// The columns to read: each one named, else the model's. The model's columns that are the
/// default names stay defaults (a missing `title` is then no error, as in the fit).
fn or_model(named: ColumnChoice, model: &ColumnChoice) -> ColumnChoice {
    let soft = |name: &Option<String>, default: &str| name.clone().filter(|name| name != default);
    let text = if !named.text.is_empty() {
        named.text
    } else if model.text.len() == 1 && DEFAULT_TEXT_COLUMNS.contains(&model.text[0].as_str()) {
        Vec::new()
    } else {
        model.text.clone()
    };
    ColumnChoice {
        id: named.id.or_else(|| soft(&model.id, "id")),
        title: named.title.or_else(|| soft(&model.title, "title")),
        text,
        label: None,
        date: None,
    }
}

/// One line for stderr after a `tag`.
pub fn summary(tagged: &TagOutcome) -> String {
    let target = tagged
        .output
        .as_ref()
        .map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
    let mut line = format!("tagged {} documents -> {target}", tagged.counts.documents);
    if tagged.counts.without_terms > 0 {
        line.push_str(&format!(
            "; {} without a term of the model's vocabulary (topic -1)",
            tagged.counts.without_terms
        ));
    }
    if tagged.counts.novel > 0 {
        line.push_str(&format!(
            "; {} novel (of no topic the model knows: fit below {:.4})",
            tagged.counts.novel, tagged.threshold
        ));
    }
    if let (Some(limit), true) = (tagged.limit, tagged.counts.truncated > 0) {
        line.push_str(&format!(
            "; {} longer than the sentence model's {limit} tokens (their vectors see only the first {limit})",
            tagged.counts.truncated
        ));
    }
    line
}
