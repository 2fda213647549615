//! The fuzz targets (fuzz/src/targets/) run on stable: every committed finding
//! (`fuzz/findings/<target>/`) and every seed (`fuzz/seeds/<target>/`) through its target, so a
//! crash, a wrong answer or a runaway allocation the fuzzer once found stays fixed. The
//! targets' own assertions are the test; a file that makes one panic fails here with its path.
#![cfg(feature = "embeddings")]

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod topictag_fuzz;

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.expect("a folder entry").path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Runs `target` on every file of `folder/<name>/`; returns how many ran.
fn run_all(folder: &str, name: &str, target: fn(&[u8])) -> usize {
    let dir = topictag_fuzz::fuzz_dir().join(folder).join(name);
    let files = files(&dir);
    for path in &files {
        let data = std::fs::read(path).expect("read a fuzz input");
        let outcome = std::panic::catch_unwind(|| target(&data));
        assert!(
            outcome.is_ok(),
            "{}: the {name} target fails on this input",
            path.display()
        );
    }
    files.len()
}

#[test]
fn every_finding_stays_fixed() {
    let mut ran = 0;
    for (name, target) in topictag_fuzz::targets::ALL {
        ran += run_all("findings", name, target);
    }
    assert!(ran > 0, "no findings under fuzz/findings");
}

#[test]
fn every_seed_passes_its_target() {
    for (name, target) in topictag_fuzz::targets::ALL {
        let ran = run_all("seeds", name, target);
        assert!(
            ran > 0,
            "no seeds for the {name} target under fuzz/seeds/{name}"
        );
    }
}
