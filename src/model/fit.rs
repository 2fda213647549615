//! The fit: documents, [`TopicParams`] and a [`FitInput`] of optional parts -> a [`Fit`] (the
//! [`TopicModel`], every document placed, the topics described, the metrics, the k sweep).
//!
//! The fit places its own documents with the function [`TopicModel::tag`] places a new one
//! with ([`Placer`]), so tagging the training documents with the saved model gives exactly the
//! fit's rows. It does no report work: the report builds its map and tree from a [`Fit`].

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use ndarray::{Array2, Axis};

use super::lineage::{self, Previous, TopicChange};
use super::{Semantic, TopicModel, TopicSummary, Untaggable};
use crate::cluster::choose::KSelection;
use crate::cluster::{Clustering, KRange, TopicCount};
use crate::embed::{self, EmbedTexts, SentenceVectors};
use crate::error::{Error, Result};
use crate::evaluate::{self, Judged, Metrics};
use crate::label::novelty::{calibrate_held_out, Novelty, NOVEL_QUANTILE};
use crate::label::place::{Fitness, Placer};
use crate::label::{LabelParams, Meaning, Tagged, Tagger, Topics};
use crate::params::{CheckedParams, TopicParams};
use crate::progress::{self, Cancel, Progress, Silent, Watched};
use crate::read::{ColumnChoice, Document};
use crate::reduce::{Embedding, Lsa};
use crate::text::TokenizedCorpus;
use crate::vectorize::{TfIdf, VectorizerFit};

/// What a fit may be given besides the documents and the params, all optional: known labels
/// to score the topics against (evaluation only: they never steer the clustering), one
/// sentence vector per document, a [`Progress`] to report to, a [`Cancel`] token, and whether to
/// keep the documents' rows for a caller that draws them ([`Fit::rows`]).
///
/// ```
/// use topictag::{Cancel, FitInput};
/// let labels = vec!["astro".to_string(), "bio".to_string()];
/// let cancel = Cancel::new();
/// let input = FitInput::new().labels("label", &labels).cancel(&cancel).keep_rows();
/// assert!(input.keeps_rows());
/// ```
#[derive(Clone, Copy, Default)]
pub struct FitInput<'a> {
    labels: Option<(&'a str, &'a [String])>,
    vectors: Option<&'a SentenceVectors>,
    term_model: Option<&'a dyn EmbedTexts>,
    progress: Option<&'a dyn Progress>,
    cancel: Option<&'a Cancel>,
    keep_rows: bool,
    previous: Option<&'a Previous<'a>>,
}

impl<'a> FitInput<'a> {
    /// Nothing but the documents.
    pub fn new() -> Self {
        FitInput::default()
    }

    /// Known labels, one per document, from a column named `column` (the metrics name it).
    pub fn labels(mut self, column: &'a str, labels: &'a [String]) -> Self {
        self.labels = Some((column, labels));
        self
    }

    /// One sentence vector per document, joined to its LSA row with
    /// [`TopicParams::embedding_weight`].
    pub fn vectors(mut self, vectors: &'a SentenceVectors) -> Self {
        self.vectors = Some(vectors);
        self
    }

    /// The sentence model the [`FitInput::vectors`] came from: with it the label stage re-ranks
    /// each topic's terms by their closeness in meaning to the topic's documents
    /// ([`crate::label::LabelParams::rerank`]).
    pub fn term_model(mut self, model: &'a dyn EmbedTexts) -> Self {
        self.term_model = Some(model);
        self
    }

    /// Where the stages report what they are doing (progress never changes the outputs).
    pub fn progress(mut self, progress: &'a dyn Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// A token that stops the fit with [`Error::Cancelled`] at its next chunk of work.
    pub fn cancel(mut self, cancel: &'a Cancel) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// The model this fit follows, with its topic for each document ([`Previous::new`]): the
    /// new topics that continue old ones keep their ids, the others get ids the previous model
    /// never used, and [`Fit::changes`] says what became of every topic.
    pub fn previous(mut self, previous: &'a Previous<'a>) -> Self {
        self.previous = Some(previous);
        self
    }

    /// Keep every document's row in the model's space ([`Fit::rows`]), as a map of the
    /// documents needs; without it the rows are freed when the fit ends.
    pub fn keep_rows(mut self) -> Self {
        self.keep_rows = true;
        self
    }

    pub fn keeps_rows(&self) -> bool {
        self.keep_rows
    }

    /// The progress to report to, stopping when the token is set.
    fn watched(&self) -> Watched<'a> {
        Watched::new(self.progress.unwrap_or(&Silent), self.cancel)
    }
}

impl std::fmt::Debug for FitInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FitInput")
            .field("labels", &self.labels.map(|(column, _)| column))
            .field("vectors", &self.vectors.map(SentenceVectors::len))
            .field("term_model", &self.term_model.is_some())
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.map(Cancel::is_cancelled))
            .field("keep_rows", &self.keep_rows)
            .field("previous", &self.previous.map(|p| p.sha256.as_str()))
            .finish()
    }
}

/// Documents after the text stage ([`TopicModel::analyze`]), ready for
/// [`TopicModel::fit_analyzed`]. A caller that holds the documents' texts can free them in
/// between: at a million abstracts they are about a gigabyte.
#[derive(Debug, Clone)]
pub struct Analyzed {
    tokens: TokenizedCorpus,
    params: TopicParams,
    timings: Timings,
}

impl Analyzed {
    /// Documents analysed.
    pub fn len(&self) -> usize {
        self.tokens.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.documents.is_empty()
    }
}

/// What a fit made and found: the model, every input document's place (the rows of
/// `documents.csv`, the same [`TopicModel::tag`] gives them), the topics described, the
/// metrics and, with `k` auto, the sweep.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Fit {
    pub model: TopicModel,
    /// Per input document, in input order; topic `None` for a document with no terms.
    pub documents: Vec<Tagged>,
    /// The topics with their distinctive terms and representative documents.
    pub topics: Topics,
    pub metrics: Metrics,
    pub k_selection: Option<KSelection>,
    /// With [`FitInput::keep_rows`]: each document's row in the space it was clustered from.
    pub rows: Option<FitRows>,
    /// Vocabulary size.
    pub terms: usize,
    /// The k the clustering was asked for: more than the topics when some came out empty.
    pub requested_k: usize,
    pub timings: Timings,
    /// With [`FitInput::previous`]: what became of each topic (`topic_changes.csv`).
    pub changes: Option<Vec<TopicChange>>,
}

/// The documents' unit rows in the model's space (LSA, joined with the sentence vectors if
/// any): one row per document that has terms.
#[derive(Debug, Clone)]
pub struct FitRows {
    pub rows: Array2<f64>,
    /// The input position of each row's document, ascending.
    pub documents: Vec<usize>,
}

impl Fit {
    /// Documents that had no terms left after filtering (topic -1).
    pub fn without_terms(&self) -> usize {
        self.model.without_terms
    }

    /// Per document with terms, in input order, its topic: the topic of each row of
    /// [`FitRows`].
    pub fn row_topics(&self) -> Vec<usize> {
        self.documents.iter().filter_map(|t| t.topic).collect()
    }
}

/// The documents' space: the fitted vectorizer and LSA, the TF-IDF rows and the unit rows.
struct Space {
    fitted: VectorizerFit,
    lsa: Lsa,
    embedding: Embedding,
    /// Per row of `embedding`, the share of its term row the LSA space holds.
    captured: Vec<f64>,
    semantic: Option<Semantic>,
}

impl TopicModel {
    /// Fits a model on `documents`.
    pub fn fit(documents: &[Document], params: &TopicParams) -> Result<Fit> {
        Self::fit_with(documents, params, &FitInput::default())
    }

    /// [`TopicModel::fit`] with labels, sentence vectors, progress or a cancel token.
    pub fn fit_with(
        documents: &[Document],
        params: &TopicParams,
        input: &FitInput<'_>,
    ) -> Result<Fit> {
        let analyzed = Self::analyze(documents, params, input)?;
        Self::fit_analyzed(analyzed, input)
    }

    /// The fit's first stage: checks `params`, then tokenizes, filters and stems `documents`.
    pub fn analyze(
        documents: &[Document],
        params: &TopicParams,
        input: &FitInput<'_>,
    ) -> Result<Analyzed> {
        let checked = params.check()?;
        let progress = input.watched();
        let mut timings = Timings::default();
        let tokens = timings.time("text", &progress, || checked.text.fit(documents, &progress))?;
        Ok(Analyzed {
            tokens,
            params: params.clone(),
            timings,
        })
    }

    /// The fit after the text stage: what [`TopicModel::fit_with`] does with the analysed
    /// documents.
    pub fn fit_analyzed(analyzed: Analyzed, input: &FitInput<'_>) -> Result<Fit> {
        let Analyzed {
            tokens,
            params,
            mut timings,
        } = analyzed;
        let params = params.check()?;
        let progress = input.watched();
        let progress = &progress;
        // Known labels as class ids, for evaluation only: the k sweep reports against them and
        // the metrics score the topics against them; neither lets them steer the clustering.
        let truth: Option<Vec<usize>> = input.labels.map(|(_, l)| evaluate::class_ids(l));
        let space = space(&tokens, &params, input, &mut timings, progress)?;
        let (k, k_selection) = choose_k(&params, &space, truth.as_deref(), &mut timings, progress)?;
        // A refit starts from the previous model's topics where that is about as good.
        let start: Option<Vec<Option<usize>>> = input
            .previous
            .filter(|previous| previous.len() == tokens.documents.len())
            .map(|previous| {
                space
                    .embedding
                    .documents
                    .iter()
                    .map(|&doc| previous.topics[doc])
                    .collect()
            });
        let (clustering, spectral_rows) =
            cluster(&params, &space, k, start.as_deref(), &mut timings, progress)?;
        let tagger = Tagger::new(&space.fitted.tfidf.vocabulary, params.label.tags);
        let (mut documents, novelty) =
            place_fitted(&space, &clustering, spectral_rows.as_ref(), &tagger);
        let novelty = match novelty {
            Some(in_sample) => {
                let held_out =
                    timings.time("novelty", progress, || calibrate(&params, &space, progress))?;
                let novelty = held_out.unwrap_or(in_sample);
                for tagged in &mut documents {
                    tagged.novel = tagged.fit.is_some_and(|fit| fit < novelty.threshold);
                }
                Some(novelty)
            }
            None => None,
        };
        progress::check(progress)?;
        // Label terms re-ranked by meaning need the documents' own sentence vectors (not the
        // rows joined with the words) and the model that made them.
        let meaning = match (input.vectors, input.term_model) {
            (Some(vectors), Some(model)) => Some(Meaning {
                documents: vectors.rows.view(),
                model,
            }),
            _ => None,
        };
        // The saved model says its terms were re-ranked by meaning when its vectors came from a
        // sentence model (`TopicModel::term_order`); given such vectors without the model to
        // embed the terms with, they stay in class-based order, and the model records that.
        let from_model = input.vectors.is_some_and(|v| v.source.is_model());
        let label = LabelParams {
            rerank: params.label.rerank && (meaning.is_some() || !from_model),
            ..params.label.clone()
        };
        let topics = timings.time("label", progress, || {
            let tfidf = &space.fitted.tfidf;
            let fitted = (&clustering, documents.as_slice());
            label.describe(&tokens, tfidf, fitted, &tagger, meaning.as_ref(), progress)
        })?;
        progress::check(progress)?;
        let metrics = timings.time("evaluate", progress, || {
            let judged = Judged {
                tokens: &tokens,
                embedding: &space.embedding,
                clustering: &clustering,
                topics: &topics,
                placed: &documents,
            };
            let labels = input.labels.map(|(column, _)| column).zip(truth.as_deref());
            Metrics::evaluate(&judged, params.seed.derive("evaluate"), labels, progress)
        })?;
        let mut model = assemble(
            &params,
            &tokens,
            &space,
            &clustering,
            &topics,
            tagger,
            k_selection.as_ref(),
        );
        model.novelty = novelty;
        model.params.label = label;
        let (mut topics, mut metrics) = (topics, metrics);
        let changes = match input.previous {
            Some(previous) => Some(timings.time("lineage", progress, || {
                follow_previous(previous, &mut model, &mut topics, &mut metrics, &documents)
            })?),
            None => None,
        };
        Ok(Fit {
            changes,
            terms: space.fitted.tfidf.vocabulary.len(),
            requested_k: k,
            rows: input.keep_rows.then(|| FitRows {
                rows: space.embedding.rows,
                documents: space.embedding.documents,
            }),
            model,
            documents,
            topics,
            metrics,
            k_selection,
            timings,
        })
    }
}

/// Vectorize, reduce, and join the sentence vectors if there are any.
fn space(
    tokens: &TokenizedCorpus,
    params: &CheckedParams<'_>,
    input: &FitInput<'_>,
    timings: &mut Timings,
    progress: &dyn Progress,
) -> Result<Space> {
    let fitted = timings.time("vectorize", progress, || {
        params.vectorize.fit(tokens, progress)
    })?;
    progress::check(progress)?;
    let (lsa, mut embedding, captured) = timings.time("reduce", progress, || {
        let lsa = params
            .reduce
            .fit(&fitted.tfidf, params.seed.derive("reduce"), progress)?;
        let (embedding, captured) = lsa.embed_captured(&fitted.tfidf, progress)?;
        Ok::<_, Error>((lsa, embedding, captured))
    })?;
    progress::check(progress)?;
    let semantic = match input.vectors {
        Some(vectors) => {
            vectors_fit(vectors, tokens.documents.len())?;
            let own = vectors.rows.select(Axis(0), &embedding.documents);
            let centre = embed::centre(own.view());
            embedding.rows = embed::combine(
                embedding.rows.view(),
                own.view(),
                &centre,
                params.embedding_weight,
            );
            Some(Semantic {
                source: vectors.source.clone(),
                weight: params.embedding_weight,
                centre,
            })
        }
        None => None,
    };
    Ok(Space {
        fitted,
        lsa,
        embedding,
        captured,
        semantic,
    })
}

/// The k to fit: the fixed one, or the one the sweep of `k` auto chose.
fn choose_k(
    params: &CheckedParams<'_>,
    space: &Space,
    truth: Option<&[usize]>,
    timings: &mut Timings,
    progress: &dyn Progress,
) -> Result<(usize, Option<KSelection>)> {
    match params.k {
        TopicCount::Fixed(k) => Ok((k, None)),
        TopicCount::Auto => {
            let rows = space.embedding.rows.nrows();
            let range = KRange::for_documents(params.choose.range, rows);
            let selection = timings.time("choose k", progress, || {
                params.choose.choose(
                    &space.embedding,
                    &space.fitted.tfidf,
                    range,
                    truth,
                    params.seed.derive("choose"),
                    progress,
                )
            })?;
            Ok((selection.k, Some(selection)))
        }
    }
}

/// The clustering, and with spectral clustering the spectral rows it was found in.
fn cluster(
    params: &CheckedParams<'_>,
    space: &Space,
    k: usize,
    start: Option<&[Option<usize>]>,
    timings: &mut Timings,
    progress: &dyn Progress,
) -> Result<(Clustering, Option<Embedding>)> {
    let spectral_rows = match &params.spectral {
        Some(spectral) => Some(timings.time("spectral", progress, || {
            spectral.embed(
                &space.embedding,
                spectral.dims_for(k),
                params.seed.derive("spectral"),
                progress,
            )
        })?),
        None => None,
    };
    let rows = spectral_rows.as_ref().unwrap_or(&space.embedding);
    let clustering = timings.time("cluster", progress, || {
        params
            .cluster
            .fit_from(rows, k, params.seed.derive("cluster"), start, progress)
    })?;
    Ok((clustering, spectral_rows))
}

/// Every input document placed by the clustering's centroids in the space it was clustered in,
/// with [`Placer`], as `tag` places a new document; and the novelty threshold calibrated on their
/// fits (none for spectral rows, which are not in LSA space). Placed first with no threshold, then
/// flagged with the same comparison `tag` makes, so a saved model tags them alike.
fn place_fitted(
    space: &Space,
    clustering: &Clustering,
    spectral_rows: Option<&Embedding>,
    tagger: &Tagger,
) -> (Vec<Tagged>, Option<Novelty>) {
    let rows = spectral_rows.unwrap_or(&space.embedding);
    let tfidf: &TfIdf = &space.fitted.tfidf;
    let mut row_of = vec![None; tfidf.weights.rows()];
    for (row, &doc) in rows.documents.iter().enumerate() {
        row_of[doc] = Some(row);
    }
    let novelty = spectral_rows.is_none().then_some(Fitness {
        threshold: f64::NEG_INFINITY,
        captured: &space.captured,
    });
    let mut placed = Placer {
        centroids: &clustering.centroids,
        tagger,
        vocabulary: &tfidf.vocabulary,
        top: None::<NonZeroUsize>,
        novelty,
    }
    .place(&tfidf.weights, rows.rows.view(), |doc| row_of[doc]);
    let novelty = novelty.map(|_| {
        let fits: Vec<f64> = placed.iter().filter_map(|t| t.fit).collect();
        Novelty::calibrate(&fits, NOVEL_QUANTILE)
    });
    if let Some(novelty) = novelty {
        for tagged in &mut placed {
            tagged.novel = tagged.fit.is_some_and(|fit| fit < novelty.threshold);
        }
    }
    (placed, novelty)
}

/// The novelty threshold from held-out documents ([`calibrate_held_out`]).
fn calibrate(
    params: &CheckedParams<'_>,
    space: &Space,
    progress: &dyn Progress,
) -> Result<Option<Novelty>> {
    calibrate_held_out(
        &params.reduce,
        &space.fitted.tfidf,
        &space.embedding.documents,
        NOVEL_QUANTILE,
        params.seed.derive("novelty"),
        progress,
    )
}

/// Matches the new topics to `previous`'s ([`lineage::follow`]) and gives them their ids, in the
/// model and in the described topics; the model records its lineage.
fn follow_previous(
    previous: &Previous<'_>,
    model: &mut TopicModel,
    topics: &mut Topics,
    metrics: &mut Metrics,
    placed: &[Tagged],
) -> Result<Vec<TopicChange>> {
    if previous.len() != placed.len() {
        return Err(Error::param(
            crate::error::Param::Previous,
            format!(
                "the previous model tagged {} documents, the fit has {}",
                previous.len(),
                placed.len()
            ),
        ));
    }
    let (ids, changes) = lineage::follow(previous, model, placed);
    for (position, &id) in ids.iter().enumerate() {
        model.topics[position].id = id;
        topics.topics[position].id = id;
    }
    // The metrics name topics by position until now.
    for topic in &mut metrics.per_topic {
        topic.topic = ids[topic.topic];
    }
    let after = ids.iter().max().map_or(0, |&id| id + 1);
    model.next_id = previous.model.next_id().max(after);
    model.lineage = Some(lineage::lineage(&previous.sha256, &changes));
    Ok(changes)
}

/// The fitted stages as one model.
fn assemble(
    params: &CheckedParams<'_>,
    tokens: &TokenizedCorpus,
    space: &Space,
    clustering: &Clustering,
    topics: &Topics,
    tagger: Tagger,
    k_selection: Option<&KSelection>,
) -> TopicModel {
    let documents = tokens.documents.len();
    TopicModel {
        analyzer: tokens.analyzer(&params.text, &space.fitted.used_stems),
        vectorizer: space.fitted.vectorizer.clone(),
        lsa: space.lsa.clone(),
        centroids: clustering.centroids.clone(),
        topics: topics
            .topics
            .iter()
            .map(|t| TopicSummary {
                id: t.id,
                size: t.size,
                label: t.label.clone(),
                top_terms: t.top_terms.clone(),
            })
            .collect(),
        columns: ColumnChoice::default(),
        params: TopicParams::clone(params),
        k_choice: k_selection.map(KSelection::choice),
        documents,
        without_terms: documents - space.embedding.documents.len(),
        untaggable: params.spectral.as_ref().map(|_| Untaggable::Spectral),
        tags: params.label.tags,
        semantic: space.semantic.clone(),
        tagger: Some(tagger),
        novelty: None,
        next_id: topics.topics.len(),
        lineage: None,
        origin: String::new(),
        writer: String::new(),
    }
}

/// Vectors that can be joined to `documents` rows: one per document, as wide as their source
/// says. Library callers build [`SentenceVectors`] themselves, so this is an error, not a panic.
pub(super) fn vectors_fit(vectors: &SentenceVectors, documents: usize) -> Result<()> {
    let problem = if vectors.len() != documents {
        format!(
            "{} sentence vectors for {documents} documents",
            vectors.len()
        )
    } else if vectors.rows.ncols() != vectors.source.dims() {
        format!(
            "the sentence vectors have {} columns, but their source says {}",
            vectors.rows.ncols(),
            vectors.source.dims()
        )
    } else if vectors.rows.iter().any(|v| !v.is_finite()) {
        "the sentence vectors hold NaN or infinite values".to_string()
    } else {
        return Ok(());
    };
    Err(Error::Vectors {
        path: None,
        problem,
    })
}

/// Wall time of each stage, in pipeline order.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    /// Runs one stage, timed and reported to `progress` as a stage of its own.
    pub fn time<T>(
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
