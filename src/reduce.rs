//! LSA: sparse TF-IDF rows -> a small dense [`Embedding`] (randomized truncated SVD after Halko,
//! Martinsson & Tropp 2011, rows re-normalised to unit length).

use linfa_linalg::eigh::Eigh;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::progress::{Progress, Silent, Work};
use crate::vectorize::{CsrMatrix, TfIdf};

/// Settings for the reduce stage.
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceParams {
    /// Number of LSA dimensions (capped below the number of documents and terms).
    pub dims: usize,
    /// Power iterations: each sharpens the subspace at the cost of two sparse products.
    pub power_iterations: usize,
    /// Extra random directions sampled beyond `dims`, for accuracy.
    pub oversamples: usize,
    pub seed: u64,
}

impl Default for ReduceParams {
    fn default() -> Self {
        ReduceParams {
            dims: 100,
            power_iterations: 4,
            oversamples: 10,
            seed: 0,
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
    /// Singular values of the kept components, largest first.
    pub singular_values: Vec<f64>,
}

impl ReduceParams {
    pub fn check(&self) -> Result<()> {
        if self.dims < 2 {
            return Err(Error::setting(
                "--dims",
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

    pub fn fit(&self, tfidf: &TfIdf) -> Result<Embedding> {
        self.fit_with_progress(tfidf, &Silent)
    }

    /// [`Self::fit`], reporting each pass over the matrix (the first sample, every power
    /// iteration, the final projection) to `progress`.
    pub fn fit_with_progress(&self, tfidf: &TfIdf, progress: &dyn Progress) -> Result<Embedding> {
        let documents = tfidf.documents_with_terms();
        // Only documents with terms are embedded; when that is all of them (the usual case) the
        // matrix is used as it is rather than copied.
        let selected;
        let matrix = if documents.len() == tfidf.weights.rows() {
            &tfidf.weights
        } else {
            selected = tfidf.weights.select_rows(&documents);
            &selected
        };
        let dims = self.effective_dims(matrix.rows(), matrix.cols());
        let (mut rows, singular_values) = self.truncated_svd(matrix, dims, progress)?;
        normalize_rows(&mut rows);
        Ok(Embedding {
            rows,
            documents,
            singular_values,
        })
    }

    /// Returns U * S (documents x dims) and S.
    fn truncated_svd<V>(
        &self,
        matrix: &CsrMatrix<V>,
        dims: usize,
        progress: &dyn Progress,
    ) -> Result<(Array2<f64>, Vec<f64>)>
    where
        V: Copy + Into<f64> + Send + Sync,
    {
        progress.measure(Work::items("passes", self.power_iterations + 2));
        let width = (dims + self.oversamples)
            .min(matrix.rows())
            .min(matrix.cols());
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed);
        let omega: Array2<f32> = Array2::from_shape_simple_fn((matrix.cols(), width), || {
            StandardNormal.sample(&mut rng)
        });

        // Range finder with power iterations (X Xᵀ)^q X Ω. The documents x width blocks stay in
        // f32, one copy at a time, and Xᵀ Q is summed without building the transpose: at a million
        // documents each f64 copy or transpose would cost about a gigabyte. Every Gram matrix is
        // summed in f64, so each orthonormalisation pass still squares the remaining error; the
        // final basis gets two passes (orthonormal to f32 precision, far beyond what clustering
        // can see).
        let mut sample = matrix.mul_dense(omega.view());
        drop(omega);
        progress.advance(1);
        for _ in 0..self.power_iterations {
            orthonormalize_in_place(&mut sample, 1)?;
            let projected = matrix.mul_transposed_dense(sample.view());
            matrix.mul_dense_into(projected.view(), &mut sample);
            progress.advance(1);
        }
        orthonormalize_in_place(&mut sample, 2)?;
        let basis = sample;

        // B = Qᵀ X is small (width x terms): its left singular vectors come from the
        // eigen-decomposition of B Bᵀ (width x width), summed in f64 from Bᵀ = Xᵀ Q: singular
        // values keep about seven digits, far more than clustering can use.
        let projected_t = matrix.mul_transposed_dense(basis.view()); // = Bᵀ, terms x width
        progress.advance(1);
        let gram = gram_f64(projected_t.view());
        let (values, vectors) = symmetric_eigen_desc(&gram)?;
        let singular: Vec<f64> = values
            .iter()
            .take(dims)
            .map(|v| v.max(0.0).sqrt())
            .collect();
        let mut scaled = vectors.slice(ndarray::s![.., ..dims]).to_owned();
        for (mut column, s) in scaled.axis_iter_mut(Axis(1)).zip(&singular) {
            column *= *s;
        }
        let mut embedding = times_small_f64(basis.view(), &scaled);
        flip_signs(&mut embedding);
        Ok((embedding, singular))
    }
}

/// Rows per work unit of the dense kernels below. Fixed, so sums never depend on the thread count.
const DENSE_BLOCK_ROWS: usize = 2048;

/// `matrixᵀ matrix` summed in f64: fixed row blocks in parallel, their Grams added in block order.
fn gram_f64(matrix: ArrayView2<'_, f32>) -> Array2<f64> {
    let partials: Vec<Array2<f64>> = matrix
        .axis_chunks_iter(Axis(0), DENSE_BLOCK_ROWS)
        .into_par_iter()
        .map(|block| {
            let block = block.mapv(f64::from);
            block.t().dot(&block)
        })
        .collect();
    let mut gram = Array2::<f64>::zeros((matrix.ncols(), matrix.ncols()));
    for partial in partials {
        gram += &partial;
    }
    gram
}

/// `matrix * small` (small: width x width' in f64), computed in f64 by row blocks in parallel.
fn times_small_f64(matrix: ArrayView2<'_, f32>, small: &Array2<f64>) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros((matrix.nrows(), small.ncols()));
    out.axis_chunks_iter_mut(Axis(0), DENSE_BLOCK_ROWS)
        .into_par_iter()
        .zip(matrix.axis_chunks_iter(Axis(0), DENSE_BLOCK_ROWS))
        .for_each(|(mut target, block)| {
            target.assign(&block.mapv(f64::from).dot(small));
        });
    out
}

/// [`orthonormalize`] for an f32 block, in place (row block by row block), with the Gram matrix
/// and its eigen-decomposition in f64.
fn orthonormalize_in_place(matrix: &mut Array2<f32>, passes: usize) -> Result<()> {
    for _ in 0..passes {
        // Below 1e-12 of the largest, a direction is rounding noise of f32 data, not signal:
        // scaling it up would only amplify the noise.
        let transform = whitening(&gram_f64(matrix.view()), 1e-12)?.mapv(|v| v as f32);
        matrix
            .axis_chunks_iter_mut(Axis(0), DENSE_BLOCK_ROWS)
            .into_par_iter()
            .for_each(|mut block| {
                let product = block.dot(&transform);
                block.assign(&product);
            });
    }
    Ok(())
}

/// Eigenvalues (descending) and matching eigenvector columns of a symmetric matrix.
pub(crate) fn symmetric_eigen_desc(matrix: &Array2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let (values, vectors) = matrix
        .eigh()
        .map_err(|e| Error::Compute(format!("LSA: eigen-decomposition failed: {e}")))?;
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let sorted_values = order.iter().map(|&i| values[i]).collect();
    let sorted_vectors = vectors.select(Axis(1), &order);
    Ok((sorted_values, sorted_vectors))
}

/// Orthonormal columns spanning the columns of `matrix` (Cholesky-QR style, via the eigen-
/// decomposition of the small Gram matrix; each pass squares the remaining error, so two passes
/// reach machine precision). Directions with no weight become zero columns instead of dividing
/// by nothing.
pub(crate) fn orthonormalize(mut matrix: Array2<f64>, passes: usize) -> Result<Array2<f64>> {
    for _ in 0..passes {
        let transform = whitening(&matrix.t().dot(&matrix), 1e-20)?;
        matrix = matrix.dot(&transform);
    }
    Ok(matrix)
}

/// The transform that makes a matrix with this Gram matrix orthonormal: its eigenvectors, each
/// scaled by 1/√eigenvalue. Directions whose eigenvalue is at most `relative_floor` times the
/// largest (or not positive) get zero columns instead of dividing by nothing.
fn whitening(gram: &Array2<f64>, relative_floor: f64) -> Result<Array2<f64>> {
    let (values, mut vectors) = symmetric_eigen_desc(gram)?;
    let largest = values.first().copied().unwrap_or(0.0).max(0.0);
    for (mut column, &value) in vectors.axis_iter_mut(Axis(1)).zip(values.iter()) {
        let scale = if value > largest * relative_floor && value > 0.0 {
            1.0 / value.sqrt()
        } else {
            0.0
        };
        column *= scale;
    }
    Ok(vectors)
}

/// Makes each component's largest-magnitude entry positive, so the sign is canonical.
pub(crate) fn flip_signs(embedding: &mut Array2<f64>) {
    for mut column in embedding.axis_iter_mut(Axis(1)) {
        let pivot =
            column.iter().copied().fold(
                0.0f64,
                |best, v| if v.abs() > best.abs() { v } else { best },
            );
        if pivot < 0.0 {
            column.mapv_inplace(|v| -v);
        }
    }
}

/// Scales every non-zero row to unit length.
pub fn normalize_rows(rows: &mut Array2<f64>) {
    for mut row in rows.axis_iter_mut(Axis(0)) {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row /= norm;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn dense_to_csr(dense: &Array2<f64>) -> CsrMatrix {
        let rows = dense
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(c, v)| (c as u32, *v))
                    .collect()
            })
            .collect();
        CsrMatrix::from_rows(dense.ncols(), rows)
    }

    #[test]
    fn orthonormalize_gives_orthonormal_columns_of_the_same_span() {
        let matrix = array![[1.0, 2.0], [3.0, 4.0], [5.0, 7.0], [1.0, 0.0]];
        let q = orthonormalize(matrix.clone(), 2).expect("ok");
        let identity = q.t().dot(&q);
        for i in 0..2 {
            for j in 0..2 {
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((identity[[i, j]] - expected).abs() < 1e-12);
            }
        }
        // Projecting the original columns onto the basis changes nothing.
        let projected = q.dot(&q.t().dot(&matrix));
        assert!((projected - &matrix).iter().all(|d| d.abs() < 1e-10));
    }

    #[test]
    fn singular_values_match_an_exact_decomposition() {
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
        let (embedding, singular) = params
            .truncated_svd(&dense_to_csr(&dense), 3, &Silent)
            .expect("svd");
        for (got, want) in singular.iter().zip([5.0, 3.0, 1.0]) {
            assert!((got - want).abs() < 1e-6, "{singular:?}");
        }
        // U*S rows have the norms of the original rows (full rank captured).
        for (row, want) in embedding.rows().into_iter().zip([5.0, 3.0, 1.0, 0.0]) {
            assert!((row.dot(&row).sqrt() - want).abs() < 1e-6);
        }
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
