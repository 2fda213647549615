//! Vectorizing: stem ids per document -> a fitted [`Vectorizer`] (vocabulary chosen by
//! document-frequency limits and a feature cap, optional bigrams, idf and the BM25 mean length)
//! whose [`Vectorizer::transform`] turns any document's stem ids into a sparse weighted row. The
//! fit's own rows are made by that same transform. No dense documents x terms matrix.

mod vocabulary;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Param, Result};
use crate::progress::{check, Progress, Silent};
use crate::sparse::CsrMatrix;
use crate::text::{DocumentTerms, TokenizedCorpus, BREAK};

pub use vocabulary::{bigram, stems_of, unigram, Vocabulary};

/// Settings for the vectorize stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorizeParams {
    /// A term must occur in at least this many documents.
    pub min_df: usize,
    /// A term may occur in at most this fraction of documents.
    pub max_df: f64,
    /// Keep at most this many terms, the most frequent ones.
    pub max_terms: Option<usize>,
    /// 1: words only; 2: words and two-word phrases.
    pub ngrams: usize,
    /// Use 1 + ln(tf) instead of the raw count (TF-IDF weighting only).
    pub sublinear_tf: bool,
    pub weighting: Weighting,
}

/// How counts become the weights LSA sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Weighting {
    /// Okapi BM25 (k1 = 1.2, b = 0.75): term frequency saturates and long documents are
    /// discounted. Measured over seeds 0-2 it clusters better than TF-IDF on all four labeled
    /// corpora (see the README).
    #[default]
    Bm25,
    /// Sublinear TF-IDF with smooth idf, as scikit-learn's `TfidfVectorizer`.
    TfIdf,
}

impl std::str::FromStr for Weighting {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text.to_ascii_lowercase().as_str() {
            "bm25" => Ok(Weighting::Bm25),
            "tfidf" | "tf-idf" => Ok(Weighting::TfIdf),
            other => Err(format!("unknown weighting '{other}'; choose bm25 or tfidf")),
        }
    }
}

impl std::fmt::Display for Weighting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Weighting::Bm25 => "bm25",
            Weighting::TfIdf => "tfidf",
        })
    }
}

/// BM25's term-frequency saturation and length normalisation.
const BM25_K1: f64 = 1.2;
const BM25_B: f64 = 0.75;

impl Default for VectorizeParams {
    fn default() -> Self {
        VectorizeParams {
            min_df: 2,
            max_df: 0.5,
            max_terms: None,
            ngrams: 1,
            sublinear_tf: true,
            weighting: Weighting::default(),
        }
    }
}

/// The fit's matrices: weights (documents x terms, rows L2-normalised) and the raw counts behind
/// them, with the vocabulary keyed by the corpus' own stem ids (labels and metrics look terms up
/// in the corpus). Weights are stored in f32: LSA multiplies in f32 anyway, and at a million
/// documents every byte per entry is about 60 MB.
#[derive(Debug, Clone)]
pub struct TfIdf {
    pub weights: CsrMatrix<f32>,
    pub counts: CsrMatrix<u32>,
    pub vocabulary: Vocabulary,
}

impl TfIdf {
    /// Documents with at least one term, in input order.
    pub fn documents_with_terms(&self) -> Vec<usize> {
        (0..self.weights.rows())
            .filter(|&row| !self.weights.row(row).0.is_empty())
            .collect()
    }
}

/// What fitting the vectorizer gives.
#[derive(Debug, Clone)]
pub struct VectorizerFit {
    /// The fitted vectorizer, keyed by the stems its terms use, numbered in order of use.
    pub vectorizer: Vectorizer,
    /// The corpus' stem id of each of those stems: the fitted analyzer keeps these.
    pub used_stems: Vec<u32>,
    /// The fit's own matrices.
    pub tfidf: TfIdf,
}

/// Weighted rows and the counts behind them, one row per document.
#[derive(Debug, Clone)]
pub struct TermRows {
    pub weights: CsrMatrix<f32>,
    pub counts: CsrMatrix<u32>,
}

/// The fitted vectorizer: its vocabulary keyed by the stem ids of the fitted analyzer (only the
/// stems some term uses), each term's idf and the corpus' mean length for BM25.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vectorizer {
    weighting: Weighting,
    sublinear_tf: bool,
    ngrams: usize,
    idf: Vec<f64>,
    mean_length: f64,
    vocabulary: Vocabulary,
}

/// Documents per parallel work unit when building the matrices. Each row is computed alone, so
/// the size only sets the grain of the work, never a result.
const CHUNK_DOCUMENTS: usize = 4096;

impl VectorizeParams {
    pub fn check(&self) -> Result<()> {
        if self.min_df == 0 {
            return Err(Error::param(Param::MinDf, "must be at least 1"));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::param(
                Param::MaxDf,
                format!("{:?} is not a fraction of documents in (0, 1]", self.max_df),
            ));
        }
        if self.max_terms == Some(0) {
            return Err(Error::param(Param::MaxTerms, "must be at least 1"));
        }
        if !(1..=2).contains(&self.ngrams) {
            return Err(Error::param(Param::Ngrams, "must be 1 or 2"));
        }
        Ok(())
    }

    /// Counts terms, chooses the vocabulary, computes idf and the mean length, then weights
    /// every document with the fitted [`Vectorizer`]. Stops with [`Error::Cancelled`] once
    /// `progress` says so.
    pub fn fit(&self, corpus: &TokenizedCorpus, progress: &dyn Progress) -> Result<VectorizerFit> {
        let documents = corpus.documents.len();
        let max_doc_count = self.max_df * documents as f64;
        if (self.min_df as f64) > max_doc_count {
            return Err(Error::DocumentFrequency {
                documents,
                min_df: self.min_df,
                max_df: self.max_df,
            });
        }
        let totals = self.term_totals(corpus, progress);
        check(progress)?;
        let vocabulary =
            Vocabulary::select(&totals, corpus, self.min_df, max_doc_count, self.max_terms);
        check(progress)?;
        if vocabulary.is_empty() {
            return Err(Error::NoTerms {
                path: None,
                documents,
            });
        }
        let n = documents as f64;
        let idf: Vec<f64> = vocabulary
            .doc_freq
            .iter()
            .map(|&df| {
                let df = f64::from(df);
                match self.weighting {
                    Weighting::TfIdf => ((1.0 + n) / (1.0 + df)).ln() + 1.0,
                    Weighting::Bm25 => (1.0 + (n - df + 0.5) / (df + 0.5)).ln(),
                }
            })
            .collect();
        // BM25 discounts a document by its length (counts over the vocabulary) against the mean,
        // which is the kept terms' total count over the documents.
        let kept_total: u64 = vocabulary
            .keys
            .iter()
            .map(|&key| totals.occurrences(key))
            .sum();
        let mean_length = (kept_total as f64 / n.max(1.0)).max(1.0);
        // The fitted vectorizer knows only the stems its terms use, renumbered: a new
        // document's words map to those and nothing else.
        let (compact, used_stems, to_compact) = vocabulary.compacted(corpus.stems.len());
        let vectorizer = Vectorizer {
            weighting: self.weighting,
            sublinear_tf: self.sublinear_tf,
            ngrams: self.ngrams,
            idf,
            mean_length,
            vocabulary: compact,
        };
        let rows = vectorizer.transform_mapped(&corpus.documents, Some(&to_compact), progress);
        check(progress)?;
        let tfidf = TfIdf {
            weights: rows.weights,
            counts: rows.counts,
            vocabulary,
        };
        Ok(VectorizerFit {
            vectorizer,
            used_stems,
            tfidf,
        })
    }

    /// Every term's (document frequency, total count), counted in parallel: integer sums, so
    /// the result is the same whatever the split. Words are counted in a table indexed by stem
    /// id (every token of every document passes here, and a table is several times cheaper than
    /// a hash map); only phrases go to a map.
    /// Once `stop` says cancelled, the remaining chunks are skipped (the caller checks).
    fn term_totals(&self, corpus: &TokenizedCorpus, stop: &dyn Progress) -> TermTotals {
        let stems = corpus.stems.len();
        corpus
            .documents
            .par_chunks(CHUNK_DOCUMENTS)
            .map(|chunk| {
                let mut totals = TermTotals::new(stems);
                if stop.cancelled() {
                    return totals;
                }
                let mut counter = TermCounter::new(stems);
                for doc in chunk {
                    count_terms(self.ngrams, doc, None, &mut counter, |key, count| {
                        totals.add(key, 1, count.into());
                    });
                }
                totals
            })
            .reduce(|| TermTotals::new(stems), TermTotals::merge)
    }
}

/// One document's terms (words, compound pieces and, with bigrams, adjacent pairs), each passed
/// to `found` once with how often it occurs, in an order fixed by the document. With `map`, each
/// stem id is first translated through it ([`BREAK`]: a stem no term uses).
fn count_terms(
    ngrams: usize,
    doc: &DocumentTerms,
    map: Option<&[u32]>,
    counter: &mut TermCounter,
    mut found: impl FnMut(u64, u32),
) {
    let translate = |id: u32| match map {
        Some(map) if id != BREAK => map[id as usize],
        _ => id,
    };
    let words = doc
        .sequence
        .iter()
        .chain(&doc.pieces)
        .map(|&id| translate(id));
    if ngrams == 1 {
        // Words only: counted in a table by stem id, which is several times cheaper than
        // sorting every token of every document (this runs twice per token).
        for id in words.filter(|&id| id != BREAK) {
            let count = &mut counter.counts[id as usize];
            if *count == 0 {
                counter.seen.push(id);
            }
            *count += 1;
        }
        for &id in &counter.seen {
            let count = std::mem::take(&mut counter.counts[id as usize]);
            found(vocabulary::unigram(id), count);
        }
        counter.seen.clear();
        return;
    }
    let keys = &mut counter.keys;
    keys.clear();
    keys.extend(words.filter(|&id| id != BREAK).map(vocabulary::unigram));
    keys.extend(
        doc.sequence
            .windows(2)
            .map(|pair| (translate(pair[0]), translate(pair[1])))
            .filter(|&(first, second)| first != BREAK && second != BREAK)
            .map(|(first, second)| vocabulary::bigram(first, second)),
    );
    keys.sort_unstable();
    for run in keys.chunk_by(|a, b| a == b) {
        found(run[0], run.len() as u32);
    }
}

impl Vectorizer {
    /// The vocabulary, keyed by the fitted analyzer's stem ids.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    pub fn mean_length(&self) -> f64 {
        self.mean_length
    }

    pub fn weighting(&self) -> Weighting {
        self.weighting
    }

    /// Checks that a loaded model's arrays fit together, and rebuilds the lookup tables.
    pub(crate) fn validate(&mut self, stems: usize) -> std::result::Result<(), String> {
        if self.idf.len() != self.vocabulary.len() {
            return Err(format!(
                "{} idf values for {} terms",
                self.idf.len(),
                self.vocabulary.len()
            ));
        }
        if !(1..=2).contains(&self.ngrams) {
            return Err(format!("ngrams {} is not 1 or 2", self.ngrams));
        }
        if !(self.mean_length.is_finite() && self.mean_length > 0.0)
            || self.idf.iter().any(|v| !v.is_finite())
        {
            return Err("idf or mean length is not a finite number".into());
        }
        self.vocabulary.rebuild_index(stems)
    }

    /// Weighted rows of documents whose stem ids are the fitted analyzer's.
    pub fn transform(&self, documents: &[DocumentTerms]) -> TermRows {
        self.transform_mapped(documents, None, &Silent)
    }

    /// [`Self::transform`] of documents whose stem ids go through `map` first (the fit's own
    /// corpus, numbered by the full stem table). Rows are sized in one pass, then written in
    /// place into the final arrays by chunk in parallel: building per-chunk rows and joining
    /// them would hold the matrix twice and copy it once. Once `stop` says cancelled, the
    /// remaining chunks get empty rows (the shapes stay whole; the caller checks and drops them).
    fn transform_mapped(
        &self,
        documents: &[DocumentTerms],
        map: Option<&[u32]>,
        stop: &dyn Progress,
    ) -> TermRows {
        let stems = self.vocabulary.stem_count();
        let row_lengths: Vec<usize> = documents
            .par_chunks(CHUNK_DOCUMENTS)
            .flat_map_iter(|chunk| {
                let mut counter = TermCounter::new(stems);
                let cancelled = stop.cancelled();
                chunk
                    .iter()
                    .map(move |doc| {
                        if cancelled {
                            return 0;
                        }
                        let mut length = 0;
                        count_terms(self.ngrams, doc, map, &mut counter, |key, _| {
                            length += usize::from(self.vocabulary.column(key).is_some());
                        });
                        length
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut indptr = Vec::with_capacity(documents.len() + 1);
        indptr.push(0);
        for length in row_lengths {
            indptr.push(indptr[indptr.len() - 1] + length);
        }
        let nnz = indptr[documents.len()];
        let mut indices = vec![0u32; nnz];
        let mut weights = vec![0f32; nnz];
        let mut counts = vec![0u32; nnz];
        let mut shares = Vec::new();
        let (mut rest_indices, mut rest_weights, mut rest_counts) =
            (&mut indices[..], &mut weights[..], &mut counts[..]);
        for (i, chunk) in documents.chunks(CHUNK_DOCUMENTS).enumerate() {
            let start = i * CHUNK_DOCUMENTS;
            let size = indptr[start + chunk.len()] - indptr[start];
            let (share_indices, more_indices) = rest_indices.split_at_mut(size);
            let (share_weights, more_weights) = rest_weights.split_at_mut(size);
            let (share_counts, more_counts) = rest_counts.split_at_mut(size);
            shares.push((chunk, share_indices, share_weights, share_counts));
            (rest_indices, rest_weights, rest_counts) = (more_indices, more_weights, more_counts);
        }
        shares
            .into_par_iter()
            .for_each(|(chunk, share_indices, share_weights, share_counts)| {
                if stop.cancelled() {
                    return;
                }
                let share = RowsShare {
                    indices: share_indices,
                    weights: share_weights,
                    counts: share_counts,
                };
                self.fill_rows(chunk, map, share);
            });
        let weights = CsrMatrix::from_parts(self.vocabulary.len(), indptr, indices, weights);
        let counts = weights.with_values(counts);
        TermRows { weights, counts }
    }

    /// Writes the rows of a chunk of documents into their share of the matrix arrays: kept
    /// columns in order, L2-normalised weights and raw counts.
    fn fill_rows(&self, chunk: &[DocumentTerms], map: Option<&[u32]>, share: RowsShare<'_>) {
        let mut counter = TermCounter::new(self.vocabulary.stem_count());
        // (column, count) packed in one integer: sorting plain integers is about twice as fast
        // as sorting pairs, and this sort runs once per document.
        let mut packed: Vec<u64> = Vec::new();
        let unpack = |entry: u64| ((entry >> 32) as u32, entry as u32);
        let mut row_weights: Vec<f64> = Vec::new();
        let mut at = 0;
        for doc in chunk {
            packed.clear();
            count_terms(self.ngrams, doc, map, &mut counter, |key, count| {
                if let Some(col) = self.vocabulary.column(key) {
                    packed.push((u64::from(col) << 32) | u64::from(count));
                }
            });
            packed.sort_unstable();
            let length: u64 = packed.iter().map(|&entry| u64::from(unpack(entry).1)).sum();
            let relative_length = length as f64 / self.mean_length;
            row_weights.clear();
            row_weights.extend(packed.iter().map(|&entry| {
                let (col, count) = unpack(entry);
                let count = f64::from(count);
                let tf = match self.weighting {
                    Weighting::Bm25 => {
                        count * (BM25_K1 + 1.0)
                            / (count + BM25_K1 * (1.0 - BM25_B + BM25_B * relative_length))
                    }
                    Weighting::TfIdf if self.sublinear_tf => 1.0 + count.ln(),
                    Weighting::TfIdf => count,
                };
                tf * self.idf[col as usize]
            }));
            let norm = row_weights.iter().map(|w| w * w).sum::<f64>().sqrt();
            let norm = if norm > 0.0 { norm } else { 1.0 };
            for (i, (&entry, &weight)) in packed.iter().zip(&row_weights).enumerate() {
                let (col, count) = unpack(entry);
                share.indices[at + i] = col;
                share.weights[at + i] = (weight / norm) as f32;
                share.counts[at + i] = count;
            }
            at += packed.len();
        }
        debug_assert_eq!(at, share.indices.len(), "row lengths and rows disagree");
    }
}

/// One chunk's part of the matrix arrays, filled in place.
struct RowsShare<'a> {
    indices: &'a mut [u32],
    weights: &'a mut [f32],
    counts: &'a mut [u32],
}

/// Scratch space for counting one document's terms at a time.
struct TermCounter {
    /// Occurrences of each stem id in the current document; zero again after each document.
    counts: Vec<u32>,
    /// Stem ids of the current document, in order of first occurrence.
    seen: Vec<u32>,
    /// Term keys of the current document, when phrases are counted too.
    keys: Vec<u64>,
}

impl TermCounter {
    fn new(stems: usize) -> Self {
        TermCounter {
            counts: vec![0; stems],
            seen: Vec::new(),
            keys: Vec::new(),
        }
    }
}

/// Document frequency and total count of every term seen, before the vocabulary is chosen.
pub struct TermTotals {
    /// (documents, occurrences) of each word, by stem id.
    words: Vec<(u32, u64)>,
    /// The same for each two-word phrase key.
    phrases: FxHashMap<u64, (u32, u64)>,
}

impl TermTotals {
    fn new(stems: usize) -> Self {
        TermTotals {
            words: vec![(0, 0); stems],
            phrases: FxHashMap::default(),
        }
    }

    fn add(&mut self, key: u64, documents: u32, occurrences: u64) {
        let entry = match vocabulary::stems_of(key) {
            (None, word) => &mut self.words[word as usize],
            (Some(_), _) => self.phrases.entry(key).or_default(),
        };
        entry.0 += documents;
        entry.1 += occurrences;
    }

    fn merge(mut self, other: TermTotals) -> TermTotals {
        for (mine, theirs) in self.words.iter_mut().zip(&other.words) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        for (key, (documents, occurrences)) in other.phrases {
            self.add(key, documents, occurrences);
        }
        self
    }

    /// Every term seen at least once: (key, document frequency, total count), in no set order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32, u64)> + '_ {
        let words = self
            .words
            .iter()
            .enumerate()
            .filter(|(_, &(documents, _))| documents > 0)
            .map(|(stem, &(documents, occurrences))| {
                (vocabulary::unigram(stem as u32), documents, occurrences)
            });
        let phrases = self
            .phrases
            .iter()
            .map(|(&key, &(documents, occurrences))| (key, documents, occurrences));
        words.chain(phrases)
    }

    /// The total count of one term.
    fn occurrences(&self, key: u64) -> u64 {
        match vocabulary::stems_of(key) {
            (None, word) => self.words.get(word as usize).map_or(0, |entry| entry.1),
            (Some(_), _) => self.phrases.get(&key).map_or(0, |entry| entry.1),
        }
    }
}

/// Sorts `keys` and returns each distinct key with its number of occurrences.
pub(crate) fn run_lengths<K: Ord + Copy>(keys: &mut [K]) -> Vec<(K, u32)> {
    keys.sort_unstable();
    keys.chunk_by(|a, b| a == b)
        .map(|run| (run[0], run.len() as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Document;
    use crate::text::TextParams;

    fn corpus(texts: &[&str]) -> TokenizedCorpus {
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: i.to_string(),
                title: String::new(),
                text: t.to_string(),
            })
            .collect();
        TextParams::default().analyze(&docs)
    }

    #[test]
    fn bm25_saturates_counts_and_discounts_long_documents() {
        let corpus = corpus(&[
            "apple apple banana",
            "banana cherry",
            "cherry apple",
            "durian",
        ]);
        let params = VectorizeParams {
            min_df: 1,
            max_df: 1.0,
            ..Default::default()
        };
        let tfidf = params.fit(&corpus, &Silent).expect("fit").tfidf;
        let vectorizer = params.fit(&corpus, &Silent).expect("fit").vectorizer;
        let n = 4.0f64;
        let idf = |df: f64| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        // Lengths 3, 2, 2, 1: mean 2. Document 0: apple twice, banana once, length ratio 1.5.
        let norm = 1.2 * (1.0 - 0.75 + 0.75 * 1.5);
        let apple = 2.0 * 2.2 / (2.0 + norm) * idf(2.0);
        let banana = 2.2 / (1.0 + norm) * idf(2.0);
        let length = (apple * apple + banana * banana).sqrt();
        let column = |word: &str| {
            tfidf
                .vocabulary
                .labels
                .iter()
                .position(|l| l == word)
                .expect("column") as u32
        };
        let (cols, values) = tfidf.weights.row(0);
        let weight = |c: u32| f64::from(values[cols.iter().position(|&x| x == c).expect("in row")]);
        // Weights are stored in f32: seven digits.
        assert!((weight(column("apple")) - apple / length).abs() < 1e-7);
        assert!((weight(column("banana")) - banana / length).abs() < 1e-7);
        assert!((vectorizer.idf()[column("durian") as usize] - idf(1.0)).abs() < 1e-12);
    }

    #[test]
    fn tfidf_matches_smooth_idf_sublinear_l2() {
        // Checked by hand against scikit-learn's TfidfVectorizer(sublinear_tf=True).
        let corpus = corpus(&[
            "apple apple banana",
            "banana cherry",
            "cherry apple",
            "durian",
        ]);
        let params = VectorizeParams {
            min_df: 1,
            max_df: 1.0,
            weighting: Weighting::TfIdf,
            ..Default::default()
        };
        let tfidf = params.fit(&corpus, &Silent).expect("fit").tfidf;
        let names: Vec<&str> = tfidf.vocabulary.labels.iter().map(String::as_str).collect();
        assert_eq!(names, ["apple", "banana", "cherry", "durian"]);
        let idf_df2 = (5.0f64 / 3.0).ln() + 1.0;
        let a = (1.0 + 2f64.ln()) * idf_df2;
        let b = idf_df2;
        let norm = (a * a + b * b).sqrt();
        let (cols, values) = tfidf.weights.row(0);
        assert_eq!(cols, [0, 1]);
        assert!((f64::from(values[0]) - a / norm).abs() < 1e-7);
        assert!((f64::from(values[1]) - b / norm).abs() < 1e-7);
        assert_eq!(tfidf.counts.row(0).1, [2, 1]);
        assert_eq!(tfidf.weights.row(3).1, [1.0]);
    }

    #[test]
    fn document_frequency_limits_and_cap() {
        let corpus = corpus(&["common rare", "common pair", "common pair", "unique"]);
        let params = VectorizeParams {
            min_df: 2,
            max_df: 0.7,
            ..Default::default()
        };
        let tfidf = params.fit(&corpus, &Silent).expect("fit").tfidf;
        assert_eq!(tfidf.vocabulary.labels, ["pair"]);
        assert_eq!(tfidf.documents_with_terms(), [1, 2]);
    }

    #[test]
    fn bigrams_do_not_cross_breaks() {
        let corpus = corpus(&[
            "neural network training. network training",
            "neural network",
        ]);
        let params = VectorizeParams {
            min_df: 1,
            max_df: 1.0,
            ngrams: 2,
            ..Default::default()
        };
        let tfidf = params.fit(&corpus, &Silent).expect("fit").tfidf;
        let labels = &tfidf.vocabulary.labels;
        assert!(labels.contains(&"neural network".to_string()), "{labels:?}");
        assert!(
            labels.contains(&"network training".to_string()),
            "{labels:?}"
        );
        assert!(
            !labels.contains(&"training network".to_string()),
            "{labels:?}"
        );
    }

    #[test]
    fn max_terms_keeps_the_most_frequent() {
        let corpus = corpus(&["alpha alpha beta", "alpha gamma", "beta"]);
        let params = VectorizeParams {
            min_df: 1,
            max_df: 1.0,
            max_terms: Some(2),
            ..Default::default()
        };
        let tfidf = params.fit(&corpus, &Silent).expect("fit").tfidf;
        assert_eq!(tfidf.vocabulary.labels, ["alpha", "beta"]);
    }

    #[test]
    fn nonsense_settings_are_rejected() {
        let bad = VectorizeParams {
            max_df: 3.0,
            ..Default::default()
        };
        assert!(bad
            .check()
            .expect_err("max_df")
            .to_string()
            .contains("max_df"));
        let empty = corpus(&["alpha", "beta", "gamma", "delta"]);
        let error = VectorizeParams::default()
            .fit(&empty, &Silent)
            .expect_err("no terms");
        assert!(matches!(error, Error::NoTerms { .. }));
    }
}
