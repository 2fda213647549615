//! Sentence vectors end to end, on a tiny random BERT folder the tests write
//! (tests/common/tiny_model.rs): the fit with `--embeddings`, the cache, truncation, `tag` with
//! the same and with another model, `embed` and `--vectors`, thread counts, and every unusable
//! folder or vector file as a one-line error with nothing written.
#![cfg(feature = "embeddings")]

mod common;

use std::path::{Path, PathBuf};

use common::tiny_model::{self, Flaw};
use common::*;

struct Setup {
    dir: tempfile::TempDir,
    model: String,
    input: String,
}

fn setup() -> Setup {
    let dir = tempdir();
    let model = dir.path().join("tiny-bert");
    tiny_model::write(&model, 1, Flaw::None);
    Setup {
        model: path_str(&model),
        input: fixture("themes/docs.csv"),
        dir,
    }
}

/// Fits the fixture (k = 3 unless `extra` says otherwise) with the tiny model into
/// `dir/NAME`, with `extra` flags.
fn fit(s: &Setup, name: &str, extra: &[&str]) -> (PathBuf, Outcome) {
    let out = s.dir.path().join(name);
    let k: &[&str] = if extra.contains(&"--k") {
        &[]
    } else {
        &["--k", "3"]
    };
    let outcome = succeed(
        topictag(s.dir.path())
            .arg(&s.input)
            .args(k)
            .args(["--embeddings", &s.model, "--output"])
            .arg(&out)
            .args(extra),
    );
    (out, outcome)
}

/// Each document's topic, score and tags in `dir`'s documents.csv: where the fit placed it,
/// whatever its topic's label.
fn placed(dir: &Path) -> Vec<(i64, String, Vec<String>)> {
    read_documents(dir)
        .into_iter()
        .map(|d| (d.topic, d.score, d.tags))
        .collect()
}

fn cache_files(root: &Path) -> usize {
    walk_count(root)
}

fn walk_count(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            if e.path().is_dir() {
                walk_count(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn a_fit_with_sentence_vectors_says_so_and_tag_reproduces_it_exactly() {
    let s = setup();
    let (out, outcome) = fit(&s, "out", &["--no-cache"]);
    assert!(
        outcome
            .stdout
            .contains("sentence vectors: model tiny-bert (16 dims, sha256 "),
        "{}",
        outcome.stdout
    );
    // Every fixture abstract is longer than the tiny model's 10 tokens: one warning, counted.
    let warned = warnings(&outcome.stderr);
    assert_eq!(warned.len(), 1, "{}", outcome.stderr);
    assert!(
        warned[0].contains("18 of 18 document(s) are longer than the sentence model's 10 tokens"),
        "{}",
        warned[0]
    );
    let documents = read_documents(&out);
    assert_eq!(documents.len(), 18);
    check_consistency(&documents, &read_topics(&out));

    let model = path_str(&out.join("model.topictag"));
    let tagged = succeed(topictag(s.dir.path()).args([
        "tag",
        "--model",
        &model,
        &s.input,
        "--embeddings",
        &s.model,
    ]));
    assert_eq!(tagged.stdout, read_text(&out.join("documents.csv")));
    assert!(
        tagged
            .stderr
            .contains("18 longer than the sentence model's 10 tokens"),
        "{}",
        tagged.stderr
    );

    let inspected = succeed(topictag(s.dir.path()).args(["inspect", &model]));
    assert!(
        inspected
            .stdout
            .contains("sentence vectors: model tiny-bert (16 dims"),
        "{}",
        inspected.stdout
    );
}

#[test]
fn the_vectors_change_the_rows_and_the_weight_matters() {
    let s = setup();
    let (words, _) = {
        let out = s.dir.path().join("words");
        let outcome = succeed(
            topictag(s.dir.path())
                .arg(&s.input)
                .args(["--k", "3", "--output"])
                .arg(&out),
        );
        (out, outcome)
    };
    let (light, _) = fit(&s, "light", &["--no-cache", "--embedding-weight", "0.5"]);
    let (heavy, _) = fit(&s, "heavy", &["--no-cache", "--embedding-weight", "20"]);
    let scores =
        |dir: &Path| -> Vec<String> { read_documents(dir).into_iter().map(|d| d.score).collect() };
    assert_ne!(scores(&words), scores(&light));
    assert_ne!(scores(&light), scores(&heavy));
    // Labels and tags still come from the words.
    for dir in [&light, &heavy] {
        for (a, b) in read_documents(&words).iter().zip(read_documents(dir)) {
            assert_eq!(a.tags, b.tags);
        }
    }
}

#[test]
fn the_model_re_ranks_the_label_terms_and_places_every_document_the_same() {
    let s = setup();
    let (ranked, _) = fit(&s, "ranked", &["--no-cache"]);
    let (in_order, _) = fit(&s, "in-order", &["--no-cache", "--no-label-rerank"]);
    // The same documents in the same topics with the same scores and tags.
    assert_eq!(placed(&ranked), placed(&in_order));
    let (ranked_topics, ordered_topics) = (read_topics(&ranked), read_topics(&in_order));
    check_consistency(&read_documents(&ranked), &ranked_topics);
    // The random model's idea of meaning reorders some topic's terms.
    assert!(
        ranked_topics
            .iter()
            .zip(&ordered_topics)
            .any(|(a, b)| a.top_terms != b.top_terms),
        "{ranked_topics:?}"
    );
    for topic in &ranked_topics {
        let mut terms = topic.top_terms.clone();
        terms.sort();
        terms.dedup();
        assert_eq!(terms.len(), topic.top_terms.len(), "{topic:?}");
        let label: Vec<&str> = topic.label.split(", ").collect();
        assert_eq!(label.len(), 3, "{topic:?}");
        assert!(
            label.iter().all(|l| topic.top_terms.iter().any(|t| t == l)),
            "{topic:?}"
        );
    }
    // The model says which order its terms are in.
    let order = |dir: &Path| {
        let model = path_str(&dir.join("model.topictag"));
        let inspected = succeed(topictag(s.dir.path()).args(["inspect", &model])).stdout;
        inspected
            .lines()
            .find(|l| l.starts_with("label terms: "))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{inspected}"))
    };
    assert!(
        order(&ranked).contains("re-ranked by meaning"),
        "{}",
        order(&ranked)
    );
    assert!(order(&in_order).contains("class-based TF-IDF order"));
    let markdown = read_text(&ranked.join("report.md"));
    assert!(
        markdown.contains("| label terms | re-ranked by meaning (sentence model) |"),
        "{markdown}"
    );
    let html = read_text(&ranked.join("report.html"));
    assert!(
        html.contains(
            "(class-based TF-IDF, ordered by closeness in meaning to the topic's documents)."
        ),
        "the topics' note"
    );
    // Re-ranked the same way on every run.
    let (again, _) = fit(&s, "again", &["--no-cache"]);
    assert_eq!(
        read_text(&ranked.join("topics.csv")),
        read_text(&again.join("topics.csv"))
    );
}

#[test]
fn the_cache_serves_a_rerun_with_identical_output() {
    let s = setup();
    let cache = s.dir.path().join("cache");
    let cache_arg = path_str(&cache);
    let (first, outcome) = fit(&s, "first", &["--cache", &cache_arg]);
    assert!(
        !outcome.stdout.contains("from the cache"),
        "{}",
        outcome.stdout
    );
    assert_eq!(cache_files(&cache), 1, "one segment after the first run");
    let (second, outcome) = fit(&s, "second", &["--cache", &cache_arg, "--k", "4"]);
    assert!(
        outcome.stdout.contains("(18 of 18 from the cache)"),
        "{}",
        outcome.stdout
    );
    assert_eq!(cache_files(&cache), 1, "nothing new to store");
    // The truncation warning survives the cache.
    assert!(
        outcome.stderr.contains("18 of 18 document(s) are longer"),
        "{}",
        outcome.stderr
    );
    let (third, _) = fit(&s, "third", &["--cache", &cache_arg]);
    for file in [
        "documents.csv",
        "topics.csv",
        "model.topictag",
        "metrics.json",
    ] {
        assert_eq!(
            std::fs::read(first.join(file)).expect("read"),
            std::fs::read(third.join(file)).expect("read"),
            "{file} differs between a fresh and a cached run"
        );
    }
    assert!(second.join("documents.csv").is_file());

    // A damaged segment is a warning, and the texts are embedded again.
    let segment = std::fs::read_dir(
        std::fs::read_dir(&cache)
            .expect("cache")
            .next()
            .expect("model dir")
            .expect("entry")
            .path(),
    )
    .expect("segments")
    .next()
    .expect("a segment")
    .expect("entry")
    .path();
    let mut bytes = std::fs::read(&segment).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&segment, bytes).expect("write");
    let (fourth, outcome) = fit(&s, "fourth", &["--cache", &cache_arg]);
    assert!(
        outcome.stderr.contains("checksum mismatch"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        read_text(&first.join("documents.csv")),
        read_text(&fourth.join("documents.csv"))
    );

    // --no-cache reads and writes nothing there.
    let before = cache_files(&cache);
    fit(&s, "fifth", &["--no-cache"]);
    assert_eq!(cache_files(&cache), before);
}

#[test]
fn output_is_identical_on_one_and_two_threads() {
    let s = setup();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = s.dir.path().join(format!("t{threads}"));
        succeed(
            topictag(s.dir.path())
                .env("RAYON_NUM_THREADS", threads)
                .arg(&s.input)
                .args([
                    "--k",
                    "3",
                    "--no-cache",
                    "--embeddings",
                    &s.model,
                    "--output",
                ])
                .arg(&out),
        );
        outputs.push(snapshot(&out));
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn tag_refuses_a_missing_or_different_sentence_model() {
    let s = setup();
    let (out, _) = fit(&s, "out", &["--no-cache"]);
    let model = path_str(&out.join("model.topictag"));
    let other = s.dir.path().join("other-bert");
    tiny_model::write(&other, 2, Flaw::None);
    let cases: [(Vec<&str>, &[&str]); 2] = [
        (
            vec!["tag", "--model", &model, &s.input],
            &["fitted with sentence vectors", "--embeddings"],
        ),
        (
            vec![
                "tag",
                "--model",
                &model,
                &s.input,
                "--embeddings",
                other.to_str().expect("utf-8"),
            ],
            &["from model tiny-bert", "but model other-bert", "was given"],
        ),
    ];
    for (args, expected) in cases {
        let outcome = run(topictag(s.dir.path()).args(&args));
        assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
        for piece in expected {
            assert!(
                outcome.stderr.contains(piece),
                "{piece}: {}",
                outcome.stderr
            );
        }
        assert_eq!(outcome.stdout, "");
    }
    // And a words-only model refuses sentence vectors rather than ignoring them.
    let words = s.dir.path().join("words");
    succeed(
        topictag(s.dir.path())
            .arg(&s.input)
            .args(["--k", "3", "-q", "--output"])
            .arg(&words),
    );
    let outcome = run(topictag(s.dir.path()).args([
        "tag",
        "--model",
        &path_str(&words.join("model.topictag")),
        &s.input,
        "--embeddings",
        &s.model,
    ]));
    assert_eq!(outcome.code, Some(2));
    assert!(
        outcome.stderr.contains("fitted on words only"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn embed_writes_vectors_that_vectors_takes_back() {
    let s = setup();
    let npy = s.dir.path().join("vectors.npy");
    let outcome = succeed(topictag(s.dir.path()).args([
        "embed",
        &s.input,
        "--embeddings",
        &s.model,
        "--no-cache",
        "--output",
        &path_str(&npy),
    ]));
    assert!(
        outcome.stderr.contains("embedded 18 documents"),
        "{}",
        outcome.stderr
    );
    let (with_model, _) = fit(&s, "model", &["--no-cache"]);
    let from_file = s.dir.path().join("file");
    let outcome = succeed(
        topictag(s.dir.path())
            .arg(&s.input)
            .args(["--k", "3", "--vectors", &path_str(&npy), "--output"])
            .arg(&from_file),
    );
    assert!(
        outcome
            .stdout
            .contains("sentence vectors: vectors from a .npy file (16 dims)"),
        "{}",
        outcome.stdout
    );
    // The same vectors from the model or from the file: the same topics, scores and tags.
    assert_eq!(placed(&with_model), placed(&from_file));
    // A file has no model to embed the label terms with: they are re-ranked by co-occurrence
    // instead, and the model says so. With --no-label-rerank both ways, every file is the same.
    let inspected = succeed(
        topictag(s.dir.path()).args(["inspect", &path_str(&from_file.join("model.topictag"))]),
    );
    assert!(
        inspected
            .stdout
            .contains("label terms: re-ranked by co-occurrence"),
        "{}",
        inspected.stdout
    );
    let (in_order, _) = fit(&s, "in-order", &["--no-cache", "--no-label-rerank"]);
    let from_file_in_order = s.dir.path().join("file-in-order");
    succeed(
        topictag(s.dir.path())
            .arg(&s.input)
            .args([
                "--k",
                "3",
                "--no-label-rerank",
                "--vectors",
                &path_str(&npy),
            ])
            .arg("--output")
            .arg(&from_file_in_order),
    );
    for file in ["documents.csv", "topics.csv"] {
        assert_eq!(
            read_text(&in_order.join(file)),
            read_text(&from_file_in_order.join(file)),
            "{file}"
        );
    }
    // A model fitted on a file tags with a file of the new documents' vectors.
    let tagged = succeed(topictag(s.dir.path()).args([
        "tag",
        "--model",
        &path_str(&from_file.join("model.topictag")),
        &s.input,
        "--vectors",
        &path_str(&npy),
    ]));
    assert_eq!(tagged.stdout, read_text(&from_file.join("documents.csv")));
}

/// A .npy file of float32 with `rows` x `cols` values from `value(row, col)`.
fn write_npy(
    path: &Path,
    descr: &str,
    rows: usize,
    cols: usize,
    value: impl Fn(usize, usize) -> f64,
) {
    let header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    let mut data = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let v = value(r, c);
            if descr == "<f8" {
                data.extend_from_slice(&v.to_le_bytes());
            } else {
                data.extend_from_slice(&(v as f32).to_le_bytes());
            }
        }
    }
    write_npy_raw(path, &header, &data);
}

#[test]
fn unusable_vector_files_are_one_line_errors_and_write_nothing() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    let file = |name: &str| dir.path().join(name);
    let smooth = |r: usize, c: usize| ((r * 7 + c * 3) % 11) as f64 + 1.0;
    write_npy(&file("short.npy"), "<f4", 17, 4, smooth);
    write_npy(&file("double.npy"), "<f8", 18, 4, smooth);
    write_npy(&file("nan.npy"), "<f4", 18, 4, |r, c| {
        if r == 4 && c == 2 {
            f64::NAN
        } else {
            1.0
        }
    });
    write_npy(&file("inf.npy"), "<f4", 18, 4, |r, c| {
        if r == 9 && c == 0 {
            f64::INFINITY
        } else {
            1.0
        }
    });
    write_npy(&file("zero.npy"), "<f4", 18, 4, |r, _| {
        if r == 2 {
            0.0
        } else {
            1.0
        }
    });
    std::fs::write(file("garbage.npy"), b"not a numpy file at all").expect("write");
    let cases: [(&str, &[&str]); 6] = [
        (
            "short.npy",
            &["short.npy", "17 rows of vectors for 18 input rows"],
        ),
        (
            "double.npy",
            &["double.npy", "dtype is '<f8' (float64), expected float32"],
        ),
        ("nan.npy", &["nan.npy", "row 5, column 3: NaN"]),
        ("inf.npy", &["inf.npy", "row 10, column 1: inf"]),
        ("zero.npy", &["zero.npy", "row 3: the vector is all zeros"]),
        ("garbage.npy", &["garbage.npy", "not a .npy file"]),
    ];
    for (name, expected) in cases {
        let path = path_str(&file(name));
        assert_input_error(
            dir.path(),
            &[&input, "--k", "3", "--vectors", &path],
            None,
            expected,
        );
    }
}

#[test]
fn unusable_model_folders_are_one_line_errors_and_write_nothing() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    let cases: [(Flaw, &[&str]); 6] = [
        (Flaw::MissingWeights, &["missing model.safetensors"]),
        (
            Flaw::MissingTensor,
            &["missing tensor 'encoder.layer.1.output.dense.bias'"],
        ),
        (
            Flaw::WrongShape,
            &[
                "tensor 'encoder.layer.0.attention.self.key.weight' has shape [16, 17]",
                "[16, 16]",
            ],
        ),
        (
            Flaw::Architecture,
            &["model_type \"roberta\" is not supported"],
        ),
        (Flaw::BrokenConfig, &["config.json:"]),
        (Flaw::MissingTokenizer, &["missing tokenizer.json"]),
    ];
    for (i, (flaw, expected)) in cases.into_iter().enumerate() {
        let folder =
            std::env::temp_dir().join(format!("topictag-flawed-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        tiny_model::write(&folder, 1, flaw);
        let path = path_str(&folder);
        let mut pieces = vec!["cannot use this sentence model"];
        pieces.extend_from_slice(expected);
        assert_input_error(
            dir.path(),
            &[&input, "--k", "3", "--no-cache", "--embeddings", &path],
            None,
            &pieces,
        );
        let _ = std::fs::remove_dir_all(&folder);
    }
    let missing = path_str(&dir.path().join("no-such-model"));
    assert_input_error(
        dir.path(),
        &[&input, "--k", "3", "--no-cache", "--embeddings", &missing],
        None,
        &["no-such-model", "no such folder"],
    );
}

#[test]
fn tag_with_a_vector_file_of_the_wrong_length_writes_nothing() {
    let s = setup();
    let npy = s.dir.path().join("vectors.npy");
    succeed(topictag(s.dir.path()).args([
        "embed",
        &s.input,
        "--embeddings",
        &s.model,
        "--no-cache",
        "-q",
        "--output",
        &path_str(&npy),
    ]));
    let fitted = s.dir.path().join("fitted");
    succeed(
        topictag(s.dir.path())
            .arg(&s.input)
            .args(["--k", "3", "-q", "--vectors", &path_str(&npy), "--output"])
            .arg(&fitted),
    );
    let model = path_str(&fitted.join("model.topictag"));
    let short = s.dir.path().join("short.npy");
    let long = s.dir.path().join("long.npy");
    write_npy(&short, "<f4", 17, 16, |r, c| (r + c + 1) as f64);
    write_npy(&long, "<f4", 19, 16, |r, c| (r + c + 1) as f64);
    for (file, expected) in [
        (&short, "17 rows of vectors, but the input has more rows"),
        (&long, "19 rows of vectors for 18 input rows"),
    ] {
        let target = s.dir.path().join("tagged.csv");
        let outcome = run(topictag(s.dir.path()).args([
            "tag",
            "--model",
            &model,
            &s.input,
            "--vectors",
            &path_str(file),
            "--output",
            &path_str(&target),
        ]));
        assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
        assert!(outcome.stderr.contains(expected), "{}", outcome.stderr);
        assert_eq!(outcome.stderr.lines().count(), 1, "{}", outcome.stderr);
        assert!(!target.exists(), "a failed tag wrote its output");
        let leftovers: Vec<_> = std::fs::read_dir(s.dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("tagged"))
            .collect();
        assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    }
}
