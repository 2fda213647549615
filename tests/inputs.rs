//! Reading inputs end to end: CSV, TSV, JSON Lines and stdin, BOM and CRLF, a huge one-line
//! document, the sample data, the output contract, labels as words, stop words, odd rows.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{
    check_consistency, fixture, ids, read_documents, read_text, read_topics, repo, run, run_themes,
    succeed, synthetic_corpus, tempdir, topictag, warnings, DocumentRow, Lcg, TopicRow,
    TABLE_HEADER,
};

/// Words of a text as a tokenizer would see them (letters, digits, inner hyphens), lowercased.
fn words_of(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .map(|w| w.trim_matches(|c| c == '-' || c == '\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The theme of a `themes` fixture id (`astro-3` -> `astro`).
fn theme(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

/// Ids of the themes fixture, in file order.
fn theme_fixture_ids() -> Vec<String> {
    let mut reader = csv::Reader::from_path(fixture("themes/docs.csv")).expect("fixture opens");
    reader
        .records()
        .map(|r| r.expect("fixture row")[0].to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Happy path
// ---------------------------------------------------------------------------------------------

#[test]
fn happy_path_writes_both_files_with_the_documented_contract() {
    let dir = tempdir();
    let (out, outcome) = run_themes(dir.path(), &[]);

    assert!(out.join("documents.csv").is_file());
    assert!(out.join("topics.csv").is_file());
    let documents = read_documents(&out);
    let topics = read_topics(&out);
    let expected = theme_fixture_ids();
    assert_eq!(
        ids(&documents),
        expected,
        "one row per document, in input order"
    );
    assert_eq!(documents[0].title, "Distant Galaxies");
    assert_eq!(topics.len(), 3, "--k 3 gives 3 topics");
    assert!(documents.iter().all(|d| d.topic >= 0));
    check_consistency(&documents, &topics);

    assert!(
        outcome.stdout.lines().next() == Some(TABLE_HEADER),
        "stdout starts with the topic table:\n{}",
        outcome.stdout
    );
    for topic in &topics {
        assert!(
            outcome.stdout.contains(&topic.label),
            "stdout lists label {:?}:\n{}",
            topic.label,
            outcome.stdout
        );
    }
    assert!(
        outcome.stdout.contains("18 documents"),
        "{}",
        outcome.stdout
    );
    assert!(warnings(&outcome.stderr).is_empty(), "{}", outcome.stderr);
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("list output")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "documents.csv",
            "metrics.json",
            "model.topictag",
            "report-map.svg",
            "report-topics.svg",
            "report-tree.svg",
            "report.html",
            "report.md",
            "topic_tree.csv",
            "topics.csv"
        ]
    );
}

#[test]
fn happy_path_puts_each_theme_in_its_own_topic() {
    let dir = tempdir();
    let (out, _) = run_themes(dir.path(), &[]);
    let documents = read_documents(&out);

    let mut by_theme: BTreeMap<&str, BTreeMap<i64, usize>> = BTreeMap::new();
    for doc in &documents {
        *by_theme
            .entry(theme(&doc.id))
            .or_default()
            .entry(doc.topic)
            .or_default() += 1;
    }
    assert_eq!(by_theme.len(), 3);
    let mut majority_topics = BTreeSet::new();
    for (name, counts) in &by_theme {
        let (&topic, &count) = counts
            .iter()
            .max_by_key(|(_, &count)| count)
            .expect("theme has documents");
        assert!(
            count >= 5,
            "theme {name}: only {count} of 6 documents share topic {topic}: {counts:?}"
        );
        majority_topics.insert(topic);
    }
    assert_eq!(
        majority_topics.len(),
        3,
        "each theme has its own majority topic: {by_theme:?}"
    );
}

#[test]
fn default_input_and_output_are_relative_to_the_working_directory() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("data")).expect("mkdir data");
    std::fs::copy(
        fixture("themes/docs.csv"),
        dir.path().join("data").join("papers.csv"),
    )
    .expect("copy fixture");
    let outcome = succeed(&mut topictag(dir.path()));
    let out = dir.path().join("output");
    let documents = read_documents(&out);
    assert_eq!(ids(&documents), theme_fixture_ids());
    check_consistency(&documents, &read_topics(&out));
    assert!(
        outcome.stdout.starts_with(TABLE_HEADER),
        "{}",
        outcome.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

#[test]
fn labels_and_tags_are_words_from_the_text_not_stems() {
    let dir = tempdir();
    let (out, _) = run_themes(dir.path(), &["--top-terms", "15"]);
    let topics = read_topics(&out);
    let documents = read_documents(&out);

    let vocabulary = words_of(&read_text(Path::new(&fixture("themes/docs.csv"))));
    let shown: Vec<&String> = topics
        .iter()
        .flat_map(|t| &t.top_terms)
        .chain(documents.iter().flat_map(|d| &d.tags))
        .collect();
    for term in &shown {
        assert!(
            vocabulary.contains(&term.to_lowercase()),
            "'{term}' is not a word of the input (a stem leaked into the output?)"
        );
    }
    let top_terms: BTreeSet<&str> = topics
        .iter()
        .flat_map(|t| t.top_terms.iter().map(String::as_str))
        .collect();
    // "galaxies" (stem "galaxi") is written more often than "galaxy"; "telescopes" (stem
    // "telescop") and "recipes" (stem "recip") are only ever written in the plural.
    for word in ["galaxies", "telescopes", "recipes"] {
        assert!(
            top_terms.contains(word),
            "'{word}' should be a top term: {top_terms:?}"
        );
    }
    for stem in ["galaxi", "telescop", "recip", "astronom"] {
        assert!(!top_terms.contains(stem), "stem '{stem}' shown");
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Lines in and out, stdin, BOM/CRLF, TSV
// ---------------------------------------------------------------------------------------------

const JSONL_IDS: [&str; 12] = [
    "1", "cook-a", "3", "cook-b", "5", "cook-c", "7", "cook-d", "9", "cook-e", "11", "cook-f",
];

#[test]
fn jsonl_input_accepts_numeric_and_string_ids() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("jsonl/docs.jsonl"))
            .args(["--k", "2", "--output"])
            .arg(&out),
    );
    let documents = read_documents(&out);
    let topics = read_topics(&out);
    assert_eq!(ids(&documents), JSONL_IDS, "blank line skipped, ids kept");
    assert_eq!(documents[1].title, "Bread Recipes");
    check_consistency(&documents, &topics);
    // id 11 has "text": null and an empty title.
    assert_eq!(documents[10].topic, -1, "{:?}", documents[10]);
    let astro: BTreeSet<i64> = documents
        .iter()
        .filter(|d| d.id.parse::<u32>().is_ok() && d.id != "11")
        .map(|d| d.topic)
        .collect();
    let cooking: BTreeSet<i64> = documents
        .iter()
        .filter(|d| d.id.starts_with("cook"))
        .map(|d| d.topic)
        .collect();
    assert_eq!(astro.len(), 1, "{documents:?}");
    assert_eq!(cooking.len(), 1, "{documents:?}");
    assert_ne!(astro, cooking);
    assert_eq!(warnings(&outcome.stderr).len(), 1, "{}", outcome.stderr);
}

#[test]
fn stdin_csv_input_is_read_with_a_dash() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let bytes = std::fs::read(fixture("themes/docs.csv")).expect("fixture");
    succeed(
        topictag(dir.path())
            .args(["-", "--k", "3", "--output"])
            .arg(&out)
            .write_stdin(bytes),
    );
    let documents = read_documents(&out);
    assert_eq!(ids(&documents), theme_fixture_ids());
    check_consistency(&documents, &read_topics(&out));
}

#[test]
fn stdin_input_reads_the_same_as_the_file() {
    let dir = tempdir();
    let from_stdin = dir.path().join("stdin");
    let bytes = std::fs::read(fixture("themes/docs.csv")).expect("fixture");
    succeed(
        topictag(dir.path())
            .args(["-", "--k", "3", "--output"])
            .arg(&from_stdin)
            .write_stdin(bytes),
    );
    let (from_file, _) = run_themes(dir.path(), &[]);
    for name in ["documents.csv", "topics.csv"] {
        assert_eq!(
            read_text(&from_stdin.join(name)),
            read_text(&from_file.join(name)),
            "{name} differs between stdin and file input"
        );
    }
}

#[test]
fn csv_with_a_byte_order_mark_and_crlf_line_ends_reads_like_the_plain_file() {
    let dir = tempdir();
    let plain = std::fs::read_to_string(fixture("themes/docs.csv")).expect("fixture");
    let windows = format!("\u{feff}{}", plain.replace('\n', "\r\n"));
    std::fs::write(dir.path().join("windows.csv"), windows).expect("write");
    let from_windows = dir.path().join("windows-out");
    succeed(
        topictag(dir.path())
            .args(["windows.csv", "--k", "3", "--output"])
            .arg(&from_windows),
    );
    let documents = read_documents(&from_windows);
    assert_eq!(
        ids(&documents),
        theme_fixture_ids(),
        "the id column is found"
    );
    let (from_plain, _) = run_themes(dir.path(), &[]);
    for name in ["documents.csv", "topics.csv"] {
        assert_eq!(
            read_text(&from_windows.join(name)),
            read_text(&from_plain.join(name)),
            "{name} differs between the BOM/CRLF and the plain file"
        );
    }
}

#[test]
fn stdin_jsonl_input_is_detected_by_its_first_byte() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let bytes = std::fs::read(fixture("jsonl/docs.jsonl")).expect("fixture");
    succeed(
        topictag(dir.path())
            .args(["-", "--k", "2", "--output"])
            .arg(&out)
            .write_stdin(bytes),
    );
    let documents = read_documents(&out);
    assert_eq!(ids(&documents), JSONL_IDS);
    check_consistency(&documents, &read_topics(&out));
}

#[test]
fn jsonl_output_has_the_same_content_as_csv_output() {
    let dir = tempdir();
    let csv_out = dir.path().join("csv");
    let json_out = dir.path().join("json");
    for (out, format) in [(&csv_out, "csv"), (&json_out, "jsonl")] {
        succeed(
            topictag(dir.path())
                .arg(fixture("jsonl/docs.jsonl"))
                .args(["--k", "2", "--format", format, "--output"])
                .arg(out),
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(&json_out)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "documents.jsonl",
            "metrics.json",
            "model.topictag",
            "report-map.svg",
            "report-topics.svg",
            "report-tree.svg",
            "report.html",
            "report.md",
            "topic_tree.csv",
            "topics.jsonl"
        ]
    );

    let parse_lines = |path: PathBuf| -> Vec<(String, serde_json::Value)> {
        read_text(&path)
            .lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("{}: bad JSON line {line}: {e}", path.display()));
                (line.to_string(), value)
            })
            .collect()
    };
    let key_order = |line: &str, keys: &[&str]| {
        let positions: Vec<usize> = keys
            .iter()
            .map(|k| {
                line.find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("key {k} missing in {line}"))
            })
            .collect();
        assert!(
            positions.windows(2).all(|p| p[0] < p[1]),
            "keys out of order in {line}"
        );
    };
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("expected an array, got {value}"))
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("expected a string, got {v}"))
                    .to_string()
            })
            .collect()
    };

    let documents = read_documents(&csv_out);
    let json_documents = parse_lines(json_out.join("documents.jsonl"));
    assert_eq!(json_documents.len(), documents.len());
    let document_keys = [
        "id",
        "title",
        "topic",
        "topic_label",
        "score",
        "fit",
        "novel",
        "tags",
    ];
    for ((line, value), row) in json_documents.iter().zip(&documents) {
        key_order(line, &document_keys);
        let object = value.as_object().expect("a JSON object per line");
        assert_eq!(object.len(), document_keys.len(), "{line}");
        assert_eq!(object["id"].as_str(), Some(row.id.as_str()), "{line}");
        assert_eq!(object["title"].as_str(), Some(row.title.as_str()), "{line}");
        assert_eq!(object["topic"].as_i64(), Some(row.topic), "{line}");
        assert_eq!(
            object["topic_label"].as_str(),
            Some(row.topic_label.as_str()),
            "{line}"
        );
        if row.topic == -1 {
            assert!(object["score"].is_null(), "{line}");
            assert!(object["fit"].is_null(), "{line}");
            assert!(object["novel"].is_null(), "{line}");
        } else {
            let score = object["score"].as_f64().expect("score is a number");
            let csv_score: f64 = row.score.parse().expect("csv score");
            assert_eq!(score, csv_score, "{line}");
            let fit = object["fit"].as_f64().expect("fit is a number");
            let csv_fit: f64 = row.fit.parse().expect("csv fit");
            assert_eq!(fit, csv_fit, "{line}");
            let novel = object["novel"].as_bool().expect("novel is a boolean");
            assert_eq!(novel.to_string(), row.novel, "{line}");
        }
        assert_eq!(strings(&object["tags"]), row.tags, "{line}");
    }
    assert!(
        json_documents.iter().any(|(_, v)| v["score"].is_null()),
        "the fixture has a document without terms"
    );

    let topics = read_topics(&csv_out);
    let json_topics = parse_lines(json_out.join("topics.jsonl"));
    assert_eq!(json_topics.len(), topics.len());
    let topic_keys = ["topic", "size", "label", "top_terms", "representative_ids"];
    for ((line, value), row) in json_topics.iter().zip(&topics) {
        key_order(line, &topic_keys);
        let object = value.as_object().expect("a JSON object per line");
        assert_eq!(object.len(), topic_keys.len(), "{line}");
        assert_eq!(object["topic"].as_u64(), Some(row.topic as u64), "{line}");
        assert_eq!(object["size"].as_u64(), Some(row.size as u64), "{line}");
        assert_eq!(object["label"].as_str(), Some(row.label.as_str()), "{line}");
        assert_eq!(strings(&object["top_terms"]), row.top_terms, "{line}");
        assert_eq!(
            strings(&object["representative_ids"]),
            row.representative_ids,
            "{line}"
        );
    }
}

#[test]
fn tab_separated_files_are_read_by_extension() {
    let dir = tempdir();
    let csv = std::fs::read_to_string(fixture("themes/docs.csv")).expect("fixture");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let mut tsv = header.join("\t") + "\n";
    for record in reader.records() {
        let record = record.expect("record");
        let fields: Vec<&str> = record.iter().collect();
        tsv += &(fields.join("\t") + "\n");
    }
    std::fs::write(dir.path().join("docs.tsv"), tsv).expect("write");
    let from_csv = run(topictag(dir.path())
        .arg(fixture("themes/docs.csv"))
        .args(["--k", "3", "--output", "a"]));
    let from_tsv = run(topictag(dir.path())
        .arg("docs.tsv")
        .args(["--k", "3", "--output", "b"]));
    assert_eq!(from_csv.code, Some(0), "{}", from_csv.stderr);
    assert_eq!(from_tsv.code, Some(0), "{}", from_tsv.stderr);
    for name in ["documents.csv", "topics.csv"] {
        let a = std::fs::read(dir.path().join("a").join(name)).expect("csv output");
        let b = std::fs::read(dir.path().join("b").join(name)).expect("tsv output");
        assert_eq!(a, b, "{name} differs between the CSV and TSV inputs");
    }
}

// ---------------------------------------------------------------------------------------------
// Documents without terms, duplicate ids, huge documents
// ---------------------------------------------------------------------------------------------

#[test]
fn documents_without_terms_are_kept_with_topic_minus_one_and_a_warning() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("no_terms/docs.csv"))
            .args(["--k", "2", "--output"])
            .arg(&out),
    );
    let documents = read_documents(&out);
    let topics = read_topics(&out);
    assert_eq!(
        ids(&documents),
        ["a1", "c1", "empty", "a2", "c2", "a3", "stop", "c3", "a4", "c4"]
    );
    check_consistency(&documents, &topics);
    for doc in &documents {
        let expected = if doc.id == "empty" || doc.id == "stop" {
            -1
        } else {
            doc.topic.max(0)
        };
        assert_eq!(doc.topic, expected, "{doc:?}");
    }
    let raw = read_text(&out.join("documents.csv"));
    assert!(raw.contains("\nempty,,-1,,,,,\n"), "{raw}");
    assert!(raw.contains("\nstop,,-1,,,,,\n"), "{raw}");
    assert_eq!(topics.iter().map(|t| t.size).sum::<usize>(), 8);

    let warned = warnings(&outcome.stderr);
    assert_eq!(warned.len(), 1, "{}", outcome.stderr);
    assert!(warned[0].contains("2 document(s)"), "{}", warned[0]);
    assert!(warned[0].contains("'empty'"), "{}", warned[0]);
    assert!(
        outcome.stdout.contains("(no terms)"),
        "the table counts them: {}",
        outcome.stdout
    );
}

#[test]
fn duplicate_ids_warn_and_every_row_is_kept() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("duplicates/docs.csv"))
            .args(["--k", "2", "--output"])
            .arg(&out),
    );
    let documents = read_documents(&out);
    assert_eq!(ids(&documents), ["x", "y", "x", "z", "y", "w"]);
    check_consistency(&documents, &read_topics(&out));
    let warned = warnings(&outcome.stderr);
    assert_eq!(warned.len(), 1, "{}", outcome.stderr);
    assert!(warned[0].contains("2 row(s)"), "{}", warned[0]);
    assert!(
        warned[0].contains("id 'x' at rows 1 and 3"),
        "{}",
        warned[0]
    );
}

#[test]
fn a_document_of_millions_of_characters_on_one_line_is_tagged_like_any_other() {
    // One row whose text is 4 MB on a single line, among ordinary rows: read, tokenized and
    // tagged, with every row in the output (larger sizes are in bench/huge_inputs.sh).
    let dir = tempdir();
    let mut csv = synthetic_corpus(200);
    let mut rng = Lcg(7);
    let words = [
        "galaxy",
        "telescope",
        "redshift",
        "nebula",
        "orbit",
        "quasar",
    ];
    let mut long = String::with_capacity(4_000_100);
    while long.len() < 4_000_000 {
        long.push_str(words[rng.below(words.len())]);
        long.push(' ');
    }
    csv.push_str(&format!("long,A very long document,{long}\n"));
    let input = dir.path().join("long.csv");
    std::fs::write(&input, csv).expect("write input");
    let out = dir.path().join("out");
    succeed(
        topictag(dir.path())
            .arg(&input)
            .args(["--k", "4", "--output"])
            .arg(&out),
    );
    let documents = read_documents(&out);
    assert_eq!(documents.len(), 201);
    let long_row = documents.iter().find(|d| d.id == "long").expect("long row");
    assert!(long_row.topic >= 0, "the long document has terms");
    check_consistency(&documents, &read_topics(&out));
}

// ---------------------------------------------------------------------------------------------
// The committed sample data
// ---------------------------------------------------------------------------------------------

#[test]
fn sample_data_has_110_papers_with_known_titles() {
    let path = repo().join("data").join("papers.csv");
    let mut reader = csv::Reader::from_path(&path).expect("data/papers.csv opens");
    let header = reader.headers().expect("header").clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        ["id", "title", "abstract"]
    );
    let records: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("data/papers.csv row parses"))
        .collect();
    assert_eq!(records.len(), 110);
    let ids: BTreeSet<&str> = records.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len(), 110, "ids are unique");
    assert!(records.iter().all(|r| !r[2].trim().is_empty()), "abstracts");
    let titles: BTreeSet<&str> = records.iter().map(|r| &r[1]).collect();
    for title in [
        "JMMMU: A Japanese Massive Multi-discipline Multimodal Understanding Benchmark for Culture-aware Evaluation",
        "Compositional Chain-of-Thought Prompting for Large Multimodal Models",
        "Holmes: Towards Distributed Training Across Clusters with Heterogeneous NIC Environment",
    ] {
        assert!(titles.contains(title), "missing paper: {title}");
    }
}

// ---------------------------------------------------------------------------------------------
// Stop words
// ---------------------------------------------------------------------------------------------

#[test]
fn stop_words_file_removes_a_top_term() {
    let dir = tempdir();
    let (out, _) = run_themes(dir.path(), &[]);
    let has_telescopes = |topics: &[TopicRow], documents: &[DocumentRow]| {
        topics
            .iter()
            .flat_map(|t| &t.top_terms)
            .chain(documents.iter().flat_map(|d| &d.tags))
            .any(|term| term.to_lowercase().starts_with("telescop"))
    };
    let topics = read_topics(&out);
    let documents = read_documents(&out);
    assert!(
        has_telescopes(&topics, &documents),
        "without a stop-word file 'telescopes' is a top term: {topics:?}"
    );

    std::fs::write(
        dir.path().join("stop.txt"),
        "# words to ignore\nTelescopes  # capitalised on purpose\n\ncomets\n",
    )
    .expect("write stop words");
    let filtered = dir.path().join("filtered");
    succeed(
        topictag(dir.path())
            .arg(fixture("themes/docs.csv"))
            .args(["--k", "3", "--stop-words", "stop.txt", "--output"])
            .arg(&filtered),
    );
    let topics = read_topics(&filtered);
    let documents = read_documents(&filtered);
    check_consistency(&documents, &topics);
    assert!(
        !has_telescopes(&topics, &documents),
        "'telescopes' is a stop word now: {topics:?}"
    );
    assert!(
        topics
            .iter()
            .flat_map(|t| &t.top_terms)
            .all(|t| t.to_lowercase() != "comets"),
        "{topics:?}"
    );
    assert!(
        topics
            .iter()
            .flat_map(|t| &t.top_terms)
            .any(|t| t == "galaxies"),
        "the rest of the vocabulary is unaffected: {topics:?}"
    );
}
