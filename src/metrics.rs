//! Topic-quality metrics. In: predicted clusters and ground-truth classes, the document-term
//! matrix with each topic's top terms, or embedding rows with their clusters. Out: agreement
//! scores, NPMI coherence per topic, topic diversity and the cosine silhouette.
//!
//! Where scikit-learn has a metric, its 1.9 definition and edge cases are followed, so the
//! numbers can be checked against it (the tests do, to 1e-9). Everything is pure and
//! deterministic: parallel parts add integers, or add floats in a fixed order, so results are
//! the same bits for any number of threads.

use std::collections::BTreeMap;

use ndarray::{s, Array2, ArrayView1, ArrayView2, Axis};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::vectorize::CsrMatrix;

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

/// Coherence of each topic: the mean NPMI over all pairs of its top terms (column ids of
/// `documents`), counting co-occurrence in the documents themselves. A document holds a term
/// when its row has that column with a non-zero value.
///
/// NPMI(a, b) = ln(p(a, b) / (p(a) p(b))) / -ln p(a, b), with p the share of documents holding
/// the term(s). It runs from -1 to 1; two conventions cover the cases where it is 0/0 or
/// infinite: a pair that never occurs together scores -1, a pair present in every document 1.
/// A term id outside the matrix is in no document.
///
/// A topic with fewer than two terms has no pairs, and with no documents nothing co-occurs:
/// both give `None` rather than a NaN that JSON cannot hold.
pub fn npmi_coherence<V: Copy + Into<f64> + Sync>(
    documents: &CsrMatrix<V>,
    top_terms: &[Vec<u32>],
) -> Vec<Option<f64>> {
    let counts = CoOccurrence::count(documents, top_terms);
    (0..top_terms.len())
        .map(|topic| counts.coherence(topic))
        .collect()
}

/// For each topic with m top terms, an m x m table of how many documents hold both terms of
/// each pair; its diagonal is each term's document frequency.
struct CoOccurrence {
    documents: u64,
    /// Topic t's table is `counts[offsets[t]..offsets[t + 1]]`, row-major; being square, its
    /// side is the integer square root of its length.
    offsets: Vec<usize>,
    counts: Vec<u64>,
}

impl CoOccurrence {
    /// One pass over the rows. Each rayon task counts into its own tables and the tables are
    /// added up; integer sums do not depend on how the rows were split.
    fn count<V: Copy + Into<f64> + Sync>(documents: &CsrMatrix<V>, top_terms: &[Vec<u32>]) -> Self {
        let slots = TermSlots::new(documents.cols(), top_terms);
        let mut offsets = vec![0];
        for terms in top_terms {
            offsets.push(offsets[offsets.len() - 1] + terms.len() * terms.len());
        }
        let size = offsets[offsets.len() - 1];
        let counts = (0..documents.rows())
            .into_par_iter()
            .with_min_len(1024)
            .fold(
                || (vec![0u64; size], RowHits::new(top_terms.len())),
                |(mut counts, mut hits), row| {
                    count_row(documents.row(row), &slots, &offsets, &mut hits, &mut counts);
                    (counts, hits)
                },
            )
            .map(|(counts, _)| counts)
            .reduce(
                || vec![0u64; size],
                |mut total, part| {
                    for (sum, count) in total.iter_mut().zip(part) {
                        *sum += count;
                    }
                    total
                },
            );
        CoOccurrence {
            documents: documents.rows() as u64,
            offsets,
            counts,
        }
    }

    fn coherence(&self, topic: usize) -> Option<f64> {
        let table = &self.counts[self.offsets[topic]..self.offsets[topic + 1]];
        let terms = table.len().isqrt();
        if terms < 2 || self.documents == 0 {
            return None;
        }
        let mut total = 0.0;
        for a in 0..terms {
            for b in a + 1..terms {
                let (df_a, df_b) = (table[a * terms + a], table[b * terms + b]);
                total += npmi(df_a, df_b, table[a * terms + b], self.documents);
            }
        }
        Some(total / (terms * (terms - 1) / 2) as f64)
    }
}

/// Adds one document to the co-occurrence tables.
fn count_row<V: Copy + Into<f64>>(
    (columns, values): (&[u32], &[V]),
    slots: &TermSlots,
    offsets: &[usize],
    hits: &mut RowHits,
    counts: &mut [u64],
) {
    let RowHits { positions, topics } = hits;
    let mut previous = None;
    for (&column, &value) in columns.iter().zip(values) {
        // Rows are sorted by column: skipping a repeat keeps a column stored twice from
        // counting twice.
        if value.into() == 0.0 || previous == Some(column) {
            continue;
        }
        previous = Some(column);
        for &(topic, position) in slots.of(column) {
            if positions[topic].is_empty() {
                topics.push(topic);
            }
            positions[topic].push(position);
        }
    }
    for topic in topics.drain(..) {
        let table = &mut counts[offsets[topic]..offsets[topic + 1]];
        let terms = table.len().isqrt();
        for &a in &positions[topic] {
            for &b in &positions[topic] {
                table[a * terms + b] += 1;
            }
        }
        positions[topic].clear();
    }
}

/// Scratch space for one row, reused across rows so the hot loop does not allocate: the
/// positions of each topic's terms the row holds, and the topics it touches.
struct RowHits {
    positions: Vec<Vec<usize>>,
    topics: Vec<usize>,
}

impl RowHits {
    fn new(topics: usize) -> Self {
        RowHits {
            positions: vec![Vec::new(); topics],
            topics: Vec::new(),
        }
    }
}

/// Where each column appears among the topics' top terms, as (topic, position) slots: a lookup
/// by column index in the hot loop instead of a hash per stored value.
struct TermSlots {
    /// Column c's slots are `slots[starts[c]..starts[c + 1]]`.
    starts: Vec<usize>,
    slots: Vec<(usize, usize)>,
}

impl TermSlots {
    fn new(columns: usize, top_terms: &[Vec<u32>]) -> Self {
        let mut entries: Vec<(u32, usize, usize)> = top_terms
            .iter()
            .enumerate()
            .flat_map(|(topic, terms)| {
                terms
                    .iter()
                    .enumerate()
                    .map(move |(position, &term)| (term, topic, position))
            })
            // A term outside the matrix is in no document; it keeps a zero count.
            .filter(|&(term, _, _)| (term as usize) < columns)
            .collect();
        entries.sort_unstable();
        let mut starts = vec![0; columns + 1];
        for &(term, _, _) in &entries {
            starts[term as usize + 1] += 1;
        }
        for column in 0..columns {
            starts[column + 1] += starts[column];
        }
        let slots = entries
            .into_iter()
            .map(|(_, topic, position)| (topic, position))
            .collect();
        TermSlots { starts, slots }
    }

    fn of(&self, column: u32) -> &[(usize, usize)] {
        let column = column as usize;
        match (self.starts.get(column), self.starts.get(column + 1)) {
            (Some(&start), Some(&end)) => &self.slots[start..end],
            _ => &[],
        }
    }
}

/// NPMI of two terms from document counts: `df_a` and `df_b` documents hold each term, `df_both`
/// hold both, out of `documents`.
fn npmi(df_a: u64, df_b: u64, df_both: u64, documents: u64) -> f64 {
    // Never together: -1 is NPMI's limit as p(a, b) goes to 0.
    if df_both == 0 {
        return -1.0;
    }
    // Both in every document: 0/0, taken as the perfect association it is.
    if df_both == documents {
        return 1.0;
    }
    // p(a, b) / (p(a) p(b)) = df_both n / (df_a df_b): the products are exact integers, so the
    // ratio is rounded once.
    let independent = (u128::from(df_a) * u128::from(df_b)) as f64;
    let joint = (u128::from(df_both) * u128::from(documents)) as f64;
    let pmi = (joint / independent).ln();
    let surprise = (documents as f64 / df_both as f64).ln();
    pmi / surprise
}

/// Share of distinct terms among all topics' top terms (the caller passes the same number per
/// topic, conventionally 25): 1.0 when no term is shared, 1/k when k topics list the same terms.
/// With no terms at all there is no diversity to speak of: 0.0.
pub fn topic_diversity(top_terms: &[Vec<u32>]) -> f64 {
    let mut terms: Vec<u32> = top_terms.iter().flatten().copied().collect();
    if terms.is_empty() {
        return 0.0;
    }
    let total = terms.len();
    terms.sort_unstable();
    terms.dedup();
    terms.len() as f64 / total as f64
}

/// Similarities held at once per block of rows (8 MiB of f64), whatever the row count.
const BLOCK_SIMILARITIES: usize = 1 << 20;

/// Mean silhouette of `rows` grouped by `labels`, with cosine distance (1 - cos), as
/// scikit-learn's `silhouette_score(rows, labels, metric="cosine")`.
///
/// With more than `max_rows` rows, it is the silhouette of `max_rows` of them drawn uniformly
/// (seeded by `seed`), computed within that sample only, as scikit-learn's `sample_size` does.
///
/// Conventions, as in scikit-learn: a row alone in its cluster scores 0; a zero row is at
/// distance 1 from every other row. `None` where scikit-learn raises: fewer than two clusters,
/// or as many clusters as rows (in the sample, if one is drawn).
///
/// # Panics
/// If there is not one label per row.
pub fn silhouette_cosine(
    rows: ArrayView2<'_, f64>,
    labels: &[usize],
    max_rows: usize,
    seed: u64,
) -> Option<f64> {
    assert_eq!(
        rows.nrows(),
        labels.len(),
        "silhouette_cosine needs one label per row"
    );
    if rows.nrows() <= max_rows {
        return silhouette(rows, labels);
    }
    let picked = sample_rows(rows.nrows(), max_rows, seed);
    let picked_labels: Vec<usize> = picked.iter().map(|&row| labels[row]).collect();
    silhouette(rows.select(Axis(0), &picked).view(), &picked_labels)
}

/// `max_rows` distinct row indices out of `rows`, drawn uniformly, in increasing order (the
/// order the sampler draws them in is its own business, not the sample's).
fn sample_rows(rows: usize, max_rows: usize, seed: u64) -> Vec<usize> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut picked = rand::seq::index::sample(&mut rng, rows, max_rows).into_vec();
    picked.sort_unstable();
    picked
}

/// The exact silhouette over all `rows`. Similarities come from a Gram matrix of unit rows,
/// a block of rows at a time so memory stays bounded; blocks are fixed by the row count alone
/// and each row's distances are summed in column order, so threads do not change the result.
fn silhouette(rows: ArrayView2<'_, f64>, labels: &[usize]) -> Option<f64> {
    let (clusters, sizes) = dense_clusters(labels);
    let count = rows.nrows();
    if sizes.len() < 2 || sizes.len() >= count {
        return None;
    }
    let unit = unit_rows(rows);
    let block = (BLOCK_SIMILARITIES / count).clamp(1, count);
    let starts: Vec<usize> = (0..count).step_by(block).collect();
    let scores: Vec<f64> = starts
        .par_iter()
        .flat_map_iter(|&start| {
            let end = (start + block).min(count);
            let similarities = unit.slice(s![start..end, ..]).dot(&unit.t());
            let mut distance_sums = vec![0.0; sizes.len()];
            (start..end)
                .zip(similarities.rows())
                .map(|(row, similarities)| {
                    row_silhouette(row, similarities, &clusters, &sizes, &mut distance_sums)
                })
                .collect::<Vec<f64>>()
        })
        .collect();
    Some(scores.iter().sum::<f64>() / count as f64)
}

/// One row's silhouette, (b - a) / max(a, b): a is its mean distance to the rest of its
/// cluster, b its mean distance to the nearest other cluster. `distance_sums` is scratch space.
fn row_silhouette(
    row: usize,
    similarities: ArrayView1<'_, f64>,
    clusters: &[usize],
    sizes: &[usize],
    distance_sums: &mut [f64],
) -> f64 {
    distance_sums.fill(0.0);
    for (other, (&similarity, &cluster)) in similarities.iter().zip(clusters).enumerate() {
        // A row is at distance 0 from itself by definition, whatever rounding makes of 1 - cos;
        // the clamp keeps rounding from producing a distance outside [0, 2].
        if other != row {
            distance_sums[cluster] += (1.0 - similarity).clamp(0.0, 2.0);
        }
    }
    let own = clusters[row];
    if sizes[own] == 1 {
        return 0.0;
    }
    let within = distance_sums[own] / (sizes[own] - 1) as f64;
    let nearest = distance_sums
        .iter()
        .zip(sizes)
        .enumerate()
        .filter(|&(cluster, _)| cluster != own)
        .map(|(_, (&sum, &size))| sum / size as f64)
        .fold(f64::INFINITY, f64::min);
    let larger = within.max(nearest);
    // All rows alike: no separation either way.
    if larger == 0.0 {
        0.0
    } else {
        (nearest - within) / larger
    }
}

/// Labels renumbered 0.. in increasing label order, with the size of each cluster.
fn dense_clusters(labels: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_unstable_by_key(|&row| labels[row]);
    let mut clusters = vec![0; labels.len()];
    let mut sizes: Vec<usize> = Vec::new();
    let mut previous = None;
    for row in order {
        if previous != Some(labels[row]) {
            sizes.push(0);
            previous = Some(labels[row]);
        }
        let cluster = sizes.len() - 1;
        clusters[row] = cluster;
        sizes[cluster] += 1;
    }
    (clusters, sizes)
}

/// Copies of the rows scaled to unit length. A zero row stays zero, so its cosine similarity
/// with every row is 0, as scikit-learn's `normalize` leaves it.
fn unit_rows(rows: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut unit = rows.to_owned();
    for mut row in unit.rows_mut() {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|value| value / norm);
        }
    }
    unit
}

#[cfg(test)]
mod tests {
    //! Expected values come from scikit-learn 1.9.1 (`normalized_mutual_info_score`,
    //! `adjusted_rand_score`, `homogeneity_completeness_v_measure`, `silhouette_score` with
    //! `metric="cosine"`), purity from its `contingency_matrix`, and NPMI from the definition in
    //! numpy. sklearn takes (truth, predicted); `compare` takes (predicted, truth).

    use super::*;
    use ndarray::{array, Array2};

    const TOLERANCE: f64 = 1e-9;

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= TOLERANCE,
            "{what}: got {actual:?}, expected {expected:?}"
        );
    }

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

    /// Eight documents over six terms, stored with tf-idf-like weights. Document 7 stores term 0
    /// with weight 0, which must not count as holding it. Term 4 is in every document.
    fn corpus() -> CsrMatrix {
        CsrMatrix::from_rows(
            6,
            vec![
                vec![(0, 0.5), (1, 1.0), (3, 2.0), (4, 0.1)],
                vec![(0, 1.0), (1, 0.3), (2, 0.7), (4, 0.1)],
                vec![(0, 0.2), (2, 1.5), (4, 0.1)],
                vec![(1, 0.9), (2, 0.4), (4, 0.1)],
                vec![(0, 0.6), (1, 0.6), (4, 0.1), (5, 3.0)],
                vec![(3, 1.1), (4, 0.1), (5, 0.8)],
                vec![(0, 0.4), (1, 0.4), (2, 0.4), (4, 0.1)],
                vec![(0, 0.0), (3, 1.0), (4, 0.1)],
            ],
        )
    }

    #[test]
    fn npmi_matches_the_definition() {
        let topics = vec![vec![0, 1, 2], vec![3, 5, 4], vec![0, 1, 2, 3, 4, 5]];
        let coherence = npmi_coherence(&corpus(), &topics);
        let expected = [
            0.24263801225464343,
            0.0461152776976493,
            -0.13019683936491394,
        ];
        for (topic, (actual, expected)) in coherence.iter().zip(expected).enumerate() {
            let actual = actual.expect("topics with several terms have a coherence");
            assert_close(actual, expected, &format!("topic {topic}"));
        }
    }

    #[test]
    fn npmi_conventions() {
        let topics = vec![
            vec![2, 3], // never together
            vec![4, 4], // together in every document
            vec![2, 9], // 9 is outside the vocabulary
            vec![1],
            vec![],
        ];
        let coherence = npmi_coherence(&corpus(), &topics);
        assert_eq!(
            coherence,
            vec![Some(-1.0), Some(1.0), Some(-1.0), None, None]
        );

        let no_documents = CsrMatrix::<f64>::from_rows(6, vec![]);
        assert_eq!(npmi_coherence(&no_documents, &[vec![0, 1]]), vec![None]);
    }

    #[test]
    fn npmi_is_the_same_for_any_thread_count() {
        // Enough rows that the parallel pass splits them.
        let rows: Vec<Vec<(u32, f64)>> = (0..20_000u32)
            .map(|doc| {
                (0..40u32)
                    .filter(|term| (doc * 7 + term * term) % (term + 3) == 0)
                    .map(|term| (term, 1.0))
                    .collect()
            })
            .collect();
        let documents = CsrMatrix::from_rows(40, rows);
        let topics: Vec<Vec<u32>> = (0..4).map(|t| (t * 5..t * 5 + 10).collect()).collect();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
                .install(|| npmi_coherence(&documents, &topics))
        };
        assert_eq!(on(1), on(2));
        assert_eq!(on(1), on(3));
    }

    #[test]
    fn diversity_is_the_share_of_distinct_terms() {
        assert_eq!(topic_diversity(&[vec![1, 2, 3], vec![3, 4, 5]]), 5.0 / 6.0);
        assert_eq!(topic_diversity(&[vec![1, 2], vec![1, 2]]), 0.5);
        assert_eq!(topic_diversity(&[vec![7]]), 1.0);
        assert_eq!(topic_diversity(&[]), 0.0);
        assert_eq!(topic_diversity(&[vec![], vec![]]), 0.0);
    }

    #[test]
    fn silhouette_matches_sklearn_with_a_zero_row_and_a_singleton() {
        let rows = array![
            [1.0, 0.1, 0.0],
            [0.9, 0.2, 0.1],
            [2.0, 0.0, 0.3],
            [1.1, -0.1, 0.0],
            [0.0, 1.0, 0.2],
            [0.1, 2.0, 0.0],
            [-0.2, 0.8, 0.1],
            [0.0, 0.1, 1.0],
            [0.3, 0.0, 3.0],
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [-1.0, -1.0, 0.2],
        ];
        let labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 3];
        let score = silhouette_cosine(rows.view(), &labels, usize::MAX, 0);
        assert_close(score.expect("4 clusters"), 0.5694961270541997, "silhouette");
    }

    /// 30 points in 4 dimensions (numpy default_rng(7) normals, rounded), labelled 0, 2 and 5 at
    /// random with row 17 alone under 9.
    fn scattered() -> (Array2<f64>, Vec<usize>) {
        let rows = array![
            [1.26, 0.69, -0.33, -0.37],
            [-0.25, 1.52, -0.43, -0.3],
            [0.35, -0.12, -0.2, -1.11],
            [-0.01, -0.44, 1.17, 0.65],
            [-0.02, 0.67, -0.34, 1.05],
            [-0.01, 0.58, -1.29, 0.35],
            [-1.69, -2.04, -0.3, -0.9],
            [0.16, 2.24, -0.83, -0.62],
            [0.21, 0.49, -0.18, -0.21],
            [0.7, 0.52, -1.03, -0.08],
            [0.04, -1.05, 0.26, -0.86],
            [0.97, 0.19, 0.09, -0.59],
            [-0.12, -2.0, -1.13, 0.36],
            [-2.13, 0.85, -1.75, 0.76],
            [-0.85, 0.78, 0.13, -1.54],
            [1.25, 1.44, -0.07, -0.27],
            [-0.16, -0.98, 1.1, -0.54],
            [-0.05, -0.79, -0.63, -1.28],
            [1.26, -0.15, 0.97, 0.01],
            [-0.69, -0.33, -0.56, 0.01],
            [-0.38, -0.3, -1.38, -0.81],
            [1.65, -0.67, -1.05, 0.34],
            [1.41, -1.45, -0.21, -0.63],
            [-1.76, 0.73, -0.02, 0.07],
            [-0.75, 0.45, -0.54, -0.14],
            [-1.11, -1.22, 1.34, -0.51],
            [0.29, -0.03, -0.44, -0.51],
            [0.63, -0.3, -0.15, 0.02],
            [1.18, 0.68, 0.38, -0.56],
            [-1.38, 0.95, 0.97, -0.14],
        ];
        let labels = vec![
            2, 0, 2, 5, 5, 2, 2, 5, 2, 2, 0, 2, 0, 0, 5, 2, 2, 9, 0, 5, 2, 5, 5, 5, 0, 0, 2, 2, 5,
            0,
        ];
        (rows, labels)
    }

    #[test]
    fn silhouette_matches_sklearn_on_scattered_points() {
        let (rows, labels) = scattered();
        let score = silhouette_cosine(rows.view(), &labels, 30, 0);
        assert_close(
            score.expect("4 clusters"),
            -0.24038078053994244,
            "silhouette",
        );
    }

    #[test]
    fn silhouette_of_identical_rows_is_zero() {
        let rows = Array2::ones((4, 2));
        assert_eq!(
            silhouette_cosine(rows.view(), &[0, 0, 1, 1], 10, 0),
            Some(0.0)
        );
    }

    #[test]
    fn silhouette_is_undefined_where_sklearn_refuses() {
        let rows = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        assert_eq!(silhouette_cosine(rows.view(), &[4, 4, 4], 10, 0), None);
        assert_eq!(silhouette_cosine(rows.view(), &[0, 1, 2], 10, 0), None);
        assert_eq!(silhouette_cosine(rows.slice(s![..0, ..]), &[], 10, 0), None);
        // A sample of two rows has at most as many clusters as rows.
        assert_eq!(silhouette_cosine(rows.view(), &[0, 0, 1], 2, 0), None);
    }

    #[test]
    fn sampled_silhouette_is_the_exact_silhouette_of_its_sample() {
        let (rows, labels) = scattered();
        let picked = sample_rows(rows.nrows(), 12, 42);
        assert_eq!(picked.len(), 12);
        assert!(picked.windows(2).all(|pair| pair[0] < pair[1]));
        let sample = rows.select(Axis(0), &picked);
        let sample_labels: Vec<usize> = picked.iter().map(|&row| labels[row]).collect();

        let sampled = silhouette_cosine(rows.view(), &labels, 12, 42);
        assert_eq!(
            sampled,
            silhouette_cosine(sample.view(), &sample_labels, 12, 0)
        );
        assert_eq!(sampled, silhouette_cosine(rows.view(), &labels, 12, 42));
        assert_ne!(sample_rows(rows.nrows(), 12, 43), picked);
    }

    #[test]
    fn silhouette_is_the_same_for_any_thread_count() {
        // Enough rows for several blocks: a sample of 2,000 rows makes blocks of 524 rows.
        let count = 2_400;
        let rows = Array2::from_shape_fn((count, 8), |(row, dim)| {
            ((row * 31 + dim * 17) % 23) as f64 - 11.0
        });
        let labels: Vec<usize> = (0..count).map(|row| (row * 7) % 5).collect();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
                .install(|| silhouette_cosine(rows.view(), &labels, 2_000, 9))
        };
        let single = on(1);
        assert!(single.is_some());
        assert_eq!(single, on(2));
        assert_eq!(single, on(3));
    }
}
