//! Labelling: counts, TF-IDF rows and the documents' places -> [`Topics`] (distinctive terms
//! per topic by class-based TF-IDF, words or phrases with near-duplicates removed, a short
//! label, representative documents); and placing documents -> [`Tagged`] rows ([`place`]).

use std::cmp::Ordering;
use std::sync::OnceLock;

use rustc_hash::FxHashSet;

pub(crate) mod distinct;
pub mod novelty;
mod phrases;
pub(crate) mod place;
mod rerank;
mod together;

pub use place::Tagged;

use crate::class_tfidf::{class_scores, class_weight, topic_tf, DIVERSITY_TERMS};
use crate::cluster::Clustering;
use crate::embed::EmbedTexts;
use crate::error::{Error, Param, Result};
use crate::progress::{check, Progress};
use crate::text::TokenizedCorpus;
use crate::vectorize::{stems_of, TfIdf, Vocabulary};
use distinct::Candidate;

/// Words of research-abstract boilerplate: distinctive of no topic, so never shown in a label or
/// tag, though they take part in clustering.
const BOILERPLATE: &str = "
additionally also approach approaches achieve achieved achieves based demonstrate demonstrated
demonstrates existing introduce introduced introduces like method methods novel paper papers
particularly present presented presents propose proposed proposes proposing respectively result
results show showed shown shows specifically studies study typically use used uses using usually
work works
";

/// Words too general to name a topic on their own ("recent", "data", "challenges"), though they
/// may head or end a phrase that does ("training data", "human annotations"). A term made only
/// of these (and of [`BOILERPLATE`]) is not shown. On `data/` these were a fifth of the top terms
/// before they were hidden.
const GENERIC: &str = "
ability able across allow allows better capabilities capability challenge challenges challenging
comprehensive consider considered critical crucial current data different effective effectively
employ employed employing employs enable enabled enables end extensive first full general give
given gives good great high however human important improve improved improvement improvements
improves improving including key large let many may new obtain obtained often one overall
potential previous previously prior provide provided provides prove proved proves range recent
recently remains require required requires requiring see selected several significant
significantly simple specific strong substantial term terms two various via well wide widely
";

/// Settings for the label stage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LabelParams {
    /// Distinctive terms listed per topic.
    pub top_terms: usize,
    /// Terms joined into a topic's short label.
    pub label_terms: usize,
    /// Terms tagged on each document.
    pub tags: usize,
    /// Documents listed as typical of each topic.
    pub representatives: usize,
    /// Re-rank each topic's distinct terms. With a sentence model ([`Meaning`]): by their
    /// closeness in meaning to the topic's documents, with a penalty for terms close to those
    /// already chosen (see `rerank`). Without one: by how often they occur in the same
    /// documents as the terms already chosen (see `together`). Off: class-based TF-IDF order.
    pub rerank: bool,
}

/// What label terms are re-ranked by: every input document's sentence vector (unit length, in
/// input order) and the model that made them, to embed each candidate term.
#[derive(Clone, Copy)]
pub struct Meaning<'a> {
    pub documents: ndarray::ArrayView2<'a, f32>,
    pub model: &'a dyn EmbedTexts,
}

impl Default for LabelParams {
    fn default() -> Self {
        LabelParams {
            top_terms: 10,
            label_terms: 3,
            tags: 5,
            representatives: 3,
            rerank: true,
        }
    }
}

/// The order each topic's terms are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TermOrder {
    /// Class-based TF-IDF: the most distinctive first.
    ClassBased,
    /// Re-ranked by closeness in meaning to the topic's documents (a sentence model).
    ByMeaning,
    /// Re-ranked so that each term occurs in the same documents as those before it.
    ByCooccurrence,
}

impl std::fmt::Display for TermOrder {
    /// As `inspect` and the report's parameters say it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TermOrder::ClassBased => "class-based TF-IDF order",
            TermOrder::ByMeaning => "re-ranked by meaning (sentence model)",
            TermOrder::ByCooccurrence => "re-ranked by co-occurrence",
        })
    }
}

/// One topic, described for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub id: usize,
    pub size: usize,
    pub label: String,
    /// Most distinctive first (re-ranked by meaning: closest to the topic's documents first);
    /// near-duplicates removed.
    pub top_terms: Vec<String>,
    /// Each top term's class-based TF-IDF in the topic (how distinctive it is), in order.
    pub term_weights: Vec<f64>,
    /// Stem ids of the words of the topic's best terms, in order: the shown top terms first,
    /// then more, up to 25, for the metrics.
    pub top_stems: Vec<Vec<u32>>,
    /// Input positions of the documents closest to the centroid, closest first.
    pub representatives: Vec<usize>,
}

/// The topics described: what the writers and the report show of each.
#[derive(Debug, Clone)]
pub struct Topics {
    pub topics: Vec<Topic>,
    /// Each topic's summed sublinear count of each vocabulary term: groups of topics (the topic
    /// tree) are labelled from their sums.
    pub term_tf: Vec<Vec<f64>>,
}

impl LabelParams {
    /// The order a topic's terms are in, for a fit that had a sentence model to re-rank them
    /// by (`by_meaning`) or not.
    pub fn term_order(&self, by_meaning: bool) -> TermOrder {
        match (self.rerank, by_meaning) {
            (false, _) => TermOrder::ClassBased,
            (true, true) => TermOrder::ByMeaning,
            (true, false) => TermOrder::ByCooccurrence,
        }
    }

    pub fn check(&self) -> Result<()> {
        if self.top_terms == 0 {
            return Err(Error::param(Param::TopTerms, "must be at least 1"));
        }
        Ok(())
    }

    /// Describes each topic of `clustering` from its documents: `placed` holds every input
    /// document's place ([`place::Placer`]), `tagger` says which terms may be shown, `meaning`
    /// (with a sentence model and [`LabelParams::rerank`]) re-ranks each topic's terms. Stops
    /// with [`Error::Cancelled`] once `progress` says so.
    pub fn describe(
        &self,
        tokens: &TokenizedCorpus,
        tfidf: &TfIdf,
        (clustering, placed): (&Clustering, &[Tagged]),
        tagger: &Tagger,
        meaning: Option<&Meaning<'_>>,
        progress: &dyn Progress,
    ) -> Result<Topics> {
        let topic_of: Vec<Option<usize>> = placed.iter().map(|t| t.topic).collect();
        let shown = &tagger.shown;
        let class = ClassWeights::new(tfidf, &topic_of, clustering.sizes.len(), shown);
        check(progress)?;
        // The label takes its own number of terms, however few `--top-terms` lists; the
        // metrics judge each topic's top 25 whatever is shown.
        let wanted = self.top_terms.max(self.label_terms).max(DIVERSITY_TERMS);
        let mut candidates = class.word_candidates(tfidf, POOL_PER_TERM * wanted);
        check(progress)?;
        if !tfidf.vocabulary.has_phrases() {
            class.add_phrases(&mut candidates, tokens, &topic_of, progress);
            check(progress)?;
        }
        // Re-ranking chooses among more distinct terms than it keeps.
        let pool = if self.rerank {
            RERANK_POOL_PER_TERM * wanted
        } else {
            wanted
        };
        let mut picked: Vec<Vec<Candidate>> = candidates
            .into_iter()
            .map(|mut topic_candidates| {
                distinct::rank(&mut topic_candidates);
                distinct::pick(&topic_candidates, pool)
            })
            .collect();
        if self.rerank {
            picked = match meaning {
                Some(meaning) => by_meaning(picked, meaning, &topic_of, wanted, progress)?,
                None => by_cooccurrence(picked, tokens, self.label_terms, wanted, progress),
            };
            check(progress)?;
        }
        // Two labels leading with the same word read as the same topic (on data/ with k 8,
        // "multimodal, image, human" and "large multimodal models, LMM, image").
        let leads = distinct::leads(&picked, LEAD_DEPTH);
        let topics = picked
            .into_iter()
            .zip(leads)
            .enumerate()
            .map(|(id, (picked, lead))| self.topic(id, picked, lead, clustering.sizes[id], placed))
            .collect();
        Ok(Topics {
            topics,
            term_tf: class.tf,
        })
    }

    /// One topic from its distinct terms (best first): top terms, label (led by
    /// `picked[lead]`), representatives.
    fn topic(
        &self,
        id: usize,
        picked: Vec<Candidate>,
        lead: usize,
        size: usize,
        placed: &[Tagged],
    ) -> Topic {
        let label = picked
            .get(lead)
            .into_iter()
            .chain(
                picked
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != lead)
                    .map(|(_, c)| c),
            )
            .take(self.label_terms)
            .map(|c| c.display.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let shown = &picked[..picked.len().min(self.top_terms)];
        Topic {
            id,
            size,
            label,
            top_terms: shown.iter().map(|c| c.display.clone()).collect(),
            term_weights: shown.iter().map(|c| c.score).collect(),
            top_stems: picked.iter().map(|c| c.stems.clone()).collect(),
            representatives: self.representatives_of(id, placed),
        }
    }

    fn representatives_of(&self, topic: usize, placed: &[Tagged]) -> Vec<usize> {
        let mut members: Vec<(usize, f64)> = placed
            .iter()
            .enumerate()
            .filter(|(_, t)| t.topic == Some(topic))
            .map(|(doc, t)| (doc, t.score))
            .collect();
        members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        members
            .into_iter()
            .take(self.representatives)
            .map(|(doc, _)| doc)
            .collect()
    }
}

/// Each topic's `picked` terms (class-based TF-IDF order, distinct) re-ranked by meaning: the
/// topic's vector is the mean of its documents' sentence vectors, each term is embedded once
/// (in a sorted batch, so the vectors do not depend on the topics' order), and maximal marginal
/// relevance keeps `wanted` of them.
fn by_meaning(
    picked: Vec<Vec<Candidate>>,
    meaning: &Meaning<'_>,
    topic_of: &[Option<usize>],
    wanted: usize,
    progress: &dyn Progress,
) -> Result<Vec<Vec<Candidate>>> {
    let dims = meaning.documents.ncols();
    let mut sums = vec![vec![0.0f64; dims]; picked.len()];
    for (doc, topic) in topic_of.iter().enumerate() {
        if let Some(&topic) = topic.as_ref() {
            for (sum, &v) in sums[topic].iter_mut().zip(meaning.documents.row(doc)) {
                *sum += f64::from(v);
            }
        }
    }
    let topics: Vec<Vec<f32>> = sums
        .iter()
        .map(|sum| sum.iter().map(|&v| v as f32).collect())
        .collect();
    let mut texts: Vec<&str> = picked
        .iter()
        .flatten()
        .map(|c| c.display.as_str())
        .collect();
    texts.sort_unstable();
    texts.dedup();
    // The label stage's own progress goes on; embedding the terms only checks for a stop.
    let quiet = crate::progress::CancelOnly(progress);
    let vectors = meaning.model.embed_texts(&texts, &quiet)?;
    let row_of = |display: &str| {
        let row = texts
            .binary_search(&display)
            .expect("every candidate was embedded");
        vectors
            .row(row)
            .to_slice()
            .expect("rows of a fresh array are contiguous")
    };
    Ok(picked
        .iter()
        .zip(&topics)
        .map(|(candidates, topic)| {
            // A topic with no sentence vectors has no meaning to be close to.
            if topic.iter().all(|&v| v == 0.0) {
                return candidates.iter().take(wanted).cloned().collect();
            }
            let scored: Vec<rerank::Scored<'_>> = candidates
                .iter()
                .map(|candidate| rerank::Scored {
                    candidate,
                    vector: row_of(&candidate.display),
                })
                .collect();
            rerank::mmr(&scored, topic, rerank::DIVERSITY, wanted)
        })
        .collect())
}

/// Each topic's `picked` terms (class-based TF-IDF order, distinct) re-ranked by how often
/// they occur together in the corpus' documents (see [`together`]), the first `keep` (the
/// label's) in place, `wanted` of them kept.
fn by_cooccurrence(
    picked: Vec<Vec<Candidate>>,
    tokens: &TokenizedCorpus,
    keep: usize,
    wanted: usize,
    progress: &dyn Progress,
) -> Vec<Vec<Candidate>> {
    let lists: Vec<Vec<Vec<u32>>> = picked
        .iter()
        .map(|candidates| candidates.iter().map(|c| c.stems.clone()).collect())
        .collect();
    let lists: Vec<&[Vec<u32>]> = lists.iter().map(Vec::as_slice).collect();
    // NPMI from a fixed sample of at most about COOCCURRENCE_DOCUMENTS documents: on the 1M
    // generated corpus, counting every document doubled the label stage (2.7 s -> 5.3 s).
    let step = tokens.documents.len().div_ceil(COOCCURRENCE_DOCUMENTS);
    let (presence, columns) = crate::text::term_presence_every(tokens, &lists, step, progress);
    let tables = crate::metrics::pair_tables(&presence, &columns);
    picked
        .iter()
        .zip(&tables)
        .map(|(candidates, table)| together::order(candidates, table, keep, wanted))
        .collect()
}

/// Documents counted for [`by_cooccurrence`], at most (every n-th beyond that).
const COOCCURRENCE_DOCUMENTS: usize = 100_000;

/// Distinct terms re-ranked per term kept: twice as many as are shown and scored.
const RERANK_POOL_PER_TERM: usize = 2;

/// How far down its list a topic looks for a leading term no other topic leads with: the
/// label's own terms and a few more, so a lead is still one of the topic's best.
const LEAD_DEPTH: usize = 6;

/// Candidate terms gathered per shown term: near-duplicates and phrases need a deeper pool than
/// the list they fill.
const POOL_PER_TERM: usize = 3;
/// A label phrase must occur in at least this many of its topic's documents.
const PHRASE_MIN_DOCUMENTS: u32 = 2;

fn is_boilerplate(word: &str) -> bool {
    static WORDS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| BOILERPLATE.split_whitespace().collect());
    words.contains(word.to_lowercase().as_str())
}

fn is_generic(word: &str) -> bool {
    static WORDS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| GENERIC.split_whitespace().collect());
    words.contains(word.to_lowercase().as_str()) || is_boilerplate(word)
}

/// Whether a term may be shown: no boilerplate word, not made only of generic words, and not
/// number-only or one letter (`7B` stays: it names a model size).
fn may_show(label: &str) -> bool {
    let has_letters = label.chars().filter(|c| c.is_alphabetic()).count() >= 2;
    has_letters && !label.split(' ').any(is_boilerplate) && !label.split(' ').all(is_generic)
}

/// Which terms may be shown: not pieces mostly seen inside compounds, not abstract boilerplate,
/// not generic words alone.
pub(crate) fn shown_terms(vocabulary: &Vocabulary) -> Vec<bool> {
    vocabulary
        .labels
        .iter()
        .zip(&vocabulary.displayable)
        .map(|(label, &displayable)| displayable && may_show(label))
        .collect()
}

/// A document's tags: its own highest-weighted terms among those that may be shown. Built from
/// the vocabulary alone, so the fit and a saved model tag a document alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagger {
    pub(crate) shown: Vec<bool>,
    count: usize,
}

impl Tagger {
    pub fn new(vocabulary: &Vocabulary, count: usize) -> Self {
        Tagger {
            shown: shown_terms(vocabulary),
            count,
        }
    }

    /// The tags of one weighted row (sorted columns, values), best first (ties: lower column).
    pub fn tag(&self, cols: &[u32], values: &[f32], vocabulary: &Vocabulary) -> Vec<String> {
        let pairs = cols
            .iter()
            .map(|&c| c as usize)
            .zip(values.iter().map(|&v| f64::from(v)))
            .filter(|&(col, _)| self.shown[col]);
        top_columns(pairs, self.count)
            .into_iter()
            .map(|col| vocabulary.labels[col].clone())
            .collect()
    }
}

/// Class-based TF-IDF of every term in every topic, hidden terms zeroed: for topic c and
/// term t, `w(t, c) = tf(t, c) / |c| * ln(1 + A / f(t))`, where `tf(t, c)` sums the sublinear
/// counts (1 + ln n) of t over c's documents, `|c|` is the sum of all of c's tf, `f(t)` the sum
/// of t's tf over all topics and `A` the mean `|c|`. A term scores high when it is frequent in
/// the topic and rare elsewhere; sublinear counts keep one verbose document from naming its
/// topic.
struct ClassWeights {
    tf: Vec<Vec<f64>>,
    scores: Vec<Vec<f64>>,
    topic_totals: Vec<f64>,
    average: f64,
}

impl ClassWeights {
    fn new(tfidf: &TfIdf, topic_of: &[Option<usize>], topics: usize, shown: &[bool]) -> Self {
        let tf = topic_tf(&tfidf.counts, topic_of.iter().copied(), topics);
        let (mut scores, topic_totals, average) = class_scores(&tf);
        for topic_scores in &mut scores {
            hide_terms(topic_scores, shown);
        }
        ClassWeights {
            tf,
            scores,
            topic_totals,
            average,
        }
    }

    /// Each topic's `pool` best columns as candidates.
    fn word_candidates(&self, tfidf: &TfIdf, pool: usize) -> Vec<Vec<Candidate>> {
        let vocabulary = &tfidf.vocabulary;
        self.scores
            .iter()
            .zip(&self.tf)
            .map(|(scores, tf)| {
                top_columns(scores.iter().copied().enumerate(), pool)
                    .into_iter()
                    .map(|col| Candidate {
                        display: vocabulary.labels[col].clone(),
                        stems: match stems_of(vocabulary.keys[col]) {
                            (None, word) => vec![word],
                            (Some(first), second) => vec![first, second],
                        },
                        tf: tf[col],
                        score: scores[col],
                    })
                    .collect()
            })
            .collect()
    }

    /// Adds to each topic the phrases formed around its candidate words, weighted on the same
    /// scale as the words, so that `language model` competes with `language` and `model`.
    fn add_phrases(
        &self,
        candidates: &mut [Vec<Candidate>],
        tokens: &TokenizedCorpus,
        topic_of: &[Option<usize>],
        progress: &dyn Progress,
    ) {
        let stems = tokens.stems.len();
        let mut words = phrases::TopicWords::new(candidates.len(), stems);
        for (topic, topic_candidates) in candidates.iter().enumerate() {
            for candidate in topic_candidates {
                if let [stem] = candidate.stems[..] {
                    words.insert(topic, stem);
                }
            }
        }
        let usable: Vec<bool> = tokens
            .surface_forms
            .iter()
            .zip(&tokens.standalone)
            .map(|(form, &standalone)| standalone && !is_boilerplate(form))
            .collect();
        let (per_topic, totals) = phrases::count(
            tokens,
            topic_of,
            &words,
            &usable,
            candidates.len(),
            PHRASE_MIN_DOCUMENTS,
            progress,
        );
        for ((topic_candidates, found), &total) in
            candidates.iter_mut().zip(per_topic).zip(&self.topic_totals)
        {
            for phrase in found {
                let all = totals.get(&phrase.stems).copied().unwrap_or(phrase.tf);
                topic_candidates.push(Candidate {
                    display: phrases::display(&phrase.stems, &tokens.surface_forms),
                    stems: phrase.stems,
                    tf: phrase.tf,
                    score: class_weight(phrase.tf, total, all, self.average),
                });
            }
        }
    }
}

/// Zeroes the weights of hidden terms, unless the topic has nothing else: a topic made only of
/// hidden terms is labelled by them, which says more than an empty label.
fn hide_terms(weights: &mut [f64], shown: &[bool]) {
    if !weights.iter().zip(shown).any(|(w, s)| *s && *w > 0.0) {
        return;
    }
    for (weight, _) in weights.iter_mut().zip(shown).filter(|(_, shown)| !**shown) {
        *weight = 0.0;
    }
}

/// The `n` columns with the highest positive weight (ties: lower column first).
pub(crate) fn top_columns(weights: impl Iterator<Item = (usize, f64)>, n: usize) -> Vec<usize> {
    let mut positive: Vec<(usize, f64)> = weights.filter(|(_, w)| *w > 0.0).collect();
    let by_weight = |a: &(usize, f64), b: &(usize, f64)| -> Ordering {
        b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
    };
    if positive.len() > n {
        positive.select_nth_unstable_by(n, by_weight);
        positive.truncate(n);
    }
    positive.sort_by(by_weight);
    positive.into_iter().map(|(col, _)| col).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::ClusterParams;
    use crate::progress::Silent;
    use crate::read::Document;
    use crate::reduce::{Embedding, ReduceParams};
    use crate::text::TextParams;
    use crate::vectorize::VectorizeParams;

    fn pipeline(texts: &[&str], k: usize) -> (TokenizedCorpus, TfIdf, Embedding, Clustering) {
        use crate::progress::Silent;
        use crate::seed::Seed;
        let docs: Vec<Document> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: i.to_string(),
                title: String::new(),
                text: t.to_string(),
            })
            .collect();
        let tokens = TextParams::default().analyze(&docs);
        let vectorize = VectorizeParams {
            min_df: 1,
            max_df: 1.0,
            ..Default::default()
        };
        let tfidf = vectorize.fit(&tokens, &Silent).expect("tfidf").tfidf;
        let lsa = ReduceParams::default()
            .fit(&tfidf, Seed(0), &Silent)
            .expect("lsa");
        let embedding = lsa.embed(&tfidf, &Silent).expect("embed");
        let clustering = ClusterParams::default()
            .fit(&embedding, k, Seed(0), &Silent)
            .expect("kmeans");
        (tokens, tfidf, embedding, clustering)
    }

    /// The topics of `texts` in `k` clusters, and every document placed.
    fn described(texts: &[&str], k: usize) -> (Topics, Vec<Tagged>) {
        let (tokens, tfidf, embedding, clustering) = pipeline(texts, k);
        let tagger = Tagger::new(&tfidf.vocabulary, LabelParams::default().tags);
        let mut row_of = vec![None; tfidf.weights.rows()];
        for (row, &doc) in embedding.documents.iter().enumerate() {
            row_of[doc] = Some(row);
        }
        let placed = place::Placer {
            centroids: &clustering.centroids,
            tagger: &tagger,
            vocabulary: &tfidf.vocabulary,
            top: None,
            novelty: None,
        }
        .place(&tfidf.weights, embedding.rows.view(), |doc| row_of[doc]);
        let topics = LabelParams::default()
            .describe(
                &tokens,
                &tfidf,
                (&clustering, &placed),
                &tagger,
                None,
                &Silent,
            )
            .expect("describe");
        (topics, placed)
    }

    #[test]
    fn distinctive_terms_name_each_topic() {
        let texts = [
            // No two words follow each other twice, so no phrase competes with the words.
            "galaxy stars telescope galaxy",
            "stars orbit galaxy telescope",
            "telescope stars galaxy",
            "protein cell gene protein",
            "gene cell protein enzyme",
            "gene enzyme cell",
            "",
        ];
        let (topics, placed) = described(&texts, 2);
        assert_eq!(topics.topics.len(), 2);
        let astro = topics
            .topics
            .iter()
            .find(|t| t.top_terms.contains(&"galaxy".to_string()))
            .expect("astro");
        assert!(!astro.top_terms.contains(&"protein".to_string()));
        assert_eq!(astro.size, 3);
        assert_eq!(astro.representatives.len(), 3);
        assert!(astro.representatives.iter().all(|&d| d < 3));
        assert_eq!(placed[6], Tagged::none());
        assert_eq!(placed[0].tags[0], "galaxy");
    }

    #[test]
    fn boilerplate_never_labels_a_topic_or_tags_a_document() {
        let texts = [
            "we propose galaxy survey results",
            "results galaxy survey proposed",
            "proposed protein folding results",
            "results protein folding propose",
        ];
        let (topics, placed) = described(&texts, 2);
        for topic in &topics.topics {
            assert!(
                topic
                    .top_terms
                    .iter()
                    .all(|t| t != "results" && !t.starts_with("propos")),
                "{:?}",
                topic.top_terms
            );
        }
        assert!(placed.iter().flat_map(|t| &t.tags).all(|t| t != "results"));
    }

    #[test]
    fn a_topic_of_boilerplate_only_still_gets_a_label() {
        let texts = [
            "galaxy survey stars",
            "galaxy survey stars",
            "results proposed",
            "results proposed",
        ];
        let (topics, _) = described(&texts, 2);
        assert_eq!(topics.topics.len(), 2);
        for topic in &topics.topics {
            assert!(!topic.label.is_empty(), "{:?}", topic);
        }
    }

    #[test]
    fn top_columns_orders_by_weight_then_column() {
        let weights = [(0, 0.5), (1, 0.9), (2, 0.5), (3, 0.0), (4, 0.7)];
        assert_eq!(top_columns(weights.into_iter(), 3), [1, 4, 0]);
        assert_eq!(top_columns(weights.into_iter(), 10), [1, 4, 0, 2]);
    }

    #[test]
    fn class_tfidf_prefers_terms_rare_in_other_topics() {
        let (topics, _) = described(
            &["alpha shared", "alpha shared", "beta shared", "beta shared"],
            2,
        );
        for topic in &topics.topics {
            assert_ne!(topic.top_terms[0], "shared", "{:?}", topic.top_terms);
        }
    }
}
