//! Display forms: the words as written and their counts -> one readable form per stem.

use std::cmp::Reverse;

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

/// A word's stem id, lowercase form and word id.
type Form = (u32, String, usize);

/// For each stem: the most frequent lowercase word among its forms (ties: alphabetical), written
/// in the casing most often seen where case is telling (ties and no evidence: lowercase).
pub fn choose(
    words: &[&str],
    votes: &[SurfaceVotes],
    word_to_stem: &[u32],
    stem_count: usize,
) -> Vec<String> {
    // Sorting (stem, lowercase form) groups every stem's forms and each form's casings together.
    let mut forms: Vec<Form> = words
        .iter()
        .enumerate()
        .map(|(id, word)| (word_to_stem[id], word.to_lowercase(), id))
        .collect();
    forms.sort_unstable();
    let mut chosen = vec![String::new(); stem_count];
    for stem_forms in forms.chunk_by(|a, b| a.0 == b.0) {
        // Highest count; among equals the alphabetically first form.
        let best = stem_forms
            .chunk_by(|a, b| a.1 == b.1)
            .max_by_key(|casings| {
                let count: u32 = casings.iter().map(|(_, _, id)| votes[*id].count).sum();
                (count, Reverse(&casings[0].1))
            });
        if let Some(casings) = best {
            chosen[stem_forms[0].0 as usize] = casing(casings, words, votes);
        }
    }
    chosen
}

/// The casing with the most telling votes; lowercase wins ties and the case of no votes.
fn casing(casings: &[Form], words: &[&str], votes: &[SurfaceVotes]) -> String {
    let lower = &casings[0].1;
    casings
        .iter()
        .filter(|(_, _, id)| votes[*id].case_votes > 0)
        .max_by_key(|(_, _, id)| {
            let word = words[*id];
            (votes[*id].case_votes, word == lower.as_str(), Reverse(word))
        })
        .map_or_else(|| lower.clone(), |(_, _, id)| words[*id].to_string())
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
