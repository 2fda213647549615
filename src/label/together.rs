//! Label terms ordered by co-occurrence, for fits without a sentence model: a topic's distinct
//! candidate terms (class-based TF-IDF order) and the NPMI of each pair of them over the corpus
//! -> the terms in a greedy order where each next one is distinctive of the topic and found in
//! the same documents as the terms already chosen.
//!
//! Class-based TF-IDF weighs each term on its own, so a topic's list can end in terms that are
//! distinctive but say little about the topic as a whole: a name three of its documents repeat
//! ("Hilbert", "sufficient condition" in a topic of 60 mathematics abstracts), which none of
//! its other terms' documents use. A reader takes the list as one theme; terms that occur
//! together (normalised pointwise mutual information, the coherence the metrics report, after
//! Bouma 2009 and Lau et al. 2014) read as one. This is the words-only counterpart of the
//! re-ranking by meaning in `rerank`, with co-occurrence in place of sentence vectors.

use super::distinct::Candidate;
use crate::metrics::PairTable;

/// How much the mean (discounted) NPMI with the chosen terms weighs beside the term's
/// class-based TF-IDF as a share of the topic's best: each next term maximises
/// `share + TOGETHER * mean NPMI`. Measured on the seven corpora of `bench/labels.py` (k =
/// labels, seeds 0-2), the shared NPMI of the top 10 terms against class-based order: at 0.5 it
/// rose on five and fell on the two clinical sets (0.143 -> 0.138); at 0.75 it rose on six; at
/// 1 on all seven (+0.008 to +0.062), the lists reading as more specific ("theory, gauge,
/// field, invariant, Yang-Mills, spacetime" where class-based order ended in "string,
/// dimensional, quantum, cosmological, system").
pub(crate) const TOGETHER: f64 = 1.0;

/// Up to `wanted` of `candidates` (best first by class-based TF-IDF; `table` holds the NPMI of
/// each pair, by position): the first `keep` as they are (a label's own terms: the most
/// distinctive name a topic best), then in greedy order, each next one maximising its share of
/// the best score plus [`TOGETHER`] times its mean NPMI with those chosen. Ties keep the
/// class-based order, so the result depends only on the inputs.
///
/// Keeping the label's three measured as well as re-ranking them on the seven corpora (shared
/// NPMI within 0.002 on each), and re-ranked labels read worse: "star, observed, detected"
/// for "star, observed, galaxies"; on `data/` "LoRA, parameters, weight" for "low-rank
/// adaptation, LoRA, parameters".
pub(crate) fn order(
    candidates: &[Candidate],
    table: &PairTable,
    keep: usize,
    wanted: usize,
) -> Vec<Candidate> {
    let top = candidates.iter().map(|c| c.score).fold(0.0f64, f64::max);
    let share: Vec<f64> = candidates
        .iter()
        .map(|c| if top > 0.0 { c.score / top } else { 0.0 })
        .collect();
    // The sum of each candidate's NPMI with the terms chosen so far.
    let mut with_chosen = vec![0.0f64; candidates.len()];
    let mut taken = vec![false; candidates.len()];
    let mut chosen: Vec<Candidate> = Vec::with_capacity(wanted.min(candidates.len()));
    while chosen.len() < wanted {
        let count = chosen.len();
        // The first `keep` stay in class-based order.
        let next = if count < keep {
            (count < candidates.len()).then_some(count)
        } else {
            (0..candidates.len())
                .filter(|&i| !taken[i])
                .map(|i| {
                    let mean = if count == 0 {
                        0.0
                    } else {
                        with_chosen[i] / count as f64
                    };
                    (i, share[i] + TOGETHER * mean)
                })
                // max_by keeps the last of equals: compare so the earlier index wins ties.
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(i, _)| i)
        };
        let Some(next) = next else { break };
        taken[next] = true;
        chosen.push(candidates[next].clone());
        for (i, sum) in with_chosen.iter_mut().enumerate() {
            if !taken[i] {
                *sum += support(table, i, next);
            }
        }
    }
    chosen
}

/// The NPMI of two candidates, discounted by how many documents hold both: a pair seen together
/// once scores as high as NPMI allows (two rare words one abstract shares), and says little.
/// The factor n / (n + DISCOUNT) is Pantel and Lin's (2002) discount for mutual information
/// from few counts. A pair never seen together keeps its -1. Without it, `data/` (110
/// abstracts) labelled a topic "user, offers, test" and ended another's list in
/// "fundamentally"; with it, "user, dataset, multimodal", and the seven corpora's shared NPMI
/// stays above class-based order's.
fn support(table: &PairTable, a: usize, b: usize) -> f64 {
    let both = table.together(a, b) as f64;
    let npmi = table.npmi(a, b);
    if both == 0.0 {
        return npmi;
    }
    npmi * both / (both + DISCOUNT)
}

/// See [`support`].
const DISCOUNT: f64 = 2.0;

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(display: &str, score: f64) -> Candidate {
        Candidate::scored(display, score)
    }

    fn displays(chosen: &[Candidate]) -> Vec<&str> {
        chosen.iter().map(|c| c.display.as_str()).collect()
    }

    /// Pair counts over `documents` from each document's list of term positions.
    fn table(terms: usize, documents: &[&[usize]]) -> PairTable {
        let mut counts = vec![0u64; terms * terms];
        for held in documents {
            for &a in *held {
                for &b in *held {
                    counts[a * terms + b] += 1;
                }
            }
        }
        PairTable::new(counts, documents.len() as u64)
    }

    #[test]
    fn a_term_found_with_the_first_beats_a_slightly_more_distinctive_loner() {
        // "galaxies" leads; "Hilbert" is a little more distinctive than "stars" but never in
        // a document with "galaxies", while "stars" is in most of them.
        let candidates = [
            candidate("galaxies", 1.0),
            candidate("Hilbert", 0.9),
            candidate("stars", 0.8),
        ];
        let docs: Vec<&[usize]> = vec![
            &[0, 2],
            &[0, 2],
            &[0, 2],
            &[0],
            &[1],
            &[1],
            &[1],
            &[2],
            &[],
            &[],
        ];
        let chosen = order(&candidates, &table(3, &docs), 1, 3);
        assert_eq!(displays(&chosen), ["galaxies", "stars", "Hilbert"]);
    }

    #[test]
    fn with_nothing_kept_the_most_distinctive_term_leads_and_the_count_is_kept() {
        let candidates = [
            candidate("a", 0.5),
            candidate("b", 1.0),
            candidate("c", 0.7),
        ];
        let docs: Vec<&[usize]> = vec![&[0, 1, 2], &[0, 2], &[1]];
        let chosen = order(&candidates, &table(3, &docs), 0, 2);
        assert_eq!(chosen.len(), 2);
        assert_eq!(chosen[0].display, "b");
        assert_eq!(order(&candidates, &table(3, &docs), 0, 9).len(), 3);
        assert_eq!(order(&candidates, &table(3, &docs), 5, 9).len(), 3);
    }

    #[test]
    fn one_shared_document_counts_for_less_than_several() {
        // "b" and "c" are equally distinctive; "b" occurs once, with "a"; "c" three times, twice
        // with "a". Undiscounted NPMI ranks "b" first (the rarer pair is "more surprising"),
        // the discount prefers the better attested "c".
        let candidates = [
            candidate("a", 1.0),
            candidate("b", 0.5),
            candidate("c", 0.5),
        ];
        let mut docs: Vec<&[usize]> = vec![&[0, 1], &[0, 2], &[0, 2], &[2]];
        docs.extend(std::iter::repeat_n(&[][..], 8));
        let pairs = table(3, &docs);
        assert!(pairs.npmi(0, 1) > pairs.npmi(0, 2));
        assert_eq!(displays(&order(&candidates, &pairs, 1, 3)), ["a", "c", "b"]);
    }

    #[test]
    fn the_label_terms_keep_their_place() {
        // As in the first test, but the first two are kept: the loner stays second.
        let candidates = [
            candidate("galaxies", 1.0),
            candidate("Hilbert", 0.9),
            candidate("stars", 0.8),
            candidate("disk", 0.7),
        ];
        let docs: Vec<&[usize]> = vec![&[0, 2, 3], &[0, 2, 3], &[0, 2], &[1], &[1], &[], &[]];
        assert_eq!(
            displays(&order(&candidates, &table(4, &docs), 2, 4)),
            ["galaxies", "Hilbert", "stars", "disk"]
        );
        assert_eq!(
            displays(&order(&candidates, &table(4, &docs), 1, 4)),
            ["galaxies", "stars", "disk", "Hilbert"]
        );
    }

    #[test]
    fn ties_keep_the_class_based_order() {
        let candidates = [
            candidate("x", 1.0),
            candidate("y", 0.5),
            candidate("z", 0.5),
        ];
        let docs: Vec<&[usize]> = vec![&[0, 1, 2], &[0, 1, 2]];
        assert_eq!(
            displays(&order(&candidates, &table(3, &docs), 1, 3)),
            ["x", "y", "z"]
        );
    }
}
