//! The document map: LSA rows and their topics -> a point in 2D for every drawn document (a
//! seeded sample above [`MAP_POINTS`]), topics kept apart, with a measure of how well: the share
//! of each point's 10 nearest neighbours on the page that share its topic, against the same for
//! a plain 2-component PCA of the rows.
//!
//! Layout: each topic gets a disc whose area follows its size, centred where a PCA of the topic
//! means puts it, and the discs are pushed apart until none overlap; inside its disc a document
//! sits where the topic's own first two principal directions put it, relative to the topic mean.
//! So related topics stay near each other, no topic hides another, and the spread inside a topic
//! is its real spread.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::Serialize;

use crate::cluster::mean_centroids;
use crate::linalg::matmul;
use crate::seed::Seed;

/// At most this many documents are drawn; above it a seeded sample is (the page says so).
pub const MAP_POINTS: usize = 30_000;
/// Neighbours per point in the separation measure.
const NEIGHBOURS: usize = 10;
/// Points whose neighbours are counted (a seeded sample of the drawn ones): 2,000 queries
/// against 30,000 points keep the measure under a tenth of a second.
const MEASURE_QUERIES: usize = 1_000;
/// The drawing area the layout fills.
pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 700.0;
const MARGIN: f64 = 30.0;

/// The map of a fit.
#[derive(Debug, Clone, Serialize)]
pub struct MapLayout {
    /// (x, y, topic, document) per drawn document; document is its input position.
    pub points: Vec<(f64, f64, usize, usize)>,
    /// Where each topic's label goes.
    pub centers: Vec<(f64, f64)>,
    /// Documents with a topic, of which `points` may be a sample.
    pub total: usize,
    pub sampled: bool,
    /// Share of the 10 nearest neighbours on the page that share a point's topic: this layout,
    /// and a plain PCA of the same rows.
    pub separation: f64,
    pub separation_pca: f64,
    /// Share of the 10 nearest neighbours on the page that are also among the 10 nearest in LSA
    /// space (cosine): how much of the local structure survives, for this layout and for PCA.
    pub preservation: f64,
    pub preservation_pca: f64,
}

impl MapLayout {
    /// Lays out `rows` (unit LSA rows, one per document with terms; `documents` their input
    /// positions) by their `topics`.
    pub fn build(
        rows: ArrayView2<'_, f64>,
        documents: &[usize],
        topics: &[usize],
        sizes: &[usize],
        seed: Seed,
    ) -> MapLayout {
        let total = rows.nrows();
        let k = sizes.len();
        let picked = seed.derive("sample").sample(total, MAP_POINTS);
        if picked.is_empty() || k == 0 || rows.ncols() == 0 {
            return MapLayout {
                points: Vec::new(),
                centers: vec![(WIDTH / 2.0, HEIGHT / 2.0); k],
                total,
                sampled: false,
                separation: 0.0,
                separation_pca: 0.0,
                preservation: 0.0,
                preservation_pca: 0.0,
            };
        }
        let sample = rows.select(Axis(0), &picked);
        let labels: Vec<usize> = picked.iter().map(|&i| topics[i]).collect();
        let means = mean_centroids(sample.view(), &labels, k);
        let (centers, radii) = place_discs(&means, sizes);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, &topic) in labels.iter().enumerate() {
            members[topic].push(i);
        }
        // Topics are laid out independently, in parallel.
        let offsets: Vec<Vec<(f64, f64)>> = members
            .par_iter()
            .enumerate()
            .map(|(topic, members)| {
                if members.is_empty() {
                    Vec::new()
                } else {
                    local_offsets(sample.view(), members, means.row(topic).to_owned())
                }
            })
            .collect();
        let mut xy = vec![(0.0, 0.0); picked.len()];
        for (topic, (members, offsets)) in members.iter().zip(offsets).enumerate() {
            for (&member, (dx, dy)) in members.iter().zip(offsets) {
                xy[member] = (
                    centers[topic].0 + dx * radii[topic],
                    centers[topic].1 + dy * radii[topic],
                );
            }
        }
        let (xy, centers) = fit_to_page(xy, centers);
        let pca = fit_to_page(pca_2d(sample.view()), Vec::new()).0;
        let queries = seed.derive("measure").sample(xy.len(), MEASURE_QUERIES);
        let (preservation, preservation_pca) = preserved(sample.view(), &xy, &pca, seed);
        MapLayout {
            separation: neighbour_agreement(&xy, &labels, &queries),
            separation_pca: neighbour_agreement(&pca, &labels, &queries),
            preservation,
            preservation_pca,
            points: xy
                .iter()
                .zip(&labels)
                .zip(&picked)
                .map(|((&(x, y), &topic), &row)| (x, y, topic, documents[row]))
                .collect(),
            centers,
            total,
            sampled: picked.len() < total,
        }
    }
}

/// Disc centres (PCA of the topic means, then pushed apart) and radii (area by size).
fn place_discs(means: &Array2<f64>, sizes: &[usize]) -> (Vec<(f64, f64)>, Vec<f64>) {
    let k = sizes.len();
    let largest = sizes.iter().copied().max().unwrap_or(1).max(1) as f64;
    // The largest topic's disc spans about a fifth of the page's height; area follows size.
    let radii: Vec<f64> = sizes
        .iter()
        .map(|&s| 70.0 * ((s.max(1) as f64) / largest).sqrt().max(0.25))
        .collect();
    let mut centers = pca_2d(means.view());
    // Spread the PCA positions over a page-sized area, then let overlapping discs repel.
    let (mut lo_x, mut hi_x, mut lo_y, mut hi_y) = bounds(&centers);
    if hi_x - lo_x < 1e-12 {
        (lo_x, hi_x) = (lo_x - 1.0, hi_x + 1.0);
    }
    if hi_y - lo_y < 1e-12 {
        (lo_y, hi_y) = (lo_y - 1.0, hi_y + 1.0);
    }
    for c in &mut centers {
        c.0 = (c.0 - lo_x) / (hi_x - lo_x) * WIDTH;
        c.1 = (c.1 - lo_y) / (hi_y - lo_y) * HEIGHT;
    }
    // Pack the discs: every pass pulls each centre a little toward the middle of the page (so an
    // outlying topic cannot squeeze the rest into a corner) and then pushes overlapping discs
    // apart, keeping the PCA arrangement's neighbourhoods.
    let middle = (WIDTH / 2.0, HEIGHT / 2.0);
    for pass in 0..400 {
        let pull = if pass < 300 { 0.03 } else { 0.0 };
        for c in &mut centers {
            c.0 += (middle.0 - c.0) * pull;
            c.1 += (middle.1 - c.1) * pull;
        }
        let mut moved = false;
        for a in 0..k {
            for b in (a + 1)..k {
                let (dx, dy) = (centers[b].0 - centers[a].0, centers[b].1 - centers[a].1);
                let distance = (dx * dx + dy * dy).sqrt();
                let wanted = (radii[a] + radii[b]) * 1.12 + 6.0;
                if distance >= wanted {
                    continue;
                }
                moved = true;
                // Coincident centres part along a fixed direction per pair.
                let (ux, uy) = if distance > 1e-9 {
                    (dx / distance, dy / distance)
                } else {
                    let angle = (a * 7 + b * 13) as f64;
                    (angle.cos(), angle.sin())
                };
                let push = (wanted - distance) / 2.0;
                centers[a].0 -= ux * push;
                centers[a].1 -= uy * push;
                centers[b].0 += ux * push;
                centers[b].1 += uy * push;
            }
        }
        if !moved && pull == 0.0 {
            break;
        }
    }
    (centers, radii)
}

/// Each member's position inside a unit disc: its deviation from the topic mean along the
/// topic's first two principal directions, scaled so that nearly all members fall inside.
fn local_offsets(
    rows: ArrayView2<'_, f64>,
    members: &[usize],
    mean: Array1<f64>,
) -> Vec<(f64, f64)> {
    let mut deviations = rows.select(Axis(0), members);
    for mut row in deviations.axis_iter_mut(Axis(0)) {
        row -= &mean;
    }
    let coordinates = pca_2d(deviations.view());
    let spread = coordinates.iter().map(|&(x, y)| x * x + y * y).sum::<f64>()
        / coordinates.len().max(1) as f64;
    let scale = if spread > 0.0 {
        1.0 / (2.0 * spread.sqrt())
    } else {
        0.0
    };
    coordinates
        .into_iter()
        .map(|(x, y)| {
            let (x, y) = (x * scale, y * scale);
            let length = (x * x + y * y).sqrt();
            // Outliers are drawn on the rim rather than inside another topic's disc.
            if length > 1.0 {
                (x / length, y / length)
            } else {
                (x, y)
            }
        })
        .collect()
}

/// The rows' coordinates on their first two principal directions (centred), signs fixed so the
/// largest coordinate of each direction is positive. Fewer than two directions give zeros.
fn pca_2d(rows: ArrayView2<'_, f64>) -> Vec<(f64, f64)> {
    let n = rows.nrows();
    if n == 0 {
        return Vec::new();
    }
    let mean = rows
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(rows.ncols()));
    let centred = &rows - &mean;
    // The directions from at most DIRECTION_ROWS rows, evenly spread: a picture needs two
    // directions, not their last digits, and the covariance costs rows x dims².
    let step = n.div_ceil(DIRECTION_ROWS).max(1);
    let spread: Vec<usize> = (0..n).step_by(step).collect();
    let some = centred.select(Axis(0), &spread);
    let directions = top_two_directions(some.view());
    let mut projected = matmul(centred.view(), directions.view());
    crate::linalg::flip_signs(&mut projected);
    projected
        .axis_iter(Axis(0))
        .map(|row| (row[0], row[1]))
        .collect()
}

/// Rows a PCA's directions are computed from, at most.
const DIRECTION_ROWS: usize = 2_000;

/// The two leading eigenvectors (columns) of the covariance `rowsᵀ·rows`, by orthogonal
/// iteration from fixed start vectors: a map needs only two directions, and a full
/// eigen-decomposition of every topic's covariance cost more than the rest of the report (0.2 s
/// on 20newsgroups). The covariance is never formed (dims², 80 GB for 100,000-wide sentence
/// vectors). With fewer rows than dims the iteration runs on the rows' Gram matrix
/// `rows·rowsᵀ` (rows², the same leading eigenvalues) and the directions are `rowsᵀ·u`: 110
/// rows 12,000 wide took 3.1 s the other way, the iteration's 300 steps each a pass over every
/// value; otherwise the covariance is applied as `rowsᵀ·(rows·B)`, rows × dims a step.
fn top_two_directions(rows: ArrayView2<'_, f64>) -> Array2<f64> {
    let (n, d) = rows.dim();
    if d < 2 {
        let mut basis = Array2::<f64>::zeros((d, 2));
        if d == 1 {
            basis[[0, 0]] = 1.0;
        }
        return basis;
    }
    // Start from the two rows of largest norm, once through the covariance: inside the
    // leading subspace for any data with real structure, and never orthogonal to it by
    // accident of the start.
    let mut norms: Vec<(f64, usize)> = rows
        .axis_iter(Axis(0))
        .enumerate()
        .map(|(i, row)| (row.dot(&row), i))
        .collect();
    norms.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let largest: Vec<usize> = norms.iter().take(2).map(|&(_, i)| i).collect();
    if n < d {
        let gram = matmul(rows, rows.t());
        // In row space the start is the largest rows' indicator vectors.
        let mut start = Array2::<f64>::zeros((n, 2));
        for (slot, &i) in largest.iter().enumerate() {
            start[[i, slot]] = 1.0;
        }
        let u = orthogonal_iteration(|b| matmul(gram.view(), b.view()), start);
        return gram_schmidt(matmul(rows.t(), u.view()));
    }
    let mut start = Array2::<f64>::zeros((d, 2));
    for (slot, &i) in largest.iter().enumerate() {
        start.column_mut(slot).assign(&rows.row(i));
    }
    orthogonal_iteration(|b| matmul(rows.t(), matmul(rows, b.view()).view()), start)
}

/// The two leading eigenvectors of the symmetric operator `apply`, from `start`: applied once,
/// then until a step moves the basis by less than 1e-20 (squared), 300 steps at most.
fn orthogonal_iteration(
    apply: impl Fn(&Array2<f64>) -> Array2<f64>,
    start: Array2<f64>,
) -> Array2<f64> {
    let mut basis = gram_schmidt(apply(&start));
    for _ in 0..300 {
        let next = gram_schmidt(apply(&basis));
        let moved = (&next - &basis).iter().map(|v| v * v).sum::<f64>();
        basis = next;
        if moved < 1e-20 {
            break;
        }
    }
    basis
}

/// The two columns made orthonormal (a column with no weight left becomes zero).
fn gram_schmidt(mut pair: Array2<f64>) -> Array2<f64> {
    fn normalize(mut column: ndarray::ArrayViewMut1<'_, f64>) {
        let norm = column.dot(&column).sqrt();
        if norm > 1e-300 {
            column /= norm;
        } else {
            column.fill(0.0);
        }
    }
    normalize(pair.column_mut(0));
    let first = pair.column(0).to_owned();
    let overlap = pair.column(1).dot(&first);
    let mut second = pair.column_mut(1);
    second.scaled_add(-overlap, &first);
    normalize(second);
    pair
}

fn bounds(points: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    points.iter().fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |(lx, hx, ly, hy), &(x, y)| (lx.min(x), hx.max(x), ly.min(y), hy.max(y)),
    )
}

/// Positions on the page.
type Points = Vec<(f64, f64)>;

/// Scales and shifts the points (and `extra` points, the label centres) into the page, keeping
/// the aspect ratio; one decimal is all a page can show.
fn fit_to_page(points: Points, extra: Points) -> (Points, Points) {
    let all: Vec<(f64, f64)> = points.iter().chain(&extra).copied().collect();
    if all.is_empty() {
        return (points, extra);
    }
    let (lo_x, hi_x, lo_y, hi_y) = bounds(&all);
    let span =
        ((hi_x - lo_x) / (WIDTH - 2.0 * MARGIN)).max((hi_y - lo_y) / (HEIGHT - 2.0 * MARGIN));
    let scale = if span > 0.0 { 1.0 / span } else { 0.0 };
    let (cx, cy) = ((lo_x + hi_x) / 2.0, (lo_y + hi_y) / 2.0);
    let place = |(x, y): (f64, f64)| {
        let x = WIDTH / 2.0 + (x - cx) * scale;
        let y = HEIGHT / 2.0 + (y - cy) * scale;
        ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
    };
    (
        points.into_iter().map(place).collect(),
        extra.into_iter().map(place).collect(),
    )
}

/// Mean over `queries` of the share of each query point's [`NEIGHBOURS`] nearest other points
/// (Euclidean on the page; ties: the lower index) that have its label.
fn neighbour_agreement(points: &[(f64, f64)], labels: &[usize], queries: &[usize]) -> f64 {
    if points.len() < 2 || queries.is_empty() {
        return 0.0;
    }
    let wanted = NEIGHBOURS.min(points.len() - 1);
    let grid = Grid::new(points);
    // Each query on its own, in parallel; the shares are summed in query order.
    let shares: Vec<f64> = queries
        .par_iter()
        .map(|&q| {
            let near = grid.nearest(points, q, wanted);
            let same = near.iter().filter(|&&i| labels[i] == labels[q]).count();
            same as f64 / wanted as f64
        })
        .collect();
    shares.iter().sum::<f64>() / queries.len() as f64
}

/// The points in square cells of about four points each, so a point's nearest neighbours are
/// found among a few cells instead of all points (1,000 queries among 30,000 points: 0.1 s
/// brute force, a few milliseconds this way).
struct Grid {
    cell: f64,
    columns: usize,
    rows: usize,
    origin: (f64, f64),
    /// Point indices by cell, row-major.
    cells: Vec<Vec<usize>>,
}

impl Grid {
    fn new(points: &[(f64, f64)]) -> Grid {
        let (lo_x, hi_x, lo_y, hi_y) = bounds(points);
        let area = ((hi_x - lo_x) * (hi_y - lo_y)).max(1e-9);
        let cell = (area * 4.0 / points.len() as f64).sqrt().max(1e-6);
        let columns = (((hi_x - lo_x) / cell).floor() as usize + 1).min(4096);
        let rows = (((hi_y - lo_y) / cell).floor() as usize + 1).min(4096);
        let mut grid = Grid {
            cell,
            columns,
            rows,
            origin: (lo_x, lo_y),
            cells: vec![Vec::new(); columns * rows],
        };
        for (i, &point) in points.iter().enumerate() {
            let (c, r) = grid.cell_of(point);
            grid.cells[r * columns + c].push(i);
        }
        grid
    }

    fn cell_of(&self, (x, y): (f64, f64)) -> (usize, usize) {
        let c = ((x - self.origin.0) / self.cell).floor().max(0.0) as usize;
        let r = ((y - self.origin.1) / self.cell).floor().max(0.0) as usize;
        (c.min(self.columns - 1), r.min(self.rows - 1))
    }

    /// The `wanted` points nearest to point `q` (not itself), ties to the lower index: rings of
    /// cells are added until the nearest `wanted` found lie closer than any unseen cell can be.
    fn nearest(&self, points: &[(f64, f64)], q: usize, wanted: usize) -> Vec<usize> {
        let (qx, qy) = points[q];
        let (qc, qr) = self.cell_of((qx, qy));
        let mut found: Vec<(f64, usize)> = Vec::new();
        let most = self.columns.max(self.rows);
        for ring in 0..=most {
            let (c0, c1) = (qc.saturating_sub(ring), (qc + ring).min(self.columns - 1));
            let (r0, r1) = (qr.saturating_sub(ring), (qr + ring).min(self.rows - 1));
            for r in r0..=r1 {
                for c in c0..=c1 {
                    // Only the ring's border cells are new.
                    let border = r == qr.saturating_sub(ring) && qr >= ring
                        || r == qr + ring
                        || c == qc.saturating_sub(ring) && qc >= ring
                        || c == qc + ring;
                    if ring > 0 && !border {
                        continue;
                    }
                    for &i in &self.cells[r * self.columns + c] {
                        if i != q {
                            let (x, y) = points[i];
                            found.push(((x - qx) * (x - qx) + (y - qy) * (y - qy), i));
                        }
                    }
                }
            }
            if found.len() >= wanted {
                found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                // Every unseen point is at least `ring` cells away from the query's cell.
                let reach = ring as f64 * self.cell;
                if found[wanted - 1].0 <= reach * reach {
                    break;
                }
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        found.into_iter().take(wanted).map(|(_, i)| i).collect()
    }
}

/// Points compared by [`preserved`]: a seeded subset, whose neighbours are searched among
/// themselves in LSA space and on the page (500 x 5,000 cosines stay well under a second).
const PRESERVED_POINTS: usize = 3_000;
const PRESERVED_QUERIES: usize = 300;

/// For a seeded subset of the points: the mean share of each query's 10 nearest neighbours on
/// the page that are also among its 10 nearest by cosine in `rows`, for `layout` and `pca`.
fn preserved(
    rows: ArrayView2<'_, f64>,
    layout: &[(f64, f64)],
    pca: &[(f64, f64)],
    seed: Seed,
) -> (f64, f64) {
    let n = rows.nrows();
    let subset = seed.derive("preserved").sample(n, PRESERVED_POINTS);
    if subset.len() < 2 {
        return (0.0, 0.0);
    }
    let wanted = NEIGHBOURS.min(subset.len() - 1);
    let step = subset.len().div_ceil(PRESERVED_QUERIES).max(1);
    let nearest = |score: &dyn Fn(usize) -> f64, query: usize| -> Vec<usize> {
        let mut scored: Vec<(f64, usize)> = subset
            .iter()
            .filter(|&&i| i != query)
            .map(|&i| (score(i), i))
            .collect();
        let by_score = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        scored.select_nth_unstable_by(wanted - 1, by_score);
        let mut found: Vec<usize> = scored[..wanted].iter().map(|&(_, i)| i).collect();
        found.sort_unstable();
        found
    };
    let queries: Vec<usize> = subset.iter().step_by(step).copied().collect();
    // Every query's cosine to every subset point in one matrix product.
    let position: rustc_hash::FxHashMap<usize, usize> =
        subset.iter().enumerate().map(|(at, &i)| (i, at)).collect();
    let similarities = matmul(
        rows.select(Axis(0), &queries).view(),
        rows.select(Axis(0), &subset).t(),
    );
    let per_query: Vec<(f64, f64)> = queries
        .par_iter()
        .enumerate()
        .map(|(at, &query)| {
            let cosines = similarities.row(at);
            // Smallest first: the negated cosine, then the squared distances on the page.
            let in_lsa = nearest(&|i| -cosines[position[&i]], query);
            let near_on = |points: &[(f64, f64)]| {
                let (qx, qy) = points[query];
                nearest(
                    &|i| (points[i].0 - qx).powi(2) + (points[i].1 - qy).powi(2),
                    query,
                )
            };
            let shared = |found: Vec<usize>| {
                found
                    .iter()
                    .filter(|i| in_lsa.binary_search(i).is_ok())
                    .count() as f64
                    / wanted as f64
            };
            (shared(near_on(layout)), shared(near_on(pca)))
        })
        .collect();
    let count = per_query.len().max(1) as f64;
    let on_layout: f64 = per_query.iter().map(|p| p.0).sum();
    let on_pca: f64 = per_query.iter().map(|p| p.1).sum();
    (on_layout / count, on_pca / count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Rows around `k` directions with overlap, as LSA rows of text are.
    fn noisy(k: usize, per_topic: usize) -> (Array2<f64>, Vec<usize>) {
        let mut rng = Seed(5).rng();
        let dims = 12;
        let mut rows = Array2::<f64>::zeros((k * per_topic, dims));
        let mut labels = Vec::new();
        for (i, mut row) in rows.axis_iter_mut(Axis(0)).enumerate() {
            let topic = i % k;
            labels.push(topic);
            for (d, value) in row.iter_mut().enumerate() {
                *value = if d == topic { 1.0 } else { 0.0 } + rng.gen_range(-0.6..0.6);
            }
            let norm = row.dot(&row).sqrt();
            row /= norm;
        }
        (rows, labels)
    }

    #[test]
    fn topics_stay_apart_on_the_page_more_than_under_pca_and_inside_it() {
        let (rows, labels) = noisy(6, 300);
        let documents: Vec<usize> = (0..rows.nrows()).collect();
        let sizes = vec![300; 6];
        let map = MapLayout::build(rows.view(), &documents, &labels, &sizes, Seed(1));
        assert_eq!(map.points.len(), 1800);
        assert!(!map.sampled);
        assert!(map.separation > 0.95, "{}", map.separation);
        assert!(map.separation > map.separation_pca, "{map:?}");
        for &(x, y, topic, document) in &map.points {
            assert!((0.0..=WIDTH).contains(&x) && (0.0..=HEIGHT).contains(&y));
            assert_eq!(labels[document], topic);
        }
        let again = MapLayout::build(rows.view(), &documents, &labels, &sizes, Seed(1));
        assert_eq!(format!("{again:?}"), format!("{map:?}"));
    }

    #[test]
    fn the_directions_match_the_covariance_and_a_wide_map_stays_linear_in_width() {
        // Against the covariance formed (small enough here): the same two directions.
        let (rows, _) = noisy(4, 50);
        let directions = top_two_directions(rows.view());
        let covariance = matmul(rows.t(), rows.view());
        for c in 0..2 {
            let v = directions.column(c).to_owned();
            let cv = covariance.dot(&v);
            let lambda = v.dot(&cv);
            let off = (&cv - &(&v * lambda)).iter().map(|x| x * x).sum::<f64>();
            assert!(
                off.sqrt() < 1e-6 * lambda.abs().max(1.0),
                "column {c}: {off}"
            );
        }
        // 40 rows of 40,000 dims: a formed covariance would be 12.8 GB.
        let mut wide = Array2::<f64>::zeros((40, 40_000));
        for (i, mut row) in wide.axis_iter_mut(Axis(0)).enumerate() {
            row[i % 4] = 1.0;
            row[100 + i] = 0.3;
        }
        let labels: Vec<usize> = (0..40).map(|i| i % 4).collect();
        let documents: Vec<usize> = (0..40).collect();
        let map = MapLayout::build(wide.view(), &documents, &labels, &[10; 4], Seed(1));
        assert_eq!(map.points.len(), 40);
    }
}
