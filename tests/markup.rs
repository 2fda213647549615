//! The markup stage as a user meets it: LaTeX (arXiv) and JATS/HTML (Crossref, PubMed) abstracts
//! give labels, top terms and tags without markup, the output columns keep the text as read, a
//! saved model cleans what it tags the same way, and `--no-markup` analyses the text as written.

mod common;

use common::{fixture, read_documents, read_topics, succeed, tempdir, topictag};
use std::path::{Path, PathBuf};

/// Words that only markup produces in these fixtures.
const LATEX_WORDS: &[&str] = &[
    "mathfrak", "mathbb", "frac", "cite", "ref", "emph", "textit", "textbf", "url", "left",
    "right", "sum", "sum_", "lambda", "mu", "le", "pi", "bmod", "pmod", "mathrm", "chi", "theta",
    "https", "example", "arxiv", "widehat", "tfrac",
];
const JATS_WORDS: &[&str] = &[
    "jats",
    "jats:p",
    "jats:title",
    "jats:sec",
    "jats:italic",
    "jats:sup",
    "jats:bold",
    "jats:ext-link",
    "jats:xref",
    "italic",
    "nbsp",
    "amp",
    "mdash",
    "lt",
    "http",
    "https",
    "doi",
    "www",
    "xlink",
    "href",
    "rid",
    "bibr",
    "abstract",
    "background",
    "methods",
    "results",
    "objective",
    "org",
    "correspondence",
    "dryad",
];

fn fit(dir: &Path, input: &str, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    succeed(
        topictag(dir)
            .arg(input)
            .args(["--k", "2", "--no-report", "--quiet"])
            .args(extra)
            .arg("--output")
            .arg(&out),
    );
    out
}

/// Every word of every label, top term and tag of a fit, lowercased.
fn shown_words(out: &Path) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for topic in read_topics(out) {
        terms.extend(topic.label.split(", ").map(str::to_string));
        terms.extend(topic.top_terms);
    }
    for document in read_documents(out) {
        terms.extend(document.tags);
    }
    terms
        .iter()
        .flat_map(|term| term.split(' '))
        .map(str::to_lowercase)
        .collect()
}

fn markup_in(words: &[String], markup: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = words
        .iter()
        .filter(|word| markup.contains(&word.as_str()) || word.contains(['\\', '$', '<', '&']))
        .cloned()
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn latex_abstracts_give_topics_without_latex() {
    let dir = tempdir();
    let input = fixture("markup/latex.csv");
    let out = fit(dir.path(), &input, "clean", &[]);
    let words = shown_words(&out);
    assert_eq!(markup_in(&words, LATEX_WORDS), Vec::<String>::new());
    // The words of \textit{} and \textbf{} are kept, and the two themes are found.
    assert!(words.iter().any(|w| w == "characters"), "{words:?}");
    let documents = read_documents(&out);
    for document in &documents {
        let theme = &document.id[..3];
        let same = documents.iter().filter(|d| &d.id[..3] == theme);
        assert!(
            same.clone().all(|d| d.topic == document.topic),
            "{documents:?}"
        );
    }
    // The output columns keep the title as read.
    assert!(documents
        .iter()
        .any(|d| d.title == r"Weight modules of $\mathfrak{g}$"));

    // As written, the same file's topics are full of LaTeX: the check above can fail.
    let raw = fit(dir.path(), &input, "raw", &["--no-markup"]);
    let raw_markup = markup_in(&shown_words(&raw), LATEX_WORDS);
    assert!(raw_markup.iter().any(|w| w == "mathfrak"), "{raw_markup:?}");
}

#[test]
fn jats_abstracts_give_topics_without_tags_entities_addresses_or_headings() {
    let dir = tempdir();
    let input = fixture("markup/jats.jsonl");
    let out = fit(dir.path(), &input, "clean", &[]);
    let words = shown_words(&out);
    assert_eq!(markup_in(&words, JATS_WORDS), Vec::<String>::new());
    // Text inside tags is kept: the italic species name is a term.
    assert!(words.iter().any(|w| w == "plasmodium"), "{words:?}");
    let documents = read_documents(&out);
    assert!(documents
        .iter()
        .any(|d| d.title == "Malaria vaccine trial in <jats:italic>children</jats:italic>"));

    let raw = fit(dir.path(), &input, "raw", &["--no-markup"]);
    let raw_markup = markup_in(&shown_words(&raw), JATS_WORDS);
    assert!(
        raw_markup.iter().any(|w| w.starts_with("jats")),
        "{raw_markup:?}"
    );
}

#[test]
fn a_saved_model_cleans_what_it_tags_and_says_so() {
    let dir = tempdir();
    let input = fixture("markup/jats.jsonl");
    let new = dir.path().join("new.csv");
    std::fs::write(
        &new,
        "id,title,abstract\n\
         n1,<jats:title>Abstract</jats:title>,\"<jats:p>Background: malaria vaccine doses for \
         children &amp; parasite infection, https://doi.org/10.1/x</jats:p>\"\n",
    )
    .expect("write");
    let tag = |out: &Path| {
        let model = out.join("model.topictag");
        let model = model.to_str().expect("utf-8");
        let tagged = succeed(
            topictag(dir.path())
                .args(["tag", "--model", model, "--quiet"])
                .arg(&new),
        )
        .stdout;
        let inspect = succeed(topictag(dir.path()).args(["inspect", model])).stdout;
        (tagged, inspect)
    };

    let (tagged, inspect) = tag(&fit(dir.path(), &input, "clean", &[]));
    let row = tagged.lines().nth(1).expect("one row");
    assert!(row.contains("malaria"), "{row}");
    let tags = row.rsplit(',').next().expect("tags").to_lowercase();
    assert!(
        !tags.contains("jats") && !tags.contains("background") && !tags.contains("amp"),
        "{row}"
    );
    assert!(inspect.contains("markup removed"), "{inspect}");

    let (tagged, inspect) = tag(&fit(dir.path(), &input, "raw", &["--no-markup"]));
    assert!(tagged.contains("jats:"), "{tagged}");
    assert!(inspect.contains("markup kept"), "{inspect}");
}
