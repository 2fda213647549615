//! The same bytes on every instruction set: `TOPICTAG_SIMD` forces each code path this CPU can
//! run (scalar, AVX2, AVX-512), and the fit, the committed sample output, `tag`, the spectral
//! path and the sentence encoder (a tiny model) must come out byte for byte the same on each.
//! An AVX2-only machine runs the `avx2` path, so these tests stand for it on any CPU that has
//! AVX-512 too.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use topictag::simd::Simd;

/// The levels this CPU can run, by the names `TOPICTAG_SIMD` takes.
fn levels() -> Vec<&'static str> {
    Simd::supported().into_iter().map(Simd::name).collect()
}

/// Runs `args` from `cwd` on one forced level; a fit (which takes `--timings`) must also say
/// it used that level.
fn on_level(cwd: &Path, level: &str, args: &[&str]) -> Outcome {
    let fit = !matches!(args.first(), Some(&"tag" | &"embed"));
    let timings: &[&str] = if fit { &["--timings"] } else { &[] };
    let outcome = succeed(
        topictag(cwd)
            .env("TOPICTAG_SIMD", level)
            .args(args)
            .args(timings),
    );
    if fit {
        assert!(
            outcome
                .stderr
                .contains(&format!("time: instruction set {level}")),
            "the run did not use {level}: {}",
            outcome.stderr
        );
    }
    outcome
}

/// One file as a snapshot of its own, under its name without the level.
fn one_file(path: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let bytes = std::fs::read(path).expect("read the file the run wrote");
    BTreeMap::from([(PathBuf::from("the file"), bytes)])
}

fn assert_same(snapshots: &BTreeMap<&str, BTreeMap<PathBuf, Vec<u8>>>, what: &str) {
    let mut all = snapshots.iter();
    let (first_level, first) = all.next().expect("one level at least");
    for (level, files) in all {
        assert_same_snapshots(
            first,
            files,
            &format!("{what}, {first_level} against {level}"),
        );
    }
}

#[test]
fn every_level_writes_the_committed_sample_output() {
    // The committed output/ is what `cargo run --release` writes on this CPU's every path.
    let dir = tempdir();
    let committed = snapshot(&repo().join("output"));
    for level in levels() {
        let out = dir.path().join(level);
        on_level(
            &repo(),
            level,
            &["data/papers.csv", "--output", &path_str(&out)],
        );
        assert_same_snapshots(
            &committed,
            &snapshot(&out),
            &format!("output/ against a fresh run on {level}"),
        );
    }
}

#[test]
fn fit_tag_and_the_spectral_path_give_the_same_bytes_on_every_level() {
    let dir = tempdir();
    let input = dir.path().join("corpus.csv");
    std::fs::write(&input, synthetic_corpus(1200)).expect("write corpus");
    let input = path_str(&input);
    let (mut fits, mut spectral, mut tags) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for level in levels() {
        // Bigrams, LSA, k-means restarts and refinement (k auto runs on data/ above).
        let out = dir.path().join(format!("fit-{level}"));
        on_level(
            dir.path(),
            level,
            &[
                &input,
                "--dims",
                "20",
                "--k",
                "6",
                "--ngrams",
                "2",
                "--output",
                &path_str(&out),
            ],
        );
        fits.insert(level, snapshot(&out));
        let tagged = dir.path().join(format!("tagged-{level}.csv"));
        on_level(
            dir.path(),
            level,
            &[
                "tag",
                "--model",
                &path_str(&out.join("model.topictag")),
                &input,
                "--top",
                "3",
                "--output",
                &path_str(&tagged),
            ],
        );
        tags.insert(level, one_file(&tagged));
        let out = dir.path().join(format!("spectral-{level}"));
        on_level(
            dir.path(),
            level,
            &[
                &input,
                "--dims",
                "20",
                "--k",
                "5",
                "--spectral",
                "--output",
                &path_str(&out),
            ],
        );
        spectral.insert(level, snapshot(&out));
    }
    assert_same(&fits, "the fit");
    assert_same(&tags, "tag");
    assert_same(&spectral, "the spectral fit");
}

#[cfg(feature = "embeddings")]
#[test]
fn the_sentence_encoder_gives_the_same_vectors_on_every_level() {
    use common::tiny_model::{self, Flaw};
    let dir = tempdir();
    let model = dir.path().join("tiny-bert");
    tiny_model::write(&model, 3, Flaw::None);
    let input = fixture("themes/docs.csv");
    let (mut vectors, mut fits) = (BTreeMap::new(), BTreeMap::new());
    for level in levels() {
        let npy = dir.path().join(format!("vectors-{level}.npy"));
        on_level(
            dir.path(),
            level,
            &[
                "embed",
                &input,
                "--embeddings",
                &path_str(&model),
                "--no-cache",
                "--output",
                &path_str(&npy),
            ],
        );
        vectors.insert(level, one_file(&npy));
        let out = dir.path().join(format!("fit-{level}"));
        on_level(
            dir.path(),
            level,
            &[
                &input,
                "--k",
                "3",
                "--embeddings",
                &path_str(&model),
                "--no-cache",
                "--output",
                &path_str(&out),
            ],
        );
        fits.insert(level, snapshot(&out));
    }
    assert_same(&vectors, "embed");
    assert_same(&fits, "the fit with sentence vectors");
}

#[test]
fn an_unknown_or_unsupported_level_is_refused_with_nothing_written() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let mut refused = vec![(
        "sse9",
        "unknown instruction set (use scalar, avx2, avx512 or auto)",
    )];
    let supported = levels();
    for (level, lacks) in [("avx2", "AVX2 and FMA"), ("avx512", "AVX-512F")] {
        if !supported.contains(&level) {
            refused.push((level, lacks));
        }
    }
    for (level, expected) in refused {
        let outcome = run(topictag(dir.path())
            .env("TOPICTAG_SIMD", level)
            .arg(fixture("themes/docs.csv"))
            .arg("--output")
            .arg(&out));
        assert_eq!(outcome.code, Some(2), "{level}: {}", outcome.stderr);
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
        assert!(
            outcome
                .stderr
                .starts_with(&format!("error: TOPICTAG_SIMD={level}: "))
                && outcome.stderr.contains(expected),
            "{}",
            outcome.stderr
        );
        assert!(!out.exists(), "{level}: something was written");
    }
}
