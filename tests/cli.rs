//! End-to-end tests of the `topictag` command: every test runs the real binary in its own
//! temporary folder on small fixtures (tests/fixtures/<case>/) or on data generated here, and
//! checks the files, the table on stdout, the warnings and errors on stderr and the exit code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

const DOCUMENTS_HEADER: &str = "id,title,topic,topic_label,score,tags";
const TOPICS_HEADER: &str = "topic,size,label,top_terms,representative_ids";
const TABLE_HEADER: &str = "topic  size  label";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(relative: &str) -> String {
    let path = repo().join("tests").join("fixtures").join(relative);
    assert!(path.is_file(), "missing fixture {}", path.display());
    path_str(&path)
}

fn path_str(path: &Path) -> String {
    path.to_str().expect("test paths are UTF-8").to_string()
}

fn tempdir() -> TempDir {
    tempfile::tempdir().expect("create a temp dir")
}

/// The binary, run in `cwd`, with an environment that does not leak into the result.
fn topictag(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("topictag").expect("the topictag binary is built");
    cmd.current_dir(cwd)
        .env_remove("RAYON_NUM_THREADS")
        .timeout(Duration::from_secs(180));
    cmd
}

/// What a finished run left behind on its streams.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Outcome {
    let output = cmd.output().expect("the binary runs");
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs and insists on exit code 0.
fn succeed(cmd: &mut Command) -> Outcome {
    let outcome = run(cmd);
    assert_eq!(
        outcome.code,
        Some(0),
        "expected success\nstdout:\n{}\nstderr:\n{}",
        outcome.stdout,
        outcome.stderr
    );
    outcome
}

/// `warning: ` lines of stderr.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
struct DocumentRow {
    id: String,
    title: String,
    topic: i64,
    topic_label: String,
    score: String,
    tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct TopicRow {
    topic: usize,
    size: usize,
    label: String,
    top_terms: Vec<String>,
    representative_ids: Vec<String>,
}

fn split_list(cell: &str) -> Vec<String> {
    if cell.is_empty() {
        Vec::new()
    } else {
        cell.split(';').map(str::to_string).collect()
    }
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Parses a CSV output file whose first line must be exactly `header`.
fn read_csv_records(path: &Path, header: &str) -> Vec<csv::StringRecord> {
    let text = read_text(path);
    let first = text.lines().next().unwrap_or_default();
    assert_eq!(first, header, "header of {}", path.display());
    assert!(
        text.ends_with('\n'),
        "{} does not end with a newline",
        path.display()
    );
    assert!(
        !text.contains('\r'),
        "{} has CR line endings",
        path.display()
    );
    let columns = header.split(',').count();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            let record = record.expect("output CSV parses");
            assert_eq!(record.len(), columns, "row {record:?}");
            record
        })
        .collect()
}

fn read_documents(dir: &Path) -> Vec<DocumentRow> {
    read_csv_records(&dir.join("documents.csv"), DOCUMENTS_HEADER)
        .into_iter()
        .map(|r| DocumentRow {
            id: r[0].to_string(),
            title: r[1].to_string(),
            topic: r[2]
                .parse()
                .unwrap_or_else(|_| panic!("topic is an integer: {r:?}")),
            topic_label: r[3].to_string(),
            score: r[4].to_string(),
            tags: split_list(&r[5]),
        })
        .collect()
}

fn read_topics(dir: &Path) -> Vec<TopicRow> {
    read_csv_records(&dir.join("topics.csv"), TOPICS_HEADER)
        .into_iter()
        .map(|r| TopicRow {
            topic: r[0]
                .parse()
                .unwrap_or_else(|_| panic!("topic is an integer: {r:?}")),
            size: r[1]
                .parse()
                .unwrap_or_else(|_| panic!("size is an integer: {r:?}")),
            label: r[2].to_string(),
            top_terms: split_list(&r[3]),
            representative_ids: split_list(&r[4]),
        })
        .collect()
}

/// `0.8123`, `-0.0500`, `1.0000`: a number with exactly four decimals, in [-1, 1].
fn assert_score(score: &str, context: &str) {
    let (whole, decimals) = score
        .split_once('.')
        .unwrap_or_else(|| panic!("score '{score}' has no decimal point ({context})"));
    assert_eq!(
        decimals.len(),
        4,
        "score '{score}' needs 4 decimals ({context})"
    );
    assert!(
        decimals.chars().all(|c| c.is_ascii_digit()),
        "score '{score}' ({context})"
    );
    let digits = whole.strip_prefix('-').unwrap_or(whole);
    assert!(
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()),
        "score '{score}' ({context})"
    );
    let value: f64 = score
        .parse()
        .unwrap_or_else(|_| panic!("score '{score}' parses ({context})"));
    assert!(
        (-1.0..=1.0).contains(&value),
        "score {value} outside [-1, 1] ({context})"
    );
}

/// Everything documents.csv and topics.csv must agree on, for any input.
fn check_consistency(documents: &[DocumentRow], topics: &[TopicRow]) {
    for (index, topic) in topics.iter().enumerate() {
        assert_eq!(topic.topic, index, "topics are numbered 0.. in order");
        assert!(topic.size > 0, "empty topic {topic:?}");
        assert!(!topic.top_terms.is_empty(), "topic without terms {topic:?}");
        let label: Vec<&str> = topic.top_terms.iter().take(3).map(String::as_str).collect();
        assert_eq!(topic.label, label.join(", "), "label = first top terms");
        let members: Vec<&DocumentRow> = documents
            .iter()
            .filter(|d| d.topic == index as i64)
            .collect();
        assert_eq!(topic.size, members.len(), "size of topic {index}");
        assert_eq!(
            topic.representative_ids.len(),
            topic.size.min(3),
            "3 representatives (fewer in a smaller topic): {topic:?}"
        );
        for id in &topic.representative_ids {
            assert!(
                members.iter().any(|d| &d.id == id),
                "representative {id} is not in topic {index}"
            );
        }
    }
    for pair in topics.windows(2) {
        assert!(
            pair[0].size >= pair[1].size,
            "topics are numbered by size: {pair:?}"
        );
    }
    let with_topic = documents.iter().filter(|d| d.topic >= 0).count();
    assert_eq!(
        topics.iter().map(|t| t.size).sum::<usize>(),
        with_topic,
        "topic sizes sum to the documents with a topic"
    );
    for doc in documents {
        if doc.topic == -1 {
            assert_eq!(doc.topic_label, "", "{doc:?}");
            assert_eq!(doc.score, "", "{doc:?}");
            assert!(doc.tags.is_empty(), "{doc:?}");
        } else {
            let topic = usize::try_from(doc.topic)
                .ok()
                .and_then(|t| topics.get(t))
                .unwrap_or_else(|| panic!("document {doc:?} has a topic not in topics.csv"));
            assert_eq!(doc.topic_label, topic.label, "{doc:?}");
            assert_score(&doc.score, &doc.id);
            assert!(doc.tags.len() <= 5, "{doc:?}");
            assert!(doc.tags.iter().all(|t| !t.is_empty()), "{doc:?}");
        }
    }
}

fn ids(documents: &[DocumentRow]) -> Vec<&str> {
    documents.iter().map(|d| d.id.as_str()).collect()
}

/// Every file under `dir` with its bytes (relative paths), to prove a run changed nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("list dir")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let relative = path.strip_prefix(root).expect("inside root").to_path_buf();
            if path.is_dir() {
                files.insert(relative.join(""), Vec::new());
                walk(root, &path, files);
            } else {
                files.insert(relative, std::fs::read(&path).expect("read file"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Runs `args` (plus `--output out`) in `cwd` and checks the failure contract: exit code 2, one
/// `error: ` line on stderr holding every `expected` piece, nothing on stdout, and no file
/// written or left behind anywhere in `cwd`.
fn assert_input_error(cwd: &Path, args: &[&str], stdin: Option<&[u8]>, expected: &[&str]) {
    let before = snapshot(cwd);
    let mut cmd = topictag(cwd);
    cmd.args(args).args(["--output", "out"]);
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes.to_vec());
    }
    let outcome = run(&mut cmd);
    assert_eq!(
        outcome.code,
        Some(2),
        "args {args:?}: expected exit code 2\nstdout:\n{}\nstderr:\n{}",
        outcome.stdout,
        outcome.stderr
    );
    assert!(
        outcome.stderr.starts_with("error: "),
        "args {args:?}: stderr must start with 'error: ', got:\n{}",
        outcome.stderr
    );
    assert_eq!(
        outcome.stderr.trim_end_matches('\n').lines().count(),
        1,
        "args {args:?}: the error must be a single line, got:\n{}",
        outcome.stderr
    );
    for piece in expected {
        assert!(
            outcome.stderr.contains(piece),
            "args {args:?}: stderr should mention {piece:?}, got:\n{}",
            outcome.stderr
        );
    }
    assert_eq!(
        outcome.stdout, "",
        "args {args:?}: nothing on stdout after an error"
    );
    let out = cwd.join("out");
    assert!(
        !out.join("documents.csv").exists() && !out.join("topics.csv").exists(),
        "args {args:?}: a failed run wrote output"
    );
    assert_eq!(
        snapshot(cwd),
        before,
        "args {args:?}: a failed run created, changed or left files behind"
    );
}

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

/// Runs the three-theme fixture with k = 3 into `<cwd>/out` and returns that folder.
fn run_themes(cwd: &Path, extra: &[&str]) -> (PathBuf, Outcome) {
    let out = cwd.join("out");
    let outcome = succeed(
        topictag(cwd)
            .arg(fixture("themes/docs.csv"))
            .args(["--k", "3", "--output"])
            .arg(&out)
            .args(extra),
    );
    (out, outcome)
}

/// Ids of the themes fixture, in file order.
fn theme_fixture_ids() -> Vec<String> {
    let mut reader = csv::Reader::from_path(fixture("themes/docs.csv")).expect("fixture opens");
    reader
        .records()
        .map(|r| r.expect("fixture row")[0].to_string())
        .collect()
}

/// A small deterministic pseudo-random generator (PCG-style LCG step), so no `rand` is needed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound
    }
}

/// A deterministic corpus of `n` documents drawn from four vocabularies (half its own theme, 30%
/// any theme, 20% filler), with capitalised and hyphenated forms: big enough for several
/// parallel work units, noisy enough that k-means has more than one answer.
fn synthetic_corpus(n: usize) -> String {
    const THEMES: [&str; 4] = [
        "galaxy galaxies Galaxies telescope telescopes stars star planets orbit orbits comets \
         nebula astronomers redshift supernova cosmic dark-matter Hubble quasar spectra",
        "recipe recipes oven ovens flour butter baking baked kitchen sauce chefs chef sugar \
         dough pastry garlic simmer roast slow-cooked Parmesan",
        "striker strikers goals goal stadium referee league match matches fans players player \
         penalty offside midfield goalkeeper coach tactics half-time UEFA",
        "guitar guitars melody melodies chords chord concert concerts orchestra violin piano \
         rhythm singer singers album tempo jazz lyrics sing-along Beethoven",
    ];
    const FILLER: &str = "report people time new great day city group week story the and";
    let themes: Vec<Vec<&str>> = THEMES
        .iter()
        .map(|t| t.split_whitespace().collect())
        .collect();
    let filler: Vec<&str> = FILLER.split_whitespace().collect();
    let mut rng = Lcg(0x853c_49e6_748f_ea9b);
    let pick = |rng: &mut Lcg, topic: usize, count: usize| -> String {
        let words: Vec<&str> = (0..count)
            .map(|_| match rng.below(10) {
                0 | 1 => filler[rng.below(filler.len())],
                2..=4 => {
                    let other = &themes[rng.below(themes.len())];
                    other[rng.below(other.len())]
                }
                _ => themes[topic][rng.below(themes[topic].len())],
            })
            .collect();
        words.join(" ")
    };
    let mut csv = String::from("id,title,abstract\n");
    for row in 0..n {
        let topic = rng.below(themes.len());
        let title = pick(&mut rng, topic, 3);
        let length = 10 + rng.below(15);
        let body = pick(&mut rng, topic, length);
        let tail = pick(&mut rng, topic, 4);
        csv.push_str(&format!("doc{row},{title},\"{body}. {tail}\"\n"));
    }
    csv
}

// ---------------------------------------------------------------------------------------------
// 1. Happy path
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
    let files: Vec<_> = std::fs::read_dir(&out)
        .expect("list output")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        files.len(),
        3,
        "only documents.csv, topics.csv and metrics.json: {files:?}"
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
// 2. Labels
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
// 3. JSON Lines in and out, stdin
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
    assert_eq!(names, ["documents.jsonl", "metrics.json", "topics.jsonl"]);

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
    let document_keys = ["id", "title", "topic", "topic_label", "score", "tags"];
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
        } else {
            let score = object["score"].as_f64().expect("score is a number");
            let csv_score: f64 = row.score.parse().expect("csv score");
            assert_eq!(score, csv_score, "{line}");
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

// ---------------------------------------------------------------------------------------------
// 4. Column options
// ---------------------------------------------------------------------------------------------

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
// 5. Documents without terms, duplicate ids
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
    assert!(raw.contains("\nempty,,-1,,,\n"), "{raw}");
    assert!(raw.contains("\nstop,,-1,,,\n"), "{raw}");
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

// ---------------------------------------------------------------------------------------------
// 6. Determinism
// ---------------------------------------------------------------------------------------------

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
    for name in [
        "documents.csv",
        "topics.csv",
        "metrics.json",
        "k_selection.csv",
    ] {
        if name == "k_selection.csv" && !a.join(name).exists() {
            assert!(!b.join(name).exists(), "{name} written only once: {what}");
            continue;
        }
        let left = std::fs::read(a.join(name)).expect("read output");
        let right = std::fs::read(b.join(name)).expect("read output");
        assert!(left == right, "{name} differs: {what}");
    }
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
// 7-8. The committed sample data and output
// ---------------------------------------------------------------------------------------------

#[test]
fn committed_sample_output_matches_a_fresh_run() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let input = repo().join("data").join("papers.csv");
    succeed(topictag(dir.path()).arg(&input).arg("--output").arg(&out));
    for name in [
        "documents.csv",
        "topics.csv",
        "metrics.json",
        "k_selection.csv",
    ] {
        let committed = repo().join("output").join(name);
        let committed = std::fs::read(&committed).unwrap_or_else(|e| {
            panic!(
                "cannot read the committed output/{name} ({e}); regenerate it with `cargo run --release`"
            )
        });
        let fresh = std::fs::read(out.join(name)).expect("fresh output");
        assert!(
            committed == fresh,
            "output/{name} is stale: it differs from a fresh run on data/papers.csv; \
             regenerate it with `cargo run --release` (from the repository root) and commit it"
        );
    }
}

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
// 9. Bad input and settings
// ---------------------------------------------------------------------------------------------

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
// 9b. Metrics and the choice of k
// ---------------------------------------------------------------------------------------------

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
// 10. A failed run keeps earlier output
// ---------------------------------------------------------------------------------------------

#[test]
fn failed_run_leaves_earlier_outputs_intact() {
    let dir = tempdir();
    let (out, _) = run_themes(dir.path(), &[]);
    let before = snapshot(&out);
    assert_eq!(before.len(), 3, "{:?}", before.keys());

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

// ---------------------------------------------------------------------------------------------
// 11. Stop words
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

// ---------------------------------------------------------------------------------------------
// 12. Progress bars, --quiet, Ctrl-C
// ---------------------------------------------------------------------------------------------

/// Whether `text` holds what a progress bar would leave: carriage returns or escape sequences.
fn has_terminal_drawing(text: &str) -> bool {
    text.contains('\r') || text.contains('\u{1b}')
}

#[test]
fn no_progress_bars_when_stderr_is_not_a_terminal() {
    // Here stderr is a pipe. Several stages of the 2,400-document run last long enough in a
    // debug build to get a bar on a terminal.
    let dir = tempdir();
    let input = dir.path().join("corpus.csv");
    std::fs::write(&input, synthetic_corpus(2400)).expect("write corpus");
    let outcome = succeed(topictag(dir.path()).arg(&input).args([
        "--k",
        "4",
        "--dims",
        "20",
        "--timings",
        "--output",
        "out",
    ]));
    assert!(
        !has_terminal_drawing(&outcome.stderr) && !has_terminal_drawing(&outcome.stdout),
        "stderr:\n{:?}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .lines()
            .all(|line| line.starts_with("time: ")),
        "only the --timings lines on stderr:\n{}",
        outcome.stderr
    );
    assert!(
        outcome.stdout.starts_with(TABLE_HEADER),
        "{}",
        outcome.stdout
    );
}

#[test]
fn quiet_leaves_stdout_empty_but_still_warns_and_reports_errors() {
    let dir = tempdir();
    let out = dir.path().join("out");
    let outcome = succeed(
        topictag(dir.path())
            .arg(fixture("no_terms/docs.csv"))
            .args(["--k", "2", "--quiet", "--output"])
            .arg(&out),
    );
    assert_eq!(outcome.stdout, "", "--quiet prints no table");
    let warned = warnings(&outcome.stderr);
    assert_eq!(
        warned.len(),
        1,
        "data-loss warnings stay: {}",
        outcome.stderr
    );
    assert_eq!(
        read_documents(&out).len(),
        10,
        "the files are written as usual"
    );

    let elsewhere = tempdir();
    assert_input_error(
        elsewhere.path(),
        &["missing.csv", "-q"],
        None,
        &["missing.csv", "cannot read"],
    );
}

/// Interrupting real runs: a signal sent to the binary while it works, and what it leaves in the
/// output folder. Linux only: whether the binary already catches SIGINT is read from /proc.
#[cfg(target_os = "linux")]
mod interrupt {
    use super::*;

    use std::process::{Child, Command as Process, ExitStatus, Stdio};
    use std::time::Instant;

    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;

    /// The longest a run may take here, signal or not: a whole debug run on a busy machine.
    const RUN_LIMIT: Duration = Duration::from_secs(900);

    /// The topictag binary on `input` into `out`, stdout and stderr to files in `dir`.
    fn start(dir: &Path, input: &Path, out: &Path, extra: &[&str]) -> Child {
        let stream = |name: &str| {
            Stdio::from(std::fs::File::create(dir.join(name)).expect("create stream file"))
        };
        Process::new(env!("CARGO_BIN_EXE_topictag"))
            .current_dir(dir)
            .env_remove("RAYON_NUM_THREADS")
            .arg(input)
            .arg("--output")
            .arg(out)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(stream("stdout.txt"))
            .stderr(stream("stderr.txt"))
            .spawn()
            .expect("the binary starts")
    }

    fn pid(child: &Child) -> Pid {
        Pid::from_raw(i32::try_from(child.id()).expect("pids fit in i32"))
    }

    /// Whether the process has its SIGINT handler in place (the SigCgt mask of /proc).
    fn catches_sigint(child: &Child) -> bool {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & (1 << (Signal::SIGINT as i32 - 1)) != 0)
    }

    /// Waits until the run catches SIGINT; false if it ended first.
    fn wait_until_catching(child: &mut Child) -> bool {
        let start = Instant::now();
        while start.elapsed() < RUN_LIMIT {
            if child.try_wait().expect("poll the child").is_some() {
                return false;
            }
            if catches_sigint(child) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the binary never installed its SIGINT handler");
    }

    fn interrupt(child: &Child) {
        // The run may have ended meanwhile (ESRCH): its exit status tells.
        let _ = kill(pid(child), Signal::SIGINT);
    }

    fn wait_for_exit(child: &mut Child) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("poll the child") {
                return status;
            }
            if start.elapsed() > RUN_LIMIT {
                let _ = child.kill();
                panic!("the run neither finished nor stopped within {RUN_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A complete set of outputs from the themes fixture in `out`, as it is on disk.
    fn earlier_outputs(dir: &Path, out: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        succeed(
            topictag(dir)
                .arg(fixture("themes/docs.csv"))
                .args(["--k", "3", "--output"])
                .arg(out),
        );
        let before = snapshot(out);
        assert_eq!(before.len(), 3, "{:?}", before.keys());
        before
    }

    /// Checks that `out` holds one whole set, the earlier one or a new one for `documents`
    /// documents, and nothing else (no temp file, no backup); says which.
    fn whole_set(
        out: &Path,
        before: &BTreeMap<PathBuf, Vec<u8>>,
        documents: usize,
    ) -> &'static str {
        let now = snapshot(out);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "the output folder holds other files than the three outputs"
        );
        if &now == before {
            return "earlier";
        }
        for (name, bytes) in &now {
            assert_ne!(
                Some(bytes),
                before.get(name),
                "{} is from the earlier run while others are new",
                name.display()
            );
        }
        let rows = read_documents(out);
        assert_eq!(rows.len(), documents, "documents.csv is not whole");
        check_consistency(&rows, &read_topics(out));
        let metrics = read_text(&out.join("metrics.json"));
        assert!(
            metrics.contains(&format!("\"documents\": {documents},")),
            "metrics.json is not from the new run:\n{metrics}"
        );
        "new"
    }

    /// What the signalled run ended with: for exit code 130 the one-line message, for 0 a note
    /// that the signal came too late (a slow machine, or a run faster than expected).
    fn check_exit(dir: &Path, status: ExitStatus, signalled: bool) -> bool {
        let stderr = read_text(&dir.join("stderr.txt"));
        match status.code() {
            Some(130) => {
                assert!(signalled, "exit code 130 without a signal: {stderr}");
                assert_eq!(
                    stderr.lines().last(),
                    Some("error: interrupted"),
                    "{stderr}"
                );
                assert!(!has_terminal_drawing(&stderr), "{stderr:?}");
                true
            }
            Some(0) => {
                eprintln!("note: the run finished before the signal reached it");
                false
            }
            _ => panic!("unexpected exit {status:?}; stderr:\n{stderr}"),
        }
    }

    #[test]
    fn ctrl_c_mid_run_exits_130_and_keeps_the_earlier_outputs() {
        let dir = tempdir();
        let out = dir.path().join("out");
        let before = earlier_outputs(dir.path(), &out);
        // 20,000 documents with the default settings: minutes of work in a debug build.
        let documents = 20_000;
        let input = dir.path().join("corpus.csv");
        std::fs::write(&input, synthetic_corpus(documents)).expect("write corpus");
        let mut child = start(dir.path(), &input, &out, &[]);
        let catching = wait_until_catching(&mut child);
        if catching {
            // Well into reading or analysing the text, long before anything is written.
            std::thread::sleep(Duration::from_millis(300));
            interrupt(&child);
        }
        let status = wait_for_exit(&mut child);
        let interrupted = check_exit(dir.path(), status, catching);
        let state = whole_set(&out, &before, documents);
        if interrupted {
            eprintln!("interrupted; the output folder holds the {state} set");
        }
    }

    #[test]
    fn ctrl_c_while_writing_leaves_a_whole_set_and_no_temp_file() {
        let dir = tempdir();
        let out = dir.path().join("out");
        let before = earlier_outputs(dir.path(), &out);
        // Cheap settings, so the run reaches the write stage soon; enough documents that
        // writing documents.csv takes a while.
        let documents = 10_000;
        let input = dir.path().join("corpus.csv");
        std::fs::write(&input, synthetic_corpus(documents)).expect("write corpus");
        let cheap = ["--k", "4", "--dims", "5", "--runs", "2", "--refine", "2"];
        let mut child = start(dir.path(), &input, &out, &cheap);
        let mut signalled = false;
        let start = Instant::now();
        // Signal as soon as the first temp file shows: inside the write stage.
        while child.try_wait().expect("poll the child").is_none() && start.elapsed() < RUN_LIMIT {
            let writing = std::fs::read_dir(&out)
                .map(|entries| {
                    entries
                        .flatten()
                        .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                })
                .unwrap_or(false);
            if writing {
                interrupt(&child);
                signalled = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let status = wait_for_exit(&mut child);
        if !signalled {
            eprintln!("note: no temp file was seen before the run ended");
        }
        let interrupted = check_exit(dir.path(), status, signalled);
        let state = whole_set(&out, &before, documents);
        if interrupted {
            eprintln!("interrupted while writing; the output folder holds the {state} set");
        }
    }
}
