//! Column options: which columns give the id, title, text and label, and the errors when a
//! chosen column is missing, absent by default or named twice.

mod common;

use common::{
    assert_input_error, check_consistency, fixture, ids, read_documents, read_topics, succeed,
    tempdir, topictag, warnings,
};

#[test]
fn repeated_text_column_reads_both_columns() {
    let dir = tempdir();
    let both = dir.path().join("both");
    succeed(
        topictag(dir.path())
            .arg(fixture("columns/docs.csv"))
            .args([
                "--text-column",
                "summary",
                "--text-column",
                "details",
                "--k",
                "2",
                "--output",
            ])
            .arg(&both),
    );
    let documents = read_documents(&both);
    assert_eq!(documents.len(), 8);
    // k02, k04, k07 have text only in `details`, k03 and k08 only in `summary`.
    assert!(
        documents.iter().all(|d| d.topic >= 0),
        "every document has text in one of the two columns: {documents:?}"
    );
    check_consistency(&documents, &read_topics(&both));

    let summary_only = dir.path().join("summary");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("columns/docs.csv"))
            .args(["--text-column", "summary", "--k", "2", "--output"])
            .arg(&summary_only),
    );
    let documents = read_documents(&summary_only);
    let without_terms: Vec<&str> = documents
        .iter()
        .filter(|d| d.topic == -1)
        .map(|d| d.id.as_str())
        .collect();
    assert_eq!(
        without_terms,
        ["2", "4", "7"],
        "rows with an empty summary have no text"
    );
    assert_eq!(warnings(&outcome.stderr).len(), 1, "{}", outcome.stderr);
}

#[test]
fn id_and_title_columns_can_be_named() {
    let dir = tempdir();
    let out = dir.path().join("out");
    succeed(
        topictag(dir.path())
            .arg(fixture("columns/docs.csv"))
            .args([
                "--id-column",
                "key",
                "--title-column",
                "headline",
                "--text-column",
                "summary",
                "--text-column",
                "details",
                "--k",
                "2",
                "--output",
            ])
            .arg(&out),
    );
    let documents = read_documents(&out);
    assert_eq!(
        ids(&documents),
        ["k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08"]
    );
    let titles: Vec<&str> = documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles[0], "First Headline");
    assert_eq!(titles[7], "Eighth Headline");
    check_consistency(&documents, &read_topics(&out));
    let topics = read_topics(&out);
    for topic in &topics {
        for id in &topic.representative_ids {
            assert!(id.starts_with('k'), "representatives use the id column");
        }
    }
}

#[test]
fn missing_id_column_numbers_the_rows_from_one() {
    let dir = tempdir();
    let out = dir.path().join("out");
    succeed(
        topictag(dir.path())
            .arg(fixture("no_id/docs.csv"))
            .args(["--k", "2", "--output"])
            .arg(&out),
    );
    let documents = read_documents(&out);
    assert_eq!(ids(&documents), ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(documents[0].title, "Distant Galaxies", "title column found");
    assert!(
        documents.iter().all(|d| d.topic >= 0),
        "the `text` column is used by default"
    );
    check_consistency(&documents, &read_topics(&out));
}

// ---------------------------------------------------------------------------------------------
// Column errors
// ---------------------------------------------------------------------------------------------

#[test]
fn error_unknown_text_column_lists_the_columns() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--text-column", "nope"],
        None,
        &["'nope'", "--text-column", "id, title, abstract"],
    );
}

#[test]
fn error_unknown_id_and_title_columns_name_their_flag() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--id-column", "key"],
        None,
        &["'key'", "--id-column", "id, title, abstract"],
    );
    assert_input_error(
        dir.path(),
        &[&input, "--title-column", "headline"],
        None,
        &["'headline'", "--title-column", "id, title, abstract"],
    );
}

#[test]
fn error_no_default_text_column() {
    let dir = tempdir();
    std::fs::write(dir.path().join("notext.csv"), "id,name\n1,alpha\n2,beta\n").expect("write");
    assert_input_error(
        dir.path(),
        &["notext.csv"],
        None,
        &[
            "notext.csv",
            "abstract, text, body",
            "--text-column",
            "id, name",
        ],
    );
}

#[test]
fn error_chosen_column_named_twice_in_the_header() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("twice.csv"),
        "id,text,text\n1,galaxy stars,moon\n2,protein cell,gene\n",
    )
    .expect("write");
    assert_input_error(
        dir.path(),
        &["twice.csv"],
        None,
        &["twice.csv", "'text'", "2 times"],
    );
}

#[test]
fn a_missing_label_column_is_an_input_error() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--label-column", "topic"],
        None,
        &["no column 'topic'", "--label-column"],
    );
}
