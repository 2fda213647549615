//! LSA: sparse TF-IDF rows -> a fitted [`Lsa`] (term loadings from a randomized truncated SVD
//! after Halko, Martinsson & Tropp 2011) that projects any document's row into a small dense
//! space, unit length. The fit's own document rows are made by the same projection as a new
//! document's, so tagging reproduces the fit exactly.

use ndarray::{s, Array2, Axis};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Param, Result};
use crate::linalg::{
    flip_signs, gram_f64, orthonormalize_in_place, symmetric_eigen_desc, times_small_f32,
};
use crate::progress::{check, Progress, Work};
use crate::seed::Seed;
use crate::sparse::CsrMatrix;
use crate::vectorize::TfIdf;

/// Settings for the reduce stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReduceParams {
    /// Number of LSA dimensions (capped below the number of documents and terms).
    pub dims: usize,
    /// Power iterations: each sharpens the subspace at the cost of two sparse products.
    pub power_iterations: usize,
    /// Extra random directions sampled beyond `dims`, for accuracy.
    pub oversamples: usize,
}

impl Default for ReduceParams {
    fn default() -> Self {
        ReduceParams {
            dims: 100,
            power_iterations: 4,
            oversamples: 10,
        }
    }
}

/// Documents that have terms, as unit-length rows in LSA space.
#[derive(Debug, Clone)]
pub struct Embedding {
    /// One row per entry of `documents`.
    pub rows: Array2<f64>,
    /// Input positions of the embedded documents (those with at least one term), ascending.
    pub documents: Vec<usize>,
}

/// The fitted LSA: each term's loading on each component (the right singular vectors, V), so a
/// document's row is its weights times V, which is U·Σ for the documents it was fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lsa {
    terms: usize,
    dims: usize,
    /// terms x dims, row-major. f32: seven digits are far more than clustering can see, and at
    /// 20newsgroups' vocabulary it halves the model file.
    loadings: Vec<f32>,
    /// Singular values of the kept components, largest first.
    singular_values: Vec<f64>,
}

impl ReduceParams {
    pub fn check(&self) -> Result<()> {
        if self.dims < 2 {
            return Err(Error::param(
                Param::Dims,
                "must be at least 2 (one dimension normalised to unit length keeps only a sign)",
            ));
        }
        Ok(())
    }

    /// The number of dimensions actually used for `documents` x `terms`: below the number of
    /// documents, but never fewer than two while the data has them, because a single dimension
    /// normalised to unit length keeps only a sign.
    pub fn effective_dims(&self, documents: usize, terms: usize) -> usize {
        let rank = documents.min(terms).max(1);
        self.dims.min(documents.saturating_sub(1)).max(2).min(rank)
    }

    /// Fits the term loadings on the documents that have terms, reporting each pass over the
    /// matrix (the first sample, every power iteration, the final projection) to `progress`.
    pub fn fit(&self, tfidf: &TfIdf, seed: Seed, progress: &dyn Progress) -> Result<Lsa> {
        let documents = tfidf.documents_with_terms();
        // Only documents with terms take part; when that is all of them (the usual case) the
        // matrix is used as it is rather than copied.
        let selected;
        let matrix = if documents.len() == tfidf.weights.rows() {
            &tfidf.weights
        } else {
            selected = tfidf.weights.select_rows(&documents);
            &selected
        };
        let dims = self.effective_dims(matrix.rows(), matrix.cols());
        let (loadings, singular_values) = self.truncated_svd(matrix, dims, seed, progress)?;
        Ok(Lsa {
            terms: loadings.nrows(),
            dims: loadings.ncols(),
            loadings: loadings.into_raw_vec_and_offset().0,
            singular_values,
        })
    }

    /// Returns V (terms x dims, standard layout) and S of the truncated SVD X = U S Vᵀ.
    fn truncated_svd<V>(
        &self,
        matrix: &CsrMatrix<V>,
        dims: usize,
        seed: Seed,
        progress: &dyn Progress,
    ) -> Result<(Array2<f32>, Vec<f64>)>
    where
        V: Copy + Into<f64> + Send + Sync,
    {
        progress.measure(Work::items("passes", self.power_iterations + 2));
        let width = (dims + self.oversamples)
            .min(matrix.rows())
            .min(matrix.cols());
        let mut rng = seed.rng();
        let omega: Array2<f32> = Array2::from_shape_simple_fn((matrix.cols(), width), || {
            StandardNormal.sample(&mut rng)
        });

        // Range finder with power iterations (X Xᵀ)^q X Ω. The documents x width blocks stay in
        // f32, one copy at a time, and Xᵀ Q is summed without building the transpose: at a million
        // documents each f64 copy or transpose would cost about a gigabyte. Every Gram matrix is
        // summed in f64, so each orthonormalisation pass still squares the remaining error; the
        // final basis gets two passes (orthonormal to f32 precision, far beyond what clustering
        // can see).
        // Each product skips its remaining rows once the work is cancelled, and the check after
        // it drops the half-made block: at a million documents one product takes seconds.
        let mut sample = matrix.mul_dense(omega.view(), progress);
        check(progress)?;
        drop(omega);
        progress.advance(1);
        for _ in 0..self.power_iterations {
            orthonormalize_in_place(&mut sample, 1, progress)?;
            let projected = matrix.mul_transposed_dense(sample.view(), progress);
            check(progress)?;
            matrix.mul_dense_into(projected.view(), &mut sample, progress);
            check(progress)?;
            progress.advance(1);
        }
        orthonormalize_in_place(&mut sample, 2, progress)?;
        let basis = sample;

        // B = Qᵀ X is small (width x terms) and B = U_B S Vᵀ. Its left singular vectors U_B come
        // from the eigen-decomposition of B Bᵀ (width x width), summed in f64 from Bᵀ = Xᵀ Q;
        // then V = Bᵀ U_B S⁻¹.
        let projected_t = matrix.mul_transposed_dense(basis.view(), progress); // = Bᵀ, terms x width
        check(progress)?;
        drop(basis);
        progress.advance(1);
        let gram = gram_f64(projected_t.view(), progress);
        check(progress)?;
        let (values, vectors) = symmetric_eigen_desc(&gram)?;
        let singular: Vec<f64> = values
            .iter()
            .take(dims)
            .map(|v| v.max(0.0).sqrt())
            .collect();
        let mut scaled = vectors.slice(s![.., ..dims]).to_owned();
        // A component with no weight (a rank-deficient corpus) gets zero loadings.
        let largest = singular.first().copied().unwrap_or(0.0);
        for (mut column, &s) in scaled.axis_iter_mut(Axis(1)).zip(&singular) {
            column *= if s > largest * 1e-9 && s > 0.0 {
                1.0 / s
            } else {
                0.0
            };
        }
        drop(gram);
        // In f32, the precision the loadings are kept in: half the memory traffic of f64.
        let scaled = scaled.mapv(|v| v as f32);
        let mut loadings = times_small_f32(projected_t.view(), &scaled);
        drop(projected_t);
        flip_signs(&mut loadings);
        Ok((loadings, singular))
    }
}

/// Documents per parallel work unit of [`Lsa::transform`]: each row is independent, so this only
/// sets the grain of the work.
const PROJECT_CHUNK_ROWS: usize = 256;

impl Lsa {
    /// Number of components of a projected row.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of terms the loadings are given for.
    pub fn terms(&self) -> usize {
        self.terms
    }

    pub fn singular_values(&self) -> &[f64] {
        &self.singular_values
    }

    /// Checks that a loaded model's arrays fit together.
    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        // Checked: the counts come from the file, and a product that wraps could match.
        if self.terms.checked_mul(self.dims) != Some(self.loadings.len()) {
            return Err(format!(
                "LSA loadings hold {} values for {} terms x {} dimensions",
                self.loadings.len(),
                self.terms,
                self.dims
            ));
        }
        if self.dims == 0 || self.singular_values.len() != self.dims {
            return Err("LSA has no dimensions or the wrong number of singular values".into());
        }
        if self.loadings.iter().any(|v| !v.is_finite()) {
            return Err("LSA loadings are not all finite".into());
        }
        Ok(())
    }

    /// The documents with terms, projected: the rows the fit clusters.
    /// Stops with [`crate::Error::Cancelled`] once `progress` says so (a million rows take
    /// seconds).
    pub fn embed(&self, tfidf: &TfIdf, progress: &dyn Progress) -> Result<Embedding> {
        Ok(self.embed_captured(tfidf, progress)?.0)
    }

    /// [`Lsa::embed`], and for each row the share of its document's weighted term row that the
    /// LSA space holds (`|x·V| / |x|`, 0 to 1), which novelty needs.
    pub fn embed_captured(
        &self,
        tfidf: &TfIdf,
        progress: &dyn Progress,
    ) -> Result<(Embedding, Vec<f64>)> {
        let documents = tfidf.documents_with_terms();
        let (rows, captured) = self.transform_rows(&tfidf.weights, &documents, progress);
        check(progress)?;
        Ok((Embedding { rows, documents }, captured))
    }

    /// Every row of `weights` (documents x the fitted terms) projected and scaled to unit
    /// length; a row without terms stays zero. Rows are independent, in parallel.
    pub fn transform(&self, weights: &CsrMatrix<f32>) -> Array2<f64> {
        self.transform_captured(weights).0
    }

    /// [`Lsa::transform`], and each row's share of its weighted term row that the LSA space
    /// holds (0 for a row without terms).
    pub fn transform_captured(&self, weights: &CsrMatrix<f32>) -> (Array2<f64>, Vec<f64>) {
        let all: Vec<usize> = (0..weights.rows()).collect();
        self.transform_rows(weights, &all, &crate::progress::Silent)
    }

    /// [`Lsa::transform`] of the listed rows only, in the given order.
    /// The listed rows projected; once `stop` says cancelled the remaining blocks are skipped
    /// (the caller checks and drops the result).
    fn transform_rows(
        &self,
        weights: &CsrMatrix<f32>,
        rows: &[usize],
        stop: &dyn Progress,
    ) -> (Array2<f64>, Vec<f64>) {
        let mut out = Array2::<f64>::zeros((rows.len(), self.dims));
        let mut captured = vec![0.0; rows.len()];
        out.axis_chunks_iter_mut(Axis(0), PROJECT_CHUNK_ROWS)
            .into_par_iter()
            .zip(captured.par_chunks_mut(PROJECT_CHUNK_ROWS))
            .zip(rows.par_chunks(PROJECT_CHUNK_ROWS))
            .for_each(|((mut block, captured), rows)| {
                if stop.cancelled() {
                    return;
                }
                for ((mut target, held), &row) in
                    block.axis_iter_mut(Axis(0)).zip(captured).zip(rows)
                {
                    let (cols, values) = weights.row(row);
                    let target = target
                        .as_slice_mut()
                        .expect("rows of a fresh standard-layout array are contiguous");
                    *held = self.project_row(cols, values, target);
                }
            });
        (out, captured)
    }

    /// A row of the LSA space taken back to the terms (`V · row`): the row's weight on every
    /// term of the vocabulary, in column order.
    pub(crate) fn back_project(&self, row: &[f64]) -> Vec<f64> {
        self.loadings
            .chunks_exact(self.dims)
            .map(|loading| {
                loading
                    .iter()
                    .zip(row)
                    .map(|(&l, &r)| f64::from(l) * r)
                    .sum()
            })
            .collect()
    }

    /// One document's weights (sorted columns, values) -> its unit-length row in `out`; returns
    /// the share of the weights' length the projection keeps (`|x·V| / |x|`, 0 without terms).
    pub(crate) fn project_row(&self, cols: &[u32], values: &[f32], out: &mut [f64]) -> f64 {
        out.fill(0.0);
        accumulate(out, cols, values, &self.loadings, self.dims);
        let norm = out.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            for v in out.iter_mut() {
                *v /= norm;
            }
        }
        let length = values
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            .sqrt();
        if length > 0.0 {
            (norm / length).min(1.0)
        } else {
            0.0
        }
    }
}

/// `out += Σ value · loadings[col]` in f64, column by column in the row's order.
fn accumulate(out: &mut [f64], cols: &[u32], values: &[f32], loadings: &[f32], dims: usize) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::active() >= crate::simd::Simd::Avx2 {
        // SAFETY: `accumulate_avx2` only requires AVX2, which the active level (simd::active) guarantees.
        return unsafe { accumulate_avx2(out, cols, values, loadings, dims) };
    }
    accumulate_portable(out, cols, values, loadings, dims);
}

// The same loop compiled for AVX2. Multiplies and adds stay separate (no fused multiply-add),
// so both versions give the same bits and a model tags the same on any x86-64 CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn accumulate_avx2(out: &mut [f64], cols: &[u32], values: &[f32], loadings: &[f32], dims: usize) {
    accumulate_portable(out, cols, values, loadings, dims);
}

#[inline(always)]
fn accumulate_portable(
    out: &mut [f64],
    cols: &[u32],
    values: &[f32],
    loadings: &[f32],
    dims: usize,
) {
    for (&col, &value) in cols.iter().zip(values) {
        let value = f64::from(value);
        let at = col as usize * dims;
        for (o, &l) in out.iter_mut().zip(&loadings[at..at + dims]) {
            *o += value * f64::from(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use ndarray::array;

    fn dense_to_csr(dense: &Array2<f64>) -> CsrMatrix<f32> {
        let rows = dense
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(c, v)| (c as u32, *v as f32))
                    .collect()
            })
            .collect();
        CsrMatrix::from_rows(dense.ncols(), rows)
    }

    #[test]
    fn singular_values_and_projections_match_an_exact_decomposition() {
        // A rank-3 matrix with known singular values 5, 3, 1 (orthogonal rows of a permutation
        // matrix scaled by the values, then mixed by an orthogonal 2x2 rotation on two rows).
        let c = (0.3f64).cos();
        let s = (0.3f64).sin();
        let dense = array![
            [5.0 * c, 0.0, 0.0, 0.0, 5.0 * s],
            [0.0, 3.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
        ];
        let params = ReduceParams {
            dims: 3,
            ..Default::default()
        };
        let matrix = dense_to_csr(&dense);
        let (loadings, singular) = params
            .truncated_svd(&matrix, 3, Seed(0), &Silent)
            .expect("svd");
        for (got, want) in singular.iter().zip([5.0, 3.0, 1.0]) {
            assert!((got - want).abs() < 1e-5, "{singular:?}");
        }
        // X V = U S: the rows keep the norms of the original rows (full rank captured).
        let projected = dense.dot(&loadings.mapv(f64::from));
        for (row, want) in projected.rows().into_iter().zip([5.0, 3.0, 1.0, 0.0]) {
            assert!((row.dot(&row).sqrt() - want).abs() < 1e-5);
        }
    }

    #[test]
    fn a_row_projects_the_same_alone_as_in_a_matrix() {
        let lsa = Lsa {
            terms: 3,
            dims: 2,
            loadings: vec![1.0, 0.5, -0.25, 2.0, 0.125, 0.0],
            singular_values: vec![2.0, 1.0],
        };
        let matrix = CsrMatrix::from_rows(
            3,
            vec![vec![(0, 0.5f32), (2, 0.25)], vec![], vec![(1, 1.0)]],
        );
        let all = lsa.transform(&matrix);
        let mut one = [0.0; 2];
        lsa.project_row(&[0, 2], &[0.5, 0.25], &mut one);
        assert_eq!(all.row(0).to_vec(), one.to_vec());
        assert_eq!(all.row(1).to_vec(), [0.0, 0.0]);
        let norm = one.iter().map(|v| v * v).sum::<f64>();
        assert!((norm - 1.0).abs() < 1e-12);
    }

    #[test]
    fn dims_are_capped_below_the_document_count() {
        let params = ReduceParams::default();
        assert_eq!(params.effective_dims(50, 1000), 49);
        assert_eq!(params.effective_dims(5000, 30), 30);
        assert_eq!(params.effective_dims(2, 10), 2);
        assert_eq!(params.effective_dims(1, 10), 1);
        assert_eq!(params.effective_dims(10, 1), 1);
        assert!(ReduceParams { dims: 1, ..params }.check().is_err());
    }
}
