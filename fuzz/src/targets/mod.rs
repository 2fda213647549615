//! The fuzz targets, one module each with a `run(data)` that panics on a finding: the
//! libFuzzer entries in `fuzz_targets/` call them, and so does the main crate's
//! `tests/fuzz_findings.rs` on every committed finding and seed.

pub mod model_load;
pub mod npy;
pub mod read_csv;
pub mod read_jsonl;
pub mod sentence_model;
pub mod tag;
pub mod text;
pub mod vector_cache;

/// One target's entry: panics on a finding.
pub type Target = fn(&[u8]);

/// Every target by its name (the name of its folder in `seeds/` and `findings/`).
pub const ALL: [(&str, Target); 8] = [
    ("model_load", model_load::run),
    ("npy", npy::run),
    ("read_csv", read_csv::run),
    ("read_jsonl", read_jsonl::run),
    ("sentence_model", sentence_model::run),
    ("tag", tag::run),
    ("text", text::run),
    ("vector_cache", vector_cache::run),
];
