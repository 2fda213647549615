//! The vocabulary: per-document term counts -> the kept terms, their columns and display labels.

use rustc_hash::FxHashMap;

use super::TermTotals;
use crate::text::TokenizedCorpus;

/// Terms are keyed by a u64: a word is its stem id, a phrase packs (first + 1, second).
pub fn unigram(stem: u32) -> u64 {
    u64::from(stem)
}

pub fn bigram(first: u32, second: u32) -> u64 {
    ((u64::from(first) + 1) << 32) | u64::from(second)
}

/// The stems of a term key: (first word of a phrase, last or only word).
pub fn stems_of(key: u64) -> (Option<u32>, u32) {
    let high = (key >> 32) as u32;
    let low = key as u32;
    if high == 0 {
        (None, low)
    } else {
        (Some(high - 1), low)
    }
}

/// The kept terms in column order (alphabetical by stem), with what people should see.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    /// Stem form of each term (`languag model`): unique, and the column order.
    pub stems: Vec<String>,
    /// Display form of each term (`language models`).
    pub labels: Vec<String>,
    /// Number of documents containing each term.
    pub doc_freq: Vec<u32>,
    /// Whether a term may be shown to people: phrases and words written on their own are;
    /// pieces seen only inside compounds (`pre`, `multi`) are not.
    pub displayable: Vec<bool>,
    /// Term key of each column (see [`unigram`] and [`bigram`]).
    pub keys: Vec<u64>,
    /// Column of each word by stem id ([`NO_COLUMN`] if not kept): a table, because every
    /// token of every document is looked up.
    word_columns: Vec<u32>,
    /// Column of each kept phrase.
    phrase_columns: FxHashMap<u64, u32>,
}

const NO_COLUMN: u32 = u32::MAX;

impl Vocabulary {
    /// Keeps terms with `min_df <= df <= max_doc_count`; then, with a cap, the most frequent
    /// (ties: alphabetical), so the choice never depends on hash order.
    pub fn select(
        totals: &TermTotals,
        corpus: &TokenizedCorpus,
        min_df: usize,
        max_doc_count: f64,
        max_terms: Option<usize>,
    ) -> Self {
        let name = |key: u64, forms: &[String]| match stems_of(key) {
            (None, word) => forms[word as usize].clone(),
            (Some(first), second) => {
                format!("{} {}", forms[first as usize], forms[second as usize])
            }
        };
        let mut kept: Vec<(String, u64, u32, u64)> = totals
            .iter()
            .filter(|&(_, df, _)| df as usize >= min_df && df as f64 <= max_doc_count)
            .map(|(key, df, total)| (name(key, &corpus.stems), key, df, total))
            .collect();
        if let Some(cap) = max_terms {
            kept.sort_unstable_by(|a, b| b.3.cmp(&a.3).then_with(|| a.0.cmp(&b.0)));
            kept.truncate(cap);
        }
        kept.sort_unstable_by(|a, b| a.0.cmp(&b.0));

        let mut vocabulary = Vocabulary {
            word_columns: vec![NO_COLUMN; corpus.stems.len()],
            ..Vocabulary::default()
        };
        for (column, (stem, key, df, _)) in kept.into_iter().enumerate() {
            vocabulary.labels.push(name(key, &corpus.surface_forms));
            vocabulary.stems.push(stem);
            vocabulary.doc_freq.push(df);
            vocabulary.displayable.push(match stems_of(key) {
                (None, word) => corpus.standalone[word as usize],
                (Some(_), _) => true,
            });
            vocabulary.keys.push(key);
            match stems_of(key) {
                (None, word) => vocabulary.word_columns[word as usize] = column as u32,
                (Some(_), _) => {
                    vocabulary.phrase_columns.insert(key, column as u32);
                }
            }
        }
        vocabulary
    }

    pub fn len(&self) -> usize {
        self.stems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stems.is_empty()
    }

    /// The number of stems of the corpus the vocabulary was chosen from.
    pub fn stem_count(&self) -> usize {
        self.word_columns.len()
    }

    /// Whether any column is a two-word phrase.
    pub fn has_phrases(&self) -> bool {
        self.keys.iter().any(|&key| stems_of(key).0.is_some())
    }

    /// The column of a term key, if the term was kept.
    pub fn column(&self, key: u64) -> Option<u32> {
        match stems_of(key) {
            (None, word) => self
                .word_columns
                .get(word as usize)
                .copied()
                .filter(|&column| column != NO_COLUMN),
            (Some(_), _) => self.phrase_columns.get(&key).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        assert_eq!(stems_of(unigram(7)), (None, 7));
        assert_eq!(stems_of(bigram(0, 7)), (Some(0), 7));
        assert_eq!(stems_of(bigram(u32::MAX - 1, 3)), (Some(u32::MAX - 1), 3));
    }
}
