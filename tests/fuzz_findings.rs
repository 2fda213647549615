//! The fuzz targets (fuzz/src/targets/) run on stable: every committed finding
//! (`fuzz/findings/<target>/`) and every seed (`fuzz/seeds/<target>/`) through its target, so a
//! crash, a wrong answer or a runaway allocation the fuzzer once found stays fixed. The
//! targets' own assertions are the test; a file that makes one panic fails here with its path.
//! As under libFuzzer (whose panic hook aborts), a panic counts even where the library catches
//! it (the tokenizers crate's parser runs under `catch_unwind`): a caught panic is still a bug
//! in front of it.
#![cfg(feature = "embeddings")]

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod topictag_fuzz;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Once;

thread_local! {
    /// Panics on this thread since the counter was last read, caught ones included.
    static PANICS: Cell<usize> = const { Cell::new(0) };
}

/// Counts every panic on its thread, then reports it as the default hook does.
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            report(info);
        }));
    });
}

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
    count_panics();
    for path in &files {
        let data = std::fs::read(path).expect("read a fuzz input");
        PANICS.with(|p| p.set(0));
        let outcome = std::panic::catch_unwind(|| target(&data));
        let panics = PANICS.with(Cell::get);
        assert!(
            outcome.is_ok() && panics == 0,
            "{}: the {name} target fails on this input ({panics} panic(s), caught or not)",
            path.display()
        );
    }
    files.len()
}

/// One test, not two: the targets keep their scratch files per process (the sentence-model
/// folder is written once and a file of it replaced per input), so two threads would see each
/// other's inputs.
#[test]
fn every_finding_stays_fixed_and_every_seed_passes() {
    let mut findings = 0;
    for (name, target) in topictag_fuzz::targets::ALL {
        findings += run_all("findings", name, target);
        let seeds = run_all("seeds", name, target);
        assert!(
            seeds > 0,
            "no seeds for the {name} target under fuzz/seeds/{name}"
        );
    }
    assert!(findings > 0, "no findings under fuzz/findings");
}
