//! Hostile files, end to end: inputs, models, stop-word lists, model folders, vector files and
//! cache segments that never end, lie about their size or carry values that would give a
//! silent wrong answer, and titles that would run as markup in report.md. Each is a one-line
//! error with exit code 2 and nothing written, or a result that equals the honest file's.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;

/// Runs `args` in `cwd` and expects exit code 2 with a one-line error holding every piece of
/// `expected`, no panic, and an answer within `seconds`.
fn refused(cwd: &Path, args: &[&str], expected: &[&str], seconds: u64) -> String {
    let started = Instant::now();
    let outcome = run(topictag(cwd).args(args));
    let took = started.elapsed();
    assert_eq!(outcome.code, Some(2), "{args:?}: {}", outcome.stderr);
    assert!(
        outcome.stderr.starts_with("error: ") && outcome.stderr.trim_end().lines().count() == 1,
        "{args:?}: one error line expected, got {}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
    for piece in expected {
        assert!(
            outcome.stderr.contains(piece),
            "{args:?}: {piece:?} missing from {}",
            outcome.stderr
        );
    }
    assert!(
        took < Duration::from_secs(seconds),
        "{args:?} took {took:?}"
    );
    outcome.stderr
}

/// A model fitted on the themes fixture, in `dir/fitted`.
fn fitted_model(dir: &Path) -> PathBuf {
    succeed(topictag(dir).arg(fixture("themes/docs.csv")).args([
        "--k",
        "3",
        "--no-report",
        "--quiet",
        "--output",
        "fitted",
    ]));
    dir.join("fitted").join("model.topictag")
}

#[test]
fn a_model_file_that_never_ends_is_refused_after_its_first_bytes() {
    let dir = tempdir();
    let docs = fixture("themes/docs.csv");
    // It read /dev/zero until memory ran out; now the signature settles it.
    refused(
        dir.path(),
        &["inspect", "/dev/zero"],
        &["/dev/zero", "not a topictag model"],
        10,
    );
    refused(
        dir.path(),
        &["tag", "--model", "/dev/zero", &docs],
        &["/dev/zero", "not a topictag model"],
        10,
    );
    refused(
        dir.path(),
        &[&docs, "--previous", "/dev/zero", "-o", "out"],
        &["/dev/zero", "not a topictag model"],
        10,
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_model_read_through_a_fifo_loads_as_from_a_file() {
    let dir = tempdir();
    let model = fitted_model(dir.path());
    let bytes = std::fs::read(&model).expect("model bytes");
    let fifo = dir.path().join("model.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(&fifo, &bytes).expect("write the fifo"))
    };
    let outcome = succeed(topictag(dir.path()).args(["inspect", &path_str(&fifo)]));
    writer.join().expect("writer");
    let from_file = succeed(topictag(dir.path()).args(["inspect", &path_str(&model)]));
    let strip = |text: &str, path: &Path| text.replace(&path_str(path), "MODEL");
    assert_eq!(
        strip(&outcome.stdout, &fifo),
        strip(&from_file.stdout, &model)
    );
}

#[test]
fn documents_that_never_end_stop_at_the_row_cap() {
    let dir = tempdir();
    // The header record grew until the allocator aborted the process.
    refused(
        dir.path(),
        &["/dev/zero", "-o", "out"],
        &["/dev/zero", "the header (line 1) is longer than 64 MiB"],
        60,
    );
    // A JSON Lines row of 70 MB on standard input.
    let mut input = b"{\"text\": \"galaxy stars\"}\n{\"text\": \"".to_vec();
    input.resize(input.len() + 70_000_000, b'a');
    let outcome = run(topictag(dir.path())
        .args(["-", "-o", "out"])
        .write_stdin(input));
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("<stdin>: row 2 (line 2) is longer than 64 MiB"),
        "{}",
        outcome.stderr
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_stop_word_list_that_never_ends_is_capped() {
    let dir = tempdir();
    refused(
        dir.path(),
        &[
            &fixture("themes/docs.csv"),
            "--stop-words",
            "/dev/zero",
            "-o",
            "out",
        ],
        &["/dev/zero", "larger than 64 MiB"],
        30,
    );
}

#[test]
fn csv_errors_name_the_right_line_after_crlf_and_say_when_a_quote_swallowed_rows() {
    let dir = tempdir();
    let crlf = dir.path().join("crlf.csv");
    // What Python's csv module writes: CR LF line ends, and a quoted field with a line break.
    std::fs::write(
        &crlf,
        "id,text\r\n1,alpha beta\r\n2,\"gamma\r\ndelta\"\r\n3,ok\r\n4,one,two\r\n",
    )
    .expect("write");
    refused(
        dir.path(),
        &[&path_str(&crlf), "-o", "out"],
        &["row 4 (line 6): 3 fields, but the header has 2"],
        30,
    );
    let quote = dir.path().join("quote.csv");
    std::fs::write(
        &quote,
        "id,text\n1,fine\n2,\"never closed\n3,lost\n4,\"x\",y\n5,z\n",
    )
    .expect("write");
    refused(
        dir.path(),
        &[&path_str(&quote), "-o", "out"],
        &[
            "row 2 (line 3): a quoted field runs over 3 lines",
            "a closing quote is missing",
        ],
        30,
    );
}

#[test]
fn titles_that_are_markup_stay_text_in_report_md() {
    let dir = tempdir();
    let source = std::fs::read_to_string(fixture("themes/docs.csv")).expect("fixture");
    let mut lines = source.lines();
    let mut csv = format!("{}\n", lines.next().expect("header"));
    let hostile = [
        "<svg onload=alert(1)>",
        "[click](javascript:alert(2))",
        "a | b | c",
        "<img src=x onerror=alert(3)> &lt;b&gt;",
        "`code` **bold** $x^2$",
    ];
    for (i, line) in lines.enumerate() {
        // The fixture's rows are id,title,...: the title is replaced.
        let mut fields: Vec<String> = line.splitn(3, ',').map(str::to_string).collect();
        if let Some(title) = hostile.get(i % 6) {
            fields[1] = format!("\"{title}\"");
        }
        csv.push_str(&fields.join(","));
        csv.push('\n');
    }
    let input = dir.path().join("hostile.csv");
    std::fs::write(&input, csv).expect("write");
    succeed(topictag(dir.path()).args([&path_str(&input), "--k", "3", "-o", "out", "--quiet"]));
    let markdown = read_text(&dir.path().join("out").join("report.md"));
    // The template writes no '<' of its own: every one in the file is a value's, escaped.
    for (at, _) in markdown.match_indices('<') {
        assert!(
            at > 0 && markdown.as_bytes()[at - 1] == b'\\',
            "a raw '<' at byte {at}: {}",
            &markdown[at.saturating_sub(40)..(at + 40).min(markdown.len())]
        );
    }
    assert!(markdown.contains("\\<svg onload=alert(1)\\>"), "{markdown}");
    assert!(markdown.contains("\\[click\\](javascript:alert(2))"));
    assert!(!markdown.contains("&lt;b"), "an entity left to decode");
    // Every table row keeps its column count: a '|' in a value is escaped.
    for row in markdown.lines().filter(|l| l.starts_with("| ")) {
        let cells = row.replace("\\|", "").matches('|').count();
        assert!(cells == 3 || cells == 4 || cells == 5, "{row}");
    }
}

#[cfg(feature = "embeddings")]
mod sentence_models {
    use super::*;
    use common::tiny_model::{self, Flaw};

    fn folder(dir: &Path, flaw: Flaw) -> String {
        let folder = dir.join(format!("model-{flaw:?}"));
        tiny_model::write(&folder, 1, flaw);
        path_str(&folder)
    }

    fn embed_refused(dir: &Path, model: &str, input: &str, expected: &[&str]) {
        refused(
            dir,
            &[
                input,
                "--k",
                "3",
                "--no-cache",
                "--embeddings",
                model,
                "-o",
                "out",
            ],
            expected,
            60,
        );
        assert!(!dir.join("out").exists());
    }

    #[test]
    fn a_model_folder_file_linked_to_a_device_is_refused() {
        let dir = tempdir();
        let model = folder(dir.path(), Flaw::None);
        let config = Path::new(&model).join("config.json");
        std::fs::remove_file(&config).expect("remove");
        std::os::unix::fs::symlink("/dev/zero", &config).expect("symlink");
        embed_refused(
            dir.path(),
            &model,
            &fixture("themes/docs.csv"),
            &["config.json", "not a regular file"],
        );
    }

    #[test]
    fn folder_defects_are_found_when_it_loads_not_at_the_first_text() {
        let dir = tempdir();
        let docs = fixture("themes/docs.csv");
        let cases: [(Flaw, &[&str]); 3] = [
            (
                Flaw::HugeEpsilon,
                &["layer_norm_eps 1e300 is not a usable epsilon"],
            ),
            (Flaw::EmptyVocabulary, &["tokenizer.json"]),
            (
                Flaw::IdPastVocabulary,
                &[
                    "tokenizer.json gives the token \"zzzz\" the id",
                    "outside config.json's vocab_size",
                ],
            ),
        ];
        for (flaw, expected) in cases {
            let model = folder(dir.path(), flaw);
            let mut pieces = vec!["cannot use this sentence model"];
            pieces.extend_from_slice(expected);
            embed_refused(dir.path(), &model, &docs, &pieces);
        }
    }

    #[test]
    fn a_text_the_tokenizer_gives_no_tokens_for_is_named_by_its_row() {
        let dir = tempdir();
        let model = folder(dir.path(), Flaw::NoSpecialTokens);
        let input = dir.path().join("docs.csv");
        let mut csv = String::from("id,title,text\n");
        for i in 0..12 {
            let text = if i == 7 {
                "   "
            } else {
                "galaxy stars telescope orbit"
            };
            csv.push_str(&format!("d{i},,{text}\n"));
        }
        std::fs::write(&input, csv).expect("write");
        embed_refused(
            dir.path(),
            &model,
            &path_str(&input),
            &["cannot embed the text of row 8", "no tokens"],
        );
    }

    #[test]
    fn a_tokenizer_its_parser_panics_on_is_an_error() {
        let dir = tempdir();
        let model = folder(dir.path(), Flaw::None);
        let path = Path::new(&model).join("tokenizer.json");
        let text = std::fs::read_to_string(&path).expect("tokenizer");
        // Found by fuzzing: the tokenizers crate's decoder deserializer `expect`s on this.
        let broken = text.replace("\"cleanup\":true", "\"cleanup\":truDe");
        assert_ne!(
            broken, text,
            "the tokenizer's decoder is spelled as expected"
        );
        std::fs::write(&path, broken).expect("write");
        embed_refused(
            dir.path(),
            &model,
            &fixture("themes/docs.csv"),
            &["tokenizer.json: not JSON"],
        );
    }

    #[test]
    fn a_cache_segment_with_a_good_checksum_but_no_vectors_is_not_trusted() {
        let dir = tempdir();
        let model = folder(dir.path(), Flaw::None);
        let docs = fixture("themes/docs.csv");
        let cache = dir.path().join("cache");
        let fit = |out: &str, cache_args: &[&str]| {
            succeed(
                topictag(dir.path())
                    .args([&docs, "--k", "3", "--embeddings", &model, "-o", out])
                    .args(cache_args),
            )
        };
        fit("clean", &["--no-cache"]);
        fit("first", &["--cache", &path_str(&cache)]);
        let segment = find_segment(&cache);
        let mut bytes = std::fs::read(&segment).expect("segment");
        let body = bytes.len() - 4;
        let dims = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
        // The first record's vector becomes NaN, then the checksum is made right again.
        let first_vector = 20 + 33;
        for v in 0..dims {
            let at = first_vector + 4 * v;
            bytes[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        }
        let crc = crc32fast::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_le_bytes());
        std::fs::write(&segment, &bytes).expect("write");
        let outcome = fit("second", &["--cache", &path_str(&cache)]);
        assert!(
            outcome.stderr.contains("record 1 is not a usable vector"),
            "{}",
            outcome.stderr
        );
        let clean = read_text(&dir.path().join("clean").join("documents.csv"));
        let second = read_text(&dir.path().join("second").join("documents.csv"));
        assert_eq!(clean, second, "the damaged segment's vectors were used");
    }

    fn find_segment(dir: &Path) -> PathBuf {
        for entry in std::fs::read_dir(dir)
            .expect("cache")
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.is_dir() {
                return find_segment(&path);
            }
            if path.extension().is_some_and(|e| e == "vec") {
                return path;
            }
        }
        panic!("no cache segment under {}", dir.display());
    }
}

mod vector_files {
    use super::*;

    fn npy(
        path: &Path,
        header: &str,
        rows: usize,
        cols: usize,
        value: impl Fn(usize, usize) -> f32,
    ) {
        let mut data = Vec::with_capacity(rows * cols * 4);
        for r in 0..rows {
            for c in 0..cols {
                data.extend_from_slice(&value(r, c).to_le_bytes());
            }
        }
        write_npy_raw(path, header, &data);
    }

    #[test]
    fn headers_that_lie_about_the_shape_are_refused_in_every_spelling() {
        let dir = tempdir();
        let docs = fixture("themes/docs.csv");
        let findings = repo().join("fuzz").join("findings").join("npy");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&findings)
            .expect("fuzz/findings/npy")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("huge-shape") && n.ends_with(".npy"))
            })
            .collect();
        files.sort();
        assert_eq!(files.len(), 2, "the fuzzer's two lying headers");
        // Other legal spellings numpy's literal allows, each announcing 10^14 bytes.
        for (name, header) in [
            (
                "single.npy",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (5000000, 5000000), }",
            ),
            (
                "tight.npy",
                "{'descr':'<f4','fortran_order':False,'shape':(5000000,5000000)}",
            ),
            (
                "reordered.npy",
                "{ 'shape' : ( 5000000 , 5000000 ) , 'descr' : '<f4' , 'fortran_order' : False }",
            ),
        ] {
            let path = dir.path().join(name);
            npy(&path, header, 1, 4, |_, _| 1.0);
            files.push(path);
        }
        for file in files {
            refused(
                dir.path(),
                &[
                    &docs,
                    "--k",
                    "3",
                    "--vectors",
                    &path_str(&file),
                    "-o",
                    "out",
                ],
                &["the header announces", "but the file holds"],
                30,
            );
        }
    }

    #[test]
    fn vectors_scaled_by_1e20_cluster_as_the_same_vectors_unscaled() {
        let dir = tempdir();
        let docs = fixture("themes/docs.csv");
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (18, 4), }";
        let value = |r: usize, c: usize| ((r % 3 == c) as u8 as f32) + 0.1 * (r * 7 % 5) as f32;
        npy(&dir.path().join("plain.npy"), header, 18, 4, value);
        npy(&dir.path().join("huge.npy"), header, 18, 4, |r, c| {
            value(r, c) * 1e20
        });
        for (name, out) in [("plain.npy", "plain"), ("huge.npy", "huge")] {
            succeed(topictag(dir.path()).args([
                &docs,
                "--k",
                "3",
                "--vectors",
                name,
                "-o",
                out,
                "--quiet",
                "--no-report",
            ]));
        }
        let plain = read_text(&dir.path().join("plain").join("documents.csv"));
        let huge = read_text(&dir.path().join("huge").join("documents.csv"));
        assert_eq!(plain, huge, "vectors past 1e19 were zeroed");
    }
}

/// A small file that is very wide: 110 rows of 12,000-long vectors (5 MB). The report's map once
/// formed their 12,000² covariance (1.15 GB; at 100,000 wide, 80 GB, and the kernel killed the
/// run): under a 1 GB address-space limit any stage quadratic in the width still fails.
#[cfg(target_os = "linux")]
#[test]
fn a_very_wide_vector_file_is_fitted_in_memory_linear_in_its_width() {
    let dir = tempdir();
    let (rows, width) = (110usize, 12_000usize);
    let header =
        format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {width}), }}");
    let mut rng = Lcg(7);
    let mut data = Vec::with_capacity(rows * width * 4);
    for _ in 0..rows * width {
        let value = rng.below(2001) as f32 / 1000.0 - 1.0;
        data.extend_from_slice(&value.to_le_bytes());
    }
    let vectors = dir.path().join("wide.npy");
    write_npy_raw(&vectors, &header, &data);
    let written = std::fs::metadata(&vectors).expect("stat the vectors").len();
    assert_eq!(
        (written - data.len() as u64) % 64,
        0,
        "the header is padded to 64 bytes"
    );
    let output = std::process::Command::new("prlimit")
        .arg("--as=1000000000")
        .arg(env!("CARGO_BIN_EXE_topictag"))
        .arg(repo().join("data/papers.csv"))
        .arg("--vectors")
        .arg(&vectors)
        .args(["--k", "5", "-o", "out", "--quiet"])
        .current_dir(dir.path())
        .output()
        .expect("prlimit (util-linux) runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report = read_text(&dir.path().join("out/report.html"));
    assert!(report.contains("<svg"), "the report has its map");
}
