//! Topics that persist: a refit with `--previous` keeps the ids of the topics that continue,
//! gives new topics ids never used, and says in topic_changes.csv what became of each.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::*;

const CHANGES_HEADER: &str = "old_topic,new_topic,status,similarity,old_label,new_label";

/// Word pools of five themes in two families: space (astronomy, rockets) and food (baking,
/// wine), and football on its own.
const THEMES: [(&str, &str); 5] = [
    (
        "astro",
        "galaxy galaxies telescope telescopes stars planets orbit comets nebula astronomers \
         redshift supernova cosmic quasar spectra",
    ),
    (
        "rocket",
        "rocket rockets launch launches booster engine engines fuel payload thrust satellite \
         satellites capsule launchpad countdown",
    ),
    (
        "bake",
        "flour butter baking oven ovens dough pastry bread cakes sugar yeast knead crust \
         croissant muffin",
    ),
    (
        "wine",
        "wine wines grape grapes vineyard vineyards cellar barrel barrels vintage harvest \
         tasting sommelier cork bottles",
    ),
    (
        "foot",
        "striker goals stadium referee league match fans players penalty offside midfield \
         goalkeeper coach tactics derby",
    ),
];
/// Words each family shares, so that two topics fit a family as one.
const FAMILIES: [&str; 2] = [
    "space sky orbit cosmos universe mission",
    "food kitchen taste flavour dinner chef",
];

fn family(theme: &str) -> Option<usize> {
    match theme {
        "astro" | "rocket" => Some(0),
        "bake" | "wine" => Some(1),
        _ => None,
    }
}

/// `per` documents of each theme in `themes`, ids `<theme>-<n>`, deterministic.
fn corpus(themes: &[&str], per: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::from("id,title,abstract\n");
    for n in 0..per {
        for &theme in themes {
            let pool: Vec<&str> = THEMES
                .iter()
                .find(|(name, _)| *name == theme)
                .expect("a known theme")
                .1
                .split_whitespace()
                .collect();
            let shared: Vec<&str> = family(theme)
                .map(|f| FAMILIES[f].split_whitespace().collect())
                .unwrap_or_default();
            let words: Vec<&str> = (0..14)
                .map(|_| {
                    if !shared.is_empty() && rng.below(10) < 4 {
                        shared[rng.below(shared.len())]
                    } else {
                        pool[rng.below(pool.len())]
                    }
                })
                .collect();
            out.push_str(&format!("{theme}-{n},,{}\n", words.join(" ")));
        }
    }
    out
}

fn write_corpus(dir: &Path, name: &str, themes: &[&str], per: usize) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, corpus(themes, per, 7)).expect("write the corpus");
    path
}

/// Fits `input` with `k` into `dir/out`, after `previous` when given.
fn fit(
    dir: &Path,
    input: &Path,
    out: &str,
    k: &str,
    previous: Option<&Path>,
    extra: &[&str],
) -> PathBuf {
    let out = dir.join(out);
    let mut cmd = topictag(dir);
    cmd.arg(input)
        .args(["--k", k, "--quiet", "--output"])
        .arg(&out)
        .args(extra);
    if let Some(previous) = previous {
        cmd.arg("--previous").arg(previous.join("model.topictag"));
    }
    succeed(&mut cmd);
    out
}

#[derive(Debug, Clone)]
struct Change {
    old: Option<usize>,
    new: Option<usize>,
    status: String,
    similarity: f64,
}

fn changes(out: &Path) -> Vec<Change> {
    read_csv_records(&out.join("topic_changes.csv"), CHANGES_HEADER)
        .into_iter()
        .map(|r| Change {
            old: r[0].parse().ok(),
            new: r[1].parse().ok(),
            status: r[2].to_string(),
            similarity: r[3].parse().expect("a similarity"),
        })
        .collect()
}

/// Each theme's topic id: the topic most of its documents are in.
fn topic_of_theme(out: &Path) -> BTreeMap<String, i64> {
    let mut counts: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    for doc in read_documents(out) {
        let theme = doc.id.split('-').next().expect("theme-n").to_string();
        *counts
            .entry(theme)
            .or_default()
            .entry(doc.topic)
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(theme, c)| {
            let best = c
                .iter()
                .max_by_key(|(_, &n)| n)
                .map(|(&t, _)| t)
                .expect("a topic");
            (theme, best)
        })
        .collect()
}

fn statuses(changes: &[Change]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for c in changes {
        *counts.entry(c.status.clone()).or_default() += 1;
    }
    counts
}

#[test]
fn a_refit_on_the_same_documents_continues_every_topic_with_its_id() {
    let dir = tempdir();
    let input = write_corpus(dir.path(), "docs.csv", &["astro", "bake", "foot"], 12);
    let first = fit(dir.path(), &input, "first", "3", None, &[]);
    assert!(
        !first.join("topic_changes.csv").exists(),
        "no previous, no changes file"
    );
    let again = fit(dir.path(), &input, "again", "3", Some(&first), &[]);
    let made = changes(&again);
    assert_eq!(made.len(), 3, "{made:?}");
    for c in &made {
        assert_eq!(c.status, "continued", "{made:?}");
        assert_eq!(c.old, c.new, "{made:?}");
        assert!(c.similarity > 0.9, "{made:?}");
    }
    let before: Vec<i64> = read_documents(&first).iter().map(|d| d.topic).collect();
    let after: Vec<i64> = read_documents(&again).iter().map(|d| d.topic).collect();
    assert_eq!(before, after);
    // The model records where it came from; tag gives the fit's rows, ids included.
    let inspect = succeed(
        topictag(dir.path())
            .arg("inspect")
            .arg(again.join("model.topictag")),
    );
    assert!(
        inspect
            .stdout
            .contains("lineage: refitted from the model with SHA-256 ")
            && inspect
                .stdout
                .contains("(3 continued, 0 new, 0 gone, 0 split, 0 merged)"),
        "{}",
        inspect.stdout
    );
    let first_inspect = succeed(
        topictag(dir.path())
            .arg("inspect")
            .arg(first.join("model.topictag")),
    );
    assert!(
        first_inspect.stdout.contains("lineage: a first fit"),
        "{}",
        first_inspect.stdout
    );
    let tagged = succeed(
        topictag(dir.path())
            .args(["tag", "--quiet", "--model"])
            .arg(again.join("model.topictag"))
            .arg(&input),
    );
    assert_eq!(tagged.stdout, read_text(&again.join("documents.csv")));
}

#[test]
fn an_added_theme_is_new_with_an_id_never_used_and_a_dropped_one_is_gone() {
    let dir = tempdir();
    let two = write_corpus(dir.path(), "two.csv", &["astro", "foot"], 12);
    let three = write_corpus(dir.path(), "three.csv", &["astro", "foot", "bake"], 12);
    let first = fit(dir.path(), &two, "first", "2", None, &[]);
    let themes_first = topic_of_theme(&first);
    let second = fit(dir.path(), &three, "second", "3", Some(&first), &[]);
    let themes_second = topic_of_theme(&second);
    // The themes that were there keep their ids; the new one gets the next id, 2.
    assert_eq!(themes_second["astro"], themes_first["astro"]);
    assert_eq!(themes_second["foot"], themes_first["foot"]);
    assert_eq!(themes_second["bake"], 2);
    let made = changes(&second);
    assert_eq!(
        statuses(&made),
        BTreeMap::from([("continued".to_string(), 2), ("new".to_string(), 1)]),
        "{made:?}"
    );
    let new = made
        .iter()
        .find(|c| c.status == "new")
        .expect("a new topic");
    assert_eq!((new.old, new.new), (None, Some(2)));
    // topics.csv and the report use the same ids.
    let ids: BTreeSet<usize> = read_topics(&second).iter().map(|t| t.topic).collect();
    assert_eq!(ids, BTreeSet::from([0, 1, 2]));

    // Dropping football: its topic is gone, and the id is not handed out again.
    let no_foot = write_corpus(dir.path(), "no_foot.csv", &["astro", "bake", "rocket"], 12);
    let third = fit(dir.path(), &no_foot, "third", "3", Some(&second), &[]);
    let made = changes(&third);
    let gone: Vec<&Change> = made.iter().filter(|c| c.status == "gone").collect();
    assert_eq!(gone.len(), 1, "{made:?}");
    assert_eq!(
        gone[0].old,
        Some(themes_second["foot"] as usize),
        "{made:?}"
    );
    let themes_third = topic_of_theme(&third);
    assert_eq!(themes_third["astro"], themes_second["astro"]);
    assert_eq!(themes_third["bake"], themes_second["bake"]);
    assert_eq!(
        themes_third["rocket"], 3,
        "a fresh id, not the gone topic's"
    );
    // The first rows of topic_changes.csv are the new and the gone topics.
    let order: Vec<&str> = made.iter().map(|c| c.status.as_str()).collect();
    assert_eq!(order[..2], ["new", "gone"], "{order:?}");
}

#[test]
fn a_topic_that_becomes_two_is_split_and_two_that_become_one_are_merged() {
    let dir = tempdir();
    let input = write_corpus(
        dir.path(),
        "docs.csv",
        &["astro", "rocket", "bake", "wine"],
        15,
    );
    let coarse = fit(dir.path(), &input, "coarse", "2", None, &[]);
    let fine = fit(dir.path(), &input, "fine", "4", Some(&coarse), &[]);
    let made = changes(&fine);
    assert_eq!(
        statuses(&made),
        BTreeMap::from([("split".to_string(), 4)]),
        "{made:?}"
    );
    let parents: BTreeSet<Option<usize>> = made.iter().map(|c| c.old).collect();
    assert_eq!(parents, BTreeSet::from([Some(0), Some(1)]), "{made:?}");
    let pieces: BTreeSet<Option<usize>> = made.iter().map(|c| c.new).collect();
    assert_eq!(
        pieces,
        BTreeSet::from([Some(2), Some(3), Some(4), Some(5)]),
        "{made:?}"
    );

    let back = fit(dir.path(), &input, "back", "2", Some(&fine), &[]);
    let made = changes(&back);
    assert_eq!(
        statuses(&made),
        BTreeMap::from([("merged".to_string(), 4)]),
        "{made:?}"
    );
    let merged_into: BTreeSet<Option<usize>> = made.iter().map(|c| c.new).collect();
    assert_eq!(merged_into, BTreeSet::from([Some(6), Some(7)]), "{made:?}");
}

#[test]
fn a_refit_with_another_vocabulary_and_weighting_still_matches_its_topics() {
    let dir = tempdir();
    let input = write_corpus(dir.path(), "docs.csv", &["astro", "bake", "foot"], 12);
    let first = fit(dir.path(), &input, "first", "3", None, &[]);
    let other = fit(
        dir.path(),
        &input,
        "other",
        "3",
        Some(&first),
        &["--weighting", "tfidf", "--min-df", "3", "--ngrams", "2"],
    );
    let made = changes(&other);
    assert!(
        made.iter()
            .all(|c| c.status == "continued" && c.old == c.new),
        "{made:?}"
    );
    assert_eq!(topic_of_theme(&other), topic_of_theme(&first));
}

#[test]
fn continued_topics_keep_their_colour_in_the_report() {
    let dir = tempdir();
    let two = write_corpus(dir.path(), "two.csv", &["astro", "foot"], 12);
    let three = write_corpus(dir.path(), "three.csv", &["foot", "bake", "astro"], 16);
    let first = fit(dir.path(), &two, "first", "2", None, &[]);
    let second = fit(dir.path(), &three, "second", "3", Some(&first), &[]);
    let colour = |out: &Path, id: i64| {
        let html = read_text(&out.join("report.html"));
        let anchor = format!("<section id=\"topic-{id}\" class=\"topic\" style=\"--topic-color: ");
        let at = html.find(&anchor).expect("the topic's section") + anchor.len();
        html[at..at + 7].to_string()
    };
    let astro = topic_of_theme(&second)["astro"];
    assert_eq!(astro, topic_of_theme(&first)["astro"]);
    assert_eq!(colour(&first, astro), colour(&second, astro));
    let html = read_text(&second.join("report.html"));
    let changes_at = html
        .find("<h2>Since the previous model</h2>")
        .expect("the section");
    assert!(changes_at < html.find("<h2>Summary</h2>").expect("the summary"));
    assert!(read_text(&second.join("report.md")).contains("## Since the previous model"));
}

#[test]
fn a_previous_model_that_is_missing_corrupt_or_newer_is_refused_and_nothing_is_written() {
    let dir = tempdir();
    let input = write_corpus(dir.path(), "docs.csv", &["astro", "bake"], 8);
    let first = fit(dir.path(), &input, "first", "2", None, &[]);
    let model = std::fs::read(first.join("model.topictag")).expect("the model");
    std::fs::write(
        dir.path().join("corrupt.topictag"),
        &model[..model.len() / 2],
    )
    .expect("write the corrupt model");
    let mut newer = model.clone();
    let version = u32::from_le_bytes(newer[16..20].try_into().expect("four bytes")) + 1;
    newer[16..20].copy_from_slice(&version.to_le_bytes());
    std::fs::write(dir.path().join("newer.topictag"), &newer).expect("write the newer model");
    let input = path_str(&input);
    for (file, message) in [
        ("missing.topictag", "missing.topictag"),
        ("corrupt.topictag", "truncated"),
        ("newer.topictag", "model format version"),
    ] {
        assert_input_error(
            dir.path(),
            &[&input, "--k", "2", "--previous", file],
            None,
            &[file, message],
        );
    }
}
