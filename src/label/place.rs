//! Placing documents: each document's weighted term row and unit row in the centroids' space ->
//! a [`Tagged`] (topic, score, tags, best topics). The fit places its own documents with
//! [`Placer::place`] and `tag` places new ones with it, so `documents.csv` and `tag` agree by
//! construction, not by a test.

use std::num::NonZeroUsize;

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::Tagger;
use crate::cluster::Centroids;
use crate::sparse::CsrMatrix;
use crate::vectorize::Vocabulary;

/// Documents per parallel work unit: each is placed alone, so this only sets the grain.
const PLACE_CHUNK_DOCUMENTS: usize = 512;

/// One document placed in the topics.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    /// The topic's position in [`crate::TopicModel::topics`] (largest first); its id, which
    /// the output files show and which persists across refits, is
    /// [`crate::TopicModel::topic_id`]. `None` for a document with no term of the model's
    /// vocabulary.
    pub topic: Option<usize>,
    /// Cosine similarity to the topic's centroid (0 without a topic).
    pub score: f64,
    /// The document's own highest-weighted terms.
    pub tags: Vec<String>,
    /// The best topics with their cosines, best first, when asked for.
    pub top: Vec<(usize, f64)>,
    /// How much of the document the topics' directions hold, 0 to 1 (see
    /// [`crate::label::novelty`]); `None` without a topic, or for a model that cannot tag.
    pub fit: Option<f64>,
    /// The fit is below the model's novelty threshold: the document is of no topic the model
    /// knows.
    pub novel: bool,
}

/// What placing a document needs: the topics' centroids, the tagger and its vocabulary, and how
/// many best topics to list.
pub(crate) struct Placer<'a> {
    pub centroids: &'a Centroids,
    pub tagger: &'a Tagger,
    pub vocabulary: &'a Vocabulary,
    pub top: Option<NonZeroUsize>,
    /// The threshold below which a fit is novel, and for each row of the placed rows the share
    /// of its term row the LSA space holds; `None` for rows that are not in LSA space
    /// (spectral).
    pub novelty: Option<Fitness<'a>>,
}

/// What a document's fit and novelty are computed from ([`Placer::novelty`]).
#[derive(Clone, Copy)]
pub(crate) struct Fitness<'a> {
    /// Fits below this are novel.
    pub threshold: f64,
    /// Per placed row, the share of its term row the LSA space holds.
    pub captured: &'a [f64],
}

impl Placer<'_> {
    /// Every document of `terms` (its weighted term rows, one per document), placed by its row
    /// of `rows` (unit rows in the centroids' space): `row_of(doc)` is that row, `None` for a
    /// document with no terms, which gets no topic. In parallel; each document alone, so the
    /// result never depends on the others or on the number of threads.
    pub fn place(
        &self,
        terms: &CsrMatrix<f32>,
        rows: ArrayView2<'_, f64>,
        row_of: impl Fn(usize) -> Option<usize> + Sync,
    ) -> Vec<Tagged> {
        let mut placed = vec![Tagged::none(); terms.rows()];
        placed
            .par_chunks_mut(PLACE_CHUNK_DOCUMENTS)
            .enumerate()
            .for_each(|(chunk, out)| {
                for (i, slot) in out.iter_mut().enumerate() {
                    let doc = chunk * PLACE_CHUNK_DOCUMENTS + i;
                    let (cols, values) = terms.row(doc);
                    if let (false, Some(row)) = (cols.is_empty(), row_of(doc)) {
                        let fit = self.novelty.map(|n| n.captured[row].clamp(0.0, 1.0));
                        let novel = match (fit, self.novelty) {
                            (Some(fit), Some(n)) => fit < n.threshold,
                            _ => false,
                        };
                        let row = rows.row(row);
                        let (topic, score) = self.centroids.place(row);
                        *slot = Tagged {
                            fit,
                            novel,
                            topic: Some(topic),
                            score,
                            tags: self.tagger.tag(cols, values, self.vocabulary),
                            top: self
                                .top
                                .map_or_else(Vec::new, |n| self.centroids.top(row, n.get())),
                        };
                    }
                }
            });
        placed
    }
}

impl Tagged {
    /// A document with no terms: no topic, no score, no tags.
    pub fn none() -> Self {
        Tagged {
            topic: None,
            score: 0.0,
            tags: Vec::new(),
            top: Vec::new(),
            fit: None,
            novel: false,
        }
    }
}
