//! A compressed sparse row matrix and the products LSA needs: sparse x dense, in parallel.

use linfa::Float;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// Rows of a sparse matrix, each a sorted run of (column, value) pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix {
    cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
}

impl CsrMatrix {
    /// Builds from rows of (column, value) pairs sorted by column.
    pub fn from_rows(cols: usize, rows: Vec<Vec<(u32, f64)>>) -> Self {
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
        CsrMatrix {
            cols,
            indptr,
            indices,
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
    pub fn row(&self, row: usize) -> (&[u32], &[f64]) {
        let span = self.indptr[row]..self.indptr[row + 1];
        (&self.indices[span.clone()], &self.values[span])
    }

    /// Keeps only the listed rows, in the given order.
    pub fn select_rows(&self, rows: &[usize]) -> CsrMatrix {
        CsrMatrix::from_rows(
            self.cols,
            rows.iter()
                .map(|&r| {
                    let (cols, values) = self.row(r);
                    cols.iter().copied().zip(values.iter().copied()).collect()
                })
                .collect(),
        )
    }

    /// The transpose, with rows still sorted by column (a counting sort over columns).
    pub fn transpose(&self) -> CsrMatrix {
        let mut counts = vec![0usize; self.cols + 1];
        for &col in &self.indices {
            counts[col as usize + 1] += 1;
        }
        for i in 0..self.cols {
            counts[i + 1] += counts[i];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let mut indices = vec![0u32; self.nnz()];
        let mut values = vec![0f64; self.nnz()];
        for row in 0..self.rows() {
            let (cols, vals) = self.row(row);
            for (&col, &value) in cols.iter().zip(vals) {
                let slot = next[col as usize];
                indices[slot] = row as u32;
                values[slot] = value;
                next[col as usize] += 1;
            }
        }
        CsrMatrix {
            cols: self.rows(),
            indptr,
            indices,
            values,
        }
    }

    /// `self * dense`, one output row per thread task. Each output row is summed in a fixed
    /// order, so the result is identical for any number of threads. In `f32` the dense blocks of
    /// LSA's power iterations take half the memory traffic, which is what these products cost.
    pub fn mul_dense<T: Float>(&self, dense: ArrayView2<'_, T>) -> Array2<T> {
        assert_eq!(self.cols, dense.nrows(), "sparse x dense shape mismatch");
        let width = dense.ncols();
        let mut out = Array2::<T>::zeros((self.rows(), width));
        let dense = dense.as_standard_layout();
        out.axis_iter_mut(Axis(0))
            .into_par_iter()
            .enumerate()
            .with_min_len(64)
            .for_each(|(row, mut target)| {
                let target = target
                    .as_slice_mut()
                    .expect("rows of a fresh standard-layout array are contiguous");
                let (cols, values) = self.row(row);
                for (&col, &value) in cols.iter().zip(values) {
                    let value = T::cast(value);
                    let source = dense.row(col as usize);
                    let source = source
                        .as_slice()
                        .expect("rows of a standard-layout array are contiguous");
                    for (t, &s) in target.iter_mut().zip(source) {
                        *t += value * s;
                    }
                }
            });
        out
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
        let product = sample().mul_dense(dense.view());
        assert_eq!(product, array![[11.0, 14.0], [0.0, 0.0], [29.0, 36.0]]);
    }

    #[test]
    fn transpose_swaps_rows_and_columns() {
        let t = sample().transpose();
        assert_eq!(t.rows(), 3);
        assert_eq!(t.row(0), (&[0u32][..], &[1.0][..]));
        assert_eq!(t.row(2), (&[0u32, 2][..], &[2.0, 4.0][..]));
        assert_eq!(t.transpose(), sample());
    }

    #[test]
    fn selects_rows_in_order() {
        let picked = sample().select_rows(&[2, 0]);
        assert_eq!(picked.row(0), (&[1u32, 2][..], &[3.0, 4.0][..]));
        assert_eq!(picked.row(1), (&[0u32, 2][..], &[1.0, 2.0][..]));
    }
}
