//! The `.npy` reader (`topictag::embed::npy::read`): arbitrary bytes as a vectors file. Vectors
//! that read must be finite, of unit length (never an all-zero row) and of the shape
//! reported.

use super::super as fuzz;

use std::sync::OnceLock;

/// One run of the target on `data`: panics on a finding.
pub fn run(data: &[u8]) {
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| fuzz::scratch("npy"));
    let path = fuzz::write_file(dir, "vectors.npy", data);
    let Ok(vectors) = topictag::embed::npy::read(&path, None) else {
        return;
    };
    assert!(vectors.rows.ncols() > 0);
    assert_eq!(vectors.len(), vectors.rows.nrows());
    assert_eq!(vectors.source.dims(), vectors.rows.ncols());
    assert!(
        vectors.rows.iter().all(|v| v.is_finite()),
        "a non-finite value was accepted"
    );
    // `SentenceVectors::new` scales every row to unit length; the reader refuses all-zero rows,
    // so every row read has length 1.
    for (r, row) in vectors.rows.outer_iter().enumerate() {
        let norm = row
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            .sqrt();
        assert!(
            (norm - 1.0).abs() < 1e-3,
            "row {} has length {norm} after scaling",
            r + 1
        );
    }
    // With the row count known, only that count reads.
    assert!(topictag::embed::npy::read(&path, Some(vectors.len())).is_ok());
    assert!(topictag::embed::npy::read(&path, Some(vectors.len() + 1)).is_err());
}
