//! Label phrases: token sequences, each document's topic and each topic's candidate words ->
//! the two- and three-word phrases around those words, weighted per topic, so labels can read
//! `language model` or `large language models` even when clustering used single words only.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::progress::Progress;
use crate::text::{DocumentTerms, TokenizedCorpus, BREAK};
use crate::vectorize::run_lengths;

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
    positioned_grams(sequence).map(|(_, gram)| gram)
}

/// [`grams`] with the position each starts at.
fn positioned_grams(sequence: &[u32]) -> impl Iterator<Item = (usize, Gram)> + '_ {
    let pairs = sequence
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i, [w[0], w[1], BREAK]));
    let triples = sequence
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w[2] != BREAK)
        .map(|(i, w)| (i, [w[0], w[1], w[2]]));
    pairs.chain(triples).filter(|(_, gram)| is_phrase(gram))
}

fn is_phrase(gram: &Gram) -> bool {
    let words = words_of(gram);
    !words.contains(&BREAK) && words.iter().any(|&s| s != words[0])
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
    stop: &dyn Progress,
) -> (Vec<Vec<PhraseWeight>>, FxHashMap<Vec<u32>, f64>) {
    // Pass 1: phrases next to each document's own topic words.
    let per_topic = near_topic_words(corpus, topic_of, words, usable, topics, stop);
    let kept = heaviest(per_topic, min_documents);

    // Pass 2: the kept phrases' weight over every topic's documents, and the words around them.
    let wanted: FxHashSet<Gram> = kept.iter().flatten().map(|p| p.0).collect();
    let surroundings = around_wanted(corpus, topic_of, &wanted, stop);
    let totals: FxHashMap<Vec<u32>, f64> = surroundings
        .iter()
        .map(|(gram, around)| (words_of(gram).to_vec(), around.tf))
        .collect();
    (whole_phrases(kept, &surroundings), totals)
}

/// A phrase kept for a topic: its stems, its tf and its documents inside the topic.
type KeptPhrase = (Gram, f64, u32);

/// Pass 1 of [`count`]: per topic, each usable phrase holding one of the topic's candidate
/// words, with its tf (sum of 1 + ln(occurrences)) and documents over the topic's documents.
fn near_topic_words(
    corpus: &TokenizedCorpus,
    topic_of: &[Option<usize>],
    words: &TopicWords,
    usable: &[bool],
    topics: usize,
    stop: &dyn Progress,
) -> Vec<FxHashMap<Gram, (f64, u32)>> {
    let mut per_topic: Vec<FxHashMap<Gram, (f64, u32)>> = vec![FxHashMap::default(); topics];
    let per_chunk = |(chunk, documents): (usize, &[DocumentTerms])| {
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
            for (key, n) in run_lengths(&mut found) {
                let entry = weights.entry((topic, key)).or_default();
                entry.0 += 1.0 + f64::from(n).ln();
                entry.1 += 1;
            }
        }
        weights
    };
    in_chunk_order(
        &corpus.documents,
        per_chunk,
        |partial| {
            for ((topic, key), (tf, documents)) in partial {
                let entry = per_topic[topic].entry(key).or_default();
                entry.0 += tf;
                entry.1 += documents;
            }
        },
        stop,
    );
    per_topic
}

/// Each topic's phrases from [`near_topic_words`] -> those in at least `min_documents` of its
/// documents, heaviest first (ties by stems), at most [`PHRASES_PER_TOPIC`].
fn heaviest(
    per_topic: Vec<FxHashMap<Gram, (f64, u32)>>,
    min_documents: u32,
) -> Vec<Vec<KeptPhrase>> {
    per_topic
        .into_iter()
        .map(|weights| {
            let mut phrases: Vec<KeptPhrase> = weights
                .into_iter()
                .filter(|&(_, (_, documents))| documents >= min_documents)
                .map(|(gram, (tf, documents))| (gram, tf, documents))
                .collect();
            phrases.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            phrases.truncate(PHRASES_PER_TOPIC);
            phrases
        })
        .collect()
}

/// Pass 2 of [`count`]: each `wanted` phrase's tf over every document that has a topic, and
/// the words seen before and after its occurrences.
fn around_wanted(
    corpus: &TokenizedCorpus,
    topic_of: &[Option<usize>],
    wanted: &FxHashSet<Gram>,
    stop: &dyn Progress,
) -> FxHashMap<Gram, Surroundings> {
    let mut surroundings: FxHashMap<Gram, Surroundings> = FxHashMap::default();
    let per_chunk = |(chunk, documents): (usize, &[DocumentTerms])| {
        let mut seen: FxHashMap<Gram, Surroundings> = FxHashMap::default();
        let mut found = Vec::new();
        for (offset, doc) in documents.iter().enumerate() {
            if topic_of[chunk * CHUNK_DOCUMENTS + offset].is_none() {
                continue;
            }
            found.clear();
            for (start, gram) in positioned_grams(&doc.sequence) {
                if !wanted.contains(&gram) {
                    continue;
                }
                found.push(gram);
                let end = start + words_of(&gram).len();
                let around = seen.entry(gram).or_default();
                around.occurrences += 1;
                let before = start.checked_sub(1).map(|i| doc.sequence[i]);
                if let Some(word) = before.filter(|&w| w != BREAK) {
                    *around.before.entry(word).or_default() += 1;
                }
                if let Some(&word) = doc.sequence.get(end).filter(|&&w| w != BREAK) {
                    *around.after.entry(word).or_default() += 1;
                }
            }
            for (key, n) in run_lengths(&mut found) {
                seen.entry(key).or_default().tf += 1.0 + f64::from(n).ln();
            }
        }
        seen
    };
    in_chunk_order(
        &corpus.documents,
        per_chunk,
        |partial| {
            for (gram, part) in partial {
                surroundings.entry(gram).or_default().absorb(part);
            }
        },
        stop,
    );
    surroundings
}

/// The kept phrases of each topic less the fragments of longer ones (see
/// [`Surroundings::is_fragment`]), in their order, as [`PhraseWeight`]s.
fn whole_phrases(
    kept: Vec<Vec<KeptPhrase>>,
    surroundings: &FxHashMap<Gram, Surroundings>,
) -> Vec<Vec<PhraseWeight>> {
    kept.into_iter()
        .map(|phrases| {
            phrases
                .into_iter()
                .filter(|(gram, _, _)| {
                    !surroundings
                        .get(gram)
                        .is_some_and(Surroundings::is_fragment)
                })
                .map(|(gram, tf, documents)| PhraseWeight {
                    stems: words_of(&gram).to_vec(),
                    tf,
                    documents,
                })
                .collect()
        })
        .collect()
}

/// Maps fixed chunks of documents in parallel and hands the results to `merge` in chunk order,
/// a few per thread at a time: the float sums come out the same for any thread count, and at a
/// million documents the thousands of per-chunk maps are never all alive at once.
fn in_chunk_order<T: Send>(
    documents: &[DocumentTerms],
    map: impl Fn((usize, &[DocumentTerms])) -> T + Sync,
    mut merge: impl FnMut(T),
    stop: &dyn Progress,
) {
    let chunks: Vec<(usize, &[DocumentTerms])> =
        documents.chunks(CHUNK_DOCUMENTS).enumerate().collect();
    let group = 4 * rayon::current_num_threads().max(1);
    for batch in chunks.chunks(group) {
        // Cancelled: the rest is skipped, and the caller's check drops what was counted.
        if stop.cancelled() {
            return;
        }
        let partials: Vec<T> = batch.par_iter().map(|&chunk| map(chunk)).collect();
        partials.into_iter().for_each(&mut merge);
    }
}

/// A phrase whose occurrences are mostly followed (or preceded) by one and the same word is a
/// piece of a longer phrase (`multimodal large language` of `... models`): it is never shown.
const FRAGMENT_SHARE: f64 = 0.75;

/// What surrounds a phrase across the corpus.
#[derive(Debug, Default)]
struct Surroundings {
    /// Sum over documents of 1 + ln(occurrences).
    tf: f64,
    occurrences: u32,
    before: FxHashMap<u32, u32>,
    after: FxHashMap<u32, u32>,
}

impl Surroundings {
    fn absorb(&mut self, other: Surroundings) {
        self.tf += other.tf;
        self.occurrences += other.occurrences;
        for (word, n) in other.before {
            *self.before.entry(word).or_default() += n;
        }
        for (word, n) in other.after {
            *self.after.entry(word).or_default() += n;
        }
    }

    fn is_fragment(&self) -> bool {
        let most = |words: &FxHashMap<u32, u32>| words.values().copied().max().unwrap_or(0);
        let limit = FRAGMENT_SHARE * f64::from(self.occurrences);
        f64::from(most(&self.before)) >= limit || f64::from(most(&self.after)) >= limit
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
        let (kept, totals) = count(
            &corpus,
            &topic_of,
            &words,
            &usable,
            2,
            2,
            &crate::progress::Silent,
        );
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
        let (kept, totals) = count(
            &corpus,
            &[Some(0), Some(0)],
            &words,
            &[true; 3],
            1,
            2,
            &crate::progress::Silent,
        );
        let found: Vec<&[u32]> = kept[0].iter().map(|p| p.stems.as_slice()).collect();
        // "0 1" always follows 2 and "2 0" always precedes 1: both are pieces of "2 0 1".
        assert_eq!(found, [&[2, 0, 1][..]]);
        assert_eq!(totals[&vec![2, 0, 1]], 2.0);
    }

    #[test]
    fn pieces_of_a_longer_phrase_are_dropped() {
        // "0 1 2 3" four times: "0 1 2" is always followed by 3, "1 2 3" always preceded by 0,
        // so both are fragments; "0 1" is followed by 2 every time too.
        let corpus = corpus(vec![vec![4, 0, 1, 2, 3]; 4], 5);
        let mut words = TopicWords::new(1, 5);
        words.insert(0, 1);
        let (kept, _) = count(
            &corpus,
            &[Some(0); 4],
            &words,
            &[true; 5],
            1,
            2,
            &crate::progress::Silent,
        );
        let found: Vec<&[u32]> = kept[0].iter().map(|p| p.stems.as_slice()).collect();
        assert!(
            found.iter().all(|p| p.len() == 3 || p.len() == 2),
            "{found:?}"
        );
        assert!(!found.contains(&&[0, 1][..]), "{found:?}");
        assert!(!found.contains(&&[0, 1, 2][..]), "{found:?}");
        // Varied contexts keep a phrase.
        let corpus = super::tests::corpus(vec![vec![2, 0, 1, 3], vec![3, 0, 1, 2], vec![0, 1]], 4);
        let mut words = TopicWords::new(1, 4);
        words.insert(0, 0);
        let (kept, _) = count(
            &corpus,
            &[Some(0); 3],
            &words,
            &[true; 4],
            1,
            2,
            &crate::progress::Silent,
        );
        assert!(kept[0].iter().any(|p| p.stems == [0, 1]), "{kept:?}");
    }

    #[test]
    fn unusable_words_never_join_a_phrase() {
        let corpus = corpus(vec![vec![0, 1], vec![0, 1]], 2);
        let mut words = TopicWords::new(1, 2);
        words.insert(0, 0);
        let (kept, _) = count(
            &corpus,
            &[Some(0), Some(0)],
            &words,
            &[true, false],
            1,
            1,
            &crate::progress::Silent,
        );
        assert!(kept[0].is_empty());
    }
}
