//! Helpers shared by the end-to-end tests: running the binary in a temporary folder, reading
//! its outputs, checking their consistency, the failure contract and generated corpora.

#![allow(dead_code)]

#[cfg(feature = "embeddings")]
pub mod tiny_model;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

pub const DOCUMENTS_HEADER: &str = "id,title,topic,topic_label,score,fit,novel,tags";
pub const TOPICS_HEADER: &str = "topic,size,label,top_terms,representative_ids";
pub const TABLE_HEADER: &str = "topic  size  label";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(relative: &str) -> String {
    let path = repo().join("tests").join("fixtures").join(relative);
    assert!(path.is_file(), "missing fixture {}", path.display());
    path_str(&path)
}

pub fn path_str(path: &Path) -> String {
    path.to_str().expect("test paths are UTF-8").to_string()
}

pub fn tempdir() -> TempDir {
    tempfile::tempdir().expect("create a temp dir")
}

/// The binary, run in `cwd`, with an environment that does not leak into the result.
pub fn topictag(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("topictag").expect("the topictag binary is built");
    cmd.current_dir(cwd)
        .env_remove("RAYON_NUM_THREADS")
        .timeout(Duration::from_secs(180));
    cmd
}

/// What a finished run left behind on its streams.
#[derive(Debug)]
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Outcome {
    let output = cmd.output().expect("the binary runs");
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs and insists on exit code 0.
pub fn succeed(cmd: &mut Command) -> Outcome {
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
pub fn warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    pub id: String,
    pub title: String,
    pub topic: i64,
    pub topic_label: String,
    pub score: String,
    pub fit: String,
    pub novel: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicRow {
    pub topic: usize,
    pub size: usize,
    pub label: String,
    pub top_terms: Vec<String>,
    pub representative_ids: Vec<String>,
}

pub fn split_list(cell: &str) -> Vec<String> {
    if cell.is_empty() {
        Vec::new()
    } else {
        cell.split(';').map(str::to_string).collect()
    }
}

pub fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// Parses a CSV output file whose first line must be exactly `header`.
pub fn read_csv_records(path: &Path, header: &str) -> Vec<csv::StringRecord> {
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

pub fn read_documents(dir: &Path) -> Vec<DocumentRow> {
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
            fit: r[5].to_string(),
            novel: r[6].to_string(),
            tags: split_list(&r[7]),
        })
        .collect()
}

pub fn read_topics(dir: &Path) -> Vec<TopicRow> {
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
pub fn assert_score(score: &str, context: &str) {
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
pub fn check_consistency(documents: &[DocumentRow], topics: &[TopicRow]) {
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

pub fn ids(documents: &[DocumentRow]) -> Vec<&str> {
    documents.iter().map(|d| d.id.as_str()).collect()
}

/// Every file under `dir` with its bytes (relative paths), to prove a run changed nothing.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
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

/// Two snapshots hold the same files with the same bytes; `what` names the comparison.
pub fn assert_same_snapshots(
    left: &BTreeMap<PathBuf, Vec<u8>>,
    right: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>(),
        "different files: {what}"
    );
    for (name, bytes) in left {
        assert!(right[name] == *bytes, "{} differs: {what}", name.display());
    }
}

/// Runs `args` (plus `--output out`) in `cwd` and checks the failure contract: exit code 2, one
/// `error: ` line on stderr holding every `expected` piece, nothing on stdout, and no file
/// written or left behind anywhere in `cwd`.
pub fn assert_input_error(cwd: &Path, args: &[&str], stdin: Option<&[u8]>, expected: &[&str]) {
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

/// Runs the three-theme fixture with k = 3 into `<cwd>/out` and returns that folder.
pub fn run_themes(cwd: &Path, extra: &[&str]) -> (PathBuf, Outcome) {
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

/// A small deterministic pseudo-random generator (PCG-style LCG step), so no `rand` is needed.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, bound: usize) -> usize {
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
pub fn synthetic_corpus(n: usize) -> String {
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

/// A `.npy` file (version 1): the magic, the header dict padded with spaces to a multiple of 64
/// bytes with its newline, then `data` as given.
pub fn write_npy_raw(path: &Path, header: &str, data: &[u8]) {
    let mut header = header.as_bytes().to_vec();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(b' ');
    }
    header.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(&header);
    bytes.extend_from_slice(data);
    std::fs::write(path, bytes).expect("write npy");
}
