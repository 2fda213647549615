//! Bad input and bad settings: exit codes, one-line `error: ` messages naming what is wrong,
//! nothing written, and a failed run leaving earlier outputs intact.

mod common;

use common::{
    assert_input_error, fixture, read_text, run, run_themes, snapshot, tempdir, topictag,
};

#[test]
fn error_missing_input_file_names_the_path() {
    let dir = tempdir();
    assert_input_error(
        dir.path(),
        &["no/such/file.csv"],
        None,
        &["no/such/file.csv", "cannot read"],
    );
}

#[test]
fn error_default_input_missing_names_data_papers_csv() {
    let dir = tempdir();
    assert_input_error(dir.path(), &[], None, &["data/papers.csv"]);
}

#[test]
fn error_directory_as_input() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("folder.csv")).expect("mkdir");
    assert_input_error(
        dir.path(),
        &["folder.csv"],
        None,
        &["folder.csv", "directory"],
    );
}

#[test]
fn error_empty_file() {
    let dir = tempdir();
    std::fs::write(dir.path().join("empty.csv"), "").expect("write");
    assert_input_error(dir.path(), &["empty.csv"], None, &["empty.csv", "empty"]);
    std::fs::write(dir.path().join("blank.csv"), "\n  \n").expect("write");
    assert_input_error(dir.path(), &["blank.csv"], None, &["blank.csv", "empty"]);
}

#[test]
fn error_empty_stdin() {
    let dir = tempdir();
    assert_input_error(dir.path(), &["-"], Some(b""), &["<stdin>", "empty"]);
}

#[test]
fn error_header_only() {
    let dir = tempdir();
    std::fs::write(dir.path().join("header.csv"), "id,title,abstract\n").expect("write");
    assert_input_error(
        dir.path(),
        &["header.csv"],
        None,
        &["header.csv", "no documents"],
    );
}

#[test]
fn error_invalid_utf8_names_row_and_column() {
    let dir = tempdir();
    let mut bytes = b"id,title,abstract\n1,ok,\"two\nlines\"\n2,fine,text here\n3,bad ".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b" title,more text\n4,after,text\n");
    std::fs::write(dir.path().join("latin1.csv"), &bytes).expect("write");
    assert_input_error(
        dir.path(),
        &["latin1.csv"],
        None,
        &["latin1.csv", "row 3", "line 5", "column 'title'", "UTF-8"],
    );
}

#[test]
fn error_unclosed_quote_names_the_row_instead_of_swallowing_the_rest() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("open.csv"),
        "id,text\n1,galaxy stars\n2,\"protein cell never closed\n3,galaxy moon\n4,cell gene\n",
    )
    .expect("write");
    assert_input_error(
        dir.path(),
        &["open.csv"],
        None,
        &["open.csv", "row 2", "line 3", "never closed"],
    );
}

#[test]
fn error_ragged_row_names_the_row() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("ragged.csv"),
        "id,text\n1,\"multi\nline\"\n2,a,b\n3,c\n",
    )
    .expect("write");
    assert_input_error(
        dir.path(),
        &["ragged.csv"],
        None,
        &["ragged.csv", "row 2", "line 4", "3 fields", "2"],
    );
}

#[test]
fn error_malformed_jsonl_names_the_line() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("bad.jsonl"),
        "{\"id\": 1, \"text\": \"fine\"}\n\n{\"id\": 2, \"text\": oops}\n{\"id\": 3}\n",
    )
    .expect("write");
    assert_input_error(
        dir.path(),
        &["bad.jsonl"],
        None,
        &["bad.jsonl", "line 3", "JSON"],
    );
}

#[test]
fn error_malformed_jsonl_on_stdin_names_the_line() {
    let dir = tempdir();
    assert_input_error(
        dir.path(),
        &["-"],
        Some(b"{\"text\": \"a\"}\n[1, 2]\n"),
        &["<stdin>", "line 2", "object"],
    );
}

#[test]
fn error_k_zero() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(dir.path(), &[&input, "--k", "0"], None, &["--k"]);
}

#[test]
fn error_k_larger_than_the_documents_with_terms() {
    // 10 rows, 2 of them without terms.
    let dir = tempdir();
    let input = fixture("no_terms/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--k", "9"],
        None,
        &["--k 9", "8 documents"],
    );
}

#[test]
fn error_every_document_empty_after_filtering() {
    let dir = tempdir();
    let input = fixture("all_filtered/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input],
        None,
        &[&input, "no document has any term", "4 documents"],
    );
}

#[test]
fn error_max_df_above_one() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--max-df", "3"],
        None,
        &["--max-df", "3"],
    );
}

#[test]
fn error_max_df_below_min_df() {
    // 0.05 of 18 documents is less than one document: no term could pass --min-df 2.
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--max-df", "0.05"],
        None,
        &["--max-df", "--min-df"],
    );
}

#[test]
fn error_dims_zero() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(dir.path(), &[&input, "--dims", "0"], None, &["--dims"]);
}

#[test]
fn error_min_df_zero() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(dir.path(), &[&input, "--min-df", "0"], None, &["--min-df"]);
}

#[test]
fn error_ngrams_three() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(dir.path(), &[&input, "--ngrams", "3"], None, &["--ngrams"]);
}

#[test]
fn error_unknown_language() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--language", "klingon"],
        None,
        &["klingon", "english"],
    );
}

#[test]
fn error_missing_stop_words_file() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--stop-words", "missing-stop-words.txt"],
        None,
        &["missing-stop-words.txt", "cannot read"],
    );
}

#[test]
fn error_output_path_is_a_file_exits_with_code_1() {
    let dir = tempdir();
    std::fs::write(dir.path().join("taken"), "not a folder").expect("write");
    let outcome = run(topictag(dir.path())
        .arg(fixture("themes/docs.csv"))
        .args(["--output", "taken"]));
    assert_eq!(outcome.code, Some(1), "{}", outcome.stderr);
    let errors: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", outcome.stderr);
    assert!(errors[0].contains("taken"), "{}", errors[0]);
    assert_eq!(
        read_text(&dir.path().join("taken")),
        "not a folder",
        "the file in the way is untouched"
    );
}

// ---------------------------------------------------------------------------------------------
// A failed run keeps earlier output
// ---------------------------------------------------------------------------------------------

#[test]
fn failed_run_leaves_earlier_outputs_intact() {
    let dir = tempdir();
    let (out, _) = run_themes(dir.path(), &[]);
    let before = snapshot(&out);
    assert_eq!(before.len(), 10, "{:?}", before.keys());

    std::fs::write(dir.path().join("ragged.csv"), "id,text\n1,a\n2,b,c\n").expect("write");
    let failures: [Vec<String>; 3] = [
        // Fails while reading.
        vec!["ragged.csv".into()],
        // Fails after reading and vectorizing, in clustering.
        vec![fixture("themes/docs.csv"), "--k".into(), "40".into()],
        // Fails when vectorizing.
        vec![fixture("all_filtered/docs.csv")],
    ];
    for args in &failures {
        let outcome = run(topictag(dir.path()).args(args).arg("--output").arg(&out));
        assert_eq!(outcome.code, Some(2), "{args:?}: {}", outcome.stderr);
        assert_eq!(
            snapshot(&out),
            before,
            "{args:?}: a failed run changed the earlier output"
        );
    }
}
