//! Label terms re-ranked by meaning: a topic's distinct candidate terms (class-based TF-IDF
//! order), each term's sentence vector and the topic's mean document vector -> the terms in
//! maximal-marginal-relevance order (close to what the topic's documents say, unlike the terms
//! already chosen).
//!
//! Class-based TF-IDF finds the words a topic uses more than the others do; among those it
//! cannot tell a word that names the topic ("galaxies") from one its documents merely share
//! ("observed"). The sentence model can: the topic's documents' mean vector is what they are
//! about, and a term's own vector says how close the term is to that. The idea is KeyBERT's,
//! applied to a topic's documents as BERTopic's KeyBERT-inspired representation does, here
//! weighted by the term's distinctiveness; the diversity term is Carbonell and Goldstein's
//! maximal marginal relevance.

use super::distinct::Candidate;

/// How much a term's class-based TF-IDF (as a share of the topic's best) weighs beside its
/// closeness in meaning: relevance is `cos(term, topic) * share^2`. Closeness alone (power 0,
/// KeyBERT's choice) put rare, exact terms first ("white dwarf", "Navier-Stokes") and lowered
/// the shared NPMI of the top terms on both corpora tried (arxiv_2007_4fields 0.110 -> 0.023,
/// arxiv_2007_18archives 0.134 -> 0.041) and the share of a topic's documents its label words
/// appear in (0.53 -> 0.25); with the square, NPMI rose on three corpora of five and that share
/// fell by 0.05 at most (`bench/label_rerank.py`, see the README).
const DISTINCTIVENESS_POWER: i32 = 2;

/// The weight of the penalty for a term close to those already chosen: 0.1, BERTopic's
/// default. At 0.3 the same fits lost shared NPMI on arxiv_2007_18archives (0.075 -> 0.059 at
/// power 1) for little more diversity.
pub(crate) const DIVERSITY: f64 = 0.1;

/// A candidate term and its sentence vector.
pub(crate) struct Scored<'a> {
    pub candidate: &'a Candidate,
    pub vector: &'a [f32],
}

/// Up to `wanted` of `candidates` (best first by class-based TF-IDF) in the order maximal
/// marginal relevance picks them: each next term maximises
/// `(1 - diversity) * relevance(term) - diversity * max cos(term, chosen)`, where relevance
/// is its closeness to `topic` weighted by [`DISTINCTIVENESS_POWER`]. Ties keep the
/// class-based order, so the result depends only on the inputs.
pub(crate) fn mmr(
    candidates: &[Scored<'_>],
    topic: &[f32],
    diversity: f64,
    wanted: usize,
) -> Vec<Candidate> {
    let top = candidates
        .iter()
        .map(|c| c.candidate.score)
        .fold(0.0f64, f64::max);
    let relevance: Vec<f64> = candidates
        .iter()
        .map(|c| {
            let share = if top > 0.0 {
                c.candidate.score / top
            } else {
                0.0
            };
            // A term pointing away from the topic is not relevant at all: with a negative
            // cosine the weight would rank the most distinctive terms last.
            cosine(c.vector, topic).max(0.0) * share.powi(DISTINCTIVENESS_POWER)
        })
        .collect();
    // The highest cosine of each candidate to any term chosen so far.
    let mut redundancy = vec![f64::NEG_INFINITY; candidates.len()];
    let mut taken = vec![false; candidates.len()];
    let mut chosen = Vec::with_capacity(wanted.min(candidates.len()));
    while chosen.len() < wanted {
        let best = (0..candidates.len())
            .filter(|&i| !taken[i])
            .map(|i| {
                let against = if redundancy[i].is_finite() {
                    redundancy[i]
                } else {
                    0.0
                };
                (i, (1.0 - diversity) * relevance[i] - diversity * against)
            })
            // max_by keeps the last of equals: compare so the earlier index wins ties.
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((next, _)) = best else { break };
        taken[next] = true;
        chosen.push(candidates[next].candidate.clone());
        for (i, candidate) in candidates.iter().enumerate() {
            if !taken[i] {
                let similarity = cosine(candidate.vector, candidates[next].vector);
                redundancy[i] = redundancy[i].max(similarity);
            }
        }
    }
    chosen
}

/// Cosine of two vectors, summed in f64 in index order (0 when either is zero).
pub(crate) fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut dot, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let (x, y) = (f64::from(x), f64::from(y));
        dot += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        0.0
    } else {
        dot / (aa.sqrt() * bb.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(display: &str, score: f64) -> Candidate {
        Candidate::scored(display, score)
    }

    #[test]
    fn the_term_closest_to_the_topic_leads_and_near_copies_wait() {
        // Equally distinctive, so closeness in meaning decides.
        let terms = [
            candidate("observed", 1.0),
            candidate("galaxies", 1.0),
            candidate("galaxy clusters", 1.0),
            candidate("redshift", 1.0),
        ];
        // The topic points along the first axis; "galaxy clusters" is almost "galaxies".
        let vectors: [&[f32]; 4] = [
            &[0.2, 0.0, 0.98],
            &[0.95, 0.31, 0.0],
            &[0.93, 0.37, 0.0],
            &[0.8, -0.6, 0.0],
        ];
        let scored: Vec<Scored<'_>> = terms
            .iter()
            .zip(vectors)
            .map(|(candidate, vector)| Scored { candidate, vector })
            .collect();
        let topic = [1.0f32, 0.0, 0.0];
        let names = |picked: Vec<Candidate>| {
            picked
                .into_iter()
                .map(|c| c.display)
                .collect::<Vec<String>>()
        };
        // Relevance alone: by closeness to the topic.
        assert_eq!(
            names(mmr(&scored, &topic, 0.0, 4)),
            ["galaxies", "galaxy clusters", "redshift", "observed"]
        );
        // With diversity the near copy of the first term gives way to different ones.
        assert_eq!(
            names(mmr(&scored, &topic, 0.5, 3)),
            ["galaxies", "redshift", "observed"]
        );
        assert_eq!(mmr(&scored, &topic, 0.3, 0).len(), 0);
        assert_eq!(mmr(&scored, &topic, 0.3, 10).len(), 4);
    }

    #[test]
    fn a_far_less_distinctive_term_gives_way_to_a_slightly_less_close_one() {
        // "matter" is a little closer to the topic but has half the class-based score:
        // relevance 0.99 * 0.25 against 0.9.
        let terms = [candidate("dark energy", 2.0), candidate("matter", 1.0)];
        let vectors: [&[f32]; 2] = [&[0.9, 0.436], &[0.99, 0.141]];
        let scored: Vec<Scored<'_>> = terms
            .iter()
            .zip(vectors)
            .map(|(candidate, vector)| Scored { candidate, vector })
            .collect();
        let picked = mmr(&scored, &[1.0, 0.0], 0.0, 2);
        assert_eq!(picked[0].display, "dark energy");
        assert_eq!(picked[1].display, "matter");
    }

    #[test]
    fn ties_keep_the_class_based_order() {
        // Equal scores and equal vectors: only the tie rule orders them.
        let terms = [candidate("first", 1.0), candidate("second", 1.0)];
        let same: &[f32] = &[1.0, 0.0];
        let scored: Vec<Scored<'_>> = terms
            .iter()
            .map(|candidate| Scored {
                candidate,
                vector: same,
            })
            .collect();
        let picked = mmr(&scored, &[1.0, 0.0], 0.3, 2);
        assert_eq!(picked[0].display, "first");
        assert_eq!(picked[1].display, "second");
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }
}
