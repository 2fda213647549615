//! The report: every run writes report.html (one self-contained page), report.md with its SVG
//! charts, topic_tree.csv and, with a date column, topic_trends.csv; the page is opened in a
//! real headless Chromium and checked as a reader would use it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use common::*;

/// A fit of the dated themes fixture (18 documents, 3 topics, one unreadable date).
fn fit_dated(dir: &Path, extra: &[&str]) -> (PathBuf, Outcome) {
    let out = dir.join("out");
    let outcome = succeed(
        topictag(dir)
            .arg(fixture("dated/docs.csv"))
            .args([
                "--k",
                "3",
                "--date-column",
                "published",
                "--quiet",
                "--output",
            ])
            .arg(&out)
            .args(extra),
    );
    (out, outcome)
}

/// The Chromium binary: `TOPICTAG_CHROMIUM`, else the first of the usual names on the PATH.
/// CI installs Debian's `chromium`; a missing browser fails the test, never skips it.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("TOPICTAG_CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "no Chromium found: install it (Debian: apt-get install chromium) or set TOPICTAG_CHROMIUM"
    );
}

/// The page's DOM after its script ran, opened at `fragment` (`#documents?topic=1`), and what
/// the browser logged.
fn dom(page: &Path, fragment: &str) -> (String, String) {
    let profile = tempdir();
    let url = format!("file://{}{fragment}", page.display());
    let output = Process::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Run the page's script to the end before the DOM is dumped.
            "--virtual-time-budget=5000",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("Chromium runs");
    assert!(output.status.success(), "Chromium failed on {url}");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `data-topic` of every row of the documents table.
fn table_topics(dom: &str) -> Vec<i64> {
    let body = dom
        .split("id=\"doc-table\"")
        .nth(1)
        .and_then(|table| table.split("<tbody>").nth(1))
        .and_then(|rest| rest.split("</tbody>").next())
        .expect("the documents table has a body");
    body.split("<tr data-topic=\"")
        .skip(1)
        .map(|rest| {
            rest.split('"')
                .next()
                .and_then(|n| n.parse().ok())
                .expect("a topic number")
        })
        .collect()
}

fn assert_ran_cleanly(dom: &str, log: &str) {
    assert!(
        dom.contains("data-ready=\"1\""),
        "the page's script did not finish"
    );
    assert!(
        dom.contains("data-errors=\"0\""),
        "the page's script hit errors:\n{log}"
    );
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("Error") || l.contains("Uncaught")))
        .collect();
    assert!(console_errors.is_empty(), "{console_errors:?}");
}

#[test]
fn a_run_writes_the_report_files_and_the_page_is_self_contained() {
    let dir = tempdir();
    let (out, outcome) = fit_dated(dir.path(), &[]);
    assert!(
        outcome
            .stderr
            .contains("1 date(s) in column 'published' could not be read")
            && outcome.stderr.contains("row 18, 'not a date'"),
        "{}",
        outcome.stderr
    );
    for name in [
        "report.html",
        "report.md",
        "report-topics.svg",
        "report-map.svg",
        "report-tree.svg",
        "report-trends.svg",
        "topic_tree.csv",
        "topic_trends.csv",
    ] {
        let bytes = std::fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!bytes.is_empty(), "{name} is empty");
    }
    let html = read_text(&out.join("report.html"));
    // Nothing is fetched: no external script, style, image or font.
    for forbidden in ["<script src", "<link", "@import", "url(http", "src=\"http"] {
        assert!(
            !html.contains(forbidden),
            "the page loads something: {forbidden}"
        );
    }
    let outside: Vec<&str> = html
        .match_indices("http")
        .map(|(at, _)| &html[at..(at + 40).min(html.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    for id in [
        "id=\"map\"",
        "id=\"documents\"",
        "id=\"trends\"",
        "id=\"tree\"",
    ] {
        assert!(html.contains(id), "{id}");
    }
    let markdown = read_text(&out.join("report.md"));
    assert!(markdown.starts_with("# Topics of"), "{markdown}");
    // A words-only fit's terms are re-ranked by co-occurrence, and the parameters say so, as
    // does the note over the topics (labels stay in class-based order).
    assert!(
        markdown.contains("| label terms | re-ranked by co-occurrence |"),
        "{markdown}"
    );
    assert!(
        html.contains("(class-based TF-IDF); each topic's section goes on with terms chosen to occur in the same documents as the label's."),
        "the topics' note"
    );
    for chart in [
        "report-topics.svg",
        "report-map.svg",
        "report-tree.svg",
        "report-trends.svg",
    ] {
        assert!(markdown.contains(&format!("({chart})")), "{chart}");
    }
    // Three topics merge in two steps; the root holds every document with a topic.
    let tree: Vec<Vec<String>> = csv::Reader::from_path(out.join("topic_tree.csv"))
        .expect("topic_tree.csv")
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect();
    assert_eq!(tree.len(), 5);
    assert_eq!(tree[4][4], "18");
    assert!(tree[..3]
        .iter()
        .all(|row| row[1].is_empty() && row[2].is_empty()));
    let trends = read_text(&out.join("topic_trends.csv"));
    assert!(
        trends.starts_with("period,topic,documents,share\n2019-Q1,"),
        "{trends}"
    );
    let dated: usize = trends
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .nth(2)
                .and_then(|n| n.parse::<usize>().ok())
                .expect("count")
        })
        .sum();
    assert_eq!(dated, 17, "every readable date counted once");
}

#[test]
fn no_report_writes_no_page() {
    let dir = tempdir();
    let (out, _) = fit_dated(dir.path(), &["--no-report"]);
    for name in ["report.html", "report.md", "report-map.svg"] {
        assert!(!out.join(name).exists(), "{name}");
    }
    assert!(out.join("topic_tree.csv").exists());
    assert!(out.join("topic_trends.csv").exists());
}

#[test]
fn in_a_browser_the_page_draws_every_point_and_its_links_and_search_filter_the_table() {
    let dir = tempdir();
    let (out, _) = fit_dated(dir.path(), &[]);
    let page = out.join("report.html");
    let documents = read_documents(&out);
    let topics = read_topics(&out);

    let (plain, log) = dom(&page, "");
    assert_ran_cleanly(&plain, &log);
    let sections = plain.matches("<section id=\"topic-").count();
    assert_eq!(sections, topics.len(), "one section per topic");
    let points = plain.matches("<circle class=\"point\"").count();
    let with_topic = documents.iter().filter(|d| d.topic >= 0).count();
    assert_eq!(points, with_topic, "one map point per drawn document");
    assert_eq!(table_topics(&plain).len(), documents.len().min(50));

    // The topic link of a section filters the table to that topic.
    let topic = topics[1].topic;
    let link = format!("href=\"#documents?topic={topic}\"");
    assert!(plain.contains(&link), "{link}");
    let (filtered, log) = dom(&page, &format!("#documents?topic={topic}"));
    assert_ran_cleanly(&filtered, &log);
    let shown = table_topics(&filtered);
    assert_eq!(shown.len(), topics[1].size);
    assert!(shown.iter().all(|&t| t == topic as i64), "{shown:?}");

    // Searching keeps only the rows that hold the words.
    let wanted = documents
        .iter()
        .filter(|d| {
            let text = format!(
                "{} {} {} {}",
                d.id,
                d.title,
                d.topic_label,
                d.tags.join(" ")
            );
            text.to_lowercase().contains("galax")
        })
        .count();
    assert!(wanted > 0 && wanted < documents.len());
    let (searched, log) = dom(&page, "#documents?q=galax");
    assert_ran_cleanly(&searched, &log);
    assert_eq!(table_topics(&searched).len(), wanted);
}

#[test]
fn markup_in_the_input_stays_text_in_the_page() {
    let dir = tempdir();
    let themes = read_text(Path::new(&fixture("themes/docs.csv")));
    let input = dir.path().join("hostile.csv");
    std::fs::write(
        &input,
        format!(
            "{themes}evil-1,\"<b>bold</b> & </script><script>document.body.dataset.pwned=1</script>\",\"Telescopes, stars and galaxies <img src=x onerror=document.body.dataset.pwned=2>.\"\n"
        ),
    )
    .expect("write input");
    let out = dir.path().join("out");
    succeed(
        topictag(dir.path())
            .arg(&input)
            .args(["--k", "3", "--quiet", "--output"])
            .arg(&out),
    );
    let html = read_text(&out.join("report.html"));
    // Only the page's own two scripts end; the title's `</script>` is escaped in the data.
    assert_eq!(html.matches("</script>").count(), 2);
    let (dom, log) = dom(&out.join("report.html"), "#documents?q=evil");
    assert_ran_cleanly(&dom, &log);
    assert!(!dom.contains("data-pwned"), "markup from the input ran");
    assert!(
        dom.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;/script&gt;"),
        "the title shows as text"
    );
    assert_eq!(table_topics(&dom).len(), 1);
}
