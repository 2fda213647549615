//! Choosing k: LSA rows -> the number of topics ([`KSelection`]), by trying every k of a range
//! on a seeded sample and scoring each with a label-free criterion; the whole curve is kept for
//! `k_selection.csv`.

use std::fmt;
use std::str::FromStr;

use ndarray::{ArrayView2, Axis};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::cluster::ClusterParams;
use crate::error::{Error, Result};
use crate::evaluate::{COHERENCE_TERMS, DIVERSITY_TERMS};
use crate::metrics;
use crate::reduce::Embedding;
use crate::vectorize::{CsrMatrix, TfIdf};

/// How many topics: `--k N`, `--k auto`, or by default a rule of thumb on the corpus size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TopicCount {
    /// round(sqrt(documents / 2)), clamped to 2..=50 ([`crate::cluster::default_k`]).
    #[default]
    Rule,
    /// Chosen by [`ChooseParams::choose`].
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

/// k-means++ restarts of each trial fit: the criterion averages over many topics, so one seeded
/// fit per k is enough to place it, and the sweep stays within a few single runs' time.
const TRIAL_RUNS: usize = 1;
/// Lloyd iterations of a trial fit, at most.
const TRIAL_ITERATIONS: u64 = 50;

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
    /// What k is chosen by: coherence x diversity.
    pub criterion: f64,
}

/// The chosen k and the curve it was chosen from.
#[derive(Debug, Clone, PartialEq)]
pub struct KSelection {
    pub k: usize,
    pub trials: Vec<KTrial>,
    pub sample: usize,
}

impl KSelection {
    /// `k_selection.csv`: one row per k tried.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = String::from("k,criterion,coherence_npmi,diversity,inertia,chosen\n");
        for trial in &self.trials {
            out.push_str(&format!(
                "{},{:.6},{:.6},{:.6},{:.6},{}\n",
                trial.k,
                trial.criterion,
                trial.coherence,
                trial.diversity,
                trial.inertia,
                u8::from(trial.k == self.k)
            ));
        }
        out.into_bytes()
    }
}

impl ChooseParams {
    /// Tries every k of `range` on a seeded sample of `space`'s rows and picks the best by the
    /// criterion (ties: the smaller k).
    pub fn choose(&self, space: &Embedding, tfidf: &TfIdf, range: KRange) -> Result<KSelection> {
        let n = space.rows.nrows();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed ^ 0xC4_005E);
        let mut picked = rand::seq::index::sample(&mut rng, n, self.sample.min(n)).into_vec();
        picked.sort_unstable();
        let sample = space.rows.select(Axis(0), &picked);
        let documents: Vec<usize> = picked.iter().map(|&row| space.documents[row]).collect();
        let counts = tfidf.counts.select_rows(&documents);
        let m = sample.nrows();
        let ks: Vec<usize> = (range.low..=range.high).collect();
        let trials: Vec<KTrial> = ks
            .par_iter()
            .map(|&k| self.trial(sample.view(), &counts, k))
            .collect::<Result<_>>()?;
        let best = trials
            .iter()
            .max_by(|a, b| a.criterion.total_cmp(&b.criterion).then(b.k.cmp(&a.k)))
            .map_or(range.low, |t| t.k);
        Ok(KSelection {
            k: best,
            trials,
            sample: m,
        })
    }

    fn trial(
        &self,
        sample: ArrayView2<'_, f64>,
        counts: &CsrMatrix<u32>,
        k: usize,
    ) -> Result<KTrial> {
        if k > sample.nrows() {
            return Err(Error::TooFewDocuments {
                k,
                documents: sample.nrows(),
            });
        }
        let part = Embedding {
            rows: sample.to_owned(),
            documents: (0..sample.nrows()).collect(),
            singular_values: vec![],
        };
        let params = ClusterParams {
            k: TopicCount::Fixed(k),
            runs: TRIAL_RUNS,
            seed: self.seed,
            max_iterations: TRIAL_ITERATIONS,
            ..ClusterParams::default()
        };
        let fit = params.fit(&part)?;
        let top = top_terms(counts, &fit.assignments, fit.sizes.len(), DIVERSITY_TERMS);
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
            criterion: coherence * diversity,
            coherence,
            diversity,
            inertia: fit.inertia,
        })
    }
}

/// Each topic's `n` best terms (column ids) by class-based TF-IDF over the rows of `counts`.
fn top_terms(counts: &CsrMatrix<u32>, labels: &[usize], k: usize, n: usize) -> Vec<Vec<u32>> {
    let terms = counts.cols();
    let mut tf = vec![vec![0.0f64; terms]; k];
    for (row, &topic) in labels.iter().enumerate() {
        let (cols, values) = counts.row(row);
        for (&col, &count) in cols.iter().zip(values) {
            tf[topic][col as usize] += 1.0 + f64::from(count).ln();
        }
    }
    let mut all = vec![0.0f64; terms];
    for topic in &tf {
        for (a, v) in all.iter_mut().zip(topic) {
            *a += v;
        }
    }
    let totals: Vec<f64> = tf.iter().map(|t| t.iter().sum()).collect();
    let average = totals.iter().sum::<f64>() / k.max(1) as f64;
    tf.iter()
        .zip(&totals)
        .map(|(topic, &total)| {
            let mut scored: Vec<(u32, f64)> = topic
                .iter()
                .zip(&all)
                .enumerate()
                .filter(|(_, (&v, _))| v > 0.0)
                .map(|(col, (&v, &a))| (col as u32, v / total * (1.0 + average / a).ln()))
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
