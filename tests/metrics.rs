//! Metrics and the choice of k: metrics.json, agreement with a label column, the k auto curve
//! in k_selection.csv, and --k-range refused without --k auto.

mod common;

use std::path::Path;

use common::{
    assert_input_error, check_consistency, fixture, read_documents, read_text, read_topics,
    run_themes, succeed, tempdir, topictag,
};

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read_text(path)).expect("valid JSON")
}

#[test]
fn metrics_score_the_topics_and_agree_with_a_label_column() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("themes/labeled.csv"))
            .args(["--k", "3", "--label-column", "label", "--output"])
            .arg(&out),
    );
    let metrics = read_json(&out.join("metrics.json"));
    assert_eq!(metrics["documents"], 18);
    assert_eq!(metrics["topics"], 3);
    assert_eq!(metrics["per_topic"].as_array().map(Vec::len), Some(3));
    let coherence = metrics["coherence_npmi"].as_f64().expect("coherence");
    assert!((-1.0..=1.0).contains(&coherence), "{coherence}");
    let diversity = metrics["diversity"].as_f64().expect("diversity");
    assert!(diversity > 0.0 && diversity <= 1.0, "{diversity}");
    assert!(metrics["silhouette"].as_f64().expect("silhouette") > 0.0);
    assert_eq!(metrics["unassigned_share"], 0.0);
    // The three themes are found exactly, so every agreement score is 1.
    let agreement = &metrics["labels"]["documents_with_terms"];
    for score in [
        "nmi",
        "ari",
        "homogeneity",
        "completeness",
        "v_measure",
        "purity",
    ] {
        let value = agreement[score].as_f64().expect("score");
        assert!((value - 1.0).abs() < 1e-12, "{score} = {value}");
    }
    assert_eq!(metrics["labels"]["classes"], 3);
    let summary = outcome.stdout.lines().last().expect("summary line");
    assert!(
        summary.starts_with("metrics: coherence (NPMI) "),
        "{summary}"
    );
    assert!(summary.contains("against 'label': NMI 1.000"), "{summary}");
}

#[test]
fn without_a_label_column_metrics_have_no_agreement() {
    let dir = tempdir();
    let (out, outcome) = run_themes(dir.path(), &[]);
    let metrics = read_json(&out.join("metrics.json"));
    assert!(metrics["labels"].is_null());
    assert!(!outcome.stdout.contains("against"));
}

// ---------------------------------------------------------------------------------------------
// The choice of k
// ---------------------------------------------------------------------------------------------

#[test]
fn k_is_chosen_automatically_when_not_given() {
    // 18 documents of three themes: the range is 2..3 (18 / 5), and three topics are stable.
    let dir = tempdir();
    let out = dir.path().join("out");
    succeed(
        topictag(dir.path())
            .arg(fixture("themes/docs.csv"))
            .arg("--output")
            .arg(&out),
    );
    let topics = read_topics(&out);
    assert_eq!(topics.len(), 3, "{topics:?}");
    check_consistency(&read_documents(&out), &topics);
    assert!(out.join("k_selection.csv").exists());
}

#[test]
fn k_auto_writes_the_curve_and_uses_the_chosen_k() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("themes/docs.csv"))
            .args(["--k", "auto", "--k-range", "2..5", "--output"])
            .arg(&out),
    );
    let curve = read_text(&out.join("k_selection.csv"));
    let mut lines = curve.lines();
    assert_eq!(
        lines.next(),
        Some("k,criterion,stable,coherence_npmi,diversity,inertia,nmi_labels,chosen")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let ks: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(ks, ["2", "3", "4", "5"]);
    let chosen: Vec<&Vec<&str>> = rows.iter().filter(|r| r[7] == "1").collect();
    assert_eq!(chosen.len(), 1, "{curve}");
    // The largest stable k, or the most stable one when none is.
    let k: usize = chosen[0][0].parse().expect("k");
    let stable: Vec<usize> = rows
        .iter()
        .filter(|r| r[2] == "1")
        .map(|r| r[0].parse().expect("k"))
        .collect();
    if let Some(&largest) = stable.iter().max() {
        assert_eq!(k, largest, "{curve}");
    } else {
        let best = rows
            .iter()
            .map(|r| r[1].parse::<f64>().expect("criterion"))
            .fold(f64::MIN, f64::max);
        assert_eq!(
            chosen[0][1].parse::<f64>().expect("criterion"),
            best,
            "{curve}"
        );
    }
    for row in &rows {
        assert_eq!(row[6], "", "no label column, no NMI: {curve}");
    }
    assert_eq!(read_topics(&out).len(), k);
    assert!(
        outcome.stdout.contains(&format!("{k} topics")),
        "{}",
        outcome.stdout
    );
}

#[test]
fn k_range_without_auto_is_refused() {
    let dir = tempdir();
    let input = fixture("themes/docs.csv");
    assert_input_error(
        dir.path(),
        &[&input, "--k", "3", "--k-range", "2..5"],
        None,
        &["--k-range", "--k auto"],
    );
}
