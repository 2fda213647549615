//! How well a document fits the model's topics: the share of its weighted term row that the
//! LSA space holds, and its LSA row -> its `fit`, the share of the document the topics'
//! directions hold (0 to 1); and the fit's own documents' fits -> the threshold below which a
//! document is novel (a theme the model has not seen).
//!
//! Why not the cosine to the nearest centroid (the `score`): projected into LSA space, a
//! document of an unseen theme keeps only the part the space can express, and that part,
//! scaled to unit length, is often close to some centroid. Measured by holding out one class
//! of a labeled corpus, fitting on 70% of the others and tagging the rest (`bench/novelty.py`):
//! the score detects the unseen class with ROC AUC 0.49-0.81, the share the LSA space holds
//! of the document with 0.81-0.95, but that share is much higher for the fitted documents than
//! for new ones of the same themes (LSA is fitted on them: with 100 dimensions for 700
//! documents it holds nearly all of each), so a threshold taken from the fit flagged 89-94% of
//! new documents of known themes. The share the k topic directions hold is nearly free of that
//! bias (k is far below the number of documents) and still detects the unseen class with AUC
//! 0.70-0.93: a threshold at the fit's lowest 2% flags 1-7% of new documents of known themes.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::cluster::Centroids;
use crate::error::Result;
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
/// most: a few seconds at a million documents.
const HELD_OUT_MAX: usize = 20_000;
const CALIBRATION_FIT_MAX: usize = 100_000;
/// Below this many held-out documents, the threshold comes from the fitted documents.
const HELD_OUT_MIN: usize = 10;

/// The novelty threshold from documents the LSA has not seen, as new documents will be: the
/// fitted documents' own fits are higher (the LSA holds nearly all of each when its dimensions
/// come near the number of documents: on `data/` a threshold from them flagged 28 of 30 new
/// papers of the same day). A seeded fifth of the documents (`rows`: input positions, with
/// `topics` their topic) is held out; an LSA with the same params is fitted on the rest, the
/// topics' centroids are taken again there from their documents, and the threshold is the
/// `quantile` of the held-out documents' fits in it. Too few documents: `None`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn calibrate_held_out(
    reduce: &ReduceParams,
    tfidf: &TfIdf,
    rows: &[usize],
    topics: &[usize],
    k: usize,
    quantile: f64,
    seed: Seed,
    progress: &dyn Progress,
) -> Result<Option<Novelty>> {
    let held = (rows.len() / 5).min(HELD_OUT_MAX);
    if held < HELD_OUT_MIN || rows.len() - held < 2 * k.max(1) {
        return Ok(None);
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut seed.rng());
    let (held_out, fitted) = order.split_at(held);
    let mut fitted = fitted[..fitted.len().min(CALIBRATION_FIT_MAX)].to_vec();
    fitted.sort_unstable();
    let mut held_out = held_out.to_vec();
    held_out.sort_unstable();
    let inputs = |picked: &[usize]| picked.iter().map(|&i| rows[i]).collect::<Vec<_>>();
    let part = TfIdf {
        weights: tfidf.weights.select_rows(&inputs(&fitted)),
        counts: tfidf.counts.select_rows(&inputs(&fitted)),
        vocabulary: tfidf.vocabulary.clone(),
    };
    let lsa = reduce.fit(&part, seed.derive("reduce"), progress)?;
    let (fitted_rows, _) = lsa.transform_captured(&part.weights);
    let mut sums = Array2::<f64>::zeros((k, lsa.dims()));
    for (row, &i) in fitted_rows.outer_iter().zip(&fitted) {
        let mut sum = sums.row_mut(topics[i]);
        sum += &row;
    }
    let span = TopicSpan::new(&Centroids::new(sums), lsa.dims());
    let (held_rows, captured) =
        lsa.transform_captured(&tfidf.weights.select_rows(&inputs(&held_out)));
    let fits: Vec<f64> = held_rows
        .outer_iter()
        .zip(&captured)
        .map(|(row, &captured)| span.fit(captured, row.as_slice().expect("contiguous rows")))
        .collect();
    Ok(Some(Novelty::calibrate(&fits, quantile)))
}

/// An orthonormal basis of the topics' directions in LSA space (the words part of each
/// centroid), rebuilt from the centroids when a model is loaded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TopicSpan {
    dims: usize,
    basis: Vec<Vec<f64>>,
}

/// A direction left shorter than this after taking the earlier ones away adds nothing new.
const INDEPENDENT: f64 = 1e-9;

impl TopicSpan {
    /// Gram-Schmidt (twice, for orthogonality to rounding) over the centroids' first `dims`
    /// components, topic 0 first; plain loops in order, so the basis has the same bits on every
    /// CPU.
    pub fn new(centroids: &Centroids, dims: usize) -> TopicSpan {
        let mut basis: Vec<Vec<f64>> = Vec::new();
        for centroid in centroids.rows().outer_iter() {
            let mut v: Vec<f64> = centroid.iter().take(dims).copied().collect();
            for _ in 0..2 {
                for b in &basis {
                    let d = dot(&v, b);
                    v.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
                }
            }
            let norm = dot(&v, &v).sqrt();
            if norm > INDEPENDENT {
                v.iter_mut().for_each(|x| *x /= norm);
                basis.push(v);
            }
        }
        TopicSpan { dims, basis }
    }

    /// A document's fit: `captured` (the share of its term row the LSA space holds) times the
    /// share of its LSA direction the topics span. `row` starts with its LSA part (scaled
    /// alike when sentence vectors are joined after it).
    pub fn fit(&self, captured: f64, row: &[f64]) -> f64 {
        let lsa = &row[..self.dims.min(row.len())];
        let norm = dot(lsa, lsa).sqrt();
        if norm == 0.0 {
            return 0.0;
        }
        let held: f64 = self.basis.iter().map(|b| dot(b, lsa).powi(2)).sum();
        (captured * (held.sqrt() / norm)).clamp(0.0, 1.0)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_row_on_the_topics_fits_wholly_and_one_beside_them_not_at_all() {
        let centroids = Centroids::new(array![[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]]);
        let span = TopicSpan::new(&centroids, 3);
        assert!((span.fit(1.0, &[0.6, 0.8, 0.0]) - 1.0).abs() < 1e-12);
        assert!(span.fit(1.0, &[0.0, 0.0, 1.0]).abs() < 1e-12);
        // Half the row in the span, and the LSA space held half of the document.
        let half = span.fit(0.5, &[0.0, 0.6, 0.8]);
        assert!((half - 0.3).abs() < 1e-12, "{half}");
        // The sentence-vector part after the LSA part is not counted.
        assert!((span.fit(1.0, &[0.5, 0.0, 0.0, 0.9]) - 1.0).abs() < 1e-12);
    }

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
