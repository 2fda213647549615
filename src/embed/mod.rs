//! Sentence vectors beside the words: a sentence-transformers folder ([`SentenceModel`]) or a
//! `.npy` file ([`npy`]) -> [`SentenceVectors`] (one unit-length f32 row per document, and where
//! they came from); [`combine`] joins them to the documents' LSA rows into the rows the topics
//! are fitted on and new documents are placed with.
//!
//! ```
//! use ndarray::Array2;
//! use topictag::embed::{SentenceVectors, VectorSource};
//! use topictag::{Document, FitInput, TagInput, TopicCount, TopicModel, TopicParams};
//!
//! let themes = ["galaxy telescope stars orbit", "protein gene cell enzyme"];
//! let documents: Vec<Document> = (0..40)
//!     .map(|i| Document::new(i.to_string(), "", themes[i % 2]))
//!     .collect();
//! // Vectors from any source, one row per document (here: two made-up directions).
//! let vectors = |n: usize| {
//!     let rows = Array2::from_shape_fn((n, 3), |(i, j)| if j == i % 2 { 1.0f32 } else { 0.1 });
//!     SentenceVectors::new(rows, VectorSource::File { dims: 3 })
//! };
//! let mut params = TopicParams { k: TopicCount::Fixed(2), ..TopicParams::default() };
//! params.vectorize.max_df = 1.0;
//! let fitted = vectors(documents.len());
//! let fit = TopicModel::fit_with(&documents, &params, &FitInput::new().vectors(&fitted))?;
//!
//! // New documents need vectors of the same kind; `tag` without them is an error.
//! let new = vectors(2);
//! let input = TagInput { vectors: Some(&new), ..TagInput::default() };
//! let tagged = fit.model.tag_with(&documents[..2], &input)?;
//! assert_eq!(tagged[0].topic, fit.documents[0].topic);
//! assert!(fit.model.tag(&documents[..2]).is_err());
//! # Ok::<(), topictag::Error>(())
//! ```

pub mod cache;
pub mod npy;

#[cfg(feature = "embeddings")]
mod bert;
#[cfg(feature = "embeddings")]
mod kernels;
#[cfg(feature = "embeddings")]
mod model;

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[cfg(feature = "embeddings")]
pub use model::{Embedded, SentenceModel};

use crate::read::Document;

/// Sentence vectors of short texts, one row per text: what the label stage re-ranks a topic's
/// candidate terms with ([`crate::label::Meaning`]). A [`SentenceModel`] is one; a `.npy` file
/// of document vectors is not (it has no way to embed a term).
pub trait EmbedTexts: Sync {
    fn embed_texts(
        &self,
        texts: &[&str],
        progress: &dyn crate::progress::Progress,
    ) -> crate::error::Result<Array2<f32>>;
}

#[cfg(feature = "embeddings")]
impl EmbedTexts for SentenceModel {
    fn embed_texts(
        &self,
        texts: &[&str],
        progress: &dyn crate::progress::Progress,
    ) -> crate::error::Result<Array2<f32>> {
        Ok(self.embed(texts, progress)?.rows)
    }
}

/// Where a model's sentence vectors come from; a saved model records it so that new documents
/// are embedded the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VectorSource {
    /// A sentence-transformers folder: its name (for messages) and the SHA-256 of its files.
    Model {
        name: String,
        hash: String,
        dims: usize,
    },
    /// Vectors computed elsewhere and handed over as a `.npy` file.
    File { dims: usize },
}

impl VectorSource {
    /// Whether the vectors came from a sentence model (which can embed label terms as well).
    pub fn is_model(&self) -> bool {
        matches!(self, VectorSource::Model { .. })
    }

    pub fn dims(&self) -> usize {
        match self {
            VectorSource::Model { dims, .. } | VectorSource::File { dims } => *dims,
        }
    }

    /// One line for people: `all-MiniLM-L6-v2 (384 dims, sha256 53aa5117…)`.
    pub fn describe(&self) -> String {
        match self {
            VectorSource::Model { name, hash, dims } => {
                // `get`: a hash is hex, but a message must not panic on one that is not.
                let short = hash.get(..16).unwrap_or(hash);
                format!("model {name} ({dims} dims, sha256 {short})")
            }
            VectorSource::File { dims } => format!("vectors from a .npy file ({dims} dims)"),
        }
    }
}

/// One unit-length sentence vector per document, in input order.
#[derive(Debug, Clone)]
pub struct SentenceVectors {
    pub rows: Array2<f32>,
    pub source: VectorSource,
}

impl SentenceVectors {
    /// `rows` scaled to unit length (a zero row stays zero).
    pub fn new(mut rows: Array2<f32>, source: VectorSource) -> Self {
        for mut row in rows.axis_iter_mut(Axis(0)) {
            let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm.is_finite() && norm >= f32::MIN_POSITIVE.sqrt() {
                row.mapv_inplace(|v| v / norm);
            } else if row.iter().any(|&v| v != 0.0 && v.is_finite()) {
                // The squares overflow (values past about 1e19) or underflow (below about
                // 1e-19) in f32: the plain quotient would zero the row or leave it long. Scaled
                // by its largest value first, the row's norm is between 1 and its length's root.
                // Only such rows take this path, so ordinary vectors keep their bits.
                let largest = row.iter().fold(0f32, |m, v| m.max(v.abs()));
                row.mapv_inplace(|v| v / largest);
                let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
                row.mapv_inplace(|v| v / norm);
            }
        }
        SentenceVectors { rows, source }
    }

    pub fn len(&self) -> usize {
        self.rows.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.nrows() == 0
    }
}

/// The text a document's sentence vector is made from: its title and text as one passage.
pub fn document_text(document: &Document) -> String {
    let title = document.title.trim();
    let text = document.text.trim();
    match (title.is_empty(), text.is_empty()) {
        (true, _) => text.to_string(),
        (false, true) => title.to_string(),
        (false, false) if title.ends_with(['.', '?', '!', ':']) => format!("{title} {text}"),
        (false, false) => format!("{title}. {text}"),
    }
}

/// The mean of `rows` (unit sentence vectors), summed in f64: what [`combine`] takes away from
/// every sentence vector before joining it.
pub fn centre(rows: ArrayView2<'_, f32>) -> Vec<f32> {
    let mut sum = vec![0.0f64; rows.ncols()];
    for row in rows.axis_iter(Axis(0)) {
        for (s, &v) in sum.iter_mut().zip(row.iter()) {
            *s += f64::from(v);
        }
    }
    let n = rows.nrows().max(1) as f64;
    sum.iter().map(|s| (s / n) as f32).collect()
}

/// Each unit LSA row (f64) joined with `weight` times its sentence vector, centred and scaled
/// to unit length, and the whole scaled back to unit length: `[lsa, weight · ŝ] / √(1 + weight²)`
/// with `ŝ = (s - centre) / ‖s - centre‖`. Rows pair up in order. The fit and `tag` both go
/// through here, so a document's combined row is the same bits in both.
///
/// Why centre: sentence vectors of one corpus share a large common direction (all-MiniLM-L6-v2
/// on arxiv_2007_18archives: mean pairwise cosine ≈ 0.2), which says nothing about topics;
/// taking the corpus mean away leaves the directions that tell documents apart (see the README's
/// sentence-vector table for what it gained).
pub fn combine(
    lsa: ArrayView2<'_, f64>,
    sentences: ArrayView2<'_, f32>,
    centre: &[f32],
    weight: f64,
) -> Array2<f64> {
    assert_eq!(
        lsa.nrows(),
        sentences.nrows(),
        "one sentence vector per LSA row"
    );
    assert_eq!(
        centre.len(),
        sentences.ncols(),
        "a centre as long as the vectors"
    );
    let (dims, extra) = (lsa.ncols(), sentences.ncols());
    let mut out = Array2::<f64>::zeros((lsa.nrows(), dims + extra));
    let scale = 1.0 / 1f64.hypot(weight);
    let mut centred = vec![0.0f64; extra];
    for ((mut target, l), s) in out
        .axis_iter_mut(Axis(0))
        .zip(lsa.axis_iter(Axis(0)))
        .zip(sentences.axis_iter(Axis(0)))
    {
        for (t, &v) in target.iter_mut().zip(l.iter()) {
            *t = v * scale;
        }
        for ((c, &v), &m) in centred.iter_mut().zip(s.iter()).zip(centre) {
            *c = f64::from(v) - f64::from(m);
        }
        let norm = centred.iter().map(|c| c * c).sum::<f64>().sqrt();
        let unit = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        for (t, &c) in target.iter_mut().skip(dims).zip(&centred) {
            *t = weight * c * unit * scale;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn combined_rows_are_unit_length_and_weighted() {
        let lsa = array![[0.6, 0.8], [1.0, 0.0]];
        let s = array![[1.0f32, 0.0, 0.0], [0.0, 0.0, 1.0]];
        let c = combine(lsa.view(), s.view(), &[0.0; 3], 2.0);
        for row in c.axis_iter(Axis(0)) {
            assert!((row.dot(&row) - 1.0).abs() < 1e-12);
        }
        // The sentence part carries weight² / (1 + weight²) of the squared length.
        let tail: f64 = c.row(0).iter().skip(2).map(|v| v * v).sum();
        assert!((tail - 0.8).abs() < 1e-12);
    }

    #[test]
    fn the_centre_is_taken_away_before_joining() {
        let lsa = array![[1.0, 0.0], [1.0, 0.0]];
        let s = array![[0.6f32, 0.8], [0.8, 0.6]];
        let centre = super::centre(s.view());
        assert!(centre.iter().all(|&m| (m - 0.7).abs() < 1e-6), "{centre:?}");
        let c = combine(lsa.view(), s.view(), &centre, 1.0);
        // Centred, the two vectors point opposite ways.
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((c[[0, 2]] + h * h).abs() < 1e-6 && (c[[1, 2]] - h * h).abs() < 1e-6);
    }

    #[test]
    fn a_source_with_an_odd_hash_still_describes_itself() {
        let odd = VectorSource::Model {
            name: "m".into(),
            hash: "€".repeat(10),
            dims: 3,
        };
        assert!(odd.describe().starts_with("model m (3 dims, sha256 "));
    }

    #[test]
    fn document_text_joins_title_and_text() {
        let d = |title: &str, text: &str| Document::new("1", title, text);
        assert_eq!(document_text(&d("A title", "Body.")), "A title. Body.");
        assert_eq!(document_text(&d("Why?", "Body.")), "Why? Body.");
        assert_eq!(document_text(&d("", "Body.")), "Body.");
        assert_eq!(document_text(&d("Only title", " ")), "Only title");
    }

    #[test]
    fn new_vectors_are_unit_length() {
        let v = SentenceVectors::new(
            array![[3.0f32, 4.0], [0.0, 0.0]],
            VectorSource::File { dims: 2 },
        );
        assert_eq!(v.rows, array![[0.6f32, 0.8], [0.0, 0.0]]);
    }

    #[test]
    fn huge_and_tiny_vectors_keep_their_direction() {
        // Their squares overflow or underflow in f32: the plain quotient zeroed the first row
        // (a file scaled by 1e20 then clustered as words only) and left the second unscaled.
        let v = SentenceVectors::new(
            array![[3e20f32, 4e20], [3e-25, 4e-25], [f32::MAX, f32::MAX]],
            VectorSource::File { dims: 2 },
        );
        for (row, want) in
            v.rows
                .outer_iter()
                .zip([[0.6f32, 0.8], [0.6, 0.8], [0.70710677, 0.70710677]])
        {
            for (got, want) in row.iter().zip(want) {
                assert!((got - want).abs() < 1e-6, "{row} against {want:?}");
            }
        }
    }
}

/// Where a run's or a tag's sentence vectors come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum VectorInput {
    /// Words only.
    #[default]
    None,
    /// A sentence-transformers folder; vectors are kept under `cache` (a root folder) when set.
    Model {
        dir: std::path::PathBuf,
        cache: Option<std::path::PathBuf>,
    },
    /// A `.npy` file with one float32 row per input row.
    File(std::path::PathBuf),
}

/// A [`VectorInput`] made ready: the model loaded, or the file read.
pub enum VectorProvider {
    #[cfg(feature = "embeddings")]
    Model {
        model: Box<SentenceModel>,
        cache: Option<cache::VectorCache>,
    },
    File {
        path: String,
        vectors: SentenceVectors,
    },
}

/// The vectors of some documents, and what the user should hear about making them.
#[derive(Debug, Clone)]
pub struct Provided {
    pub vectors: SentenceVectors,
    /// Documents cut at the model's token limit.
    pub truncated: usize,
    /// The token limit texts were cut at; `None` for vectors from a file.
    pub limit: Option<usize>,
    /// Documents whose vectors came from the cache.
    pub cached: usize,
    pub warnings: Vec<String>,
}

impl Provided {
    /// Vectors read from a file: nothing cut, nothing cached.
    fn from_file(vectors: SentenceVectors) -> Self {
        Provided {
            vectors,
            truncated: 0,
            limit: None,
            cached: 0,
            warnings: Vec::new(),
        }
    }

    /// The one warning about texts cut at the model's limit, if any were, naming the input.
    pub fn truncation_warning(&self, source: &str) -> Option<String> {
        let limit = self.limit.filter(|_| self.truncated > 0)?;
        Some(format!(
            "{source}: {} of {} document(s) are longer than the sentence model's {limit} tokens; their sentence vectors see only the first {limit}",
            self.truncated,
            self.vectors.len()
        ))
    }
}

impl VectorInput {
    /// Loads the model or reads the file; `None` for words only. `documents`, when known, is
    /// the number of input rows a `.npy` file must match.
    pub fn open(&self, documents: Option<usize>) -> crate::error::Result<Option<VectorProvider>> {
        match self {
            VectorInput::None => Ok(None),
            VectorInput::File(path) => Ok(Some(VectorProvider::File {
                path: path.display().to_string(),
                vectors: npy::read(path, documents)?,
            })),
            #[cfg(feature = "embeddings")]
            VectorInput::Model { dir, cache } => {
                let model = SentenceModel::load(dir)?;
                let cache = cache
                    .as_ref()
                    .map(|root| cache::VectorCache::new(root, model.hash(), model.dims()));
                Ok(Some(VectorProvider::Model {
                    model: Box::new(model),
                    cache,
                }))
            }
            #[cfg(not(feature = "embeddings"))]
            VectorInput::Model { dir, .. } => Err(crate::error::Error::SentenceModel {
                path: dir.clone(),
                problem: "this build of topictag has no sentence-model support (the 'embeddings' feature is off)".into(),
            }),
        }
    }
}

impl VectorProvider {
    /// The model that can embed any text (a label's candidate terms); `None` for a file.
    pub fn text_model(&self) -> Option<&dyn EmbedTexts> {
        match self {
            #[cfg(feature = "embeddings")]
            VectorProvider::Model { model, .. } => Some(model.as_ref()),
            VectorProvider::File { .. } => None,
        }
    }

    /// The token limit a model cuts texts at; `None` for a file.
    pub fn token_limit(&self) -> Option<usize> {
        match self {
            #[cfg(feature = "embeddings")]
            VectorProvider::Model { model, .. } => Some(model.max_tokens()),
            VectorProvider::File { .. } => None,
        }
    }

    /// Who makes the vectors, as a saved model records it.
    pub fn source(&self) -> VectorSource {
        match self {
            #[cfg(feature = "embeddings")]
            VectorProvider::Model { model, .. } => model.source(),
            VectorProvider::File { vectors, .. } => vectors.source.clone(),
        }
    }

    /// The vectors of `documents`, which are input rows `first..first + documents.len()`.
    /// A model embeds what its cache does not hold; a file gives its rows (an error names the
    /// file when it has too few).
    pub fn vectors(
        &self,
        documents: &[Document],
        first: usize,
        progress: &dyn crate::progress::Progress,
    ) -> crate::error::Result<Provided> {
        #[cfg(not(feature = "embeddings"))]
        let _ = progress; // only a model reports progress
        match self {
            #[cfg(feature = "embeddings")]
            VectorProvider::Model { model, cache } => {
                embed_cached(model, cache.as_ref(), documents, first, progress)
            }
            VectorProvider::File { path, vectors } => {
                let end = first + documents.len();
                if end > vectors.len() {
                    return Err(crate::error::Error::Vectors {
                        path: Some(path.into()),
                        problem: format!(
                            "{} rows of vectors, but the input has more rows (at least {end}); give one vector per input row",
                            vectors.len()
                        ),
                    });
                }
                Ok(Provided::from_file(SentenceVectors {
                    rows: vectors.rows.slice(ndarray::s![first..end, ..]).to_owned(),
                    source: vectors.source.clone(),
                }))
            }
        }
    }

    /// The vectors of all the input's `documents` at once, as a fit needs them: a file's rows
    /// are handed over whole rather than copied (a million 384-float rows are 1.5 GB), after
    /// the check [`VectorProvider::finish`] makes.
    pub fn all(
        self,
        documents: &[Document],
        progress: &dyn crate::progress::Progress,
    ) -> crate::error::Result<Provided> {
        #[cfg(not(feature = "embeddings"))]
        let _ = progress; // only a model reports progress
        match self {
            VectorProvider::File { path, vectors } => {
                rows_match(&path, vectors.len(), documents.len())?;
                Ok(Provided::from_file(vectors))
            }
            #[cfg(feature = "embeddings")]
            model => model.vectors(documents, 0, progress),
        }
    }

    /// After the last document: an error when a file has more rows than the input had.
    pub fn finish(&self, documents: usize) -> crate::error::Result<()> {
        match self {
            VectorProvider::File { path, vectors } => rows_match(path, vectors.len(), documents),
            #[cfg(feature = "embeddings")]
            VectorProvider::Model { .. } => Ok(()),
        }
    }
}

/// A file's `rows` of vectors against the input's row count.
fn rows_match(path: &str, rows: usize, documents: usize) -> crate::error::Result<()> {
    if rows == documents {
        return Ok(());
    }
    Err(crate::error::Error::Vectors {
        path: Some(path.into()),
        problem: format!(
            "{rows} rows of vectors for {documents} input rows; give one vector per input row, in input order"
        ),
    })
}

#[cfg(feature = "embeddings")]
fn embed_cached(
    model: &SentenceModel,
    cache: Option<&cache::VectorCache>,
    documents: &[Document],
    first: usize,
    progress: &dyn crate::progress::Progress,
) -> crate::error::Result<Provided> {
    let texts: Vec<String> = documents.iter().map(document_text).collect();
    let mut warnings = Vec::new();
    let (keys, found) = match cache {
        Some(cache) => {
            let keys: Vec<cache::Key> = texts.iter().map(|t| cache::key(t)).collect();
            let (found, problems) = cache.load(&keys);
            warnings.extend(problems);
            (keys, found)
        }
        None => (Vec::new(), Default::default()),
    };
    // Each distinct missing text once, in first-seen order: `fresh` maps it to its row among
    // the texts embedded now, `missing` holds the first document that has it.
    let mut missing: Vec<usize> = Vec::new();
    let mut fresh: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, text) in texts.iter().enumerate() {
        let cached = keys.get(i).is_some_and(|k| found.contains_key(k));
        if !cached && !fresh.contains_key(text.as_str()) {
            fresh.insert(text.as_str(), missing.len());
            missing.push(i);
        }
    }
    let to_embed: Vec<&str> = missing.iter().map(|&i| texts[i].as_str()).collect();
    // An error names the text's place among those embedded now: the input row is the place
    // of its first document, after the rows before `documents`.
    let embedded = model
        .embed(&to_embed, progress)
        .map_err(|error| match error {
            crate::error::Error::EmbedText { path, row, problem } => {
                crate::error::Error::EmbedText {
                    path,
                    row: (first + missing[row as usize - 1] + 1) as u64,
                    problem,
                }
            }
            other => other,
        })?;
    let dims = model.dims();
    let mut rows = Array2::<f32>::zeros((texts.len(), dims));
    let mut cached = 0;
    let mut truncated = 0;
    for (i, text) in texts.iter().enumerate() {
        let mut target = rows.row_mut(i);
        let cut = match fresh.get(text.as_str()) {
            Some(&row) => {
                target.assign(&embedded.rows.row(row));
                embedded.cut[row]
            }
            None => {
                let (vector, cut) = &found[&keys[i]];
                target.assign(&ndarray::ArrayView1::from(vector.as_slice()));
                cached += 1;
                *cut
            }
        };
        truncated += usize::from(cut);
    }
    if let Some(cache) = cache {
        if !missing.is_empty() {
            let records: Vec<(cache::Key, bool, &[f32])> = missing
                .iter()
                .enumerate()
                .map(|(row, &i)| {
                    (
                        keys[i],
                        embedded.cut[row],
                        embedded
                            .rows
                            .row(row)
                            .to_slice()
                            .expect("rows of a fresh array are contiguous"),
                    )
                })
                .collect();
            if let Err(e) = cache.store(&records) {
                warnings.push(format!(
                    "{}: cannot write the vector cache ({e}); the vectors are not kept for the next run",
                    cache.dir().display()
                ));
            }
        }
    }
    Ok(Provided {
        vectors: SentenceVectors::new(rows, model.source()),
        truncated,
        limit: Some(model.max_tokens()),
        cached,
        warnings,
    })
}
