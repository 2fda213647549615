//! The vocabulary: per-document term counts -> the kept terms, their columns and display labels.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// token of every document is looked up. Rebuilt from `keys` when a model is loaded.
    #[serde(skip)]
    word_columns: Vec<u32>,
    /// Column of each kept phrase.
    #[serde(skip)]
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

    /// The same terms keyed by the stems they use only, renumbered in order of first use:
    /// (that vocabulary, the old id of each new stem id, the new id of each old one or
    /// [`crate::text::BREAK`] for a stem no term uses). `stems` is the old number of stems.
    pub fn compacted(&self, stems: usize) -> (Vocabulary, Vec<u32>, Vec<u32>) {
        let mut to_new = vec![crate::text::BREAK; stems];
        let mut used: Vec<u32> = Vec::new();
        let mut renumber = |old: u32| -> u32 {
            let slot = &mut to_new[old as usize];
            if *slot == crate::text::BREAK {
                *slot = used.len() as u32;
                used.push(old);
            }
            *slot
        };
        let keys: Vec<u64> = self
            .keys
            .iter()
            .map(|&key| match stems_of(key) {
                (None, word) => unigram(renumber(word)),
                (Some(first), second) => {
                    let first = renumber(first);
                    bigram(first, renumber(second))
                }
            })
            .collect();
        let mut compact = Vocabulary {
            stems: self.stems.clone(),
            labels: self.labels.clone(),
            doc_freq: self.doc_freq.clone(),
            displayable: self.displayable.clone(),
            keys,
            word_columns: Vec::new(),
            phrase_columns: FxHashMap::default(),
        };
        let count = used.len();
        // The keys were just built from `count` stems, so the index cannot fail.
        let _ = compact.rebuild_index(count);
        (compact, used, to_new)
    }

    /// Builds the column lookups from `keys` for `stems` stem ids, checking every key and the
    /// parallel arrays (a loaded model's content is checked before it is used).
    pub(crate) fn rebuild_index(&mut self, stems: usize) -> Result<(), String> {
        let terms = self.keys.len();
        if [
            self.stems.len(),
            self.labels.len(),
            self.doc_freq.len(),
            self.displayable.len(),
        ]
        .iter()
        .any(|&len| len != terms)
        {
            return Err("the vocabulary's lists differ in length".into());
        }
        self.word_columns = vec![NO_COLUMN; stems];
        self.phrase_columns = FxHashMap::default();
        for (column, &key) in self.keys.iter().enumerate() {
            let (first, last) = stems_of(key);
            if first.is_some_and(|s| s as usize >= stems) || last as usize >= stems {
                return Err(format!("term {column} uses a stem the model does not have"));
            }
            let taken = match first {
                None => std::mem::replace(&mut self.word_columns[last as usize], column as u32),
                Some(_) => self
                    .phrase_columns
                    .insert(key, column as u32)
                    .unwrap_or(NO_COLUMN),
            };
            if taken != NO_COLUMN {
                return Err(format!("term {column} appears twice in the vocabulary"));
            }
        }
        Ok(())
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
