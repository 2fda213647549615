//! A compressed sparse row matrix and the products LSA needs: sparse x dense and its transpose
//! times dense, in parallel, with results that do not depend on the number of threads.

use std::sync::Arc;

use linfa::Float;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::progress::Progress;

/// Rows of a sparse matrix, each a sorted run of (column, value) pairs. Values are `f64` by
/// default; TF-IDF weights are stored as `f32` and counts as `u32`, which halves the memory of the
/// largest structure of a run. The row structure (`indptr`, `indices`) is shared between
/// matrices of the same shape ([`CsrMatrix::with_values`]): the weights and the raw counts of a
/// corpus have the same non-zeros, and at a million documents one copy of the column indices is
/// about 300 MB.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix<V = f64> {
    cols: usize,
    indptr: Arc<Vec<usize>>,
    indices: Arc<Vec<u32>>,
    values: Vec<V>,
}

/// Rows per work unit of [`CsrMatrix::mul_transposed_dense`]. Fixed, so the order in which the
/// partial sums are added never depends on the thread count.
const TRANSPOSED_BLOCK_ROWS: usize = 16_384;

impl<V: Copy> CsrMatrix<V> {
    /// Builds from rows of (column, value) pairs sorted by column.
    pub fn from_rows(cols: usize, rows: Vec<Vec<(u32, V)>>) -> Self {
        let nnz = rows.iter().map(Vec::len).sum();
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let mut indices = Vec::with_capacity(nnz);
        let mut values = Vec::with_capacity(nnz);
        indptr.push(0);
        for row in rows {
            for (col, value) in row {
                indices.push(col);
                values.push(value);
            }
            indptr.push(indices.len());
        }
        Self::from_parts(cols, indptr, indices, values)
    }

    /// Builds from the three CSR arrays; `indptr` starts at 0 and ends at `indices.len()`.
    pub fn from_parts(cols: usize, indptr: Vec<usize>, indices: Vec<u32>, values: Vec<V>) -> Self {
        debug_assert_eq!(indptr.first(), Some(&0));
        debug_assert_eq!(indptr.last(), Some(&indices.len()));
        debug_assert_eq!(indices.len(), values.len());
        CsrMatrix {
            cols,
            indptr: Arc::new(indptr),
            indices: Arc::new(indices),
            values,
        }
    }

    /// A matrix with the same rows and non-zeros, sharing this one's structure, and other values
    /// (one per stored entry, in the same order).
    pub fn with_values<W>(&self, values: Vec<W>) -> CsrMatrix<W> {
        assert_eq!(values.len(), self.indices.len(), "one value per non-zero");
        CsrMatrix {
            cols: self.cols,
            indptr: Arc::clone(&self.indptr),
            indices: Arc::clone(&self.indices),
            values,
        }
    }

    pub fn rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// The columns and values of one row.
    pub fn row(&self, row: usize) -> (&[u32], &[V]) {
        let span = self.indptr[row]..self.indptr[row + 1];
        (&self.indices[span.clone()], &self.values[span])
    }

    /// Keeps only the listed rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> CsrMatrix<V> {
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        let mut indices = Vec::new();
        let mut values = Vec::new();
        indptr.push(0);
        for &r in rows {
            let (cols, vals) = self.row(r);
            indices.extend_from_slice(cols);
            values.extend_from_slice(vals);
            indptr.push(indices.len());
        }
        Self::from_parts(self.cols, indptr, indices, values)
    }
}

impl<V: Copy + Into<f64> + Send + Sync> CsrMatrix<V> {
    /// `self * dense`, one output row per thread task. Each output row is summed in a fixed
    /// order, so the result is identical for any number of threads. In `f32` the dense blocks of
    /// LSA's power iterations take half the memory traffic, which is what these products cost.
    pub fn mul_dense<T: Float>(&self, dense: ArrayView2<'_, T>, stop: &dyn Progress) -> Array2<T> {
        let mut out = Array2::<T>::zeros((self.rows(), dense.ncols()));
        self.mul_dense_into(dense, &mut out, stop);
        out
    }

    /// [`CsrMatrix::mul_dense`] into an existing (rows x width) array, overwriting it: LSA's
    /// power iterations reuse one documents x width block instead of allocating a second.
    ///
    /// Once `stop` says the work is cancelled the remaining rows are skipped: the caller checks
    /// [`crate::progress::check`] next and drops the half-made result.
    pub fn mul_dense_into<T: Float>(
        &self,
        dense: ArrayView2<'_, T>,
        out: &mut Array2<T>,
        stop: &dyn Progress,
    ) {
        assert_eq!(self.cols, dense.nrows(), "sparse x dense shape mismatch");
        assert_eq!(
            out.dim(),
            (self.rows(), dense.ncols()),
            "output shape mismatch"
        );
        let dense = dense.as_standard_layout();
        let dense = dense
            .as_slice()
            .expect("a standard-layout array is contiguous");
        let width = out.ncols();
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .enumerate()
            .with_min_len(64)
            .for_each(|(row, mut target)| {
                if stop.cancelled() {
                    return;
                }
                let target = target
                    .as_slice_mut()
                    .expect("rows of a standard-layout array are contiguous");
                target.fill(T::zero());
                let (cols, values) = self.row(row);
                gather(target, cols, values, dense, width);
            });
    }

    /// `selfᵀ * dense` without building the transpose: fixed blocks of rows each scatter into
    /// their own (columns x width) partial sum, computed in parallel, and the partial sums are
    /// added in block order, so the result is identical for any number of threads. At most one
    /// partial per thread is alive at a time. Stops early as [`CsrMatrix::mul_dense_into`] does.
    pub fn mul_transposed_dense<T: Float>(
        &self,
        dense: ArrayView2<'_, T>,
        stop: &dyn Progress,
    ) -> Array2<T> {
        assert_eq!(self.rows(), dense.nrows(), "sparseᵀ x dense shape mismatch");
        let width = dense.ncols();
        let dense = dense.as_standard_layout();
        let blocks: Vec<(usize, usize)> = (0..self.rows())
            .step_by(TRANSPOSED_BLOCK_ROWS)
            .map(|start| (start, (start + TRANSPOSED_BLOCK_ROWS).min(self.rows())))
            .collect();
        let mut total = Array2::<T>::zeros((self.cols, width));
        let partial = |&(start, end): &(usize, usize)| {
            let mut sums = Array2::<T>::zeros((self.cols, width));
            let flat = sums
                .as_slice_mut()
                .expect("a fresh standard-layout array is contiguous");
            for row in start..end {
                let source = dense.row(row);
                let source = source
                    .as_slice()
                    .expect("rows of a standard-layout array are contiguous");
                let (cols, values) = self.row(row);
                scatter(flat, cols, values, source);
            }
            sums
        };
        for group in blocks.chunks(rayon::current_num_threads().max(1)) {
            if stop.cancelled() {
                break;
            }
            let partials: Vec<Array2<T>> = group.par_iter().map(partial).collect();
            for sums in partials {
                total += &sums;
            }
        }
        total
    }
}

/// `target += Σ value · dense[col]` over one sparse row: the inner loop of `X * D`.
fn gather<T: Float, V: Copy + Into<f64>>(
    target: &mut [T],
    cols: &[u32],
    values: &[V],
    dense: &[T],
    width: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::active() >= crate::simd::Simd::Avx2 {
        // SAFETY: `gather_avx2` only requires AVX2, which the active level (simd::active) guarantees.
        return unsafe { gather_avx2(target, cols, values, dense, width) };
    }
    gather_portable(target, cols, values, dense, width);
}

/// `sums[col] += value · source` for each entry of one sparse row: the inner loop of `Xᵀ * D`.
fn scatter<T: Float, V: Copy + Into<f64>>(
    sums: &mut [T],
    cols: &[u32],
    values: &[V],
    source: &[T],
) {
    #[cfg(target_arch = "x86_64")]
    if crate::simd::active() >= crate::simd::Simd::Avx2 {
        // SAFETY: `scatter_avx2` only requires AVX2, which the active level (simd::active) guarantees.
        return unsafe { scatter_avx2(sums, cols, values, source) };
    }
    scatter_portable(sums, cols, values, source);
}

// The same loops compiled for AVX2: eight f32 lanes instead of four, about 1.5x faster on LSA's
// products. Multiplies and adds stay separate (no fused multiply-add), so both versions give the
// same bits and the output does not depend on the CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn gather_avx2<T: Float, V: Copy + Into<f64>>(
    target: &mut [T],
    cols: &[u32],
    values: &[V],
    dense: &[T],
    width: usize,
) {
    gather_portable(target, cols, values, dense, width);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scatter_avx2<T: Float, V: Copy + Into<f64>>(
    sums: &mut [T],
    cols: &[u32],
    values: &[V],
    source: &[T],
) {
    scatter_portable(sums, cols, values, source);
}

#[inline(always)]
fn gather_portable<T: Float, V: Copy + Into<f64>>(
    target: &mut [T],
    cols: &[u32],
    values: &[V],
    dense: &[T],
    width: usize,
) {
    for (&col, &value) in cols.iter().zip(values) {
        let at = col as usize * width;
        axpy(target, T::cast(value.into()), &dense[at..at + width]);
    }
}

#[inline(always)]
fn scatter_portable<T: Float, V: Copy + Into<f64>>(
    sums: &mut [T],
    cols: &[u32],
    values: &[V],
    source: &[T],
) {
    let width = source.len();
    for (&col, &value) in cols.iter().zip(values) {
        let at = col as usize * width;
        axpy(&mut sums[at..at + width], T::cast(value.into()), source);
    }
}

/// `target += scale * source`.
#[inline(always)]
fn axpy<T: Float>(target: &mut [T], scale: T, source: &[T]) {
    for (t, &s) in target.iter_mut().zip(source) {
        *t += scale * s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn sample() -> CsrMatrix {
        // [[1, 0, 2], [0, 0, 0], [0, 3, 4]]
        CsrMatrix::from_rows(
            3,
            vec![vec![(0, 1.0), (2, 2.0)], vec![], vec![(1, 3.0), (2, 4.0)]],
        )
    }

    #[test]
    fn multiplies_like_the_dense_matrix() {
        let dense = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let product = sample().mul_dense(dense.view(), &crate::progress::Silent);
        assert_eq!(product, array![[11.0, 14.0], [0.0, 0.0], [29.0, 36.0]]);
    }

    #[test]
    fn multiplies_the_transpose_without_building_it() {
        let dense = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let product = sample().mul_transposed_dense(dense.view(), &crate::progress::Silent);
        // Transpose: [[1, 0, 0], [0, 0, 3], [2, 0, 4]].
        assert_eq!(product, array![[1.0, 2.0], [15.0, 18.0], [22.0, 28.0]]);
    }

    #[test]
    fn the_transposed_product_is_the_same_on_any_number_of_threads() {
        let rows: Vec<Vec<(u32, f32)>> = (0..40_000u32)
            .map(|r| {
                vec![
                    (r % 7, 0.1 + (r % 13) as f32),
                    (7 + r % 5, 1.0 / (1 + r) as f32),
                ]
            })
            .collect();
        let matrix = CsrMatrix::from_rows(12, rows);
        let dense = Array2::from_shape_fn((40_000, 3), |(r, c)| ((r * 3 + c) % 17) as f32 * 0.37);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("pool");
        let single =
            one.install(|| matrix.mul_transposed_dense(dense.view(), &crate::progress::Silent));
        let several =
            three.install(|| matrix.mul_transposed_dense(dense.view(), &crate::progress::Silent));
        assert_eq!(single, several);
    }

    #[test]
    fn a_matrix_with_other_values_shares_the_structure() {
        let counts = sample().with_values(vec![1u32, 2, 3, 4]);
        assert_eq!(counts.row(2), (&[1u32, 2][..], &[3u32, 4][..]));
        assert!(counts.row(1).0.is_empty());
    }

    #[test]
    fn selects_rows_in_order() {
        let picked = sample().select_rows(&[2, 0]);
        assert_eq!(picked.row(0), (&[1u32, 2][..], &[3.0, 4.0][..]));
        assert_eq!(picked.row(1), (&[0u32, 2][..], &[1.0, 2.0][..]));
    }
}
