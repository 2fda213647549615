//! The fitted clustering: unit centroids, numbered by size -> each row's topic (highest cosine)
//! and score, and its best few topics. The fit places its own documents with this, and `tag`
//! places new ones with it, so the two agree to the bit.

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One unit-length centroid per topic, topic 0 first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Centroids {
    topics: usize,
    dims: usize,
    /// topics x dims, row-major.
    values: Vec<f64>,
}

/// Rows per parallel work unit of [`Centroids::assign`]; each row is placed alone, so this only
/// sets the grain of the work.
const ASSIGN_CHUNK_ROWS: usize = 512;

impl Centroids {
    /// Centroids from a topics x dims array, each scaled to unit length (a zero row, an empty
    /// topic, stays zero and is never the best).
    pub fn new(mut rows: Array2<f64>) -> Self {
        crate::linalg::normalize_rows(&mut rows);
        Centroids {
            topics: rows.nrows(),
            dims: rows.ncols(),
            values: rows.iter().copied().collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.topics
    }

    pub fn is_empty(&self) -> bool {
        self.topics == 0
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// The centroids as a topics x dims view.
    pub fn rows(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.topics, self.dims), &self.values)
            .expect("values hold topics x dims entries")
    }

    /// The listed topics, in the given order.
    pub(crate) fn select(&self, topics: &[usize]) -> Centroids {
        let rows = self.rows().select(Axis(0), topics);
        Centroids {
            topics: rows.nrows(),
            dims: self.dims,
            values: rows.iter().copied().collect(),
        }
    }

    /// Checks that a loaded model's centroids are whole and finite.
    pub(crate) fn validate(&self, dims: usize) -> Result<(), String> {
        // Checked: the counts come from the file, and a product that wraps could match.
        if self.topics == 0 || self.topics.checked_mul(self.dims) != Some(self.values.len()) {
            return Err(format!(
                "{} centroid values for {} topics x {} dimensions",
                self.values.len(),
                self.topics,
                self.dims
            ));
        }
        if self.dims != dims {
            return Err(format!(
                "centroids of {} dimensions for rows of {dims}",
                self.dims
            ));
        }
        if self.values.iter().any(|v| !v.is_finite()) {
            return Err("centroids are not all finite".into());
        }
        Ok(())
    }

    /// Every row's topic and score, in parallel (see [`Centroids::place`]).
    pub fn assign(&self, rows: ArrayView2<'_, f64>) -> Vec<(usize, f64)> {
        let mut placed = vec![(0, 0.0); rows.nrows()];
        placed
            .par_chunks_mut(ASSIGN_CHUNK_ROWS)
            .enumerate()
            .for_each(|(chunk, out)| {
                for (i, slot) in out.iter_mut().enumerate() {
                    *slot = self.place(rows.row(chunk * ASSIGN_CHUNK_ROWS + i));
                }
            });
        placed
    }

    /// One unit row's topic, the centroid of highest dot product (the cosine; ties: the lowest
    /// topic), and that cosine as its score.
    pub fn place(&self, row: ArrayView1<'_, f64>) -> (usize, f64) {
        let mut best = (0, f64::NEG_INFINITY);
        for (topic, centroid) in self.rows().axis_iter(Axis(0)).enumerate() {
            let similarity = centroid.dot(&row);
            if similarity > best.1 {
                best = (topic, similarity);
            }
        }
        best
    }

    /// A row's `n` best topics with their cosines, best first (ties: the lower topic).
    pub fn top(&self, row: ArrayView1<'_, f64>, n: usize) -> Vec<(usize, f64)> {
        let mut all: Vec<(usize, f64)> = self
            .rows()
            .axis_iter(Axis(0))
            .map(|centroid| centroid.dot(&row))
            .enumerate()
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn rows_go_to_the_centroid_of_highest_cosine_with_it_as_score() {
        let centroids = Centroids::new(array![[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]]);
        let rows = array![[1.0, 0.0], [0.6, 0.8], [0.0, 0.0]];
        let placed = centroids.assign(rows.view());
        assert_eq!(placed[0], (0, 1.0));
        assert_eq!(placed[1].0, 2);
        assert!((placed[1].1 - 1.4 / 2f64.sqrt()).abs() < 1e-12);
        // A zero row ties everywhere: the lowest topic, score 0.
        assert_eq!(placed[2], (0, 0.0));
        let top = centroids.top(rows.row(1), 2);
        assert_eq!(top.iter().map(|t| t.0).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(top[0], placed[1]);
    }
}
