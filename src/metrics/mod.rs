//! Topic-quality metrics. In: predicted clusters and ground-truth classes, the document-term
//! matrix with each topic's top terms, or embedding rows with their clusters. Out: agreement
//! scores, NPMI coherence per topic, topic diversity and the cosine silhouette.
//!
//! Where scikit-learn has a metric, its 1.9 definition and edge cases are followed, so the
//! numbers can be checked against it (the tests do, to 1e-9). Everything is pure and
//! deterministic: parallel parts add integers, or add floats in a fixed order, so results are
//! the same bits for any number of threads.

mod agreement;
mod coherence;
mod silhouette;

pub use agreement::{compare, Agreement};
pub use coherence::{npmi_coherence, pair_tables, topic_diversity, PairTable};
pub use silhouette::silhouette_cosine;

/// What the metrics' tests share: values checked against scikit-learn or numpy to 1e-9.
#[cfg(test)]
mod test_support {
    const TOLERANCE: f64 = 1e-9;

    pub(super) fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= TOLERANCE,
            "{what}: got {actual:?}, expected {expected:?}"
        );
    }
}
