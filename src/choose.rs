//! Choosing k: LSA rows -> the number of topics ([`KSelection`]), by fitting every k of a range
//! twice on resampled parts of a seeded sample and keeping the largest k whose two fits agree;
//! the whole curve is kept for `k_selection.csv`.

use std::fmt;
use std::str::FromStr;

use ndarray::{ArrayView2, Axis};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::cluster::{assign, ClusterParams};
use crate::error::{Error, Result};
use crate::evaluate::{COHERENCE_TERMS, DIVERSITY_TERMS};
use crate::label::{class_scores, topic_tf};
use crate::metrics;
use crate::progress::{Progress, Work};
use crate::reduce::Embedding;
use crate::vectorize::{CsrMatrix, TfIdf};

/// How many topics: `--k N`, or `--k auto` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TopicCount {
    /// Chosen by [`ChooseParams::choose`].
    #[default]
    Auto,
    Fixed(usize),
}

impl FromStr for TopicCount {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        if text.eq_ignore_ascii_case("auto") {
            return Ok(TopicCount::Auto);
        }
        text.parse::<usize>()
            .map(TopicCount::Fixed)
            .map_err(|_| format!("'{text}' is neither auto nor a whole number"))
    }
}

/// `--k-range A..B`: the k tried by `--k auto`, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KRange {
    pub low: usize,
    pub high: usize,
}

impl FromStr for KRange {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let bad = || format!("'{text}' is not a range like 2..40");
        let (low, high) = text.split_once("..").ok_or_else(bad)?;
        let high = high.strip_prefix('=').unwrap_or(high);
        let low: usize = low.trim().parse().map_err(|_| bad())?;
        let high: usize = high.trim().parse().map_err(|_| bad())?;
        if low < 2 || high < low {
            return Err(format!(
                "'{text}' must go from at least 2 up to a number no smaller than its start"
            ));
        }
        Ok(KRange { low, high })
    }
}

impl fmt::Display for KRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.low, self.high)
    }
}

/// The default range's upper end: no more than 40 topics, and at least five documents per topic.
const DEFAULT_HIGHEST_K: usize = 40;
const DOCUMENTS_PER_TOPIC: usize = 5;

impl KRange {
    /// The range tried for `documents` documents with terms: the user's, or
    /// 2..=min(40, documents / 5); never more topics than documents.
    pub fn for_documents(range: Option<KRange>, documents: usize) -> KRange {
        let range = range.unwrap_or(KRange {
            low: 2,
            high: DEFAULT_HIGHEST_K
                .min(documents / DOCUMENTS_PER_TOPIC)
                .max(2),
        });
        let most = documents.max(1);
        KRange {
            low: range.low.min(most),
            high: range.high.min(most),
        }
    }
}

/// Settings for choosing k.
#[derive(Debug, Clone, PartialEq)]
pub struct ChooseParams {
    /// The k tried; `None`: 2..=min(40, documents / 5).
    pub range: Option<KRange>,
    /// Documents each trial clusters: a seeded sample of the corpus, so the sweep costs the same
    /// on any corpus size.
    pub sample: usize,
    pub seed: u64,
}

impl Default for ChooseParams {
    fn default() -> Self {
        ChooseParams {
            range: None,
            sample: 3000,
            seed: 0,
        }
    }
}

impl ChooseParams {
    pub fn check(&self) -> Result<()> {
        if self.sample < 2 {
            return Err(Error::setting("k selection sample", "must be at least 2"));
        }
        Ok(())
    }
}

/// k-means++ restarts of each trial fit: one seeded run per fit keeps the sweep within a couple
/// of single runs' time; a poor basin shows as instability, which is what the criterion reads.
const TRIAL_RUNS: usize = 1;
/// Lloyd iterations of a trial fit, at most.
const TRIAL_ITERATIONS: u64 = 20;
/// Share of the sample each of the two stability fits sees.
const SUBSAMPLE_SHARE: f64 = 0.8;

/// How one k fared.
#[derive(Debug, Clone, PartialEq)]
pub struct KTrial {
    pub k: usize,
    /// Mean NPMI of the topics' top 10 terms (class-based TF-IDF over the sample).
    pub coherence: f64,
    /// Share of distinct terms among the topics' top 25.
    pub diversity: f64,
    /// Sum of squared distances of the sample rows to their topic's centroid.
    pub inertia: f64,
    /// What k is chosen by: the adjusted Rand index between two fits on different 80%
    /// subsamples, compared over the whole sample.
    pub stability: f64,
    /// With `--label-column` only: NMI of the fit against the labels on the sample (reported,
    /// never used to choose).
    pub nmi: Option<f64>,
}

/// The chosen k and the curve it was chosen from.
#[derive(Debug, Clone, PartialEq)]
pub struct KSelection {
    pub k: usize,
    pub trials: Vec<KTrial>,
    pub sample: usize,
    pub range: KRange,
}

impl KSelection {
    /// One line for people: what was chosen and why.
    pub fn summary(&self) -> String {
        let stable = self
            .trials
            .iter()
            .any(|t| t.k == self.k && t.stability >= STABLE_AGREEMENT);
        let why = if stable {
            format!("the largest k of {} whose topics agree across resamples (adjusted Rand >= {STABLE_AGREEMENT})", self.range)
        } else {
            format!(
                "no k of {} reached stability {STABLE_AGREEMENT}: the most stable one",
                self.range
            )
        };
        format!(
            "k auto: {} topics, {why}; the curve is in k_selection.csv",
            self.k
        )
    }
}

impl KSelection {
    /// `k_selection.csv`: one row per k tried.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out =
            String::from("k,criterion,stable,coherence_npmi,diversity,inertia,nmi_labels,chosen\n");
        let optional = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.6}"));
        for trial in &self.trials {
            out.push_str(&format!(
                "{},{:.6},{},{:.6},{:.6},{:.6},{},{}\n",
                trial.k,
                trial.stability,
                u8::from(trial.stability >= STABLE_AGREEMENT),
                trial.coherence,
                trial.diversity,
                trial.inertia,
                optional(trial.nmi),
                u8::from(trial.k == self.k)
            ));
        }
        out.into_bytes()
    }
}

impl ChooseParams {
    /// Tries every k of `range` on a seeded sample of `space`'s rows and picks the finest
    /// stable one ([`pick`]). `labels` (dense ids per input document, from `--label-column`)
    /// only add each k's NMI to the report. Each k tried is reported to `progress`.
    pub fn choose(
        &self,
        space: &Embedding,
        tfidf: &TfIdf,
        range: KRange,
        labels: Option<&[usize]>,
        progress: &dyn Progress,
    ) -> Result<KSelection> {
        let n = space.rows.nrows();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed ^ 0xC4_005E);
        let mut picked = rand::seq::index::sample(&mut rng, n, self.sample.min(n)).into_vec();
        picked.sort_unstable();
        let sample = space.rows.select(Axis(0), &picked);
        let documents: Vec<usize> = picked.iter().map(|&row| space.documents[row]).collect();
        let counts = tfidf.counts.select_rows(&documents);
        let truth: Option<Vec<usize>> =
            labels.map(|labels| documents.iter().map(|&doc| labels[doc]).collect());
        let m = sample.nrows();
        let part = ((m as f64) * SUBSAMPLE_SHARE).round() as usize;
        let halves: Vec<Vec<usize>> = (0..2)
            .map(|_| {
                let mut half = rand::seq::index::sample(&mut rng, m, part.clamp(1, m)).into_vec();
                half.sort_unstable();
                half
            })
            .collect();
        let ks: Vec<usize> = (range.low..=range.high).collect();
        progress.measure(Work::items("k values", ks.len()));
        let trials: Vec<KTrial> = ks
            .par_iter()
            .map(|&k| {
                let trial = self.trial(sample.view(), &counts, &halves, truth.as_deref(), k);
                progress.advance(1);
                trial
            })
            .collect::<Result<_>>()?;
        let best = pick(&trials).unwrap_or(range.low);
        Ok(KSelection {
            k: best,
            trials,
            sample: m,
            range,
        })
    }

    fn trial(
        &self,
        sample: ArrayView2<'_, f64>,
        counts: &CsrMatrix<u32>,
        halves: &[Vec<usize>],
        truth: Option<&[usize]>,
        k: usize,
    ) -> Result<KTrial> {
        if k > halves.iter().map(Vec::len).min().unwrap_or(0) {
            return Err(Error::TooFewDocuments {
                k,
                documents: sample.nrows(),
            });
        }
        let params = ClusterParams {
            k: TopicCount::Fixed(k),
            runs: TRIAL_RUNS,
            max_iterations: TRIAL_ITERATIONS,
            ..ClusterParams::default()
        };
        // Two fits on different subsamples, each seeded differently, both judged on the whole
        // sample: topics that are really there come back.
        let mut labelings = Vec::with_capacity(halves.len());
        for (index, half) in halves.iter().enumerate() {
            let fit = ClusterParams {
                seed: self.seed.wrapping_add(1 + index as u64),
                ..params.clone()
            }
            .fit(&Embedding {
                rows: sample.select(Axis(0), half),
                documents: half.clone(),
                singular_values: vec![],
            })?;
            labelings.push(assign(sample, fit.centroids.view()));
        }
        let stability = metrics::compare(&labelings[0].0, &labelings[1].0).ari;
        let (assignments, inertia) = &labelings[0];
        let topics = assignments.iter().max().map_or(0, |&t| t + 1);
        let nmi = truth.map(|truth| metrics::compare(assignments, truth).nmi);
        let top = top_terms(counts, assignments, topics, DIVERSITY_TERMS);
        let first: Vec<Vec<u32>> = top
            .iter()
            .map(|t| t[..t.len().min(COHERENCE_TERMS)].to_vec())
            .collect();
        let scores: Vec<f64> = metrics::npmi_coherence(counts, &first)
            .into_iter()
            .flatten()
            .collect();
        let coherence = scores.iter().sum::<f64>() / scores.len().max(1) as f64;
        let diversity = metrics::topic_diversity(&top);
        Ok(KTrial {
            k,
            coherence,
            diversity,
            inertia: *inertia,
            stability,
            nmi,
        })
    }
}

/// Two fits on different subsamples agreeing at least this much (adjusted Rand index) make a k
/// stable: "substantial agreement" on the usual reading of the index, and the level that, over
/// seeds 0-2, put the pick near the label count with high NMI on all four labeled corpora
/// (0.55 and 0.65 were both worse; see the README).
pub const STABLE_AGREEMENT: f64 = 0.6;

/// The finest stable k: the largest k whose stability reaches [`STABLE_AGREEMENT`]; with none,
/// the most stable k (ties: the smaller). Finer topics are what people ask for as long as they
/// are really in the data, which is what reproducing under resampling shows.
fn pick(trials: &[KTrial]) -> Option<usize> {
    trials
        .iter()
        .filter(|t| t.stability >= STABLE_AGREEMENT)
        .map(|t| t.k)
        .max()
        .or_else(|| {
            trials
                .iter()
                .max_by(|a, b| a.stability.total_cmp(&b.stability).then(b.k.cmp(&a.k)))
                .map(|t| t.k)
        })
}

/// Each topic's `n` best terms (column ids) by class-based TF-IDF over the rows of `counts`.
fn top_terms(counts: &CsrMatrix<u32>, labels: &[usize], k: usize, n: usize) -> Vec<Vec<u32>> {
    let tf = topic_tf(counts, labels.iter().map(|&topic| Some(topic)), k);
    let (scores, _, _) = class_scores(&tf);
    scores
        .iter()
        .map(|topic| {
            let mut scored: Vec<(u32, f64)> = topic
                .iter()
                .enumerate()
                .filter(|&(_, &score)| score > 0.0)
                .map(|(col, &score)| (col as u32, score))
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.into_iter().take(n).map(|(col, _)| col).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_auto_numbers_and_ranges() {
        assert_eq!("auto".parse(), Ok(TopicCount::Auto));
        assert_eq!("AUTO".parse(), Ok(TopicCount::Auto));
        assert_eq!("12".parse(), Ok(TopicCount::Fixed(12)));
        assert!("twelve".parse::<TopicCount>().is_err());
        assert_eq!("3..9".parse(), Ok(KRange { low: 3, high: 9 }));
        assert_eq!("3..=9".parse(), Ok(KRange { low: 3, high: 9 }));
        for bad in ["9..3", "1..5", "3-9", "..9", "a..b"] {
            assert!(bad.parse::<KRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn default_range_keeps_five_documents_per_topic_and_at_most_forty() {
        assert_eq!(
            KRange::for_documents(None, 110),
            KRange { low: 2, high: 22 }
        );
        assert_eq!(
            KRange::for_documents(None, 18_000),
            KRange { low: 2, high: 40 }
        );
        assert_eq!(KRange::for_documents(None, 6), KRange { low: 2, high: 2 });
        assert_eq!(KRange::for_documents(None, 1), KRange { low: 1, high: 1 });
        let asked = Some(KRange { low: 5, high: 60 });
        assert_eq!(
            KRange::for_documents(asked, 30),
            KRange { low: 5, high: 30 }
        );
    }
}
