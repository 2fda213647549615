//! Sentence vectors beside the words: a sentence-transformers folder ([`SentenceModel`]) or a
//! `.npy` file ([`npy`]) -> [`SentenceVectors`] (one unit-length f32 row per document, and where
//! they came from); [`combine`] joins them to the documents' LSA rows into the rows the topics
//! are fitted on and new documents are placed with.

pub mod cache;
pub mod npy;

#[cfg(feature = "embeddings")]
mod bert;
#[cfg(feature = "embeddings")]
mod kernels;
#[cfg(feature = "embeddings")]
mod model;

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[cfg(feature = "embeddings")]
pub use model::{Embedded, SentenceModel};

use crate::read::Document;

/// Where a model's sentence vectors come from; a saved model records it so that new documents
/// are embedded the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VectorSource {
    /// A sentence-transformers folder: its name (for messages) and the SHA-256 of its files.
    Model {
        name: String,
        hash: String,
        dims: usize,
    },
    /// Vectors computed elsewhere and handed over as a `.npy` file.
    File { dims: usize },
}

impl VectorSource {
    pub fn dims(&self) -> usize {
        match self {
            VectorSource::Model { dims, .. } | VectorSource::File { dims } => *dims,
        }
    }

    /// One line for people: `all-MiniLM-L6-v2 (384 dims, sha256 53aa5117…)`.
    pub fn describe(&self) -> String {
        match self {
            VectorSource::Model { name, hash, dims } => {
                format!("model {name} ({dims} dims, sha256 {})", &hash[..hash.len().min(16)])
            }
            VectorSource::File { dims } => format!("vectors from a .npy file ({dims} dims)"),
        }
    }
}

/// One unit-length sentence vector per document, in input order.
#[derive(Debug, Clone)]
pub struct SentenceVectors {
    pub rows: Array2<f32>,
    pub source: VectorSource,
}

impl SentenceVectors {
    /// `rows` scaled to unit length (a zero row stays zero).
    pub fn new(mut rows: Array2<f32>, source: VectorSource) -> Self {
        for mut row in rows.axis_iter_mut(Axis(0)) {
            let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                row.mapv_inplace(|v| v / norm);
            }
        }
        SentenceVectors { rows, source }
    }

    pub fn len(&self) -> usize {
        self.rows.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.nrows() == 0
    }
}

/// The text a document's sentence vector is made from: its title and text as one passage.
pub fn document_text(document: &Document) -> String {
    let title = document.title.trim();
    let text = document.text.trim();
    match (title.is_empty(), text.is_empty()) {
        (true, _) => text.to_string(),
        (false, true) => title.to_string(),
        (false, false) if title.ends_with(['.', '?', '!', ':']) => format!("{title} {text}"),
        (false, false) => format!("{title}. {text}"),
    }
}

/// Each unit LSA row (f64) joined with `weight` times its unit sentence vector, scaled back to
/// unit length: `[lsa, weight · s] / √(1 + weight²)`. Rows pair up in order. The fit and `tag`
/// both go through here, so a document's combined row is the same bits in both.
pub fn combine(lsa: ArrayView2<'_, f64>, sentences: ArrayView2<'_, f32>, weight: f64) -> Array2<f64> {
    assert_eq!(lsa.nrows(), sentences.nrows(), "one sentence vector per LSA row");
    let (dims, extra) = (lsa.ncols(), sentences.ncols());
    let mut out = Array2::<f64>::zeros((lsa.nrows(), dims + extra));
    let scale = 1.0 / (1.0 + weight * weight).sqrt();
    for ((mut target, l), s) in out
        .axis_iter_mut(Axis(0))
        .zip(lsa.axis_iter(Axis(0)))
        .zip(sentences.axis_iter(Axis(0)))
    {
        for (t, &v) in target.iter_mut().zip(l.iter()) {
            *t = v * scale;
        }
        for (t, &v) in target.iter_mut().skip(dims).zip(s.iter()) {
            *t = weight * f64::from(v) * scale;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn combined_rows_are_unit_length_and_weighted() {
        let lsa = array![[0.6, 0.8], [1.0, 0.0]];
        let s = array![[1.0f32, 0.0, 0.0], [0.0, 0.0, 1.0]];
        let c = combine(lsa.view(), s.view(), 2.0);
        for row in c.axis_iter(Axis(0)) {
            assert!((row.dot(&row) - 1.0).abs() < 1e-12);
        }
        // The sentence part carries weight² / (1 + weight²) of the squared length.
        let tail: f64 = c.row(0).iter().skip(2).map(|v| v * v).sum();
        assert!((tail - 0.8).abs() < 1e-12);
    }

    #[test]
    fn document_text_joins_title_and_text() {
        let d = |title: &str, text: &str| Document::new("1", title, text);
        assert_eq!(document_text(&d("A title", "Body.")), "A title. Body.");
        assert_eq!(document_text(&d("Why?", "Body.")), "Why? Body.");
        assert_eq!(document_text(&d("", "Body.")), "Body.");
        assert_eq!(document_text(&d("Only title", " ")), "Only title");
    }

    #[test]
    fn new_vectors_are_unit_length() {
        let v = SentenceVectors::new(
            array![[3.0f32, 4.0], [0.0, 0.0]],
            VectorSource::File { dims: 2 },
        );
        assert_eq!(v.rows, array![[0.6f32, 0.8], [0.0, 0.0]]);
    }
}
