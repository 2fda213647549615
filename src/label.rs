//! Labelling: counts, TF-IDF rows and topic assignments -> [`Topics`] (distinctive terms per
//! topic by class-based TF-IDF, a short label, representative documents, per-document tags).

use std::cmp::Ordering;

use crate::cluster::Clustering;
use crate::error::{Error, Result};
use crate::reduce::Embedding;
use crate::vectorize::TfIdf;

/// Words of research-abstract boilerplate: distinctive of no topic, so never shown in a label or
/// tag, though they take part in clustering.
const BOILERPLATE: &str = "
additionally also approach approaches achieve achieved achieves based demonstrate demonstrated
demonstrates existing introduce introduced introduces method methods novel paper papers
particularly present presented presents propose proposed proposes proposing respectively result
results show showed shown shows specifically studies study typically use used uses using usually
work works
";

/// Settings for the label stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelParams {
    /// Distinctive terms listed per topic.
    pub top_terms: usize,
    /// Terms joined into a topic's short label.
    pub label_terms: usize,
    /// Terms tagged on each document.
    pub tags: usize,
    /// Documents listed as typical of each topic.
    pub representatives: usize,
}

impl Default for LabelParams {
    fn default() -> Self {
        LabelParams {
            top_terms: 10,
            label_terms: 3,
            tags: 5,
            representatives: 3,
        }
    }
}

/// One topic, described for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub id: usize,
    pub size: usize,
    pub label: String,
    /// Most distinctive first.
    pub top_terms: Vec<String>,
    /// Input positions of the documents closest to the centroid, closest first.
    pub representatives: Vec<usize>,
}

/// A document's place in the topics.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub topic: usize,
    /// Cosine similarity to the topic's centroid.
    pub score: f64,
}

/// Everything the writers need.
#[derive(Debug, Clone)]
pub struct Topics {
    pub topics: Vec<Topic>,
    /// Per input document; `None` for a document with no terms.
    pub assignments: Vec<Option<Assignment>>,
    /// Per input document, its own top terms by TF-IDF weight.
    pub tags: Vec<Vec<String>>,
}

impl LabelParams {
    pub fn check(&self) -> Result<()> {
        if self.top_terms == 0 {
            return Err(Error::setting("--top-terms", "must be at least 1"));
        }
        Ok(())
    }

    pub fn describe(
        &self,
        tfidf: &TfIdf,
        embedding: &Embedding,
        clustering: &Clustering,
    ) -> Topics {
        let documents = tfidf.weights.rows();
        let mut assignments = vec![None; documents];
        for (row, &doc) in embedding.documents.iter().enumerate() {
            assignments[doc] = Some(Assignment {
                topic: clustering.assignments[row],
                score: clustering.scores[row],
            });
        }
        let shown = shown_terms(tfidf);
        let mut weights = class_tfidf(tfidf, &assignments, clustering.sizes.len());
        for topic_weights in &mut weights {
            hide_terms(topic_weights, &shown);
        }
        let topics = weights
            .iter()
            .enumerate()
            .map(|(id, topic_weights)| {
                self.topic(id, topic_weights, clustering.sizes[id], tfidf, &assignments)
            })
            .collect();
        let labels = &tfidf.vocabulary.labels;
        let tags = (0..documents)
            .map(|doc| {
                let (cols, values) = tfidf.weights.row(doc);
                let pairs = cols
                    .iter()
                    .map(|&c| c as usize)
                    .zip(values.iter().copied())
                    .filter(|&(col, _)| shown[col]);
                top_columns(pairs, self.tags)
                    .into_iter()
                    .map(|col| labels[col].clone())
                    .collect()
            })
            .collect();
        Topics {
            topics,
            assignments,
            tags,
        }
    }

    /// One topic from its term weights: top terms, label, representatives.
    fn topic(
        &self,
        id: usize,
        weights: &[f64],
        size: usize,
        tfidf: &TfIdf,
        assignments: &[Option<Assignment>],
    ) -> Topic {
        // The label takes its own number of terms, however few `--top-terms` lists.
        let wanted = self.top_terms.max(self.label_terms);
        let mut top_terms: Vec<String> = top_columns(weights.iter().copied().enumerate(), wanted)
            .into_iter()
            .map(|col| tfidf.vocabulary.labels[col].clone())
            .collect();
        let label = top_terms[..top_terms.len().min(self.label_terms)].join(", ");
        top_terms.truncate(self.top_terms);
        Topic {
            id,
            size,
            label,
            top_terms,
            representatives: self.representatives_of(id, assignments),
        }
    }

    fn representatives_of(&self, topic: usize, assignments: &[Option<Assignment>]) -> Vec<usize> {
        let mut members: Vec<(usize, f64)> = assignments
            .iter()
            .enumerate()
            .filter_map(|(doc, a)| {
                a.as_ref()
                    .filter(|a| a.topic == topic)
                    .map(|a| (doc, a.score))
            })
            .collect();
        members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        members
            .into_iter()
            .take(self.representatives)
            .map(|(doc, _)| doc)
            .collect()
    }
}

/// Which terms may be shown: not pieces seen only inside compounds, not abstract boilerplate.
fn shown_terms(tfidf: &TfIdf) -> Vec<bool> {
    let boilerplate: Vec<&str> = BOILERPLATE.split_whitespace().collect();
    tfidf
        .vocabulary
        .labels
        .iter()
        .zip(&tfidf.vocabulary.displayable)
        .map(|(label, &displayable)| {
            displayable
                && !label
                    .split(' ')
                    .any(|word| boilerplate.contains(&word.to_lowercase().as_str()))
        })
        .collect()
}

/// Zeroes the weights of hidden terms, unless the topic has nothing else: a topic made only of
/// hidden terms is labelled by them, which says more than an empty label.
fn hide_terms(weights: &mut [f64], shown: &[bool]) {
    if !weights.iter().zip(shown).any(|(w, s)| *s && *w > 0.0) {
        return;
    }
    for (weight, _) in weights.iter_mut().zip(shown).filter(|(_, shown)| !**shown) {
        *weight = 0.0;
    }
}

/// Class-based TF-IDF: for topic c and term t,
/// `w(t, c) = tf(t, c) / |c| * ln(1 + A / f(t))`, where `tf(t, c)` sums the sublinear counts
/// (1 + ln n) of t over c's documents, `|c|` is the sum of all of c's tf, `f(t)` the sum of
/// t's tf over all topics and `A` the mean `|c|`. A term scores high when it is frequent in the
/// topic and rare elsewhere; sublinear counts keep one verbose document from naming its topic.
fn class_tfidf(tfidf: &TfIdf, assignments: &[Option<Assignment>], topics: usize) -> Vec<Vec<f64>> {
    let terms = tfidf.vocabulary.len();
    let mut tf = vec![vec![0.0f64; terms]; topics];
    for (doc, assignment) in assignments.iter().enumerate() {
        if let Some(assignment) = assignment {
            let (cols, counts) = tfidf.counts.row(doc);
            for (&col, &count) in cols.iter().zip(counts) {
                tf[assignment.topic][col as usize] += 1.0 + count.ln();
            }
        }
    }
    let mut term_total = vec![0.0f64; terms];
    for topic_tf in &tf {
        for (total, value) in term_total.iter_mut().zip(topic_tf) {
            *total += value;
        }
    }
    let topic_totals: Vec<f64> = tf.iter().map(|t| t.iter().sum()).collect();
    let average = topic_totals.iter().sum::<f64>() / topics.max(1) as f64;
    tf.into_iter()
        .zip(&topic_totals)
        .map(|(topic_tf, &total)| {
            topic_tf
                .into_iter()
                .zip(&term_total)
                .map(|(value, &all)| {
                    if value > 0.0 && total > 0.0 {
                        value / total * (1.0 + average / all).ln()
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect()
}

/// The `n` columns with the highest positive weight (ties: lower column first).
fn top_columns(weights: impl Iterator<Item = (usize, f64)>, n: usize) -> Vec<usize> {
    let mut positive: Vec<(usize, f64)> = weights.filter(|(_, w)| *w > 0.0).collect();
    let by_weight = |a: &(usize, f64), b: &(usize, f64)| -> Ordering {
        b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
    };
    if positive.len() > n {
        positive.select_nth_unstable_by(n, by_weight);
        positive.truncate(n);
    }
    positive.sort_by(by_weight);
    positive.into_iter().map(|(col, _)| col).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterParams;
    use crate::read::Document;
    use crate::reduce::ReduceParams;
    use crate::text::TextParams;
    use crate::vectorize::VectorizeParams;

    fn pipeline(texts: &[&str], k: usize) -> (TfIdf, Embedding, Clustering) {
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: i.to_string(),
                title: String::new(),
                text: t.to_string(),
            })
            .collect();
        let tokens = TextParams::default().analyze(&docs);
        let vectorize = VectorizeParams {
            min_df: 1,
            max_df: 1.0,
            ..Default::default()
        };
        let tfidf = vectorize.fit(&tokens, "t").expect("tfidf");
        let embedding = ReduceParams::default().fit(&tfidf).expect("lsa");
        let clustering = ClusterParams {
            k: Some(k),
            ..Default::default()
        }
        .fit(&embedding)
        .expect("kmeans");
        (tfidf, embedding, clustering)
    }

    #[test]
    fn distinctive_terms_name_each_topic() {
        let texts = [
            "galaxy stars telescope galaxy",
            "stars galaxy orbit telescope",
            "telescope galaxy stars",
            "protein cell gene protein",
            "gene cell protein enzyme",
            "cell gene protein",
            "",
        ];
        let (tfidf, embedding, clustering) = pipeline(&texts, 2);
        let topics = LabelParams::default().describe(&tfidf, &embedding, &clustering);
        assert_eq!(topics.topics.len(), 2);
        let astro = topics
            .topics
            .iter()
            .find(|t| t.top_terms.contains(&"galaxy".to_string()))
            .expect("astro");
        assert!(!astro.top_terms.contains(&"protein".to_string()));
        assert_eq!(astro.size, 3);
        assert_eq!(astro.representatives.len(), 3);
        assert!(astro.representatives.iter().all(|&d| d < 3));
        assert_eq!(topics.assignments[6], None);
        assert!(topics.tags[6].is_empty());
        assert_eq!(topics.tags[0][0], "galaxy");
    }

    #[test]
    fn boilerplate_never_labels_a_topic_or_tags_a_document() {
        let texts = [
            "we propose galaxy survey results",
            "results galaxy survey proposed",
            "proposed protein folding results",
            "results protein folding propose",
        ];
        let (tfidf, embedding, clustering) = pipeline(&texts, 2);
        let topics = LabelParams::default().describe(&tfidf, &embedding, &clustering);
        for topic in &topics.topics {
            assert!(
                topic
                    .top_terms
                    .iter()
                    .all(|t| t != "results" && !t.starts_with("propos")),
                "{:?}",
                topic.top_terms
            );
        }
        assert!(topics.tags.iter().flatten().all(|t| t != "results"));
    }

    #[test]
    fn a_topic_of_boilerplate_only_still_gets_a_label() {
        let texts = [
            "galaxy survey stars",
            "galaxy survey stars",
            "results proposed",
            "results proposed",
        ];
        let (tfidf, embedding, clustering) = pipeline(&texts, 2);
        let topics = LabelParams::default().describe(&tfidf, &embedding, &clustering);
        assert_eq!(topics.topics.len(), 2);
        for topic in &topics.topics {
            assert!(!topic.label.is_empty(), "{:?}", topic);
        }
    }

    #[test]
    fn top_columns_orders_by_weight_then_column() {
        let weights = [(0, 0.5), (1, 0.9), (2, 0.5), (3, 0.0), (4, 0.7)];
        assert_eq!(top_columns(weights.into_iter(), 3), [1, 4, 0]);
        assert_eq!(top_columns(weights.into_iter(), 10), [1, 4, 0, 2]);
    }

    #[test]
    fn class_tfidf_prefers_terms_rare_in_other_topics() {
        let (tfidf, embedding, clustering) = pipeline(
            &["alpha shared", "alpha shared", "beta shared", "beta shared"],
            2,
        );
        let topics = LabelParams::default().describe(&tfidf, &embedding, &clustering);
        for topic in &topics.topics {
            assert_ne!(topic.top_terms[0], "shared", "{:?}", topic.top_terms);
        }
    }
}
