//! Spectral embedding: LSA rows -> rows of the leading eigenvectors of the documents'
//! nearest-neighbour graph (normalised adjacency), which k-means then clusters: spectral
//! clustering, with linfa's k-means as its last step.
//!
//! Why: k-means on LSA rows assumes round topics of similar spread. Topics in text are chains
//! of documents that each resemble a few others; the graph keeps those local links and the
//! eigenvectors turn each well-linked group into a compact blob.

use ndarray::{s, Array2, ArrayView2, Axis};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Param, Result};
use crate::linalg::matmul;
use crate::linalg::{flip_signs, normalize_rows, orthonormalize, symmetric_eigen_desc};
use crate::progress::{Progress, Work};
use crate::reduce::Embedding;
use crate::seed::Seed;
use crate::sparse::CsrMatrix;

/// Settings for the spectral embedding (used only when a run asks for it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectralParams {
    /// Nearest neighbours linked to each document.
    pub neighbors: usize,
    /// Eigenvectors kept per topic asked for (at least `min_dims`).
    pub dims_per_topic: usize,
    pub min_dims: usize,
    /// Subspace iterations for the eigenvectors.
    pub iterations: usize,
    /// Extra vectors carried through the iterations, for accuracy of the last kept ones.
    pub oversamples: usize,
}

impl Default for SpectralParams {
    fn default() -> Self {
        SpectralParams {
            neighbors: 15,
            dims_per_topic: 1,
            min_dims: 2,
            iterations: 100,
            oversamples: 10,
        }
    }
}

/// Rows of documents per block of the neighbour search: a block's similarities to every row
/// (block x documents, f32) stay within a few MiB per thread on large corpora.
const BLOCK_ROWS: usize = 256;

impl SpectralParams {
    pub fn check(&self) -> Result<()> {
        if self.neighbors == 0 {
            return Err(Error::param(Param::Neighbors, "must be at least 1"));
        }
        Ok(())
    }

    /// Eigenvectors wanted for `topics` topics.
    pub fn dims_for(&self, topics: usize) -> usize {
        (self.dims_per_topic * topics).max(self.min_dims)
    }

    /// The `dims` leading eigenvectors of the normalised neighbour graph of `lsa`'s rows, each
    /// row scaled to unit length. Each subspace iteration is reported to `progress`.
    pub fn embed(
        &self,
        lsa: &Embedding,
        dims: usize,
        seed: Seed,
        progress: &dyn Progress,
    ) -> Result<Embedding> {
        let n = lsa.rows.nrows();
        let neighbors = self.neighbors.min(n.saturating_sub(1));
        let dims = dims.min(n);
        if neighbors == 0 || dims < 2 {
            return Ok(lsa.clone());
        }
        let graph = normalized_graph(&nearest_neighbors(lsa.rows.view(), neighbors, progress));
        let mut rows = self.leading_eigenvectors(&graph, dims, seed, progress)?;
        normalize_rows(&mut rows);
        Ok(Embedding {
            rows,
            documents: lsa.documents.clone(),
        })
    }

    /// Subspace iteration on (I + S) / 2, whose eigenvalues lie in [0, 1] with S's order, then
    /// Rayleigh-Ritz. Returns the vectors (documents x dims).
    fn leading_eigenvectors(
        &self,
        graph: &CsrMatrix,
        dims: usize,
        seed: Seed,
        progress: &dyn Progress,
    ) -> Result<Array2<f64>> {
        let n = graph.rows();
        let width = (dims + self.oversamples).min(n);
        let mut rng = seed.rng();
        let mut basis: Array2<f64> =
            Array2::from_shape_simple_fn((n, width), || StandardNormal.sample(&mut rng));
        basis = orthonormalize(basis, 2)?;
        let shifted = |x: &Array2<f64>| -> Array2<f64> {
            let mut product = graph.mul_dense(x.view(), progress);
            product += x;
            product *= 0.5;
            product
        };
        progress.measure(Work::items("iterations", self.iterations));
        for _ in 0..self.iterations {
            crate::progress::check(progress)?;
            basis = orthonormalize(shifted(&basis), 1)?;
            progress.advance(1);
        }
        basis = orthonormalize(basis, 1)?;
        let projected = matmul(basis.t(), graph.mul_dense(basis.view(), progress).view());
        let symmetric = (&projected + &projected.t()) * 0.5;
        let (_, vectors) = symmetric_eigen_desc(&symmetric)?;
        let mut rows = matmul(basis.view(), vectors.slice(s![.., ..dims]));
        flip_signs(&mut rows);
        Ok(rows)
    }
}

/// Each row's `m` most similar other rows by cosine (rows are unit length, so by dot
/// product), with the similarity; ties go to the lower row index, so the graph never depends on
/// the thread count.
fn nearest_neighbors(
    rows: ArrayView2<'_, f64>,
    m: usize,
    progress: &dyn Progress,
) -> Vec<Vec<(u32, f32)>> {
    let all: Array2<f32> = rows.mapv(|v| v as f32);
    let n = all.nrows();
    progress.measure(Work::items("documents linked", n));
    let blocks: Vec<usize> = (0..n).step_by(BLOCK_ROWS).collect();
    blocks
        .into_par_iter()
        .flat_map_iter(|start| {
            let end = (start + BLOCK_ROWS).min(n);
            let similarities = matmul(all.slice(s![start..end, ..]), all.t());
            let mut out = Vec::with_capacity(end - start);
            let mut order: Vec<(u32, f32)> = Vec::with_capacity(n);
            for (offset, row) in similarities.axis_iter(Axis(0)).enumerate() {
                let me = start + offset;
                order.clear();
                order.extend(
                    row.iter()
                        .enumerate()
                        .filter(|&(j, _)| j != me)
                        .map(|(j, &s)| (j as u32, s)),
                );
                let by_similarity =
                    |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
                if order.len() > m {
                    order.select_nth_unstable_by(m, by_similarity);
                    order.truncate(m);
                }
                order.sort_by(by_similarity);
                out.push(order.clone());
            }
            progress.advance((end - start) as u64);
            out
        })
        .collect()
}

/// The symmetric neighbour graph, W = (A + Aᵀ) / 2 with A's weights the (non-negative)
/// similarities, normalised as D^-1/2 W D^-1/2. Rows without any weight stay empty.
fn normalized_graph(neighbors: &[Vec<(u32, f32)>]) -> CsrMatrix {
    let n = neighbors.len();
    let mut entries: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
    for (i, list) in neighbors.iter().enumerate() {
        for &(j, similarity) in list {
            let weight = f64::from(similarity.max(0.0)) * 0.5;
            if weight > 0.0 {
                entries[i].push((j, weight));
                entries[j as usize].push((i as u32, weight));
            }
        }
    }
    let rows: Vec<Vec<(u32, f64)>> = entries
        .into_par_iter()
        .map(|mut row| {
            row.sort_by_key(|&(j, _)| j);
            let mut merged: Vec<(u32, f64)> = Vec::with_capacity(row.len());
            for (j, w) in row {
                match merged.last_mut() {
                    Some((last, sum)) if *last == j => *sum += w,
                    _ => merged.push((j, w)),
                }
            }
            merged
        })
        .collect();
    let degree: Vec<f64> = rows
        .iter()
        .map(|row| row.iter().map(|(_, w)| w).sum::<f64>())
        .collect();
    let scale: Vec<f64> = degree
        .iter()
        .map(|&d| if d > 0.0 { 1.0 / d.sqrt() } else { 0.0 })
        .collect();
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            row.into_iter()
                .map(|(j, w)| (j, w * scale[i] * scale[j as usize]))
                .collect()
        })
        .collect();
    CsrMatrix::from_rows(n, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn neighbours_are_the_most_similar_other_rows() {
        let rows = array![[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]];
        let found = nearest_neighbors(rows.view(), 2, &crate::progress::Silent);
        let ids: Vec<Vec<u32>> = found
            .iter()
            .map(|list| list.iter().map(|&(j, _)| j).collect())
            .collect();
        assert_eq!(ids, [vec![1, 3], vec![3, 0], vec![3, 1], vec![1, 2]]);
    }

    #[test]
    fn the_graph_is_symmetric_and_normalised() {
        let neighbors = vec![vec![(1, 1.0)], vec![(0, 1.0), (2, 0.5)], vec![]];
        let graph = normalized_graph(&neighbors);
        // W: w01 = (1 + 1) / 2 = 1, w12 = 0.5 / 2 = 0.25; degrees 1, 1.25, 0.25.
        assert_eq!(graph.row(0).0, [1]);
        assert!((graph.row(0).1[0] - 1.0 / 1.25f64.sqrt()).abs() < 1e-12);
        assert!((graph.row(2).1[0] - 0.25 / (1.25f64 * 0.25).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn separated_groups_become_separated_points() {
        // Two groups of three nearly parallel rows, far apart.
        let lsa = Embedding {
            rows: array![
                [1.0, 0.0, 0.0],
                [0.99, 0.14, 0.0],
                [0.99, 0.0, 0.14],
                [0.0, 1.0, 0.0],
                [0.0, 0.99, 0.14],
                [0.14, 0.99, 0.0],
            ],
            documents: (0..6).collect(),
        };
        let params = SpectralParams {
            neighbors: 2,
            ..Default::default()
        };
        let embedded = params
            .embed(&lsa, 2, Seed(0), &crate::progress::Silent)
            .expect("embed");
        let rows = &embedded.rows;
        let dot = |a: usize, b: usize| rows.row(a).dot(&rows.row(b));
        assert!(dot(0, 1) > 0.99 && dot(3, 4) > 0.99, "{rows:?}");
        assert!(dot(0, 3) < 0.1, "{rows:?}");
    }
}
