//! Label phrases: token sequences, each document's topic and each topic's candidate words ->
//! the two- and three-word phrases around those words, weighted per topic, so labels can read
//! `language model` or `large language models` even when clustering used single words only.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::text::{DocumentTerms, TokenizedCorpus, BREAK};

/// Documents per parallel work unit; fixed, so sums never depend on the thread count.
const CHUNK_DOCUMENTS: usize = 4096;
/// Phrases kept per topic after the first pass, by weight inside the topic.
const PHRASES_PER_TOPIC: usize = 40;

/// A phrase's weight inside one topic.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseWeight {
    /// Stem ids in order.
    pub stems: Vec<u32>,
    /// Sum over the topic's documents of 1 + ln(occurrences).
    pub tf: f64,
    /// Documents of the topic containing the phrase.
    pub documents: u32,
}

/// Which stems are candidate words of which topic: one bit per (topic, stem).
pub struct TopicWords {
    stems: usize,
    bits: Vec<u64>,
}

impl TopicWords {
    pub fn new(topics: usize, stems: usize) -> Self {
        TopicWords {
            stems,
            bits: vec![0; (topics * stems).div_ceil(64)],
        }
    }

    pub fn insert(&mut self, topic: usize, stem: u32) {
        let bit = topic * self.stems + stem as usize;
        self.bits[bit / 64] |= 1 << (bit % 64);
    }

    fn contains(&self, topic: usize, stem: u32) -> bool {
        let bit = topic * self.stems + stem as usize;
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// A phrase of two or three stems; a two-word phrase ends in [`BREAK`], which no phrase holds.
type Gram = [u32; 3];

/// The phrases of a sequence: adjacent runs of two and three stems, never across a break and
/// never one stem repeated.
fn grams(sequence: &[u32]) -> impl Iterator<Item = Gram> + '_ {
    let pairs = sequence.windows(2).map(|w| [w[0], w[1], BREAK]);
    // A triple ending in a break would read as a pair: such windows are dropped here.
    let triples = sequence
        .windows(3)
        .filter(|w| w[2] != BREAK)
        .map(|w| [w[0], w[1], w[2]]);
    pairs.chain(triples).filter(|gram| {
        let words = if gram[2] == BREAK { 2 } else { 3 };
        let gram = &gram[..words];
        !gram.contains(&BREAK) && gram.iter().any(|&s| s != gram[0])
    })
}

fn words_of(gram: &Gram) -> &[u32] {
    if gram[2] == BREAK {
        &gram[..2]
    } else {
        &gram[..]
    }
}

/// Per topic, the phrases (two or three adjacent stems, see [`grams`]) in which every word may
/// be shown (`usable`) and at least one is a candidate word of the document's own topic, found
/// in at least `min_documents` of the topic's documents: the [`PHRASES_PER_TOPIC`] heaviest.
/// Also returns each kept phrase's weight summed over all topics, which the class-based
/// weighting needs.
pub fn count(
    corpus: &TokenizedCorpus,
    topic_of: &[Option<usize>],
    words: &TopicWords,
    usable: &[bool],
    topics: usize,
    min_documents: u32,
) -> (Vec<Vec<PhraseWeight>>, FxHashMap<Vec<u32>, f64>) {
    // Pass 1: phrases next to each document's own topic words.
    let mut per_topic: Vec<FxHashMap<Gram, (f64, u32)>> = vec![FxHashMap::default(); topics];
    let near_topic_words = |(chunk, documents): (usize, &[DocumentTerms])| {
        let mut weights: FxHashMap<(usize, Gram), (f64, u32)> = FxHashMap::default();
        let mut found = Vec::new();
        for (offset, doc) in documents.iter().enumerate() {
            let Some(topic) = topic_of[chunk * CHUNK_DOCUMENTS + offset] else {
                continue;
            };
            found.clear();
            found.extend(grams(&doc.sequence).filter(|gram| {
                let stems = words_of(gram);
                stems.iter().all(|&s| usable[s as usize])
                    && stems.iter().any(|&s| words.contains(topic, s))
            }));
            for (key, n) in runs(&mut found) {
                let entry = weights.entry((topic, key)).or_default();
                entry.0 += 1.0 + f64::from(n).ln();
                entry.1 += 1;
            }
        }
        weights
    };
    in_chunk_order(&corpus.documents, near_topic_words, |partial| {
        for ((topic, key), (tf, documents)) in partial {
            let entry = per_topic[topic].entry(key).or_default();
            entry.0 += tf;
            entry.1 += documents;
        }
    });
    let kept: Vec<Vec<(Gram, f64, u32)>> = per_topic
        .into_iter()
        .map(|weights| {
            let mut phrases: Vec<(Gram, f64, u32)> = weights
                .into_iter()
                .filter(|&(_, (_, documents))| documents >= min_documents)
                .map(|(gram, (tf, documents))| (gram, tf, documents))
                .collect();
            phrases.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            phrases.truncate(PHRASES_PER_TOPIC);
            phrases
        })
        .collect();

    // Pass 2: the kept phrases' weight over every topic's documents.
    let wanted: FxHashSet<Gram> = kept.iter().flatten().map(|p| p.0).collect();
    let mut totals: FxHashMap<Vec<u32>, f64> = FxHashMap::default();
    let wanted_grams = |(chunk, documents): (usize, &[DocumentTerms])| {
        let mut totals: FxHashMap<Gram, f64> = FxHashMap::default();
        let mut found = Vec::new();
        for (offset, doc) in documents.iter().enumerate() {
            if topic_of[chunk * CHUNK_DOCUMENTS + offset].is_none() {
                continue;
            }
            found.clear();
            found.extend(grams(&doc.sequence).filter(|gram| wanted.contains(gram)));
            for (key, n) in runs(&mut found) {
                *totals.entry(key).or_default() += 1.0 + f64::from(n).ln();
            }
        }
        totals
    };
    in_chunk_order(&corpus.documents, wanted_grams, |partial| {
        for (gram, tf) in partial {
            *totals.entry(words_of(&gram).to_vec()).or_default() += tf;
        }
    });
    let kept = kept
        .into_iter()
        .map(|phrases| {
            phrases
                .into_iter()
                .map(|(gram, tf, documents)| PhraseWeight {
                    stems: words_of(&gram).to_vec(),
                    tf,
                    documents,
                })
                .collect()
        })
        .collect();
    (kept, totals)
}

/// Maps fixed chunks of documents in parallel and hands the results to `merge` in chunk order,
/// a few per thread at a time: the float sums come out the same for any thread count, and at a
/// million documents the thousands of per-chunk maps are never all alive at once.
fn in_chunk_order<T: Send>(
    documents: &[DocumentTerms],
    map: impl Fn((usize, &[DocumentTerms])) -> T + Sync,
    mut merge: impl FnMut(T),
) {
    let chunks: Vec<(usize, &[DocumentTerms])> =
        documents.chunks(CHUNK_DOCUMENTS).enumerate().collect();
    let group = 4 * rayon::current_num_threads().max(1);
    for batch in chunks.chunks(group) {
        let partials: Vec<T> = batch.par_iter().map(|&chunk| map(chunk)).collect();
        partials.into_iter().for_each(&mut merge);
    }
}

/// The display form of a term: each word as people wrote it.
pub fn display(stems: &[u32], surface_forms: &[String]) -> String {
    stems
        .iter()
        .map(|&s| surface_forms[s as usize].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sorts `keys` and returns each distinct key with its number of occurrences.
fn runs<K: Ord + Copy>(keys: &mut [K]) -> Vec<(K, u32)> {
    keys.sort_unstable();
    let mut out: Vec<(K, u32)> = Vec::new();
    for &key in keys.iter() {
        match out.last_mut() {
            Some((last, n)) if *last == key => *n += 1,
            _ => out.push((key, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::DocumentTerms;

    fn corpus(sequences: Vec<Vec<u32>>, stems: usize) -> TokenizedCorpus {
        TokenizedCorpus {
            documents: sequences
                .into_iter()
                .map(|sequence| DocumentTerms {
                    sequence,
                    pieces: vec![],
                })
                .collect(),
            stems: (0..stems).map(|s| format!("s{s}")).collect(),
            surface_forms: (0..stems).map(|s| format!("w{s}")).collect(),
            standalone: vec![true; stems],
        }
    }

    #[test]
    fn counts_phrases_next_to_topic_words_within_breaks() {
        // Stems: 0 language, 1 model, 2 speech, 3 galaxy.
        let corpus = corpus(
            vec![
                vec![0, 1, 0, 1],     // topic 0: "language model" twice
                vec![0, 1, BREAK, 2], // topic 0: once, no pair across the break
                vec![3, 0, 1],        // topic 1: "galaxy language" and "language model"
                vec![2, 2],           // no topic; and a repeated stem never pairs
            ],
            4,
        );
        let mut words = TopicWords::new(2, 4);
        words.insert(0, 0);
        words.insert(1, 3);
        let topic_of = [Some(0), Some(0), Some(1), None];
        let usable = [true; 4];
        let (kept, totals) = count(&corpus, &topic_of, &words, &usable, 2, 2);
        let language_model = vec![0, 1];
        // Topic 0: "language model" in 2 documents, tf (1 + ln 2) + 1; "model language" and
        // "language model language" once.
        assert_eq!(kept[0].len(), 1);
        assert_eq!(kept[0][0].stems, language_model);
        assert_eq!(kept[0][0].documents, 2);
        assert!((kept[0][0].tf - (2.0 + 2f64.ln())).abs() < 1e-12);
        // Topic 1's only phrase with its word is in one document: below the minimum.
        assert!(kept[1].is_empty());
        // The total also counts topic 1's occurrence.
        assert!((totals[&language_model] - (3.0 + 2f64.ln())).abs() < 1e-12);
        assert_eq!(display(&language_model, &corpus.surface_forms), "w0 w1");
    }

    #[test]
    fn three_word_phrases_are_counted_too() {
        let corpus = corpus(vec![vec![2, 0, 1], vec![2, 0, 1, BREAK, 1]], 3);
        let mut words = TopicWords::new(1, 3);
        words.insert(0, 0);
        let (kept, totals) = count(&corpus, &[Some(0), Some(0)], &words, &[true; 3], 1, 2);
        let found: Vec<&[u32]> = kept[0].iter().map(|p| p.stems.as_slice()).collect();
        // Ties in weight are ordered by stems, a pair before the triple it starts.
        assert_eq!(found, [&[0, 1][..], &[2, 0, 1], &[2, 0]]);
        assert_eq!(totals[&vec![2, 0, 1]], 2.0);
    }

    #[test]
    fn unusable_words_never_join_a_phrase() {
        let corpus = corpus(vec![vec![0, 1], vec![0, 1]], 2);
        let mut words = TopicWords::new(1, 2);
        words.insert(0, 0);
        let (kept, _) = count(&corpus, &[Some(0), Some(0)], &words, &[true, false], 1, 1);
        assert!(kept[0].is_empty());
    }
}
