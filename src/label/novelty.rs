//! How well a document fits the model: its weighted term row -> its `fit`, the share of the
//! row the model's LSA space holds (0 to 1); and documents held out of an LSA fitted on the
//! others -> the threshold below which a document is novel (a theme the model has not seen).
//!
//! Why not the cosine to the nearest centroid (the `score`): projected into LSA space, a
//! document of an unseen theme keeps only the part the space can express, and that part,
//! scaled to unit length, is often close to some centroid. Measured by holding out one class
//! of a labeled corpus, fitting on 70% of the others and tagging the rest (`bench/novelty.py`,
//! 4fields and 20 Newsgroups' 4 categories, every class held out in turn): the score detects
//! the unseen class with ROC AUC 0.38-0.77, the fit with 0.62-0.94. The share of the fit's
//! direction that the topics' centroids span was tried as a second factor and as a score of
//! its own: alone it detects nothing (AUC 0.38-0.77, mean 0.51), and times the fit it lowers
//! the fit's AUC (4fields: 0.69-0.92 against 0.83-0.94).
//!
//! The fitted documents' own fits are far higher than new documents' of the same themes (the
//! LSA is fitted on them: with 100 dimensions for 700 documents it holds nearly all of each),
//! so a threshold taken from them flagged 89-94% of new documents of known themes, and 28 of 30
//! new papers of the same day on `data/`. The threshold therefore comes from documents held out
//! of an LSA fitted on the others, as new documents are held out of the model's.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, Result};
use crate::progress::Progress;
use crate::reduce::ReduceParams;
use crate::seed::Seed;
use crate::vectorize::TfIdf;

/// Share of the fitted documents below the threshold, by default.
pub const NOVEL_QUANTILE: f64 = 0.02;

/// The novelty threshold a model holds: documents whose fit is below it are novel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Novelty {
    /// Fit below which a document is novel.
    pub threshold: f64,
    /// Share of the fitted documents with terms that fall below it.
    pub quantile: f64,
}

impl Novelty {
    /// The threshold below which `quantile` of the fitted documents' `fits` fall (the fit of
    /// the document at that rank, so ties all stay on one side).
    pub fn calibrate(fits: &[f64], quantile: f64) -> Novelty {
        let mut sorted: Vec<f64> = fits.to_vec();
        sorted.sort_by(f64::total_cmp);
        let threshold = if sorted.is_empty() {
            0.0
        } else {
            let rank = ((quantile * sorted.len() as f64).floor() as usize).min(sorted.len() - 1);
            sorted[rank]
        };
        Novelty {
            threshold,
            quantile,
        }
    }

    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        if !(self.threshold.is_finite()
            && (0.0..=1.0).contains(&self.threshold)
            && (0.0..=1.0).contains(&self.quantile))
        {
            return Err("the novelty threshold is not a share between 0 and 1".into());
        }
        Ok(())
    }
}

/// Documents held out of the calibration's LSA, at most, and documents it is fitted on, at
/// most: 1.9 s of a 1M fit.
const HELD_OUT_MAX: usize = 20_000;
const CALIBRATION_FIT_MAX: usize = 100_000;
/// The share held out is one in `FOLDS`; below `HELD_OUT_MIN` held-out documents every fold is
/// held out in turn, so a small corpus still gets a fit for each of its documents.
const FOLDS: usize = 5;
const HELD_OUT_MIN: usize = 10;

/// The novelty threshold from documents the LSA has not seen, as new documents will be: a
/// seeded fifth of the documents (`rows`: the input positions of those with terms) is held out,
/// an LSA with the same params is fitted on the rest, and the threshold is the `quantile` of
/// the held-out documents' fits in it. Below 50 documents each fifth is held out in turn (on
/// the 18 documents of the tests' themes fixture, a threshold from the fitted documents' own
/// fits called a new document of a known theme novel). Fewer than 5 documents, or an LSA that
/// cannot be fitted on what is left: `None`.
pub(crate) fn calibrate_held_out(
    reduce: &ReduceParams,
    tfidf: &TfIdf,
    rows: &[usize],
    quantile: f64,
    seed: Seed,
    progress: &dyn Progress,
) -> Result<Option<Novelty>> {
    let n = rows.len();
    if n < FOLDS {
        return Ok(None);
    }
    let mut order: Vec<usize> = rows.to_vec();
    rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut seed.rng());
    let folds: Vec<(Vec<usize>, Vec<usize>)> = if n / FOLDS >= HELD_OUT_MIN {
        let held = (n / FOLDS).min(HELD_OUT_MAX);
        let rest = order.len().min(held + CALIBRATION_FIT_MAX);
        vec![(order[..held].to_vec(), order[held..rest].to_vec())]
    } else {
        (0..FOLDS)
            .map(|f| {
                let (a, b) = (f * n / FOLDS, (f + 1) * n / FOLDS);
                let rest = order[..a].iter().chain(&order[b..]).copied().collect();
                (order[a..b].to_vec(), rest)
            })
            .collect()
    };
    let mut fits = Vec::with_capacity(n.min(HELD_OUT_MAX));
    for (mut held_out, mut fitted) in folds {
        held_out.sort_unstable();
        fitted.sort_unstable();
        let part = TfIdf {
            weights: tfidf.weights.select_rows(&fitted),
            counts: tfidf.counts.select_rows(&fitted),
            vocabulary: tfidf.vocabulary.clone(),
        };
        let lsa = match reduce.fit(&part, seed.derive("reduce"), progress) {
            Ok(lsa) => lsa,
            Err(error) if error.kind() == ErrorKind::Cancelled => return Err(error),
            // Too little left to fit an LSA on: the fitted documents' fits decide.
            Err(_) => return Ok(None),
        };
        let (_, captured) = lsa.transform_captured(&tfidf.weights.select_rows(&held_out));
        fits.extend(captured.iter().map(|c| c.clamp(0.0, 1.0)));
    }
    Ok(Some(Novelty::calibrate(&fits, quantile)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_leaves_the_asked_share_below_it() {
        let fits: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        let novelty = Novelty::calibrate(&fits, 0.02);
        assert_eq!(novelty.threshold, 0.02);
        assert_eq!(fits.iter().filter(|&&f| f < novelty.threshold).count(), 2);
        assert_eq!(Novelty::calibrate(&[], 0.02).threshold, 0.0);
        assert!(Novelty::calibrate(&[0.5], 0.02).validate().is_ok());
        let bad = Novelty {
            threshold: f64::NAN,
            quantile: 0.02,
        };
        assert!(bad.validate().is_err());
    }
}
