//! Text analysis: documents -> [`TokenizedCorpus`] (per document, stem ids in text order with
//! phrase breaks, plus compound pieces), and for every stem the word people actually wrote. The
//! fitted [`Analyzer`] keeps the stems a vocabulary uses and analyses new documents into them
//! with the same tokenizer, filter and stemmer.

mod ascii_words;
mod language;
pub mod markup;
mod presence;
mod stop_words;
mod surface;
mod tokenize;
mod word_table;

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::progress::{self, Progress, Silent, Work};
use crate::read::Document;
use surface::SurfaceVotes;
use tokenize::{FieldKind, Token};
use word_table::WordTable;

pub use language::Language;
pub(crate) use presence::{term_presence, term_presence_every};
pub use stop_words::StopWords;

/// Marks a phrase break inside [`DocumentTerms::sequence`]: no bigram spans it.
pub const BREAK: u32 = u32::MAX;

/// Documents per parallel work unit. Fixed, so that term ids never depend on the thread count.
const CHUNK_DOCUMENTS: usize = 2048;

/// Initial size of a chunk's table of word forms.
const LOOKUP_CAPACITY: usize = 16_384;

/// Settings for the text stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextParams {
    pub language: Language,
    pub stop_words: StopWords,
    /// Index the pieces of hyphenated compounds (`multi`, `modal`) as well as the compound.
    pub split_compounds: bool,
    /// Remove markup before tokenizing ([`markup::clean`]): LaTeX, XML/HTML tags and entities,
    /// URLs, DOIs, e-mail addresses, arXiv ids and section headings.
    pub markup: bool,
}

impl Default for TextParams {
    fn default() -> Self {
        TextParams {
            language: Language::default(),
            stop_words: StopWords::english(),
            split_compounds: true,
            markup: true,
        }
    }
}

/// A document's title and text as the tokenizer reads them.
type Fields<'a> = [Cow<'a, str>; 2];

/// One document's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentTerms {
    /// Stem ids in text order, [`BREAK`] where a phrase cannot continue.
    pub sequence: Vec<u32>,
    /// Stem ids of compound pieces: counted as terms, never joined into phrases.
    pub pieces: Vec<u32>,
}

/// The output of the text stage.
#[derive(Debug, Clone)]
pub struct TokenizedCorpus {
    pub documents: Vec<DocumentTerms>,
    /// Stem strings, indexed by stem id.
    pub stems: Vec<String>,
    /// For each stem, the word form to show people (`models`, `LoRA`), indexed by stem id.
    pub surface_forms: Vec<String>,
    /// For each stem, whether it is mostly a word of its own (at least a third of its uses
    /// outside a compound): `pre` from `pre-training`, `end` from `end-to-end` and `fine` from
    /// `fine-tuning` help clustering but mean nothing on a label.
    pub standalone: Vec<bool>,
}

/// A chunk's words before the global merge: ids are local to the chunk.
struct ChunkWords<'a> {
    words: Vec<&'a str>,
    votes: Vec<SurfaceVotes>,
    documents: Vec<DocumentTerms>,
}

impl TextParams {
    /// Tokenizes, filters and stems every document. The title is analysed as part of the text.
    pub fn analyze(&self, documents: &[Document]) -> TokenizedCorpus {
        self.fit(documents, &Silent)
            .expect("silent progress never cancels")
    }

    /// Tokenizes, filters and stems every document, numbering the stems in order of first
    /// appearance, reporting tokenized documents to `progress` chunk by chunk; stops with
    /// [`crate::Error::Cancelled`] when `progress` says so.
    pub fn fit(&self, documents: &[Document], progress: &dyn Progress) -> Result<TokenizedCorpus> {
        // 1. Tokenize chunks in parallel, interning words (as written) per chunk.
        progress.measure(Work::items("documents", documents.len()));
        let fields = self.fields(documents);
        let chunks: Vec<ChunkWords<'_>> = fields
            .par_chunks(CHUNK_DOCUMENTS)
            .map(|chunk| {
                progress::check(progress)?;
                let words = self.tokenize_chunk(chunk);
                progress.advance(chunk.len() as u64);
                Ok(words)
            })
            .collect::<Result<_>>()?;

        // 2. Merge chunk words in chunk order: global word ids follow first occurrence.
        let MergedWords {
            words,
            votes,
            remaps,
        } = merge_chunks(&chunks);
        progress::check(progress)?;
        // 3. Stem each distinct word once; words with the same stem share a stem id.
        let (stems, word_to_stem) = self.stem_words(&words);
        progress::check(progress)?;
        let surface_forms = surface::choose(&words, &votes, &word_to_stem, stems.len());
        let mut uses = vec![(0u64, 0u64); stems.len()];
        for (vote, &stem) in votes.iter().zip(&word_to_stem) {
            let (alone, all) = &mut uses[stem as usize];
            *alone += u64::from(vote.standalone);
            *all += u64::from(vote.count);
        }
        let standalone = uses
            .iter()
            .map(|&(alone, all)| alone > 0 && alone * 3 >= all)
            .collect();

        // 4. Rewrite documents from chunk word ids to stem ids; once cancelled, the remaining
        // chunks are skipped and the half-made corpus dropped.
        let word_to_stem = &word_to_stem;
        let documents = chunks
            .into_par_iter()
            .zip(remaps)
            .filter(|_| !progress.cancelled())
            .flat_map_iter(|(chunk, remap)| {
                let to_stem = move |local: &u32| match *local {
                    BREAK => BREAK,
                    local => word_to_stem[remap[local as usize] as usize],
                };
                chunk.documents.into_iter().map(move |doc| DocumentTerms {
                    sequence: doc.sequence.iter().map(&to_stem).collect(),
                    pieces: doc.pieces.iter().map(&to_stem).collect(),
                })
            })
            .collect();
        progress::check(progress)?;
        Ok(TokenizedCorpus {
            documents,
            stems,
            surface_forms,
            standalone,
        })
    }

    /// Stems of the words (in parallel), interned in word order: (stem strings, stem id per word).
    fn stem_words(&self, words: &[&str]) -> (Vec<String>, Vec<u32>) {
        let stemmer = self.language.stemmer();
        let word_stems: Vec<String> = words
            .par_iter()
            .with_min_len(1024)
            .map(|word| stemmer.stem(&word.to_lowercase()))
            .collect();
        let mut stem_ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut stems: Vec<String> = Vec::new();
        let word_to_stem = word_stems
            .iter()
            .map(|stem| {
                *stem_ids.entry(stem.as_str()).or_insert_with(|| {
                    stems.push(stem.clone());
                    (stems.len() - 1) as u32
                })
            })
            .collect();
        (stems, word_to_stem)
    }

    /// Every document's title and text after the markup stage (borrowed when it is off or
    /// finds nothing), in parallel.
    fn fields<'a>(&self, documents: &'a [Document]) -> Vec<Fields<'a>> {
        documents
            .par_iter()
            .with_min_len(256)
            .map(|document| self.fields_of(document))
            .collect()
    }

    fn fields_of<'a>(&self, document: &'a Document) -> Fields<'a> {
        if self.markup {
            [
                markup::clean(&document.title),
                markup::clean(&document.text),
            ]
        } else {
            [
                Cow::Borrowed(document.title.as_str()),
                Cow::Borrowed(document.text.as_str()),
            ]
        }
    }

    fn tokenize_chunk<'a>(&self, documents: &'a [Fields<'a>]) -> ChunkWords<'a> {
        // Keyed by the word as written, so lowercasing and filtering run once per distinct form.
        // Sized for the distinct forms of a chunk of abstracts, so it seldom grows.
        let mut lookup: WordTable<'a, Option<u32>> = WordTable::with_capacity(LOOKUP_CAPACITY);
        let mut words: Vec<&'a str> = Vec::new();
        let mut votes: Vec<SurfaceVotes> = Vec::new();
        let documents = self.tokenize_documents(documents, |text, case_vote, is_piece| {
            let id = lookup.get_or_insert_with(text, || {
                self.keeps(text).then(|| {
                    words.push(text);
                    votes.push(SurfaceVotes::default());
                    (words.len() - 1) as u32
                })
            });
            if let Some(id) = id {
                votes[id as usize].record(case_vote, is_piece);
            }
            id
        });
        ChunkWords {
            words,
            votes,
            documents,
        }
    }

    /// Each document's terms, with `word_id` giving the id of a word as written (`None`: not a
    /// term), told whether its case is telling and whether it is a piece of a compound.
    fn tokenize_documents<'a>(
        &self,
        documents: &'a [Fields<'a>],
        mut word_id: impl FnMut(&'a str, bool, bool) -> Option<u32>,
    ) -> Vec<DocumentTerms> {
        let mut segments = Vec::new();
        let mut all = Vec::with_capacity(documents.len());
        for document in documents {
            // About one kept word per eight bytes of text.
            let [title, text] = document;
            let mut terms = DocumentTerms {
                sequence: Vec::with_capacity((title.len() + text.len()) / 8),
                pieces: Vec::new(),
            };
            let fields = [
                (title.as_ref(), FieldKind::Title),
                (text.as_ref(), FieldKind::Body),
            ];
            for (field, kind) in fields {
                push_break(&mut terms.sequence);
                tokenize::tokenize(field, kind, self.split_compounds, &mut segments, |token| {
                    let (text, case_vote, is_piece) = match token {
                        Token::Break => return push_break(&mut terms.sequence),
                        Token::Word { text, case_vote } => (text, case_vote, false),
                        Token::Part { text, case_vote } => (text, case_vote, true),
                    };
                    match (word_id(text, case_vote, is_piece), is_piece) {
                        (None, false) => push_break(&mut terms.sequence),
                        (None, true) => {}
                        (Some(id), true) => terms.pieces.push(id),
                        (Some(id), false) => terms.sequence.push(id),
                    }
                });
            }
            if terms.sequence.last() == Some(&BREAK) {
                terms.sequence.pop();
            }
            if terms.sequence.first() == Some(&BREAK) {
                terms.sequence.remove(0);
            }
            all.push(terms);
        }
        all
    }

    /// Whether a word as written becomes a term: at least two characters, at least one letter
    /// (so `3d` and `gpt-4` stay while `2024` and `3.5` go), and not a stop word.
    fn keeps(&self, word: &str) -> bool {
        let mut chars = word.chars();
        if chars.next().is_none() || chars.next().is_none() {
            return false;
        }
        if !word.chars().any(char::is_alphabetic) {
            return false;
        }
        let lower = word.to_lowercase();
        !self.stop_words.contains(&lower)
    }
}

impl TokenizedCorpus {
    /// The fitted analyzer for the stems `used` (ids of this corpus, in the order the fitted
    /// vectorizer numbers them): a new document's words map to those and nothing else.
    pub fn analyzer(&self, params: &TextParams, used: &[u32]) -> Analyzer {
        let mut analyzer = Analyzer {
            params: params.clone(),
            stems: used
                .iter()
                .map(|&s| self.stems[s as usize].clone())
                .collect(),
            surface_forms: used
                .iter()
                .map(|&s| self.surface_forms[s as usize].clone())
                .collect(),
            index: FxHashMap::default(),
        };
        analyzer.rebuild_index();
        analyzer
    }
}

/// The fitted text stage: the settings it was fitted with and the stems the vocabulary uses,
/// each with the word form people saw for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analyzer {
    params: TextParams,
    stems: Vec<String>,
    surface_forms: Vec<String>,
    /// Stem -> id; rebuilt from `stems` when a model is loaded.
    #[serde(skip)]
    index: FxHashMap<String, u32>,
}

/// Documents per parallel work unit of [`Analyzer::transform`]: each has its own table of word
/// forms seen, so stemming runs once per distinct word of the unit. A pure cache: the size only
/// changes speed, never a result.
const TRANSFORM_CHUNK_DOCUMENTS: usize = 1024;

impl Analyzer {
    pub fn params(&self) -> &TextParams {
        &self.params
    }

    /// Number of stems (the stem ids a transformed document uses are below it).
    pub fn stem_count(&self) -> usize {
        self.stems.len()
    }

    pub fn stems(&self) -> &[String] {
        &self.stems
    }

    pub fn surface_forms(&self) -> &[String] {
        &self.surface_forms
    }

    fn rebuild_index(&mut self) {
        self.index = self
            .stems
            .iter()
            .enumerate()
            .map(|(id, stem)| (stem.clone(), id as u32))
            .collect();
    }

    /// Checks that a loaded model's lists fit together and rebuilds the stem lookup.
    pub(crate) fn validate(&mut self) -> std::result::Result<(), String> {
        if self.stems.len() != self.surface_forms.len() {
            return Err("the analyzer's stems and word forms differ in number".into());
        }
        self.rebuild_index();
        if self.index.len() != self.stems.len() {
            return Err("the analyzer lists a stem twice".into());
        }
        Ok(())
    }

    /// Each document's stem ids, by the same tokenizer, filter and stemmer as the fit; a word
    /// whose stem the model does not know ends a phrase like a stop word. In parallel; the
    /// result does not depend on the number of threads.
    pub fn transform(&self, documents: &[Document]) -> Vec<DocumentTerms> {
        let stemmer = self.params.language.stemmer();
        documents
            .par_chunks(TRANSFORM_CHUNK_DOCUMENTS)
            .flat_map_iter(|chunk| {
                let fields: Vec<Fields<'_>> =
                    chunk.iter().map(|d| self.params.fields_of(d)).collect();
                let mut lookup: WordTable<'_, Option<u32>> =
                    WordTable::with_capacity(LOOKUP_CAPACITY);
                self.params
                    .tokenize_documents(&fields, |text, _, _| {
                        lookup.get_or_insert_with(text, || {
                            if !self.params.keeps(text) {
                                return None;
                            }
                            let stem = stemmer.stem(&text.to_lowercase());
                            self.index.get(&stem).copied()
                        })
                    })
                    .into_iter()
            })
            .collect()
    }
}

/// Every chunk's words under one global id each, with their votes summed.
struct MergedWords<'a> {
    words: Vec<&'a str>,
    votes: Vec<SurfaceVotes>,
    /// Per chunk, the global id of each of its local word ids.
    remaps: Vec<Vec<u32>>,
}

/// Merges chunk vocabularies in chunk order, so global ids follow first occurrence in the input
/// whatever the number of threads.
fn merge_chunks<'a>(chunks: &[ChunkWords<'a>]) -> MergedWords<'a> {
    let mut word_ids: FxHashMap<&str, u32> = FxHashMap::default();
    let mut words: Vec<&'a str> = Vec::new();
    let mut votes: Vec<SurfaceVotes> = Vec::new();
    let remaps = chunks
        .iter()
        .map(|chunk| {
            chunk
                .words
                .iter()
                .zip(&chunk.votes)
                .map(|(&word, vote)| {
                    let id = *word_ids.entry(word).or_insert_with(|| {
                        words.push(word);
                        votes.push(SurfaceVotes::default());
                        (words.len() - 1) as u32
                    });
                    votes[id as usize].add(vote);
                    id
                })
                .collect()
        })
        .collect();
    MergedWords {
        words,
        votes,
        remaps,
    }
}

/// A stop word, number or punctuation mark ends a phrase; repeated breaks collapse into one.
fn push_break(sequence: &mut Vec<u32>) {
    if sequence.last() != Some(&BREAK) {
        sequence.push(BREAK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, text: &str) -> Document {
        Document {
            id: "1".into(),
            title: title.into(),
            text: text.into(),
        }
    }

    fn names(corpus: &TokenizedCorpus, ids: &[u32]) -> Vec<String> {
        ids.iter()
            .map(|&id| {
                if id == BREAK {
                    "|".to_string()
                } else {
                    corpus.surface_forms[id as usize].clone()
                }
            })
            .collect()
    }

    #[test]
    fn stems_filter_and_break_phrases() {
        let corpus = TextParams::default().analyze(&[doc(
            "Language Models",
            "We train language models on 2024 data, and the models improve.",
        )]);
        let sequence = names(&corpus, &corpus.documents[0].sequence);
        assert_eq!(
            sequence,
            [
                "language", "models", "|", "train", "language", "models", "|", "data", "|",
                "models", "improve"
            ]
        );
    }

    #[test]
    fn surface_form_is_the_most_frequent_word_with_its_usual_case() {
        let corpus = TextParams::default().analyze(&[
            doc(
                "LoRA Adapters",
                "Fine-tuning with LoRA adapters. Gaussian noise is Gaussian.",
            ),
            doc("", "The adapter and adapters of LoRA."),
        ]);
        let mut forms = corpus.surface_forms.clone();
        forms.sort();
        assert!(forms.contains(&"LoRA".to_string()), "{forms:?}");
        assert!(forms.contains(&"adapters".to_string()), "{forms:?}");
        assert!(forms.contains(&"Gaussian".to_string()), "{forms:?}");
        assert!(forms.contains(&"fine-tuning".to_string()), "{forms:?}");
    }

    #[test]
    fn compound_pieces_are_indexed_separately() {
        let corpus = TextParams::default().analyze(&[doc("", "multi-modal models")]);
        assert_eq!(
            names(&corpus, &corpus.documents[0].sequence),
            ["multi-modal", "models"]
        );
        assert_eq!(
            names(&corpus, &corpus.documents[0].pieces),
            ["multi", "modal"]
        );
        let whole_only = TextParams {
            split_compounds: false,
            ..Default::default()
        }
        .analyze(&[doc("", "multi-modal models")]);
        assert!(whole_only.documents[0].pieces.is_empty());
    }

    #[test]
    fn term_ids_do_not_depend_on_chunking() {
        let docs: Vec<Document> = (0..600)
            .map(|i| doc("", &format!("word{} shared topic{}", i % 7, i % 300)))
            .collect();
        let all = TextParams::default().analyze(&docs);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let single = pool.install(|| TextParams::default().analyze(&docs));
        assert_eq!(all.stems, single.stems);
        assert_eq!(all.documents, single.documents);
    }
}
