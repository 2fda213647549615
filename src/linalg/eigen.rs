//! A symmetric matrix (f64) -> its eigenvalues and orthonormal eigenvectors, in code of our own
//! with one fixed order of operations: Householder reduction to tridiagonal form, then the
//! implicit QL method with Wilkinson-like shifts (the EISPACK `tred2`/`tql2` pair).
//!
//! Why not a library's: the decomposition runs inside every LSA and spectral fit, and a
//! library that hands its rank-one updates to a run-time dispatched GEMM (matrixmultiply picks
//! its AVX-512, AVX2 or portable kernel by CPU) gives other bits on another CPU. Plain loops on
//! f64 compile to one instruction sequence for every x86-64 CPU, so these bits never move. The
//! matrices are LSA's and the spectral embedding's Gram matrices, 100-200 wide: the 20
//! Newsgroups and 1M-abstract fits took as long as with the library (README, *Same bytes on
//! every machine*).

/// Sweeps of the QL iteration one eigenvalue may take before the matrix counts as unusable
/// (NaN or infinite entries); well-formed matrices need two or three.
const MAX_ITERATIONS: usize = 64;

/// The eigen-decomposition failed to converge (the matrix holds NaN or infinite values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoConvergence;

/// Eigenvalues (in no particular order) and the matching unit eigenvectors, row `j` of the
/// row-major `n x n` result for `values[j]`, of the symmetric `n x n` matrix stored row-major
/// in `matrix` (only its lower triangle and diagonal are read).
pub(crate) fn symmetric_eigen(
    matrix: &[f64],
    n: usize,
) -> Result<(Vec<f64>, Vec<f64>), NoConvergence> {
    assert_eq!(matrix.len(), n * n, "not an n x n matrix");
    if !matrix.iter().all(|x| x.is_finite()) {
        return Err(NoConvergence);
    }
    if n == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut v = matrix.to_vec();
    let mut d = vec![0.0; n];
    let mut e = vec![0.0; n];
    tridiagonalize(&mut v, n, &mut d, &mut e);
    // The QL rotations combine two columns of V at a time; transposed, those are two rows,
    // contiguous in memory.
    let mut w = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            w[j * n + i] = v[i * n + j];
        }
    }
    diagonalize(&mut w, n, &mut d, &mut e)?;
    Ok((d, w))
}

/// Householder reduction of `v` (row-major, overwritten by the orthogonal transform) to a
/// tridiagonal matrix with diagonal `d` and sub-diagonal `e[1..]`.
fn tridiagonalize(v: &mut [f64], n: usize, d: &mut [f64], e: &mut [f64]) {
    let at = |i: usize, j: usize| i * n + j;
    for j in 0..n {
        d[j] = v[at(n - 1, j)];
    }
    for i in (1..n).rev() {
        let scale: f64 = d[..i].iter().map(|x| x.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = v[at(i - 1, j)];
                v[at(i, j)] = 0.0;
                v[at(j, i)] = 0.0;
            }
        } else {
            for x in &mut d[..i] {
                *x /= scale;
                h += *x * *x;
            }
            let f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].fill(0.0);
            for j in 0..i {
                let f = d[j];
                v[at(j, i)] = f;
                let mut g = e[j] + v[at(j, j)] * f;
                for k in j + 1..i {
                    g += v[at(k, j)] * d[k];
                    e[k] += v[at(k, j)] * f;
                }
                e[j] = g;
            }
            let mut f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                let (f, g) = (d[j], e[j]);
                for k in j..i {
                    v[at(k, j)] -= f * e[k] + g * d[k];
                }
                d[j] = v[at(i - 1, j)];
                v[at(i, j)] = 0.0;
            }
        }
        d[i] = h;
    }
    // Accumulate the transformations.
    for i in 0..n - 1 {
        v[at(n - 1, i)] = v[at(i, i)];
        v[at(i, i)] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = v[at(k, i + 1)] / h;
            }
            for j in 0..=i {
                let mut g = 0.0;
                for k in 0..=i {
                    g += v[at(k, i + 1)] * v[at(k, j)];
                }
                for k in 0..=i {
                    v[at(k, j)] -= g * d[k];
                }
            }
        }
        for k in 0..=i {
            v[at(k, i + 1)] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = v[at(n - 1, j)];
        v[at(n - 1, j)] = 0.0;
    }
    v[at(n - 1, n - 1)] = 1.0;
    e[0] = 0.0;
}

/// The implicit QL iteration on the tridiagonal (`d`, `e`), rotating the rows of `w` (the
/// transposed transform) along: `d` ends as the eigenvalues, row `j` of `w` as the vector of
/// `d[j]`.
fn diagonalize(w: &mut [f64], n: usize, d: &mut [f64], e: &mut [f64]) -> Result<(), NoConvergence> {
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let mut shift = 0.0;
    let mut largest: f64 = 0.0;
    let eps = f64::EPSILON;
    for l in 0..n {
        largest = largest.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * largest {
            m += 1;
        }
        if m > l {
            let mut iterations = 0;
            loop {
                iterations += 1;
                if iterations > MAX_ITERATIONS || !largest.is_finite() {
                    return Err(NoConvergence);
                }
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = pythag(p, 1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let next = d[l + 1];
                let h = g - d[l];
                for x in &mut d[l + 2..] {
                    *x -= h;
                }
                shift += h;
                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0, 1.0, 1.0);
                let after = e[l + 1];
                let (mut s, mut s2) = (0.0, 0.0);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    let h = c * p;
                    r = pythag(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    let (low, high) = w.split_at_mut((i + 1) * n);
                    let (row, next_row) = (&mut low[i * n..], &mut high[..n]);
                    for (a, b) in row.iter_mut().zip(next_row.iter_mut()) {
                        let h = *b;
                        *b = s * *a + c * h;
                        *a = c * *a - s * h;
                    }
                }
                p = -s * s2 * c3 * after * e[l] / next;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * largest {
                    break;
                }
            }
        }
        d[l] += shift;
        e[l] = 0.0;
    }
    Ok(())
}

/// `sqrt(a² + b²)` without overflow, in plain arithmetic (the C library's `hypot` may differ
/// between systems).
fn pythag(a: f64, b: f64) -> f64 {
    let (a, b) = (a.abs(), b.abs());
    if a > b {
        a * (1.0 + (b / a) * (b / a)).sqrt()
    } else if b > 0.0 {
        b * (1.0 + (a / b) * (a / b)).sqrt()
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(matrix: &[f64], n: usize) {
        let (values, vectors) = symmetric_eigen(matrix, n).expect("converges");
        let vectors: Vec<&[f64]> = vectors.chunks_exact(n.max(1)).collect();
        for (value, vector) in values.iter().zip(&vectors) {
            // A v = λ v, and v has unit length.
            for i in 0..n {
                let av: f64 = (0..n).map(|j| matrix[i * n + j] * vector[j]).sum();
                assert!((av - value * vector[i]).abs() < 1e-9, "A v != λ v");
            }
            let norm: f64 = vector.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-12);
        }
        for a in 0..n {
            for b in a + 1..n {
                let dot: f64 = vectors[a].iter().zip(vectors[b]).map(|(x, y)| x * y).sum();
                assert!(dot.abs() < 1e-12, "vectors {a} and {b} not orthogonal");
            }
        }
    }

    #[test]
    fn decomposes_small_and_awkward_matrices() {
        check(&[2.0], 1);
        check(&[2.0, 1.0, 1.0, 2.0], 2);
        // Repeated eigenvalues and a zero row.
        check(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0], 3);
        // A Gram matrix of pseudo-random columns, as LSA makes them.
        let n = 40;
        let columns: Vec<f64> = (0..n * 60)
            .map(|i| ((i * 7919) % 1000) as f64 / 500.0 - 1.0)
            .collect();
        let mut gram = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                gram[i * n + j] = (0..60)
                    .map(|r| columns[r * n + i] * columns[r * n + j])
                    .sum();
            }
        }
        check(&gram, n);
    }

    #[test]
    fn eigenvalues_of_a_known_matrix() {
        // Eigenvalues 1, 3 of [[2, 1], [1, 2]].
        let (mut values, _) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2).expect("converges");
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-14 && (values[1] - 3.0).abs() < 1e-14);
    }

    #[test]
    fn nan_is_an_error_not_a_hang() {
        assert_eq!(
            symmetric_eigen(&[f64::NAN, 1.0, 1.0, 2.0], 2),
            Err(NoConvergence)
        );
    }
}
