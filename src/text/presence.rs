//! Term presence: the analysed documents and lists of terms (words or phrases as stem ids) ->
//! which documents hold which term, as a documents x distinct-terms matrix of ones. Shared by
//! the label stage (which terms of a topic occur together) and the metrics (NPMI coherence).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::progress::Progress;
use crate::sparse::CsrMatrix;
use crate::text::{TokenizedCorpus, BREAK};

/// Which documents hold which of the topics' terms (words, or phrases matched word by word in
/// the text), as a documents x distinct-terms matrix of ones; and each topic's terms as
/// columns of it, in order.
/// Once `stop` says cancelled, the remaining documents get empty rows (the caller checks).
pub(crate) fn term_presence(
    tokens: &TokenizedCorpus,
    term_lists: &[&[Vec<u32>]],
    stop: &dyn Progress,
) -> (CsrMatrix, Vec<Vec<u32>>) {
    term_presence_every(tokens, term_lists, 1, stop)
}

/// [`term_presence`] over every `step`-th document only (the first, the `step + 1`-th, ...):
/// a fixed sample, the same for any thread count.
pub(crate) fn term_presence_every(
    tokens: &TokenizedCorpus,
    term_lists: &[&[Vec<u32>]],
    step: usize,
    stop: &dyn Progress,
) -> (CsrMatrix, Vec<Vec<u32>>) {
    let step = step.max(1);
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
        .step_by(step)
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
        let (every_other, _) =
            term_presence_every(&tokens, &[&topic_a, &topic_b], 2, &crate::progress::Silent);
        assert_eq!(every_other.rows(), 2);
        assert_eq!(every_other.row(0).0, presence.row(0).0);
        assert_eq!(every_other.row(1).0, presence.row(2).0);
    }
}
