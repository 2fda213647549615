//! The fitted topic model: documents and [`TopicParams`] -> a [`TopicModel`] (analyzer,
//! vectorizer, LSA, centroids, the topics' labels) and a [`FitReport`] (every document's topic,
//! score and tags, the topics described, the metrics); then new documents -> [`Tagged`] rows.
//!
//! The fit computes its own documents' rows, topics, scores and tags with the calls that
//! [`TopicModel::tag`] makes for a new document, so tagging the training documents with the
//! saved model gives exactly what the fit wrote.

mod file;

use std::path::Path;
use std::time::{Duration, Instant};

use ndarray::Axis;
use serde::{Deserialize, Serialize};

use crate::cluster::choose::KSelection;
use crate::cluster::{Centroids, KRange, TopicCount};
use crate::embed::{self, SentenceVectors, VectorSource};
use crate::error::{Error, Result};
use crate::evaluate::{self, Metrics};
use crate::label::{Assignment, Tagger, Topics};
use crate::params::{CheckedParams, TopicParams};
use crate::progress::{Progress, Silent};
use crate::read::{ColumnChoice, Document};
use crate::reduce::Lsa;
use crate::report::layout::MapLayout;
use crate::report::tree::{self, TreeNode};
use crate::text::{Analyzer, TokenizedCorpus};
use crate::vectorize::{Vectorizer, VectorizerFit};

pub use file::{FORMAT_VERSION, MAGIC};

/// A fitted topic model: all that placing a new document in the topics needs.
///
/// ```
/// use topictag::{Document, TopicCount, TopicModel, TopicParams};
///
/// let themes = [
///     "galaxy telescope stars orbit nebula",
///     "protein gene cell enzyme genome",
///     "guitar melody chords concert violin",
/// ];
/// let documents: Vec<Document> = (0..60)
///     .map(|i| {
///         let words: Vec<&str> = themes[i % 3].split(' ').collect();
///         let text = (0..8).map(|j| words[(i + j * 2) % 5]).collect::<Vec<_>>().join(" ");
///         Document::new(format!("d{i}"), "", text)
///     })
///     .collect();
/// let mut params = TopicParams { k: TopicCount::Fixed(3), ..TopicParams::default() };
/// params.vectorize.max_df = 0.9;
/// let (model, report) = TopicModel::fit(&documents, &params)?;
/// assert_eq!(model.topics().len(), 3);
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("model.topictag");
/// model.save(&path)?;
/// let loaded = TopicModel::load(&path)?;
///
/// // The saved model tags the training documents exactly as the fit did.
/// let tagged = loaded.tag(&documents)?;
/// assert_eq!(tagged[0].topic, report.assignments()[0].as_ref().map(|a| a.topic));
/// let new = loaded.tag(&[Document::new("n1", "", "stars and a nebula seen by a telescope")])?;
/// assert_eq!(new[0].topic, tagged[0].topic);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicModel {
    analyzer: Analyzer,
    vectorizer: Vectorizer,
    lsa: Lsa,
    centroids: Centroids,
    topics: Vec<TopicSummary>,
    columns: ColumnChoice,
    params: TopicParams,
    /// How the fit chose k, when it was `auto`.
    k_choice: Option<String>,
    /// Documents the model was fitted on, and how many of them had no terms.
    documents: usize,
    without_terms: usize,
    /// Why the model cannot tag (spectral clustering), if it cannot.
    untaggable: Option<String>,
    /// Tags per document.
    tags: usize,
    /// The sentence vectors the rows were joined with, if any: new documents need the same.
    semantic: Option<Semantic>,
    /// Rebuilt from the vocabulary when a model is loaded.
    #[serde(skip)]
    tagger: Option<Tagger>,
    /// The file the model was loaded from, for messages.
    #[serde(skip)]
    origin: String,
    /// The topictag version that wrote the loaded file.
    #[serde(skip)]
    writer: String,
}

/// How a model's rows were joined with sentence vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Semantic {
    pub source: VectorSource,
    /// The sentence vector's weight beside the unit LSA row.
    pub weight: f64,
    /// The fitted documents' mean sentence vector, taken away from every vector before it is
    /// joined ([`embed::combine`]).
    pub centre: Vec<f32>,
}

impl Semantic {
    /// What `tag` relies on: a positive weight, a centre as long as the vectors and finite,
    /// and for a model folder a SHA-256 in hex (messages print its first 16 characters).
    fn validate(&self) -> std::result::Result<(), String> {
        let dims = self.source.dims();
        let hash_ok = match &self.source {
            VectorSource::Model { hash, .. } => {
                hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())
            }
            VectorSource::File { .. } => true,
        };
        if !(self.weight.is_finite() && self.weight > 0.0)
            || dims == 0
            || self.centre.len() != dims
            || self.centre.iter().any(|v| !v.is_finite())
            || !hash_ok
        {
            return Err("the sentence-vector settings are invalid".into());
        }
        Ok(())
    }
}

/// One topic as the model knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicSummary {
    pub id: usize,
    /// Documents of the fit in the topic.
    pub size: usize,
    pub label: String,
    pub top_terms: Vec<String>,
}

/// One document placed by the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    /// `None` for a document with no term of the model's vocabulary.
    pub topic: Option<usize>,
    /// Cosine similarity to the topic's centroid (0 without a topic).
    pub score: f64,
    /// The document's own highest-weighted terms.
    pub tags: Vec<String>,
    /// The best topics with their cosines, best first, when asked for ([`TopicModel::tag_top`]).
    pub top: Vec<(usize, f64)>,
}

/// What a fit found beyond the model: every fitted document's place, the topics described,
/// the metrics and, with `k` auto, the sweep.
#[derive(Debug, Clone)]
pub struct FitReport {
    /// The topics with their representative documents, and each document's topic, score and
    /// tags ([`FitReport::assignments`], [`FitReport::tags`]).
    pub topics: Topics,
    pub metrics: Metrics,
    pub k_selection: Option<KSelection>,
    /// Every document with a topic (a sample of them above 30,000) placed on a 2D map.
    pub map: MapLayout,
    /// The topics merged pairwise into one tree.
    pub tree: Vec<TreeNode>,
    /// Vocabulary size and LSA dimensions.
    pub terms: usize,
    pub dims: usize,
    /// Documents that had no terms left after filtering (topic -1).
    pub without_terms: usize,
    /// Fewer non-empty topics than asked for.
    pub requested_k: usize,
    pub timings: Timings,
}

/// What a fit reads besides the documents: where they came from (for messages), which
/// columns held them (the model records them for `tag`), and known labels to score the topics
/// against (evaluation only: they never steer the clustering).
#[derive(Debug, Clone, Default)]
pub struct FitInput<'a> {
    pub source: &'a str,
    pub columns: ColumnChoice,
    /// The label column's name and each document's label.
    pub labels: Option<(&'a str, &'a [String])>,
    /// One sentence vector per document, joined to its LSA row with
    /// [`TopicParams::embedding_weight`].
    pub vectors: Option<&'a SentenceVectors>,
}

impl FitReport {
    /// Per fitted document, its topic and score; `None` for a document with no terms.
    pub fn assignments(&self) -> &[Option<Assignment>] {
        &self.topics.assignments
    }

    /// Per fitted document, its tags.
    pub fn tags(&self) -> &[Vec<String>] {
        &self.topics.tags
    }
}

impl TopicModel {
    /// Fits a model on `documents`.
    pub fn fit(documents: &[Document], params: &TopicParams) -> Result<(TopicModel, FitReport)> {
        Self::fit_with(documents, params, &FitInput::default(), &Silent)
    }

    /// [`TopicModel::fit`] with the input's name, columns and labels, telling `progress` what
    /// each stage is doing (progress never changes the outputs).
    pub fn fit_with(
        documents: &[Document],
        params: &TopicParams,
        input: &FitInput<'_>,
        progress: &dyn Progress,
    ) -> Result<(TopicModel, FitReport)> {
        let params = params.check()?;
        let mut timings = Timings::default();
        let tokens = timings.time("text", progress, || params.text.fit(documents, progress));
        Self::fit_analyzed(tokens, params, input, timings, progress)
    }

    /// The fit after the text stage: what [`TopicModel::fit_with`] does with the analysed
    /// documents. A caller that holds the documents' texts can free them before this (at a
    /// million abstracts they are about a gigabyte).
    pub(crate) fn fit_analyzed(
        tokens: TokenizedCorpus,
        params: CheckedParams<'_>,
        input: &FitInput<'_>,
        mut timings: Timings,
        progress: &dyn Progress,
    ) -> Result<(TopicModel, FitReport)> {
        let seed = params.seed;
        let source = if input.source.is_empty() {
            "<documents>"
        } else {
            input.source
        };
        let documents = tokens.documents.len();
        // Known labels as class ids, for evaluation only: the k sweep reports against them and
        // the metrics score the topics against them; neither lets them steer the clustering.
        let truth: Option<Vec<usize>> = input.labels.map(|(_, l)| evaluate::class_ids(l));
        let VectorizerFit {
            vectorizer,
            used_stems,
            tfidf,
        } = timings.time("vectorize", progress, || {
            params.vectorize.fit(&tokens, source)
        })?;
        let analyzer = tokens.analyzer(&params.text, &used_stems);
        let (lsa, mut embedding) = timings.time("reduce", progress, || {
            let lsa = params.reduce.fit(&tfidf, seed.derive("reduce"), progress)?;
            let embedding = lsa.embed(&tfidf);
            Ok::<_, Error>((lsa, embedding))
        })?;
        let semantic = match input.vectors {
            Some(vectors) => {
                vectors_fit(vectors, documents, source)?;
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
        let (k, k_selection) = match params.k {
            TopicCount::Fixed(k) => (k, None),
            TopicCount::Auto => {
                let range = KRange::for_documents(params.choose.range, embedding.rows.nrows());
                let selection = timings.time("choose k", progress, || {
                    params.choose.choose(
                        &embedding,
                        &tfidf,
                        range,
                        truth.as_deref(),
                        seed.derive("choose"),
                        progress,
                    )
                })?;
                (selection.k, Some(selection))
            }
        };
        let spectral_space = match &params.spectral {
            Some(spectral) => Some(timings.time("spectral", progress, || {
                spectral.embed(
                    &embedding,
                    spectral.dims_for(k),
                    seed.derive("spectral"),
                    progress,
                )
            })?),
            None => None,
        };
        let space = spectral_space.as_ref().unwrap_or(&embedding);
        let clustering = timings.time("cluster", progress, || {
            params
                .cluster
                .fit(space, k, seed.derive("cluster"), progress)
        })?;
        let topics = timings.time("label", progress, || {
            params
                .label
                .describe(&tokens, &tfidf, &embedding, &clustering)
        });
        let metrics = timings.time("evaluate", progress, || {
            let labels = input.labels.map(|(column, _)| column).zip(truth.as_deref());
            Metrics::evaluate(
                seed.derive("evaluate"),
                &tokens,
                &embedding,
                &clustering,
                &topics,
                labels,
            )
        });
        let (map, tree) = timings.time("layout", progress, || {
            let map = MapLayout::build(
                embedding.rows.view(),
                &embedding.documents,
                &clustering.assignments,
                &clustering.sizes,
                seed.derive("map"),
            );
            let topic_labels: Vec<String> = topics.topics.iter().map(|t| t.label.clone()).collect();
            let tree = tree::build(
                clustering.centroids.rows(),
                &clustering.sizes,
                &topic_labels,
                &topics.term_tf,
                &tfidf.vocabulary.labels,
                &topics.tagger.shown,
            );
            (map, tree)
        });
        let without_terms = documents - embedding.documents.len();
        let model = TopicModel {
            tagger: Some(topics.tagger.clone()),
            analyzer,
            vectorizer,
            lsa,
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
            columns: input.columns.clone(),
            params: TopicParams::clone(&params),
            k_choice: k_selection.as_ref().map(KSelection::summary),
            documents,
            without_terms,
            untaggable: params.spectral.as_ref().map(|_| {
                "the model was fitted with spectral clustering, whose topics live in the fitted documents' neighbour graph: a new document has no place in it. Refit without spectral clustering to tag new documents".to_string()
            }),
            tags: params.label.tags,
            semantic,
            origin: String::new(),
            writer: String::new(),
        };
        let report = FitReport {
            terms: tfidf.vocabulary.len(),
            dims: model.lsa.dims(),
            without_terms,
            requested_k: k,
            topics,
            metrics,
            k_selection,
            map,
            tree,
            timings,
        };
        Ok((model, report))
    }
}

impl TopicModel {
    /// Places each document in the model's topics: its topic, score and tags.
    pub fn tag(&self, documents: &[Document]) -> Result<Vec<Tagged>> {
        self.tag_top(documents, 0)
    }

    /// [`TopicModel::tag`], also listing each document's `top` best topics with their cosines.
    /// Documents are independent: the result for one never depends on the others or on the
    /// number of threads.
    pub fn tag_top(&self, documents: &[Document], top: usize) -> Result<Vec<Tagged>> {
        self.tag_with(documents, None, top)
    }

    /// [`TopicModel::tag_top`] for a model fitted with sentence vectors: `vectors` holds one
    /// per document, from the same model folder (or the same kind of file) as the fit's. A
    /// model fitted on words only takes `None`.
    pub fn tag_with(
        &self,
        documents: &[Document],
        vectors: Option<&SentenceVectors>,
        top: usize,
    ) -> Result<Vec<Tagged>> {
        self.check_taggable()?;
        self.check_vectors(vectors.map(|v| &v.source))?;
        let terms = self.analyzer.transform(documents);
        let rows = self.vectorizer.transform(&terms);
        let mut dense = self.lsa.transform(&rows.weights);
        if let (Some(semantic), Some(vectors)) = (&self.semantic, vectors) {
            vectors_fit(vectors, documents.len(), "<documents>")?;
            dense = embed::combine(
                dense.view(),
                vectors.rows.view(),
                &semantic.centre,
                semantic.weight,
            );
        }
        let vocabulary = self.vectorizer.vocabulary();
        let tagger = self.tagger();
        Ok(dense
            .axis_iter(Axis(0))
            .enumerate()
            .map(|(doc, row)| {
                let (cols, values) = rows.weights.row(doc);
                if cols.is_empty() {
                    return Tagged {
                        topic: None,
                        score: 0.0,
                        tags: Vec::new(),
                        top: Vec::new(),
                    };
                }
                let (topic, score) = self.centroids.place(row);
                Tagged {
                    topic: Some(topic),
                    score,
                    tags: tagger.tag(cols, values, vocabulary),
                    top: if top > 0 {
                        self.centroids.top(row, top)
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect())
    }

    /// Whether vectors from `given` fit this model: the same model folder (by content) or a
    /// file of the same width; none for a words-only model.
    pub fn check_vectors(&self, given: Option<&VectorSource>) -> Result<()> {
        let path = self.origin().to_string();
        match (&self.semantic, given) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(Error::param(
                crate::error::Param::Embeddings,
                format!(
                    "{path} was fitted on words only, without sentence vectors; tag without them"
                ),
            )),
            (Some(semantic), None) => Err(Error::VectorsNeeded {
                path,
                fitted: semantic.source.describe(),
                given: None,
            }),
            (Some(semantic), Some(given)) => {
                let same = match (&semantic.source, given) {
                    (VectorSource::Model { hash: a, .. }, VectorSource::Model { hash: b, .. }) => {
                        a == b
                    }
                    (VectorSource::File { dims: a }, VectorSource::File { dims: b }) => a == b,
                    _ => false,
                };
                if same {
                    Ok(())
                } else {
                    Err(Error::VectorsNeeded {
                        path,
                        fitted: semantic.source.describe(),
                        given: Some(given.describe()),
                    })
                }
            }
        }
    }

    /// The sentence vectors the model was fitted with, if any.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_ref()
    }

    fn tagger(&self) -> std::borrow::Cow<'_, Tagger> {
        match &self.tagger {
            Some(tagger) => std::borrow::Cow::Borrowed(tagger),
            None => std::borrow::Cow::Owned(Tagger::new(self.vectorizer.vocabulary(), self.tags)),
        }
    }

    /// Writes the model to `path` (see the model file format in [`MAGIC`]'s module).
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = file::encode(self)?;
        std::fs::write(path, bytes).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The model file's bytes, for writers that place them themselves (atomically).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        file::encode(self)
    }

    /// Reads a model written by [`TopicModel::save`]. An empty, truncated, corrupted or foreign
    /// file, or one of another format version, is an [`Error::Model`] naming the file.
    pub fn load(path: &Path) -> Result<TopicModel> {
        let name = path.display().to_string();
        if path.is_dir() {
            return Err(Error::Read {
                path: name,
                source: std::io::Error::other("is a directory, not a file"),
            });
        }
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: name.clone(),
            source,
        })?;
        let (mut model, writer) = file::decode(&bytes).map_err(|problem| Error::Model {
            path: name.clone(),
            problem,
        })?;
        model.validate().map_err(|what| Error::Model {
            path: name.clone(),
            problem: crate::error::ModelProblem::Inconsistent(what),
        })?;
        model.origin = name;
        model.writer = writer;
        Ok(model)
    }

    /// Checks that the decoded parts fit together, so that nothing can index out of bounds
    /// later, and rebuilds the lookup tables.
    fn validate(&mut self) -> std::result::Result<(), String> {
        self.analyzer.validate()?;
        self.vectorizer.validate(self.analyzer.stem_count())?;
        self.lsa.validate()?;
        if self.lsa.terms() != self.vectorizer.vocabulary().len() {
            return Err(format!(
                "LSA loadings for {} terms, vocabulary of {}",
                self.lsa.terms(),
                self.vectorizer.vocabulary().len()
            ));
        }
        if let Some(semantic) = &self.semantic {
            semantic.validate()?;
        }
        let dims = if self.untaggable.is_some() {
            self.centroids.dims()
        } else {
            self.lsa.dims() + self.semantic.as_ref().map_or(0, |s| s.source.dims())
        };
        self.centroids.validate(dims)?;
        if self.topics.len() != self.centroids.len()
            || self.topics.iter().enumerate().any(|(i, t)| t.id != i)
        {
            return Err("the topics and the centroids do not match".into());
        }
        self.tagger = Some(Tagger::new(self.vectorizer.vocabulary(), self.tags));
        Ok(())
    }

    /// The file the model was loaded from (`<model>` for one fitted in this process).
    pub fn origin(&self) -> &str {
        if self.origin.is_empty() {
            "<model>"
        } else {
            &self.origin
        }
    }

    /// The topictag version that wrote the file the model was loaded from (this version for a
    /// model fitted in this process).
    pub fn written_by(&self) -> &str {
        if self.writer.is_empty() {
            env!("CARGO_PKG_VERSION")
        } else {
            &self.writer
        }
    }

    /// The topics' unit centroids, topic 0 first.
    pub fn centroids(&self) -> &Centroids {
        &self.centroids
    }

    /// The topics, largest first.
    pub fn topics(&self) -> &[TopicSummary] {
        &self.topics
    }

    pub fn params(&self) -> &TopicParams {
        &self.params
    }

    /// The input columns the model was fitted on; `tag` reads the same by default.
    pub fn columns(&self) -> &ColumnChoice {
        &self.columns
    }

    /// Terms in the vocabulary.
    pub fn vocabulary_size(&self) -> usize {
        self.vectorizer.vocabulary().len()
    }

    /// Stems the analyzer knows (those the vocabulary's terms use).
    pub fn stem_count(&self) -> usize {
        self.analyzer.stem_count()
    }

    /// Dimensions of the LSA space.
    pub fn dims(&self) -> usize {
        self.lsa.dims()
    }

    /// Documents the model was fitted on, and how many of them had no terms.
    pub fn fitted_documents(&self) -> (usize, usize) {
        (self.documents, self.without_terms)
    }

    /// How k was chosen, when it was `auto`.
    pub fn k_choice(&self) -> Option<&str> {
        self.k_choice.as_deref()
    }

    /// Why this model cannot tag new documents, if it cannot.
    pub fn untaggable(&self) -> Option<&str> {
        self.untaggable.as_deref()
    }

    /// [`Error::NotTaggable`], naming the model's file, when this model cannot tag new
    /// documents (a spectral fit).
    pub fn check_taggable(&self) -> Result<()> {
        match &self.untaggable {
            Some(reason) => Err(Error::NotTaggable {
                path: self.origin().to_string(),
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// The BM25 mean document length and the weighting, for `inspect`.
    pub fn vectorizer(&self) -> &Vectorizer {
        &self.vectorizer
    }

    /// The singular values of the LSA components, largest first.
    pub fn singular_values(&self) -> &[f64] {
        self.lsa.singular_values()
    }
}

/// Vectors that can be joined to `documents` rows: one per document, as wide as their source
/// says. Library callers build [`SentenceVectors`] themselves, so this is an error, not a panic.
fn vectors_fit(vectors: &SentenceVectors, documents: usize, source: &str) -> Result<()> {
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
        path: source.to_string(),
        problem,
    })
}

/// Wall time of each stage, in pipeline order.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    /// Runs one stage, timed and reported to `progress` as a stage of its own.
    pub(crate) fn time<T>(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_vector_settings_that_tag_cannot_use_are_refused() {
        let good = Semantic {
            source: VectorSource::Model {
                name: "m".into(),
                hash: "ab".repeat(32),
                dims: 2,
            },
            weight: 1.25,
            centre: vec![0.1, 0.2],
        };
        assert!(good.validate().is_ok());
        let short_centre = Semantic {
            centre: vec![0.1],
            ..good.clone()
        };
        let nan_centre = Semantic {
            centre: vec![0.1, f32::NAN],
            ..good.clone()
        };
        let zero_weight = Semantic {
            weight: 0.0,
            ..good.clone()
        };
        let bad_hash = Semantic {
            source: VectorSource::Model {
                name: "m".into(),
                hash: "€".repeat(22),
                dims: 2,
            },
            ..good.clone()
        };
        for bad in [short_centre, nan_centre, zero_weight, bad_hash] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
