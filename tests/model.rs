//! The saved model: every run writes model.topictag; `topictag tag` with it reproduces the fit's
//! documents.csv exactly (full and sampled clustering paths) and places new documents; `inspect`
//! describes it; unusable model files are one-line errors.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// Fits `input` into `dir/out` with `extra` flags; returns the output folder.
fn fit(dir: &Path, input: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join("out");
    succeed(
        topictag(dir)
            .arg(input)
            .args(extra)
            .args(["--quiet", "--output"])
            .arg(&out),
    );
    out
}

fn model_of(out: &Path) -> String {
    path_str(&out.join("model.topictag"))
}

/// `topictag tag --model MODEL INPUT` with `extra` flags, to stdout.
fn tag(dir: &Path, model: &str, input: &str, extra: &[&str]) -> Outcome {
    succeed(
        topictag(dir)
            .args(["tag", "--model", model, input])
            .args(extra),
    )
}

fn write_synthetic(dir: &Path, documents: usize) -> String {
    let path = dir.join("synthetic.csv");
    std::fs::write(&path, synthetic_corpus(documents)).expect("write corpus");
    path_str(&path)
}

// ---------------------------------------------------------------------------------------------
// tag == fit
// ---------------------------------------------------------------------------------------------

#[test]
fn tagging_the_sample_data_with_its_model_gives_the_fit_byte_for_byte() {
    let dir = tempdir();
    let input = path_str(&repo().join("data").join("papers.csv"));
    let out = fit(dir.path(), &input, &[]);
    let fitted = read_text(&out.join("documents.csv"));
    let tagged = tag(dir.path(), &model_of(&out), &input, &[]);
    assert_eq!(tagged.stdout, fitted);
    assert!(
        tagged.stderr.contains("tagged 110 documents"),
        "{}",
        tagged.stderr
    );
}

#[test]
fn tagging_reproduces_the_fit_on_the_sampled_clustering_path_in_both_formats() {
    let dir = tempdir();
    let input = write_synthetic(dir.path(), 1500);
    for format in ["csv", "jsonl"] {
        let out = dir.path().join(format!("out-{format}"));
        // Above 400 documents k-means fits a sample and places the rest by its centroids.
        succeed(
            topictag(dir.path())
                .arg(&input)
                .args(["--k", "4", "--fit-sample-rows", "400", "--quiet"])
                .args(["--format", format, "--output"])
                .arg(&out),
        );
        let fitted = read_text(&out.join(format!("documents.{format}")));
        let tagged = tag(
            dir.path(),
            &model_of(&out),
            &input,
            &["--format", format, "--quiet"],
        );
        assert_eq!(tagged.stdout, fitted, "{format}");
    }
}

#[test]
fn tagging_reproduces_the_fit_with_phrases_tfidf_and_linfa_polish() {
    let dir = tempdir();
    let input = write_synthetic(dir.path(), 600);
    let flags = [
        "--k",
        "5",
        "--ngrams",
        "2",
        "--weighting",
        "tfidf",
        "--refine",
        "0",
        "--seed",
        "7",
    ];
    let out = fit(dir.path(), &input, &flags);
    let fitted = read_text(&out.join("documents.csv"));
    let tagged = tag(dir.path(), &model_of(&out), &input, &["--quiet"]);
    assert_eq!(tagged.stdout, fitted);
}

#[test]
fn tag_output_is_the_same_on_any_thread_count_and_from_stdin() {
    let dir = tempdir();
    let input = write_synthetic(dir.path(), 800);
    let out = fit(dir.path(), &input, &["--k", "4"]);
    let model = model_of(&out);
    let outputs: Vec<String> = ["1", "3"]
        .iter()
        .map(|threads| {
            succeed(
                topictag(dir.path())
                    .env("RAYON_NUM_THREADS", threads)
                    .args(["tag", "--model", &model, &input, "--quiet"]),
            )
            .stdout
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    let piped = succeed(
        topictag(dir.path())
            .args(["tag", "--model", &model, "-", "--quiet"])
            .write_stdin(std::fs::read(&input).expect("read corpus")),
    );
    assert_eq!(piped.stdout, outputs[0]);
}

// ---------------------------------------------------------------------------------------------
// New documents
// ---------------------------------------------------------------------------------------------

#[test]
fn new_documents_land_in_the_topic_of_their_theme() {
    let dir = tempdir();
    let out = fit(dir.path(), &fixture("themes/docs.csv"), &["--k", "3"]);
    let fitted = read_documents(&out);
    let topic_of = |prefix: &str| {
        fitted
            .iter()
            .find(|d| d.id.starts_with(prefix))
            .map(|d| d.topic)
            .expect("a fitted document of the theme")
    };
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        "id,title,abstract\n\
         n-astro,Telescope night,Astronomers saw distant galaxies and bright stars through telescopes.\n\
         n-cook,Kitchen,The chef baked bread with flour and butter in the oven.\n\
         n-none,Nothing,zzz qqq\n",
    )
    .expect("write new documents");
    let tagged = tag(dir.path(), &model_of(&out), &path_str(&new), &[]);
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(tagged.stdout.as_bytes())
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 3, "one row per input row");
    assert_eq!(rows[0][2], topic_of("astro").to_string());
    assert_eq!(rows[1][2], topic_of("cook").to_string());
    assert!(rows[0][7].contains("telescopes") || rows[0][7].contains("galaxies"));
    assert_eq!(
        rows[0][6], "false",
        "a document of a known theme is not novel"
    );
    // A document with no known term keeps its row, with topic -1 and no score, fit or flag.
    assert_eq!(rows[2][..], ["n-none", "Nothing", "-1", "", "", "", "", ""]);
    assert!(
        tagged
            .stderr
            .contains("1 without a term of the model's vocabulary"),
        "{}",
        tagged.stderr
    );
}

#[test]
fn top_lists_the_best_topics_with_their_scores_first_the_assigned_one() {
    let dir = tempdir();
    let out = fit(dir.path(), &fixture("themes/docs.csv"), &["--k", "3"]);
    let tagged = tag(
        dir.path(),
        &model_of(&out),
        &fixture("themes/docs.csv"),
        &["--top", "2", "--quiet"],
    );
    let mut reader = csv::Reader::from_reader(tagged.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header.join(","), format!("{DOCUMENTS_HEADER},topics"));
    for record in reader.records() {
        let record = record.expect("row");
        let best: Vec<(&str, &str)> = record[8]
            .split(';')
            .map(|cell| cell.split_once(':').expect("topic:score"))
            .collect();
        assert_eq!(best.len(), 2, "{record:?}");
        assert_eq!(best[0], (&record[2], &record[4]), "{record:?}");
        assert!(best[0].1 >= best[1].1, "{record:?}");
    }
    let json = tag(
        dir.path(),
        &model_of(&out),
        &fixture("themes/docs.csv"),
        &["--top", "2", "--format", "jsonl", "--quiet"],
    );
    let first: serde_json::Value =
        serde_json::from_str(json.stdout.lines().next().expect("a line")).expect("json");
    assert_eq!(first["topics"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["topics"][0]["topic"], first["topic"]);
}

#[test]
fn tag_writes_an_output_file_whole_and_reads_other_column_names() {
    let dir = tempdir();
    let out = fit(dir.path(), &fixture("themes/docs.csv"), &["--k", "3"]);
    let renamed = dir.path().join("renamed.csv");
    let text = read_text(Path::new(&fixture("themes/docs.csv")));
    std::fs::write(
        &renamed,
        text.replacen("id,title,abstract", "key,headline,body", 1),
    )
    .expect("write");
    let target = dir.path().join("tagged.csv");
    let outcome = succeed(
        topictag(dir.path())
            .args(["tag", "--model", &model_of(&out), &path_str(&renamed)])
            .args(["--id-column", "key", "--title-column", "headline"])
            .arg("--output")
            .arg(&target),
    );
    assert_eq!(outcome.stdout, "");
    assert_eq!(
        read_text(&target),
        read_text(&out.join("documents.csv")),
        "same documents under other column names tag the same"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_input_with_a_header_and_no_rows_tags_to_a_header_only() {
    let dir = tempdir();
    let out = fit(dir.path(), &fixture("themes/docs.csv"), &["--k", "3"]);
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "id,title,abstract\n").expect("write");
    let tagged = tag(dir.path(), &model_of(&out), &path_str(&empty), &[]);
    assert_eq!(tagged.stdout, format!("{DOCUMENTS_HEADER}\n"));
    assert!(
        tagged.stderr.contains("tagged 0 documents"),
        "{}",
        tagged.stderr
    );
    let top = tag(
        dir.path(),
        &model_of(&out),
        &path_str(&empty),
        &["--top", "2"],
    );
    assert_eq!(top.stdout, format!("{DOCUMENTS_HEADER},topics\n"));
}

// ---------------------------------------------------------------------------------------------
// inspect
// ---------------------------------------------------------------------------------------------

#[test]
fn inspect_describes_what_the_model_holds() {
    let dir = tempdir();
    let out = fit(dir.path(), &fixture("themes/docs.csv"), &["--k", "3"]);
    let outcome = succeed(topictag(dir.path()).args(["inspect", &model_of(&out)]));
    let text = outcome.stdout;
    let format = format!(
        "topictag model, format {}, written by topictag ",
        topictag::model::FORMAT_VERSION
    );
    for piece in [
        format.as_str(),
        "sentence vectors: none (words only)",
        "fitted on 18 documents (0 without terms)",
        "topics: 3, k 3",
        "vocabulary: ",
        "LSA ",
        "columns: id id, title title, text abstract",
        "params: seed 0, language english",
        "label terms: re-ranked by co-occurrence",
        TABLE_HEADER,
    ] {
        assert!(text.contains(piece), "{piece:?} missing from:\n{text}");
    }
    let topics = read_topics(&out);
    for topic in &topics {
        assert!(text.contains(&topic.label), "{}:\n{text}", topic.label);
    }
}

// ---------------------------------------------------------------------------------------------
// Models that cannot be used
// ---------------------------------------------------------------------------------------------

/// `tag` with `model` must fail with exit 2, one `error:` line naming the model file and
/// holding every `expected` piece, nothing on stdout and no output file.
fn assert_bad_model(dir: &Path, model: &Path, expected: &[&str]) {
    let target = dir.join("tagged.csv");
    let outcome = run(topictag(dir)
        .args(["tag", "--model"])
        .arg(model)
        .arg(fixture("themes/docs.csv"))
        .arg("--output")
        .arg(&target));
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
    let lines: Vec<&str> = outcome.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", outcome.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(
        lines[0].contains(&path_str(model)),
        "names the file: {}",
        lines[0]
    );
    for piece in expected {
        assert!(lines[0].contains(piece), "{piece:?}: {}", lines[0]);
    }
    assert!(!target.exists(), "no output after a bad model");
}

/// `inspect` refuses an unusable file the same way.
fn assert_inspect_refuses(dir: &Path, model: &Path, expected: &str) {
    let inspect = run(topictag(dir).arg("inspect").arg(model));
    assert_eq!(inspect.code, Some(2), "{}", inspect.stderr);
    assert_eq!(inspect.stdout, "");
    assert_eq!(inspect.stderr.lines().count(), 1, "{}", inspect.stderr);
    assert!(inspect.stderr.contains(expected), "{}", inspect.stderr);
}

#[test]
fn empty_truncated_bit_flipped_foreign_and_newer_models_are_refused_by_name() {
    let dir = tempdir();
    let out = fit(dir.path(), &fixture("themes/docs.csv"), &["--k", "3"]);
    let good = std::fs::read(out.join("model.topictag")).expect("model");
    let write = |name: &str, bytes: &[u8]| -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write model");
        path
    };

    let empty = write("empty.topictag", b"");
    assert_bad_model(dir.path(), &empty, &["empty"]);
    assert_inspect_refuses(dir.path(), &empty, "empty");
    for cut in [5, 20, good.len() / 2, good.len() - 1] {
        let path = write(&format!("cut{cut}.topictag"), &good[..cut]);
        assert_bad_model(dir.path(), &path, &["truncated"]);
        assert_inspect_refuses(dir.path(), &path, "truncated");
    }
    // A flipped bit anywhere in the content, and in the checksum itself.
    for at in [good.len() - 1, good.len() / 2, 40, 35] {
        let mut flipped = good.clone();
        flipped[at] ^= 0x10;
        let path = write(&format!("flip{at}.topictag"), &flipped);
        assert_bad_model(dir.path(), &path, &["corrupted"]);
    }
    let foreign = write("foreign.topictag", b"id,title,abstract\n1,a,b\n");
    assert_bad_model(dir.path(), &foreign, &["not a topictag model"]);
    // A newer format and the one before this (its k choice and untaggable reason were text).
    let current = topictag::model::FORMAT_VERSION;
    for (name, version) in [("newer", current + 1), ("older", current - 1)] {
        let mut other = good.clone();
        other[16..20].copy_from_slice(&version.to_le_bytes());
        let path = write(&format!("{name}.topictag"), &other);
        let found = format!("model format version {version}");
        let supported = format!("reads version {current}");
        assert_bad_model(dir.path(), &path, &[&found, &supported]);
    }
    let missing = dir.path().join("missing.topictag");
    assert_bad_model(dir.path(), &missing, &["cannot read"]);
    // The intact file still works after all that.
    tag(
        dir.path(),
        &model_of(&out),
        &fixture("themes/docs.csv"),
        &[],
    );
}

#[test]
fn a_spectral_model_is_written_and_inspected_but_refuses_to_tag() {
    let dir = tempdir();
    let out = fit(
        dir.path(),
        &fixture("themes/docs.csv"),
        &["--k", "3", "--spectral", "--neighbors", "4"],
    );
    let model = out.join("model.topictag");
    assert_bad_model(
        dir.path(),
        &model,
        &["spectral clustering", "Refit without"],
    );
    let inspect = succeed(topictag(dir.path()).args(["inspect", &model_of(&out)]));
    assert!(
        inspect.stdout.contains("cannot tag: "),
        "{}",
        inspect.stdout
    );
}

#[test]
fn tag_flags_are_checked() {
    let dir = tempdir();
    let out = fit(dir.path(), &fixture("themes/docs.csv"), &["--k", "3"]);
    let outcome = run(topictag(dir.path()).args([
        "tag",
        "--model",
        &model_of(&out),
        &fixture("themes/docs.csv"),
        "--top",
        "0",
    ]));
    assert_eq!(outcome.code, Some(2));
    assert_eq!(outcome.stderr, "error: invalid --top: must be at least 1\n");
    let outcome = run(topictag(dir.path()).args([
        "tag",
        "--model",
        &model_of(&out),
        &fixture("themes/docs.csv"),
        "--text-column",
        "summary",
    ]));
    assert_eq!(outcome.code, Some(2));
    assert!(
        outcome
            .stderr
            .contains("no column 'summary' (given by --text-column)"),
        "{}",
        outcome.stderr
    );
}
