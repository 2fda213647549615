//! Agreement with known labels: predicted clusters and ground-truth classes, one id of each per
//! document, in -> NMI, ARI, homogeneity, completeness, V-measure and purity out, from a
//! contingency table of the two and the entropy of each side.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

/// How well predicted clusters agree with ground-truth classes. Every score is 1.0 for a
/// perfect match, whatever the ids are called on either side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    /// Normalized mutual information, normalized by the arithmetic mean of the two entropies
    /// (which makes it equal to `v_measure`).
    pub nmi: f64,
    /// Adjusted Rand index: 0.0 for chance-level agreement, negative below chance.
    pub ari: f64,
    /// 1.0 when every cluster holds a single class.
    pub homogeneity: f64,
    /// 1.0 when every class lies in a single cluster.
    pub completeness: f64,
    /// Harmonic mean of homogeneity and completeness.
    pub v_measure: f64,
    /// Share of documents that belong to their cluster's most common class.
    pub purity: f64,
}

/// Scores `predicted` clusters against `truth` classes, given one id of each per document.
///
/// Ids need not be contiguous; only equality matters. The caller decides what documents
/// without terms (topic -1) become: an id of their own, or left out of both slices.
///
/// Edge cases, as in scikit-learn: with no documents every score is 1.0 (nothing disagrees);
/// when both sides are a single group, NMI, ARI and V-measure are 1.0; homogeneity is 1.0 when
/// the truth has a single class, completeness when the prediction has a single cluster.
///
/// # Panics
/// If the slices differ in length.
pub fn compare(predicted: &[usize], truth: &[usize]) -> Agreement {
    assert_eq!(
        predicted.len(),
        truth.len(),
        "compare needs one truth class per predicted cluster id"
    );
    if truth.is_empty() {
        return Agreement {
            nmi: 1.0,
            ari: 1.0,
            homogeneity: 1.0,
            completeness: 1.0,
            v_measure: 1.0,
            purity: 1.0,
        };
    }
    let table = Contingency::new(predicted, truth);
    let mutual_info = table.mutual_info();
    let class_entropy = entropy(&table.class_sizes);
    let cluster_entropy = entropy(&table.cluster_sizes);
    let homogeneity = if class_entropy == 0.0 {
        1.0
    } else {
        mutual_info / class_entropy
    };
    let completeness = if cluster_entropy == 0.0 {
        1.0
    } else {
        mutual_info / cluster_entropy
    };
    let v_measure = if homogeneity + completeness == 0.0 {
        0.0
    } else {
        2.0 * homogeneity * completeness / (homogeneity + completeness)
    };
    Agreement {
        nmi: table.normalized_mutual_info(mutual_info, class_entropy, cluster_entropy),
        ari: table.adjusted_rand(),
        homogeneity,
        completeness,
        v_measure,
        purity: table.purity(),
    }
}

/// Documents counted per (class, cluster). Only non-empty cells are kept: there are at most
/// clusters x classes of them, however many documents there are.
struct Contingency {
    documents: u64,
    /// Sorted by (class, cluster), so sums of floats over them run in a fixed order.
    cells: Vec<Cell>,
    class_sizes: BTreeMap<usize, u64>,
    cluster_sizes: BTreeMap<usize, u64>,
}

struct Cell {
    cluster: usize,
    count: u64,
    class_size: u64,
    cluster_size: u64,
}

impl Contingency {
    fn new(predicted: &[usize], truth: &[usize]) -> Self {
        let mut counts: FxHashMap<(usize, usize), u64> = FxHashMap::default();
        for (&class, &cluster) in truth.iter().zip(predicted) {
            *counts.entry((class, cluster)).or_insert(0) += 1;
        }
        let mut pairs: Vec<((usize, usize), u64)> = counts.into_iter().collect();
        pairs.sort_unstable();
        let mut class_sizes = BTreeMap::new();
        let mut cluster_sizes = BTreeMap::new();
        for &((class, cluster), count) in &pairs {
            *class_sizes.entry(class).or_insert(0) += count;
            *cluster_sizes.entry(cluster).or_insert(0) += count;
        }
        let cells = pairs
            .iter()
            .map(|&((class, cluster), count)| Cell {
                cluster,
                count,
                class_size: class_sizes[&class],
                cluster_size: cluster_sizes[&cluster],
            })
            .collect();
        Contingency {
            documents: truth.len() as u64,
            cells,
            class_sizes,
            cluster_sizes,
        }
    }

    /// Mutual information in nats, term by term as scikit-learn's `mutual_info_score` writes
    /// it (terms below machine epsilon dropped, the sum clipped at 0), so that "no shared
    /// information" comes out as exactly 0.0 there and here.
    fn mutual_info(&self) -> f64 {
        // A single group on either side says nothing about the other.
        if self.class_sizes.len() < 2 || self.cluster_sizes.len() < 2 {
            return 0.0;
        }
        let n = self.documents as f64;
        let ln_n = n.ln();
        let sum: f64 = self
            .cells
            .iter()
            .map(|cell| {
                let share = cell.count as f64 / n;
                let outer = (u128::from(cell.class_size) * u128::from(cell.cluster_size)) as f64;
                let term =
                    share * ((cell.count as f64).ln() - ln_n) + share * (-outer.ln() + ln_n + ln_n);
                if term.abs() < f64::EPSILON {
                    0.0
                } else {
                    term
                }
            })
            .sum();
        sum.max(0.0)
    }

    fn normalized_mutual_info(
        &self,
        mutual_info: f64,
        class_entropy: f64,
        cluster_entropy: f64,
    ) -> f64 {
        // Neither side splits the documents: they agree perfectly.
        if self.class_sizes.len() == 1 && self.cluster_sizes.len() == 1 {
            return 1.0;
        }
        // Otherwise no shared information is no agreement, whatever the entropies.
        if mutual_info == 0.0 {
            return 0.0;
        }
        mutual_info / ((class_entropy + cluster_entropy) / 2.0)
    }

    /// ARI from pair counts. The counts are of ordered pairs, as in scikit-learn's
    /// `pair_confusion_matrix`; they reach n² (1e12 for a million documents) and their products
    /// 1e24, so they are kept exact in i128 until the final division.
    fn adjusted_rand(&self) -> f64 {
        let n = i128::from(self.documents);
        let mut squares = 0i128;
        let mut by_cluster = 0i128;
        let mut by_class = 0i128;
        for cell in &self.cells {
            let count = i128::from(cell.count);
            squares += count * count;
            by_cluster += count * i128::from(cell.cluster_size);
            by_class += count * i128::from(cell.class_size);
        }
        let together_in_both = squares - n;
        let together_in_prediction_only = by_cluster - squares;
        let together_in_truth_only = by_class - squares;
        let apart_in_both = n * n - together_in_prediction_only - together_in_truth_only - squares;
        if together_in_prediction_only == 0 && together_in_truth_only == 0 {
            return 1.0;
        }
        let numerator =
            together_in_both * apart_in_both - together_in_truth_only * together_in_prediction_only;
        let denominator = (together_in_both + together_in_truth_only)
            * (together_in_truth_only + apart_in_both)
            + (together_in_both + together_in_prediction_only)
                * (together_in_prediction_only + apart_in_both);
        2.0 * numerator as f64 / denominator as f64
    }

    fn purity(&self) -> f64 {
        let mut largest_class: BTreeMap<usize, u64> = BTreeMap::new();
        for cell in &self.cells {
            let largest = largest_class.entry(cell.cluster).or_insert(0);
            *largest = (*largest).max(cell.count);
        }
        largest_class.values().sum::<u64>() as f64 / self.documents as f64
    }
}

/// Entropy in nats of a partition given its group sizes (all non-zero). Summed as
/// share * (ln size - ln n), scikit-learn's form: every term has the same sign, where
/// (n ln n - sum size ln size) / n would subtract two large, nearly equal numbers.
fn entropy(sizes: &BTreeMap<usize, u64>) -> f64 {
    if sizes.len() < 2 {
        return 0.0;
    }
    let n = sizes.values().sum::<u64>() as f64;
    let ln_n = n.ln();
    -sizes
        .values()
        .map(|&size| (size as f64 / n) * ((size as f64).ln() - ln_n))
        .sum::<f64>()
}

#[cfg(test)]
mod tests {
    //! Expected values come from scikit-learn 1.9.1 (`normalized_mutual_info_score`,
    //! `adjusted_rand_score`, `homogeneity_completeness_v_measure`), purity from its
    //! `contingency_matrix`. sklearn takes (truth, predicted); `compare` takes (predicted, truth).

    use super::super::test_support::assert_close;
    use super::*;

    fn assert_agreement(predicted: &[usize], truth: &[usize], expected: Agreement) {
        let actual = compare(predicted, truth);
        assert_close(actual.nmi, expected.nmi, "nmi");
        assert_close(actual.ari, expected.ari, "ari");
        assert_close(actual.homogeneity, expected.homogeneity, "homogeneity");
        assert_close(actual.completeness, expected.completeness, "completeness");
        assert_close(actual.v_measure, expected.v_measure, "v_measure");
        assert_close(actual.purity, expected.purity, "purity");
    }

    const PERFECT: Agreement = Agreement {
        nmi: 1.0,
        ari: 1.0,
        homogeneity: 1.0,
        completeness: 1.0,
        v_measure: 1.0,
        purity: 1.0,
    };

    #[test]
    fn agreement_matches_sklearn_on_imbalanced_clusters() {
        let truth = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3];
        let predicted = [0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 2, 2, 2, 2, 2, 0, 3, 3, 2, 2];
        let expected = Agreement {
            nmi: 0.5393150012806992,
            ari: 0.3589555522957313,
            homogeneity: 0.5326685388438213,
            completeness: 0.5461294242078538,
            v_measure: 0.5393150012806992,
            purity: 0.7,
        };
        assert_agreement(&predicted, &truth, expected);
    }

    #[test]
    fn agreement_matches_sklearn_on_a_noisy_random_clustering() {
        // numpy default_rng(7): truth drawn with class weights 0.5/0.25/0.15/0.1, predictions
        // the truth shifted by one id for 70% of documents and random otherwise.
        let truth = [
            1, 2, 2, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 1, 1, 3, 2, 1, 3, 0, 0, 1, 0, 0, 1, 0, 3, 1,
            1,
        ];
        let predicted = [
            2, 3, 3, 1, 1, 3, 1, 3, 2, 1, 1, 1, 1, 2, 2, 0, 4, 3, 2, 1, 1, 1, 2, 1, 1, 2, 0, 4, 2,
            2,
        ];
        let expected = Agreement {
            nmi: 0.6788153704437305,
            ari: 0.6300725504265328,
            homogeneity: 0.7110740242026541,
            completeness: 0.6493565955901492,
            v_measure: 0.6788153704437305,
            purity: 0.8666666666666667,
        };
        assert_agreement(&predicted, &truth, expected);
    }

    #[test]
    fn agreement_ignores_how_ids_are_spelled() {
        assert_agreement(&[2, 2, 0, 0, 1, 1, 1], &[0, 0, 1, 1, 2, 2, 2], PERFECT);
        let expected = Agreement {
            nmi: 0.3862534428571302,
            ari: 0.03669724770642202,
            homogeneity: 0.3146685210384136,
            completeness: 0.5000000000000002,
            v_measure: 0.3862534428571302,
            purity: 0.6666666666666666,
        };
        assert_agreement(&[7, 7, 3, 3, 3, 3], &[10, 10, 10, 4, 4, 99], expected);
    }

    #[test]
    fn agreement_of_a_single_predicted_cluster() {
        let expected = Agreement {
            nmi: 0.0,
            ari: 0.0,
            homogeneity: 0.0,
            completeness: 1.0,
            v_measure: 0.0,
            purity: 0.5,
        };
        assert_agreement(&[0, 0, 0, 0, 0, 0], &[0, 0, 1, 1, 1, 2], expected);
    }

    #[test]
    fn agreement_of_one_cluster_per_document() {
        let expected = Agreement {
            nmi: 0.7216162598446754,
            ari: 0.0,
            homogeneity: 0.9999999999999998,
            completeness: 0.5644754678724234,
            v_measure: 0.7216162598446754,
            purity: 1.0,
        };
        assert_agreement(&[0, 1, 2, 3, 4, 5], &[0, 0, 1, 1, 1, 2], expected);
    }

    #[test]
    fn agreement_of_a_single_truth_class() {
        let expected = Agreement {
            nmi: 0.0,
            ari: 0.0,
            homogeneity: 1.0,
            completeness: 0.0,
            v_measure: 0.0,
            purity: 1.0,
        };
        assert_agreement(&[0, 1, 1, 2], &[0, 0, 0, 0], expected);
    }

    #[test]
    fn agreement_of_independent_clusterings() {
        let expected = Agreement {
            nmi: 0.0,
            ari: -0.5,
            homogeneity: 0.0,
            completeness: 0.0,
            v_measure: 0.0,
            purity: 0.5,
        };
        assert_agreement(&[0, 1, 0, 1], &[0, 0, 1, 1], expected);
    }

    #[test]
    fn agreement_is_perfect_when_nothing_is_split_or_nothing_is_there() {
        assert_agreement(&[0, 0, 0], &[3, 3, 3], PERFECT);
        assert_eq!(compare(&[], &[]), PERFECT);
    }

    #[test]
    fn swapping_sides_swaps_homogeneity_and_completeness() {
        let (a, b) = ([0, 0, 1, 1, 1, 2, 2], [0, 1, 1, 1, 2, 2, 2]);
        let forward = compare(&a, &b);
        let backward = compare(&b, &a);
        assert_close(forward.homogeneity, backward.completeness, "homogeneity");
        assert_close(forward.nmi, backward.nmi, "nmi");
        assert_close(forward.ari, backward.ari, "ari");
    }
}
