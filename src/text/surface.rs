//! Display forms: the words as written and their counts -> one readable form per stem.

use rustc_hash::FxHashMap;

/// How often a word (exactly as written) occurs, and how often where its case is telling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SurfaceVotes {
    pub count: u32,
    pub case_votes: u32,
    /// Occurrences as a word of its own, not as a piece of a compound.
    pub standalone: u32,
}

impl SurfaceVotes {
    pub fn record(&mut self, case_vote: bool, is_piece: bool) {
        self.count += 1;
        self.case_votes += u32::from(case_vote);
        self.standalone += u32::from(!is_piece);
    }

    pub fn add(&mut self, other: &SurfaceVotes) {
        self.count += other.count;
        self.case_votes += other.case_votes;
        self.standalone += other.standalone;
    }
}

/// For each stem: the most frequent lowercase word among its forms (ties: alphabetical), written
/// in the casing most often seen where case is telling (ties and no evidence: lowercase).
pub fn choose(
    words: &[&str],
    votes: &[SurfaceVotes],
    word_to_stem: &[u32],
    stem_count: usize,
) -> Vec<String> {
    // Per stem and lowercase form: total count, then per casing its telling votes.
    let mut by_lower: Vec<FxHashMap<String, (u32, Vec<(usize, u32)>)>> =
        vec![FxHashMap::default(); stem_count];
    for (word_id, word) in words.iter().enumerate() {
        let entry = by_lower[word_to_stem[word_id] as usize]
            .entry(word.to_lowercase())
            .or_default();
        entry.0 += votes[word_id].count;
        entry.1.push((word_id, votes[word_id].case_votes));
    }
    by_lower
        .into_iter()
        .map(|forms| {
            let (lower, (_, casings)) = forms
                .into_iter()
                .max_by(|(a_lower, (a_count, _)), (b_lower, (b_count, _))| {
                    a_count.cmp(b_count).then_with(|| b_lower.cmp(a_lower))
                })
                .unwrap_or_default();
            casings
                .iter()
                .filter(|(_, case_votes)| *case_votes > 0)
                .max_by(|(a_id, a_votes), (b_id, b_votes)| {
                    a_votes
                        .cmp(b_votes)
                        .then_with(|| {
                            (words[*b_id] == lower)
                                .cmp(&(words[*a_id] == lower))
                                .reverse()
                        })
                        .then_with(|| words[*b_id].cmp(words[*a_id]))
                })
                .map_or(lower.clone(), |(id, _)| words[*id].to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(count: u32, case_votes: u32) -> SurfaceVotes {
        SurfaceVotes {
            count,
            case_votes,
            standalone: count,
        }
    }

    #[test]
    fn picks_most_frequent_form_then_telling_case() {
        let words = [
            "model", "models", "Models", "LoRA", "lora", "Large", "large",
        ];
        let all = [
            votes(3, 3),
            votes(5, 2),
            votes(4, 0),
            votes(4, 4),
            votes(1, 1),
            votes(9, 0),
            votes(2, 2),
        ];
        let stems = [0, 0, 0, 1, 1, 2, 2];
        let forms = choose(&words, &all, &stems, 3);
        assert_eq!(forms, ["models", "LoRA", "large"]);
    }

    #[test]
    fn lowercase_wins_a_tie_and_no_evidence() {
        let words = ["Graph", "graph", "Tensor"];
        let all = [votes(2, 2), votes(2, 2), votes(3, 0)];
        let forms = choose(&words, &all, &[0, 0, 1], 2);
        assert_eq!(forms, ["graph", "tensor"]);
    }
}
