//! The tests' tiny random BERT sentence-transformers folder (tests/common/tiny_model.rs, built
//! into this crate as it is), as the fuzz target uses it: its files in memory in a fixed order,
//! with an empty `tokenizer_config.json` added so that parser is reachable, and the safetensors
//! file split into its header and data so the header alone can be fuzzed.

use std::path::Path;

#[allow(dead_code)]
#[path = "../../tests/common/tiny_model.rs"]
mod made;

/// What the tests' module reads its vocabulary from: a fixture of the main crate's tests.
fn fixture(relative: &str) -> String {
    let path = super::repo_dir()
        .join("tests")
        .join("fixtures")
        .join(relative);
    path.to_str().expect("UTF-8 paths").to_string()
}

/// The folder's files, by their path inside the folder, in the order the fuzz target numbers
/// them.
pub const FILES: [&str; 8] = [
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "modules.json",
    "1_Pooling/config.json",
    "sentence_bert_config.json",
    "tokenizer_config.json",
    // Not a file: the safetensors header alone, spliced in front of the valid tensor data.
    "model.safetensors#header",
];

/// The folder's files, `FILES[..7]` in order: name and bytes.
pub fn files() -> Vec<(&'static str, Vec<u8>)> {
    let mut made = made::files(0, made::Flaw::None);
    made.push(("tokenizer_config.json", b"{}".to_vec()));
    FILES[..7]
        .iter()
        .map(|name| {
            let at = made
                .iter()
                .position(|(n, _)| n == name)
                .expect("every file is made");
            made.swap_remove(at)
        })
        .collect()
}

/// Writes the folder's files into `dir`.
pub fn write(dir: &Path, files: &[(&str, Vec<u8>)]) {
    std::fs::create_dir_all(dir.join("1_Pooling")).expect("mkdir");
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
}

/// A safetensors file split into its JSON header and the data after it.
pub fn split_safetensors(bytes: &[u8]) -> (&[u8], &[u8]) {
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    (&bytes[8..8 + n], &bytes[8 + n..])
}

/// A safetensors file from a header and the data after it.
pub fn join_safetensors(header: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + header.len() + data.len());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(data);
    out
}
