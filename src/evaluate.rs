//! Evaluation: topics, their terms, the LSA rows and (if given) known labels -> [`Metrics`]
//! (NPMI coherence, diversity, silhouette, sizes, agreement with the labels), written as
//! `metrics.json` and summed up in one line.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::class_tfidf::{COHERENCE_TERMS, DIVERSITY_TERMS};
use crate::cluster::Clustering;
use crate::error::Result;
use crate::label::{Tagged, Topics};
use crate::metrics::{self, Agreement};
use crate::progress::{check, Progress};
use crate::reduce::Embedding;
use crate::seed::Seed;
use crate::sparse::CsrMatrix;
use crate::text::{TokenizedCorpus, BREAK};

/// Rows the silhouette is computed on, at most (a seeded sample beyond that).
const SILHOUETTE_ROWS: usize = 5000;

/// One topic's numbers.
#[derive(Debug, Clone, Serialize)]
pub struct TopicMetrics {
    pub topic: usize,
    pub size: usize,
    /// Mean NPMI of the pairs of the topic's top 10 terms; null with fewer than two terms.
    pub coherence_npmi: Option<f64>,
    pub label: String,
}

/// Agreement with known labels, over two sets of documents.
#[derive(Debug, Clone, Serialize)]
pub struct LabelAgreement {
    pub column: String,
    pub classes: usize,
    /// Documents that have terms (those the clustering saw).
    pub documents_with_terms: Agreement,
    /// Every document, those without terms counted as one cluster of their own (topic -1).
    pub all_documents: Agreement,
}

/// Everything `metrics.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub documents: usize,
    pub topics: usize,
    /// Mean of the topics' coherence (topics without a value left out).
    pub coherence_npmi: Option<f64>,
    /// Share of distinct terms among all topics' top 25.
    pub diversity: f64,
    /// Mean cosine silhouette of the LSA rows, on a seeded sample of at most 5,000.
    pub silhouette: Option<f64>,
    pub silhouette_rows: usize,
    /// Share of documents in topic -1 (no terms left after filtering).
    pub unassigned_share: f64,
    pub sizes: Vec<usize>,
    pub per_topic: Vec<TopicMetrics>,
    pub labels: Option<LabelAgreement>,
}

/// What a fit is judged on: the analysed documents, their rows, the clustering, the topics
/// described and every document's place.
#[derive(Clone, Copy)]
pub struct Judged<'a> {
    pub tokens: &'a TokenizedCorpus,
    pub embedding: &'a Embedding,
    pub clustering: &'a Clustering,
    pub topics: &'a Topics,
    pub placed: &'a [Tagged],
}

impl Metrics {
    /// Judges the fit: `seed` draws the silhouette's sample, `labels` (a column's name and each
    /// document's class id) score the topics against known classes. Stops with
    /// [`crate::Error::Cancelled`] once `progress` says so.
    pub fn evaluate(
        judged: &Judged<'_>,
        seed: Seed,
        labels: Option<(&str, &[usize])>,
        progress: &dyn Progress,
    ) -> Result<Metrics> {
        let Judged {
            tokens,
            embedding,
            clustering,
            topics,
            placed,
        } = *judged;
        let documents = placed.len();
        let term_lists: Vec<&[Vec<u32>]> = topics
            .topics
            .iter()
            .map(|t| t.top_stems.as_slice())
            .collect();
        let (presence, columns) = term_presence(tokens, &term_lists, progress);
        check(progress)?;
        let coherence_terms: Vec<Vec<u32>> = columns
            .iter()
            .map(|c| c[..c.len().min(COHERENCE_TERMS)].to_vec())
            .collect();
        let diversity_terms: Vec<Vec<u32>> = columns
            .iter()
            .map(|c| c[..c.len().min(DIVERSITY_TERMS)].to_vec())
            .collect();
        let coherence = metrics::npmi_coherence(&presence, &coherence_terms);
        check(progress)?;
        let known: Vec<f64> = coherence.iter().flatten().copied().collect();
        let per_topic = topics
            .topics
            .iter()
            .zip(&coherence)
            .map(|(topic, &npmi)| TopicMetrics {
                topic: topic.id,
                size: topic.size,
                coherence_npmi: npmi,
                label: topic.label.clone(),
            })
            .collect();
        let unassigned = placed.iter().filter(|t| t.topic.is_none()).count();
        let silhouette = metrics::silhouette_cosine(
            embedding.rows.view(),
            &clustering.assignments,
            SILHOUETTE_ROWS,
            seed.0,
        );
        check(progress)?;
        Ok(Metrics {
            documents,
            topics: topics.topics.len(),
            coherence_npmi: (!known.is_empty())
                .then(|| known.iter().sum::<f64>() / known.len() as f64),
            diversity: metrics::topic_diversity(&diversity_terms),
            silhouette,
            silhouette_rows: embedding.rows.nrows().min(SILHOUETTE_ROWS),
            unassigned_share: if documents == 0 {
                0.0
            } else {
                unassigned as f64 / documents as f64
            },
            sizes: topics.topics.iter().map(|t| t.size).collect(),
            per_topic,
            labels: labels.map(|(column, labels)| agreement(column, labels, topics, placed)),
        })
    }
}

impl Metrics {
    /// The one-line summary printed after a run.
    pub fn summary(&self) -> String {
        let number = metric_text;
        let mut line = format!(
            "metrics: coherence (NPMI) {}, diversity {:.3}, silhouette {}, topic -1 {:.1}%",
            number(self.coherence_npmi),
            self.diversity,
            number(self.silhouette),
            100.0 * self.unassigned_share
        );
        if let Some(labels) = &self.labels {
            let a = &labels.documents_with_terms;
            line.push_str(&format!(
                "; against '{}': NMI {:.3}, ARI {:.3}, purity {:.3}",
                labels.column, a.nmi, a.ari, a.purity
            ));
        }
        line
    }
}

/// A metric as people read it: three decimals, `n/a` when it has no value.
pub fn metric_text(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"))
}

/// Labels as dense class ids, numbered in order of first appearance.
pub fn class_ids(labels: &[String]) -> Vec<usize> {
    let mut ids: FxHashMap<&str, usize> = FxHashMap::default();
    labels
        .iter()
        .map(|label| {
            let next = ids.len();
            *ids.entry(label.as_str()).or_insert(next)
        })
        .collect()
}

/// Scores the topics against the labels, with and without the documents that have no terms.
fn agreement(column: &str, truth: &[usize], topics: &Topics, placed: &[Tagged]) -> LabelAgreement {
    let unassigned = topics.topics.len();
    let predicted: Vec<usize> = placed
        .iter()
        .map(|t| t.topic.unwrap_or(unassigned))
        .collect();
    let (with_terms_predicted, with_terms_truth): (Vec<usize>, Vec<usize>) = predicted
        .iter()
        .zip(truth)
        .filter(|(&p, _)| p != unassigned)
        .map(|(&p, &t)| (p, t))
        .unzip();
    LabelAgreement {
        column: column.to_string(),
        classes: truth.iter().max().map_or(0, |&c| c + 1),
        documents_with_terms: metrics::compare(&with_terms_predicted, &with_terms_truth),
        all_documents: metrics::compare(&predicted, truth),
    }
}

/// Which documents hold which of the topics' terms (words, or phrases matched word by word in
/// the text), as a documents x distinct-terms matrix of ones; and each topic's terms as
/// columns of it, in order.
/// Once `stop` says cancelled, the remaining documents get empty rows (the caller checks).
fn term_presence(
    tokens: &TokenizedCorpus,
    term_lists: &[&[Vec<u32>]],
    stop: &dyn Progress,
) -> (CsrMatrix, Vec<Vec<u32>>) {
    // Terms are keyed by up to three stems, padded with BREAK, which no term contains.
    let key = |stems: &[u32]| -> [u32; 3] {
        let mut key = [BREAK; 3];
        for (slot, &stem) in key.iter_mut().zip(stems) {
            *slot = stem;
        }
        key
    };
    let mut column_of: FxHashMap<[u32; 3], u32> = FxHashMap::default();
    let columns: Vec<Vec<u32>> = term_lists
        .iter()
        .map(|terms| {
            terms
                .iter()
                .filter(|stems| (1..=3).contains(&stems.len()))
                .map(|stems| {
                    let next = column_of.len() as u32;
                    *column_of.entry(key(stems)).or_insert(next)
                })
                .collect()
        })
        .collect();
    // A term can only start at a stem that starts some term: most positions are skipped at once.
    let mut starts = vec![false; tokens.stems.len()];
    for stems in column_of.keys() {
        starts[stems[0] as usize] = true;
    }
    let rows: Vec<Vec<(u32, f64)>> = tokens
        .documents
        .par_iter()
        .map(|doc| {
            let mut found: Vec<u32> = Vec::new();
            if stop.cancelled() {
                return Vec::new();
            }
            let mut look = |sequence: &[u32], longest: usize| {
                for start in 0..sequence.len() {
                    let first = sequence[start];
                    if first == BREAK || !starts[first as usize] {
                        continue;
                    }
                    for length in 1..=longest.min(sequence.len() - start) {
                        let stems = &sequence[start..start + length];
                        if stems.contains(&BREAK) {
                            break;
                        }
                        if let Some(&column) = column_of.get(&key(stems)) {
                            found.push(column);
                        }
                    }
                }
            };
            look(&doc.sequence, 3);
            look(&doc.pieces, 1);
            found.sort_unstable();
            found.dedup();
            found.into_iter().map(|column| (column, 1.0)).collect()
        })
        .collect();
    (CsrMatrix::from_rows(column_of.len(), rows), columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::DocumentTerms;

    fn corpus(sequences: Vec<Vec<u32>>, pieces: Vec<Vec<u32>>) -> TokenizedCorpus {
        TokenizedCorpus {
            documents: sequences
                .into_iter()
                .zip(pieces)
                .map(|(sequence, pieces)| DocumentTerms { sequence, pieces })
                .collect(),
            stems: (0..5).map(|s| s.to_string()).collect(),
            surface_forms: (0..5).map(|s| s.to_string()).collect(),
            standalone: vec![true; 5],
        }
    }

    #[test]
    fn class_ids_number_labels_by_first_appearance() {
        let labels: Vec<String> = ["b", "a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(class_ids(&labels), [0, 1, 0, 2]);
    }

    #[test]
    fn terms_and_phrases_are_found_word_by_word_within_breaks() {
        let tokens = corpus(
            vec![vec![0, 1, 2], vec![0, BREAK, 1], vec![3], vec![]],
            vec![vec![], vec![], vec![], vec![4]],
        );
        let topic_a: Vec<Vec<u32>> = vec![vec![0, 1], vec![2]];
        let topic_b: Vec<Vec<u32>> = vec![vec![0], vec![4], vec![2]];
        let (presence, columns) =
            term_presence(&tokens, &[&topic_a, &topic_b], &crate::progress::Silent);
        assert_eq!(columns, [vec![0, 1], vec![2, 3, 1]]);
        // Document 1 has 0 and 1 but not the phrase "0 1": a break parts them.
        assert_eq!(presence.row(0).0, [0, 1, 2]);
        assert_eq!(presence.row(1).0, [2]);
        assert!(presence.row(2).0.is_empty());
        assert_eq!(presence.row(3).0, [3], "compound pieces count as words");
    }
}
