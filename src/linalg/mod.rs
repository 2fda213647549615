//! Dense linear algebra shared by LSA and the spectral embedding: small symmetric
//! eigen-decompositions, orthonormalisation through the Gram matrix, row normalisation and
//! block products whose sums never depend on the thread count.

mod eigen;
pub(crate) mod gemm;

pub(crate) use gemm::{gemm, matmul};

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::progress::Progress;

/// Rows per work unit of the dense kernels below. Fixed, so sums never depend on the thread count.
const DENSE_BLOCK_ROWS: usize = 2048;

/// `matrixᵀ matrix` summed in f64: fixed row blocks in parallel, their Grams added in block order.
pub(crate) fn gram_f64(matrix: ArrayView2<'_, f32>, stop: &dyn Progress) -> Array2<f64> {
    let partials: Vec<Array2<f64>> = matrix
        .axis_chunks_iter(Axis(0), DENSE_BLOCK_ROWS)
        .into_par_iter()
        .map(|block| {
            if stop.cancelled() {
                return Array2::zeros((block.ncols(), block.ncols()));
            }
            let block = block.mapv(f64::from);
            matmul(block.t(), block.view())
        })
        .collect();
    let mut gram = Array2::<f64>::zeros((matrix.ncols(), matrix.ncols()));
    for partial in partials {
        gram += &partial;
    }
    gram
}

/// `matrix * small` in f32 (small: width x width'), by row blocks in parallel: for results
/// stored in f32 anyway, half the memory traffic of the f64 product.
pub(crate) fn times_small_f32(matrix: ArrayView2<'_, f32>, small: &Array2<f32>) -> Array2<f32> {
    let mut out = Array2::<f32>::zeros((matrix.nrows(), small.ncols()));
    out.axis_chunks_iter_mut(Axis(0), DENSE_BLOCK_ROWS)
        .into_par_iter()
        .zip(matrix.axis_chunks_iter(Axis(0), DENSE_BLOCK_ROWS))
        .for_each(|(target, block)| {
            gemm(1.0, block, small.view(), 0.0, target);
        });
    out
}

/// [`orthonormalize`] for an f32 block, in place (row block by row block), with the Gram matrix
/// and its eigen-decomposition in f64.
pub(crate) fn orthonormalize_in_place(
    matrix: &mut Array2<f32>,
    passes: usize,
    stop: &dyn Progress,
) -> Result<()> {
    for _ in 0..passes {
        // Below 1e-12 of the largest, a direction is rounding noise of f32 data, not signal:
        // scaling it up would only amplify the noise.
        let gram = gram_f64(matrix.view(), stop);
        crate::progress::check(stop)?;
        let transform = whitening(&gram, 1e-12)?.mapv(|v| v as f32);
        matrix
            .axis_chunks_iter_mut(Axis(0), DENSE_BLOCK_ROWS)
            .into_par_iter()
            .for_each(|mut block| {
                if stop.cancelled() {
                    return;
                }
                let product = matmul(block.view(), transform.view());
                block.assign(&product);
            });
        crate::progress::check(stop)?;
    }
    Ok(())
}

/// Eigenvalues (descending) and matching eigenvector columns of a symmetric matrix.
pub(crate) fn symmetric_eigen_desc(matrix: &Array2<f64>) -> Result<(Array1<f64>, Array2<f64>)> {
    let n = matrix.nrows();
    assert_eq!(matrix.ncols(), n, "not a square matrix");
    let flat: Vec<f64> = matrix.iter().copied().collect();
    let (values, vectors) = eigen::symmetric_eigen(&flat, n).map_err(|_| {
        Error::compute("eigen-decomposition failed: the matrix holds NaN or infinite values")
    })?;
    // Row j of `rows` is the vector of values[j]; the caller wants them as columns.
    let rows = Array2::from_shape_vec((n, n), vectors).expect("n x n eigenvectors");
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let sorted_values = order.iter().map(|&i| values[i]).collect();
    let sorted_vectors = rows.t().select(Axis(1), &order);
    Ok((sorted_values, sorted_vectors))
}

/// Orthonormal columns spanning the columns of `matrix` (Cholesky-QR style, via the eigen-
/// decomposition of the small Gram matrix; each pass squares the remaining error, so two passes
/// reach machine precision). Directions with no weight become zero columns instead of dividing
/// by nothing.
pub(crate) fn orthonormalize(mut matrix: Array2<f64>, passes: usize) -> Result<Array2<f64>> {
    for _ in 0..passes {
        let transform = whitening(&matmul(matrix.t(), matrix.view()), 1e-20)?;
        matrix = matmul(matrix.view(), transform.view());
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

/// Makes each column's largest-magnitude entry positive, so the sign is canonical.
pub(crate) fn flip_signs<F: linfa::Float>(matrix: &mut Array2<F>) {
    for mut column in matrix.axis_iter_mut(Axis(1)) {
        let pivot =
            column.iter().copied().fold(
                F::zero(),
                |best, v| {
                    if v.abs() > best.abs() {
                        v
                    } else {
                        best
                    }
                },
            );
        if pivot < F::zero() {
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
}
