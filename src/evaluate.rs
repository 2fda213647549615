//! Evaluation: topics, their terms, the LSA rows and (if given) known labels -> [`Metrics`]
//! (NPMI coherence, diversity, silhouette, sizes, agreement with the labels), written as
//! `metrics.json` and summed up in one line.

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
use crate::text::{term_presence, TokenizedCorpus};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_ids_number_labels_by_first_appearance() {
        let labels: Vec<String> = ["b", "a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(class_ids(&labels), [0, 1, 0, 2]);
    }
}
