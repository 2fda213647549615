//! Class-based TF-IDF: each topic's documents' term counts -> how distinctive each term is of
//! each topic. Shared by the labels (what a topic is called), the k sweep (coherence of each
//! k's topics) and the metrics, so all three judge topics by the same terms.

use crate::sparse::CsrMatrix;

/// Top terms per topic whose pairwise NPMI makes the topic's coherence.
pub const COHERENCE_TERMS: usize = 10;
/// Top terms per topic pooled for diversity.
pub const DIVERSITY_TERMS: usize = 25;

/// Each topic's term weights for [`class_scores`]: the sublinear counts (1 + ln n) of each term
/// summed over the topic's documents. `topic_of` gives each row's topic (`None`: no topic).
pub fn topic_tf(
    counts: &CsrMatrix<u32>,
    topic_of: impl Iterator<Item = Option<usize>>,
    topics: usize,
) -> Vec<Vec<f64>> {
    let mut tf = vec![vec![0.0f64; counts.cols()]; topics];
    for (row, topic) in topic_of.enumerate() {
        if let Some(topic) = topic {
            let (cols, values) = counts.row(row);
            for (&col, &count) in cols.iter().zip(values) {
                tf[topic][col as usize] += 1.0 + f64::from(count).ln();
            }
        }
    }
    tf
}

/// Class-based TF-IDF of every term of every topic from the topics' summed sublinear counts
/// (`tf[topic][term]`), with each topic's total and the mean total (see [`ClassWeights`]).
pub fn class_scores(tf: &[Vec<f64>]) -> (Vec<Vec<f64>>, Vec<f64>, f64) {
    let terms = tf.first().map_or(0, Vec::len);
    let mut term_total = vec![0.0f64; terms];
    for topic_tf in tf {
        for (total, value) in term_total.iter_mut().zip(topic_tf) {
            *total += value;
        }
    }
    let topic_totals: Vec<f64> = tf.iter().map(|t| t.iter().sum()).collect();
    let average = topic_totals.iter().sum::<f64>() / tf.len().max(1) as f64;
    let scores = tf
        .iter()
        .zip(&topic_totals)
        .map(|(topic_tf, &total)| {
            topic_tf
                .iter()
                .zip(&term_total)
                .map(|(&value, &all)| class_weight(value, total, all, average))
                .collect()
        })
        .collect();
    (scores, topic_totals, average)
}

pub fn class_weight(value: f64, topic_total: f64, all: f64, average: f64) -> f64 {
    if value > 0.0 && topic_total > 0.0 {
        value / topic_total * (1.0 + average / all).ln()
    } else {
        0.0
    }
}
