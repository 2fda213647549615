//! The fitted topic model: documents and [`TopicParams`] -> a [`Fit`] holding the
//! [`TopicModel`] (analyzer, vectorizer, LSA, centroids, the topics' labels), every document's
//! place, the topics described and the metrics ([`fit`]); then new documents -> [`Tagged`]
//! rows; and the model <-> the bytes of a model file ([`file`]).

mod file;
mod fit;
pub mod lineage;

use std::num::NonZeroUsize;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cluster::choose::KChoice;
use crate::cluster::Centroids;
use crate::embed::{self, SentenceVectors, VectorSource};
pub use crate::error::Untaggable;
use crate::error::{Error, ModelProblem, Result};
use crate::label::novelty::Novelty;
use crate::label::place::{Fitness, Placer};
use crate::label::Tagger;
use crate::params::TopicParams;
use crate::progress::{self, Progress, Silent, Work};
use crate::read::{ColumnChoice, Document};
use crate::reduce::Lsa;
use crate::text::Analyzer;
use crate::vectorize::Vectorizer;

pub use crate::label::Tagged;
pub use file::{FORMAT_VERSION, MAGIC};
pub use fit::{Analyzed, Fit, FitInput, FitRows, Timings};
pub use lineage::{Lineage, Previous, Status, TopicChange};

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
/// let fit = TopicModel::fit(&documents, &params)?;
/// let model = &fit.model;
/// assert_eq!(model.topics().len(), 3);
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("model.topictag");
/// model.save(&path)?;
/// let loaded = TopicModel::load(&path)?;
///
/// // The saved model tags the training documents exactly as the fit did.
/// let tagged = loaded.tag(&documents)?;
/// assert_eq!(tagged, fit.documents);
/// let new = loaded.tag(&[Document::new("n1", "", "stars and a nebula seen by a telescope")])?;
/// assert_eq!(new[0].topic, tagged[0].topic);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TopicModel {
    analyzer: Analyzer,
    vectorizer: Vectorizer,
    lsa: Lsa,
    centroids: Centroids,
    topics: Vec<TopicSummary>,
    columns: ColumnChoice,
    params: TopicParams,
    /// How the fit chose k, when it was `auto`.
    k_choice: Option<KChoice>,
    /// Documents the model was fitted on, and how many of them had no terms.
    documents: usize,
    without_terms: usize,
    /// Why the model cannot tag (spectral clustering), if it cannot.
    untaggable: Option<Untaggable>,
    /// Tags per document.
    tags: usize,
    /// The sentence vectors the rows were joined with, if any: new documents need the same.
    semantic: Option<Semantic>,
    /// Below which fit a document is novel (none for a model that cannot tag).
    novelty: Option<Novelty>,
    /// The id the next new topic gets: ids are never reused, so a refit's new topic never
    /// takes the id of one that is gone.
    next_id: usize,
    /// The model this one was refitted from, with `--previous`.
    lineage: Option<Lineage>,
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

/// Two models are equal when they place documents alike: where one was loaded from, and which
/// version wrote its file, are not part of it (a model and its own bytes loaded back are equal).
impl PartialEq for TopicModel {
    fn eq(&self, other: &Self) -> bool {
        self.analyzer == other.analyzer
            && self.vectorizer == other.vectorizer
            && self.lsa == other.lsa
            && self.centroids == other.centroids
            && self.topics == other.topics
            && self.columns == other.columns
            && self.params == other.params
            && self.k_choice == other.k_choice
            && self.documents == other.documents
            && self.without_terms == other.without_terms
            && self.untaggable == other.untaggable
            && self.tags == other.tags
            && self.semantic == other.semantic
            && self.novelty == other.novelty
            && self.next_id == other.next_id
            && self.lineage == other.lineage
    }
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

impl TopicModel {
    /// Places each document in the model's topics: its topic, score and tags.
    pub fn tag(&self, documents: &[Document]) -> Result<Vec<Tagged>> {
        self.tag_with(documents, &TagInput::default())
    }

    /// [`TopicModel::tag`] with sentence vectors, each document's best topics, progress or a
    /// cancel token ([`TagInput`]). Documents are independent: the result for one never
    /// depends on the others or on the number of threads.
    pub fn tag_with(&self, documents: &[Document], input: &TagInput<'_>) -> Result<Vec<Tagged>> {
        self.check_taggable()?;
        self.check_vectors(input.vectors.map(|v| &v.source))?;
        if let Some(below) = input.novel_below {
            if !(0.0..=1.0).contains(&below) {
                return Err(Error::param(
                    crate::error::Param::NovelBelow,
                    format!("must be a fit between 0 and 1, not {below}"),
                ));
            }
        }
        if let Some(vectors) = input.vectors {
            fit::vectors_fit(vectors, documents.len())?;
        }
        let progress = progress::Watched::new(input.progress.unwrap_or(&Silent), input.cancel);
        progress.measure(Work::items("documents", documents.len()));
        // Chunk by chunk, so a cancel is seen within one chunk's work; documents are placed
        // alone, so the chunking changes nothing in the result.
        let mut tagged = Vec::with_capacity(documents.len());
        for (index, chunk) in documents.chunks(TAG_WITH_CHUNK_DOCUMENTS).enumerate() {
            progress::check(&progress)?;
            let start = index * TAG_WITH_CHUNK_DOCUMENTS;
            let vectors = input
                .vectors
                .map(|v| v.rows.slice(ndarray::s![start..start + chunk.len(), ..]));
            tagged.extend(self.tag_chunk(chunk, vectors, input));
            progress.advance(chunk.len() as u64);
        }
        Ok(tagged)
    }

    /// One chunk of [`TopicModel::tag_with`], its sentence vectors checked.
    fn tag_chunk(
        &self,
        documents: &[Document],
        vectors: Option<ndarray::ArrayView2<'_, f32>>,
        input: &TagInput<'_>,
    ) -> Vec<Tagged> {
        let terms = self.analyzer.transform(documents);
        let rows = self.vectorizer.transform(&terms);
        let (mut dense, captured) = self.lsa.transform_captured(&rows.weights);
        if let (Some(semantic), Some(vectors)) = (&self.semantic, vectors) {
            dense = embed::combine(dense.view(), vectors, &semantic.centre, semantic.weight);
        }
        Placer {
            centroids: &self.centroids,
            tagger: &self.tagger(),
            vocabulary: self.vectorizer.vocabulary(),
            top: input.top,
            novelty: self.fitness(input.novel_below, &captured),
        }
        .place(&rows.weights, dense.view(), Some)
    }

    /// What placing needs for each document's fit and novelty: the model's threshold or
    /// `novel_below` in its place, and each row's captured share.
    fn fitness<'a>(&self, novel_below: Option<f64>, captured: &'a [f64]) -> Option<Fitness<'a>> {
        let threshold = novel_below.or(self.novelty.map(|n| n.threshold))?;
        Some(Fitness {
            threshold,
            captured,
        })
    }

    /// The id of the topic at `position` (topics are in size order; ids persist across refits
    /// with [`crate::FitInput::previous`], and equal the positions without one).
    pub fn topic_id(&self, position: usize) -> usize {
        self.topics[position].id
    }

    /// Every topic's id, in position order.
    pub fn topic_ids(&self) -> Vec<usize> {
        self.topics.iter().map(|t| t.id).collect()
    }

    /// The id the next new topic of a refit from this model gets.
    pub fn next_id(&self) -> usize {
        self.next_id
    }

    /// The model this one was refitted from and what became of its topics.
    pub fn lineage(&self) -> Option<&Lineage> {
        self.lineage.as_ref()
    }

    /// Below which fit a document is novel, and which share of the fitted documents that
    /// leaves below it; `None` for a model that cannot tag.
    pub fn novelty(&self) -> Option<Novelty> {
        self.novelty
    }

    /// Whether vectors from `given` fit this model: the same model folder (by content) or a
    /// file of the same width; none for a words-only model.
    pub fn check_vectors(&self, given: Option<&VectorSource>) -> Result<()> {
        let path = std::path::PathBuf::from(self.origin());
        match (&self.semantic, given) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(Error::param(
                crate::error::Param::Embeddings,
                format!(
                    "{} was fitted on words only, without sentence vectors; tag without them",
                    path.display()
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

    /// The order each topic's terms are in, in words: class-based TF-IDF order, or re-ranked
    /// by meaning (fitted with a sentence model) or by co-occurrence (without one).
    pub fn term_order(&self) -> crate::label::TermOrder {
        let by_meaning = self.semantic.as_ref().is_some_and(|s| s.source.is_model());
        self.params.label.term_order(by_meaning)
    }

    /// What tags documents: rebuilt from the vocabulary when a model is loaded.
    pub(crate) fn tagger(&self) -> std::borrow::Cow<'_, Tagger> {
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

    /// The model file's bytes, for writers that place them themselves (atomically), pickling
    /// or a broadcast to other machines.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        file::encode(self)
    }

    /// Reads a model written by [`TopicModel::save`]. An empty, truncated, corrupted or foreign
    /// file, or one of another format version, is an [`Error::Model`] naming the file.
    pub fn load(path: &Path) -> Result<TopicModel> {
        if path.is_dir() {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source: std::io::Error::other("is a directory, not a file"),
            });
        }
        let failed = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let handle = std::fs::File::open(path).map_err(failed)?;
        // A regular file is read whole (its size bounds the buffer); anything else only as far
        // as its header says.
        let bytes = if handle.metadata().map_err(failed)?.is_file() {
            std::fs::read(path).map_err(failed)?
        } else {
            file::read_stream(handle).map_err(failed)?
        };
        Self::decode(&bytes, path)
    }

    /// A model from the bytes of a model file ([`TopicModel::to_bytes`]), with every check
    /// [`TopicModel::load`] makes; errors and messages name the model `<model bytes>`.
    pub fn from_bytes(bytes: &[u8]) -> Result<TopicModel> {
        Self::decode(bytes, Path::new(BYTES_ORIGIN))
    }

    /// Decodes and validates a model file's bytes read from `origin`.
    fn decode(bytes: &[u8], origin: &Path) -> Result<TopicModel> {
        let (mut model, writer) = file::decode(bytes).map_err(|problem| Error::Model {
            path: origin.to_path_buf(),
            problem,
        })?;
        model.validate().map_err(|what| Error::Model {
            path: origin.to_path_buf(),
            problem: ModelProblem::Inconsistent(what),
        })?;
        model.origin = origin.display().to_string();
        model.writer = writer;
        Ok(model)
    }

    /// Records the input columns the model was fitted on, which `tag` reads by default: the
    /// caller that read the documents knows them.
    pub fn set_columns(&mut self, columns: ColumnChoice) {
        self.columns = columns;
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
            let vectors = self.semantic.as_ref().map_or(0, |s| s.source.dims());
            self.lsa
                .dims()
                .checked_add(vectors)
                .ok_or("the dimensions overflow")?
        };
        self.centroids.validate(dims)?;
        if self.topics.len() != self.centroids.len() {
            return Err("the topics and the centroids do not match".into());
        }
        let mut ids: Vec<usize> = self.topics.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() != self.topics.len() || ids.last().is_some_and(|&id| id >= self.next_id) {
            return Err("the topic ids are not distinct or not below the next id".into());
        }
        match (&self.novelty, &self.untaggable) {
            (Some(novelty), None) => novelty.validate()?,
            (None, None) => return Err("a model that tags has no novelty threshold".into()),
            _ => {}
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
    pub fn k_choice(&self) -> Option<&KChoice> {
        self.k_choice.as_ref()
    }

    /// Why this model cannot tag new documents, if it cannot.
    pub fn untaggable(&self) -> Option<Untaggable> {
        self.untaggable
    }

    /// [`Error::NotTaggable`], naming the model's file, when this model cannot tag new
    /// documents (a spectral fit).
    pub fn check_taggable(&self) -> Result<()> {
        match &self.untaggable {
            Some(reason) => Err(Error::NotTaggable {
                path: self.origin().into(),
                reason: *reason,
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

/// Documents analysed, projected and placed at a time by [`TopicModel::tag_with`]: as `tag`'s
/// stream does, large enough for every core, small enough that a cancel waits for little.
const TAG_WITH_CHUNK_DOCUMENTS: usize = 8192;

/// The origin a model read by [`TopicModel::from_bytes`] gives in messages.
const BYTES_ORIGIN: &str = "<model bytes>";

/// What [`TopicModel::tag_with`] may be given besides the documents, all optional.
#[derive(Clone, Copy, Default)]
pub struct TagInput<'a> {
    /// One sentence vector per document, from the same model folder (or the same kind of file)
    /// as the fit's; a model fitted on words only takes none.
    pub vectors: Option<&'a SentenceVectors>,
    /// List each document's this many best topics with their cosines ([`Tagged::top`]).
    pub top: Option<NonZeroUsize>,
    pub progress: Option<&'a dyn Progress>,
    /// A token that stops the call with [`Error::Cancelled`].
    pub cancel: Option<&'a crate::progress::Cancel>,
    /// Call a document novel when its fit is below this, in place of the model's threshold
    /// ([`TopicModel::novelty`]).
    pub novel_below: Option<f64>,
}

impl std::fmt::Debug for TagInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TagInput")
            .field("vectors", &self.vectors.map(SentenceVectors::len))
            .field("top", &self.top)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.map(|c| c.is_cancelled()))
            .field("novel_below", &self.novel_below)
            .finish()
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
