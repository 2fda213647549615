//! Determinism: the same seed gives the same bytes, the thread count changes nothing, and the
//! committed output/ folder is what a fresh run on data/papers.csv writes.

mod common;

use std::path::{Path, PathBuf};

use common::{
    assert_same_snapshots, check_consistency, read_documents, read_topics, repo, snapshot, succeed,
    synthetic_corpus, tempdir, topictag,
};

/// Runs the synthetic corpus of `documents` documents (written once per folder) into `out`.
/// LSA dimensions are kept small: the tests use a debug build, where linear algebra is slow.
fn run_synthetic(
    dir: &Path,
    documents: usize,
    out: &str,
    threads: Option<&str>,
    extra: &[&str],
) -> PathBuf {
    let input = dir.join(format!("corpus-{documents}.csv"));
    if !input.exists() {
        std::fs::write(&input, synthetic_corpus(documents)).expect("write corpus");
    }
    let out = dir.join(out);
    let mut cmd = topictag(dir);
    cmd.arg(&input)
        .arg("--output")
        .arg(&out)
        .args(["--dims", "20"])
        .args(extra);
    if let Some(threads) = threads {
        cmd.env("RAYON_NUM_THREADS", threads);
    }
    succeed(&mut cmd);
    out
}

fn assert_same_outputs(a: &Path, b: &Path, what: &str) {
    // Every file a run writes: the tables, the metrics, the model, the report and its charts.
    assert_same_snapshots(&snapshot(a), &snapshot(b), what);
}

#[test]
fn same_seed_gives_byte_identical_output() {
    let dir = tempdir();
    let args = ["--seed", "7", "--k", "4"];
    let first = run_synthetic(dir.path(), 600, "first", None, &args);
    let second = run_synthetic(dir.path(), 600, "second", None, &args);
    assert_same_outputs(&first, &second, "two runs with --seed 7");

    let documents = read_documents(&first);
    assert_eq!(documents.len(), 600);
    let topics = read_topics(&first);
    assert_eq!(topics.len(), 4);
    check_consistency(&documents, &topics);
    // Four vocabularies, four topics of roughly 150 documents each.
    for topic in &topics {
        assert!(
            (100..=200).contains(&topic.size),
            "unbalanced topics: {topics:?}"
        );
    }
}

#[test]
fn thread_count_does_not_change_the_output_on_the_sampled_path() {
    // 2,400 rows > the 2,000-row sample: k-means restarts run on samples, then a polish.
    let dir = tempdir();
    // Six topics for four noisy themes: many local minima, so a restart seeded differently
    // on another thread would show.
    let one = run_synthetic(dir.path(), 2400, "one", Some("1"), &["--k", "6"]);
    let two = run_synthetic(dir.path(), 2400, "two", Some("2"), &["--k", "6"]);
    assert_same_outputs(&one, &two, "RAYON_NUM_THREADS=1 vs 2, 2,400 documents");
}

#[test]
fn thread_count_does_not_change_k_auto_or_the_spectral_embedding() {
    let dir = tempdir();
    let args = [
        "--k",
        "auto",
        "--k-range",
        "2..8",
        "--spectral",
        "--seed",
        "5",
    ];
    let one = run_synthetic(dir.path(), 600, "one", Some("1"), &args);
    let two = run_synthetic(dir.path(), 600, "two", Some("2"), &args);
    assert_same_outputs(&one, &two, "RAYON_NUM_THREADS=1 vs 2, --k auto --spectral");
}

#[test]
fn thread_count_does_not_change_the_output_with_bigrams() {
    // 600 documents: three text chunks of 256, k-means on all rows, two-word phrases.
    let dir = tempdir();
    let args = ["--k", "8", "--ngrams", "2", "--seed", "3"];
    let one = run_synthetic(dir.path(), 600, "one", Some("1"), &args);
    let two = run_synthetic(dir.path(), 600, "two", Some("2"), &args);
    assert_same_outputs(&one, &two, "RAYON_NUM_THREADS=1 vs 2, 600 documents");
    let topics = read_topics(&one);
    assert_eq!(topics.len(), 8);
    check_consistency(&read_documents(&one), &topics);
}

// ---------------------------------------------------------------------------------------------
// The committed sample output
// ---------------------------------------------------------------------------------------------

#[test]
fn committed_sample_output_matches_a_fresh_run() {
    let dir = tempdir();
    let out = dir.path().join("out");
    // Run from the repository root on the relative path, as `cargo run --release` does: the
    // report names its input as given.
    succeed(
        topictag(&repo())
            .arg("data/papers.csv")
            .arg("--output")
            .arg(&out),
    );
    let committed = snapshot(&repo().join("output"));
    let fresh = snapshot(&out);
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>(),
        "output/ should hold exactly the files a run writes"
    );
    for (name, bytes) in &fresh {
        assert!(
            committed[name] == *bytes,
            "output/{} is stale: it differs from a fresh run on data/papers.csv; \
             regenerate it with `cargo run --release` (from the repository root) and commit it",
            name.display()
        );
    }
}
