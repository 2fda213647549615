//! Cosine silhouette: embedding rows with a cluster label each in -> the mean silhouette with
//! cosine distance out, over all rows or a seeded uniform sample of them.

use ndarray::{s, Array2, ArrayView1, ArrayView2, Axis};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Similarities held at once per block of rows (8 MiB of f64), whatever the row count.
const BLOCK_SIMILARITIES: usize = 1 << 20;

/// Mean silhouette of `rows` grouped by `labels`, with cosine distance (1 - cos), as
/// scikit-learn's `silhouette_score(rows, labels, metric="cosine")`.
///
/// With more than `max_rows` rows, it is the silhouette of `max_rows` of them drawn uniformly
/// (seeded by `seed`), computed within that sample only, as scikit-learn's `sample_size` does.
///
/// Conventions, as in scikit-learn: a row alone in its cluster scores 0; a zero row is at
/// distance 1 from every other row. `None` where scikit-learn raises: fewer than two clusters,
/// or as many clusters as rows (in the sample, if one is drawn).
///
/// # Panics
/// If there is not one label per row.
pub fn silhouette_cosine(
    rows: ArrayView2<'_, f64>,
    labels: &[usize],
    max_rows: usize,
    seed: u64,
) -> Option<f64> {
    assert_eq!(
        rows.nrows(),
        labels.len(),
        "silhouette_cosine needs one label per row"
    );
    if rows.nrows() <= max_rows {
        return silhouette(rows, labels);
    }
    let picked = sample_rows(rows.nrows(), max_rows, seed);
    let picked_labels: Vec<usize> = picked.iter().map(|&row| labels[row]).collect();
    silhouette(rows.select(Axis(0), &picked).view(), &picked_labels)
}

/// `max_rows` distinct row indices out of `rows`, drawn uniformly, in increasing order (the
/// order the sampler draws them in is its own business, not the sample's).
fn sample_rows(rows: usize, max_rows: usize, seed: u64) -> Vec<usize> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut picked = rand::seq::index::sample(&mut rng, rows, max_rows).into_vec();
    picked.sort_unstable();
    picked
}

/// The exact silhouette over all `rows`. Similarities come from a Gram matrix of unit rows,
/// a block of rows at a time so memory stays bounded; blocks are fixed by the row count alone
/// and each row's distances are summed in column order, so threads do not change the result.
fn silhouette(rows: ArrayView2<'_, f64>, labels: &[usize]) -> Option<f64> {
    let (clusters, sizes) = dense_clusters(labels);
    let count = rows.nrows();
    if sizes.len() < 2 || sizes.len() >= count {
        return None;
    }
    let unit = unit_rows(rows);
    let block = (BLOCK_SIMILARITIES / count).clamp(1, count);
    let starts: Vec<usize> = (0..count).step_by(block).collect();
    let scores: Vec<f64> = starts
        .par_iter()
        .flat_map_iter(|&start| {
            let end = (start + block).min(count);
            let similarities = crate::linalg::matmul(unit.slice(s![start..end, ..]), unit.t());
            let mut distance_sums = vec![0.0; sizes.len()];
            (start..end)
                .zip(similarities.rows())
                .map(|(row, similarities)| {
                    row_silhouette(row, similarities, &clusters, &sizes, &mut distance_sums)
                })
                .collect::<Vec<f64>>()
        })
        .collect();
    Some(scores.iter().sum::<f64>() / count as f64)
}

/// One row's silhouette, (b - a) / max(a, b): a is its mean distance to the rest of its
/// cluster, b its mean distance to the nearest other cluster. `distance_sums` is scratch space.
fn row_silhouette(
    row: usize,
    similarities: ArrayView1<'_, f64>,
    clusters: &[usize],
    sizes: &[usize],
    distance_sums: &mut [f64],
) -> f64 {
    distance_sums.fill(0.0);
    for (other, (&similarity, &cluster)) in similarities.iter().zip(clusters).enumerate() {
        // A row is at distance 0 from itself by definition, whatever rounding makes of 1 - cos;
        // the clamp keeps rounding from producing a distance outside [0, 2].
        if other != row {
            distance_sums[cluster] += (1.0 - similarity).clamp(0.0, 2.0);
        }
    }
    let own = clusters[row];
    if sizes[own] == 1 {
        return 0.0;
    }
    let within = distance_sums[own] / (sizes[own] - 1) as f64;
    let nearest = distance_sums
        .iter()
        .zip(sizes)
        .enumerate()
        .filter(|&(cluster, _)| cluster != own)
        .map(|(_, (&sum, &size))| sum / size as f64)
        .fold(f64::INFINITY, f64::min);
    let larger = within.max(nearest);
    // All rows alike: no separation either way.
    if larger == 0.0 {
        0.0
    } else {
        (nearest - within) / larger
    }
}

/// Labels renumbered 0.. in increasing label order, with the size of each cluster.
fn dense_clusters(labels: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_unstable_by_key(|&row| labels[row]);
    let mut clusters = vec![0; labels.len()];
    let mut sizes: Vec<usize> = Vec::new();
    let mut previous = None;
    for row in order {
        if previous != Some(labels[row]) {
            sizes.push(0);
            previous = Some(labels[row]);
        }
        let cluster = sizes.len() - 1;
        clusters[row] = cluster;
        sizes[cluster] += 1;
    }
    (clusters, sizes)
}

/// Copies of the rows scaled to unit length. A zero row stays zero, so its cosine similarity
/// with every row is 0, as scikit-learn's `normalize` leaves it.
fn unit_rows(rows: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut unit = rows.to_owned();
    for mut row in unit.rows_mut() {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|value| value / norm);
        }
    }
    unit
}

#[cfg(test)]
mod tests {
    //! Expected values come from scikit-learn 1.9.1 (`silhouette_score` with
    //! `metric="cosine"`).

    use super::super::test_support::assert_close;
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn silhouette_matches_sklearn_with_a_zero_row_and_a_singleton() {
        let rows = array![
            [1.0, 0.1, 0.0],
            [0.9, 0.2, 0.1],
            [2.0, 0.0, 0.3],
            [1.1, -0.1, 0.0],
            [0.0, 1.0, 0.2],
            [0.1, 2.0, 0.0],
            [-0.2, 0.8, 0.1],
            [0.0, 0.1, 1.0],
            [0.3, 0.0, 3.0],
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [-1.0, -1.0, 0.2],
        ];
        let labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 3];
        let score = silhouette_cosine(rows.view(), &labels, usize::MAX, 0);
        assert_close(score.expect("4 clusters"), 0.5694961270541997, "silhouette");
    }

    /// 30 points in 4 dimensions (numpy default_rng(7) normals, rounded), labelled 0, 2 and 5 at
    /// random with row 17 alone under 9.
    fn scattered() -> (Array2<f64>, Vec<usize>) {
        let rows = array![
            [1.26, 0.69, -0.33, -0.37],
            [-0.25, 1.52, -0.43, -0.3],
            [0.35, -0.12, -0.2, -1.11],
            [-0.01, -0.44, 1.17, 0.65],
            [-0.02, 0.67, -0.34, 1.05],
            [-0.01, 0.58, -1.29, 0.35],
            [-1.69, -2.04, -0.3, -0.9],
            [0.16, 2.24, -0.83, -0.62],
            [0.21, 0.49, -0.18, -0.21],
            [0.7, 0.52, -1.03, -0.08],
            [0.04, -1.05, 0.26, -0.86],
            [0.97, 0.19, 0.09, -0.59],
            [-0.12, -2.0, -1.13, 0.36],
            [-2.13, 0.85, -1.75, 0.76],
            [-0.85, 0.78, 0.13, -1.54],
            [1.25, 1.44, -0.07, -0.27],
            [-0.16, -0.98, 1.1, -0.54],
            [-0.05, -0.79, -0.63, -1.28],
            [1.26, -0.15, 0.97, 0.01],
            [-0.69, -0.33, -0.56, 0.01],
            [-0.38, -0.3, -1.38, -0.81],
            [1.65, -0.67, -1.05, 0.34],
            [1.41, -1.45, -0.21, -0.63],
            [-1.76, 0.73, -0.02, 0.07],
            [-0.75, 0.45, -0.54, -0.14],
            [-1.11, -1.22, 1.34, -0.51],
            [0.29, -0.03, -0.44, -0.51],
            [0.63, -0.3, -0.15, 0.02],
            [1.18, 0.68, 0.38, -0.56],
            [-1.38, 0.95, 0.97, -0.14],
        ];
        let labels = vec![
            2, 0, 2, 5, 5, 2, 2, 5, 2, 2, 0, 2, 0, 0, 5, 2, 2, 9, 0, 5, 2, 5, 5, 5, 0, 0, 2, 2, 5,
            0,
        ];
        (rows, labels)
    }

    #[test]
    fn silhouette_matches_sklearn_on_scattered_points() {
        let (rows, labels) = scattered();
        let score = silhouette_cosine(rows.view(), &labels, 30, 0);
        assert_close(
            score.expect("4 clusters"),
            -0.24038078053994244,
            "silhouette",
        );
    }

    #[test]
    fn silhouette_of_identical_rows_is_zero() {
        let rows = Array2::ones((4, 2));
        assert_eq!(
            silhouette_cosine(rows.view(), &[0, 0, 1, 1], 10, 0),
            Some(0.0)
        );
    }

    #[test]
    fn silhouette_is_undefined_where_sklearn_refuses() {
        let rows = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        assert_eq!(silhouette_cosine(rows.view(), &[4, 4, 4], 10, 0), None);
        assert_eq!(silhouette_cosine(rows.view(), &[0, 1, 2], 10, 0), None);
        assert_eq!(silhouette_cosine(rows.slice(s![..0, ..]), &[], 10, 0), None);
        // A sample of two rows has at most as many clusters as rows.
        assert_eq!(silhouette_cosine(rows.view(), &[0, 0, 1], 2, 0), None);
    }

    #[test]
    fn sampled_silhouette_is_the_exact_silhouette_of_its_sample() {
        let (rows, labels) = scattered();
        let picked = sample_rows(rows.nrows(), 12, 42);
        assert_eq!(picked.len(), 12);
        assert!(picked.windows(2).all(|pair| pair[0] < pair[1]));
        let sample = rows.select(Axis(0), &picked);
        let sample_labels: Vec<usize> = picked.iter().map(|&row| labels[row]).collect();

        let sampled = silhouette_cosine(rows.view(), &labels, 12, 42);
        assert_eq!(
            sampled,
            silhouette_cosine(sample.view(), &sample_labels, 12, 0)
        );
        assert_eq!(sampled, silhouette_cosine(rows.view(), &labels, 12, 42));
        assert_ne!(sample_rows(rows.nrows(), 12, 43), picked);
    }

    #[test]
    fn silhouette_is_the_same_for_any_thread_count() {
        // Enough rows for several blocks: a sample of 2,000 rows makes blocks of 524 rows.
        let count = 2_400;
        let rows = Array2::from_shape_fn((count, 8), |(row, dim)| {
            ((row * 31 + dim * 17) % 23) as f64 - 11.0
        });
        let labels: Vec<usize> = (0..count).map(|row| (row * 7) % 5).collect();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool")
                .install(|| silhouette_cosine(rows.view(), &labels, 2_000, 9))
        };
        let single = on(1);
        assert!(single.is_some());
        assert_eq!(single, on(2));
        assert_eq!(single, on(3));
    }
}
