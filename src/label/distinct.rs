//! Near-duplicate control: a topic's candidate terms, best first -> the distinct terms to show,
//! so `model` / `models`, `LMM` / `LMMs`, `low-rank` / `rank` or `network` / `neural network`
//! never take two places in one topic's list.

/// A term that may describe a topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// What people see (`neural network`, `LoRA`).
    pub display: String,
    /// Stem ids of the term's words, in order.
    pub stems: Vec<u32>,
    /// Weight of the term inside the topic (sum of sublinear counts).
    pub tf: f64,
    /// Class-based TF-IDF: how distinctive the term is for the topic.
    pub score: f64,
}

#[cfg(test)]
impl Candidate {
    /// A one-word candidate for the label tests: `display` with a weight of 1 and `score`.
    pub(crate) fn scored(display: &str, score: f64) -> Self {
        Candidate {
            display: display.to_string(),
            stems: vec![0],
            tf: 1.0,
            score,
        }
    }
}

/// A longer term replaces the shorter ones it contains (`neural network` for `network`) when it
/// carries at least this share of their weight in the topic; below that the shorter, broader
/// term stays and the phrase is dropped as a near-duplicate.
const PHRASE_SHARE: f64 = 0.4;

/// Orders candidates best first: by score, ties by display text, so the choice never depends on
/// the order they were gathered in.
pub fn rank(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.display.cmp(&b.display))
    });
}

/// Up to `wanted` distinct terms from `ranked` (best first). A candidate is skipped when every
/// word of it is already shown; when it contains terms already chosen, it takes the place of the
/// first of them if it carries [`PHRASE_SHARE`] of their weight, else it is skipped. The whole
/// pool is walked before the list is cut, so a phrase ranked below its words still merges them.
pub fn pick(ranked: &[Candidate], wanted: usize) -> Vec<Candidate> {
    let mut chosen: Vec<(Candidate, Vec<String>)> = Vec::new();
    for candidate in ranked {
        let written = spelling(&candidate.display);
        if chosen.iter().any(|(c, _)| {
            let other = spelling(&c.display);
            other == written || is_degree_of(&written, &other) || is_degree_of(&other, &written)
        }) {
            continue;
        }
        let keys = word_keys(&candidate.display);
        let inside: Vec<usize> = chosen
            .iter()
            .enumerate()
            .filter(|(_, (_, chosen_keys))| {
                chosen_keys
                    .iter()
                    .all(|c| keys.iter().any(|k| k == c || ends_with_word(k, c)))
            })
            .map(|(index, _)| index)
            .collect();
        if let Some(&first) = inside.first() {
            let heaviest = inside
                .iter()
                .map(|&i| chosen[i].0.tf)
                .fold(0.0f64, f64::max);
            if candidate.tf < PHRASE_SHARE * heaviest {
                continue;
            }
            chosen[first] = (candidate.clone(), keys);
            for &later in inside[1..].iter().rev() {
                chosen.remove(later);
            }
            continue;
        }
        let covered = keys.iter().all(|k| {
            chosen
                .iter()
                .any(|(_, chosen_keys)| chosen_keys.iter().any(|c| c == k || ends_with_word(c, k)))
        });
        if !covered {
            chosen.push((candidate.clone(), keys));
        }
    }
    chosen.truncate(wanted);
    chosen.into_iter().map(|(candidate, _)| candidate).collect()
}

/// Each topic's leading term, as an index into its `picked` list (best first), so that no two
/// topics lead with the same word in any form (`multimodal` and `large multimodal models`).
/// Topics claim leads in order of their first term's score, strongest first: the topic the word
/// is most distinctive for keeps it, and the others lead with their best term not yet claimed
/// (looking no further than `depth` terms down; with none free, a topic keeps its best).
pub fn leads(picked: &[Vec<Candidate>], depth: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..picked.len()).collect();
    let best = |t: usize| picked[t].first().map_or(f64::NEG_INFINITY, |c| c.score);
    order.sort_by(|&a, &b| best(b).total_cmp(&best(a)).then(a.cmp(&b)));
    let mut claimed: Vec<String> = Vec::new();
    let mut leads = vec![0; picked.len()];
    for topic in order {
        let free = picked[topic].iter().take(depth).position(|c| {
            let keys = word_keys(&c.display);
            !keys.iter().any(|k| {
                claimed
                    .iter()
                    .any(|c| c == k || ends_with_word(k, c) || ends_with_word(c, k))
            })
        });
        leads[topic] = free.unwrap_or(0);
        if let Some(lead) = picked[topic].get(leads[topic]) {
            claimed.extend(word_keys(&lead.display));
        }
    }
    leads
}

/// The words a term is made of, folded so that variants meet: lowercase, a plural or
/// possessive `s` dropped (`LMMs` -> `lmm`), and a hyphenated compound also contributing its
/// pieces and its unhyphenated spelling (`multi-modal` -> `multi-modal`, `multimodal`, `multi`,
/// `modal`). Sorted and unique.
fn word_keys(display: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for word in display.split(' ').filter(|w| !w.is_empty()) {
        let word = word.to_lowercase();
        keys.push(fold(&word));
        if word.contains('-') {
            keys.push(fold(&word.replace('-', "")));
            keys.extend(word.split('-').filter(|p| !p.is_empty()).map(fold));
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Whether `word` is the last part of a longer closed compound (`modal` of `multimodal`,
/// `parameter` of `hyperparameter`): both parts at least four letters, so `text` is not taken
/// for a part of `context`.
fn ends_with_word(longer: &str, word: &str) -> bool {
    word.chars().count() >= 4 && longer.len() >= word.len() + 4 && longer.ends_with(word)
}

/// A term with case, plural `s` and hyphens folded away: `Multi-modal LLMs` and
/// `multimodal LLM` are one term written two ways.
fn spelling(display: &str) -> String {
    display
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| fold(&w.to_lowercase().replace('-', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether one-word term `word` is `base` with a comparative or superlative ending: `longer`
/// and `longest` of `long`, `larger` of `large`, `bigger` of `big`; also an agent noun of the
/// same shape (`learner` of `learn`, `encoder` of `encode`), which reads as a repeat beside
/// it. The stemmer keeps these apart; on `data/` a topic of long-context papers read "context
/// lengths, long, longer".
fn is_degree_of(word: &str, base: &str) -> bool {
    if base.len() < 3 || base.contains(' ') || word.contains(' ') {
        return false;
    }
    let Some(rest) = word.strip_prefix(base) else {
        return false;
    };
    if base.ends_with('e') {
        return matches!(rest, "r" | "st");
    }
    // `big` -> `bigger`: the last letter may be doubled.
    let doubled = base
        .chars()
        .last()
        .and_then(|last| rest.strip_prefix(last))
        .unwrap_or(rest);
    matches!(rest, "er" | "est") || matches!(doubled, "er" | "est")
}

fn fold(word: &str) -> String {
    let word = word.strip_suffix("'s").unwrap_or(word);
    let word = match word.strip_suffix('s') {
        Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem,
        _ => word,
    };
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(display: &str, tf: f64, score: f64) -> Candidate {
        Candidate {
            display: display.to_string(),
            stems: vec![],
            tf,
            score,
        }
    }

    fn shown(candidates: &[Candidate], wanted: usize) -> Vec<String> {
        let mut ranked = candidates.to_vec();
        rank(&mut ranked);
        pick(&ranked, wanted)
            .into_iter()
            .map(|c| c.display)
            .collect()
    }

    #[test]
    fn folds_plurals_possessives_and_compounds() {
        assert_eq!(word_keys("LMMs"), ["lmm"]);
        assert_eq!(word_keys("LMM"), ["lmm"]);
        assert_eq!(word_keys("class"), ["class"]);
        assert_eq!(word_keys("gas"), ["gas"]);
        assert_eq!(
            word_keys("multi-modal"),
            ["modal", "multi", "multi-modal", "multimodal"]
        );
        assert_eq!(word_keys("neural networks"), ["network", "neural"]);
    }

    #[test]
    fn comparatives_and_superlatives_of_a_shown_word_are_skipped() {
        let ranked = [
            candidate("long", 5.0, 5.0),
            candidate("longer", 4.0, 4.0),
            candidate("large", 3.5, 3.5),
            candidate("largest", 3.0, 3.0),
            candidate("big", 2.5, 2.5),
            candidate("bigger", 2.0, 2.0),
            candidate("lengths", 1.5, 1.5),
            candidate("encoder", 1.2, 1.2),
            candidate("encode", 1.0, 1.0),
            candidate("lengthy", 0.9, 0.9),
        ];
        assert_eq!(
            shown(&ranked, 20),
            ["long", "large", "big", "lengths", "encoder", "lengthy"]
        );
        assert!(!is_degree_of("lengths", "long"));
        assert!(!is_degree_of("bigot", "big"));
        assert!(is_degree_of("finest", "fine"));
        // A base ending in a letter of more than one byte.
        assert!(!is_degree_of("cafées", "café"));
        assert!(is_degree_of("caféer", "café"));
    }

    #[test]
    fn a_variant_of_a_shown_word_is_skipped() {
        let list = [
            candidate("LMMs", 10.0, 0.9),
            candidate("vision", 8.0, 0.8),
            candidate("LMM", 7.0, 0.7),
            candidate("video", 5.0, 0.6),
        ];
        assert_eq!(shown(&list, 3), ["LMMs", "vision", "video"]);
    }

    #[test]
    fn a_frequent_phrase_replaces_its_words() {
        let list = [
            candidate("network", 10.0, 0.9),
            candidate("graph", 9.0, 0.8),
            candidate("neural network", 6.0, 0.7),
            candidate("neural", 6.5, 0.6),
            candidate("training", 4.0, 0.5),
        ];
        assert_eq!(
            shown(&list, 3),
            ["neural network", "graph", "training"],
            "the phrase takes the word's place and its other word is covered"
        );
    }

    #[test]
    fn a_rare_phrase_does_not_displace_a_broad_word() {
        let list = [
            candidate("graph", 20.0, 0.9),
            candidate("graph neural", 3.0, 0.8),
            candidate("molecule", 5.0, 0.7),
        ];
        assert_eq!(shown(&list, 2), ["graph", "molecule"]);
    }

    #[test]
    fn a_phrase_merges_two_shown_words() {
        let list = [
            candidate("language", 10.0, 0.9),
            candidate("model", 12.0, 0.8),
            candidate("speech", 4.0, 0.75),
            candidate("language model", 8.0, 0.7),
            candidate("tokens", 3.0, 0.6),
        ];
        assert_eq!(
            shown(&list, 3),
            ["language model", "speech", "tokens"],
            "both words give way to the phrase, which keeps the first one's place"
        );
    }

    #[test]
    fn phrases_sharing_one_word_both_stay_and_cover_it() {
        let list = [
            candidate("reinforcement learning", 6.0, 0.9),
            candidate("deep learning", 5.0, 0.8),
            candidate("learning", 12.0, 0.7),
            candidate("policy", 4.0, 0.6),
        ];
        assert_eq!(
            shown(&list, 3),
            ["reinforcement learning", "deep learning", "policy"]
        );
    }

    #[test]
    fn compounds_cover_their_pieces() {
        let list = [
            candidate("low-rank", 6.0, 0.9),
            candidate("rank", 6.0, 0.8),
            candidate("LoRA", 5.0, 0.7),
            candidate("low", 5.0, 0.6),
            candidate("multimodal", 5.0, 0.5),
            candidate("multi-modal", 5.0, 0.4),
        ];
        assert_eq!(shown(&list, 4), ["low-rank", "LoRA", "multimodal"]);
    }

    #[test]
    fn the_tail_of_a_closed_compound_is_covered() {
        let list = [
            candidate("multimodal", 9.0, 0.9),
            candidate("image", 8.0, 0.8),
            candidate("modal", 7.0, 0.7),
            candidate("video", 5.0, 0.6),
            candidate("deo", 5.0, 0.5),
        ];
        assert_eq!(shown(&list, 4), ["multimodal", "image", "video", "deo"]);
        // Ranked the other way, the compound takes the tail's place if it weighs enough.
        let list = [
            candidate("modal", 9.0, 0.9),
            candidate("image", 8.0, 0.8),
            candidate("multimodal", 7.0, 0.7),
        ];
        assert_eq!(shown(&list, 2), ["multimodal", "image"]);
    }

    #[test]
    fn two_topics_never_lead_with_the_same_word() {
        let picked = vec![
            vec![
                candidate("multimodal", 5.0, 0.9),
                candidate("image", 3.0, 0.5),
            ],
            vec![
                candidate("large multimodal models", 4.0, 0.95),
                candidate("LMMs", 3.0, 0.7),
            ],
            vec![
                candidate("Multi-modal", 2.0, 0.4),
                candidate("video", 2.0, 0.3),
            ],
            vec![candidate("memory", 2.0, 0.8)],
        ];
        // The strongest claim on "multimodal" wins; the others lead with their next term.
        assert_eq!(leads(&picked, 5), vec![1, 0, 1, 0]);
        // With nothing free within reach, a topic keeps its best term.
        assert_eq!(leads(&picked[..2], 1), vec![0, 0]);
    }

    #[test]
    fn ties_are_broken_by_text() {
        let list = [candidate("beta", 1.0, 0.5), candidate("alpha", 1.0, 0.5)];
        assert_eq!(shown(&list, 2), ["alpha", "beta"]);
    }
}
