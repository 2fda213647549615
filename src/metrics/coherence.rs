//! Topic coherence and diversity: the document-term matrix and each topic's top terms (column
//! ids) in -> NPMI coherence per topic and the share of distinct top terms out.

use rayon::prelude::*;

use crate::sparse::CsrMatrix;

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
    pair_tables(documents, top_terms)
        .iter()
        .map(PairTable::coherence)
        .collect()
}

/// How often each pair of each topic's terms (column ids of `documents`) occurs together, with
/// their NPMI by the same definition and conventions as [`npmi_coherence`]: what the label
/// stage uses to choose terms that occur together.
pub fn pair_tables<V: Copy + Into<f64> + Sync>(
    documents: &CsrMatrix<V>,
    terms: &[Vec<u32>],
) -> Vec<PairTable> {
    let counts = CoOccurrence::count(documents, terms);
    (0..terms.len())
        .map(|topic| PairTable::new(counts.table(topic).to_vec(), counts.documents))
        .collect()
}

/// One topic's pair counts, indexed by the terms' positions in its list.
#[derive(Debug, Clone)]
pub struct PairTable {
    side: usize,
    /// Documents holding both terms; the diagonal holds each term's document frequency.
    counts: Vec<u64>,
    documents: u64,
}

impl PairTable {
    /// From a row-major table of pair counts (diagonal: each term's documents) over `documents`.
    pub(crate) fn new(counts: Vec<u64>, documents: u64) -> Self {
        PairTable {
            side: counts.len().isqrt(),
            counts,
            documents,
        }
    }

    /// Documents holding both of the terms at positions `a` and `b`.
    pub fn together(&self, a: usize, b: usize) -> u64 {
        self.counts[a * self.side + b]
    }

    /// NPMI of the terms at positions `a` and `b`.
    pub fn npmi(&self, a: usize, b: usize) -> f64 {
        npmi(
            self.together(a, a),
            self.together(b, b),
            self.together(a, b),
            self.documents,
        )
    }

    /// The mean NPMI over every pair of the topic's terms ([`npmi_coherence`]).
    fn coherence(&self) -> Option<f64> {
        let terms = self.side;
        if terms < 2 || self.documents == 0 {
            return None;
        }
        let mut total = 0.0;
        for a in 0..terms {
            for b in a + 1..terms {
                total += self.npmi(a, b);
            }
        }
        Some(total / (terms * (terms - 1) / 2) as f64)
    }
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

    fn table(&self, topic: usize) -> &[u64] {
        &self.counts[self.offsets[topic]..self.offsets[topic + 1]]
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

#[cfg(test)]
mod tests {
    //! Expected NPMI values come from the definition in numpy.

    use super::super::test_support::assert_close;
    use super::*;

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
}
