//! A new fit and the model it follows -> which new topic continues which old one (keeping its
//! id), which are new, gone, split or merged, and the new topics' ids.
//!
//! Two signals, both in a space the two models share. **Documents**: the previous model tags
//! the new fit's documents (its own analyzer, vocabulary and weighting, so the two models may
//! differ in all three), which gives each document an old topic beside its new one; the
//! contingency of the two says where each old topic's documents went and where each new
//! topic's came from. **Words**: each topic's centroid, centred on its model's size-weighted
//! mean and taken back through the LSA loadings, is a weight on every term of its vocabulary;
//! the `similarity` of two topics is the cosine of those profiles over the stems both
//! vocabularies hold.
//!
//! The rules, after MONIC (Spiliopoulou et al., 2006), with `MAJORITY` = 0.5, in this order:
//! an old topic from which the majority of the documents of two or more new topics came, and
//! which they hold the majority of, is **split** (each piece with word similarity at least
//! `PIECE_SIMILARITY` and `PIECE_RATIO` of the best piece's); two or more old topics the
//! majority of whose documents went to one new topic **merged** into it (the same similarity
//! rule); of the rest, the most similar pair first, an old topic **continues** as a new one
//! when their words agree (at least `CONTINUED_SIMILARITY`) and their documents point the same
//! way (the new topic holds the most of the old one's documents, or the old one gave the new
//! one the most of its own); a new topic left is **new**, an old one **gone**. Measured
//! (`bench/persistence.py`): see the README's *Topics that persist*.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{TopicModel, TopicSummary};
use crate::error::Result;
use crate::label::Tagged;
use crate::read::Document;

/// A share of a topic's documents that counts as most of them.
pub const MAJORITY: f64 = 0.5;
/// Word similarity a continued topic needs. Topics that continue score 0.73-0.97 (a random half
/// of arxiv 4 fields or 20 Newsgroups' 4 categories refitted whole), a new topic at most 0.35
/// against any old one; on the 110-paper digest, refitted after 80 of its papers, pairs that
/// read as the same theme score 0.47-0.60 and one that does not ("large vision-language
/// models, reasoning, captions" and "scale, dataset, systematic") 0.40.
pub const CONTINUED_SIMILARITY: f64 = 0.45;
/// Word similarity between a topic and its parent in a split, or its sources in a merge: a new
/// theme whose documents the previous model had put into one of its topics shares the
/// documents with it, not the words.
pub const PIECE_SIMILARITY: f64 = 0.2;
/// And at least this share of the best piece's (or source's) similarity: the pieces of a split
/// are alike in how much of their parent they carry (0.24-0.42 each when 3 topics become 5),
/// while a topic that continues with a new theme beside it carries nearly all (0.9 against
/// 0.22-0.27 for the new theme).
pub const PIECE_RATIO: f64 = 0.5;

/// What became of a topic between the previous model and the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    New,
    Gone,
    Split,
    Merged,
    Continued,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Gone => "gone",
            Status::Split => "split",
            Status::Merged => "merged",
            Status::Continued => "continued",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `topic_changes.csv`: an old topic, a new one, or a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicChange {
    /// The old topic's id (`None` for a new topic).
    pub old_topic: Option<usize>,
    /// The new topic's id (`None` for a gone topic).
    pub new_topic: Option<usize>,
    pub status: Status,
    /// Cosine of the two topics' term profiles; for a new or gone topic, its best against any
    /// topic of the other model.
    pub similarity: f64,
    pub old_label: String,
    pub new_label: String,
}

/// Where a model comes from: the previous model's SHA-256 (of its file's bytes), and what
/// became of its topics in counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    pub previous_sha256: String,
    pub continued: usize,
    pub new: usize,
    pub gone: usize,
    pub split: usize,
    pub merged: usize,
}

/// The previous model and its topic for each of the new fit's documents, made before the fit
/// (the texts may be freed once analysed): [`crate::FitInput::previous`].
#[derive(Debug, Clone)]
pub struct Previous<'a> {
    pub(crate) model: &'a TopicModel,
    pub(crate) sha256: String,
    /// Per input document, its old topic position; `None` without a term the old model knows
    /// or when the old model calls it novel.
    pub(crate) topics: Vec<Option<usize>>,
}

impl<'a> Previous<'a> {
    /// Tags `documents` with `model` (the new fit's documents, in its order). A model fitted
    /// with sentence vectors needs the same vectors as `tag` does ([`super::TagInput`]).
    pub fn new(
        model: &'a TopicModel,
        documents: &[Document],
        input: &super::TagInput<'_>,
    ) -> Result<Previous<'a>> {
        let tagged = model.tag_with(documents, input)?;
        Ok(Self::from_tagged(model, &tagged))
    }

    /// [`Previous::new`] from rows the model already tagged.
    pub fn from_tagged(model: &'a TopicModel, tagged: &[Tagged]) -> Previous<'a> {
        let sha256 = hex(&Sha256::digest(model.to_bytes().unwrap_or_default()));
        let topics = tagged
            .iter()
            .map(|t| t.topic.filter(|_| !t.novel))
            .collect();
        Previous {
            model,
            sha256,
            topics,
        }
    }

    /// Documents it was made for.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Matches `new`'s topics (positions, with `placed` the new fit's documents) to the previous
/// model's: returns each new position's id and the changes. Ids of continued topics are the old
/// ones; the others get ids from the previous model's `next_id` up, largest topic first.
pub(crate) fn follow(
    previous: &Previous<'_>,
    new: &TopicModel,
    placed: &[Tagged],
) -> (Vec<usize>, Vec<TopicChange>) {
    let old = previous.model;
    let (k_old, k_new) = (old.topics.len(), new.topics.len());
    let mut counts = vec![vec![0usize; k_new]; k_old];
    for (o, t) in previous.topics.iter().zip(placed) {
        if let (Some(o), Some(n)) = (*o, t.topic) {
            counts[o][n] += 1;
        }
    }
    let old_size: Vec<usize> = counts.iter().map(|row| row.iter().sum()).collect();
    let new_size: Vec<usize> = (0..k_new)
        .map(|n| counts.iter().map(|row| row[n]).sum())
        .collect();
    let share = |part: usize, whole: usize| {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    };
    let similar = similarity(old, new);
    let mut old_of: Vec<Option<usize>> = vec![None; k_new];
    let mut status_old: Vec<Option<Status>> = vec![None; k_old];
    let mut status_new: Vec<Option<Status>> = vec![None; k_new];
    let mut pairs: Vec<(usize, usize, Status)> = Vec::new();
    // Split: an old topic that most of the documents of two or more new topics came from, and
    // that they hold most of.
    for o in 0..k_old {
        let pieces: Vec<usize> = (0..k_new)
            .filter(|&n| {
                share(counts[o][n], new_size[n]) >= MAJORITY && similar[o][n] >= PIECE_SIMILARITY
            })
            .collect();
        let best = pieces.iter().map(|&n| similar[o][n]).fold(0.0, f64::max);
        let pieces: Vec<usize> = pieces
            .into_iter()
            .filter(|&n| similar[o][n] >= PIECE_RATIO * best)
            .collect();
        let held: usize = pieces.iter().map(|&n| counts[o][n]).sum();
        if pieces.len() >= 2 && share(held, old_size[o]) >= MAJORITY {
            status_old[o] = Some(Status::Split);
            for n in pieces {
                status_new[n] = Some(Status::Split);
                pairs.push((o, n, Status::Split));
            }
        }
    }
    // Merged: two or more old topics most of whose documents went to one new topic.
    for n in 0..k_new {
        if status_new[n].is_some() {
            continue;
        }
        let sources: Vec<usize> = (0..k_old)
            .filter(|&o| {
                status_old[o].is_none()
                    && share(counts[o][n], old_size[o]) >= MAJORITY
                    && similar[o][n] >= PIECE_SIMILARITY
            })
            .collect();
        let best = sources.iter().map(|&o| similar[o][n]).fold(0.0, f64::max);
        let sources: Vec<usize> = sources
            .into_iter()
            .filter(|&o| similar[o][n] >= PIECE_RATIO * best)
            .collect();
        if sources.len() >= 2 {
            status_new[n] = Some(Status::Merged);
            for &o in &sources {
                status_old[o] = Some(Status::Merged);
                pairs.push((o, n, Status::Merged));
            }
        }
    }
    // Continued: of the rest, the most similar pair first, while their words agree enough and
    // their documents point the same way (the new topic holds the most of the old one's
    // documents, or the old one gave the new one the most of its own).
    let plurality_new = |o: usize| (0..k_new).max_by_key(|&n| (counts[o][n], std::cmp::Reverse(n)));
    let plurality_old = |n: usize| (0..k_old).max_by_key(|&o| (counts[o][n], std::cmp::Reverse(o)));
    let mut candidates: Vec<(usize, usize)> = (0..k_old)
        .flat_map(|o| (0..k_new).map(move |n| (o, n)))
        .filter(|&(o, n)| {
            similar[o][n] >= CONTINUED_SIMILARITY
                && counts[o][n] > 0
                && (plurality_new(o) == Some(n) || plurality_old(n) == Some(o))
        })
        .collect();
    candidates.sort_by(|a, b| {
        similar[b.0][b.1]
            .total_cmp(&similar[a.0][a.1])
            .then(a.cmp(b))
    });
    for (o, n) in candidates {
        if status_old[o].is_none() && status_new[n].is_none() {
            old_of[n] = Some(o);
            status_old[o] = Some(Status::Continued);
            status_new[n] = Some(Status::Continued);
            pairs.push((o, n, Status::Continued));
        }
    }
    // Ids: continued topics keep theirs; every other new topic gets a fresh one, largest first.
    let mut next = old.next_id();
    let ids: Vec<usize> = (0..k_new)
        .map(|n| match old_of[n] {
            Some(o) => old.topics[o].id,
            None => {
                next += 1;
                next - 1
            }
        })
        .collect();
    let label = |topics: &[TopicSummary], i: usize| topics[i].label.clone();
    let best_new = |o: usize| similar[o].iter().copied().fold(0.0, f64::max);
    let best_old = |n: usize| (0..k_old).map(|o| similar[o][n]).fold(0.0, f64::max);
    let mut changes: Vec<TopicChange> = pairs
        .iter()
        .map(|&(o, n, status)| TopicChange {
            old_topic: Some(old.topics[o].id),
            new_topic: Some(ids[n]),
            status,
            similarity: similar[o][n],
            old_label: label(&old.topics, o),
            new_label: label(&new.topics, n),
        })
        .collect();
    for n in (0..k_new).filter(|&n| status_new[n].is_none()) {
        changes.push(TopicChange {
            old_topic: None,
            new_topic: Some(ids[n]),
            status: Status::New,
            similarity: best_old(n),
            old_label: String::new(),
            new_label: label(&new.topics, n),
        });
    }
    for o in (0..k_old).filter(|&o| status_old[o].is_none()) {
        changes.push(TopicChange {
            old_topic: Some(old.topics[o].id),
            new_topic: None,
            status: Status::Gone,
            similarity: best_new(o),
            old_label: label(&old.topics, o),
            new_label: String::new(),
        });
    }
    // New and gone first, then splits and merges, then what continued; by id within each.
    changes.sort_by_key(|c| (c.status, c.old_topic, c.new_topic));
    (ids, changes)
}

/// Counts of each status among `changes`, as the model records them.
pub(crate) fn lineage(previous_sha256: &str, changes: &[TopicChange]) -> Lineage {
    let count = |status: Status| {
        let mut topics: Vec<usize> = changes
            .iter()
            .filter(|c| c.status == status)
            .filter_map(|c| match status {
                Status::Gone | Status::Split => c.old_topic,
                _ => c.new_topic,
            })
            .collect();
        topics.sort_unstable();
        topics.dedup();
        topics.len()
    };
    Lineage {
        previous_sha256: previous_sha256.to_string(),
        continued: count(Status::Continued),
        new: count(Status::New),
        gone: count(Status::Gone),
        split: count(Status::Split),
        merged: count(Status::Merged),
    }
}

/// Each topic's weight on every term of its model's vocabulary: its centroid's words part,
/// centred on the model's size-weighted mean centroid (what every topic shares, such as a
/// corpus-wide vocabulary of method, says nothing about one), taken back through the LSA
/// loadings and scaled to unit length.
fn term_profiles(model: &TopicModel) -> Vec<Vec<f64>> {
    let dims = model.lsa.dims();
    let rows = model.centroids.rows();
    let total: usize = model.topics.iter().map(|t| t.size).sum::<usize>().max(1);
    let mut mean = vec![0.0; dims];
    for (row, topic) in rows.outer_iter().zip(&model.topics) {
        for (m, v) in mean.iter_mut().zip(row.iter()) {
            *m += v * topic.size as f64 / total as f64;
        }
    }
    rows.outer_iter()
        .map(|centroid| {
            let words: Vec<f64> = centroid
                .iter()
                .zip(&mean)
                .take(dims)
                .map(|(c, m)| c - m)
                .collect();
            let mut profile = model.lsa.back_project(&words);
            let norm = profile.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                profile.iter_mut().for_each(|v| *v /= norm);
            }
            profile
        })
        .collect()
}

/// Cosine between every old topic's and every new topic's term profile, over the terms the two
/// vocabularies share (by stem): old topics x new topics.
pub(crate) fn similarity(old: &TopicModel, new: &TopicModel) -> Vec<Vec<f64>> {
    let old_profiles = term_profiles(old);
    let new_profiles = term_profiles(new);
    let new_column: FxHashMap<&str, usize> = new
        .vectorizer
        .vocabulary()
        .stems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let shared: Vec<(usize, usize)> = old
        .vectorizer
        .vocabulary()
        .stems
        .iter()
        .enumerate()
        .filter_map(|(i, s)| new_column.get(s.as_str()).map(|&j| (i, j)))
        .collect();
    old_profiles
        .iter()
        .map(|o| {
            new_profiles
                .iter()
                .map(|n| shared.iter().map(|&(i, j)| o[i] * n[j]).sum())
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(old: Option<usize>, new: Option<usize>, status: Status) -> TopicChange {
        TopicChange {
            old_topic: old,
            new_topic: new,
            status,
            similarity: 0.5,
            old_label: String::new(),
            new_label: String::new(),
        }
    }

    #[test]
    fn the_counts_are_of_topics_not_of_rows() {
        let mut changes = vec![
            // Old 0 split into 5 and 6; old 1 and 3 merged into 7, old 2 and 4 into 8.
            change(Some(0), Some(5), Status::Split),
            change(Some(0), Some(6), Status::Split),
            change(Some(1), Some(7), Status::Merged),
            change(Some(2), Some(8), Status::Merged),
            change(Some(3), Some(7), Status::Merged),
            change(Some(4), Some(8), Status::Merged),
            change(None, Some(9), Status::New),
            change(Some(10), None, Status::Gone),
            change(Some(11), Some(11), Status::Continued),
        ];
        changes.sort_by_key(|c| (c.status, c.old_topic, c.new_topic));
        let counted = lineage("abc", &changes);
        assert_eq!(
            (
                counted.continued,
                counted.new,
                counted.gone,
                counted.split,
                counted.merged
            ),
            (1, 1, 1, 1, 2)
        );
        assert_eq!(counted.previous_sha256, "abc");
        // New and gone first, then split, merged, continued.
        let order: Vec<Status> = changes.iter().map(|c| c.status).collect();
        assert_eq!(order[..3], [Status::New, Status::Gone, Status::Split]);
    }
}
